//! GraphiQL in a real headless Chromium, driven over WebDriver (chromedriver's HTTP API, with
//! reqwest: no browser-automation crate). The browser may reach the test server only: any other
//! host fails to resolve and goes to a dead proxy, so a CDN reference breaks the test.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). The screenshot is
//! kept in `target/browser-screenshots/graphiql.png` (with the answer) and `graphiql-start.png`.

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

mod app;
mod webdriver;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use server::demo;

use helpers::{TestApp, settings};
use webdriver::{Browser, ChromeDriver, find_in_path, output_dir};

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
