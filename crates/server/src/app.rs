//! The coordinator's web page on `GET /app`: plain HTML, CSS and JavaScript modules compiled
//! into the binary, with no framework and no build step. The page is a client of the public
//! GraphQL API only (`POST /graphql` with the coordinator's Bearer token, kept in the tab's
//! `sessionStorage`); this module only serves files.
//!
//! Every file is served from `/app/assets/<version>/<file>`, where the version is a hash of all
//! the page's files: the modules import each other by relative path (`./api.js`), so they
//! always come from the same version, and browsers may keep them for a year. The HTML itself
//! is revalidated on every load (`no-cache`), so a new binary is picked up at once. The
//! Content-Security-Policy is strict: scripts, styles and requests from this origin only, no
//! inline script or style (the page sets styles through the CSSOM only).

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The page.
pub const PAGE_ROUTE: &str = "/app";
/// Route of the page's files; `{*path}` is `<version>/<file>`.
pub const ASSETS_ROUTE: &str = "/app/assets/{*path}";
const ASSETS_PREFIX: &str = "/app/assets";

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

const INDEX_HTML: &str = include_str!("../assets/app/index.html");
/// Where `index.html` names the versioned directory of its files.
const ASSETS_PLACEHOLDER: &str = "{{assets}}";

/// One file of the page.
#[derive(Debug)]
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset { name: $name, content_type: $content_type, body: include_bytes!(concat!("../assets/app/", $name)) }
    };
}

/// Every file `index.html` and the modules load. A module imported but not listed here would
/// be a 404: a unit test reads the imports and checks.
const FILES: &[Asset] = &[
    asset!("app.css", CSS),
    asset!("main.js", JS),
    asset!("api.js", JS),
    asset!("dom.js", JS),
    asset!("format.js", JS),
    asset!("labels.js", JS),
    asset!("chart.js", JS),
    asset!("explain.js", JS),
    asset!("dashboard.js", JS),
    asset!("decision.js", JS),
    asset!("compat.js", JS),
    asset!("forms.js", JS),
];

/// FNV-1a over every file, names included: the version in the files' URL.
fn version() -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in FILES {
        for byte in file.name.as_bytes().iter().chain(file.body) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("v-{hash:016x}")
}

static VERSION: LazyLock<String> = LazyLock::new(version);
static PAGE: LazyLock<String> =
    LazyLock::new(|| INDEX_HTML.replace(ASSETS_PLACEHOLDER, &format!("{ASSETS_PREFIX}/{}", *VERSION)));

/// Scripts, styles, images and requests from this origin only; no inline script or style, no
/// frame, no form posted anywhere (the forms are sent by the page's script to `/graphql`).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// `GET /app`: the page's HTML. Small, and revalidated on every load so that a new binary's
/// files (a new version in their URL) are used at once.
pub async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        ],
        PAGE.as_str(),
    )
        .into_response()
}

/// `GET /app/assets/<version>/<file>`: a file of the page; the current version only.
pub async fn asset(Path(path): Path<String>) -> Response {
    let file = path.split_once('/').filter(|(version, _)| *version == VERSION.as_str()).map(|(_, file)| file);
    match file.and_then(|name| FILES.iter().find(|f| f.name == name)) {
        Some(file) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(file.content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
                (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
                (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)),
            ],
            file.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(file: &Asset) -> &str {
        std::str::from_utf8(file.body).unwrap_or_default()
    }

    #[test]
    fn the_page_loads_only_served_files_and_no_inline_code() {
        let html = PAGE.as_str();
        assert!(!html.contains(ASSETS_PLACEHOLDER), "{html}");
        assert!(!html.contains("http://") && !html.contains("https://"), "nothing from elsewhere: {html}");
        assert!(!html.contains("<script>") && !html.contains("<style") && !html.contains(" style="), "{html}");
        assert!(!html.contains(" onclick=") && !html.contains(" onload="), "no inline handler: {html}");
        let prefix = format!("\"{ASSETS_PREFIX}/{}/", *VERSION);
        let referenced: Vec<&str> =
            html.split(prefix.as_str()).skip(1).map(|s| s.split('"').next().unwrap_or_default()).collect();
        assert!(referenced.contains(&"main.js") && referenced.contains(&"app.css"), "{referenced:?}");
        for name in referenced {
            assert!(FILES.iter().any(|f| f.name == name), "{name} is served");
        }
    }

    #[test]
    fn every_module_import_is_served_and_nothing_comes_from_elsewhere() {
        for file in FILES.iter().filter(|f| f.name.ends_with(".js")) {
            // The SVG namespace is a name, not a location: nothing is fetched from it.
            let source = text(file).replace("http://www.w3.org/2000/svg", "");
            assert!(!source.contains("http://") && !source.contains("https://"), "{} names another host", file.name);
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "createContextualFragment"] {
                assert!(!source.contains(sink), "{} builds markup from strings ({sink})", file.name);
            }
            // Static (`from './x.js'`) and dynamic (`import('./x.js')`) imports.
            for import in source.split("from './").skip(1).chain(source.split("import('./").skip(1)) {
                let name = import.split('\'').next().unwrap_or_default();
                assert!(FILES.iter().any(|f| f.name == name), "{} imports {name}, which is not served", file.name);
            }
        }
    }

    #[test]
    fn the_version_names_the_files_content() {
        assert!(VERSION.starts_with("v-") && VERSION.len() == 18, "{}", *VERSION);
        assert_eq!(*VERSION, version(), "stable within a binary");
    }
}
