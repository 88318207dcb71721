//! The GraphQL API executed in-process, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.

use async_graphql::{Request, Variables};
use graphql::{AppSchema, CpamGateway, Limits, Principal, Role, Viewer, build_schema, request_data};
use persistence::{Store, Visibility};
use serde_json::{Value, json};

struct Api {
    schema: AppSchema,
    store: Store,
}

fn rules() -> std::sync::Arc<domain::rules::RuleBook> {
    std::sync::Arc::new(domain::rules::RuleBook::embedded().expect("embedded rules"))
}

fn admin() -> Viewer {
    Viewer { name: "test-admin".into(), role: Role::Admin, visibility: Visibility::All }
}

impl Api {
    fn new(store: Store) -> Self {
        Self { schema: build_schema(store.clone(), rules(), CpamGateway::off(), Limits::default()), store }
    }

    async fn run_as(&self, viewer: Option<Viewer>, query: &str, variables: Value) -> Value {
        let mut request = Request::new(query).variables(Variables::from_json(variables));
        request = match viewer {
            Some(v) => request_data(request, &self.store, v),
            None => request,
        };
        serde_json::to_value(self.schema.execute(request).await).expect("response serialises")
    }

    async fn admin(&self, query: &str, variables: Value) -> Value {
        self.run_as(Some(admin()), query, variables).await
    }

    async fn coordinator_of(&self, finess: &str) -> Viewer {
        let principal = Principal {
            name: "test-coordinator".into(),
            role: Role::Coordinator,
            structures: vec![domain::Finess::parse(finess).expect("valid FINESS")],
        };
        Viewer::resolve(&principal, &self.store).await.expect("viewer resolves")
    }

    async fn count(&self, table: &str) -> u64 {
        self.store.count_rows(table).await.expect("count")
    }

    /// Creates a structure as admin and returns its global ID.
    async fn structure(&self, name: &str, finess: Option<&str>) -> String {
        let data = self
            .admin(
                CREATE_STRUCTURE,
                json!({ "input": { "kind": "MSP", "legalForm": "SISA", "name": name, "finess": finess, "commune": "33039" } }),
            )
            .await;
        assert_eq!(data["data"]["createStructure"]["userErrors"], json!([]), "{data}");
        data["data"]["createStructure"]["structure"]["id"].as_str().expect("id").to_owned()
    }

    async fn practitioner(&self, rpps: &str, structure_id: &str) -> String {
        let data = self
            .admin(
                CREATE_PRACTITIONER,
                json!({ "input": {
                    "rpps": rpps, "firstName": "Claire", "lastName": "Martin",
                    "specialty": "GENERAL_PRACTICE", "sector": "SECTOR_1",
                    "membership": { "structureId": structure_id, "from": "2020-01-01" }
                } }),
            )
            .await;
        assert_eq!(data["data"]["createPractitioner"]["userErrors"], json!([]), "{data}");
        data["data"]["createPractitioner"]["practitioner"]["id"].as_str().expect("id").to_owned()
    }
}

const CREATE_STRUCTURE: &str = "mutation($input: CreateStructureInput!) {
  createStructure(input: $input) { structure { id name finess siret commune } userErrors { field message code } }
}";

const CREATE_PRACTITIONER: &str = "mutation($input: CreatePractitionerInput!) {
  createPractitioner(input: $input) {
    practitioner { id rpps rppsCheckDigitVerified memberships { partner from structure { name } } }
    userErrors { field message code }
    warnings { field code }
  }
}";

fn codes(payload: &Value) -> Vec<String> {
    payload["userErrors"]
        .as_array()
        .expect("userErrors")
        .iter()
        .map(|e| e["code"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn invalid_identifiers_are_user_errors_and_write_nothing(store: Store) {
    let api = Api::new(store);
    let before = api.count("structures").await;
    let cases = [
        (json!({ "finess": "123" }), "FINESS_MALFORMED", vec!["input", "finess"]),
        (json!({ "finess": "010780915" }), "FINESS_BAD_CHECK_DIGIT", vec!["input", "finess"]),
        (json!({ "siret": "73282932000075" }), "SIRET_BAD_CHECK_DIGIT", vec!["input", "siret"]),
        (json!({ "siret": "7328293200007" }), "SIRET_MALFORMED", vec!["input", "siret"]),
        (json!({ "commune": "20004" }), "INSEE_COMMUNE_MALFORMED", vec!["input", "commune"]),
        (json!({ "name": "   " }), "REQUIRED", vec!["input", "name"]),
        (
            json!({ "legalForm": "SCM", "sisaEmployerGroup": true }),
            "EMPLOYER_GROUP_REQUIRES_SISA",
            vec!["input", "sisaEmployerGroup"],
        ),
    ];
    for (overrides, code, field) in cases {
        let mut input = json!({ "kind": "MSP", "legalForm": "SISA", "name": "MSP", "commune": "2A004" });
        for (k, v) in overrides.as_object().expect("object") {
            input[k] = v.clone();
        }
        let data = api.admin(CREATE_STRUCTURE, json!({ "input": input })).await;
        let payload = &data["data"]["createStructure"];
        assert_eq!(payload["structure"], Value::Null, "{data}");
        assert_eq!(codes(payload), vec![code.to_owned()], "{data}");
        assert_eq!(payload["userErrors"][0]["field"], json!(field));
        assert_eq!(api.count("structures").await, before, "a refused mutation writes nothing");
    }
    // All problems at once.
    let data = api
        .admin(
            CREATE_STRUCTURE,
            json!({ "input": { "kind": "MSP", "legalForm": "SISA", "name": "", "finess": "123", "siret": "1", "commune": "x" } }),
        )
        .await;
    assert_eq!(codes(&data["data"]["createStructure"]).len(), 4, "{data}");
    // La Poste's SIRET and a Corsican FINESS are accepted.
    let data = api
        .admin(
            CREATE_STRUCTURE,
            json!({ "input": { "kind": "ESP", "legalForm": "OTHER", "name": "Poste", "finess": "2a0000127", "siret": "35600000009075", "commune": "2A004" } }),
        )
        .await;
    let s = &data["data"]["createStructure"]["structure"];
    assert_eq!((s["finess"].as_str(), s["siret"].as_str()), (Some("2A0000127"), Some("35600000009075")), "{data}");
    assert_eq!(api.count("structures").await, before + 1);
}

async fn duplicates_and_unknown_references(store: Store) {
    let api = Api::new(store);
    api.structure("A", Some("330042177")).await;
    let data = api
        .admin(CREATE_STRUCTURE, json!({ "input": { "kind": "MSP", "legalForm": "SISA", "name": "B", "finess": "330042177", "commune": "33039" } }))
        .await;
    assert_eq!(codes(&data["data"]["createStructure"]), vec!["FINESS_ALREADY_EXISTS"], "{data}");

    let before = (api.count("practitioners").await, api.count("memberships").await);
    let unknown = graphql::ids::encode(graphql::ids::NodeType::Structure, 999).to_string();
    let data = api
        .admin(
            CREATE_PRACTITIONER,
            json!({ "input": { "rpps": "10003461034", "firstName": "A", "lastName": "B", "specialty": "PEDIATRICS",
                    "sector": "SECTOR_1", "membership": { "structureId": unknown, "from": "2020-01-01" } } }),
        )
        .await;
    assert_eq!(codes(&data["data"]["createPractitioner"]), vec!["STRUCTURE_NOT_FOUND"], "{data}");
    assert_eq!((api.count("practitioners").await, api.count("memberships").await), before);
}

async fn practitioner_rules(store: Store) {
    let api = Api::new(store);
    let s = api.structure("MSP", None).await;
    let input = |extra: Value| {
        let mut base = json!({ "rpps": "10101201234", "firstName": "Léa", "lastName": "Garnier", "specialty": "PEDIATRICS",
                           "sector": "SECTOR_1", "membership": { "structureId": s, "from": "2020-01-01" } });
        for (k, v) in extra.as_object().expect("object") {
            base[k] = v.clone();
        }
        json!({ "input": base })
    };
    let data = api.admin(CREATE_PRACTITIONER, input(json!({ "optam": "OPTAM" }))).await;
    assert_eq!(codes(&data["data"]["createPractitioner"]), vec!["OPTAM_REQUIRES_SECTOR_2"], "{data}");
    let data = api
        .admin(
            CREATE_PRACTITIONER,
            input(json!({ "membership": { "structureId": s, "from": "2020-01-02", "to": "2020-01-01" } })),
        )
        .await;
    assert_eq!(codes(&data["data"]["createPractitioner"]), vec!["END_BEFORE_START"], "{data}");
    assert_eq!(data["data"]["createPractitioner"]["userErrors"][0]["field"], json!(["input", "membership", "to"]));
    let data = api.admin(CREATE_PRACTITIONER, input(json!({ "rpps": "1234" }))).await;
    assert_eq!(codes(&data["data"]["createPractitioner"]), vec!["RPPS_MALFORMED"], "{data}");
    assert_eq!(api.count("practitioners").await, 0);

    // ANS's example RPPS fails Luhn: accepted, with a warning.
    let data = api.admin(CREATE_PRACTITIONER, input(json!({}))).await;
    let payload = &data["data"]["createPractitioner"];
    assert_eq!(payload["warnings"][0]["code"], "RPPS_CHECK_DIGIT_UNVERIFIED", "{data}");
    assert_eq!(payload["practitioner"]["rppsCheckDigitVerified"], false);
    assert_eq!(payload["practitioner"]["memberships"][0]["structure"]["name"], "MSP");
    let data = api.admin(CREATE_PRACTITIONER, input(json!({}))).await;
    assert_eq!(codes(&data["data"]["createPractitioner"]), vec!["RPPS_ALREADY_EXISTS"], "{data}");
}

const CREATE_ASSISTANT: &str = "mutation($input: CreateAssistantInput!) {
  createAssistant(input: $input) {
    assistant { id weeklyHours etp employer { __typename } assignments { weeklyHours etp practitioner { lastName } } }
    userErrors { field code }
    warnings { code }
  }
}";

async fn assistant_time_is_checked(store: Store) {
    let api = Api::new(store);
    let s = api.structure("MSP", None).await;
    let p = api.practitioner("10003461034", &s).await;
    let input = |hours: &str, assignments: Value| {
        json!({ "input": { "structureId": s, "employerStructureId": s, "firstName": "Inès", "lastName": "Petit",
                "hiredOn": "2024-01-02", "weeklyHours": hours, "assignments": assignments } })
    };
    let assignment = |hours: &str, from: &str| json!({ "practitionerId": p, "weeklyHours": hours, "from": from });
    let refused = [
        (input("36", json!([])), "WEEKLY_HOURS_OVER_FULL_TIME"),
        (input("11.67", json!([])), "WEEKLY_HOURS_NOT_WHOLE_MINUTES"),
        (input("0", json!([])), "WEEKLY_HOURS_ZERO"),
        (
            input("20", json!([assignment("15", "2024-01-02"), assignment("10", "2024-02-01")])),
            "ASSIGNMENTS_EXCEED_CONTRACT",
        ),
        (input("20", json!([assignment("10", "2023-12-01")])), "ASSIGNMENT_BEFORE_HIRE"),
    ];
    for (variables, code) in refused {
        let data = api.admin(CREATE_ASSISTANT, variables).await;
        assert_eq!(codes(&data["data"]["createAssistant"]), vec![code.to_owned()], "{data}");
    }
    assert_eq!((api.count("assistants").await, api.count("assistant_assignments").await), (0, 0));

    let data = api.admin(CREATE_ASSISTANT, input("35", json!([assignment("11h40", "2024-01-02")]))).await;
    let a = &data["data"]["createAssistant"];
    assert_eq!(codes(a), Vec::<String>::new(), "{data}");
    assert_eq!(a["warnings"][0]["code"], "SISA_NOT_EMPLOYER_GROUP", "the test SISA has no employer-group statutes");
    assert_eq!(a["assistant"]["etp"], "1");
    assert_eq!(a["assistant"]["employer"]["__typename"], "Structure");
    assert_eq!(a["assistant"]["assignments"][0]["etp"], "1/3");
    assert_eq!(a["assistant"]["assignments"][0]["weeklyHours"], "11h40");
}

const CREATE_CONTRACT: &str = "mutation($input: CreateAidContractInput!) {
  createAidContract(input: $input) {
    contract { id kind status option fundedEtp members { practitioner { rpps } from } structure { name } practitioner { rpps } }
    userErrors { field code }
  }
}";

async fn contracts_individual_and_collective(store: Store) {
    let api = Api::new(store);
    let s = api.structure("MSP", None).await;
    let p = api.practitioner("10003461034", &s).await;
    let q = api.practitioner("10001234565", &s).await;
    let data = api
        .admin(CREATE_CONTRACT, json!({ "input": { "kind": "INDIVIDUAL", "practitionerId": p, "option": "ONE_THIRD_ETP", "signedOn": "2021-03-01" } }))
        .await;
    let c = &data["data"]["createAidContract"]["contract"];
    assert_eq!((c["option"].as_str(), c["fundedEtp"].as_str()), (Some("ONE_THIRD_ETP"), Some("1/3")), "{data}");
    // A 1/3-ETP contract of 2021 may be renewed; the renewal and the CPAM's baseline day are
    // recorded, and a 2026 evaluation then finds it running in its year 6.
    let data = api
        .admin(
            "mutation($input: UpdateAidContractInput!) { updateAidContract(input: $input) {
                contract { renewals baselineOn evaluation(asOf: \"2026-12-01\") { ... on IndividualSimulation { year { contractYear maximum } payable } } }
                userErrors { code } } }",
            json!({ "input": { "id": c["id"], "renewals": 1, "baselineOn": "2020-06-30" } }),
        )
        .await;
    let c = &data["data"]["updateAidContract"]["contract"];
    assert_eq!((c["renewals"].as_u64(), c["baselineOn"].as_str()), (Some(1), Some("2020-06-30")), "{data}");
    assert_eq!(c["evaluation"]["year"]["contractYear"], 6, "{data}");
    assert_eq!(c["evaluation"]["year"]["maximum"], "7350.00", "{data}");

    let member = |id: &str, from: &str| json!({ "practitionerId": id, "from": from });
    let collective = |members: Value, extra: Value| {
        let mut input = json!({ "kind": "COLLECTIVE", "structureId": s, "fundedEtp": "2.5", "signedOn": "2026-03-01", "members": members });
        for (k, v) in extra.as_object().expect("object") {
            input[k] = v.clone();
        }
        json!({ "input": input })
    };
    let refused = [
        (collective(json!([member(&p, "2026-03-01"), member(&p, "2026-03-01")]), json!({})), "DUPLICATE_MEMBER"),
        (collective(json!([member(&p, "2026-02-01")]), json!({})), "MEMBER_BEFORE_SIGNATURE"),
        (collective(json!([]), json!({})), "MEMBERS_REQUIRED"),
        (collective(json!([member(&p, "2026-03-01")]), json!({ "fundedEtp": "0" })), "FUNDED_ETP_INVALID"),
        (collective(json!([member(&p, "2026-03-01")]), json!({ "status": "TERMINATED" })), "END_DATE_REQUIRED"),
        (collective(json!([member(&p, "2026-03-01")]), json!({ "endsOn": "2026-01-01" })), "END_BEFORE_START"),
        (collective(json!([member(&p, "2026-03-01")]), json!({ "option": "HALF_ETP" })), "FIELDS_NOT_FOR_COLLECTIVE"),
        (collective(json!([member(&p, "2026-03-01")]), json!({ "renewals": 11 })), "COUNT_OUT_OF_RANGE"),
        (
            collective(json!([member(&p, "2026-03-01")]), json!({ "baselineOn": "2026-03-02" })),
            "BASELINE_AFTER_SIGNATURE",
        ),
    ];
    for (variables, code) in refused {
        let data = api.admin(CREATE_CONTRACT, variables).await;
        assert_eq!(codes(&data["data"]["createAidContract"]), vec![code.to_owned()], "{data}");
    }
    assert_eq!((api.count("aid_contracts").await, api.count("contract_members").await), (1, 0));

    let data = api
        .admin(CREATE_CONTRACT, collective(json!([member(&p, "2026-03-01"), member(&q, "2026-03-01")]), json!({})))
        .await;
    let c = &data["data"]["createAidContract"]["contract"];
    assert_eq!(c["fundedEtp"], "5/2", "{data}");
    assert_eq!(c["members"].as_array().map(Vec::len), Some(2));
    assert_eq!(c["structure"]["name"], "MSP");

    let data = api
        .admin("query($id: ID!) { structure(id: $id) { contracts(first: 10) { edges { node { kind } } pageInfo { hasNextPage } } } }", json!({ "id": s }))
        .await;
    let kinds: Vec<&str> = data["data"]["structure"]["contracts"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["kind"].as_str())
        .collect();
    assert_eq!(kinds, vec!["INDIVIDUAL", "COLLECTIVE"], "{data}");
}

async fn coordinators_see_only_their_structures(store: Store) {
    let api = Api::new(store);
    let mine = api.structure("Mine", Some("330042177")).await;
    let other = api.structure("Other", Some("010780914")).await;
    let outsider = api.practitioner("10003461034", &other).await;
    let coordinator = api.coordinator_of("330042177").await;

    let data =
        api.run_as(Some(coordinator.clone()), "{ structures(first: 10) { edges { node { name } } } }", json!({})).await;
    assert_eq!(data["data"]["structures"]["edges"], json!([{ "node": { "name": "Mine" } }]), "{data}");
    let data =
        api.run_as(Some(coordinator.clone()), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": other })).await;
    assert_eq!(data["data"]["node"], Value::Null, "another structure is invisible");
    let data = api.run_as(Some(coordinator.clone()), "{ practitioner(rpps: \"10003461034\") { id } }", json!({})).await;
    assert_eq!(data["data"]["practitioner"], Value::Null, "a doctor of another structure is invisible");
    let data =
        api.run_as(Some(coordinator.clone()), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": mine })).await;
    assert_eq!(data["data"]["node"]["id"], json!(mine));

    // Writes are scoped too, and creating structures is for administrators.
    let data = api
        .run_as(
            Some(coordinator.clone()),
            "mutation($input: AddMemberInput!) { addMember(input: $input) { membership { id } userErrors { code } } }",
            json!({ "input": { "structureId": mine, "practitionerId": outsider, "from": "2024-01-01" } }),
        )
        .await;
    assert_eq!(codes(&data["data"]["addMember"]), vec!["PRACTITIONER_NOT_FOUND"], "{data}");
    let data = api
        .run_as(
            Some(coordinator.clone()),
            "mutation($input: UpdateStructureInput!) { updateStructure(input: $input) { userErrors { code } } }",
            json!({ "input": { "id": other, "name": "Taken over" } }),
        )
        .await;
    assert_eq!(codes(&data["data"]["updateStructure"]), vec!["STRUCTURE_NOT_FOUND"], "{data}");
    let data = api
        .run_as(
            Some(coordinator),
            CREATE_STRUCTURE,
            json!({ "input": { "kind": "MSP", "legalForm": "SISA", "name": "X", "commune": "33039" } }),
        )
        .await;
    assert_eq!(data["errors"][0]["extensions"]["code"], "FORBIDDEN", "{data}");
    assert_eq!(api.count("structures").await, 2);
}

async fn request_errors_have_stable_codes(store: Store) {
    let api = Api::new(store);
    let data = api.run_as(None, "{ structures(first: 1) { edges { node { id } } } }", json!({})).await;
    assert_eq!(data["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{data}");
    let data = api.admin("{ structures(first: 101) { edges { node { id } } } }", json!({})).await;
    assert_eq!(data["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{data}");
    let data = api.admin("{ structures(first: 0) { edges { node { id } } } }", json!({})).await;
    assert_eq!(data["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{data}");
    let data = api.admin("{ structures(after: \"zzz\", first: 5) { edges { node { id } } } }", json!({})).await;
    assert_eq!(data["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{data}");
    let data = api.admin("{ structures { edges { node { id } } } }", json!({})).await;
    assert!(data["errors"][0]["message"].as_str().unwrap_or("").contains("first"), "`first` is required: {data}");
}

async fn pagination_walks_every_row_once(store: Store) {
    let api = Api::new(store);
    for i in 0..5 {
        api.structure(&format!("S{i}"), None).await;
    }
    let mut names = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = api
            .admin(
                "query($after: String) { structures(first: 2, after: $after) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }",
                json!({ "after": after }),
            )
            .await;
        let conn = &data["data"]["structures"];
        names.extend(
            conn["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"]["name"].as_str().unwrap_or("").to_owned()),
        );
        if conn["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = conn["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(names, vec!["S0", "S1", "S2", "S3", "S4"]);
}

async fn depth_and_complexity_are_limited(store: Store) {
    let schema = build_schema(
        store.clone(),
        rules(),
        CpamGateway::off(),
        Limits { max_depth: 4, max_complexity: 1_000, ..Limits::default() },
    );
    let deep = "{ structures(first: 1) { edges { node { members(first: 1) { edges { node { practitioner { rpps } } } } } } } }";
    let response = schema.execute(request_data(Request::new(deep), &store, admin())).await;
    assert!(!response.errors.is_empty(), "depth limit applies");
    let schema = build_schema(
        store.clone(),
        rules(),
        CpamGateway::off(),
        Limits { max_depth: 20, max_complexity: 5, ..Limits::default() },
    );
    let response = schema.execute(request_data(Request::new(deep), &store, admin())).await;
    assert!(
        response.errors.iter().any(|e| e.message.contains("omplex")),
        "complexity limit applies: {:?}",
        response.errors
    );
}

persistence::backend_tests!(
    invalid_identifiers_are_user_errors_and_write_nothing,
    duplicates_and_unknown_references,
    practitioner_rules,
    assistant_time_is_checked,
    contracts_individual_and_collective,
    coordinators_see_only_their_structures,
    request_errors_have_stable_codes,
    pagination_walks_every_row_once,
    depth_and_complexity_are_limited,
);

#[test]
fn committed_schema_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == graphql::sdl(),
        "schema.graphql is out of date: run `just schema` (cargo run -- export-schema --output schema.graphql)"
    );
}

/// Public names are the product's: no type carries the suffix its Rust mapping has.
#[test]
fn no_public_type_is_named_after_its_rust_mapping() {
    let sdl = graphql::sdl();
    let leaked: Vec<&str> = sdl
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let kind = words.next()?;
            let name = words.next()?;
            ["type", "enum", "union", "input", "interface"].contains(&kind).then_some(name)
        })
        .filter(|name| name.ends_with("Object"))
        .collect();
    assert!(leaked.is_empty(), "types named after their Rust mapping: {leaked:?}");
}
