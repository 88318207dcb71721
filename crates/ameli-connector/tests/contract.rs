//! Contract tests: the client against wiremock, endpoint by endpoint and failure by failure,
//! with bodies taken from the shared fixture file; the OpenAPI document's own checks; the stub.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use ameli_connector::dto::*;
use ameli_connector::stub::{CpamStub, Fixtures, StubOptions};
use ameli_connector::{BreakerState, CpamClient, CpamConfig, CpamError};
use chrono::NaiveDate;
use domain::rules::individual::Zone;
use domain::{ActivityBand, ContractKind, ConventionSector, Finess, InseeCommune, Rpps, Specialty};
use serde_json::Value;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "contract-test-token";
const MARTIN: &str = "10001234565";

fn fixtures() -> Fixtures {
    Fixtures::embedded().expect("fixtures parse")
}

fn config(server: &MockServer) -> CpamConfig {
    let mut c = CpamConfig::new(server.uri(), TOKEN);
    c.request_timeout_ms = 300;
    c.connect_timeout_ms = 300;
    c.backoff_base_ms = 5;
    c.backoff_max_ms = 20;
    c.retry_after_max_ms = 2_000;
    c.cache_ttl_seconds = 0;
    c
}

fn client(server: &MockServer) -> CpamClient {
    CpamClient::new(config(server)).expect("client builds")
}

fn rpps(s: &str) -> Rpps {
    Rpps::parse(s).expect("valid RPPS")
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("valid date")
}

fn ok(body: impl serde::Serialize) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn get(p: &str) -> wiremock::MockBuilder {
    Mock::given(method("GET")).and(path(p)).and(header("authorization", format!("Bearer {TOKEN}").as_str()))
}

/// operationIds of the contract that have an endpoint test below.
const TESTED: &[&str] = &[
    "getPractitioner",
    "getActivity",
    "getDistribution",
    "getZoning",
    "getPractitionerContracts",
    "getStructureContracts",
    "getAciContract",
];

// ---------------------------------------------------------------- endpoints

#[tokio::test]
async fn get_practitioner() {
    let server = MockServer::start().await;
    let f = fixtures();
    get("/v1/practitioners/10001234565").respond_with(ok(f.practitioner(MARTIN))).expect(1).mount(&server).await;
    let p = client(&server).practitioner(&rpps(MARTIN)).await.expect("mapped");
    assert_eq!(
        (p.last_name.as_str(), p.specialty, p.sector),
        ("Martin", Specialty::GeneralPractice, ConventionSector::Sector1)
    );
    assert_eq!(p.installed_on, Some(day("2012-09-03")));
    assert_eq!(p.commune.as_ref().map(InseeCommune::as_str), Some("33039"));
    assert_eq!(p.am_numbers[0].0.category(), 1);
}

#[tokio::test]
async fn get_activity() {
    let server = MockServer::start().await;
    let f = fixtures();
    get("/v1/practitioners/10001234565/activity")
        .and(query_param("year", "2025"))
        .respond_with(ok(f.activity(MARTIN, 2025)))
        .expect(1)
        .mount(&server)
        .await;
    let a = client(&server).activity(&rpps(MARTIN), 2025).await.expect("mapped");
    assert_eq!((a.pmt, a.adult_pmt, a.file_active), (Some(1262), Some(1083), Some(2240)));
    assert_eq!((a.ccam_share_bp, a.band), (Some(200), Some(ActivityBand::P50P70)));
}

#[tokio::test]
async fn get_distribution() {
    let server = MockServer::start().await;
    let f = fixtures();
    let d = f.distributions.iter().find(|d| d.specialty == "GENERAL_PRACTICE" && d.year == 2025).expect("fixture");
    get("/v1/specialties/GENERAL_PRACTICE/distribution")
        .and(query_param("year", "2025"))
        .respond_with(ok(d))
        .expect(1)
        .mount(&server)
        .await;
    let got = client(&server).distribution(Specialty::GeneralPractice, 2025).await.expect("mapped");
    assert_eq!((got.percentiles.p30, got.percentiles.p50), (775, 1045));
}

#[tokio::test]
async fn get_zoning() {
    let server = MockServer::start().await;
    let f = fixtures();
    let z = f.zoning_on("33039", day("2026-11-23")).expect("fixture");
    get("/v1/zoning/33039").and(query_param("date", "2026-11-23")).respond_with(ok(z)).expect(1).mount(&server).await;
    let commune = InseeCommune::parse("33039").expect("valid");
    let got = client(&server).zoning(&commune, day("2026-11-23")).await.expect("mapped");
    assert_eq!((got.zone, got.valid_from), (Zone::Zip, day("2025-05-16")));
}

#[tokio::test]
async fn get_practitioner_contracts() {
    let server = MockServer::start().await;
    let f = fixtures();
    let list = ContractListDto { contracts: f.practitioner_contracts[MARTIN].clone() };
    get("/v1/practitioners/10001234565/aid-contracts").respond_with(ok(list)).expect(1).mount(&server).await;
    let got = client(&server).practitioner_contracts(&rpps(MARTIN)).await.expect("mapped");
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].kind, got[0].signed_on), (ContractKind::Individual, day("2021-03-01")));
}

#[tokio::test]
async fn get_structure_contracts() {
    let server = MockServer::start().await;
    let f = fixtures();
    let list = ContractListDto { contracts: f.structure_contracts["330042185"].clone() };
    get("/v1/structures/330042185/aid-contracts").respond_with(ok(list)).expect(1).mount(&server).await;
    let got = client(&server).structure_contracts(&Finess::parse("330042185").expect("valid")).await.expect("mapped");
    assert_eq!(got[0].kind, ContractKind::Collective);
    assert_eq!(got[0].members.len(), 2);
    assert_eq!(got[0].funded_etp.map(|e| e.to_string()), Some("2".into()));
}

#[tokio::test]
async fn get_aci_contract() {
    let server = MockServer::start().await;
    let f = fixtures();
    let aci = f.aci_contracts.iter().find(|a| a.finess == "330042177").expect("fixture");
    get("/v1/structures/330042177/aci-contract").respond_with(ok(aci)).expect(1).mount(&server).await;
    let got = client(&server).aci_contract(&Finess::parse("330042177").expect("valid")).await.expect("mapped");
    assert_eq!(got.reference, "CPAM33-ACI-2020-0015");
    let years: Vec<_> = got.years.iter().map(|y| (y.year, y.points, y.paid.map(|p| p.to_string()))).collect();
    assert_eq!(years, vec![(2024, 9850, Some("68950.00".into())), (2025, 10420, Some("72940.00".into()))]);
    assert_eq!(got.coordination_etp.map(|e| e.to_string()), Some("3/10".into()));
    assert_eq!(got.coordination_holder.as_deref(), Some("Inès Petit"));
}

#[tokio::test]
async fn an_aci_contract_without_a_reference_or_with_a_bad_amount_is_refused() {
    let server = MockServer::start().await;
    let f = fixtures();
    let aci = f.aci_contracts.iter().find(|a| a.finess == "330042185").expect("fixture");
    let mut unreferenced = serde_json::to_value(aci).expect("json");
    unreferenced.as_object_mut().expect("an object").remove("reference");
    get("/v1/structures/330042185/aci-contract").respond_with(ok(unreferenced)).mount(&server).await;
    let err = client(&server).aci_contract(&Finess::parse("330042185").expect("valid")).await.expect_err("refused");
    assert!(matches!(err, CpamError::InvalidResponse(_)), "{err:?}");

    let server = MockServer::start().await;
    let mut float_paid = aci.clone();
    float_paid.points_by_year[0].paid = Some("49,700.00".into());
    get("/v1/structures/330042185/aci-contract").respond_with(ok(float_paid)).mount(&server).await;
    let err = client(&server).aci_contract(&Finess::parse("330042185").expect("valid")).await.expect_err("refused");
    assert!(matches!(err, CpamError::InvalidResponse(ref m) if m.contains("paid")), "{err:?}");
}

// ---------------------------------------------------------------- failure modes

fn error_body(code: &str) -> Value {
    serde_json::json!({ "code": code, "message": "test" })
}

#[tokio::test]
async fn not_found_is_typed_and_not_retried() {
    let server = MockServer::start().await;
    get("/v1/practitioners/10001234565")
        .respond_with(ResponseTemplate::new(404).set_body_json(error_body("NOT_FOUND")))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(client(&server).practitioner(&rpps(MARTIN)).await, Err(CpamError::NotFound));
}

#[tokio::test]
async fn unauthorised_is_typed_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(error_body("UNAUTHORIZED")))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(client(&server).practitioner(&rpps(MARTIN)).await, Err(CpamError::Unauthorized));
}

#[tokio::test]
async fn a_server_error_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    get("/v1/practitioners/10001234565")
        .respond_with(ResponseTemplate::new(500).set_body_json(error_body("UNAVAILABLE")))
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    get("/v1/practitioners/10001234565")
        .respond_with(ok(fixtures().practitioner(MARTIN)))
        .expect(1)
        .with_priority(2)
        .mount(&server)
        .await;
    let p = client(&server).practitioner(&rpps(MARTIN)).await.expect("second attempt succeeds");
    assert_eq!(p.last_name, "Martin");
}

#[tokio::test]
async fn retries_are_bounded() {
    let server = MockServer::start().await;
    get("/v1/practitioners/10001234565").respond_with(ResponseTemplate::new(503)).expect(4).mount(&server).await;
    let err = client(&server).practitioner(&rpps(MARTIN)).await.expect_err("gives up");
    assert!(matches!(err, CpamError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn rate_limit_waits_for_retry_after() {
    let server = MockServer::start().await;
    get("/v1/practitioners/10001234565")
        .respond_with(
            ResponseTemplate::new(429).insert_header("Retry-After", "1").set_body_json(error_body("RATE_LIMITED")),
        )
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    get("/v1/practitioners/10001234565")
        .respond_with(ok(fixtures().practitioner(MARTIN)))
        .expect(1)
        .with_priority(2)
        .mount(&server)
        .await;
    let started = Instant::now();
    client(&server).practitioner(&rpps(MARTIN)).await.expect("succeeds after waiting");
    assert!(started.elapsed() >= Duration::from_millis(950), "waited {:?}", started.elapsed());
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_gives_up_at_once() {
    let server = MockServer::start().await;
    get("/v1/practitioners/10001234565")
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    let err = client(&server).practitioner(&rpps(MARTIN)).await.expect_err("rate limited");
    assert!(matches!(&err, CpamError::Unavailable(m) if m.contains("rate limited")), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[tokio::test]
async fn a_delay_beyond_the_timeout_is_unavailable() {
    let server = MockServer::start().await;
    get("/v1/practitioners/10001234565")
        .respond_with(ok(fixtures().practitioner(MARTIN)).set_delay(Duration::from_millis(800)))
        .expect(2)
        .mount(&server)
        .await;
    let mut c = config(&server);
    c.max_retries = 1;
    let err = CpamClient::new(c).expect("client").practitioner(&rpps(MARTIN)).await.expect_err("times out");
    assert!(matches!(&err, CpamError::Unavailable(m) if m.contains("timed out")), "{err:?}");
}

#[tokio::test]
async fn malformed_json_is_an_invalid_response() {
    let server = MockServer::start().await;
    get("/v1/practitioners/10001234565")
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"rpps\": "))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).practitioner(&rpps(MARTIN)).await.expect_err("malformed");
    assert!(matches!(&err, CpamError::InvalidResponse(m) if m.contains("malformed JSON")), "{err:?}");
}

#[tokio::test]
async fn an_answer_about_someone_else_is_refused() {
    let server = MockServer::start().await;
    let other = fixtures().practitioner("10002345675").cloned().expect("fixture");
    get("/v1/practitioners/10001234565").respond_with(ok(other)).expect(1).mount(&server).await;
    let err = client(&server).practitioner(&rpps(MARTIN)).await.expect_err("wrong identifier");
    assert!(matches!(&err, CpamError::InvalidResponse(m) if m.contains("10002345675")), "{err:?}");
    // A malformed identifier in the payload is refused too.
    let server = MockServer::start().await;
    let mut bad = fixtures().practitioner(MARTIN).cloned().expect("fixture");
    bad.am_numbers[0].number = "12".into();
    get("/v1/practitioners/10001234565").respond_with(ok(bad)).expect(1).mount(&server).await;
    let err = client(&server).practitioner(&rpps(MARTIN)).await.expect_err("bad AM number");
    assert!(matches!(&err, CpamError::InvalidResponse(m) if m.contains("amNumbers")), "{err:?}");
}

#[tokio::test]
async fn the_breaker_opens_and_recovers() {
    let server = MockServer::start().await;
    let failing = get("/v1/practitioners/10001234565")
        .respond_with(ResponseTemplate::new(500))
        .named("failing")
        .mount_as_scoped(&server)
        .await;
    let mut c = config(&server);
    c.max_retries = 0;
    c.breaker_failures = 2;
    c.breaker_cooldown_ms = 200;
    let client = CpamClient::new(c).expect("client");
    for _ in 0..2 {
        assert!(client.practitioner(&rpps(MARTIN)).await.is_err());
    }
    assert_eq!(client.breaker_state(), BreakerState::Open);
    let err = client.practitioner(&rpps(MARTIN)).await.expect_err("fails fast");
    assert!(matches!(&err, CpamError::Unavailable(m) if m.contains("circuit open")), "{err:?}");
    assert_eq!(failing.received_requests().await.len(), 2, "an open circuit sends nothing");
    drop(failing);

    get("/v1/practitioners/10001234565")
        .respond_with(ok(fixtures().practitioner(MARTIN)))
        .expect(1)
        .mount(&server)
        .await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(client.breaker_state(), BreakerState::HalfOpen);
    client.practitioner(&rpps(MARTIN)).await.expect("the trial call succeeds");
    assert_eq!(client.breaker_state(), BreakerState::Closed);
}

#[tokio::test]
async fn a_cache_hit_sends_no_second_request() {
    let server = MockServer::start().await;
    get("/v1/practitioners/10001234565")
        .respond_with(ok(fixtures().practitioner(MARTIN)))
        .expect(1)
        .mount(&server)
        .await;
    let mut c = config(&server);
    c.cache_ttl_seconds = 60;
    let client = CpamClient::new(c).expect("client");
    let first = client.practitioner(&rpps(MARTIN)).await.expect("first");
    let second = client.practitioner(&rpps(MARTIN)).await.expect("cached");
    assert_eq!(first, second);
}

#[tokio::test]
async fn concurrency_is_limited() {
    let server = MockServer::start().await;
    let f = fixtures();
    for p in &f.practitioners {
        get(&format!("/v1/practitioners/{}", p.rpps))
            .respond_with(ok(p).set_delay(Duration::from_millis(100)))
            .mount(&server)
            .await;
    }
    let mut c = config(&server);
    c.max_concurrency = 5;
    c.request_timeout_ms = 2_000;
    let client = CpamClient::new(c).expect("client");
    let started = Instant::now();
    let calls = f.practitioners.iter().take(20).map(|p| {
        let client = client.clone();
        let r = rpps(&p.rpps);
        async move { client.practitioner(&r).await }
    });
    let results = futures_join(calls).await;
    assert!(results.iter().all(Result::is_ok));
    let elapsed = started.elapsed();
    // 20 calls of 100 ms, 5 at a time: four waves (0.4 s); unbounded would take one (0.1 s),
    // one after another twenty (2 s).
    assert!(elapsed >= Duration::from_millis(380) && elapsed < Duration::from_millis(1_600), "{elapsed:?}");
}

async fn futures_join<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.expect("task joins"));
    }
    out
}

// ---------------------------------------------------------------- the contract document

fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    doc.pointer(pointer)
}

fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    if let Some(s) = v.as_str() {
                        out.push(s.to_owned());
                    }
                } else {
                    refs(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// Checks a JSON value against the subset of JSON Schema the contract uses.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return conforms(doc, resolve(doc, r).ok_or(format!("{at}: unresolved {r}"))?, value, at);
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let allowed = types.is_empty() || types.contains(&kind) || (kind == "integer" && types.contains(&"number"));
    if !allowed {
        return Err(format!("{at}: {kind} where the schema wants {types:?}"));
    }
    if let Some(Value::Array(allowed)) = schema.get("enum")
        && !allowed.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let (Some(Value::Array(required)), Value::Object(obj)) = (schema.get("required"), value) {
        for r in required.iter().filter_map(Value::as_str) {
            if !obj.contains_key(r) {
                return Err(format!("{at}: missing required `{r}`"));
            }
        }
    }
    if let (Some(Value::Object(props)), Value::Object(obj)) = (schema.get("properties"), value) {
        for (k, v) in obj {
            let sub = props.get(k).ok_or(format!("{at}: `{k}` is not in the schema"))?;
            conforms(doc, sub, v, &format!("{at}.{k}"))?;
        }
    }
    if let (Some(items), Value::Array(values)) = (schema.get("items"), value) {
        for (i, v) in values.iter().enumerate() {
            conforms(doc, items, v, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

#[test]
fn the_openapi_document_is_valid_and_every_endpoint_is_tested() {
    let doc: Value = serde_json::from_str(ameli_connector::OPENAPI).expect("the contract is JSON");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1.")), "OpenAPI 3.1");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    assert!(doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer");
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in &all {
        assert!(resolve(&doc, r).is_some(), "unresolved $ref {r}");
    }
    let mut operations = BTreeSet::new();
    for (p, item) in doc["paths"].as_object().expect("paths") {
        for (verb, op) in item.as_object().expect("path item") {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{verb} {p} has an operationId"));
            assert!(operations.insert(id.to_owned()), "duplicate operationId {id}");
            for param in op["parameters"].as_array().into_iter().flatten() {
                if param["in"] == "path" {
                    assert!(
                        p.contains(&format!("{{{}}}", param["name"].as_str().unwrap_or(""))),
                        "{id}: path parameter in the path"
                    );
                }
            }
            let ok = &op["responses"]["200"]["content"]["application/json"];
            let example = &ok["example"];
            assert!(!example.is_null(), "{id} has an example");
            conforms(&doc, &ok["schema"], example, id).unwrap_or_else(|e| panic!("{id} example: {e}"));
            for status in ["401", "404", "429", "500"] {
                assert!(op["responses"].get(status).is_some(), "{id} documents {status}");
            }
        }
    }
    let tested: BTreeSet<String> = TESTED.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(operations, tested, "every endpoint of the contract has a contract test, and only those");
}

#[test]
fn every_fixture_follows_the_contract_and_maps_into_the_domain() {
    let doc: Value = serde_json::from_str(ameli_connector::OPENAPI).expect("the contract is JSON");
    let schema = |name: &str| serde_json::json!({ "$ref": format!("#/components/schemas/{name}") });
    let f = fixtures();
    for p in &f.practitioners {
        conforms(&doc, &schema("Practitioner"), &serde_json::to_value(p).expect("json"), &p.rpps).expect("conforms");
        p.clone().into_domain(&rpps(&p.rpps)).unwrap_or_else(|e| panic!("{}: {e}", p.rpps));
    }
    for a in &f.activity {
        conforms(&doc, &schema("Activity"), &serde_json::to_value(a).expect("json"), &a.rpps).expect("conforms");
        a.clone().into_domain(&rpps(&a.rpps), a.year).unwrap_or_else(|e| panic!("{} {}: {e}", a.rpps, a.year));
    }
    for d in &f.distributions {
        d.clone().into_domain().expect("distribution maps");
    }
    for list in f.practitioner_contracts.values().chain(f.structure_contracts.values()) {
        for c in list {
            conforms(&doc, &schema("Contract"), &serde_json::to_value(c).expect("json"), &c.reference)
                .expect("conforms");
            c.clone().into_domain().expect("contract maps");
        }
    }
    for a in &f.aci_contracts {
        conforms(&doc, &schema("AciContract"), &serde_json::to_value(a).expect("json"), &a.finess).expect("conforms");
        a.clone().into_domain(&Finess::parse(&a.finess).expect("valid")).expect("ACI maps");
    }
    // The dataset the stub promises (issue: a realistic set across specialties and regimes).
    assert!(f.practitioners.len() >= 25, "{} practitioners", f.practitioners.len());
    let has = |pred: &dyn Fn(&PractitionerDto) -> bool| f.practitioners.iter().any(pred);
    assert!(has(&|p| p.specialty == "RADIOLOGY"), "a radiologist");
    assert!(has(&|p| p.sector == "SECTOR_2" && p.optam == "NONE"), "a sector-2 doctor without OPTAM");
    assert!(has(&|p| p.mep), "an MEP");
    assert!(has(&|p| p.installed_on.is_some_and(|d| d >= day("2024-01-01"))), "a new install");
    assert!(f.activity.iter().any(|a| a.band.as_deref() == Some("P95_PLUS")), "a doctor at P95-plus");
    assert!(
        f.activity.iter().any(|a| {
            let surgeon = f.practitioner(&a.rpps).is_some_and(|p| p.specialty.ends_with("SURGERY"));
            surgeon && a.ccam_share.as_deref().and_then(|s| s.parse::<f64>().ok()).is_some_and(|s| s > 0.2)
        }),
        "a surgeon with a high CCAM share"
    );
    let specialties: BTreeSet<&str> = f.distributions.iter().map(|d| d.specialty.as_str()).collect();
    assert!(specialties.contains("GENERAL_PRACTICE") && specialties.len() >= 6, "{specialties:?}");
    let zones: BTreeSet<&str> = f.zoning.iter().flat_map(|z| z.periods.iter().map(|p| p.zone.as_str())).collect();
    assert_eq!(zones, BTreeSet::from(["HZ", "ZAC", "ZIP"]));
    let signed: Vec<NaiveDate> = f.practitioner_contracts.values().flatten().map(|c| c.signed_on).collect();
    for (from, to) in [
        ("2019-08-21", "2020-03-10"),
        ("2020-03-11", "2023-04-30"),
        ("2023-05-01", "2024-06-21"),
        ("2024-06-22", "2026-02-24"),
        ("2026-02-25", "2030-01-01"),
    ] {
        assert!(signed.iter().any(|d| *d >= day(from) && *d <= day(to)), "a contract signed between {from} and {to}");
    }
}

// ---------------------------------------------------------------- the stub

#[tokio::test]
async fn the_stub_serves_the_fixtures_as_the_contract_says() {
    let options = StubOptions { token: TOKEN.into(), delay: Duration::ZERO, fail: false };
    let stub = CpamStub::start(fixtures(), options.clone()).await;
    let client = CpamClient::new(CpamConfig::new(stub.base_url(), TOKEN)).expect("client");
    let p = client.practitioner(&rpps("10007890121")).await.expect("served");
    assert_eq!(p.specialty, Specialty::Cardiology);
    let a = client.activity(&rpps("10007890121"), 2025).await.expect("served");
    assert_eq!(a.ccam_share_bp, Some(3000));
    let z = client.zoning(&InseeCommune::parse("33039").expect("valid"), day("2024-01-15")).await.expect("served");
    assert_eq!(z.zone, Zone::Zac, "before the 2025 re-zoning");
    assert_eq!(client.practitioner(&rpps("10003461034")).await, Err(CpamError::NotFound));

    let wrong = CpamClient::new(CpamConfig::new(stub.base_url(), "another-token")).expect("client");
    assert_eq!(wrong.practitioner(&rpps(MARTIN)).await, Err(CpamError::Unauthorized));

    let failing = CpamStub::start(fixtures(), StubOptions { fail: true, ..options }).await;
    let mut c = CpamConfig::new(failing.base_url(), TOKEN);
    c.backoff_base_ms = 1;
    c.max_retries = 1;
    let err = CpamClient::new(c).expect("client").practitioner(&rpps(MARTIN)).await.expect_err("fails");
    assert!(matches!(err, CpamError::Unavailable(_)), "{err:?}");
}
