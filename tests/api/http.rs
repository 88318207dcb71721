use serde_json::{Value, json};
use server::demo;

use crate::helpers::{TestApp, settings};

/// The ```graphql blocks of the README, which must work on the demo data as written.
fn readme_queries() -> Vec<String> {
    let readme = include_str!("../../README.md");
    readme.split("```graphql").skip(1).filter_map(|block| block.split("```").next()).map(str::to_owned).collect()
}

async fn readme_examples_answer_on_the_demo_data(app: &TestApp) {
    let queries = readme_queries();
    assert!(queries.len() >= 3, "the README shows example queries");
    for query in &queries {
        let body = app.as_coordinator(query).await;
        assert!(body.get("errors").is_none(), "README example failed: {query}\n{body}");
        assert!(body["data"].as_object().is_some_and(|d| d.values().all(|v| !v.is_null())), "{body}");
    }
    // The first example lists the demo structure with its members.
    let body = app.as_coordinator(&queries[0]).await;
    let structures = body["data"]["structures"]["edges"].as_array().expect("edges");
    assert_eq!(structures.len(), 1, "the coordinator sees the demo MSP only: {body}");
    assert_eq!(structures[0]["node"]["name"], "MSP des Tilleuls");
    assert_eq!(structures[0]["node"]["members"]["edges"].as_array().map(Vec::len), Some(8), "{body}");
}

async fn protocol_guards(app: &TestApp) {
    let (status, body) = app.graphql(None, "{ viewer { name } }", json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let (status, _) = app.graphql(Some("not-a-valid-token-at-all"), "{ viewer { name } }", json!({})).await;
    assert_eq!(status, 401);

    let huge = format!("{{ viewer {{ name }} }} # {}", "x".repeat(100_000));
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(demo::DEMO_ADMIN_TOKEN)
        .json(&json!({ "query": huge }))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status().as_u16(), 413, "bodies over the limit are refused");

    let (status, body) = app.graphql(Some(demo::DEMO_ADMIN_TOKEN), "{ nonsense }", json!({})).await;
    assert_eq!(status, 200);
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("nonsense")), "{body}");

    let health: Value = app.client.get(app.url("/healthz")).send().await.expect("answers").json().await.expect("json");
    assert_eq!(health["status"], "ok");

    graphiql_page_and_assets(app).await;
    let root = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let response = root.get(app.url("/")).send().await.expect("answers");
    assert_eq!(response.headers().get("location").and_then(|v| v.to_str().ok()), Some("/app"));
    app_page_and_assets(app).await;
}

/// The coordinator's page: strict CSP, revalidated HTML, files cached for a year under a
/// versioned URL, nothing else served under it.
async fn app_page_and_assets(app: &TestApp) {
    let response = app.client.get(app.url("/app")).send().await.expect("answers");
    assert_eq!(response.status().as_u16(), 200);
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(header("content-type").starts_with("text/html"), "{}", header("content-type"));
    let csp = header("content-security-policy");
    assert!(csp.contains("script-src 'self';") && csp.contains("style-src 'self';"), "{csp}");
    assert_eq!(header("cache-control"), "no-cache");
    let page = response.text().await.expect("text");
    let urls = linked_urls(&page);
    let assets: Vec<&&str> = urls.iter().filter(|u| u.starts_with("/app/assets/")).collect();
    assert!(assets.len() >= 2, "a stylesheet and a module: {urls:?}");
    for url in assets {
        let response = app.client.get(app.url(url)).send().await.expect("answers");
        assert_eq!(response.status().as_u16(), 200, "{url}");
        let cache = response.headers().get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert_eq!(cache, "public, max-age=31536000, immutable", "{url}");
        let stale = url.replacen("/app/assets/v-", "/app/assets/v-0", 1);
        let response = app.client.get(app.url(&stale)).send().await.expect("answers");
        assert_eq!(response.status().as_u16(), 404, "another version is not served: {stale}");
    }
}

/// The `src` and `href` URLs of a page.
fn linked_urls(page: &str) -> Vec<&str> {
    ["src=\"", "href=\""]
        .iter()
        .flat_map(|attr| page.split(attr).skip(1).filter_map(|rest| rest.split('"').next()))
        .collect()
}

async fn graphiql_page_and_assets(app: &TestApp) {
    let response = app.client.get(app.url("/graphql")).send().await.expect("answers");
    assert_eq!(response.status().as_u16(), 200);
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(header("content-type").starts_with("text/html"), "{}", header("content-type"));
    assert!(header("content-security-policy").contains("script-src 'self';"), "{}", header("content-security-policy"));
    assert_eq!(header("cache-control"), "no-store", "the page may carry the demo token");
    let page = response.text().await.expect("text");
    assert!(page.contains("<title>am-planner · GraphiQL</title>"), "{page}");
    // Served on loopback (the test binds 127.0.0.1) with demo tokens on: the Headers tab holds
    // the demo coordinator's header.
    assert!(page.contains(&format!("Bearer {}", demo::DEMO_COORDINATOR_TOKEN)), "{page}");

    let urls: Vec<&str> = linked_urls(&page).into_iter().filter(|u| u.starts_with("/graphiql/assets/")).collect();
    assert_eq!(urls.len(), 6, "GraphiQL's and React's files, the boot script and style: {urls:?}");
    for url in urls {
        let asset = app.client.get(app.url(url)).send().await.expect("answers");
        assert_eq!(asset.status().as_u16(), 200, "{url}");
        let content_type = asset.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        let expected = if url.ends_with(".js") { "text/javascript" } else { "text/css" };
        assert!(content_type.starts_with(expected), "{url}: {content_type}");
        let cache = asset.headers().get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(cache.contains("immutable"), "{url}: {cache}");
        assert!(asset.bytes().await.expect("body").len() > 50, "{url}");
    }
    let missing = app.client.get(app.url("/graphiql/assets/graphiql-0.0.0/graphiql.min.js")).send().await;
    assert_eq!(missing.expect("answers").status().as_u16(), 404);
}

/// GraphiQL works offline: the page loads nothing from another origin. Reachable from the
/// network, it shows a placeholder instead of the demo token.
#[tokio::test]
async fn graphiql_links_no_other_origin_and_hides_the_token_off_loopback() {
    let app = TestApp::start(settings("sqlite::memory:")).await;
    let page = app.client.get(app.url("/graphql")).send().await.expect("answers").text().await.expect("text");
    assert!(!page.contains("http://") && !page.contains("https://"), "the page names another origin: {page}");
    assert!(linked_urls(&page).iter().all(|u| u.starts_with('/') || u.starts_with("data:")), "{page}");
    app.stop().await;

    let mut public = settings("sqlite::memory:");
    public.server.bind = "0.0.0.0:8080".into();
    let app = TestApp::start(public).await;
    let page = app.client.get(app.url("/graphql")).send().await.expect("answers").text().await.expect("text");
    assert!(!page.contains(demo::DEMO_COORDINATOR_TOKEN), "{page}");
    assert!(page.contains("Bearer &lt;your token&gt;"), "{page}");
    app.stop().await;
}

async fn a_write_over_http_is_read_back(app: &TestApp) {
    let (_, body) = app
        .graphql(
            Some(demo::DEMO_ADMIN_TOKEN),
            "mutation { createStructure(input: { kind: MSP, legalForm: SISA, name: \"MSP Nouvelle\", finess: \"123\", commune: \"33039\" }) { structure { id } userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["createStructure"]["userErrors"][0]["code"], "FINESS_MALFORMED", "{body}");
    let (_, body) = app
        .graphql(Some(demo::DEMO_ADMIN_TOKEN), "{ structures(first: 100) { edges { node { name } } } }", json!({}))
        .await;
    assert_eq!(body["data"]["structures"]["edges"].as_array().map(Vec::len), Some(2), "nothing was written: {body}");
}

#[tokio::test]
async fn real_server_on_sqlite_file() {
    let dir = std::env::temp_dir().join(format!("amp-e2e-{}", std::process::id()));
    let url = format!("sqlite://{}/am-planner.db?mode=rwc", dir.display());
    let app = TestApp::start(settings(&url)).await;
    readme_examples_answer_on_the_demo_data(&app).await;
    protocol_guards(&app).await;
    a_write_over_http_is_read_back(&app).await;
    app.stop().await;

    // A restart on the same file keeps the data and does not load the demo twice.
    let app = TestApp::start(settings(&url)).await;
    let (_, body) = app
        .graphql(Some(demo::DEMO_ADMIN_TOKEN), "{ structures(first: 100) { edges { node { name } } } }", json!({}))
        .await;
    assert_eq!(body["data"]["structures"]["edges"].as_array().map(Vec::len), Some(2), "{body}");
    app.stop().await;
    std::fs::remove_dir_all(&dir).ok();
}

// `postgres::real_server_on_postgres`, ignored without TEST_DATABASE_URL.
persistence::postgres_tests!(real_server_on_postgres);

async fn real_server_on_postgres(store: persistence::Store) {
    let app = TestApp::start_with_store(store).await;
    readme_examples_answer_on_the_demo_data(&app).await;
    protocol_guards(&app).await;
    a_write_over_http_is_read_back(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn a_rules_override_changes_the_answer() {
    let dir = std::env::temp_dir().join(format!("amp-e2e-override-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("local.toml"),
        r#"family = "amounts"
[parameters."amount.half_etp.year_1"]
description = "Local test: a higher year-1 amount"
series = [
  { from = 2019-08-21, value = 18000, reference = "Avenant 7", source = "https://example.org/a7", confidence = "official", checked_on = 2026-11-23 },
  { from = 2024-06-22, value = 20000, reference = "Test revaluation", source = "https://example.org/test", confidence = "assumption", checked_on = 2026-11-23 },
]
"#,
    )
    .expect("write override");
    let query = "{ simulateIndividualAid(input: { signedOn: \"2025-01-06\", option: HALF_ETP,
        doctor: { specialty: GENERAL_PRACTICE, sector: SECTOR_1, band: P50_P70, activity: { pmt: 1200, fileActive: 2000 } } })
        { schedule { maximum } explanation { rules { rule parameters { key value reference } } } } }";

    let plain = TestApp::start(settings("sqlite::memory:")).await;
    let (_, body) = plain.graphql(Some(demo::DEMO_ADMIN_TOKEN), query, json!({})).await;
    assert_eq!(body["data"]["simulateIndividualAid"]["schedule"][0]["maximum"], "19000.00", "{body}");
    plain.stop().await;

    let mut with_override = settings("sqlite::memory:");
    with_override.rules.override_dir = dir.display().to_string();
    let app = TestApp::start(with_override).await;
    let (_, body) = app.graphql(Some(demo::DEMO_ADMIN_TOKEN), query, json!({})).await;
    assert_eq!(body["data"]["simulateIndividualAid"]["schedule"][0]["maximum"], "20000.00", "{body}");
    let text = body.to_string();
    assert!(text.contains("Test revaluation"), "the explanation cites the override's reference");
    app.stop().await;
    std::fs::remove_dir_all(&dir).ok();
}
