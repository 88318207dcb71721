//! The structure dashboard and the individual-vs-collective comparison over HTTP, on the demo
//! data seen on 2026-12-01 (the README's "The structure dashboard" and "Should we switch to the
//! collective contract?"). Each test runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.

use persistence::Store;
use serde_json::{Value, json};
use server::demo;

use crate::helpers::TestApp;

const DASHBOARD: &str = r#"{ structures(first: 1) { edges { node { dashboard(asOf: "2026-12-01") {
  thisYear { maximum payable payableUnknown }
  standing { collective { verdict adhering meanPmt etpCap fundedEtp leftOut { practitionerId name rules } } }
  members { practitionerId name
    contracts { contractId status signedOn option contractYear maximum payable }
    offer { option verdict failingRules undecidedRules missingInputs reason } }
  collectiveContracts { contractId status signedOn contractYear maximum payable }
  assistants { assistantId name contractualEtp assignedEtp fundedEtp fundedBy { contractId etp }
    qualificationDeadline explanation { rules { rule outcome } } }
  forecast { contracts { contractId years { contractYear } } }
  deadlines { on kind contractId assistantId practitionerId detail }
} } } } }"#;

/// One stored contract evaluated on its own, as `AidContract.evaluation` answers.
const EVALUATION: &str = r#"query($id: ID!) { node(id: $id) { ... on AidContract { evaluation(asOf: "2026-12-01") {
  ... on IndividualSimulation { year { contractYear maximum } payable }
  ... on CollectiveSimulation { year { contractYear maximum } payable } } } } }"#;

const COMPARISON: &str = r#"query($funded: String) { structures(first: 1) { edges { node {
  comparison(startOn: "2026-12-01", fundedEtp: $funded) {
    totalDifference recommendation { choice confidence reason }
    individual { total leftOut { practitionerId rules } undecided { name } }
    collective { total lines { practitionerId kind fundedEtp } leftOut { practitionerId rules }
      closings { contractId lost }
      collective { verdict explanation { rules { rule outcome inputs { name value } } } } } } } } } }"#;

const CARON: &str = "Étienne Caron (10026789015)";

async fn as_coordinator(app: &TestApp, query: &str, variables: Value) -> Value {
    let (status, body) = app.graphql(Some(demo::DEMO_COORDINATOR_TOKEN), query, variables).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn dashboard(app: &TestApp) -> Value {
    let body = as_coordinator(app, DASHBOARD, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["structures"]["edges"][0]["node"]["dashboard"].clone()
}

fn list(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

fn member<'a>(d: &'a Value, name: &str) -> &'a Value {
    list(&d["members"]).iter().find(|m| m["name"] == name).unwrap_or_else(|| panic!("no member {name}: {d}"))
}

fn assistant<'a>(d: &'a Value, name: &str) -> &'a Value {
    list(&d["assistants"]).iter().find(|a| a["name"] == name).unwrap_or_else(|| panic!("no assistant {name}: {d}"))
}

/// Every contract the dashboard lists: the members' individual ones and the collective ones.
fn contracts(d: &Value) -> Vec<&Value> {
    list(&d["members"]).iter().flat_map(|m| list(&m["contracts"])).chain(list(&d["collectiveContracts"])).collect()
}

/// Money as cents: "19000.00" is 1_900_000. Money always travels with two decimals.
fn cents(money: &Value) -> i64 {
    let text = money.as_str().unwrap_or_else(|| panic!("not money: {money}"));
    let (euros, cents) = text.split_once('.').unwrap_or_else(|| panic!("no cents: {text}"));
    assert_eq!(cents.len(), 2, "{text}");
    euros.parse::<i64>().expect("euros") * 100 + cents.parse::<i64>().expect("cents")
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no error code: {body}"))
}

/// `thisYear` is the sum of each contract's own evaluation on the day, and each contract's
/// figures in the dashboard are its evaluation's.
async fn this_year_is_the_sum_of_the_contracts_own_evaluations(store: Store) {
    let app = TestApp::start_with_store(store).await;
    let d = dashboard(&app).await;
    let contracts = contracts(&d);
    // Roux 2019, Martin, Bernard and Lefebvre 2021, Garnier 2024, Bernard 2026.
    assert_eq!(contracts.len(), 6, "{d}");
    let (mut maximum, mut payable, mut unknown) = (0, 0, 0);
    for c in contracts {
        let body = as_coordinator(&app, EVALUATION, json!({ "id": c["contractId"] })).await;
        assert!(body.get("errors").is_none(), "{body}");
        let e = &body["data"]["node"]["evaluation"];
        assert_eq!(c["maximum"], e["year"]["maximum"], "{c} vs {e}");
        assert_eq!(c["contractYear"], e["year"]["contractYear"], "{c} vs {e}");
        assert_eq!(c["payable"], e["payable"], "{c} vs {e}");
        if !e["year"].is_null() {
            maximum += cents(&e["year"]["maximum"]);
        }
        match &e["payable"] {
            Value::Null => unknown += 1,
            p => payable += cents(p),
        }
    }
    assert_eq!(cents(&d["thisYear"]["maximum"]), maximum, "{}", d["thisYear"]);
    assert_eq!(cents(&d["thisYear"]["payable"]), payable, "{}", d["thisYear"]);
    assert_eq!(d["thisYear"]["payableUnknown"], unknown);
    // The README's figures: Bernard's 1/2 ETP in its year 1 (19,000) and Garnier's in its
    // year 3 (11,000, objective met).
    assert_eq!(d["thisYear"], json!({ "maximum": "30000.00", "payable": "30000.00", "payableUnknown": 0 }));
    app.stop().await;
}

/// A terminated contract and contracts past their five years pay nothing; no contract is shown
/// beyond its year 5, since the store records no renewal.
async fn terminated_and_past_term_contracts_pay_nothing(store: Store) {
    let app = TestApp::start_with_store(store).await;
    let d = dashboard(&app).await;
    for c in contracts(&d) {
        assert!(c["contractYear"].as_u64().is_none_or(|y| y <= 5), "{c}");
    }
    let forecast: Vec<&Value> = list(&d["forecast"]["contracts"]).iter().collect();
    let forecast_of = |id: &Value| forecast.iter().find(|f| f["contractId"] == *id).copied();

    let roux = list(&member(&d, "Thomas Roux (10007890121)")["contracts"]).to_vec();
    assert_eq!(roux.len(), 1, "{roux:?}");
    let c = &roux[0];
    assert_eq!((c["status"].as_str(), c["signedOn"].as_str()), (Some("TERMINATED"), Some("2019-10-01")), "{c}");
    assert_eq!((&c["contractYear"], &c["maximum"], &c["payable"]), (&Value::Null, &Value::Null, &json!("0.00")));
    assert!(forecast_of(&c["contractId"]).is_none(), "no year of 2026 or later: {d}");

    let of_2021: Vec<&Value> = contracts(&d).into_iter().filter(|c| c["signedOn"] == "2021-03-01").collect();
    assert_eq!(of_2021.len(), 3, "Martin, Bernard, Lefebvre: {d}");
    for c in of_2021 {
        assert_eq!((c["status"].as_str(), c["option"].as_str()), (Some("ACTIVE"), Some("ONE_THIRD_ETP")), "{c}");
        // Year 6 would start on 2026-03-01: over, whatever the stored status.
        assert_eq!((&c["contractYear"], &c["maximum"], &c["payable"]), (&Value::Null, &Value::Null, &json!("0.00")));
        assert!(forecast_of(&c["contractId"]).is_none(), "{c}");
    }
    for f in forecast {
        assert!(list(&f["years"]).iter().all(|y| y["contractYear"].as_u64().is_some_and(|k| k <= 5)), "{f}");
    }
    app.stop().await;
}

/// Étienne Caron (PMT 604, installed in 2007) is below the individual floor of 775: his own
/// offer is refused. RQTH is not recorded, and it does not matter: from 2023-05-01 only new
/// installs are exempt from the floor (`derogation.rqth` is false), so the verdict is
/// NOT_ELIGIBLE, not UNDECIDED. The collective aid counts him, its floor being the group's mean.
async fn a_gp_below_the_floor_is_refused_alone_and_adheres_collectively(store: Store) {
    let app = TestApp::start_with_store(store).await;
    let d = dashboard(&app).await;
    let caron = member(&d, CARON);
    let id = &caron["practitionerId"];
    let offer = &caron["offer"];
    assert_eq!(offer["option"], Value::Null, "{offer}");
    assert_eq!(offer["verdict"], "NOT_ELIGIBLE", "{offer}");
    assert_eq!(offer["failingRules"], json!(["IND-ACTIVITY-FLOOR"]), "{offer}");
    assert_eq!(offer["missingInputs"], json!([]), "no derogation to ask about under R2024: {offer}");

    // Today's standing: Martin, Lefebvre and Caron (Bernard's individual contract runs).
    let standing = &d["standing"]["collective"];
    assert_eq!(standing["verdict"], "ELIGIBLE", "{standing}");
    assert!(list(&standing["adhering"]).contains(id), "{standing}");
    assert!(list(&standing["leftOut"]).iter().all(|l| l["practitionerId"] != *id), "{standing}");
    assert_eq!(list(&standing["adhering"]).len(), 3, "{standing}");
    assert_eq!(standing["meanPmt"], "1207", "(1262 + 1755 + 604) / 3: {standing}");
    // Funded by default: the assistants' time for these three, Inès Petit's 11h40 for Martin
    // and for Lefebvre and Élodie Marchand's 17h30 for Caron, 2,450 min / 2,100 = 7/6 ETP.
    assert_eq!((&standing["etpCap"], &standing["fundedEtp"]), (&json!("3"), &json!("7/6")));

    // The comparison: refused on his own, inside the collective.
    let body = as_coordinator(&app, COMPARISON, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let c = &body["data"]["structures"]["edges"][0]["node"]["comparison"];
    let individual_out: Vec<&Value> =
        list(&c["individual"]["leftOut"]).iter().filter(|l| l["practitionerId"] == *id).collect();
    assert_eq!(individual_out.len(), 1, "{c}");
    assert_eq!(individual_out[0]["rules"], json!(["IND-ACTIVITY-FLOOR"]));
    let collective = &c["collective"];
    assert_eq!(collective["collective"]["verdict"], "ELIGIBLE", "{collective}");
    assert!(list(&collective["leftOut"]).iter().all(|l| l["practitionerId"] != *id), "{collective}");
    assert!(list(&collective["lines"]).iter().all(|l| l["practitionerId"] != *id), "no individual line: {collective}");
    let traces = list(&collective["collective"]["explanation"]["rules"]);
    let named = |t: &&Value| list(&t["inputs"]).iter().any(|i| i["name"] == "member" && i["value"] == CARON);
    let admitted: Vec<&Value> = traces.iter().filter(|t| t["rule"] == "COL-MEMBERS").filter(named).collect();
    assert_eq!(admitted.len(), 1, "{collective}");
    assert_eq!(admitted[0]["outcome"], "PASS");
    let threshold = traces.iter().find(|t| t["rule"] == "COL-THRESHOLD").expect("COL-THRESHOLD");
    assert_eq!(threshold["outcome"], "PASS");
    // Martin, Bernard, Lefebvre and Caron: (1262 + 968 + 1755 + 604) / 4.
    assert_eq!(threshold["inputs"], json!([{ "name": "mean_pmt", "value": "1147.25" }]));
    // Bernard's contract closes off its anniversary (2027-03-02): what is given up is shown.
    assert_eq!(list(&collective["closings"]).len(), 1, "{collective}");
    assert_eq!(collective["closings"][0]["lost"], "4736.99", "19,000 × 91/365 days");

    // By default the collective funds the assistants' time for its four adherents: Petit's
    // 3 × 11h40 for Martin, Bernard and Lefebvre and Marchand's 2 × 17h30 for Caron and
    // Bernard, 4,200 min = 2 ETP (Dubois works for Garnier only, who keeps her contract). Both
    // routes are projected with their objectives met; at 2 ETP the individual contracts, each
    // new one assumed to get its assistant hired, bring more.
    assert_eq!(c["recommendation"]["choice"], "KEEP_INDIVIDUAL", "{c}");
    assert_eq!(c["totalDifference"], "-92185.08", "{c}");
    let lines = list(&c["collective"]["lines"]);
    assert!(lines.iter().any(|l| l["kind"] == "COLLECTIVE" && l["fundedEtp"] == "2"), "{c}");
    // Half an ETP more funded brings 1/2 × (38,000 + 28,000 + 3 × 22,000) = 66,000 more.
    let body = as_coordinator(&app, COMPARISON, json!({ "funded": "5/2" })).await;
    let more = &body["data"]["structures"]["edges"][0]["node"]["comparison"];
    assert_eq!(more["totalDifference"], "-26185.08", "{body}");
    assert_eq!(more["recommendation"]["choice"], "KEEP_INDIVIDUAL", "{body}");
    app.stop().await;
}

/// Two assistants work for several doctors. Worked out from the records:
/// - Inès Petit, 35 h: 11h40 (700 min) each for Martin, Bernard and Lefebvre, so assigned
///   3 × 700 / 2,100 = 1 ETP. Martin's and Lefebvre's 2021 contracts are over; Bernard's
///   1/2 ETP of 2026 is shared by the two assistants who work for him, Petit (700 min) and
///   Élodie Marchand (1,050 min): Petit is funded 1/2 × 700/1,750 = 1/5 ETP.
/// - Élodie Marchand, 35 h: 17h30 for Caron (no contract) and 17h30 for Bernard, so assigned
///   1 ETP, funded 1/2 × 1,050/1,750 = 3/10 ETP by Bernard's contract.
/// - Camille Dubois, 17h30 for Garnier only: assigned and funded 1/2 ETP by Garnier's contract.
///
/// Marchand, hired on 2025-03-03 under the 2024 convention, has 2 years to qualify: the
/// deadline (2027-03-03) is within the 12 months the dashboard lists.
async fn shared_assistants_and_the_qualification_deadline(store: Store) {
    let app = TestApp::start_with_store(store).await;
    let d = dashboard(&app).await;
    let bernard_2026 = list(&member(&d, "Julien Bernard (10002345675)")["contracts"])
        .iter()
        .find(|c| c["signedOn"] == "2026-03-02")
        .map(|c| c["contractId"].clone())
        .expect("Bernard's 2026 contract");
    let garnier = member(&d, "Léa Garnier (10006789019)")["contracts"][0]["contractId"].clone();
    let etp = |a: &Value| (a["contractualEtp"].clone(), a["assignedEtp"].clone(), a["fundedEtp"].clone());

    let petit = assistant(&d, "Inès Petit");
    assert_eq!(etp(petit), (json!("1"), json!("1"), json!("1/5")), "{petit}");
    assert_eq!(petit["fundedBy"], json!([{ "contractId": bernard_2026, "etp": "1/5" }]));
    let marchand = assistant(&d, "Élodie Marchand");
    assert_eq!(etp(marchand), (json!("1"), json!("1"), json!("3/10")), "{marchand}");
    assert_eq!(marchand["fundedBy"], json!([{ "contractId": bernard_2026, "etp": "3/10" }]));
    let dubois = assistant(&d, "Camille Dubois");
    assert_eq!(etp(dubois), (json!("1/2"), json!("1/2"), json!("1/2")), "{dubois}");
    assert_eq!(dubois["fundedBy"], json!([{ "contractId": garnier, "etp": "1/2" }]));

    let check = |a: &Value, rule: &str| {
        list(&a["explanation"]["rules"]).iter().find(|r| r["rule"] == rule).map(|r| r["outcome"].clone())
    };
    assert_eq!(marchand["qualificationDeadline"], "2027-03-03");
    assert_eq!(check(marchand, "AM-QUALIFICATION"), Some(json!("WARN")), "less than 6 months to go: {marchand}");
    // Dubois, hired on 2024-09-16 and not qualified, is past her deadline: blocked, not listed.
    assert_eq!(dubois["qualificationDeadline"], "2026-09-16");
    assert_eq!(check(dubois, "AM-QUALIFICATION"), Some(json!("FAIL")), "{dubois}");

    let deadlines = list(&d["deadlines"]);
    let qualification: Vec<&Value> = deadlines.iter().filter(|x| x["kind"] == "QUALIFICATION_DEADLINE").collect();
    assert_eq!(qualification.len(), 1, "{}", d["deadlines"]);
    assert_eq!(qualification[0]["on"], "2027-03-03");
    let days: Vec<&str> = deadlines.iter().filter_map(|x| x["on"].as_str()).collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "sorted by date: {days:?}");
    assert!(days.iter().all(|on| ("2026-12-01"..="2027-12-01").contains(on)), "within 12 months: {days:?}");
    app.stop().await;
}

/// Bad arguments come back as typed errors, and nothing changes: the comparison writes nothing.
async fn bad_comparison_input_is_refused_and_changes_nothing(store: Store) {
    let app = TestApp::start_with_store(store).await;
    let records = "{ structures(first: 1) { edges { node {
        contracts(first: 50) { edges { node { id status signedOn endsOn fundedEtp } } }
        assistants(first: 50) { edges { node { id etp assignments { weeklyHours from } } } } } } } }";
    let before = (as_coordinator(&app, records, json!({})).await, dashboard(&app).await);

    let comparison =
        |args: &str| format!("{{ structures(first: 1) {{ edges {{ node {{ comparison({args}) {{ start }} }} }} }} }}");
    for args in [
        r#"fundedEtp: "abc""#,
        r#"fundedEtp: "0""#,
        r#"fundedEtp: "-1""#,
        r#"adheringDoctors: ["not-an-id"]"#,
        // A structure's id is not a practitioner's.
        r#"adheringDoctors: ["U3RydWN0dXJlOjE"]"#,
        // Before the collective aid existed (2026-02-25).
        r#"startOn: "2025-06-01""#,
    ] {
        let body = as_coordinator(&app, &comparison(args), json!({})).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{args}: {body}");
        assert_eq!(body["errors"][0]["path"][4], "comparison", "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        let field = args.split(':').next().unwrap_or_default();
        assert!(message.starts_with(field), "the message names the argument: {body}");
        assert_eq!(body["errors"][0]["extensions"]["argument"], field, "and so do the extensions: {body}");
    }

    let after = (as_coordinator(&app, records, json!({})).await, dashboard(&app).await);
    assert_eq!(before, after, "nothing was written");
    app.stop().await;
}

/// The SCM next door is outside the demo coordinator's scope: its dashboard cannot be reached,
/// and naming one of its doctors in a comparison tells nothing about them.
async fn another_structures_dashboard_does_not_leak(store: Store) {
    let app = TestApp::start_with_store(store).await;
    let admin = |query: &'static str| {
        let app = &app;
        async move { app.graphql(Some(demo::DEMO_ADMIN_TOKEN), query, json!({})).await.1 }
    };
    let all = admin("{ structures(first: 10) { edges { node { id name } } } }").await;
    let scm = list(&all["data"]["structures"]["edges"])
        .iter()
        .find(|e| e["node"]["name"] == "Cabinet médical du Port")
        .map(|e| e["node"]["id"].clone())
        .unwrap_or_else(|| panic!("the demo SCM: {all}"));
    let fontaine = admin("{ practitioner(rpps: \"10008901232\") { id } }").await["data"]["practitioner"]["id"].clone();
    assert!(fontaine.is_string(), "Marc Fontaine, of the SCM");

    let query = r#"query($id: ID!) {
        node(id: $id) { id ... on Structure { name dashboard(asOf: "2026-12-01") { thisYear { maximum } members { name } } } }
        structure(id: $id) { name dashboard(asOf: "2026-12-01") { members { name } } } }"#;
    // The administrator sees it: the id is the SCM's.
    let (_, body) = app.graphql(Some(demo::DEMO_ADMIN_TOKEN), query, json!({ "id": scm })).await;
    assert!(body.get("errors").is_none(), "{body}");
    let names = body["data"]["node"]["dashboard"]["members"].to_string();
    assert!(names.contains("Marc Fontaine"), "{body}");

    // The coordinator gets what an unknown id gets.
    let body = as_coordinator(&app, query, json!({ "id": scm })).await;
    assert_eq!(body, json!({ "data": { "node": null, "structure": null } }), "{body}");
    let unknown = as_coordinator(&app, query, json!({ "id": "U3RydWN0dXJlOjk5OTk5" })).await;
    assert_eq!(body, unknown);
    let listed = as_coordinator(&app, "{ structures(first: 100) { edges { node { name } } } }", json!({})).await;
    assert_eq!(listed["data"]["structures"]["edges"], json!([{ "node": { "name": "MSP des Tilleuls" } }]));

    let comparison = r#"query($ids: [ID!]) { structures(first: 1) { edges { node {
        comparison(startOn: "2026-12-01", adheringDoctors: $ids) { start } } } } }"#;
    let outsider = as_coordinator(&app, comparison, json!({ "ids": [fontaine] })).await;
    assert_eq!(code(&outsider), "BAD_USER_INPUT", "{outsider}");
    let text = outsider.to_string();
    assert!(!text.contains("Fontaine") && !text.contains("10008901232") && !text.contains("Port"), "{outsider}");
    let nobody = as_coordinator(&app, comparison, json!({ "ids": ["UHJhY3RpdGlvbmVyOjk5OTk5"] })).await;
    assert_eq!(code(&nobody), "BAD_USER_INPUT", "{nobody}");
    // The message echoes the id sent; apart from it, the same words.
    let shape = |b: &Value, sent: &str| b["errors"][0]["message"].as_str().map(|m| m.replace(sent, "ID"));
    assert_eq!(
        shape(&outsider, fontaine.as_str().unwrap_or_default()),
        shape(&nobody, "UHJhY3RpdGlvbmVyOjk5OTk5"),
        "a doctor elsewhere reads as one who does not exist"
    );
    app.stop().await;
}

persistence::backend_tests!(
    this_year_is_the_sum_of_the_contracts_own_evaluations,
    terminated_and_past_term_contracts_pay_nothing,
    a_gp_below_the_floor_is_refused_alone_and_adheres_collectively,
    shared_assistants_and_the_qualification_deadline,
    bad_comparison_input_is_refused_and_changes_nothing,
    another_structures_dashboard_does_not_leak,
);

/// A qualification deadline names its assistant by id.
#[tokio::test]
async fn a_qualification_deadline_names_its_assistant() {
    let app = TestApp::start_with_store(persistence::testing::sqlite().await).await;
    let d = dashboard(&app).await;
    let marchand = assistant(&d, "Élodie Marchand")["assistantId"].clone();
    let deadline = list(&d["deadlines"]).iter().find(|x| x["kind"] == "QUALIFICATION_DEADLINE").cloned();
    assert_eq!(deadline.map(|x| x["assistantId"].clone()), Some(marchand), "{}", d["deadlines"]);
    app.stop().await;
}

/// A second assistant needs, among other things, a running 1 ETP contract (RULES.md §4.1).
/// Bernard's running contract is a 1/2 ETP, so no second assistant is open to him whatever his
/// zone; with the zone not fetched yet, IND-OPTION answers UNDECIDED on the zone alone and the
/// offer must not say "TWO_ETP is open if the missing inputs allow it".
#[tokio::test]
async fn a_second_assistant_is_refused_without_a_one_etp_contract_whatever_the_zone() {
    let app = TestApp::start_with_store(persistence::testing::sqlite().await).await;
    let d = dashboard(&app).await;
    let offer = &member(&d, "Julien Bernard (10002345675)")["offer"];
    assert_eq!(offer["verdict"], "NOT_ELIGIBLE", "{offer}");
    assert_eq!(offer["failingRules"], json!(["IND-OPTION"]), "{offer}");
    app.stop().await;
}
