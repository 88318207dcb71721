//! WebDriver over HTTP (chromedriver's W3C API, with reqwest: no browser-automation crate),
//! shared by the GraphiQL test and the page's. The browser may reach the test server only: any
//! other host fails to resolve and goes to a dead proxy, so a CDN reference breaks a test.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine;
use serde_json::{Value, json};

/// The W3C WebDriver key of an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

pub fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}

/// Where screenshots and the chromedriver log go: `<target dir>/browser-screenshots`.
pub fn output_dir() -> PathBuf {
    // The test binary is `<target dir>/<profile>/deps/browser-<hash>`.
    let exe = std::env::current_exe().expect("test binary path");
    let target = exe.ancestors().nth(3).map(Path::to_path_buf).unwrap_or_else(std::env::temp_dir);
    let dir = target.join("browser-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

/// chromedriver, in its own process group so that the browsers it starts go with it.
pub struct ChromeDriver {
    child: Child,
    url: String,
}

impl ChromeDriver {
    pub async fn start(binary: &Path, log: &Path) -> anyhow::Result<Self> {
        use std::os::unix::process::CommandExt;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let driver = Self { child, url: format!("http://127.0.0.1:{port}") };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let status = http.get(format!("{}/status", driver.url)).send().await;
            if let Ok(response) = status {
                let body: Value = response.json().await?;
                if body["value"]["ready"] == true {
                    return Ok(driver);
                }
            }
            if Instant::now() > deadline {
                bail!("chromedriver did not answer on {} within 10 s", driver.url);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the Chromium processes it started, even on a panic.
        let group = format!("-{}", self.child.id());
        Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status().ok();
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// One WebDriver session.
pub struct Browser {
    http: reqwest::Client,
    session: String,
}

impl Browser {
    pub async fn open(driver: &ChromeDriver, chromium: &Path) -> anyhow::Result<Self> {
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1400,1000",
            // French, as the page's users (the page's own formats are fr-FR whatever the browser;
            // date inputs follow Chromium's UI locale, of which Debian ships en-US only).
            "--lang=fr-FR",
            "--no-first-run",
            "--disable-extensions",
            "--disable-sync",
            "--disable-background-networking",
            "--disable-component-update",
            // The network is the test server: every other name fails to resolve, and anything
            // else would go through a proxy where nothing listens.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--proxy-server=127.0.0.1:9",
            "--proxy-bypass-list=127.0.0.1",
        ];
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
                "prefs": { "intl.accept_languages": "fr-FR,fr" },
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        }}});
        let http = reqwest::Client::new();
        let response: Value =
            http.post(format!("{}/session", driver.url)).json(&capabilities).send().await?.json().await?;
        let Some(session) = response["value"]["sessionId"].as_str() else {
            bail!("chromedriver refused the session: {response}");
        };
        Ok(Self { http, session: format!("{}/session/{session}", driver.url) })
    }

    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let mut request = self.http.request(method, format!("{}{path}", self.session));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let mut answer: Value = request.send().await?.json().await?;
        let value = answer["value"].take();
        if let Some(error) = value.get("error") {
            bail!("WebDriver {path}: {error}: {}", value["message"]);
        }
        Ok(value)
    }

    pub async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn script(&self, script: &str, args: Value) -> anyhow::Result<Value> {
        self.post("/execute/sync", json!({ "script": script, "args": args })).await
    }

    /// Runs `script` until it returns something truthy, or fails after `timeout`.
    pub async fn wait_for(&self, what: &str, script: &str, args: Value, timeout: Duration) -> anyhow::Result<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.script(script, args.clone()).await?;
            if !(value.is_null() || value == false || value == "") {
                return Ok(value);
            }
            if Instant::now() > deadline {
                bail!("timed out after {timeout:?} waiting for {what}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        let element = self.post("/element", json!({ "using": "css selector", "value": css })).await?;
        let Some(id) = element[ELEMENT_KEY].as_str() else { bail!("no element {css}: {element}") };
        self.post(&format!("/element/{id}/click"), json!({})).await?;
        Ok(())
    }

    pub async fn screenshot(&self, path: &Path) -> anyhow::Result<()> {
        let png = self.call(reqwest::Method::GET, "/screenshot", None).await?;
        let png = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap_or_default())?;
        std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
    }

    /// The browser console since the last call (chromedriver's log extension).
    pub async fn console(&self) -> anyhow::Result<Vec<Value>> {
        let entries = self.post("/se/log", json!({ "type": "browser" })).await?;
        Ok(entries.as_array().cloned().unwrap_or_default())
    }

    /// Runs an asynchronous script: it gets a callback as its last argument.
    pub async fn script_async(&self, script: &str, args: Value) -> anyhow::Result<Value> {
        self.post("/execute/async", json!({ "script": script, "args": args })).await
    }

    async fn element(&self, css: &str) -> anyhow::Result<String> {
        let element = self.post("/element", json!({ "using": "css selector", "value": css })).await?;
        match element[ELEMENT_KEY].as_str() {
            Some(id) => Ok(id.to_owned()),
            None => bail!("no element {css}: {element}"),
        }
    }

    /// Clears a field and types `text` into it, key by key, as a person would.
    pub async fn type_into(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let id = self.element(css).await?;
        self.post(&format!("/element/{id}/clear"), json!({})).await?;
        self.post(&format!("/element/{id}/value"), json!({ "text": text })).await?;
        Ok(())
    }

    /// Gives a file to an `<input type=file>` as a person picking it would (the input's own
    /// `change` event fires; the page reads the file's bytes).
    pub async fn upload(&self, css: &str, file: &Path) -> anyhow::Result<()> {
        let id = self.element(css).await?;
        self.post(&format!("/element/{id}/value"), json!({ "text": file.display().to_string() })).await?;
        Ok(())
    }

    /// Chooses the option of a `<select>` whose text contains `text`.
    pub async fn select(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let script = "const s = document.querySelector(arguments[0]); \
            const o = [...s.options].find(o => o.textContent.includes(arguments[1])); \
            if (!o) return false; s.value = o.value; s.dispatchEvent(new Event('change', {bubbles: true})); return true;";
        if self.script(script, json!([css, text])).await? != true {
            bail!("no option {text:?} in {css}");
        }
        Ok(())
    }

    /// Sets a field's value (date and month inputs, whose typing depends on the locale) and
    /// fires `input` and `change` as the browser does.
    pub async fn set_value(&self, css: &str, value: &str) -> anyhow::Result<()> {
        let script = "const e = document.querySelector(arguments[0]); if (!e) return false; e.value = arguments[1]; \
            e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); return true;";
        if self.script(script, json!([css, value])).await? != true {
            bail!("no element {css}");
        }
        Ok(())
    }

    /// Presses and releases one key (a WebDriver key code such as `\u{E007}` for Enter) on
    /// the focused element, as a keyboard does.
    pub async fn press(&self, key: &str) -> anyhow::Result<()> {
        let actions = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": [
            { "type": "keyDown", "value": key }, { "type": "keyUp", "value": key } ] }] });
        self.post("/actions", actions).await?;
        Ok(())
    }

    pub async fn window_size(&self, width: u64, height: u64) -> anyhow::Result<()> {
        self.post("/window/rect", json!({ "width": width, "height": height })).await?;
        Ok(())
    }

    /// A screenshot of the whole page: the window grows to the document's height, then back.
    pub async fn full_screenshot(&self, path: &Path) -> anyhow::Result<()> {
        self.full_screenshot_at(path, 1400).await
    }

    /// The same at another width (e.g. near an A4 page's for the print layout).
    pub async fn full_screenshot_at(&self, path: &Path, width: u64) -> anyhow::Result<()> {
        self.window_size(width, 1000).await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let height = self.script("return document.documentElement.scrollHeight;", json!([])).await?;
        let height = height.as_u64().unwrap_or(1000).clamp(600, 12_000);
        self.window_size(width, height + 140).await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let shot = self.screenshot(path).await;
        self.window_size(1400, 1000).await?;
        shot
    }

    /// The page as a PDF through WebDriver's print endpoint (A4, portrait, with backgrounds).
    pub async fn print_a4(&self) -> anyhow::Result<Vec<u8>> {
        let body = json!({
            "orientation": "portrait",
            "page": { "width": 21.0, "height": 29.7 },
            "margin": { "top": 0, "bottom": 0, "left": 0, "right": 0 },
            "background": true,
            "shrinkToFit": false,
        });
        let pdf = self.post("/print", body).await?;
        Ok(base64::engine::general_purpose::STANDARD.decode(pdf.as_str().unwrap_or_default())?)
    }

    /// A Chrome DevTools command, through chromedriver's extension.
    pub async fn cdp(&self, cmd: &str, params: Value) -> anyhow::Result<Value> {
        self.post("/goog/cdp/execute", json!({ "cmd": cmd, "params": params })).await
    }

    pub async fn close(self) {
        self.call(reqwest::Method::DELETE, "", None).await.ok();
    }
}
