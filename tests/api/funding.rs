//! The structure's other funding and team over HTTP (RULES.md §9): other health professionals,
//! the ACI MSP contract and its years, grants with the employees they pay, employment costs.
//! Each mutation's happy path, a refused input that writes nothing, and another structure's
//! records reading like absent. Each test runs on SQLite and, with TEST_DATABASE_URL, on
//! PostgreSQL.

use persistence::Store;
use serde_json::{Value, json};
use server::demo;

use crate::helpers::TestApp;

const PROFESSIONAL: &str =
    "id profession professionLabel auxiliaireMedical firstName lastName rpps adeli partner from to";
const ACI: &str = "id cpamReference signedOn status endsOn sisaOn
    coordination { declared holderAssistant { firstName } holderName etp }
    years { year points paid coordinationPaid }";
const GRANT: &str = "id scheme payer purpose paysSalaries from to amount practitioner { lastName }
    employees { assistant { firstName } amount hours }";
const COST: &str = "year salary employerCharges total";

/// An RPPS with a valid Luhn key: no warning.
const NURSE_RPPS: &str = "10004567896";

struct Caller<'a> {
    app: &'a TestApp,
    token: &'static str,
}

impl Caller<'_> {
    async fn query(&self, query: &str, variables: Value) -> Value {
        let (status, body) = self.app.graphql(Some(self.token), query, variables).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Runs `mutation { name(input: $input) { <object> { selection } userErrors warnings } }`
    /// and returns the payload.
    async fn mutate(&self, name: &str, object: &str, selection: &str, input: Value) -> Value {
        let mut chars = name.chars();
        let input_type: String = chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars).collect();
        let query = format!(
            "mutation($input: {input_type}Input!) {{ {name}(input: $input) {{ {object} {{ {selection} }}
               userErrors {{ field code }} warnings {{ field code }} }} }}"
        );
        let body = self.query(&query, json!({ "input": input })).await;
        assert!(body.get("errors").is_none(), "{body}");
        body["data"][name].clone()
    }

    /// A payload that wrote: its object, after checking there is no user error.
    async fn write(&self, name: &str, object: &str, selection: &str, input: Value) -> Value {
        let payload = self.mutate(name, object, selection, input).await;
        assert_eq!(payload["userErrors"], json!([]), "{payload}");
        assert!(payload[object].is_object(), "{payload}");
        payload[object].clone()
    }

    /// A payload that was refused: its user errors, after checking nothing came back.
    async fn refused(&self, name: &str, object: &str, input: Value) -> Value {
        let payload = self.mutate(name, object, "__typename", input).await;
        assert!(payload[object].is_null(), "{payload}");
        payload["userErrors"].clone()
    }

    async fn structure(&self, selection: &str) -> Value {
        let body = self
            .query(&format!("{{ structures(first: 1) {{ edges {{ node {{ id {selection} }} }} }} }}"), json!({}))
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        body["data"]["structures"]["edges"][0]["node"].clone()
    }

    async fn node(&self, id: &Value, selection: &str) -> Value {
        let body =
            self.query(&format!("query($id: ID!) {{ node(id: $id) {{ {selection} }} }}"), json!({ "id": id })).await;
        assert!(body.get("errors").is_none(), "{body}");
        body["data"]["node"].clone()
    }
}

fn coordinator(app: &TestApp) -> Caller<'_> {
    Caller { app, token: demo::DEMO_COORDINATOR_TOKEN }
}

fn admin(app: &TestApp) -> Caller<'_> {
    Caller { app, token: demo::DEMO_ADMIN_TOKEN }
}

fn error(field: &[&str], code: &str) -> Value {
    let mut path = vec!["input"];
    path.extend_from_slice(field);
    json!({ "field": path, "code": code })
}

/// The demo MSP's id and its assistants' ids by first name.
async fn msp(c: &Caller<'_>) -> (Value, impl Fn(&str) -> Value + use<>) {
    let s = c.structure("assistants(first: 10) { edges { node { id firstName } } }").await;
    let assistants = s["assistants"]["edges"].as_array().cloned().unwrap_or_default();
    let by_name = move |first: &str| {
        assistants
            .iter()
            .find(|e| e["node"]["firstName"] == first)
            .map(|e| e["node"]["id"].clone())
            .unwrap_or_else(|| panic!("no assistant {first}"))
    };
    (s["id"].clone(), by_name)
}

async fn practitioner_id(c: &Caller<'_>, rpps: &str) -> Value {
    let body = c.query("query($rpps: String!) { practitioner(rpps: $rpps) { id } }", json!({ "rpps": rpps })).await;
    body["data"]["practitioner"]["id"].clone()
}

async fn professionals_are_recorded_and_malformed_numbers_refused(store: Store) {
    let app = TestApp::start_with_store(store).await;
    let c = coordinator(&app);
    let (structure, _) = msp(&c).await;
    let nurse = c
        .write(
            "createProfessional",
            "professional",
            PROFESSIONAL,
            json!({ "structureId": structure, "profession": "NURSE", "firstName": " Nadia ", "lastName": "Haddad",
                    "adeli": "331234567", "partner": true, "from": "2020-01-06" }),
        )
        .await;
    assert_eq!(
        nurse,
        json!({ "id": nurse["id"], "profession": "NURSE", "professionLabel": "Infirmier·e", "auxiliaireMedical": true,
                "firstName": "Nadia", "lastName": "Haddad", "rpps": null, "adeli": "331234567", "partner": true,
                "from": "2020-01-06", "to": null })
    );

    // Omitted fields keep their value; null clears the ADELI once the RPPS is known.
    let updated = c
        .write(
            "updateProfessional",
            "professional",
            PROFESSIONAL,
            json!({ "id": nurse["id"], "rpps": NURSE_RPPS, "adeli": null, "to": "2026-06-30" }),
        )
        .await;
    assert_eq!(
        (&updated["rpps"], &updated["adeli"], &updated["to"]),
        (&json!(NURSE_RPPS), &Value::Null, &json!("2026-06-30"))
    );
    assert_eq!((&updated["firstName"], &updated["partner"]), (&json!("Nadia"), &json!(true)), "{updated}");

    let errors = c
        .refused(
            "createProfessional",
            "professional",
            json!({ "structureId": structure, "profession": "PHYSIOTHERAPIST", "firstName": "Paul", "lastName": "Roy",
                    "adeli": "33123456", "rpps": "1000456789", "from": "2024-01-01", "to": "2023-12-31" }),
        )
        .await;
    assert_eq!(
        errors,
        json!([
            error(&["rpps"], "RPPS_MALFORMED"),
            error(&["adeli"], "ADELI_MALFORMED"),
            error(&["to"], "END_BEFORE_START")
        ])
    );
    let errors =
        c.refused("updateProfessional", "professional", json!({ "id": nurse["id"], "from": "2026-07-01" })).await;
    assert_eq!(errors, json!([error(&["to"], "END_BEFORE_START")]));

    // The structure lists what was written, and only that.
    let listed = c.structure(&format!("professionals {{ {PROFESSIONAL} }}")).await;
    assert_eq!(listed["professionals"], json!([updated]));
    assert_eq!(c.node(&nurse["id"], &format!("... on Professional {{ {PROFESSIONAL} }}")).await, updated);
    app.stop().await;
}

async fn aci_contracts_their_years_and_a_duplicate_reference(store: Store) {
    let app = TestApp::start_with_store(store).await;
    let c = coordinator(&app);
    let (structure, assistant) = msp(&c).await;
    let aci = c
        .write(
            "createAciContract",
            "aciContract",
            ACI,
            json!({ "structureId": structure, "cpamReference": "ACI-331-2024-0042", "signedOn": "2024-03-01",
                    "sisaOn": "2023-11-15",
                    "coordination": { "declared": true, "holderAssistantId": assistant("Inès"), "etp": "0.5" } }),
        )
        .await;
    assert_eq!(
        aci,
        json!({ "id": aci["id"], "cpamReference": "ACI-331-2024-0042", "signedOn": "2024-03-01", "status": "ACTIVE",
                "endsOn": null, "sisaOn": "2023-11-15",
                "coordination": { "declared": true, "holderAssistant": { "firstName": "Inès" }, "holderName": null, "etp": "1/2" },
                "years": [] })
    );

    // The guide's two examples (RULES.md §9.1): 4,400 points are 30,800 €, 5,500 are 38,500 €.
    let year = |points: u32, paid: &str, coordination: Value| json!({ "aciContractId": aci["id"], "year": 2025, "points": points, "paid": paid, "coordinationPaid": coordination });
    let first = c.write("recordAciYear", "aciContract", ACI, year(4_400, "30800.00", json!("12000"))).await;
    assert_eq!(
        first["years"],
        json!([{ "year": 2025, "points": 4400, "paid": "30800.00", "coordinationPaid": "12000.00" }])
    );
    let replaced = c.write("recordAciYear", "aciContract", ACI, year(5_500, "38500", Value::Null)).await;
    assert_eq!(
        replaced["years"],
        json!([{ "year": 2025, "points": 5500, "paid": "38500.00", "coordinationPaid": null }])
    );

    let errors = c.refused("recordAciYear", "aciContract", year(5_500, "38500.00", json!("38500.01"))).await;
    assert_eq!(errors, json!([error(&["coordinationPaid"], "COORDINATION_PAID_EXCEEDS_PAID")]));
    let mut before_signature = year(1, "7.00", Value::Null);
    before_signature["year"] = json!(2023);
    let errors = c.refused("recordAciYear", "aciContract", before_signature).await;
    assert_eq!(errors, json!([error(&["year"], "YEAR_OUT_OF_RANGE")]));

    // The CPAM's reference is unique.
    let errors = c
        .refused(
            "createAciContract",
            "aciContract",
            json!({ "structureId": structure, "cpamReference": "ACI-331-2024-0042", "signedOn": "2025-01-01" }),
        )
        .await;
    assert_eq!(errors, json!([error(&["cpamReference"], "CPAM_REFERENCE_ALREADY_EXISTS")]));
    // What no contract can hold: an ended contract without its end, a SISA before the SISA
    // existed, more than one ETP of coordination, a holder twice.
    let errors = c
        .refused(
            "createAciContract",
            "aciContract",
            json!({ "structureId": structure, "signedOn": "2024-03-01", "status": "ENDED", "sisaOn": "2010-06-01",
                    "coordination": { "declared": true, "holderAssistantId": assistant("Inès"), "holderName": "Inès Petit",
                                      "etp": "3/2" } }),
        )
        .await;
    assert_eq!(
        errors,
        json!([
            error(&["coordination", "holderName"], "COORDINATION_HOLDER_AMBIGUOUS"),
            error(&["coordination", "etp"], "COORDINATION_ETP_INVALID"),
            error(&["endsOn"], "END_DATE_REQUIRED"),
            error(&["sisaOn"], "SISA_ON_TOO_EARLY"),
        ])
    );

    let ended = c
        .write(
            "updateAciContract",
            "aciContract",
            ACI,
            json!({ "id": aci["id"], "status": "TERMINATED", "endsOn": "2026-02-28",
                    "coordination": { "declared": true, "holderName": "Dr Claire Martin", "etp": "1/5" } }),
        )
        .await;
    assert_eq!((&ended["status"], &ended["endsOn"]), (&json!("TERMINATED"), &json!("2026-02-28")));
    assert_eq!(
        ended["coordination"],
        json!({ "declared": true, "holderAssistant": null, "holderName": "Dr Claire Martin", "etp": "1/5" })
    );
    assert_eq!(ended["years"], replaced["years"], "years stay with the contract");
    let errors =
        c.refused("updateAciContract", "aciContract", json!({ "id": aci["id"], "endsOn": "2024-02-29" })).await;
    assert_eq!(errors, json!([error(&["endsOn"], "END_BEFORE_START")]));

    let listed = c.structure(&format!("aciContracts {{ {ACI} }}")).await;
    assert_eq!(listed["aciContracts"], json!([ended]), "one contract, as last written");
    app.stop().await;
}

async fn grants_pay_employees_within_their_amount(store: Store) {
    let app = TestApp::start_with_store(store).await;
    let c = coordinator(&app);
    let (structure, assistant) = msp(&c).await;
    let martin = practitioner_id(&c, "10001234565").await;
    let ars = json!({ "structureId": structure, "scheme": "ARS_GRANT", "payer": "ARS Nouvelle-Aquitaine",
        "purpose": "Poste de coordination et heures de secrétariat", "paysSalaries": true,
        "from": "2025-01-01", "to": "2026-12-31", "amount": "24000.00",
        "employees": [{ "assistantId": assistant("Inès"), "amount": "15000", "hours": "600" },
                      { "assistantId": assistant("Élodie"), "amount": "9000.00", "hours": "412,5" }] });
    let grant = c.write("createGrant", "grant", GRANT, ars.clone()).await;
    assert_eq!(
        grant,
        json!({ "id": grant["id"], "scheme": "ARS_GRANT", "payer": "ARS Nouvelle-Aquitaine",
                "purpose": "Poste de coordination et heures de secrétariat", "paysSalaries": true,
                "from": "2025-01-01", "to": "2026-12-31", "amount": "24000.00", "practitioner": null,
                "employees": [{ "assistant": { "firstName": "Inès" }, "amount": "15000.00", "hours": "600" },
                              { "assistant": { "firstName": "Élodie" }, "amount": "9000.00", "hours": "412.5" }] })
    );

    // 15,000 + 9,000 is more than 23,999.99.
    let mut over = ars.clone();
    over["amount"] = json!("23999.99");
    assert_eq!(
        c.refused("createGrant", "grant", over).await,
        json!([error(&["employees"], "GRANT_SHARES_EXCEED_AMOUNT")])
    );
    let mut twice = ars.clone();
    twice["employees"][1]["assistantId"] = assistant("Inès");
    assert_eq!(
        c.refused("createGrant", "grant", twice).await,
        json!([error(&["employees", "1", "assistantId"], "DUPLICATE_EMPLOYEE")])
    );
    let mut no_salaries = ars.clone();
    no_salaries["paysSalaries"] = json!(false);
    no_salaries["practitionerId"] = martin.clone();
    assert_eq!(
        c.refused("createGrant", "grant", no_salaries).await,
        json!([
            error(&["practitionerId"], "PRACTITIONER_NOT_FOR_SCHEME"),
            error(&["employees"], "EMPLOYEES_WITHOUT_SALARIES")
        ])
    );
    let caim = json!({ "structureId": structure, "scheme": "CAIM", "payer": "CPAM de la Gironde",
        "purpose": "Installation en zone d'intervention prioritaire", "from": "2023-09-01", "to": "2028-08-31",
        "amount": "50000.00" });
    assert_eq!(c.refused("createGrant", "grant", caim.clone()).await, json!([error(&["practitionerId"], "REQUIRED")]));

    let mut named = caim.clone();
    named["practitionerId"] = martin.clone();
    let contract = c.write("createGrant", "grant", GRANT, named).await;
    assert_eq!((&contract["practitioner"], &contract["employees"]), (&json!({ "lastName": "Martin" }), &json!([])));

    let updated = c
        .write(
            "updateGrant",
            "grant",
            GRANT,
            json!({ "id": grant["id"], "amount": "30000.00", "to": null,
                    "employees": [{ "assistantId": assistant("Inès"), "amount": "30000.00" }] }),
        )
        .await;
    assert_eq!((&updated["amount"], &updated["to"]), (&json!("30000.00"), &Value::Null));
    assert_eq!(
        updated["employees"],
        json!([{ "assistant": { "firstName": "Inès" }, "amount": "30000.00", "hours": null }])
    );
    // A demographic scheme needs its doctor; lowering the amount under the shares is refused.
    assert_eq!(
        c.refused("updateGrant", "grant", json!({ "id": grant["id"], "scheme": "COSCOM", "amount": "29999.99" })).await,
        json!([error(&["practitionerId"], "REQUIRED"), error(&["employees"], "GRANT_SHARES_EXCEED_AMOUNT")])
    );

    let listed = c.structure(&format!("grants {{ {GRANT} }}")).await;
    assert_eq!(listed["grants"], json!([contract, updated]), "by start date, as last written");
    app.stop().await;
}

async fn employment_costs_replace_their_year(store: Store) {
    let app = TestApp::start_with_store(store).await;
    let c = coordinator(&app);
    let (_, assistant) = msp(&c).await;
    let ines = assistant("Inès");
    let cost = |year: i32, salary: Value, charges: Value| json!({ "assistantId": ines, "year": year, "salary": salary, "employerCharges": charges });
    let first =
        c.write("recordEmploymentCost", "employmentCost", COST, cost(2025, json!("26400"), json!("11880.50"))).await;
    assert_eq!(
        first,
        json!({ "year": 2025, "salary": "26400.00", "employerCharges": "11880.50", "total": "38280.50" })
    );
    c.write("recordEmploymentCost", "employmentCost", COST, cost(2024, json!("25800.00"), json!("11610.00"))).await;
    let replaced =
        c.write("recordEmploymentCost", "employmentCost", COST, cost(2025, json!("27000.00"), json!("12150.00"))).await;
    assert_eq!(replaced["total"], "39150.00");

    // Hired in 2021: no cost for 2020; charges are not negative.
    let errors =
        c.refused("recordEmploymentCost", "employmentCost", cost(2020, json!("1000.00"), json!("-0.01"))).await;
    assert_eq!(
        errors,
        json!([error(&["employerCharges"], "AMOUNT_OUT_OF_RANGE"), error(&["year"], "YEAR_OUT_OF_RANGE")])
    );
    // Money is a string: a JSON number is refused before anything runs.
    let body = c
        .query(
            "mutation($input: RecordEmploymentCostInput!) { recordEmploymentCost(input: $input) { employmentCost { year } } }",
            json!({ "input": cost(2023, json!(26400.5), json!("0")) }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");

    let read = c.node(&ines, &format!("... on Assistant {{ employmentCosts {{ {COST} }} }}")).await;
    assert_eq!(
        read["employmentCosts"],
        json!([{ "year": 2024, "salary": "25800.00", "employerCharges": "11610.00", "total": "37410.00" }, replaced])
    );
    app.stop().await;
}

/// Records of the SCM next door, written by the administrator: the MSP's coordinator reads
/// them like ids that do not exist, cannot write through them, and cannot link them.
async fn another_structures_records_read_like_absent(store: Store) {
    let app = TestApp::start_with_store(store).await;
    let (a, c) = (admin(&app), coordinator(&app));
    let all = a.query("{ structures(first: 10) { edges { node { id name } } } }", json!({})).await;
    let scm = all["data"]["structures"]["edges"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["node"]["name"] == "Cabinet médical du Port"))
        .map(|e| e["node"]["id"].clone())
        .unwrap_or_else(|| panic!("the demo SCM: {all}"));
    let fontaine = practitioner_id(&a, "10008901232").await;
    let (msp, msp_assistant) = msp(&c).await;

    let professional = a
        .write(
            "createProfessional",
            "professional",
            "id",
            json!({ "structureId": scm, "profession": "PHARMACIST", "firstName": "Luc", "lastName": "Vidal", "from": "2022-01-01" }),
        )
        .await["id"]
        .clone();
    let aci = a
        .write(
            "createAciContract",
            "aciContract",
            "id",
            json!({ "structureId": scm, "cpamReference": "ACI-331-2022-0007", "signedOn": "2022-05-01" }),
        )
        .await["id"]
        .clone();
    let grant = a
        .write(
            "createGrant",
            "grant",
            "id",
            json!({ "structureId": scm, "scheme": "CPTS", "payer": "CPTS du Port", "purpose": "Soins non programmés",
                    "from": "2025-01-01", "amount": "5000.00" }),
        )
        .await["id"]
        .clone();
    let outsider = a
        .write(
            "createAssistant",
            "assistant",
            "id",
            json!({ "structureId": scm, "employerPractitionerId": fontaine, "firstName": "Zoé", "lastName": "Morel",
                    "hiredOn": "2024-01-08", "weeklyHours": "35" }),
        )
        .await["id"]
        .clone();
    assert!(!a.node(&professional, "id").await.is_null(), "the administrator sees the SCM's records");

    // The coordinator: like ids of the same types that were never issued.
    let absent =
        [(&professional, "UHJvZmVzc2lvbmFsOjk5OTk5"), (&aci, "QWNpQ29udHJhY3Q6OTk5OTk"), (&grant, "R3JhbnQ6OTk5OTk")];
    for (id, never) in absent {
        let query = "query($id: ID!) { node(id: $id) { id } }";
        assert_eq!(c.query(query, json!({ "id": id })).await, json!({ "data": { "node": null } }), "{id}");
        assert_eq!(c.query(query, json!({ "id": never })).await, json!({ "data": { "node": null } }), "{never}");
    }
    let scm_read = c.structure("professionals { id } aciContracts { id } grants { id }").await;
    assert_eq!(scm_read, json!({ "id": msp, "professionals": [], "aciContracts": [], "grants": [] }));

    let write_through = [
        (
            "updateProfessional",
            "professional",
            json!({ "id": professional, "lastName": "X" }),
            error(&["id"], "PROFESSIONAL_NOT_FOUND"),
        ),
        (
            "updateAciContract",
            "aciContract",
            json!({ "id": aci, "sisaOn": "2022-06-01" }),
            error(&["id"], "ACI_CONTRACT_NOT_FOUND"),
        ),
        (
            "recordAciYear",
            "aciContract",
            json!({ "aciContractId": aci, "year": 2024, "points": 100 }),
            error(&["aciContractId"], "ACI_CONTRACT_NOT_FOUND"),
        ),
        ("updateGrant", "grant", json!({ "id": grant, "amount": "1.00" }), error(&["id"], "GRANT_NOT_FOUND")),
        (
            "recordEmploymentCost",
            "employmentCost",
            json!({ "assistantId": outsider, "year": 2024, "salary": "1.00", "employerCharges": "0" }),
            error(&["assistantId"], "ASSISTANT_NOT_FOUND"),
        ),
        (
            "createProfessional",
            "professional",
            json!({ "structureId": scm, "profession": "NURSE", "firstName": "A", "lastName": "B", "from": "2024-01-01" }),
            error(&["structureId"], "STRUCTURE_NOT_FOUND"),
        ),
        (
            "createGrant",
            "grant",
            json!({ "structureId": msp, "scheme": "FIR", "payer": "ARS", "purpose": "Salaires", "paysSalaries": true,
                    "from": "2025-01-01", "amount": "1000.00", "employees": [{ "assistantId": outsider, "amount": "10.00" }] }),
            error(&["employees", "0", "assistantId"], "ASSISTANT_NOT_FOUND"),
        ),
    ];
    for (name, object, input, expected) in write_through {
        let selection = if object == "employmentCost" { "year" } else { "id" };
        let payload = c.mutate(name, object, selection, input).await;
        assert_eq!((&payload[object], &payload["userErrors"]), (&Value::Null, &json!([expected])), "{name}: {payload}");
    }
    // The reference is the CPAM's, unique across structures: taken, whoever holds it.
    let errors = c
        .refused(
            "createAciContract",
            "aciContract",
            json!({ "structureId": msp, "cpamReference": "ACI-331-2022-0007", "signedOn": "2024-01-01" }),
        )
        .await;
    assert_eq!(errors, json!([error(&["cpamReference"], "CPAM_REFERENCE_ALREADY_EXISTS")]));

    // The administrator sees both structures, and still cannot cross them.
    let crossed = a
        .refused(
            "createGrant",
            "grant",
            json!({ "structureId": msp, "scheme": "CAIM", "payer": "CPAM", "purpose": "Installation", "paysSalaries": true,
                    "from": "2024-01-01", "amount": "1000.00", "practitionerId": fontaine,
                    "employees": [{ "assistantId": outsider, "amount": "10.00" }, { "assistantId": msp_assistant("Inès"), "amount": "10.00" }] }),
        )
        .await;
    assert_eq!(
        crossed,
        json!([
            error(&["practitionerId"], "PRACTITIONER_NOT_IN_STRUCTURE"),
            error(&["employees", "0", "assistantId"], "ASSISTANT_NOT_IN_STRUCTURE")
        ])
    );
    let unchanged = a.node(&msp, "... on Structure { grants { id } aciContracts { id } }").await;
    assert_eq!(unchanged, json!({ "grants": [], "aciContracts": [] }), "nothing was written");
    app.stop().await;
}

// Each loader is reached at one place: batches reached at two depths may split under load.
const EVERYTHING: &str = "{ structures(first: 10) { edges { node {
    professionals { id structure { id } }
    aciContracts { years { year } coordination { holderName etp } }
    grants { practitioner { lastName } employees { assistant { firstName } } }
    assistants(first: 10) { edges { node { employmentCosts { year } } } } } } } }";

/// Statements one read of every list takes, as the store counts them.
async fn statements_to_read_everything(app: &TestApp) -> u64 {
    let before = app.store().statements_executed();
    let body = coordinator(app).query(EVERYTHING, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    app.store().statements_executed() - before
}

/// The lists are batched: reading them costs the same number of statements with one record
/// of each kind as with several.
async fn lists_read_in_a_fixed_number_of_statements(store: Store) {
    let app = TestApp::start_with_store(store).await;
    let c = coordinator(&app);
    let (structure, assistant) = msp(&c).await;
    let martin = practitioner_id(&c, "10001234565").await;
    // Élodie was hired in 2025: her costs are for 2025 and 2026.
    let add = |n: i32| {
        let (c, structure, assistant, martin) = (&c, structure.clone(), &assistant, martin.clone());
        async move {
            let professional = json!({ "structureId": structure, "profession": "NURSE", "firstName": "Nadia",
                "lastName": format!("Haddad {n}"), "from": "2020-01-06" });
            c.write("createProfessional", "professional", "id", professional).await;
            let aci = json!({ "structureId": structure, "signedOn": "2024-03-01",
                "coordination": { "declared": true, "holderAssistantId": assistant("Inès"), "etp": "1/2" } });
            let aci = c.write("createAciContract", "aciContract", "id", aci).await;
            let year = json!({ "aciContractId": aci["id"], "year": 2025, "points": 4400 });
            c.write("recordAciYear", "aciContract", "id", year).await;
            let grant = json!({ "structureId": structure, "scheme": "CAIM", "payer": "CPAM", "purpose": "Installation",
                "paysSalaries": true, "from": "2024-01-01", "amount": "1000.00", "practitionerId": martin,
                "employees": [{ "assistantId": assistant("Inès"), "amount": "10.00" },
                              { "assistantId": assistant("Élodie"), "amount": "10.00" }] });
            c.write("createGrant", "grant", "id", grant).await;
            for first in ["Inès", "Élodie"] {
                let cost = json!({ "assistantId": assistant(first), "year": 2025 + n % 2,
                    "salary": "20000.00", "employerCharges": "9000.00" });
                c.write("recordEmploymentCost", "employmentCost", "year", cost).await;
            }
        }
    };
    add(1).await;
    let one = statements_to_read_everything(&app).await;
    add(2).await;
    add(3).await;
    assert_eq!(statements_to_read_everything(&app).await, one, "the same statements for three of each");
    app.stop().await;
}

/// Statements one query of the demo MSP's views on 2026-12-01 takes.
async fn statements_of(app: &TestApp, views: &str) -> u64 {
    let query = format!("{{ structures(first: 1) {{ edges {{ node {{ {views} }} }} }} }}");
    let before = app.store().statements_executed();
    let body = coordinator(app).query(&query, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    app.store().statements_executed() - before
}

/// `compatibility`, `money` and the dashboard's `standing.compatibility` of one day read the
/// structure's overview once per request: asking for all three costs the statements of the
/// report alone plus the dashboard's own read.
async fn one_overview_per_structure_and_day(store: Store) {
    let app = TestApp::start_with_store(store).await;
    let report = r#"compatibility(asOf: "2026-12-01") { conflicts }"#;
    let money = r#"money(asOf: "2026-12-01") { years }"#;
    let dashboard = r#"dashboard(asOf: "2026-12-01") { asOf }"#;
    let standing = r#"dashboard(asOf: "2026-12-01") { standing { compatibility { conflicts } } }"#;
    // The token's scope and the list of structures, in every count below.
    let base = statements_of(&app, "id").await;
    let alone = statements_of(&app, report).await;
    assert!(alone > base, "the report reads the structure");
    assert_eq!(statements_of(&app, &format!("{report} {money}")).await, alone, "money shares the report's read");
    let dashboard_alone = statements_of(&app, dashboard).await;
    assert_eq!(
        statements_of(&app, &format!("{report} {money} {standing}")).await,
        alone + dashboard_alone - base,
        "the standing's report is the same overview"
    );
    // Another day is another overview.
    let other_day = r#"other: compatibility(asOf: "2026-06-01") { conflicts }"#;
    assert_eq!(statements_of(&app, &format!("{report} {other_day}")).await, 2 * alone - base);
    app.stop().await;
}

persistence::backend_tests!(
    one_overview_per_structure_and_day,
    professionals_are_recorded_and_malformed_numbers_refused,
    aci_contracts_their_years_and_a_duplicate_reference,
    grants_pay_employees_within_their_amount,
    employment_costs_replace_their_year,
    another_structures_records_read_like_absent,
    lists_read_in_a_fixed_number_of_statements,
);
