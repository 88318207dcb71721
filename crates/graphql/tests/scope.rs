//! Scope on every path: a coordinator walks every object-valued field of the schema from the
//! objects they may see, and nothing of another structure may come back.
//!
//! The walk is generic: it reads the schema by introspection and builds its selections from
//! it, so a field added tomorrow is walked too. The data links the coordinator's structure to
//! a foreign one in every way the model allows: an assistant employed by the foreign company or
//! by a foreign doctor, an assignment to a foreign doctor, a collective contract with a foreign
//! adherent, and a doctor who is a member of both structures.

use std::collections::HashMap;

use async_graphql::{Request, Variables};
use graphql::{AppSchema, CpamGateway, Limits, Principal, Role, Viewer, build_schema, request_data};
use persistence::{Store, Visibility};
use serde_json::{Value, json};

const HOME_FINESS: &str = "330042177";
const FOREIGN_FINESS: &str = "010780914";
/// Values only foreign records hold: none may appear in the coordinator's answers.
const FOREIGN_NAME: &str = "Etrangere";
const FOREIGN_PMT: u32 = 43_217;
const FOREIGN_RPPS: [&str; 2] = ["10009876541", "10009876558"];

struct World {
    schema: AppSchema,
    store: Store,
    /// Global ids of the foreign records, and of the home records to start the walk from.
    foreign_ids: Vec<String>,
    home_ids: Vec<String>,
}

fn admin() -> Viewer {
    Viewer { name: "admin".into(), role: Role::Admin, visibility: Visibility::All }
}

impl World {
    async fn run(&self, viewer: Viewer, query: &str, variables: Value) -> Value {
        let request = request_data(Request::new(query).variables(Variables::from_json(variables)), &self.store, viewer);
        serde_json::to_value(self.schema.execute(request).await).expect("response serialises")
    }

    /// Runs a mutation as admin and returns the id at `/data/<field>/<object>/id`.
    async fn create(&self, mutation: &str, input: Value, field: &str, object: &str) -> String {
        // Figures have no id of their own.
        let key = if object == "figures" { "__typename" } else { "id" };
        let query = format!(
            "mutation($input: {}Input!) {{ {field}(input: $input) {{ {object} {{ {key} }} userErrors {{ code message }} }} }}",
            capitalise(field)
        );
        let data = self.run(admin(), &query, json!({ "input": input })).await;
        assert_eq!(data["data"][field]["userErrors"], json!([]), "{mutation}: {data}");
        data["data"][field][object][key].as_str().unwrap_or_else(|| panic!("{mutation}: {data}")).to_owned()
    }

    async fn coordinator(&self) -> Viewer {
        let principal = Principal {
            name: "coordinator".into(),
            role: Role::Coordinator,
            structures: vec![domain::Finess::parse(HOME_FINESS).expect("valid FINESS")],
        };
        Viewer::resolve(&principal, &self.store).await.expect("viewer resolves")
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

async fn world(store: Store) -> World {
    let rules = std::sync::Arc::new(domain::rules::RuleBook::embedded().expect("embedded rules"));
    // Generous limits: the walk asks for every field at once.
    let limits = Limits { max_depth: 64, max_complexity: usize::MAX, max_fields: 1_000_000, max_root_fields: 1_000 };
    let mut w = World {
        schema: build_schema(store.clone(), rules, CpamGateway::off(), limits),
        store,
        foreign_ids: Vec::new(),
        home_ids: Vec::new(),
    };
    let structure = |name: &str, finess: &str| json!({ "kind": "MSP", "legalForm": "SISA", "name": name, "finess": finess, "commune": "33039", "sisaEmployerGroup": true });
    let home = w.create("home", structure("MSP Maison", HOME_FINESS), "createStructure", "structure").await;
    let foreign = w.create("foreign", structure(FOREIGN_NAME, FOREIGN_FINESS), "createStructure", "structure").await;
    let doctor = |rpps: &str, last: &str, structure: &str| {
        json!({ "rpps": rpps, "firstName": "Claire", "lastName": last, "specialty": "GENERAL_PRACTICE",
                "sector": "SECTOR_1", "membership": { "structureId": structure, "from": "2020-01-01" } })
    };
    let home_doc =
        w.create("home doctor", doctor("10001234565", "Maison", &home), "createPractitioner", "practitioner").await;
    let foreign_doc = w
        .create("foreign doctor", doctor(FOREIGN_RPPS[0], FOREIGN_NAME, &foreign), "createPractitioner", "practitioner")
        .await;
    let adherent = w
        .create(
            "foreign adherent",
            doctor(FOREIGN_RPPS[1], FOREIGN_NAME, &foreign),
            "createPractitioner",
            "practitioner",
        )
        .await;
    // A doctor of both structures: their foreign membership and contracts stay hidden.
    let shared =
        w.create("shared doctor", doctor("10002345675", "Partage", &home), "createPractitioner", "practitioner").await;
    let shared_abroad = w
        .create(
            "shared membership",
            json!({ "structureId": foreign, "practitionerId": shared, "from": "2021-01-01" }),
            "addMember",
            "membership",
        )
        .await;
    for p in [&home_doc, &foreign_doc, &adherent, &shared] {
        let pmt = if p == &home_doc || p == &shared { 1_200 } else { FOREIGN_PMT };
        w.create(
            "figures",
            json!({ "practitionerId": p, "year": 2025, "pmt": pmt, "fileActive": pmt + 500, "band": "P50_P70" }),
            "recordActivityFigures",
            "figures",
        )
        .await;
    }
    let assistant = |structure: &str, employer: Value| {
        let mut input = json!({ "structureId": structure, "firstName": "Anne", "lastName": "Assist", "hiredOn": "2024-01-01",
                                "weeklyHours": "35", "qualification": "NONE" });
        if let (Some(i), Some(e)) = (input.as_object_mut(), employer.as_object()) {
            i.extend(e.clone());
        }
        input
    };
    let by_company = w
        .create(
            "employed abroad",
            assistant(&home, json!({ "employerStructureId": foreign })),
            "createAssistant",
            "assistant",
        )
        .await;
    let by_doctor = w
        .create(
            "employed by a foreign doctor",
            assistant(&home, json!({ "employerPractitionerId": foreign_doc })),
            "createAssistant",
            "assistant",
        )
        .await;
    let foreign_assistant = w
        .create(
            "foreign assistant",
            assistant(&foreign, json!({ "employerStructureId": foreign })),
            "createAssistant",
            "assistant",
        )
        .await;
    let assignment = |assistant: &str, doctor: &str| json!({ "assistantId": assistant, "practitionerId": doctor, "weeklyHours": "10", "from": "2024-02-01" });
    let to_foreign =
        w.create("assignment abroad", assignment(&by_company, &foreign_doc), "createAssignment", "assignment").await;
    let home_assignment =
        w.create("home assignment", assignment(&by_doctor, &home_doc), "createAssignment", "assignment").await;
    let foreign_assignment = w
        .create("foreign assignment", assignment(&foreign_assistant, &foreign_doc), "createAssignment", "assignment")
        .await;
    let collective = |structure: &str, members: &[&str]| {
        json!({ "kind": "COLLECTIVE", "structureId": structure, "fundedEtp": "1", "signedOn": "2026-03-01",
                "members": members.iter().map(|m| json!({ "practitionerId": m, "from": "2026-03-01" })).collect::<Vec<_>>() })
    };
    let home_collective =
        w.create("home collective", collective(&home, &[&home_doc, &adherent]), "createAidContract", "contract").await;
    let foreign_collective = w
        .create("foreign collective", collective(&foreign, &[&foreign_doc, &shared]), "createAidContract", "contract")
        .await;
    let individual = |doctor: &str| json!({ "kind": "INDIVIDUAL", "practitionerId": doctor, "option": "HALF_ETP", "signedOn": "2024-09-01" });
    let foreign_individual =
        w.create("foreign individual", individual(&foreign_doc), "createAidContract", "contract").await;
    let home_individual = w.create("home individual", individual(&home_doc), "createAidContract", "contract").await;

    w.foreign_ids = vec![
        foreign,
        foreign_doc,
        adherent,
        shared_abroad,
        foreign_assistant,
        to_foreign.clone(),
        foreign_assignment,
        foreign_collective,
        foreign_individual,
    ];
    // `to_foreign` is an assignment of a home assistant: visible itself, but not its doctor.
    w.foreign_ids.retain(|id| id != &to_foreign);
    w.home_ids = vec![
        home,
        home_doc,
        shared,
        by_company,
        by_doctor,
        to_foreign,
        home_assignment,
        home_collective,
        home_individual,
    ];
    w
}

/// The schema's types, by name, as introspection gives them.
async fn introspect(w: &World) -> HashMap<String, Value> {
    let query = "{ __schema { types { name kind possibleTypes { name }
        fields { name args { name type { ...T } } type { ...T } } } } }
        fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";
    let data = w.run(admin(), query, json!({})).await;
    let types = data["data"]["__schema"]["types"].as_array().expect("types").clone();
    types.into_iter().filter_map(|t| Some((t["name"].as_str()?.to_owned(), t))).collect()
}

/// The named type under NON_NULL and LIST wrappers, and whether it is required.
fn named(ty: &Value) -> (&str, &str, bool) {
    let required = ty["kind"] == "NON_NULL";
    let mut t = ty;
    while t["name"].is_null() {
        t = &t["ofType"];
    }
    (t["kind"].as_str().unwrap_or(""), t["name"].as_str().unwrap_or(""), required)
}

/// An argument value for a field, or `None` when the walk cannot fill a required one.
fn argument(types: &HashMap<String, Value>, name: &str, ty: &Value) -> Option<String> {
    let (kind, type_name, _) = named(ty);
    Some(match (kind, type_name) {
        (_, "Int") if name == "first" => "50".into(),
        (_, "Date") => "\"2026-06-01\"".into(),
        ("ENUM", _) => {
            let values = types.get(type_name)?;
            // `enumValues` is not asked for: pick by name from the type's known options.
            let _ = values;
            match type_name {
                "AidOption" => "HALF_ETP".into(),
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// Every field of `type_name`, objects expanded while `budget` lasts and a type is not already
/// twice on the path.
fn selection(types: &HashMap<String, Value>, type_name: &str, path: &mut Vec<String>, budget: usize) -> String {
    let Some(t) = types.get(type_name) else { return "__typename".into() };
    if t["kind"] == "INTERFACE" || t["kind"] == "UNION" {
        let mut out = String::from("__typename");
        for possible in t["possibleTypes"].as_array().into_iter().flatten() {
            let name = possible["name"].as_str().unwrap_or("");
            out.push_str(&format!(" ... on {name} {{ {} }}", selection(types, name, path, budget)));
        }
        return out;
    }
    let mut out = vec!["__typename".to_owned()];
    for field in t["fields"].as_array().into_iter().flatten() {
        let name = field["name"].as_str().unwrap_or("");
        let mut args = Vec::new();
        let mut fillable = true;
        for arg in field["args"].as_array().into_iter().flatten() {
            let arg_name = arg["name"].as_str().unwrap_or("");
            match argument(types, arg_name, &arg["type"]) {
                Some(v) => args.push(format!("{arg_name}: {v}")),
                None if named(&arg["type"]).2 => fillable = false,
                None => {}
            }
        }
        if !fillable {
            continue;
        }
        let args = if args.is_empty() { String::new() } else { format!("({})", args.join(", ")) };
        let (kind, inner, _) = named(&field["type"]);
        match kind {
            "SCALAR" | "ENUM" => out.push(format!("{name}{args}")),
            _ if budget == 0 || path.iter().filter(|p| *p == inner).count() >= 2 => {}
            _ => {
                path.push(inner.to_owned());
                out.push(format!("{name}{args} {{ {} }}", selection(types, inner, path, budget - 1)));
                path.pop();
            }
        }
    }
    out.join(" ")
}

/// The coordinator asks for everything reachable from each of their objects and from the
/// root lists; the answers must not hold a foreign id, RPPS, name or figure.
async fn nothing_foreign_is_reachable(store: Store) {
    let w = world(store).await;
    let types = introspect(&w).await;
    let coordinator = w.coordinator().await;
    let mut answers = Vec::new();
    let roots = [
        format!("{{ structures(first: 50) {{ {} }} }}", selection(&types, "StructureConnection", &mut vec![], 7)),
        format!(
            "{{ practitioner(rpps: \"10002345675\") {{ {} }} }}",
            selection(&types, "Practitioner", &mut vec![], 6)
        ),
    ];
    for query in roots.iter().cloned().chain(
        w.home_ids
            .iter()
            .map(|id| format!("{{ node(id: \"{id}\") {{ {} }} }}", selection(&types, "Node", &mut vec![], 6))),
    ) {
        let data = w.run(coordinator.clone(), &query, json!({})).await;
        assert!(data["errors"].is_null(), "the walk must run without errors: {data}\n{query}");
        answers.push(data.to_string());
    }
    let all = answers.join("\n");
    let mut forbidden: Vec<String> = w.foreign_ids.clone();
    forbidden.extend(FOREIGN_RPPS.iter().map(|s| (*s).to_owned()));
    forbidden.push(FOREIGN_NAME.to_owned());
    forbidden.push(FOREIGN_FINESS.to_owned());
    forbidden.push(FOREIGN_PMT.to_string());
    for needle in &forbidden {
        if let Some(at) = all.find(needle.as_str()) {
            let context = all.get(at.saturating_sub(300)..(at + 100).min(all.len())).unwrap_or(needle);
            panic!("a foreign value leaked: {needle} in …{context}…");
        }
    }
    // The walk really went through the links: the home objects and their fields are there.
    for needle in ["MSP Maison", "Partage", "\"pmt\":1200", "Assist", "COLLECTIVE", "HALF_ETP", "\"employer\":null"] {
        assert!(all.contains(needle), "the walk did not reach {needle}");
    }
    // The foreign objects themselves read as absent, exactly like unknown ids.
    for id in &w.foreign_ids {
        let data = w.run(coordinator.clone(), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
        assert_eq!(data["data"]["node"], Value::Null, "{id}: {data}");
    }
}

/// The reproduction of the report: the assistant employed by the neighbouring company.
async fn the_reported_path_returns_nothing_foreign(store: Store) {
    let w = world(store).await;
    let coordinator = w.coordinator().await;
    let query = "query($id: ID!) { node(id: $id) { ... on Assistant { employer { ... on Structure { name
        members(first: 20) { edges { node { practitioner { rpps birthYear activityFigures { pmt } contracts { id } } } } }
        contracts(first: 20) { edges { node { id } } } } }
        assignments { practitioner { rpps } } } } }";
    let data = w.run(coordinator, query, json!({ "id": w.home_ids[3] })).await;
    assert!(data["errors"].is_null(), "{data}");
    assert_eq!(data["data"]["node"]["employer"], Value::Null, "{data}");
    assert_eq!(data["data"]["node"]["assignments"], json!([{ "practitioner": null }]), "{data}");
}

persistence::backend_tests!(nothing_foreign_is_reachable, the_reported_path_returns_nothing_foreign);
