//! The CPAM connector through the service: refresh with the in-process stub, an outage, and
//! the concurrency of a structure refresh.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use server::demo;

use crate::helpers::{TestApp, settings};

const MEMBERS_WITH_FIGURES: &str = "query($id: ID!) { node(id: $id) { ... on Structure {
  members(first: 20) { edges { node { practitioner { rpps lastName
    cpamStatus { stale staleSince lastSuccessAt lastErrorCode }
    activityFigures { year pmt origin stale staleSince }
    aidSimulation(signedOn: \"2026-12-01\", option: HALF_ETP) { verdict failingRules missingInputs } } } } } } } }";

const REFRESH: &str = "mutation($id: ID!) { refreshStructureFromCpam(input: { structureId: $id }) {
  refreshed zone failures { practitioner { rpps } code } userErrors { code message } warnings { code } } }";

async fn demo_structure_id(app: &TestApp) -> String {
    let body = app.as_coordinator("{ structures(first: 1) { edges { node { id } } } }").await;
    body["data"]["structures"]["edges"][0]["node"]["id"].as_str().expect("demo structure").to_owned()
}

fn members(body: &Value) -> Vec<Value> {
    body["data"]["node"]["members"]["edges"]
        .as_array()
        .expect("members")
        .iter()
        .map(|e| e["node"]["practitioner"].clone())
        .collect()
}

#[tokio::test]
async fn refresh_fills_figures_and_a_cpam_outage_keeps_them_flagged_stale() {
    let dir = std::env::temp_dir().join(format!("amp-e2e-cpam-{}", std::process::id()));
    let url = format!("sqlite://{}/am-planner.db?mode=rwc", dir.display());

    // The default run: the in-process stub answers from the fixtures.
    let app = TestApp::start(settings(&url)).await;
    let id = demo_structure_id(&app).await;
    let (_, body) = app.graphql(Some(demo::DEMO_COORDINATOR_TOKEN), REFRESH, json!({ "id": id })).await;
    let r = &body["data"]["refreshStructureFromCpam"];
    assert_eq!(r["refreshed"], 8, "{body}");
    assert_eq!(r["failures"], json!([]));
    assert_eq!(r["zone"], "ZIP", "Bègles is in a ZIP since the 2025 re-zoning");
    let (_, body) = app.graphql(Some(demo::DEMO_COORDINATOR_TOKEN), MEMBERS_WITH_FIGURES, json!({ "id": id })).await;
    let doctors = members(&body);
    assert_eq!(doctors.len(), 8, "{body}");
    for d in &doctors {
        let figures = d["activityFigures"].as_array().expect("figures");
        assert!(figures.iter().any(|f| f["origin"] == "CPAM" && f["year"] == 2025), "{d}");
        assert_eq!(d["cpamStatus"]["stale"], false);
        assert!(d["aidSimulation"]["verdict"].is_string(), "each doctor's eligibility is visible: {d}");
    }
    let roux = doctors.iter().find(|d| d["lastName"] == "Roux").expect("Roux");
    assert_eq!(roux["activityFigures"][0]["pmt"], 40);
    let haddad = doctors.iter().find(|d| d["lastName"] == "Haddad").expect("Haddad");
    assert_eq!(haddad["aidSimulation"]["verdict"], "ELIGIBLE", "new install: the floor is waived: {haddad}");
    app.stop().await;

    // Same database, the CPAM down: the refresh fails clearly, figures stay and are stale.
    let mut down = settings(&url);
    down.cpam.stub_fail = true;
    down.cpam.client.max_retries = 1;
    down.cpam.client.backoff_base_ms = 1;
    let app = TestApp::start(down).await;
    let (_, body) = app.graphql(Some(demo::DEMO_COORDINATOR_TOKEN), REFRESH, json!({ "id": id })).await;
    let r = &body["data"]["refreshStructureFromCpam"];
    assert_eq!(r["refreshed"], 0, "{body}");
    let failures = r["failures"].as_array().expect("failures");
    assert_eq!(failures.len(), 8);
    assert!(failures.iter().all(|f| f["code"] == "CPAM_UNAVAILABLE"));
    let martin_id = {
        let b = app.as_coordinator("{ practitioner(rpps: \"10001234565\") { id } }").await;
        b["data"]["practitioner"]["id"].as_str().expect("id").to_owned()
    };
    let (_, body) = app
        .graphql(
            Some(demo::DEMO_COORDINATOR_TOKEN),
            "mutation($id: ID!) { refreshPractitionerFromCpam(input: { practitionerId: $id }) { practitioner { rpps } userErrors { code message } } }",
            json!({ "id": martin_id }),
        )
        .await;
    let e = &body["data"]["refreshPractitionerFromCpam"]["userErrors"][0];
    assert_eq!(e["code"], "CPAM_UNAVAILABLE", "{body}");
    assert!(e["message"].as_str().is_some_and(|m| m.contains("stale")), "{e}");
    let (_, body) = app.graphql(Some(demo::DEMO_COORDINATOR_TOKEN), MEMBERS_WITH_FIGURES, json!({ "id": id })).await;
    for d in members(&body) {
        assert_eq!(d["cpamStatus"]["stale"], true, "{d}");
        assert_eq!(d["cpamStatus"]["lastErrorCode"], "CPAM_UNAVAILABLE");
        let cpam_figures: Vec<&Value> =
            d["activityFigures"].as_array().expect("figures").iter().filter(|f| f["origin"] == "CPAM").collect();
        assert!(!cpam_figures.is_empty(), "earlier figures remain readable: {d}");
        assert!(cpam_figures.iter().all(|f| f["stale"] == true && f["staleSince"].is_string()), "{d}");
    }
    app.stop().await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn refreshing_25_doctors_runs_concurrently_within_the_limit() {
    use ameli_connector::stub::Fixtures;
    use domain::*;
    use persistence::import::{Dataset, ImportPractitioner};

    let fixtures = Fixtures::embedded().expect("fixtures");
    let since = Period::new(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("date"), None).expect("period");
    // The first 25 doctors of the fixtures (the stub knows a few more).
    let practitioners: Vec<ImportPractitioner> = fixtures
        .practitioners
        .iter()
        .take(25)
        .map(|p| ImportPractitioner {
            fields: PractitionerFields {
                rpps: Rpps::parse(&p.rpps).expect("valid"),
                first_name: p.first_name.clone(),
                last_name: p.last_name.clone(),
                specialty: Specialty::from_code(&p.specialty).expect("code"),
                sector: ConventionSector::Sector1,
                optam: Optam::None,
                practice_mode: PracticeMode::Liberal,
                mep: false,
                installed_on: None,
                birth_year: None,
                rqth: None,
            },
            memberships: vec![(0, true, since)],
            figures: vec![],
        })
        .collect();
    assert_eq!(practitioners.len(), 25);
    let data = Dataset {
        structures: vec![StructureFields {
            kind: StructureKind::Msp,
            legal_form: LegalForm::Sisa,
            name: "Twenty-five".into(),
            finess: None,
            siret: None,
            commune: InseeCommune::parse("33249").expect("valid"),
            projet_sante_validated_on: None,
            sisa_employer_group: true,
            training_site: None,
        }],
        practitioners,
        ..Dataset::default()
    };

    let mut s = settings("sqlite::memory:");
    s.demo.load_on_empty_database = false;
    s.cpam.stub_delay_ms = 50;
    s.cpam.client.max_concurrency = 8;
    let app = TestApp::start(s).await;
    app.store().import(&data).await.expect("dataset");
    let (_, body) = app
        .graphql(Some(demo::DEMO_ADMIN_TOKEN), "{ structures(first: 1) { edges { node { id } } } }", json!({}))
        .await;
    let id = body["data"]["structures"]["edges"][0]["node"]["id"].clone();

    let started = Instant::now();
    let (_, body) = app.graphql(Some(demo::DEMO_ADMIN_TOKEN), REFRESH, json!({ "id": id })).await;
    let elapsed = started.elapsed();
    let r = &body["data"]["refreshStructureFromCpam"];
    assert_eq!(r["refreshed"], 25, "{body}");
    // 25 doctors × 4 calls (profile, two years, contracts) + 1 zoning call = 101 calls of
    // 50 ms (the structure has no FINESS: no structure call), 8 at a time: at least 13 waves
    // (≥ 0.45 s asserted), far below one call after another (5 s).
    println!("refreshed 25 practitioners (101 CPAM calls, 50 ms each, 8 in flight) in {} ms", elapsed.as_millis());
    assert!(elapsed >= Duration::from_millis(450), "the concurrency limit holds: {elapsed:?}");
    assert!(elapsed < Duration::from_millis(2_500), "calls run concurrently: {elapsed:?}");
    app.stop().await;
}

const STRUCTURE_CONTRACTS: &str = "query($id: ID!) { node(id: $id) { ... on Structure {
  cpamAciContract { reference signedOn years { year points paid } coordinationEtp coordinationHolder fetchedAt }
  contracts(first: 50) { edges { node { id signedOn cpamReference factsUsed practitioner { rpps } } } } } } }";

const CONTRACT: &str = "query($id: ID!) { node(id: $id) { ... on AidContract {
  option signedOn cpamReference factsUsed
  cpam { reference option signedOn fetchedAt }
  discrepancies { field recorded cpam }
  evaluation(asOf: \"2026-12-01\") { ... on IndividualSimulation { schedule { maximum } } } } } }";

const REFRESH_CONTRACTS: &str = "mutation($id: ID!) { refreshStructureFromCpam(input: { structureId: $id }) {
  refreshed contracts { reference outcome reason unknownMemberRpps contract { id } }
  cpamAciContract { reference } userErrors { code } warnings { code } } }";

const UPDATE: &str = "mutation($input: UpdateAidContractInput!) { updateAidContract(input: $input) {
  contract { id cpamReference option } userErrors { field code } } }";

/// The contracts typed in by hand are given their CPAM references; the refresh then links the
/// CPAM's copies to them (never a second record), both facts show where they disagree, the
/// evaluation reads the CPAM's, and the structure's ACI contract is the CPAM's copy.
#[tokio::test]
async fn cpam_contracts_are_matched_by_reference_and_both_facts_show() {
    use ameli_connector::stub::Fixtures;

    let app = TestApp::start(settings("sqlite::memory:")).await;
    let token = Some(demo::DEMO_COORDINATOR_TOKEN);
    let id = demo_structure_id(&app).await;
    let fixtures = Fixtures::embedded().expect("fixtures");
    let (_, body) = app.graphql(token, STRUCTURE_CONTRACTS, json!({ "id": id })).await;
    let typed: Vec<Value> = body["data"]["node"]["contracts"]["edges"]
        .as_array()
        .expect("contracts")
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert!(typed.len() >= 2, "{body}");
    // The demo's contracts carry the CPAM's references; before a refresh there is no copy yet.
    assert!(typed.iter().all(|c| c["cpamReference"].is_string() && c["factsUsed"] == "RECORDED"), "{body}");
    assert_eq!(body["data"]["node"]["cpamAciContract"], Value::Null, "no copy before a refresh");

    // Each hand-typed contract gets the reference the CPAM has for its signer and signature;
    // Martin's is typed as 1/2 ETP where the CPAM has 1/3.
    let mut martin = None;
    for c in &typed {
        let rpps = c["practitioner"]["rpps"].as_str().expect("an individual contract");
        let reference = fixtures.practitioner_contracts[rpps]
            .iter()
            .find(|k| k.signed_on.to_string() == c["signedOn"].as_str().expect("a date"))
            .map(|k| k.reference.clone())
            .expect("the CPAM has it");
        let mut input = json!({ "id": c["id"], "cpamReference": reference });
        if rpps == "10001234565" {
            input["option"] = json!("HALF_ETP");
            martin = Some((c["id"].clone(), reference));
        }
        let (_, body) = app.graphql(token, UPDATE, json!({ "input": input })).await;
        assert_eq!(body["data"]["updateAidContract"]["userErrors"], json!([]), "{body}");
    }
    let (martin_id, martin_reference) = martin.expect("Martin's contract");

    // A second contract with the same reference is a typed user error.
    let other = typed.iter().find(|c| c["id"] != martin_id).expect("another contract");
    let (_, body) =
        app.graphql(token, UPDATE, json!({ "input": { "id": other["id"], "cpamReference": martin_reference } })).await;
    let e = &body["data"]["updateAidContract"];
    assert_eq!(e["contract"], Value::Null, "{body}");
    assert_eq!(
        e["userErrors"],
        json!([{ "field": ["input", "cpamReference"], "code": "CPAM_REFERENCE_ALREADY_EXISTS" }])
    );

    // Refreshed twice: every CPAM contract linked to its record, then refreshed; none created.
    for expected in ["LINKED", "REFRESHED"] {
        let (_, body) = app.graphql(token, REFRESH_CONTRACTS, json!({ "id": id })).await;
        let r = &body["data"]["refreshStructureFromCpam"];
        assert_eq!(r["userErrors"], json!([]), "{body}");
        let outcomes = r["contracts"].as_array().expect("contracts");
        assert_eq!(outcomes.len(), typed.len(), "{body}");
        assert!(outcomes.iter().all(|o| o["outcome"] == expected && o["contract"]["id"].is_string()), "{body}");
        assert_eq!(r["cpamAciContract"]["reference"], "CPAM33-ACI-2020-0015");
    }
    let (_, body) = app.graphql(token, STRUCTURE_CONTRACTS, json!({ "id": id })).await;
    let structure = &body["data"]["node"];
    assert_eq!(structure["contracts"]["edges"].as_array().map(Vec::len), Some(typed.len()), "no duplicate: {body}");
    let aci = &structure["cpamAciContract"];
    assert_eq!(
        aci["years"],
        json!([
            { "year": 2024, "points": 9850, "paid": "68950.00" },
            { "year": 2025, "points": 10420, "paid": "72940.00" }
        ])
    );
    assert_eq!((&aci["coordinationEtp"], &aci["coordinationHolder"]), (&json!("3/10"), &json!("Inès Petit")));
    assert!(aci["fetchedAt"].is_string());

    // Martin's contract: as typed, the CPAM's copy beside it, and the evaluation on the CPAM's.
    let (_, body) = app.graphql(token, CONTRACT, json!({ "id": martin_id })).await;
    let c = &body["data"]["node"];
    assert_eq!(
        (&c["option"], &c["cpamReference"], &c["factsUsed"]),
        (&json!("HALF_ETP"), &json!(martin_reference), &json!("CPAM")),
        "{body}"
    );
    assert_eq!((&c["cpam"]["option"], &c["cpam"]["signedOn"]), (&json!("ONE_THIRD_ETP"), &c["signedOn"]));
    assert!(c["cpam"]["fetchedAt"].is_string());
    assert_eq!(c["discrepancies"], json!([{ "field": "OPTION", "recorded": "HALF_ETP", "cpam": "ONE_THIRD_ETP" }]));
    let simulated = |option: &str| {
        format!(
            "{{ practitioner(rpps: \"10001234565\") {{ aidSimulation(signedOn: {}, option: {option}) {{ schedule {{ maximum }} }} }} }}",
            c["signedOn"]
        )
    };
    let third = app.as_coordinator(&simulated("ONE_THIRD_ETP")).await;
    let half = app.as_coordinator(&simulated("HALF_ETP")).await;
    let schedule = &c["evaluation"]["schedule"];
    assert_eq!(schedule, &third["data"]["practitioner"]["aidSimulation"]["schedule"], "the CPAM's 1/3 ETP: {body}");
    assert_ne!(schedule, &half["data"]["practitioner"]["aidSimulation"]["schedule"], "not the typed 1/2 ETP");
    app.stop().await;
}
