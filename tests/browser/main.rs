//! GraphiQL in a real headless Chromium, driven over WebDriver (chromedriver's HTTP API, with
//! reqwest: no browser-automation crate). The browser may reach the test server only: any other
//! host fails to resolve and goes to a dead proxy, so a CDN reference breaks the test.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). The screenshot is
//! kept in `target/browser-screenshots/graphiql.png` (with the answer) and `graphiql-start.png`.

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine;
use serde_json::{Value, json};
use server::demo;

use helpers::{TestApp, settings};

/// The W3C WebDriver key of an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}

/// Where screenshots and the chromedriver log go: `<target dir>/browser-screenshots`.
fn output_dir() -> PathBuf {
    // The test binary is `<target dir>/<profile>/deps/browser-<hash>`.
    let exe = std::env::current_exe().expect("test binary path");
    let target = exe.ancestors().nth(3).map(Path::to_path_buf).unwrap_or_else(std::env::temp_dir);
    let dir = target.join("browser-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

/// chromedriver, in its own process group so that the browsers it starts go with it.
struct ChromeDriver {
    child: Child,
    url: String,
}

impl ChromeDriver {
    async fn start(binary: &Path, log: &Path) -> anyhow::Result<Self> {
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
struct Browser {
    http: reqwest::Client,
    session: String,
}

impl Browser {
    async fn open(driver: &ChromeDriver, chromium: &Path) -> anyhow::Result<Self> {
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1400,1000",
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
            "goog:chromeOptions": { "binary": chromium, "args": args },
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

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
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

    async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn script(&self, script: &str, args: Value) -> anyhow::Result<Value> {
        self.post("/execute/sync", json!({ "script": script, "args": args })).await
    }

    /// Runs `script` until it returns something truthy, or fails after `timeout`.
    async fn wait_for(&self, what: &str, script: &str, args: Value, timeout: Duration) -> anyhow::Result<Value> {
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

    async fn click(&self, css: &str) -> anyhow::Result<()> {
        let element = self.post("/element", json!({ "using": "css selector", "value": css })).await?;
        let Some(id) = element[ELEMENT_KEY].as_str() else { bail!("no element {css}: {element}") };
        self.post(&format!("/element/{id}/click"), json!({})).await?;
        Ok(())
    }

    async fn screenshot(&self, path: &Path) -> anyhow::Result<()> {
        let png = self.call(reqwest::Method::GET, "/screenshot", None).await?;
        let png = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap_or_default())?;
        std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
    }

    /// The browser console since the last call (chromedriver's log extension).
    async fn console(&self) -> anyhow::Result<Vec<Value>> {
        let entries = self.post("/se/log", json!({ "type": "browser" })).await?;
        Ok(entries.as_array().cloned().unwrap_or_default())
    }

    async fn close(self) {
        self.call(reqwest::Method::DELETE, "", None).await.ok();
    }
}

/// The README's first GraphQL example: the demo structure with its members.
fn readme_structures_query() -> String {
    let readme = include_str!("../../README.md");
    let query = readme.split("```graphql").nth(1).and_then(|b| b.split("```").next()).expect("a README query");
    assert!(query.contains("structures(first: 10)"), "the first README example lists structures: {query}");
    query.trim().to_owned()
}

const EDITOR: &str = "return document.querySelector('.graphiql-query-editor .CodeMirror') !== null \
    && document.querySelector('.graphiql-response .CodeMirror') !== null;";
const SET_QUERY: &str =
    "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(arguments[0]);";
const VISIBLE_TOOL_EDITOR: &str = "return [...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')] \
    .filter(e => e.offsetParent !== null).map(e => e.CodeMirror.getValue()).join('\\n');";
const RESPONSE: &str = "const text = document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue(); \
    return text.includes(arguments[0]) ? text : null;";
const RESOURCES: &str = "return [location.href, ...performance.getEntriesByType('resource').map(e => e.name)];";

#[tokio::test]
async fn graphiql_runs_a_readme_query_with_no_network_but_the_server() {
    let started = Instant::now();
    let (Some(chromium), Some(chromedriver)) = (find_in_path("chromium"), find_in_path("chromedriver")) else {
        panic!("chromium not found: apt-get install chromium chromium-driver");
    };
    let out = output_dir();
    let app = TestApp::start(settings("sqlite::memory:")).await;
    let origin = app.url("/");
    let driver = ChromeDriver::start(&chromedriver, &out.join("chromedriver.log")).await.expect("chromedriver starts");
    let browser = Browser::open(&driver, &chromium).await.expect("headless chromium starts");

    // The sandbox holds: a CDN cannot be reached.
    browser.post("/url", json!({ "url": "https://unpkg.com/graphiql/graphiql.min.js" })).await.ok();
    let href = browser.script("return location.href;", json!([])).await.expect("location");
    assert!(href.as_str().is_some_and(|h| h.starts_with("chrome-error://")), "the CDN was reachable: {href}");
    browser.console().await.ok(); // forget the sandbox check's own errors

    browser.post("/url", json!({ "url": app.url("/graphql") })).await.expect("opens /graphql");
    let title = browser.script("return document.title;", json!([])).await.expect("title");
    assert_eq!(title, "am-planner · GraphiQL");
    browser
        .wait_for("the GraphiQL editors", EDITOR, json!([]), Duration::from_secs(10))
        .await
        .expect("GraphiQL renders");

    // The Headers tab is open and holds the demo coordinator's header (loopback, demo tokens on).
    let headers = browser.script(VISIBLE_TOOL_EDITOR, json!([])).await.expect("headers editor");
    let expected = format!("Bearer {}", demo::DEMO_COORDINATOR_TOKEN);
    assert!(headers.as_str().is_some_and(|h| h.contains(&expected)), "Headers tab: {headers}");

    browser.screenshot(&out.join("graphiql-start.png")).await.expect("screenshot on arrival");

    browser.script(SET_QUERY, json!([readme_structures_query()])).await.expect("query typed");
    browser.click(".graphiql-execute-button").await.expect("run button");
    let response = browser
        .wait_for("the answer", RESPONSE, json!(["MSP des Tilleuls"]), Duration::from_secs(10))
        .await
        .expect("the result pane shows the demo MSP");
    assert!(!response.as_str().unwrap_or_default().contains("\"errors\""), "{response}");

    let shot = out.join("graphiql.png");
    browser.screenshot(&shot).await.expect("screenshot");
    println!("screenshots: {} (and graphiql-start.png beside it)", shot.display());

    let resources = browser.script(RESOURCES, json!([])).await.expect("resource timing");
    let resources: Vec<&str> = resources.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    assert!(resources.len() >= 5, "the page, its scripts and styles, the queries: {resources:?}");
    let outside: Vec<&&str> = resources.iter().filter(|r| !r.starts_with(&origin)).collect();
    assert!(outside.is_empty(), "requests outside the test server: {outside:?}");
    let graphql = app.url("/graphql");
    let posts = resources.iter().filter(|r| **r == graphql).count();
    assert!(posts >= 3, "the page, the introspection and the query: {resources:?}");

    // A dialog (GraphiQL's settings) works under the page's Content-Security-Policy too.
    browser.click(r#"button[aria-label="Open settings dialog"]"#).await.expect("settings button");
    let dialog = "return document.querySelector('[role=dialog]') !== null;";
    browser.wait_for("the settings dialog", dialog, json!([]), Duration::from_secs(5)).await.expect("dialog opens");

    let console = browser.console().await.expect("browser console");
    let errors: Vec<&Value> = console.iter().filter(|e| e["level"] == "SEVERE").collect();
    assert!(errors.is_empty(), "browser console errors: {errors:?}");

    browser.close().await;
    drop(driver);
    app.stop().await;
    println!("browser test took {:.1} s", started.elapsed().as_secs_f64());
}

/// GraphiQL's introspection query needs a depth of 15 (`__schema`, types, fields, args, type,
/// then nested `ofType`s): the default `graphql.max_depth` (16) lets it through, so GraphiQL
/// has completion and documentation.
#[tokio::test]
async fn graphiql_loads_the_schema_into_its_documentation() {
    let (Some(chromium), Some(chromedriver)) = (find_in_path("chromium"), find_in_path("chromedriver")) else {
        panic!("chromium not found: apt-get install chromium chromium-driver");
    };
    let out = output_dir();
    let app = TestApp::start(settings("sqlite::memory:")).await;
    let driver = ChromeDriver::start(&chromedriver, &out.join("chromedriver-docs.log")).await.expect("chromedriver");
    let browser = Browser::open(&driver, &chromium).await.expect("headless chromium starts");
    browser.post("/url", json!({ "url": app.url("/graphql") })).await.expect("opens /graphql");
    browser
        .wait_for("the GraphiQL editors", EDITOR, json!([]), Duration::from_secs(10))
        .await
        .expect("GraphiQL renders");
    browser.click(r#"button[aria-label="Show Documentation Explorer"]"#).await.expect("docs button");
    let docs = "const d = document.querySelector('.graphiql-doc-explorer'); \
        return d !== null && d.innerText.includes('Root Types') ? d.innerText : null;";
    let shown = browser.wait_for("the schema's root types", docs, json!([]), Duration::from_secs(5)).await;
    browser.screenshot(&out.join("graphiql-docs.png")).await.expect("screenshot");
    browser.close().await;
    drop(driver);
    app.stop().await;
    shown.expect("the documentation explorer shows the schema");
}
