//! GraphiQL on `GET /graphql`, working with no network: the page is ours, and GraphiQL, React
//! and ReactDOM are pinned production builds from npm compiled into the binary
//! (`assets/graphiql/README.md` says where each file comes from and how to update it).
//!
//! The page carries a strict Content-Security-Policy (scripts and styles from 'self' only, no
//! inline script; one nonce-bearing `<style>` that GraphiQL's dialogs create), and shows the `Authorization` header in GraphiQL's Headers tab: the demo
//! coordinator's token when the demo tokens are on and the service listens on loopback only,
//! a placeholder otherwise.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, LazyLock};

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::{App, Settings, demo};

/// Route of the static files; `{*path}` is `<directory>/<file>`, the directory naming a version.
pub const ASSETS_ROUTE: &str = "/graphiql/assets/{*path}";
const ASSETS_PREFIX: &str = "/graphiql/assets";

const GRAPHIQL_DIR: &str = "graphiql-3.9.0";
const REACT_DIR: &str = "react-18.3.1";
const REACT_DOM_DIR: &str = "react-dom-18.3.1";

const BOOT_JS: &[u8] = include_bytes!("../assets/graphiql/graphiql-boot.js");
const PAGE_CSS: &[u8] = include_bytes!("../assets/graphiql/page.css");

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Scripts, styles and requests from this origin only. Fonts and icons of GraphiQL's stylesheet
/// are `data:` URLs. The page has no inline script or style; `{style}` adds the response's nonce
/// for the one `<style>` element GraphiQL creates (the scroll lock of its dialogs, through
/// react-remove-scroll, which reads the nonce from `window.__webpack_nonce__`).
fn content_security_policy(style_nonce: Option<&str>) -> String {
    let style = style_nonce.map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'{style}; img-src 'self' data:; \
         font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    )
}

/// A fresh nonce for one response, or none if the system has no randomness to give (dialogs
/// then lose their scroll lock; nothing else changes).
fn style_nonce() -> Option<String> {
    let mut bytes = [0u8; 16];
    match getrandom::fill(&mut bytes) {
        Ok(()) => Some(bytes.iter().map(|b| format!("{b:02x}")).collect()),
        Err(e) => {
            tracing::warn!(error = %e, "no randomness for the GraphiQL page's style nonce");
            None
        }
    }
}

/// What the Headers tab holds when the demo token is not embedded.
pub const PLACEHOLDER_HEADERS: &str = r#"{"Authorization": "Bearer <your token>"}"#;

const DEFAULT_QUERY: &str = "# am-planner · GraphiQL
#
# Every request carries the Authorization header of the Headers tab below.
# Ctrl-Enter runs the query, Ctrl-Space completes, the book icon opens the schema.

{
  viewer {
    name
    role
  }
}
";

/// One file served under [`ASSETS_ROUTE`].
#[derive(Debug)]
struct Asset {
    /// `<directory>/<file>`, as in the URL.
    path: String,
    content_type: &'static str,
    body: &'static [u8],
}

/// FNV-1a, enough to give our own files a URL that changes with their content.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

const OWN_FILES_HASH: u64 = fnv1a(BOOT_JS) ^ fnv1a(PAGE_CSS).rotate_left(1);

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    let own = format!("am-planner-{:016x}", OWN_FILES_HASH);
    let asset = |dir: &str, file: &str, content_type, body| Asset { path: format!("{dir}/{file}"), content_type, body };
    vec![
        asset(
            REACT_DIR,
            "react.production.min.js",
            JS,
            include_bytes!("../assets/graphiql/react-18.3.1/react.production.min.js"),
        ),
        asset(
            REACT_DOM_DIR,
            "react-dom.production.min.js",
            JS,
            include_bytes!("../assets/graphiql/react-dom-18.3.1/react-dom.production.min.js"),
        ),
        asset(GRAPHIQL_DIR, "graphiql.min.js", JS, include_bytes!("../assets/graphiql/graphiql-3.9.0/graphiql.min.js")),
        asset(
            GRAPHIQL_DIR,
            "graphiql.min.css",
            CSS,
            include_bytes!("../assets/graphiql/graphiql-3.9.0/graphiql.min.css"),
        ),
        asset(&own, "graphiql-boot.js", JS, BOOT_JS),
        asset(&own, "page.css", CSS, PAGE_CSS),
    ]
});

fn asset_url(file: &str) -> String {
    ASSETS
        .iter()
        .find(|a| a.path.ends_with(&format!("/{file}")))
        .map(|a| format!("{ASSETS_PREFIX}/{}", a.path))
        .unwrap_or_default()
}

/// Whether a bind address (`settings.server.bind`) accepts connections from this machine only.
/// Anything that does not parse as a loopback address or `localhost` counts as reachable.
pub fn is_loopback_bind(bind: &str) -> bool {
    let bind = bind.trim();
    if let Ok(addr) = bind.parse::<SocketAddr>() {
        return is_loopback_ip(addr.ip());
    }
    if let Ok(ip) = bind.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        return is_loopback_ip(ip);
    }
    let host = match bind.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => bind,
    };
    host.eq_ignore_ascii_case("localhost")
}

fn is_loopback_ip(ip: IpAddr) -> bool {
    // `to_canonical` turns ::ffff:127.0.0.1 into 127.0.0.1.
    ip.to_canonical().is_loopback()
}

/// The demo coordinator's token, when GraphiQL may show it: demo tokens on, and nobody but
/// this machine can open the page. A service reachable from the network never hands it out.
pub fn demo_token(settings: &Settings) -> Option<&'static str> {
    (settings.auth.demo_tokens && is_loopback_bind(&settings.server.bind)).then_some(demo::DEMO_COORDINATOR_TOKEN)
}

/// What the GraphiQL page shows, decided once at start-up; rendered per response (its nonce).
#[derive(Debug, Clone)]
pub struct Page {
    headers: Arc<str>,
}

impl Page {
    pub fn new(settings: &Settings) -> Self {
        let headers = match demo_token(settings) {
            Some(token) => format!(r#"{{"Authorization": "Bearer {token}"}}"#),
            None => PLACEHOLDER_HEADERS.to_owned(),
        };
        Self { headers: headers.into() }
    }

    fn html(&self, style_nonce: Option<&str>) -> String {
        render("/graphql", &self.headers, style_nonce)
    }
}

/// Escapes text for an HTML attribute value or element content.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("&#10;"),
            c => out.push(c),
        }
    }
    out
}

fn render(endpoint: &str, headers: &str, style_nonce: Option<&str>) -> String {
    format!(
        r#"<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>am-planner · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{graphiql_css}">
<link rel="stylesheet" href="{page_css}">
</head>
<body>
<div id="graphiql" data-endpoint="{endpoint}" data-headers="{headers}" data-default-query="{query}"{nonce}>
<p>Chargement de GraphiQL… / Loading GraphiQL…</p>
<noscript>GraphiQL needs JavaScript. The API itself is <code>POST {endpoint}</code>.</noscript>
</div>
<script src="{react}"></script>
<script src="{react_dom}"></script>
<script src="{graphiql_js}"></script>
<script src="{boot}"></script>
</body>
</html>
"#,
        graphiql_css = asset_url("graphiql.min.css"),
        page_css = asset_url("page.css"),
        react = asset_url("react.production.min.js"),
        react_dom = asset_url("react-dom.production.min.js"),
        graphiql_js = asset_url("graphiql.min.js"),
        boot = asset_url("graphiql-boot.js"),
        endpoint = escape(endpoint),
        headers = escape(headers),
        query = escape(DEFAULT_QUERY),
        nonce = style_nonce.map(|n| format!(r#" data-style-nonce="{}""#, escape(n))).unwrap_or_default(),
    )
}

/// `GET /graphql`: the page. Not cached, since it may carry the demo token (and has a nonce).
pub async fn page(State(app): State<App>) -> Response {
    let nonce = style_nonce();
    let csp = HeaderValue::from_str(&content_security_policy(nonce.as_deref()))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CONTENT_SECURITY_POLICY, csp),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        ],
        app.graphiql.html(nonce.as_deref()),
    )
        .into_response()
}

/// `GET /graphiql/assets/<directory>/<file>`: a file compiled into the binary. Its URL changes
/// with its version or content, so browsers may keep it for a year without asking again.
pub async fn asset(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.path == path) {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
                (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            ],
            asset.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_binds_count_as_local() {
        for bind in
            ["127.0.0.1:8080", "127.5.0.1:1", "[::1]:8080", "localhost:8080", "LOCALHOST:80", "[::ffff:127.0.0.1]:8080"]
        {
            assert!(is_loopback_bind(bind), "{bind} is loopback");
        }
        for bind in ["0.0.0.0:8080", "192.168.1.2:80", "[::]:8080", "example.org:8080", "localhost.example.org:80", ""]
        {
            assert!(!is_loopback_bind(bind), "{bind} is not loopback");
        }
    }

    fn settings(bind: &str, demo_tokens: bool) -> Settings {
        let demo = if demo_tokens { "true" } else { "false" };
        let env = [("AMP_SERVER__BIND", bind), ("AMP_AUTH__DEMO_TOKENS", demo)];
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Settings::load_from(None, &env).expect("valid settings")
    }

    #[test]
    fn the_demo_token_is_embedded_on_loopback_with_demo_tokens_only() {
        assert_eq!(demo_token(&settings("127.0.0.1:8080", true)), Some(demo::DEMO_COORDINATOR_TOKEN));
        assert_eq!(demo_token(&settings("0.0.0.0:8080", true)), None);
        assert_eq!(demo_token(&settings("127.0.0.1:8080", false)), None);

        let local = Page::new(&settings("127.0.0.1:8080", true)).html(None);
        assert!(
            local.contains(
                r#"data-headers="{&quot;Authorization&quot;: &quot;Bearer demo-coordinator-tilleuls-0000&quot;}""#
            ),
            "{local}"
        );
        let public = Page::new(&settings("0.0.0.0:8080", true)).html(None);
        assert!(!public.contains(demo::DEMO_COORDINATOR_TOKEN));
        assert!(public.contains("Bearer &lt;your token&gt;"), "{public}");
    }

    #[test]
    fn the_page_loads_only_served_files() {
        let html = render("/graphql", PLACEHOLDER_HEADERS, Some("00ff"));
        assert!(html.contains(r#" data-style-nonce="00ff">"#), "{html}");
        assert!(!html.contains("http://") && !html.contains("https://"), "{html}");
        assert!(!html.contains("<script>"), "no inline script: {html}");
        for src in html.split(&format!("\"{ASSETS_PREFIX}/")).skip(1) {
            let path = src.split('"').next().unwrap_or_default();
            assert!(ASSETS.iter().any(|a| a.path == path), "{path} is served");
        }
        assert_eq!(html.matches(ASSETS_PREFIX).count(), ASSETS.len());
    }
}
