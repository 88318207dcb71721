//! The rules over GraphQL: what-if simulations, parameters in force, evaluation of stored records.

use std::sync::Arc;

use async_graphql::{Request, Variables};
use domain::rules::RuleBook;
use graphql::{AppSchema, CpamGateway, Limits, Role, Viewer, build_schema, request_data};
use persistence::{Store, Visibility};
use serde_json::{Value, json};

async fn run(schema: &AppSchema, store: &Store, query: &str, variables: Value) -> Value {
    let viewer = Viewer { name: "test".into(), role: Role::Admin, visibility: Visibility::All };
    let request = request_data(Request::new(query).variables(Variables::from_json(variables)), store, viewer);
    serde_json::to_value(schema.execute(request).await).expect("serialises")
}

async fn schema() -> (AppSchema, Store) {
    let store = persistence::testing::sqlite().await;
    let rules = Arc::new(RuleBook::embedded().expect("embedded rules"));
    (build_schema(store.clone(), rules, CpamGateway::off(), Limits::default()), store)
}

const SIMULATE: &str = "query($input: IndividualSimulationInput!) {
  simulateIndividualAid(input: $input) {
    regime verdict confidence amountsConfidence objectivesConfidence failingRules undecidedRules missingInputs
    caveats { key confidence reference }
    options { option outcome reason }
    schedule { contractYear startsOn row maximum revalued }
    year { contractYear maximum }
    payable achievementRate
    objectives { dueBy targets { indicator kind baseline target actual rate } }
    explanation { formatVersion verdict confidence
      rules { rule title reference outcome note confidence inputs { name value } missing
              parameters { key value effectiveFrom reference source confidence checkedOn } } }
  }
}";

#[tokio::test]
async fn individual_what_if_explains_itself() {
    let (schema, store) = schema().await;
    let input = json!({
        "signedOn": "2024-09-01", "option": "ONE_ETP", "asOf": "2026-10-01",
        "actual": { "pmt": 1430, "fileActive": 2155 },
        "doctor": { "specialty": "GENERAL_PRACTICE", "sector": "SECTOR_1", "band": "P50_P70",
                    "activity": { "pmt": 1300, "fileActive": 2100 } }
    });
    let body = run(&schema, &store, SIMULATE, json!({ "input": input })).await;
    let s = &body["data"]["simulateIndividualAid"];
    assert_eq!(s["regime"], "R2024", "{body}");
    assert_eq!(s["verdict"], "ELIGIBLE");
    let maxima: Vec<&str> =
        s["schedule"].as_array().expect("schedule").iter().filter_map(|y| y["maximum"].as_str()).collect();
    assert_eq!(maxima, ["38000.00", "28000.00", "22000.00", "22000.00", "22000.00"], "money is a string with cents");
    assert_eq!(s["year"]["contractYear"], 3);
    assert_eq!(s["payable"], "11000.00");
    assert_eq!(s["achievementRate"], "0.5");
    assert_eq!(s["objectives"]["targets"][0]["target"], 1560);
    assert_eq!(s["objectives"]["targets"][0]["rate"], "0.5");
    assert_eq!(s["objectives"]["dueBy"], "2026-08-31");
    // Every option with its reason; 1/3 ETP closed since 2023-05-01.
    let third = s["options"].as_array().expect("options").iter().find(|o| o["option"] == "ONE_THIRD_ETP").cloned();
    assert_eq!(third.as_ref().map(|o| o["outcome"].clone()), Some(json!("FAIL")));
    // Eligibility rests on second-hand reports (the C2026 no-cumulation rule, the 2024 list of
    // surgical specialties); amounts are the official table; objectives are our assumption
    // (the 2024 table is not published). Each says so.
    assert_eq!(s["confidence"], "SECONDARY");
    assert_eq!(s["amountsConfidence"], "SECONDARY", "the R2023+ payment schedule is second-hand");
    assert_eq!(s["objectivesConfidence"], "ASSUMPTION");
    assert_eq!(s["explanation"]["confidence"], "ASSUMPTION", "the explanation's is the weakest of all");
    assert!(s["caveats"].as_array().expect("caveats").iter().any(|c| c["key"] == "objective.gp_extra_pmt_per_etp"));
    let e = &s["explanation"];
    assert_eq!(e["formatVersion"], "2.0");
    // A rule that reads no parameter still cites its texts.
    let sector = e["rules"].as_array().expect("rules").iter().find(|r| r["rule"] == "IND-SECTOR").expect("traced");
    assert_eq!(sector["parameters"], json!([]));
    assert!(sector["reference"].as_str().is_some_and(|r| r.contains("Avenant 7") && r.contains("OPTAM")), "{sector}");
    let amounts =
        e["rules"].as_array().expect("rules").iter().find(|r| r["rule"] == "AMT-REVALUATION").expect("traced");
    let p = &amounts["parameters"][0];
    assert_eq!(p["key"], "amount.one_etp.year_3_plus");
    assert_eq!(p["value"], "22000");
    assert_eq!(p["confidence"], "OFFICIAL");
    assert!(p["reference"].as_str().is_some_and(|r| r.contains("Convention médicale 2024-2029")), "{p}");
    assert!(p["source"].as_str().is_some_and(|r| r.starts_with("https://www.ameli.fr/")));
}

#[tokio::test]
async fn undecided_rules_name_their_missing_inputs() {
    let (schema, store) = schema().await;
    let input = json!({ "signedOn": "2020-01-06", "option": "HALF_ETP",
                        "doctor": { "specialty": "GENERAL_SURGERY", "sector": "SECTOR_1" } });
    let body = run(&schema, &store, SIMULATE, json!({ "input": input })).await;
    let s = &body["data"]["simulateIndividualAid"];
    assert_eq!(s["verdict"], "UNDECIDED", "{body}");
    let missing: Vec<&str> = s["missingInputs"].as_array().expect("missing").iter().filter_map(Value::as_str).collect();
    for name in
        ["doctor.underserved_departement", "doctor.band", "doctor.grouped_practice", "doctor.coordinated_practice"]
    {
        assert!(missing.contains(&name), "{name} in {missing:?}");
    }
}

#[tokio::test]
async fn bad_dates_and_values_are_typed_errors() {
    let (schema, store) = schema().await;
    let input = json!({ "signedOn": "2019-08-20", "option": "HALF_ETP", "doctor": { "specialty": "GENERAL_PRACTICE", "sector": "SECTOR_1" } });
    let body = run(&schema, &store, SIMULATE, json!({ "input": input })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.starts_with("no regime")));
    let input = json!({ "signedOn": "2024-09-01", "option": "HALF_ETP",
                        "doctor": { "specialty": "GENERAL_PRACTICE", "sector": "SECTOR_1", "ccamShare": "25" } });
    let body = run(&schema, &store, SIMULATE, json!({ "input": input })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
}

#[tokio::test]
async fn collective_what_if() {
    let (schema, store) = schema().await;
    let member = |pmt: u32| {
        json!({ "label": format!("GP {pmt}"), "specialty": "GENERAL_PRACTICE", "sector": "SECTOR_1",
                                    "partner": true, "pmt": pmt, "fileActive": 1800 })
    };
    let input = json!({ "signedOn": "2026-03-01", "asOf": "2028-06-01", "legalForm": "SISA", "fundedEtp": "3",
                        "actual": { "pmt": 3390, "fileActive": 6000 },
                        "members": [member(1000), member(1000), member(1000)] });
    let body = run(
        &schema,
        &store,
        "query($input: CollectiveSimulationInput!) { simulateCollectiveAid(input: $input) {
            verdict confidence etpCap meanPmt endsOn payable achievementRate
            schedule { contractYear maximum } members { label eligible }
            objectives { targets { indicator target } } explanation { formatVersion rules { rule outcome } } } }",
        json!({ "input": input }),
    )
    .await;
    let s = &body["data"]["simulateCollectiveAid"];
    assert_eq!(s["verdict"], "ELIGIBLE", "{body}");
    assert_eq!(s["confidence"], "SECONDARY", "C2026 is known from a secondary source only");
    assert_eq!(s["schedule"][0]["maximum"], "114000.00");
    assert_eq!(s["payable"], "49500.00");
    assert_eq!(s["achievementRate"], "0.75");
    assert_eq!(s["endsOn"], "2031-02-28");
    assert_eq!(s["objectives"]["targets"][0]["target"], 3780);
}

#[tokio::test]
async fn parameters_in_force_on_a_date() {
    let (schema, store) = schema().await;
    let q = "query($d: Date!) { ruleParameters(asOf: $d) { key family value effectiveFrom confidence reference source origin } }";
    let before = run(&schema, &store, q, json!({ "d": "2024-01-01" })).await;
    let after = run(&schema, &store, q, json!({ "d": "2026-12-01" })).await;
    let find = |b: &Value, key: &str| {
        b["data"]["ruleParameters"].as_array().expect("list").iter().find(|p| p["key"] == key).cloned()
    };
    assert_eq!(find(&before, "amount.one_etp.year_1").map(|p| p["value"].clone()), Some(json!("36000")));
    assert_eq!(find(&after, "amount.one_etp.year_1").map(|p| p["value"].clone()), Some(json!("38000")));
    assert_eq!(find(&before, "collective.amount.year_1"), None, "C2026 was not in force in 2024");
    let bonus = find(&after, "collective.pamsu_bonus_etp").expect("in force");
    assert_eq!((bonus["value"].clone(), bonus["effectiveFrom"].clone()), (json!("0.5"), json!("2026-11-01")));
    assert_eq!(bonus["origin"], "collective.toml");
}

#[tokio::test]
async fn stored_doctor_and_contract_are_evaluated_from_recorded_figures() {
    let (schema, store) = schema().await;
    store.import(&server_like_demo()).await.expect("dataset loads");
    let body = run(
        &schema,
        &store,
        "{ practitioner(rpps: \"10001234565\") {
            aidSimulation(signedOn: \"2026-09-01\", option: HALF_ETP) { verdict regime failingRules missingInputs
              objectives { targets { indicator baseline target actual } } }
            contracts { kind evaluation(asOf: \"2026-11-23\") { __typename
              ... on IndividualSimulation { regime verdict year { contractYear maximum } payable objectives { targets { baseline target actual } } } } } } }",
        json!({}),
    )
    .await;
    let p = &body["data"]["practitioner"];
    let sim = &p["aidSimulation"];
    assert_eq!(sim["regime"], "R2024", "{body}");
    assert_eq!(sim["verdict"], "ELIGIBLE", "{body}");
    // Baseline: the figures of the year before signature (2025).
    assert_eq!(sim["objectives"]["targets"][0]["baseline"], 1262);
    let eval = &p["contracts"][0]["evaluation"];
    assert_eq!(eval["__typename"], "IndividualSimulation", "{body}");
    assert_eq!(eval["regime"], "R2020");
    // Signed in 2021: on 2026-11-23 it would be in year 6, past its 5-year term, and no renewal
    // is recorded: no year runs and nothing is due (IND-TERM).
    assert_eq!(eval["year"], Value::Null, "{body}");
    assert_eq!(eval["payable"], "0.00");
    assert_eq!(
        eval["objectives"]["targets"][0]["baseline"], 1010,
        "baseline from the 2020 figures when recorded, else the oldest"
    );
}

/// A small dataset shaped like the demo: one MSP, one GP with figures and a 2021 contract.
fn server_like_demo() -> persistence::import::Dataset {
    use chrono::{NaiveDate, TimeZone, Utc};
    use domain::*;
    use persistence::import::*;
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid");
    let figures = |year, pmt, adult, fa| ImportFigures {
        year,
        pmt: Some(pmt),
        adult_pmt: Some(adult),
        file_active: Some(fa),
        ccam_share_bp: None,
        band: Some(ActivityBand::P50P70),
        origin: FiguresOrigin::Manual,
        obtained_at: Utc.with_ymd_and_hms(year + 1, 2, 1, 0, 0, 0).single().expect("valid"),
    };
    Dataset {
        structures: vec![StructureFields {
            kind: StructureKind::Msp,
            legal_form: LegalForm::Sisa,
            name: "MSP".into(),
            finess: None,
            siret: None,
            commune: InseeCommune::parse("33039").expect("valid"),
            projet_sante_validated_on: None,
            sisa_employer_group: true,
            training_site: None,
        }],
        practitioners: vec![ImportPractitioner {
            fields: PractitionerFields {
                rpps: Rpps::parse("10001234565").expect("valid"),
                first_name: "Claire".into(),
                last_name: "Martin".into(),
                specialty: Specialty::GeneralPractice,
                sector: ConventionSector::Sector1,
                optam: Optam::None,
                practice_mode: PracticeMode::Liberal,
                mep: false,
                installed_on: Some(day(2012, 9, 3)),
                birth_year: Some(1978),
                rqth: None,
            },
            memberships: vec![(0, true, Period::new(day(2012, 9, 3), None).expect("valid"))],
            figures: vec![figures(2024, 1_180, 1_010, 2_150), figures(2025, 1_262, 1_083, 2_240)],
        }],
        assistants: vec![],
        contracts: vec![ImportContract {
            terms: ImportTerms::Individual { practitioner: 0, option: AidOption::OneThirdEtp },
            signed_on: day(2021, 3, 1),
            status: ContractStatus::Active,
            ends_on: None,
            cpam_reference: None,
        }],
    }
}
