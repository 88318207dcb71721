//! The assistant's traced activity over HTTP, on the demo data: recording a month, correcting a
//! line (the original stays in its history), importing a file (nothing written when a line is
//! refused), the lines read from the assistant, and the months in the structure dashboard.
//! Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.

use persistence::Store;
use serde_json::{Value, json};
use server::demo;

use crate::helpers::TestApp;

const TEAM: &str = r#"{ structures(first: 1) { edges { node { id
  assistants(first: 10) { edges { node { id firstName lastName } } }
  members(first: 20) { edges { node { practitioner { id rpps lastName } } } } } } } }"#;

const RECORD: &str = r#"mutation($input: RecordAssistantActivityInput!) { recordAssistantActivity(input: $input) {
  lines { id month family label hours practitioner { lastName } history { hours } }
  userErrors { field message code } } }"#;

const CORRECT: &str = r#"mutation($input: CorrectAssistantActivityInput!) { correctAssistantActivity(input: $input) {
  line { id hours corrected history { id hours reason corrects recordedBy } }
  userErrors { field message code } } }"#;

const IMPORT: &str = r#"mutation($input: ImportAssistantActivityInput!) { importAssistantActivity(input: $input) {
  linesRead linesWritten refusedLines { line field message code } userErrors { field code } } }"#;

const ACTIVITY: &str = r#"query($id: ID!) { node(id: $id) { ... on Assistant {
  activity(from: "2026-09", to: "2026-11") { month family hours corrected history { hours reason } } } } }"#;

const MONTHS: &str = r#"{ structures(first: 1) { edges { node { dashboard(asOf: "2026-12-01") {
  assistants { assistantId name fundedEtp activityRecorded missingMonths
    months { month employedHours fundedHours fundedEtp assignedHours tracedHours aidMissionHours
      aciCoordinationHours otherFunctionHours recorded byDoctor { practitionerId hours } } } } } } } }"#;

async fn call(app: &TestApp, query: &str, variables: Value) -> Value {
    let (status, body) = app.graphql(Some(demo::DEMO_COORDINATOR_TOKEN), query, variables).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

fn list(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

fn codes(errors: &Value) -> Vec<&str> {
    list(errors).iter().filter_map(|e| e["code"].as_str()).collect()
}

struct Demo {
    structure: Value,
    ines: Value,
    martin: Value,
    martin_rpps: String,
}

async fn demo_ids(app: &TestApp) -> Demo {
    let data = call(app, TEAM, json!({})).await;
    let node = &data["structures"]["edges"][0]["node"];
    let ines =
        list(&node["assistants"]["edges"]).iter().find(|e| e["node"]["lastName"] == "Petit").expect("Inès Petit");
    let martin = list(&node["members"]["edges"])
        .iter()
        .map(|e| &e["node"]["practitioner"])
        .find(|p| p["lastName"] == "Martin")
        .expect("Dr Martin");
    Demo {
        structure: node["id"].clone(),
        ines: ines["node"]["id"].clone(),
        martin: martin["id"].clone(),
        martin_rpps: martin["rpps"].as_str().expect("an RPPS").to_owned(),
    }
}

async fn the_three_mutations_and_the_dashboard_months(store: Store) {
    let app = TestApp::start_with_store(store).await;
    let demo = demo_ids(&app).await;

    // A month of lines for Inès Petit: consultations for Dr Martin, ACI coordination for no doctor.
    let input = json!({ "assistantId": demo.ines, "month": "2026-10", "lines": [
        { "practitionerId": demo.martin, "family": "CONSULTATION", "hours": "60,5" },
        { "family": "ACI_COORDINATION", "hours": "20" } ] });
    let data = call(&app, RECORD, json!({ "input": input })).await;
    let payload = &data["recordAssistantActivity"];
    assert_eq!(list(&payload["userErrors"]).len(), 0, "{payload}");
    let lines = list(&payload["lines"]);
    assert_eq!(lines.len(), 2);
    assert_eq!((&lines[0]["hours"], &lines[0]["practitioner"]["lastName"]), (&json!("60.50"), &json!("Martin")));
    assert_eq!((&lines[1]["family"], &lines[1]["practitioner"]), (&json!("ACI_COORDINATION"), &Value::Null));
    let consultation = lines[0]["id"].clone();

    // The same line again is refused, and nothing of the batch is written.
    let again = json!({ "assistantId": demo.ines, "month": "2026-10", "lines": [
        { "family": "OTHER_FUNCTION", "label": "accueil", "hours": "4" },
        { "practitionerId": demo.martin, "family": "CONSULTATION", "hours": "1" },
        { "family": "ADMINISTRATIVE", "hours": "1.234" } ] });
    let data = call(&app, RECORD, json!({ "input": again })).await;
    let payload = &data["recordAssistantActivity"];
    assert_eq!(payload["lines"], Value::Null);
    assert_eq!(codes(&payload["userErrors"]), ["HOURS_TOO_PRECISE"], "input problems first: {payload}");
    let again = json!({ "assistantId": demo.ines, "month": "2026-10", "lines": [
        { "family": "OTHER_FUNCTION", "label": "accueil", "hours": "4" },
        { "practitionerId": demo.martin, "family": "CONSULTATION", "hours": "1" } ] });
    let data = call(&app, RECORD, json!({ "input": again })).await;
    let errors = &data["recordAssistantActivity"]["userErrors"];
    assert_eq!(codes(errors), ["ACTIVITY_LINE_EXISTS"]);
    assert_eq!(errors[0]["field"], json!(["input", "lines", "1", "family"]));
    let future =
        json!({ "assistantId": demo.ines, "month": "2099-01", "lines": [{ "family": "COORDINATION", "hours": "1" }] });
    let data = call(&app, RECORD, json!({ "input": future })).await;
    assert_eq!(codes(&data["recordAssistantActivity"]["userErrors"]), ["ACTIVITY_MONTH_IN_FUTURE"]);
    let nobody = json!({ "assistantId": demo.martin, "month": "2026-10", "lines": [{ "family": "COORDINATION", "hours": "1" }] });
    let data = call(&app, RECORD, json!({ "input": nobody })).await;
    assert_eq!(codes(&data["recordAssistantActivity"]["userErrors"]), ["ASSISTANT_NOT_FOUND"]);

    // A correction: new hours and the reason; the original stays in the history.
    let fix = json!({ "recordId": consultation, "hours": "62", "reason": "relevé de fin de mois" });
    let data = call(&app, CORRECT, json!({ "input": fix })).await;
    let line = &data["correctAssistantActivity"]["line"];
    assert_eq!((&line["hours"], &line["corrected"]), (&json!("62.00"), &json!(true)), "{data}");
    let history = list(&line["history"]);
    assert_eq!(history.iter().map(|r| r["hours"].clone()).collect::<Vec<_>>(), [json!("60.50"), json!("62.00")]);
    assert_eq!((&history[1]["corrects"], &history[1]["reason"]), (&consultation, &json!("relevé de fin de mois")));
    assert_eq!(history[1]["recordedBy"], history[0]["recordedBy"]);
    let stale = json!({ "recordId": consultation, "hours": "1", "reason": "x" });
    let data = call(&app, CORRECT, json!({ "input": stale })).await;
    assert_eq!(codes(&data["correctAssistantActivity"]["userErrors"]), ["ACTIVITY_RECORD_SUPERSEDED"]);
    let unknown = json!({ "recordId": demo.ines, "hours": "1", "reason": "x" });
    let data = call(&app, CORRECT, json!({ "input": unknown })).await;
    assert_eq!(codes(&data["correctAssistantActivity"]["userErrors"]), ["ACTIVITY_RECORD_NOT_FOUND"]);

    // A file with one bad line writes nothing and names the line; the good file writes all.
    let rpps = &demo.martin_rpps;
    let bad = format!(
        "assistant;month;doctor;family;hours;label\nInès Petit;2026-11;{rpps};CONSULTATION;58,25;\n\
         Inès Petit;2026-11;;SECRETARIAT;3;\nInès Petit;2026-11;;OTHER_FUNCTION;6;accueil\n"
    );
    let data = call(&app, IMPORT, json!({ "input": { "structureId": demo.structure, "csv": bad } })).await;
    let report = &data["importAssistantActivity"];
    assert_eq!((&report["linesRead"], &report["linesWritten"]), (&json!(3), &json!(0)), "{report}");
    let refused = list(&report["refusedLines"]);
    assert_eq!(refused.len(), 1);
    assert_eq!(
        (&refused[0]["line"], &refused[0]["field"], &refused[0]["code"]),
        (&json!(3), &json!("family"), &json!("MISSION_FAMILY_UNKNOWN"))
    );
    assert_eq!(report["userErrors"][0]["field"], json!(["input", "csv", "3", "family"]));
    let good = bad.replace("SECRETARIAT", "ADMINISTRATIVE");
    let data = call(&app, IMPORT, json!({ "input": { "structureId": demo.structure, "csv": good } })).await;
    let report = &data["importAssistantActivity"];
    assert_eq!((&report["linesWritten"], list(&report["refusedLines"]).len()), (&json!(3), 0), "{report}");

    // The lines read from the assistant, current values with their history.
    let data = call(&app, ACTIVITY, json!({ "id": demo.ines })).await;
    let lines = list(&data["node"]["activity"]);
    assert_eq!(
        lines.iter().map(|l| l["month"].as_str().unwrap_or("")).collect::<Vec<_>>(),
        ["2026-10", "2026-10", "2026-11", "2026-11", "2026-11"]
    );
    assert_eq!(lines[0]["history"][0]["hours"], "60.50");
    assert_eq!(lines[0]["history"][1]["reason"], "relevé de fin de mois");

    // The dashboard months of Inès Petit: 35 h (151.67 h a month), 3 × 11 h 40 assigned.
    let data = call(&app, MONTHS, json!({})).await;
    let assistants = list(&data["structures"]["edges"][0]["node"]["dashboard"]["assistants"]);
    let ines = assistants.iter().find(|a| a["assistantId"] == demo.ines).expect("Inès in the dashboard");
    assert_eq!(ines["activityRecorded"], true);
    let months = list(&ines["months"]);
    assert_eq!(months.len(), 12);
    assert_eq!((months[0]["month"].as_str(), months[11]["month"].as_str()), (Some("2026-01"), Some("2026-12")));
    let november = months.iter().find(|m| m["month"] == "2026-11").expect("November");
    let october = months.iter().find(|m| m["month"] == "2026-10").expect("October");
    assert_eq!((&november["employedHours"], &november["assignedHours"]), (&json!("151.67"), &json!("151.67")));
    assert_eq!(
        (&october["tracedHours"], &october["aidMissionHours"], &october["aciCoordinationHours"]),
        (&json!("82.00"), &json!("62.00"), &json!("20.00"))
    );
    assert_eq!((&november["tracedHours"], &november["otherFunctionHours"]), (&json!("67.25"), &json!("6.00")));
    assert_eq!(october["byDoctor"][0], json!({ "practitionerId": demo.martin, "hours": "62.00" }));
    // Funded hours are the funded ETP of the month times 151.67 h.
    let funded: Vec<u64> =
        november["fundedEtp"].as_str().expect("an ETP").split('/').map(|n| n.parse().expect("a number")).collect();
    let (num, den) = (funded[0], funded.get(1).copied().unwrap_or(1));
    let expected = (15_167 * num * 2 + den) / (2 * den); // hundredths of an hour, half up
    assert_eq!(november["fundedHours"], json!(format!("{}.{:02}", expected / 100, expected % 100)));
    assert_eq!(november["fundedEtp"], ines["fundedEtp"], "the same contracts run on 2026-11-30 and 2026-12-01");
    // Hired on 2021-03-01: every month to 2026-11 but October and November misses its record.
    let missing = list(&ines["missingMonths"]);
    assert_eq!(missing.len(), 10 + 4 * 12 + 9, "2021-03 … 2026-09");
    assert_eq!((missing.first(), missing.last()), (Some(&json!("2021-03")), Some(&json!("2026-09"))));
}

persistence::backend_tests!(the_three_mutations_and_the_dashboard_months);
