//! Every error a client can get carries a stable `extensions.code`, input problems come back as
//! typed `userErrors`, and the holes found by probing stay closed: existence of doctors of
//! other structures, overlapping memberships, control characters in names, request size.

use async_graphql::{Request, Variables};
use graphql::{AppSchema, CpamGateway, Limits, Principal, Role, Viewer, build_schema, request_data};
use persistence::{Store, Visibility};
use serde_json::{Value, json};

struct Api {
    schema: AppSchema,
    store: Store,
}

fn admin() -> Viewer {
    Viewer { name: "admin".into(), role: Role::Admin, visibility: Visibility::All }
}

impl Api {
    fn new(store: Store) -> Self {
        let rules = std::sync::Arc::new(domain::rules::RuleBook::embedded().expect("embedded rules"));
        Self { schema: build_schema(store.clone(), rules, CpamGateway::off(), Limits::default()), store }
    }

    async fn run(&self, viewer: Viewer, query: &str, variables: Value) -> Value {
        let request = request_data(Request::new(query).variables(Variables::from_json(variables)), &self.store, viewer);
        serde_json::to_value(self.schema.execute(request).await).expect("response serialises")
    }

    async fn coordinator(&self, finess: &str) -> Viewer {
        let principal = Principal {
            name: "coordinator".into(),
            role: Role::Coordinator,
            structures: vec![domain::Finess::parse(finess).expect("valid FINESS")],
        };
        Viewer::resolve(&principal, &self.store).await.expect("viewer resolves")
    }

    async fn structure(&self, name: &str, finess: &str) -> String {
        let data = self
            .run(
                admin(),
                "mutation($input: CreateStructureInput!) { createStructure(input: $input) { structure { id } userErrors { code } } }",
                json!({ "input": { "kind": "MSP", "legalForm": "SISA", "name": name, "finess": finess, "commune": "33039" } }),
            )
            .await;
        data["data"]["createStructure"]["structure"]["id"].as_str().expect("structure id").to_owned()
    }

    async fn create_practitioner(&self, viewer: Viewer, rpps: &str, structure: &str, last_name: &str) -> Value {
        self.run(
            viewer,
            "mutation($input: CreatePractitionerInput!) { createPractitioner(input: $input) {
                practitioner { id } userErrors { field code message } } }",
            json!({ "input": { "rpps": rpps, "firstName": "Claire", "lastName": last_name, "specialty": "GENERAL_PRACTICE",
                               "sector": "SECTOR_1", "membership": { "structureId": structure, "from": "2020-01-01" } } }),
        )
        .await
    }
}

fn error_code(data: &Value) -> &str {
    data["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no extensions.code: {data}"))
}

fn user_codes(payload: &Value) -> Vec<String> {
    payload["userErrors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["code"].as_str().map(str::to_owned))
        .collect()
}

async fn library_errors_carry_codes(store: Store) {
    let api = Api::new(store);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("{ structures(first: 1) { edges { node { name } } }", json!({}), "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", json!({}), "GRAPHQL_VALIDATION_FAILED"),
        ("query($x: Int) { viewer { name } }", json!({ "x": 1 }), "GRAPHQL_VALIDATION_FAILED"),
        (
            "{ simulateIndividualAid(input: { signedOn: \"2026-01-01\", option: NOT_AN_OPTION, doctor: { specialty: GENERAL_PRACTICE, sector: SECTOR_1 } }) { verdict } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "query($n: Int!) { structures(first: $n) { edges { node { name } } } }",
            json!({ "n": "ten" }),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "query($o: AidOption!) { simulateIndividualAid(input: { signedOn: \"2026-01-01\", option: $o, doctor: { specialty: GENERAL_PRACTICE, sector: SECTOR_1 } }) { verdict } }",
            json!({ "o": "TWELVE_ETP" }),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ("query($d: Date!) { ruleParameters(asOf: $d) { key } }", json!({ "d": "01/02/2026" }), "BAD_USER_INPUT"),
        ("{ ruleParameters(asOf: \"2026-13-01\") { key } }", json!({}), "BAD_USER_INPUT"),
        ("{ structures(first: 500) { edges { node { name } } } }", json!({}), "BAD_USER_INPUT"),
    ];
    for (query, variables, expected) in cases {
        let data = api.run(admin(), query, variables).await;
        assert_eq!(error_code(&data), expected, "{query}: {}", data["errors"]);
    }
    // Deep but cheap: 18 nested `ofType`s.
    let deep = format!("{{ __type(name: \"Query\") {{ {}name{} }} }}", "ofType { ".repeat(18), " }".repeat(18));
    let data = api.run(admin(), &deep, json!({})).await;
    assert_eq!(error_code(&data), "QUERY_TOO_DEEP", "{data}");
    let complex = "{ structures(first: 100) { edges { node { members(first: 100) { edges { node { practitioner { rpps } } } } } } } }";
    let data = api.run(admin(), complex, json!({})).await;
    assert_eq!(error_code(&data), "QUERY_TOO_COMPLEX", "{data}");
}

/// Many aliases of one cheap root field, or many fields, are refused before anything runs.
async fn aliases_and_fields_are_capped(store: Store) {
    let api = Api::new(store);
    let aliases: String = (0..21).map(|i| format!("p{i}: ruleParameters(asOf: \"2026-01-01\") {{ key }} ")).collect();
    let data = api.run(admin(), &format!("{{ {aliases} }}"), json!({})).await;
    assert_eq!(error_code(&data), "QUERY_TOO_LARGE", "{data}");
    let nested: String = (0..1_001).map(|i| format!("n{i}: name ")).collect();
    let data =
        api.run(admin(), &format!("{{ structures(first: 1) {{ edges {{ node {{ {nested} }} }} }} }}"), json!({})).await;
    assert_eq!(error_code(&data), "QUERY_TOO_LARGE", "{data}");
    let fragments = "fragment F on Structure { name kind finess commune } \
        { structures(first: 1) { edges { node { ...F ...F } } } }";
    let data = api.run(admin(), fragments, json!({})).await;
    assert!(data["errors"].is_null(), "a modest query with fragments passes: {data}");
    // As many aliases of the whole parameter list as the complexity limit (20,000) allows at
    // ten fields a row: accepted, and the answer stays far below the response limit.
    let all = "key family description value effectiveFrom reference source confidence checkedOn origin";
    let most = 20_000 / (domain::rules::params::SPECS.len() * 10);
    assert!(most >= 2, "the parameter list alone nearly fills the complexity limit");
    let allowed: String =
        (0..most).map(|i| format!("p{i}: ruleParameters(asOf: \"2026-01-01\") {{ {all} }} ")).collect();
    let data = api.run(admin(), &format!("{{ {allowed} }}"), json!({})).await;
    assert!(data["errors"].is_null(), "accepted: {}", data["errors"]);
    assert!(data.to_string().len() < 2_000_000, "{} bytes", data.to_string().len());
    // A few more fields per row and it weighs over the complexity limit.
    let over: String = (0..most)
        .map(|i| format!("p{i}: ruleParameters(asOf: \"2026-01-01\") {{ {all} k: key v: value d: description }} "))
        .collect();
    let data = api.run(admin(), &format!("{{ {over} }}"), json!({})).await;
    assert_eq!(error_code(&data), "QUERY_TOO_COMPLEX", "{}", data["errors"]);
}

/// The schema names every user error code in one enum.
async fn user_error_codes_are_an_enum(store: Store) {
    let api = Api::new(store);
    let data = api.run(admin(), "{ __type(name: \"UserErrorCode\") { kind enumValues { name } } }", json!({})).await;
    assert_eq!(data["data"]["__type"]["kind"], "ENUM", "{data}");
    let names: Vec<&str> = data["data"]["__type"]["enumValues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["name"].as_str())
        .collect();
    for code in [
        "FINESS_MALFORMED",
        "SIRET_BAD_CHECK_DIGIT",
        "RPPS_REQUIRES_ADMINISTRATOR",
        "MEMBERSHIP_OVERLAPS",
        "CPAM_TIMEOUT",
        "OPTAM_REQUIRES_SECTOR_2",
    ] {
        assert!(names.contains(&code), "{code} missing from {names:?}");
    }
    let data = api
        .run(
            admin(),
            "{ __type(name: \"UserError\") { fields { name type { name kind ofType { name } } } } }",
            json!({}),
        )
        .await;
    let code =
        data["data"]["__type"]["fields"].as_array().and_then(|f| f.iter().find(|f| f["name"] == "code")).cloned();
    assert_eq!(code.map(|c| c["type"]["ofType"]["name"].clone()), Some(json!("UserErrorCode")), "{data}");
}

/// A coordinator adding a doctor recorded for another practice learns nothing about it.
async fn doctors_of_other_structures_stay_unknown(store: Store) {
    let api = Api::new(store);
    let home = api.structure("Maison", "330042177").await;
    let other = api.structure("Ailleurs", "010780914").await;
    let made = api.create_practitioner(admin(), "10009876541", &other, "Ailleurs").await;
    assert_eq!(user_codes(&made["data"]["createPractitioner"]), Vec::<String>::new(), "{made}");
    let coordinator = api.coordinator("330042177").await;
    let before = api.store.count_rows("memberships").await.expect("count");
    let data = api.create_practitioner(coordinator.clone(), "10009876541", &home, "Martin").await;
    let payload = &data["data"]["createPractitioner"];
    assert_eq!(user_codes(payload), vec!["RPPS_REQUIRES_ADMINISTRATOR"], "{data}");
    assert_eq!(payload["practitioner"], Value::Null);
    assert!(!data.to_string().contains("Ailleurs"), "nothing of the record is shown: {data}");
    assert_eq!(api.store.count_rows("memberships").await.expect("count"), before, "nothing written");
    let look = api.run(coordinator.clone(), "{ practitioner(rpps: \"10009876541\") { id } }", json!({})).await;
    assert_eq!(look["data"]["practitioner"], Value::Null, "{look}");
    // A doctor of their own structure is reported as such; an administrator sees the duplicate.
    api.create_practitioner(admin(), "10001234565", &home, "Maison").await;
    let own = api.create_practitioner(coordinator, "10001234565", &home, "Maison").await;
    assert_eq!(user_codes(&own["data"]["createPractitioner"]), vec!["RPPS_ALREADY_EXISTS"], "{own}");
    let dup = api.create_practitioner(admin(), "10009876541", &home, "Martin").await;
    assert_eq!(user_codes(&dup["data"]["createPractitioner"]), vec!["RPPS_ALREADY_EXISTS"], "{dup}");
}

/// One doctor, one structure, one period at a time.
async fn overlapping_memberships_are_refused(store: Store) {
    let api = Api::new(store);
    let home = api.structure("Maison", "330042177").await;
    let made = api.create_practitioner(admin(), "10001234565", &home, "Maison").await;
    let doctor = made["data"]["createPractitioner"]["practitioner"]["id"].as_str().expect("id").to_owned();
    let add = |from: &str, to: Option<&str>| json!({ "input": { "structureId": home, "practitionerId": doctor, "from": from, "to": to } });
    let query = "mutation($input: AddMemberInput!) { addMember(input: $input) { membership { id } userErrors { field code } } }";
    let before = api.store.count_rows("memberships").await.expect("count");
    let data = api.run(admin(), query, add("2024-01-01", None)).await;
    assert_eq!(user_codes(&data["data"]["addMember"]), vec!["MEMBERSHIP_OVERLAPS"], "{data}");
    assert_eq!(api.store.count_rows("memberships").await.expect("count"), before, "nothing written");
    // Close the first membership; a later one no longer overlaps.
    let first = api
        .run(
            admin(),
            &format!("{{ node(id: \"{doctor}\") {{ ... on Practitioner {{ memberships {{ id }} }} }} }}"),
            json!({}),
        )
        .await;
    let membership = first["data"]["node"]["memberships"][0]["id"].as_str().expect("membership").to_owned();
    let update = "mutation($input: UpdateMembershipInput!) { updateMembership(input: $input) { membership { id } userErrors { code } } }";
    let closed = api.run(admin(), update, json!({ "input": { "id": membership, "to": "2023-12-31" } })).await;
    assert_eq!(user_codes(&closed["data"]["updateMembership"]), Vec::<String>::new(), "{closed}");
    let later = api.run(admin(), query, add("2024-01-01", None)).await;
    assert_eq!(user_codes(&later["data"]["addMember"]), Vec::<String>::new(), "{later}");
    // Reopening the first one would overlap the second.
    let reopen = api.run(admin(), update, json!({ "input": { "id": membership, "to": null } })).await;
    assert_eq!(user_codes(&reopen["data"]["updateMembership"]), vec!["MEMBERSHIP_OVERLAPS"], "{reopen}");
}

/// NUL, bidi overrides and other control characters never reach the database (PostgreSQL
/// refuses NUL in text with an internal error; SQLite would store it).
async fn names_with_control_characters_are_refused(store: Store) {
    let api = Api::new(store);
    let home = api.structure("Maison", "330042177").await;
    for bad in ["Mar\u{0}tin", "Martin\u{202E}", "Mar\ttin", "Martin\u{2067}"] {
        let data = api.create_practitioner(admin(), "10001234565", &home, bad).await;
        let payload = &data["data"]["createPractitioner"];
        assert_eq!(user_codes(payload), vec!["NAME_INVALID_CHARACTERS"], "{bad:?}: {data}");
        assert_eq!(payload["userErrors"][0]["field"], json!(["input", "lastName"]));
    }
    assert_eq!(api.store.count_rows("practitioners").await.expect("count"), 0);
}

/// A page of members with their relations costs the same number of SQL statements whether it
/// has 2 rows or 12: relations are batched, never fetched row by row.
async fn list_relations_cost_no_query_per_row(store: Store) {
    let api = Api::new(store);
    let small = api.structure("Petite", "330042177").await;
    let large = api.structure("Grande", "010780914").await;
    for i in 0..14u64 {
        let rpps = format!("1{:09}{}", 100 + i, i % 10);
        let structure = if i < 2 { &small } else { &large };
        let made = api.create_practitioner(admin(), &rpps, structure, "Martin").await;
        let id = made["data"]["createPractitioner"]["practitioner"]["id"].as_str().expect("created").to_owned();
        api.run(
            admin(),
            "mutation($input: RecordActivityFiguresInput!) { recordActivityFigures(input: $input) { userErrors { code } } }",
            json!({ "input": { "practitionerId": id, "year": 2025, "pmt": 1200, "fileActive": 1800 } }),
        )
        .await;
    }
    let query = "query($id: ID!) { node(id: $id) { ... on Structure { members(first: 50) { edges { node {
        practitioner { rpps memberships { from } contracts { id } activityFigures { pmt } cpamStatus { stale } } } } } } } }";
    let mut costs = Vec::new();
    for (id, rows) in [(&small, 2), (&large, 12)] {
        let before = api.store.statements_executed();
        let data = api.run(admin(), query, json!({ "id": id })).await;
        assert!(data["errors"].is_null(), "{data}");
        let edges = data["data"]["node"]["members"]["edges"].as_array().map_or(0, Vec::len);
        assert_eq!(edges, rows);
        costs.push(api.store.statements_executed() - before);
    }
    assert_eq!(costs[0], costs[1], "statements for 2 rows and for 12 rows: {costs:?}");
    assert!(costs[1] <= 12, "a bounded number of statements: {costs:?}");
}

/// Fragments that spread each other twice over 28 levels (under the library's recursion limit
/// of 32): 2^28 spreads when expanded. The library's own depth check walked them all (93 s of
/// CPU on the previous release); each fragment is now counted once and the document refused.
async fn fragment_bombs_are_refused_at_once(store: Store) {
    let api = Api::new(store);
    let mut doc = String::from("{ ...F0 }");
    for i in 0..28 {
        doc.push_str(&format!(" fragment F{i} on Query {{ ...F{n} ...F{n} }}", n = i + 1));
    }
    doc.push_str(" fragment F28 on Query { viewer { name } }");
    let started = std::time::Instant::now();
    let data = api.run(admin(), &doc, json!({})).await;
    assert_eq!(error_code(&data), "QUERY_TOO_LARGE", "{data}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "counting took {:?}", started.elapsed());
    let empty: String = (0..28).map(|i| format!(" fragment E{i} on Query {{ ...E{n} ...E{n} }}", n = i + 1)).collect();
    // Nothing but spreads, down to a fragment that does not exist: walking it is the cost.
    let doc = format!("{{ viewer {{ name }} ...E0 }}{empty} fragment E28 on Query {{ ...Missing }}");
    let data = api.run(admin(), &doc, json!({})).await;
    assert_eq!(error_code(&data), "QUERY_TOO_LARGE", "{data}");
}

/// The reported overflow: an ETP past 64 bits was stored as `2/5`. Refused, saying the bound.
async fn funded_etp_past_its_bound_is_refused(store: Store) {
    let api = Api::new(store);
    let home = api.structure("Maison", "330042177").await;
    let made = api.create_practitioner(admin(), "10001234565", &home, "Maison").await;
    let doctor = made["data"]["createPractitioner"]["practitioner"]["id"].as_str().expect("id").to_owned();
    let before = api.store.count_rows("aid_contracts").await.expect("count");
    for etp in ["1844674407370955162.0", "18446744073709551615", "101", "0"] {
        let data = api
            .run(
                admin(),
                "mutation($input: CreateAidContractInput!) { createAidContract(input: $input) { contract { fundedEtp } userErrors { code message } } }",
                json!({ "input": { "kind": "COLLECTIVE", "structureId": home, "fundedEtp": etp, "signedOn": "2026-03-01",
                                   "members": [{ "practitionerId": doctor, "from": "2026-03-01" }] } }),
            )
            .await;
        let payload = &data["data"]["createAidContract"];
        assert_eq!(user_codes(payload), vec!["FUNDED_ETP_INVALID"], "{etp}: {data}");
        let message = payload["userErrors"][0]["message"].as_str().unwrap_or("");
        assert!(message.contains("100") || etp == "0", "{etp}: the bound is named: {message}");
    }
    assert_eq!(api.store.count_rows("aid_contracts").await.expect("count"), before, "nothing written");
}

persistence::backend_tests!(
    funded_etp_past_its_bound_is_refused,
    list_relations_cost_no_query_per_row,
    fragment_bombs_are_refused_at_once,
    library_errors_carry_codes,
    aliases_and_fields_are_capped,
    user_error_codes_are_an_enum,
    doctors_of_other_structures_stay_unknown,
    overlapping_memberships_are_refused,
    names_with_control_characters_are_refused,
);
