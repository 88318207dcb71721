//! The coordinator's page (`/app`) in headless Chromium, on the demo data at 2026-12-01, with
//! no network but the test server. What it shows is checked against the API's own answers to
//! the same queries (nothing here is a typed-in figure), and each screen is checked by axe-core
//! (vendored in `vendor/`, injected by the test, never served by the product).
//!
//! Output in `<target>/browser-screenshots/`: `app-*.png` (one per screen and state),
//! `app-decision.pdf` (the decision view printed on A4) and the figures printed on stdout: the
//! first load's transfer, the time to show the dashboard, the PDF's pages and axe's findings.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use server::demo;

use crate::helpers::{TestApp, settings};
use crate::webdriver::{Browser, ChromeDriver, find_in_path, output_dir};

/// axe-core 4.14.1 from npm (`vendor/README.md`), for the tests only.
const AXE: &str = include_str!("vendor/axe.min.js");

const AS_OF: &str = "2026-12-01";
const WAIT: Duration = Duration::from_secs(20);

/// `"30000.00"` → `"30 000,00 €"`, as fr-FR writes it (with plain spaces: the page's narrow
/// and non-breaking spaces are normalised before comparing).
fn euros(amount: &str) -> String {
    let (sign, digits) = amount.strip_prefix('-').map_or(("", amount), |d| ("-", d));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{frac:0<2} €")
}

fn spaces(text: &str) -> String {
    text.replace(['\u{202f}', '\u{a0}'], " ").trim().to_owned()
}

async fn api(app: &TestApp, query: &str, variables: Value) -> Value {
    let (status, body) = app.graphql(Some(demo::DEMO_COORDINATOR_TOKEN), query, variables).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

fn list(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    list(v).iter().map(|x| x.as_str().unwrap_or("null").to_owned()).collect()
}

/// Waits until the screen `name` is shown and its data are in.
async fn screen_ready(browser: &Browser, name: &str) {
    let script = "const s = document.getElementById('screen'); return s.dataset.ready === arguments[0];";
    browser.wait_for(&format!("the {name} screen"), script, json!([name]), WAIT).await.expect("the screen shows");
}

/// Runs axe-core on the page; fails on any serious or critical violation.
async fn accessibility(browser: &Browser, screen: &str) -> usize {
    let loaded = browser.script("return typeof window.axe === 'object';", json!([])).await.expect("axe check");
    if loaded != true {
        browser.script(&format!("{AXE}\n;return typeof window.axe;"), json!([])).await.expect("axe injected");
    }
    let run = "const done = arguments[arguments.length - 1]; \
        axe.run(document, { resultTypes: ['violations'] }) \
          .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, \
             nodes: v.nodes.length, targets: v.nodes.slice(0, 4).map(n => n.target.join(' ')) })))) \
          .catch(e => done({ error: String(e) }));";
    let violations = browser.script_async(run, json!([])).await.expect("axe runs");
    assert!(violations.get("error").is_none(), "axe failed: {violations}");
    let violations = list(&violations);
    println!("axe on {screen}: {} violation(s) {violations:?}", violations.len());
    let blocking: Vec<&Value> =
        violations.iter().filter(|v| v["impact"] == "serious" || v["impact"] == "critical").collect();
    assert!(blocking.is_empty(), "serious or critical accessibility violations on {screen}: {blocking:#?}");
    violations.len()
}

/// Pages of a PDF: its page objects (`/Type /Page`, not `/Pages`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let mut pages = 0;
    for needle in [&b"/Type /Page"[..], &b"/Type/Page"[..]] {
        pages += pdf
            .windows(needle.len() + 1)
            .filter(|w| w.starts_with(needle) && !w[needle.len()].is_ascii_alphanumeric())
            .count();
    }
    pages
}

const DASHBOARD: &str = r#"query($id: ID!, $asOf: Date!) { structure(id: $id) { dashboard(asOf: $asOf) {
  thisYear { maximum payable }
  members { practitionerId name contracts { contractId contractYear signedOn status maximum payable
    explanation { rules { rule outcome parameters { key effectiveFrom confidence } } } } }
  forecast { from until totalCash byCalendarYear { year amount } contracts { contractId payments { on amount } } } } } }"#;

const COMPARISON: &str = r#"query($id: ID!, $etp: String) { structure(id: $id) {
  comparison(startOn: "2026-12-01", fundedEtp: $etp) { individual { yearly } collective { yearly } } } }"#;

const COMPATIBILITY: &str = r#"query($id: ID!, $asOf: Date!) { structure(id: $id) {
  compatibility(asOf: $asOf) { findings { rule severity confidence localCpamMustConfirm } }
  money(asOf: $asOf) { totals { year amount } } } }"#;

const TEAM: &str = r#"{ structures(first: 1) { edges { node { id
  assistants(first: 10) { edges { node { id firstName lastName } } }
  members(first: 20) { edges { node { practitioner { id rpps lastName } } } } } } } }"#;

const ACTIVITY: &str = r#"query($id: ID!, $month: String!) { node(id: $id) { ... on Assistant {
  activity(from: $month, to: $month) { family hours practitioner { lastName } } } } }"#;

const RESOURCES: &str = "const nav = performance.getEntriesByType('navigation')[0]; \
    const res = performance.getEntriesByType('resource'); \
    const mark = performance.getEntriesByName('am-screen-tableau')[0]; \
    return { url: location.href, \
      navigation: { name: nav.name, transfer: nav.transferSize, body: nav.encodedBodySize }, \
      resources: res.map(r => ({ name: r.name, type: r.initiatorType, transfer: r.transferSize, body: r.encodedBodySize, \
        decoded: r.decodedBodySize })), \
      dashboardShownMs: mark ? mark.startTime : null };";

struct Figures {
    page_bytes: u64,
    graphql_bytes: u64,
    dashboard_ms: f64,
}

/// The first load of `/app` on an empty cache, the token already in the tab's session: what it
/// transfers and how long until the demo dashboard shows (from the navigation's start).
async fn first_load(browser: &Browser, app: &TestApp) -> Figures {
    browser.post("/url", json!({ "url": app.url("/livez") })).await.expect("same origin");
    let session = "sessionStorage.setItem('am-planner.token', arguments[0]); sessionStorage.setItem('am-planner.asOf', arguments[1]);";
    browser.script(session, json!([demo::DEMO_COORDINATOR_TOKEN, AS_OF])).await.expect("session set");
    let started = Instant::now();
    browser.post("/url", json!({ "url": app.url("/") })).await.expect("opens /");
    screen_ready(browser, "tableau").await;
    let wall = started.elapsed();
    let timing = browser.script(RESOURCES, json!([])).await.expect("resource timing");
    assert_eq!(timing["url"], app.url("/app#/tableau"), "/ leads to the page, which opens the dashboard");
    let origin = app.url("/");
    let mut page_bytes = timing["navigation"]["transfer"].as_u64().unwrap_or(0);
    let mut graphql_bytes = 0;
    let mut files = Vec::new();
    for r in list(&timing["resources"]) {
        let name = r["name"].as_str().unwrap_or_default();
        assert!(name.starts_with(&origin), "a request outside the test server: {name}");
        let transfer = r["transfer"].as_u64().unwrap_or(0);
        if name == app.url("/graphql") {
            graphql_bytes += transfer;
        } else {
            page_bytes += transfer;
            files.push(format!("{} {} B", name.rsplit('/').next().unwrap_or(name), transfer));
        }
    }
    // The stylesheet and the dashboard's modules; the other screens' come when first opened.
    assert!(files.len() >= 8, "the stylesheet and the modules: {files:?}");
    assert!(!files.iter().any(|f| f.starts_with("forms.js")), "the forms are not part of the first load: {files:?}");
    let dashboard_ms = timing["dashboardShownMs"].as_f64().expect("the page marks when the dashboard shows");
    println!(
        "first load: HTML + CSS + JS {page_bytes} B transferred in {} files ({files:?}); GraphQL answers {graphql_bytes} B; \
         dashboard shown {dashboard_ms:.0} ms after the navigation started (wall {} ms)",
        files.len() + 1,
        wall.as_millis()
    );
    // The page is small: no framework, no font, nothing but our files.
    assert!(page_bytes < 200_000, "the first load is {page_bytes} B");
    Figures { page_bytes, graphql_bytes, dashboard_ms }
}

async fn text_of(browser: &Browser, css: &str) -> String {
    let script = "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;";
    let text = browser.script(script, json!([css])).await.expect("text");
    spaces(text.as_str().unwrap_or_else(|| panic!("no element {css}")))
}

async fn attr_list(browser: &Browser, css: &str, attr: &str) -> Vec<String> {
    let script = "return [...document.querySelectorAll(arguments[0])].map(e => e.getAttribute(arguments[1]));";
    strings(&browser.script(script, json!([css, attr])).await.expect("attributes"))
}

async fn sign_in(browser: &Browser, out: &Path) {
    browser.click("#sign-out").await.expect("sign-out button");
    browser
        .wait_for("the sign-in form", "return !document.getElementById('sign-in').hidden;", json!([]), WAIT)
        .await
        .expect("signed out");
    let stored =
        browser.script("return sessionStorage.getItem('am-planner.token');", json!([])).await.expect("storage");
    assert_eq!(stored, Value::Null, "signing out forgets the token");
    let hidden =
        "return ['session', 'tabs'].every(id => getComputedStyle(document.getElementById(id)).display === 'none');";
    assert_eq!(browser.script(hidden, json!([])).await.expect("styles"), true, "no session header once signed out");
    browser.screenshot(&out.join("app-signin.png")).await.expect("screenshot");

    // A wrong token: the API's 401 and its code, said in French next to the field.
    browser.type_into("#token", "not-a-real-token-at-all").await.expect("typing");
    browser.click("#sign-in-form button[type=submit]").await.expect("sign-in button");
    let error = browser
        .wait_for(
            "the wrong token's message",
            "const e = document.getElementById('token-error'); return e.textContent.includes('UNAUTHENTICATED') ? e.textContent : null;",
            json!([]),
            WAIT,
        )
        .await
        .expect("a message for the wrong token");
    let error = error.as_str().unwrap_or_default();
    assert!(error.contains("n'est pas reconnu") && error.contains("expiré"), "{error}");
    let invalid =
        browser.script("return document.getElementById('token').getAttribute('aria-invalid');", json!([])).await;
    assert_eq!(invalid.expect("attribute"), "true");
    browser.screenshot(&out.join("app-signin-wrong-token.png")).await.expect("screenshot");

    browser.type_into("#token", demo::DEMO_COORDINATOR_TOKEN).await.expect("typing");
    browser.click("#sign-in-form button[type=submit]").await.expect("sign-in button");
    screen_ready(browser, "tableau").await;
    let viewer = text_of(browser, "#viewer-name").await;
    assert!(viewer.contains("coordinateur"), "{viewer}");
    let structures = browser
        .script("return [...document.querySelectorAll('#structure-select option')].map(o => o.textContent);", json!([]))
        .await;
    assert_eq!(structures.expect("options"), json!(["MSP des Tilleuls — FINESS 330042177"]), "the viewer's structures");
}

/// The date control re-reads the dashboard for another day, then comes back to the demo's.
async fn date_control(browser: &Browser) {
    let as_of = "return document.querySelector('[data-testid=dashboard]')?.dataset.asOf === arguments[0];";
    browser.set_value("#as-of", "2026-06-01").await.expect("date set");
    browser.wait_for("the dashboard of 2026-06-01", as_of, json!(["2026-06-01"]), WAIT).await.expect("re-read");
    browser.set_value("#as-of", AS_OF).await.expect("date set");
    browser.wait_for("the dashboard of 2026-12-01", as_of, json!([AS_OF]), WAIT).await.expect("re-read");
    screen_ready(browser, "tableau").await;
}

async fn dashboard(browser: &Browser, app: &TestApp, structure: &str, out: &Path) -> (String, Value) {
    let data = api(app, DASHBOARD, json!({ "id": structure, "asOf": AS_OF })).await;
    let d = &data["structure"]["dashboard"];

    for field in ["maximum", "payable"] {
        let css = format!("[data-field='thisYear.{field}']");
        let shown = attr_list(browser, &css, "data-money").await;
        assert_eq!(shown, [d["thisYear"][field].as_str().unwrap_or_default()], "this year's {field}");
        assert_eq!(text_of(browser, &css).await, euros(d["thisYear"][field].as_str().unwrap_or_default()));
    }
    // Every contract's maximum and payable, as the API gives them, and in French.
    let mut picked = None;
    let mut ended = 0;
    for member in list(&d["members"]) {
        for contract in list(&member["contracts"]) {
            let id = contract["contractId"].as_str().unwrap_or_default().to_owned();
            // Past its five years (or not begun), a contract has no contract year: no amount
            // is shown beside it, and its state says so (review P2.7: "En cours", "0,00 €").
            if contract["contractYear"].is_null() {
                for kind in ["maximum", "payable"] {
                    let css = format!(".amount[data-kind={kind}][data-contract='{id}']");
                    assert!(
                        attr_list(browser, &css, "data-money").await.is_empty(),
                        "{kind} of {id}: no year, no amount"
                    );
                }
                if contract["status"] != "ACTIVE" {
                    continue; // ended or terminated: its status says it
                }
                let row = browser.script(
                    "return document.querySelector(arguments[0])?.textContent ?? null;",
                    json!([format!("tr[data-contract='{id}']")]),
                );
                let row = row.await.expect("row");
                let state = browser.script(
                    "return document.querySelector(arguments[0])?.textContent ?? null;",
                    json!([format!("tr[data-contract='{id}'] [data-state]")]),
                );
                let state = spaces(
                    state.await.expect("state").as_str().unwrap_or_else(|| panic!("no state shown for {id}: {row}")),
                );
                let expected = if contract["signedOn"].as_str() > Some(AS_OF) {
                    "pas encore commencé"
                } else {
                    "terminé (5 ans écoulés)"
                };
                assert_eq!(state, expected, "the state of {id} ({})", member["name"]);
                ended += 1;
                continue;
            }
            for kind in ["maximum", "payable"] {
                let css = format!(".amount[data-kind={kind}][data-contract='{id}']");
                let shown = attr_list(browser, &css, "data-money").await;
                match contract[kind].as_str() {
                    Some(amount) => {
                        assert_eq!(shown, [amount], "{kind} of {id} ({})", member["name"]);
                        assert_eq!(text_of(browser, &css).await, euros(amount), "{kind} of {id}");
                    }
                    None => assert!(shown.is_empty(), "{kind} of {id} is unknown, not shown: {shown:?}"),
                }
            }
            let payable = contract["payable"].as_str().unwrap_or("0.00");
            if picked.is_none() && payable != "0.00" {
                picked = Some((
                    id,
                    member["name"].as_str().unwrap_or_default().to_owned(),
                    payable.to_owned(),
                    contract.clone(),
                ));
            }
        }
    }
    println!("dashboard: {ended} contract(s) with no contract year on {AS_OF}, shown without amounts");
    forecast_payments(browser, d).await;
    let (contract_id, name, payable, contract) = picked.expect("a member with a payable this year");
    let row = format!("tr[data-contract='{contract_id}'] .amount[data-kind=payable]");
    let shown = text_of(browser, &row).await;
    assert_eq!(shown, euros(&payable));
    println!("dashboard: {name}'s payable this year reads {shown:?}, the API's {payable:?}");

    let bars = attr_list(browser, "[data-testid=forecast-chart] rect[data-amount]", "data-amount").await;
    let expected: Vec<String> = list(&d["forecast"]["byCalendarYear"])
        .iter()
        .map(|y| y["amount"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(bars, expected, "the forecast chart draws the API's cash per calendar year");
    assert_eq!(
        attr_list(browser, "[data-field='forecast.totalCash']", "data-money").await,
        [d["forecast"]["totalCash"].as_str().unwrap_or_default()]
    );

    browser.full_screenshot(&out.join("app-dashboard.png")).await.expect("screenshot");
    accessibility(browser, "the dashboard").await;
    let pdf = browser.print_a4().await.expect("printed");
    std::fs::write(out.join("app-dashboard.pdf"), &pdf).expect("PDF written");
    println!("dashboard printed on A4: {} page(s), {} B (app-dashboard.pdf)", pdf_pages(&pdf), pdf.len());
    browser.cdp("Emulation.setEmulatedMedia", json!({ "media": "print" })).await.expect("print media");
    browser.full_screenshot_at(&out.join("app-dashboard-print.png"), 900).await.expect("screenshot");
    browser.cdp("Emulation.setEmulatedMedia", json!({ "media": "" })).await.expect("screen media");
    (contract_id, contract)
}

/// Cents of a decimal string, for adding up the API's amounts exactly in the test.
fn cents(amount: &str) -> i64 {
    let (int, frac) = amount.split_once('.').unwrap_or((amount, "0"));
    let frac = format!("{frac:0<2}");
    let sign = if int.starts_with('-') { -1 } else { 1 };
    int.parse::<i64>().expect("amount") * 100 + sign * frac[..2].parse::<i64>().expect("cents")
}

/// The forecast's payment table lists the payments of its period only, as the API gives them,
/// and they add up to its totalCash (review P1.4: a payment of April 2026 sat under a period
/// starting in December 2026, and the rows made 99 000 € for 80 000 €).
async fn forecast_payments(browser: &Browser, d: &Value) {
    let f = &d["forecast"];
    let (from, until) = (f["from"].as_str().expect("from"), f["until"].as_str().expect("until"));
    let mut expected = Vec::new();
    let mut outside = 0;
    for c in list(&f["contracts"]) {
        for p in list(&c["payments"]) {
            let on = p["on"].as_str().unwrap_or_default();
            if on >= from && on < until {
                expected.push(format!(
                    "{} {on} {}",
                    c["contractId"].as_str().unwrap_or_default(),
                    p["amount"].as_str().unwrap_or_default()
                ));
            } else {
                outside += 1;
            }
        }
    }
    let rows = "return [...document.querySelectorAll('[data-testid=forecast-payments] tbody tr')] \
        .map(r => `${r.dataset.payment} ${r.dataset.on} ${r.querySelector('[data-money]').dataset.money}`);";
    let shown = strings(&browser.script(rows, json!([])).await.expect("rows"));
    assert_eq!(shown, expected, "the payments of [{from}, {until}), the API's");
    let sum: i64 = shown.iter().map(|r| cents(r.rsplit(' ').next().unwrap_or("0"))).sum();
    assert_eq!(sum, cents(f["totalCash"].as_str().expect("totalCash")), "the rows add up to the forecast's cash");
    if outside > 0 {
        let note = text_of(browser, "[data-testid=forecast-payments] p").await;
        assert!(note.contains("hors de la prévision"), "{note}");
    }
    println!("dashboard: {} payment row(s) in the forecast's period, {outside} outside it left out", shown.len());
}

/// The payable opens its rule trace: the same rules as the API's explanation, in order, with
/// each parameter's date and its confidence marked.
async fn explanation(browser: &Browser, contract_id: &str, contract: &Value, out: &Path) {
    // By keyboard: the amount is a button; Enter opens the dialog.
    let opener = format!("tr[data-contract='{contract_id}'] button.explain:has(.amount[data-kind=payable])");
    let focus = "const b = document.querySelector(arguments[0]); b.focus(); return document.activeElement === b;";
    assert_eq!(browser.script(focus, json!([opener])).await.expect("focus"), true, "the amount takes the focus");
    browser.press("\u{E007}").await.expect("Enter");
    browser
        .wait_for(
            "the explanation",
            "return document.getElementById('explain-body').dataset.loaded === 'true';",
            json!([]),
            WAIT,
        )
        .await
        .expect("the explanation loads");
    let rules = attr_list(browser, "#explain-body .rule", "data-rule").await;
    let expected: Vec<String> = list(&contract["explanation"]["rules"])
        .iter()
        .map(|r| r["rule"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(rules, expected, "the dialog lists the API's rules");
    let rules = expected;
    let marked = attr_list(browser, "#explain-body tr[data-confidence]", "data-confidence").await;
    let api_confidences: Vec<String> = list(&contract["explanation"]["rules"])
        .iter()
        .flat_map(|r| list(&r["parameters"]))
        .map(|p| p["confidence"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(marked, api_confidences, "one row per parameter read, with its confidence");
    if api_confidences.iter().any(|c| c != "OFFICIAL") {
        let marks = attr_list(browser, "#explain-body .conf[data-confidence]", "data-confidence").await;
        assert!(marks.iter().any(|m| m == "SECONDARY" || m == "ASSUMPTION"), "secondary and assumed values are marked");
    }
    let body = text_of(browser, "#explain-body").await;
    assert!(body.contains("En vigueur depuis") && body.contains("Référence"), "{body}");
    browser.screenshot(&out.join("app-explanation.png")).await.expect("screenshot");
    accessibility(browser, "the explanation dialog").await;
    // Escape closes it, and the focus goes back to the amount.
    browser.press("\u{E00C}").await.expect("Escape");
    let back = "return !document.getElementById('explain').open && document.activeElement.matches(arguments[0]);";
    browser.wait_for("the focus back on the amount", back, json!([opener]), WAIT).await.expect("focus returns");
    stale_explanation(browser, &opener, &rules).await;
}

/// On a slow network, the answer for a dialog closed meanwhile does not replace the trace of the
/// one opened next (review P2.6): open the payable's, Escape, open an assistant's; only the
/// assistant's rules ever show.
async fn stale_explanation(browser: &Browser, payable: &str, payable_rules: &[String]) {
    let slow = json!({ "offline": false, "latency": 1200, "downloadThroughput": -1, "uploadThroughput": -1 });
    browser.cdp("Network.enable", json!({})).await.expect("network");
    browser.cdp("Network.emulateNetworkConditions", slow).await.expect("slow network");
    browser.click(payable).await.expect("first opening");
    browser.press("\u{E00C}").await.expect("Escape");
    let assistant = "tr[data-assistant] button.explain";
    browser.click(assistant).await.expect("second opening");
    // Record every trace the dialog shows until the second answer is in.
    let watch = "const body = document.getElementById('explain-body'); window.__shown = []; \
        new MutationObserver(() => { if (body.dataset.loaded === 'true') \
          window.__shown.push([...body.querySelectorAll('.rule')].map(r => r.dataset.rule).join(' ')); }) \
        .observe(body, { childList: true, attributes: true });";
    browser.script(watch, json!([])).await.expect("observer");
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let loaded = "return document.getElementById('explain-body').dataset.loaded === 'true' ? window.__shown : null;";
    let shown = browser.wait_for("the assistant's trace", loaded, json!([]), WAIT).await.expect("loaded");
    let fast = json!({ "offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 });
    browser.cdp("Network.emulateNetworkConditions", fast).await.expect("network back");
    let first = payable_rules.join(" ");
    let shown = strings(&shown);
    assert!(!shown.is_empty() && shown.iter().all(|s| *s != first), "the closed dialog's trace never shows: {shown:?}");
    let rules = attr_list(browser, "#explain-body .rule", "data-rule").await;
    assert!(rules.iter().any(|r| r.starts_with("AM-")), "the assistant's rules: {rules:?}");
    browser.press("\u{E00C}").await.expect("Escape");
}

async fn decision(browser: &Browser, app: &TestApp, structure: &str, out: &Path) -> usize {
    browser.click("a[data-screen=decision]").await.expect("tab");
    screen_ready(browser, "decision").await;
    let series = |key: &str| format!("[data-testid=comparison-chart] rect[data-series={key}]");
    let by_default = api(app, COMPARISON, json!({ "id": structure, "etp": null })).await;
    let c = &by_default["structure"]["comparison"];
    let collective = attr_list(browser, &series("collective"), "data-amount").await;
    assert_eq!(collective, strings(&c["collective"]["yearly"]), "the chart draws the API's collective years");
    assert_eq!(attr_list(browser, &series("individual"), "data-amount").await, strings(&c["individual"]["yearly"]));
    // The table beside the chart says the same in French, cents included.
    for key in ["individual", "collective"] {
        let cells = format!("#comparison-table td[data-series={key}]");
        let script = "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent);";
        let texts: Vec<String> =
            strings(&browser.script(script, json!([cells])).await.expect("cells")).iter().map(|t| spaces(t)).collect();
        let expected: Vec<String> = strings(&c[key]["yearly"]).iter().map(|a| euros(a)).collect();
        assert_eq!(texts, expected, "the {key} years in the table");
    }
    let words = text_of(browser, ".recommendation").await;
    assert!(words.contains("Recommandation") && words.contains("Confiance"), "{words}");
    let dimensions = "return [...document.querySelectorAll('table.side-by-side tbody th')].map(e => e.textContent);";
    let dimensions = strings(&browser.script(dimensions, json!([])).await.expect("dimensions"));
    let keys = ["beneficiary", "employer", "pooling", "stability", "objectives"];
    assert!(
        !dimensions.is_empty() && dimensions.iter().all(|d| !keys.contains(&d.as_str())),
        "dimensions in French: {dimensions:?}"
    );
    browser.full_screenshot(&out.join("app-decision.png")).await.expect("screenshot");
    accessibility(browser, "the decision view").await;

    // The decision view on A4, through WebDriver's print endpoint, and seen with print media.
    let pdf = browser.print_a4().await.expect("printed");
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    std::fs::write(out.join("app-decision.pdf"), &pdf).expect("PDF written");
    let pages = pdf_pages(&pdf);
    println!("decision view printed on A4: {pages} page(s), {} B (app-decision.pdf)", pdf.len());
    assert!((1..=8).contains(&pages), "{pages} pages");
    browser.cdp("Emulation.setEmulatedMedia", json!({ "media": "print" })).await.expect("print media");
    let hidden = "return getComputedStyle(document.querySelector('nav.tabs')).display === 'none' \
        && getComputedStyle(document.querySelector('.controls')).display === 'none' \
        && getComputedStyle(document.querySelector('.print-only')).display !== 'none' \
        && getComputedStyle(document.querySelector('.legend .no-print')).display === 'none' \
        && getComputedStyle(document.getElementById('printed-on')).display !== 'none' \
        && document.getElementById('printed-on').textContent.startsWith('Imprimé le ');";
    assert_eq!(
        browser.script(hidden, json!([])).await.expect("styles"),
        true,
        "print hides the controls, states the assumptions"
    );
    browser.full_screenshot_at(&out.join("app-decision-print.png"), 900).await.expect("screenshot");
    browser.cdp("Emulation.setEmulatedMedia", json!({ "media": "" })).await.expect("screen media");

    // What-if: 1 funded ETP, typed in; the chart re-queries and draws the API's new figures.
    browser.type_into("[data-testid=decision] input[inputmode=decimal]", "1").await.expect("typing");
    let changed = "const o = document.querySelector('[data-testid=comparison-out]'); \
        return o.dataset.etp === '1' && o.getAttribute('aria-busy') === 'false';";
    browser.wait_for("the comparison at 1 ETP", changed, json!([]), WAIT).await.expect("re-queried");
    let one = api(app, COMPARISON, json!({ "id": structure, "etp": "1" })).await;
    let at_one = attr_list(browser, &series("collective"), "data-amount").await;
    assert_eq!(at_one, strings(&one["structure"]["comparison"]["collective"]["yearly"]), "the API's figures at 1 ETP");
    assert_ne!(at_one, collective, "funding 1 ETP changes the collective's years");
    println!("decision: collective years {collective:?} by default, {at_one:?} at 1 ETP");
    browser.full_screenshot(&out.join("app-decision-1-etp.png")).await.expect("screenshot");
    refused_what_if(browser, out).await;
    collective_impossible(browser, app, structure, out).await;
    pages
}

const COMPARISON_STATE: &str = "const o = document.querySelector('[data-testid=comparison-out]'); \
    return o.getAttribute('aria-busy') === 'false' && o.dataset.etp === arguments[0] && o.dataset.start === arguments[1] \
      && (o.dataset.error ?? '') === arguments[2] ? true : null;";

/// A refused what-if value clears the results (they would read as the refused value's) and
/// its reason is shown under the control that changed, not in the results (review P1.3).
async fn refused_what_if(browser: &Browser, out: &Path) {
    let etp = "[data-testid=decision] input[inputmode=decimal]";
    let start = "[data-testid=decision] input[type=date]";
    let error_of = "const i = document.querySelector(arguments[0]); \
        return i.getAttribute('aria-invalid') === 'true' ? document.getElementById(i.getAttribute('aria-describedby').split(' ').pop()).textContent : '';";
    let left = "return { charts: document.querySelectorAll('[data-testid=comparison-out] [data-testid=comparison-chart]').length, \
        tables: document.querySelectorAll('[data-testid=comparison-out] table').length, \
        recommendation: document.querySelectorAll('[data-testid=comparison-out] .recommendation').length, \
        summary: document.querySelector('[data-testid=decision] p.print-only').textContent };";
    // What a refused argument leaves of the previous results: nothing.
    let cleared = json!({ "charts": 0, "tables": 0, "recommendation": 0, "summary": "" });
    for value in ["abc", "0", "-1"] {
        browser.type_into(etp, value).await.expect("typing");
        let what = format!("the refusal of {value} ETP");
        browser.wait_for(&what, COMPARISON_STATE, json!([value, AS_OF, "etp"]), WAIT).await.expect("refused");
        let shown = browser.script(left, json!([])).await.expect("results");
        assert_eq!(shown, cleared, "nothing left of the previous ETP for {value}");
        let reason = browser.script(error_of, json!([etp])).await.expect("error");
        assert!(reason.as_str().is_some_and(|r| r.contains("BAD_USER_INPUT")), "{value}: {reason}");
        assert_eq!(browser.script(error_of, json!([start])).await.expect("error"), "", "not the start date's fault");
    }
    browser.full_screenshot(&out.join("app-decision-etp-refused.png")).await.expect("screenshot");
    browser.type_into(etp, "1").await.expect("typing");
    browser
        .wait_for("the comparison at 1 ETP again", COMPARISON_STATE, json!(["1", AS_OF, ""]), WAIT)
        .await
        .expect("back");
    assert_eq!(browser.script(error_of, json!([etp])).await.expect("error"), "", "the ETP error is gone");

    // A start before the collective aid existed: refused by the API, said under the date.
    browser.set_value(start, "2025-06-01").await.expect("date");
    browser
        .wait_for("the refusal of the start date", COMPARISON_STATE, json!(["1", "2025-06-01", "start"]), WAIT)
        .await
        .expect("refused");
    let shown = browser.script(left, json!([])).await.expect("results");
    assert_eq!(shown, cleared, "nothing left of the previous start");
    let reason = browser.script(error_of, json!([start])).await.expect("error");
    assert!(reason.as_str().is_some_and(|r| r.contains("BAD_USER_INPUT")), "{reason}");
    assert_eq!(browser.script(error_of, json!([etp])).await.expect("error"), "", "not the ETP's fault");
    let alerts = "return document.querySelectorAll('[data-testid=comparison-out] [role=alert]').length;";
    assert_eq!(browser.script(alerts, json!([])).await.expect("alerts"), 0, "the reason is not in the results area");
    browser.full_screenshot(&out.join("app-decision-start-refused.png")).await.expect("screenshot");
    browser.set_value(start, AS_OF).await.expect("date");
    browser.type_into(etp, "").await.expect("typing");
    browser.set_value(etp, "").await.expect("cleared");
    browser
        .wait_for("the default comparison again", COMPARISON_STATE, json!(["", AS_OF, ""]), WAIT)
        .await
        .expect("back");
}

/// No doctor adhering: the API still sends a "collective" scenario (the individual contracts,
/// NOT_ELIGIBLE, difference 0); the page says the collective is not possible, draws no
/// collective series, shows no option 2 table and prints no "ETP financés : —" (review P1.2).
async fn collective_impossible(browser: &Browser, app: &TestApp, structure: &str, out: &Path) {
    let none = api(
        app,
        r#"query($id: ID!) { structure(id: $id) { comparison(startOn: "2026-12-01", adheringDoctors: []) {
          totalDifference individual { yearly } collective { conditionsNotMet lines { kind } collective { verdict } } } } }"#,
        json!({ "id": structure }),
    )
    .await;
    let c = &none["structure"]["comparison"];
    assert_eq!(c["collective"]["collective"]["verdict"], "NOT_ELIGIBLE", "{c}");
    // Ten funded ETP: whatever the API decides, the page says the same (possible or not).
    let ten = api(
        app,
        r#"query($id: ID!) { structure(id: $id) { comparison(startOn: "2026-12-01", fundedEtp: "10") {
          collective { lines { kind } collective { verdict } } } } }"#,
        json!({ "id": structure }),
    )
    .await;
    let col = &ten["structure"]["comparison"]["collective"];
    let possible =
        list(&col["lines"]).iter().any(|l| l["kind"] == "COLLECTIVE") && col["collective"]["verdict"] != "NOT_ELIGIBLE";
    browser.type_into("[data-testid=decision] input[inputmode=decimal]", "10").await.expect("typing");
    browser
        .wait_for("the comparison at 10 ETP", COMPARISON_STATE, json!(["10", AS_OF, ""]), WAIT)
        .await
        .expect("re-queried");
    let shown =
        browser.script("return document.querySelector('[data-testid=comparison]').dataset.possible;", json!([])).await;
    assert_eq!(
        shown.expect("possible"),
        json!(possible.to_string()),
        "at 10 ETP the collective is possible: {possible}"
    );
    println!("decision: at 10 ETP the collective is {}", if possible { "possible" } else { "not possible" });
    browser.set_value("[data-testid=decision] input[inputmode=decimal]", "").await.expect("cleared");
    browser.wait_for("the default comparison", COMPARISON_STATE, json!(["", AS_OF, ""]), WAIT).await.expect("back");

    let untick = "for (const b of document.querySelectorAll('[data-testid=decision] fieldset.checks input:checked')) b.click(); return true;";
    browser.script(untick, json!([])).await.expect("unticked");
    let state = "const o = document.querySelector('[data-testid=comparison-out]'); \
        return o.getAttribute('aria-busy') === 'false' && o.dataset.adhering === '' && !o.dataset.error ? true : null;";
    browser.wait_for("the comparison with no doctor", state, json!([]), WAIT).await.expect("re-queried");
    let words = text_of(browser, ".recommendation").await;
    assert!(words.contains("n’est pas possible avec ces hypothèses"), "{words}");
    assert!(!words.contains("rapporte 0,00"), "{words}");
    for condition in strings(&c["collective"]["conditionsNotMet"]) {
        assert!(words.contains(&spaces(&condition)), "the condition not met {condition:?} is said: {words}");
    }
    let collective =
        attr_list(browser, "[data-testid=comparison-chart] rect[data-series=collective]", "data-amount").await;
    assert!(collective.is_empty(), "no collective series: {collective:?}");
    let individual =
        attr_list(browser, "[data-testid=comparison-chart] rect[data-series=individual]", "data-amount").await;
    assert_eq!(individual, strings(&c["individual"]["yearly"]), "the individual years, the API's");
    let cells = "return [...document.querySelectorAll('#comparison-table tbody tr')].map(r => r.cells[3].textContent + '|' + r.cells[4].textContent);";
    let cells = strings(&browser.script(cells, json!([])).await.expect("cells"));
    assert_eq!(cells, vec!["impossible|impossible"; 5], "each year's collective and difference say it is impossible");
    let captions =
        "return [...document.querySelectorAll('[data-testid=comparison-out] caption')].map(e => e.textContent);";
    let captions = strings(&browser.script(captions, json!([])).await.expect("captions"));
    assert!(!captions.iter().any(|c| c.starts_with("Option 2")), "no option 2 table: {captions:?}");
    let summary = text_of(browser, "[data-testid=decision] p.print-only").await;
    assert!(!summary.contains("ETP financés : —") && summary.contains("impossible"), "{summary}");
    let live = text_of(browser, "[data-testid=comparison-live]").await;
    assert!(live.contains("pas possible"), "the short live summary: {live}");
    browser.full_screenshot(&out.join("app-decision-no-collective.png")).await.expect("screenshot");
}

async fn compatibility(browser: &Browser, app: &TestApp, structure: &str, out: &Path) {
    browser.click("a[data-screen=compatibilite]").await.expect("tab");
    screen_ready(browser, "compatibilite").await;
    let data = api(app, COMPATIBILITY, json!({ "id": structure, "asOf": AS_OF })).await;
    let findings = list(&data["structure"]["compatibility"]["findings"]);
    let shown = attr_list(browser, ".finding", "data-rule").await;
    let mut expected = Vec::new();
    for severity in ["CONFLICT", "WARNING", "INFO"] {
        expected.extend(
            findings
                .iter()
                .filter(|f| f["severity"] == severity)
                .map(|f| f["rule"].as_str().unwrap_or_default().to_owned()),
        );
    }
    assert_eq!(shown, expected, "every finding, grouped by severity");
    let notes = |kind: &'static str| {
        let script = format!("return document.querySelectorAll('.finding .cpam-note[data-note={kind}]').length;");
        async move { browser.script(&script, json!([])).await.expect("count") }
    };
    let must_confirm = findings.iter().filter(|f| f["localCpamMustConfirm"] == true).count();
    let assumed =
        findings.iter().filter(|f| f["localCpamMustConfirm"] != true && f["confidence"] == "ASSUMPTION").count();
    assert_eq!(notes("must-confirm").await, json!(must_confirm), "the CPAM-must-confirm note where the API sets it");
    assert_eq!(notes("assumption").await, json!(assumed), "the softer note on the product's own readings");
    let totals = attr_list(browser, "table.money tfoot [data-money]", "data-money").await;
    let expected: Vec<String> = list(&data["structure"]["money"]["totals"])
        .iter()
        .map(|t| t["amount"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(totals, expected, "the money table's totals are the API's");
    // Figures are named in French and read by their name: an ETP is never shown as euros,
    // and no raw key stands as a figure's name (review P2.8, P2.9).
    let figures = "return [...document.querySelectorAll('.finding li[data-figure]')].map(e => [e.dataset.figure, e.textContent]);";
    let figures = list(&browser.script(figures, json!([])).await.expect("figures"));
    for f in &figures {
        let (name, text) = (f[0].as_str().unwrap_or_default(), spaces(f[1].as_str().unwrap_or_default()));
        assert!(!text.starts_with(name), "the figure {name} has a French name: {text}");
        if name.ends_with("etp") {
            assert!(!text.contains('€') && text.contains("ETP"), "an ETP figure reads as ETP: {text}");
        }
    }
    let titles = "return [...document.querySelectorAll('.finding h4 .rule-name')].map(e => e.textContent);";
    for title in strings(&browser.script(titles, json!([])).await.expect("titles")) {
        assert!(title.contains(' '), "a rule code with its French title: {title}");
    }
    println!("compatibility: {} figure(s) named in French", figures.len());
    browser.full_screenshot(&out.join("app-compatibility.png")).await.expect("screenshot");
    accessibility(browser, "the compatibility report").await;
}

async fn forms(browser: &Browser, app: &TestApp, out: &Path) {
    let team = api(app, TEAM, json!({})).await;
    let node = &team["structures"]["edges"][0]["node"];
    let ines = list(&node["assistants"]["edges"])
        .into_iter()
        .find(|e| e["node"]["lastName"] == "Petit")
        .map(|e| e["node"]["id"].clone())
        .expect("Inès Petit");
    let martin_rpps = list(&node["members"]["edges"])
        .into_iter()
        .find(|e| e["node"]["practitioner"]["lastName"] == "Martin")
        .and_then(|e| e["node"]["practitioner"]["rpps"].as_str().map(str::to_owned))
        .expect("Dr Martin");

    browser.click("a[data-screen=saisies]").await.expect("tab");
    screen_ready(browser, "saisies").await;
    accessibility(browser, "the forms").await;

    // A month of hours with one invalid field: the API's error next to it, nothing written.
    let form = "form[data-form=hours]";
    browser.select(&format!("{form} .field select"), "Inès Petit").await.expect("assistant");
    browser.set_value(&format!("{form} input[type=month]"), "2026-11").await.expect("month");
    // A row with a doctor but no hours is refused, not dropped with a success (review P2.11).
    browser.select(&format!("{form} select[aria-label='Ligne 3 : médecin']"), "Dr Martin").await.expect("doctor");
    browser.type_into(&format!("{form} input[aria-label='Ligne 1 : heures']"), "2").await.expect("hours");
    browser.click(&format!("{form} button[type=submit]")).await.expect("submit");
    let missing = field_error(browser, form, "row2.hours").await;
    assert!(missing.contains("Heures manquantes"), "{missing}");
    let result = text_of(browser, &format!("{form} .form-result.error")).await;
    assert!(result.contains("Rien n’a été enregistré"), "{result}");
    let written = api(app, ACTIVITY, json!({ "id": ines, "month": "2026-11" })).await;
    assert_eq!(list(&written["node"]["activity"]).len(), 0, "nothing written for a row without hours");
    browser.select(&format!("{form} select[aria-label='Ligne 3 : médecin']"), "aucun médecin").await.expect("doctor");
    browser.select(&format!("{form} select[aria-label='Ligne 1 : médecin']"), "Dr Martin").await.expect("doctor");
    browser.select(&format!("{form} select[aria-label='Ligne 1 : mission']"), "Consultation").await.expect("family");
    browser.type_into(&format!("{form} input[aria-label='Ligne 1 : heures']"), "1.234").await.expect("hours");
    browser.select(&format!("{form} select[aria-label='Ligne 2 : mission']"), "Administratif").await.expect("family");
    browser.type_into(&format!("{form} input[aria-label='Ligne 2 : heures']"), "3").await.expect("hours");
    browser.click(&format!("{form} button[type=submit]")).await.expect("submit");
    let error = browser
        .wait_for(
            "the error next to line 1's hours",
            "const e = document.querySelector('[data-error-for=\"row0.hours\"]'); return e && e.textContent ? e.textContent : null;",
            json!([]),
            WAIT,
        )
        .await
        .expect("the error shows");
    assert!(error.as_str().unwrap_or_default().contains("HOURS_TOO_PRECISE"), "{error}");
    let wired = "const i = document.querySelector(\"input[aria-label='Ligne 1 : heures']\"); \
        const e = document.querySelector('[data-error-for=\"row0.hours\"]'); \
        return i.getAttribute('aria-invalid') === 'true' && i.getAttribute('aria-describedby').split(' ').includes(e.id) \
          && document.activeElement === i;";
    assert_eq!(
        browser.script(wired, json!([])).await.expect("wiring"),
        true,
        "the field is marked, described and focused"
    );
    let others = "return [...document.querySelectorAll('form[data-form=hours] [data-error-for]')] \
        .filter(e => e.textContent && e.dataset.errorFor !== 'row0.hours').map(e => e.dataset.errorFor);";
    assert_eq!(browser.script(others, json!([])).await.expect("others"), json!([]), "only that field is in error");
    let written = api(app, ACTIVITY, json!({ "id": ines, "month": "2026-11" })).await;
    assert_eq!(list(&written["node"]["activity"]).len(), 0, "nothing written");
    browser.full_screenshot(&out.join("app-hours-error.png")).await.expect("screenshot");

    browser.type_into(&format!("{form} input[aria-label='Ligne 1 : heures']"), "12,5").await.expect("hours");
    browser.click(&format!("{form} button[type=submit]")).await.expect("submit");
    browser
        .wait_for(
            "the month recorded",
            "return document.querySelector('form[data-form=hours] .form-result.ok') !== null;",
            json!([]),
            WAIT,
        )
        .await
        .expect("recorded");
    let written = api(app, ACTIVITY, json!({ "id": ines, "month": "2026-11" })).await;
    let mut hours: Vec<String> =
        list(&written["node"]["activity"]).iter().map(|l| format!("{} {}", l["family"], l["hours"])).collect();
    hours.sort();
    assert_eq!(hours, [r#""ADMINISTRATIVE" "3.00""#, r#""CONSULTATION" "12.50""#], "the month as typed");
    let result = text_of(browser, &format!("{form} .form-result.ok")).await;
    assert!(result.starts_with("2 ligne(s) enregistrée(s)") && result.contains("12,50 h"), "{result}");

    // The CSV import: a file with one bad line writes nothing and names it; the fixed file writes all.
    let bad = format!(
        "assistant;month;doctor;family;hours;label\nInès Petit;2026-10;{martin_rpps};CONSULTATION;58,25;\n\
         Inès Petit;2026-10;;SECRETARIAT;3;\nInès Petit;2026-10;;OTHER_FUNCTION;6;accueil\n"
    );
    let import = "form[data-form=import]";
    browser.set_value(&format!("{import} textarea"), &bad).await.expect("file content");
    browser.click(&format!("{import} button[type=submit]")).await.expect("import");
    let report = "const r = document.querySelector('[data-testid=import-report]'); return r.dataset.read ? [r.dataset.read, r.dataset.written, r.dataset.refused] : null;";
    let counts = browser.wait_for("the import report", report, json!([]), WAIT).await.expect("a report");
    assert_eq!(counts, json!(["3", "0", "1"]));
    let refused = attr_list(browser, "[data-testid=import-report] tr[data-line]", "data-line").await;
    assert_eq!(refused, ["3"], "the refused line, by its number in the file");
    assert_eq!(attr_list(browser, "[data-testid=import-report] tr[data-line]", "data-field").await, ["family"]);
    browser.full_screenshot(&out.join("app-import-refused.png")).await.expect("screenshot");
    browser
        .set_value(&format!("{import} textarea"), &bad.replace("SECRETARIAT", "ADMINISTRATIVE"))
        .await
        .expect("file");
    browser.click(&format!("{import} button[type=submit]")).await.expect("import");
    let done = "const r = document.querySelector('[data-testid=import-report]'); return r.dataset.written === '3';";
    browser.wait_for("the import written", done, json!([]), WAIT).await.expect("written");
    let written = api(app, ACTIVITY, json!({ "id": ines, "month": "2026-10" })).await;
    assert_eq!(list(&written["node"]["activity"]).len(), 3, "the file's three lines");
    browser.full_screenshot(&out.join("app-import.png")).await.expect("screenshot");
    windows_1252_import(browser, app, node, out).await;

    // A doctor's figures: the two refused fields each get their message; then a valid year.
    let martin = list(&node["members"]["edges"])
        .into_iter()
        .find(|e| e["node"]["practitioner"]["lastName"] == "Martin")
        .map(|e| e["node"]["practitioner"]["id"].clone())
        .expect("Dr Martin");
    let figures = "form[data-form=figures]";
    figures_kept(browser, app, node).await;
    browser.select(&control_of(browser, figures, "practitionerId").await, "Claire Martin").await.expect("doctor");
    figures_year(browser, &martin, "2025").await;
    browser.type_into(&control_of(browser, figures, "pmt").await, "1000").await.expect("pmt");
    browser.type_into(&control_of(browser, figures, "adultPmt").await, "1200").await.expect("adult pmt");
    browser.type_into(&control_of(browser, figures, "ccamSharePercent").await, "12,345").await.expect("ccam");
    browser.click(&format!("{figures} button[type=submit]")).await.expect("submit");
    assert!(field_error(browser, figures, "adultPmt").await.contains("ADULT_PMT_EXCEEDS_PMT"));
    assert!(field_error(browser, figures, "ccamSharePercent").await.contains("CCAM_SHARE_INVALID"));
    browser.full_screenshot(&out.join("app-figures-error.png")).await.expect("screenshot");
    browser.type_into(&control_of(browser, figures, "adultPmt").await, "800").await.expect("adult pmt");
    browser.type_into(&control_of(browser, figures, "ccamSharePercent").await, "12,5").await.expect("ccam");
    submit_figures(browser, figures).await;
    let recorded = api(app, "query($id: ID!) { node(id: $id) { ... on Practitioner { activityFigures { year pmt adultPmt ccamSharePercent origin } } } }", json!({ "id": martin })).await;
    let year =
        list(&recorded["node"]["activityFigures"]).into_iter().find(|f| f["year"] == 2025).expect("2025's figures");
    assert_eq!(
        (&year["pmt"], &year["adultPmt"], &year["ccamSharePercent"], &year["origin"]),
        (&json!(1000), &json!(800), &json!("12.50"), &json!("MANUAL"))
    );

    // A doctor leaving before they joined: the API's refusal next to the date.
    let leaving = "form[data-form=leaving]";
    browser.set_value(&control_of(browser, leaving, "to").await, "1990-01-01").await.expect("date");
    browser.click(&format!("{leaving} button[type=submit]")).await.expect("submit");
    assert!(field_error(browser, leaving, "to").await.contains("END_BEFORE_START"));
}

/// Excel's "CSV (séparateur point-virgule)" on a French Windows is Windows-1252: "Élodie" is the
/// byte 0xC9. Picked through the real file input, it is read as such (review P1.5: read as
/// UTF-8 it became "\u{fffd}lodie" and the API answered ASSISTANT_NOT_FOUND).
async fn windows_1252_import(browser: &Browser, app: &TestApp, node: &Value, out: &Path) {
    let elodie = list(&node["assistants"]["edges"])
        .into_iter()
        .find(|e| e["node"]["lastName"] == "Marchand")
        .map(|e| e["node"]["id"].clone())
        .expect("Élodie Marchand");
    let text = "assistant;month;doctor;family;hours;label\r\nÉlodie Marchand;2026-05;;ADMINISTRATIVE;4,5;congés\r\n";
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| match c {
            'É' => 0xC9,
            'é' => 0xE9,
            c if c.is_ascii() => c as u8,
            c => panic!("not in the test's Windows-1252 table: {c}"),
        })
        .collect();
    assert!(std::str::from_utf8(&bytes).is_err(), "the file is not UTF-8");
    let file = out.join("heures-excel-windows-1252.csv");
    std::fs::write(&file, &bytes).expect("file written");
    let import = "form[data-form=import]";
    browser.upload(&format!("{import} input[type=file]"), &file).await.expect("file picked");
    let decoded = "const e = document.querySelector('[data-testid=csv-encoding]'); return e.dataset.encoding || null;";
    let encoding = browser.wait_for("the file read", decoded, json!([]), WAIT).await.expect("read");
    assert_eq!(encoding, "windows-1252");
    let content =
        browser.script("return document.querySelector(arguments[0]).value;", json!([format!("{import} textarea")]));
    let content = content.await.expect("content");
    assert!(content.as_str().unwrap_or_default().contains("Élodie Marchand;2026-05"), "{content}");
    browser.click(&format!("{import} button[type=submit]")).await.expect("import");
    let report = "const r = document.querySelector('[data-testid=import-report]'); \
        return r.dataset.written === '1' && r.dataset.read === '1' ? true : null;";
    browser.wait_for("the Windows-1252 file written", report, json!([]), WAIT).await.expect("written");
    let written = api(app, ACTIVITY, json!({ "id": elodie, "month": "2026-05" })).await;
    let lines: Vec<String> =
        list(&written["node"]["activity"]).iter().map(|l| format!("{} {}", l["family"], l["hours"])).collect();
    assert_eq!(lines, [r#""ADMINISTRATIVE" "4.50""#], "Élodie's line, read back from the API");
    browser.full_screenshot(&out.join("app-import-windows-1252.png")).await.expect("screenshot");

    // UTF-8 with a BOM (Excel's "CSV UTF-8"): read as UTF-8, the BOM dropped.
    let file = out.join("heures-excel-utf8-bom.csv");
    std::fs::write(
        &file,
        "\u{feff}assistant;month;doctor;family;hours\r\nÉlodie Marchand;2026-04;;ADMINISTRATIVE;2\r\n",
    )
    .expect("file");
    browser.upload(&format!("{import} input[type=file]"), &file).await.expect("file picked");
    let read = "const e = document.querySelector('[data-testid=csv-encoding]'); \
        return e.dataset.encoding === 'utf-8' ? document.querySelector(arguments[0]).value : null;";
    let content =
        browser.wait_for("the UTF-8 file read", read, json!([format!("{import} textarea")]), WAIT).await.expect("read");
    assert!(content.as_str().is_some_and(|c| c.starts_with("assistant;")), "no BOM left: {content:?}");
}

const FIGURES_OF: &str = "query($id: ID!) { node(id: $id) { ... on Practitioner { \
    activityFigures { year pmt adultPmt fileActive ccamSharePercent band } } } }";

/// Sets the figures form's year and waits until the stored figures of `doctor` are in it.
async fn figures_year(browser: &Browser, doctor: &Value, year: &str) {
    let figures = "form[data-form=figures]";
    browser.set_value(&control_of(browser, figures, "year").await, year).await.expect("year");
    let loaded = "return document.querySelector('form[data-form=figures]').dataset.loaded === arguments[0];";
    let key = format!("{}:{year}", doctor.as_str().unwrap_or_default());
    browser.wait_for("the stored figures in the form", loaded, json!([key]), WAIT).await.expect("figures loaded");
}

/// The API replaces a doctor's whole year: the form starts from the stored figures, so that
/// editing one keeps the others (review P1.1: a blank form erased adultPmt, fileActive, band).
async fn figures_kept(browser: &Browser, app: &TestApp, node: &Value) {
    let figures = "form[data-form=figures]";
    let stored_2025 = |data: &Value| {
        list(&data["node"]["activityFigures"]).into_iter().find(|f| f["year"] == 2025).expect("2025's figures")
    };
    // The demo doctor with the fullest 2025: every figure known, so any loss shows.
    let mut chosen = None;
    for e in list(&node["members"]["edges"]) {
        let p = &e["node"]["practitioner"];
        let data = api(app, FIGURES_OF, json!({ "id": p["id"] })).await;
        let year = list(&data["node"]["activityFigures"]).into_iter().find(|f| f["year"] == 2025);
        if let Some(y) = year.filter(|y| ["pmt", "adultPmt", "fileActive", "band"].iter().all(|k| !y[*k].is_null())) {
            chosen = Some((p["id"].clone(), p["lastName"].as_str().unwrap_or_default().to_owned(), y));
            break;
        }
    }
    let (id, name, before) = chosen.expect("a demo doctor with all of 2025's figures");
    browser.select(&control_of(browser, figures, "practitionerId").await, &name).await.expect("doctor");
    figures_year(browser, &id, "2025").await;
    let value = "return document.querySelector(arguments[0]).value;";
    for key in ["pmt", "adultPmt", "fileActive", "band"] {
        let shown = browser.script(value, json!([control_of(browser, figures, key).await])).await.expect("value");
        let expected = match &before[key] {
            Value::Number(n) => n.to_string(),
            v => v.as_str().unwrap_or_default().to_owned(),
        };
        assert_eq!(shown, json!(expected), "{key} of Dr {name}'s 2025 is in the form");
    }
    let note = text_of(browser, "[data-testid=figures-stored]").await;
    assert!(note.contains("vide") && note.contains("effacé"), "the form says an emptied field is cleared: {note}");
    let pmt = before["pmt"].as_i64().expect("pmt") + 1;
    browser.type_into(&control_of(browser, figures, "pmt").await, &pmt.to_string()).await.expect("pmt");
    submit_figures(browser, figures).await;
    let after = stored_2025(&api(app, FIGURES_OF, json!({ "id": id })).await);
    let mut expected = before.clone();
    expected["pmt"] = json!(pmt);
    assert_eq!(after, expected, "one figure edited, the others kept (read back from the API)");
    println!("figures: Dr {name}'s 2025 pmt edited alone, read back {after}");
}

/// The CSS selector of the control a form registered under `key` (its error's id without `-error`).
async fn control_of(browser: &Browser, form: &str, key: &str) -> String {
    let script = "const e = document.querySelector(`${arguments[0]} [data-error-for=\"${arguments[1]}\"]`); return e ? e.id.replace(/-error$/, '') : null;";
    let id = browser.script(script, json!([form, key])).await.expect("control");
    format!("#{}", id.as_str().unwrap_or_else(|| panic!("no field {key} in {form}")))
}

/// Waits for the message next to the field `key` of `form`, and checks the field is marked.
async fn field_error(browser: &Browser, form: &str, key: &str) -> String {
    let script = "const e = document.querySelector(`${arguments[0]} [data-error-for=\"${arguments[1]}\"]`); \
        const c = e && document.getElementById(e.id.replace(/-error$/, '')); \
        return e && e.textContent && c.getAttribute('aria-invalid') === 'true' ? e.textContent : null;";
    let text = browser
        .wait_for(&format!("the error next to {key}"), script, json!([form, key]), WAIT)
        .await
        .expect("an error");
    text.as_str().unwrap_or_default().to_owned()
}

/// A token that stops working mid-session (revoked, expired): the next request's 401 brings the
/// sign-in back, with the reason.
async fn session_ends(browser: &Browser, out: &Path) {
    browser
        .script("sessionStorage.setItem('am-planner.token', 'a-token-revoked-meanwhile');", json!([]))
        .await
        .expect("storage");
    browser.click("a[data-screen=tableau]").await.expect("tab");
    let message = "const e = document.getElementById('token-error'); \
        return !document.getElementById('sign-in').hidden && e.textContent.includes('session a pris fin') ? e.textContent : null;";
    let text = browser.wait_for("the end of the session", message, json!([]), WAIT).await.expect("signed out");
    assert!(text.as_str().unwrap_or_default().contains("UNAUTHENTICATED"), "{text}");
    let stored =
        browser.script("return sessionStorage.getItem('am-planner.token');", json!([])).await.expect("storage");
    assert_eq!(stored, Value::Null, "the dead token is forgotten");
    browser.screenshot(&out.join("app-session-ended.png")).await.expect("screenshot");
}

#[tokio::test]
async fn the_coordinators_page_on_the_demo_data_with_no_network_but_the_server() {
    let started = Instant::now();
    let (Some(chromium), Some(chromedriver)) = (find_in_path("chromium"), find_in_path("chromedriver")) else {
        panic!("chromium not found: apt-get install chromium chromium-driver");
    };
    let out = output_dir();
    let app = TestApp::start(settings("sqlite::memory:")).await;
    let team = api(&app, TEAM, json!({})).await;
    let structure = team["structures"]["edges"][0]["node"]["id"].as_str().expect("the demo MSP").to_owned();
    let driver =
        ChromeDriver::start(&chromedriver, &out.join("chromedriver-app.log")).await.expect("chromedriver starts");
    let browser = Browser::open(&driver, &chromium).await.expect("headless chromium starts");
    browser.post("/timeouts", json!({ "script": 60_000 })).await.expect("script timeout");

    // The sandbox holds: nothing but the test server can be reached.
    browser.post("/url", json!({ "url": "https://cdn.jsdelivr.net/npm/axe-core/axe.min.js" })).await.ok();
    let href = browser.script("return location.href;", json!([])).await.expect("location");
    assert!(href.as_str().is_some_and(|h| h.starts_with("chrome-error://")), "a CDN was reachable: {href}");

    let figures = first_load(&browser, &app).await;
    browser.console().await.ok(); // the sandbox check's and /livez's own messages

    sign_in(&browser, &out).await;
    date_control(&browser).await;
    let (contract_id, contract) = dashboard(&browser, &app, &structure, &out).await;
    explanation(&browser, &contract_id, &contract, &out).await;
    let pages = decision(&browser, &app, &structure, &out).await;
    compatibility(&browser, &app, &structure, &out).await;
    forms(&browser, &app, &out).await;

    session_ends(&browser, &out).await;

    // No script error, no refused style or script (CSP violations are console errors); the one
    // expected failure is the wrong token's 401.
    let console = browser.console().await.expect("browser console");
    let errors: Vec<&Value> = console
        .iter()
        .filter(|e| e["level"] == "SEVERE")
        .filter(|e| !e["message"].as_str().is_some_and(|m| m.contains("/graphql") && m.contains("401")))
        .collect();
    assert!(errors.is_empty(), "browser console errors: {errors:#?}");

    // The printed dossier, looked at in the same browser's PDF viewer (a file: no network).
    let pdf = out.join("app-decision.pdf");
    browser.post("/url", json!({ "url": format!("file://{}", pdf.display()) })).await.expect("opens the PDF");
    tokio::time::sleep(Duration::from_secs(2)).await;
    browser.screenshot(&out.join("app-decision-pdf.png")).await.expect("screenshot");

    browser.close().await;
    drop(driver);
    app.stop().await;
    println!(
        "app browser test: first load {} B of page files (+{} B of GraphQL), dashboard in {:.0} ms, decision PDF {pages} page(s); \
         took {:.1} s; screenshots in {}",
        figures.page_bytes,
        figures.graphql_bytes,
        figures.dashboard_ms,
        started.elapsed().as_secs_f64(),
        out.display()
    );
}

#[test]
fn french_euros() {
    assert_eq!(euros("30000.00"), "30 000,00 €");
    assert_eq!(euros("-92185.08"), "-92 185,08 €");
    assert_eq!(euros("0.00"), "0,00 €");
    assert_eq!(euros("999.5"), "999,50 €");
    assert_eq!(euros("1234567.89"), "1 234 567,89 €");
}

#[test]
fn pdf_pages_are_counted_without_the_page_tree() {
    assert_eq!(pdf_pages(b"<< /Type /Pages /Kids [3 0 R 4 0 R] >> << /Type /Page >> << /Type/Page/Parent 2 0 R >>"), 2);
}

/// Sends the figures form and waits for its success message.
async fn submit_figures(browser: &Browser, figures: &str) {
    browser.click(&format!("{figures} button[type=submit]")).await.expect("submit");
    browser
        .wait_for(
            "the figures recorded",
            "return document.querySelector('form[data-form=figures] .form-result.ok') !== null;",
            json!([]),
            WAIT,
        )
        .await
        .expect("recorded");
}
