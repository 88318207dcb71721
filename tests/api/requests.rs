//! What a client gets for a request the server refuses, over real HTTP: always JSON with an
//! `extensions.code`, never plain text, and the body is judged only after authentication.

use serde_json::{Value, json};
use server::demo;

use crate::helpers::{TestApp, settings};

async fn post_raw(app: &TestApp, auth: Option<&str>, body: reqwest::Body) -> (u16, Option<String>, Value) {
    let mut request = app.client.post(app.url("/graphql")).header("content-type", "application/json").body(body);
    if let Some(a) = auth {
        request = request.header("authorization", a);
    }
    let response = request.send().await.expect("server answers");
    let status = response.status().as_u16();
    let challenge = response.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, challenge, body)
}

/// A body sent in chunks with no announced length, as a streaming client does (plain blocking
/// socket: the server may answer and close before the whole body is sent).
async fn post_chunked(app: &TestApp, auth: &str, body: &[u8]) -> (u16, String) {
    use std::io::{Read, Write};
    let (addr, auth, body) = (app.addr, auth.to_owned(), body.to_vec());
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("connects");
        let head = format!(
            "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).expect("writes");
        for chunk in body.chunks(8_192) {
            let sent = stream
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .and_then(|()| stream.write_all(chunk))
                .and_then(|()| stream.write_all(b"\r\n"));
            if sent.is_err() {
                break;
            }
        }
        stream.write_all(b"0\r\n\r\n").ok();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).ok();
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .expect("client thread");
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    // A chunked answer: keep the JSON between the first `{` and the last `}`.
    let json = match (body.find('{'), body.rfind('}')) {
        (Some(a), Some(b)) if b >= a => body[a..=b].to_owned(),
        _ => body,
    };
    (status, json)
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no code: {body}"))
}

fn bearer() -> String {
    format!("Bearer {}", demo::DEMO_COORDINATOR_TOKEN)
}

#[tokio::test]
async fn refused_requests_are_typed_json() {
    let app = TestApp::start(settings("sqlite::memory:")).await;
    let auth = bearer();
    let query = r#"{"query":"{ viewer { name } }"}"#;

    let (status, _, body) = post_raw(&app, Some(&auth), format!("[{query},{query}]").into()).await;
    assert_eq!((status, code(&body)), (400, "BATCH_NOT_SUPPORTED"), "{body}");
    let (status, _, body) = post_raw(&app, Some(&auth), "{\"query\": ".into()).await;
    assert_eq!((status, code(&body)), (400, "BAD_REQUEST"), "{body}");
    assert!(!body.to_string().contains("Error("), "no debug text: {body}");
    let (status, _, body) = post_raw(&app, Some(&auth), r#"{"query": 12}"#.into()).await;
    assert_eq!((status, code(&body)), (400, "BAD_REQUEST"), "{body}");
    let (status, _, body) = post_raw(&app, Some(&auth), r#"{"variables": {}}"#.into()).await;
    assert_eq!((status, code(&body)), (200, "GRAPHQL_PARSE_FAILED"), "an empty document: {body}");

    // Malformed bodies of anonymous callers are not looked at.
    let (status, challenge, body) = post_raw(&app, None, "{\"query\": ".into()).await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"), "{body}");
    assert_eq!(challenge.as_deref(), Some("Bearer"));

    // Over the limit: announced, or streamed in chunks without a length.
    let big = format!(r#"{{"query":"{{ viewer {{ name }} }}","pad":"{}"}}"#, "x".repeat(70_000));
    let (status, _, body) = post_raw(&app, Some(&auth), big.clone().into()).await;
    assert_eq!((status, code(&body)), (413, "PAYLOAD_TOO_LARGE"), "{body}");
    let (status, text) = post_chunked(&app, &auth, big.as_bytes()).await;
    assert_eq!(status, 413, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    assert_eq!(code(&body), "PAYLOAD_TOO_LARGE", "{body}");
    app.stop().await;
}

#[tokio::test]
async fn tokens_are_read_as_rfc_7235_says_and_a_wrong_one_is_named() {
    let app = TestApp::start(settings("sqlite::memory:")).await;
    let query = r#"{"query":"{ viewer { name role } }"}"#;
    let token = demo::DEMO_COORDINATOR_TOKEN;
    for header in [
        format!("bearer {token}"),
        format!("BEARER {token}"),
        format!("Bearer\t{token}"),
        format!("Bearer   {token}  "),
    ] {
        let (status, _, body) = post_raw(&app, Some(&header), query.into()).await;
        assert_eq!(status, 200, "{header:?}: {body}");
        assert_eq!(body["data"]["viewer"]["role"], "COORDINATOR");
    }
    let (status, challenge, body) = post_raw(&app, Some("Bearer not-a-known-token-000000"), query.into()).await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"));
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("not recognised")), "{body}");
    assert_eq!(challenge.as_deref(), Some("Bearer error=\"invalid_token\""));
    let (status, _, body) = post_raw(&app, Some(&format!("Basic {token}")), query.into()).await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"));
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("scheme")), "{body}");
    app.stop().await;
}

/// Readiness writes to the database; liveness does not touch it.
#[tokio::test]
async fn readiness_fails_when_the_database_cannot_be_written() {
    let dir = std::env::temp_dir().join(format!("amp-ready-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("ready.db");
    let writable = persistence::Store::connect(&format!("sqlite://{}?mode=rwc", file.display())).await.expect("opens");
    writable.migrate().await.expect("migrates");
    let read_only = persistence::Store::connect(&format!("sqlite://{}?mode=ro", file.display())).await.expect("opens");
    assert!(read_only.ping().await.is_ok(), "reads still work: the old check said ok");
    let app = TestApp::over_store(read_only).await;
    let status = |path: &'static str| {
        let client = app.client.clone();
        let url = app.url(path);
        async move { client.get(url).send().await.expect("answers").status().as_u16() }
    };
    assert_eq!(status("/healthz").await, 503);
    assert_eq!(status("/readyz").await, 503);
    assert_eq!(status("/livez").await, 200);
    app.stop().await;
    let app = TestApp::over_store(writable).await;
    assert_eq!(app.client.get(app.url("/healthz")).send().await.expect("answers").status().as_u16(), 200);
    app.stop().await;
    std::fs::remove_dir_all(&dir).ok();
}

/// A CPAM slower than the request timeout: the refresh answers within its budget with a typed
/// payload, and every doctor it did not refresh has a failure on record.
#[tokio::test]
async fn a_slow_cpam_gets_a_typed_answer_within_the_budget() {
    let mut s = settings("sqlite::memory:");
    s.cpam.stub_delay_ms = 8_000;
    s.cpam.refresh_budget_seconds = 2;
    s.cpam.client.request_timeout_ms = 30_000;
    let app = TestApp::start(s).await;
    let structures = app.as_coordinator("{ structures(first: 1) { edges { node { id } } } }").await;
    let id = structures["data"]["structures"]["edges"][0]["node"]["id"].as_str().expect("demo MSP").to_owned();
    let started = std::time::Instant::now();
    let body = app
        .as_coordinator(&format!(
            "mutation {{ refreshStructureFromCpam(input: {{ structureId: \"{id}\" }}) {{
                refreshed failures {{ practitioner {{ rpps cpamStatus {{ stale lastErrorCode }} }} code }}
                warnings {{ code }} userErrors {{ code }} }} }}"
        ))
        .await;
    let elapsed = started.elapsed();
    assert!(elapsed < std::time::Duration::from_secs(6), "answered after {elapsed:?}");
    let payload = &body["data"]["refreshStructureFromCpam"];
    assert_eq!(payload["refreshed"], 0, "{body}");
    let failures = payload["failures"].as_array().expect("failures");
    let members = app.as_coordinator("{ structures(first: 1) { edges { node { members(first: 50, activeOn: \"2026-12-01\") { edges { node { from } } } } } } }").await;
    let current = members["data"]["structures"]["edges"][0]["node"]["members"]["edges"].as_array().map_or(0, Vec::len);
    assert_eq!(failures.len(), current, "one outcome per current member: {body}");
    for f in failures {
        assert_eq!(f["code"], "CPAM_TIMEOUT", "{f}");
        assert_eq!(f["practitioner"]["cpamStatus"], json!({ "stale": true, "lastErrorCode": "CPAM_TIMEOUT" }), "{f}");
    }
    // The zoning and the structure's own contracts too.
    assert_eq!(payload["warnings"], json!([{ "code": "CPAM_TIMEOUT" }, { "code": "CPAM_TIMEOUT" }]), "{body}");
    app.stop().await;
}
