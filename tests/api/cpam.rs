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
    // 25 doctors × 3 calls (profile, two years) + 1 zoning call = 76 calls of 50 ms, 8 at a
    // time: at least 10 waves (≥ 0.45 s), far below one call after another (3.8 s).
    println!("refreshed 25 practitioners (76 CPAM calls, 50 ms each, 8 in flight) in {} ms", elapsed.as_millis());
    assert!(elapsed >= Duration::from_millis(450), "the concurrency limit holds: {elapsed:?}");
    assert!(elapsed < Duration::from_millis(2_500), "calls run concurrently: {elapsed:?}");
    app.stop().await;
}
