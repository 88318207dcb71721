//! The CPAM refresh stores the CPAM's aid contracts and ACI contract, matched to the records
//! typed in by hand by CPAM reference, against the wiremock stub serving the fixtures; on
//! SQLite and (with `TEST_DATABASE_URL`) on PostgreSQL.

use std::time::Duration;

use ameli_connector::stub::{CpamStub, Fixtures, StubOptions};
use ameli_connector::{CpamClient, CpamConfig};
use chrono::NaiveDate;
use domain::*;
use persistence::{CopyOutcome, NewMembership, Store, Visibility};
use planning::cases::{self, ContractFact, FactsUsed};
use planning::cpam::{self, StructureRecords, StructureRefresh};
use planning::load;
use tokio::time::Instant;

const TOKEN: &str = "planning-test-token";
/// The fixtures' MSP with a collective contract (CPAM33-AMC-2026-0007, Benali and
/// Chevalier, 2 ETP) and an ACI contract (CPAM33-ACI-2022-0031).
const FINESS: &str = "330042185";
/// Martin holds CPAM33-AM-2021-0042: 1/3 ETP, signed 2021-03-01, active.
const MARTIN: &str = "10001234565";
const BENALI: &str = "10011234563";
const CHEVALIER: &str = "10012345673";
const MARTIN_REFERENCE: &str = "CPAM33-AM-2021-0042";

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

fn doctor(rpps: &str) -> PractitionerFields {
    PractitionerFields {
        rpps: Rpps::parse(rpps).expect("valid RPPS"),
        first_name: "Prénom".into(),
        last_name: "Nom".into(),
        specialty: Specialty::GeneralPractice,
        sector: ConventionSector::Sector1,
        optam: Optam::None,
        practice_mode: PracticeMode::Liberal,
        mep: false,
        installed_on: Some(day("2012-09-03")),
        birth_year: Some(1975),
        rqth: None,
    }
}

/// The MSP and its three doctors.
async fn setup(store: &Store) -> (Structure, Vec<Practitioner>) {
    let structure = store
        .create_structure(&StructureFields {
            kind: StructureKind::Msp,
            legal_form: LegalForm::Sisa,
            name: "MSP des Capucins".into(),
            finess: Some(Finess::parse(FINESS).expect("valid FINESS")),
            siret: None,
            commune: InseeCommune::parse("33249").expect("valid commune"),
            projet_sante_validated_on: Some(day("2020-01-01")),
            sisa_employer_group: true,
            training_site: None,
        })
        .await
        .expect("structure");
    let member = NewMembership {
        structure_id: structure.id,
        partner: true,
        period: Period::new(day("2019-01-01"), None).expect("a period"),
        hosts_docteur_junior: None,
    };
    let mut doctors = Vec::new();
    for rpps in [MARTIN, BENALI, CHEVALIER] {
        doctors.push(store.create_practitioner(&doctor(rpps), Some(&member)).await.expect("doctor").0);
    }
    (structure, doctors)
}

async fn stub(delay: Duration, fail: bool) -> CpamStub {
    let fixtures = Fixtures::embedded().expect("fixtures parse");
    CpamStub::start(fixtures, StubOptions { token: TOKEN.into(), delay, fail }).await
}

fn client(stub: &CpamStub) -> CpamClient {
    let mut config = CpamConfig::new(stub.base_url(), TOKEN);
    config.cache_ttl_seconds = 0;
    config.max_retries = 1;
    config.backoff_base_ms = 1;
    config.request_timeout_ms = 5_000;
    CpamClient::new(config).expect("client")
}

async fn refresh(store: &Store, client: &CpamClient, structure: &Structure, budget: Duration) -> StructureRefresh {
    cpam::refresh_structure(store, client, structure, Instant::now() + budget).await.expect("the store answers")
}

async fn count(store: &Store, table: &str) -> u64 {
    store.count_rows(table).await.expect("count")
}

/// Outcomes by reference, sorted.
fn outcomes(done: &StructureRefresh) -> Vec<(String, &'static str)> {
    let mut out: Vec<_> = done
        .contracts
        .iter()
        .map(|s| {
            let what = match s.outcome {
                CopyOutcome::Created(_) => "created",
                CopyOutcome::Linked(_) => "linked",
                CopyOutcome::Refreshed(_) => "refreshed",
                CopyOutcome::NotStored(_) => "not stored",
            };
            (s.reference.clone(), what)
        })
        .collect();
    out.sort();
    out
}

async fn a_refresh_run_twice_stores_each_cpam_contract_once(store: Store) {
    let (structure, _) = setup(&store).await;
    let stub = stub(Duration::ZERO, false).await;
    let client = client(&stub);
    let first = refresh(&store, &client, &structure, Duration::from_secs(10)).await;
    assert_eq!(first.failures.len(), 0, "{:?}", first.failures);
    assert!(
        matches!(&first.structure_records, StructureRecords::Stored { aci_reference: Some(r) } if r == "CPAM33-ACI-2022-0031")
    );
    // Martin's own contract from his refresh; the collective one once, from the structure's
    // (the adherents' refreshes leave it to the structure).
    assert_eq!(
        outcomes(&first),
        vec![("CPAM33-AM-2021-0042".into(), "created"), ("CPAM33-AMC-2026-0007".into(), "created")]
    );
    let second = refresh(&store, &client, &structure, Duration::from_secs(10)).await;
    assert_eq!(
        outcomes(&second),
        vec![("CPAM33-AM-2021-0042".into(), "refreshed"), ("CPAM33-AMC-2026-0007".into(), "refreshed")]
    );
    let stored: Vec<u64> = [
        count(&store, "aid_contracts").await,
        count(&store, "cpam_contracts").await,
        count(&store, "contract_members").await,
        count(&store, "cpam_aci_contracts").await,
        count(&store, "cpam_aci_years").await,
    ]
    .into();
    assert_eq!(stored, vec![2, 2, 2, 1, 2], "records, copies, adherents, ACI copy and its years");
    let aci = store.cpam_aci_copy(structure.id).await.expect("reads").expect("the ACI copy");
    let years: Vec<_> = aci.facts.years.iter().map(|y| (y.year, y.points, y.paid.map(|p| p.to_string()))).collect();
    assert_eq!(years, vec![(2024, 7_100, Some("49700.00".into())), (2025, 7_650, Some("53550.00".into()))]);
}

async fn a_disagreement_shows_both_facts_and_the_rules_use_the_cpams(store: Store) {
    let (structure, doctors) = setup(&store).await;
    let martin = &doctors[0];
    // Typed in by hand: 1/2 ETP signed 2021-04-01; the CPAM has 1/3 ETP signed 2021-03-01.
    let typed = AidContractFields {
        terms: ContractTerms::Individual { practitioner_id: martin.id, option: AidOption::HalfEtp },
        signed_on: day("2021-04-01"),
        status: ContractStatus::Active,
        ends_on: None,
        renewals: 0,
        baseline_on: None,
    };
    let record = store.create_referenced_contract(&typed, Some(MARTIN_REFERENCE)).await.expect("typed in");
    let stub = stub(Duration::ZERO, false).await;
    let done = cpam::refresh_practitioner(&store, &client(&stub), martin, Instant::now() + Duration::from_secs(10))
        .await
        .expect("the store answers")
        .expect("refreshed");
    assert_eq!(done.contracts.len(), 1);
    assert_eq!(done.contracts[0].outcome, CopyOutcome::Linked(record.id), "linked, not duplicated");
    assert_eq!(count(&store, "aid_contracts").await, 1);

    // Both facts stay: the record as typed, the CPAM's copy beside it.
    let recorded = store.contract(record.id).await.expect("reads").expect("exists");
    assert_eq!(recorded.fields, typed);
    let link = store.cpam_links(&[record.id]).await.expect("reads").remove(&record.id).expect("the link");
    assert_eq!(link.reference.as_deref(), Some(MARTIN_REFERENCE));
    let copy = link.copy.expect("the CPAM's copy");
    let disagree: Vec<_> =
        cases::discrepancies(&recorded, &copy).into_iter().map(|d| (d.fact, d.recorded, d.cpam)).collect();
    assert_eq!(
        disagree,
        vec![
            (ContractFact::SignedOn, Some("2021-04-01".into()), Some("2021-03-01".into())),
            (ContractFact::Option, Some("HALF_ETP".into()), Some("ONE_THIRD_ETP".into())),
        ]
    );
    assert_eq!(cases::rules_facts(&recorded, Some(&copy)).1, FactsUsed::Cpam);
    assert_eq!(cases::rules_facts(&recorded, None), (recorded.clone(), FactsUsed::Recorded));

    // The rules read the CPAM's: the contract's own evaluation and the dashboard's team.
    let case = cases::individual_case(&store, &recorded, martin, AidOption::HalfEtp, Some(day("2026-12-01")))
        .await
        .expect("a case");
    assert_eq!((case.option, case.signed_on), (AidOption::OneThirdEtp, day("2021-03-01")));
    let team = load::team(&store, &Visibility::All, &structure, day("2026-12-01")).await.expect("a team");
    let held = team.members.iter().flat_map(|m| &m.contracts).map(|c| (c.case.option, c.case.signed_on));
    assert_eq!(held.collect::<Vec<_>>(), vec![(AidOption::OneThirdEtp, day("2021-03-01"))]);
}

/// Everything a refresh could write but `cpam_refreshes`, which records failed attempts.
async fn snapshot(store: &Store, structure: &Structure, doctors: &[Practitioner]) -> String {
    let mut counts = Vec::new();
    for table in [
        "practitioners",
        "activity_figures",
        "aid_contracts",
        "contract_members",
        "cpam_contracts",
        "cpam_aci_contracts",
        "cpam_aci_years",
        "zonings",
    ] {
        counts.push((table, count(store, table).await));
    }
    let contracts = store.list_structure_contracts(structure.id, None, 100).await.expect("reads").items;
    let ids: Vec<_> = contracts.iter().map(|c| c.id).collect();
    let mut links: Vec<_> = store.cpam_links(&ids).await.expect("reads").into_iter().collect();
    links.sort_by_key(|(id, _)| id.0);
    let aci = store.cpam_aci_copy(structure.id).await.expect("reads");
    let mut people = Vec::new();
    for p in doctors {
        people.push((store.practitioner(p.id).await.expect("reads"), store.figures_of(p.id).await.expect("reads")));
    }
    format!("{counts:?}\n{contracts:?}\n{links:?}\n{aci:?}\n{people:?}")
}

async fn a_cpam_failure_or_timeout_changes_nothing_stored(store: Store) {
    let (structure, doctors) = setup(&store).await;
    let working = stub(Duration::ZERO, false).await;
    refresh(&store, &client(&working), &structure, Duration::from_secs(10)).await;
    let before = snapshot(&store, &structure, &doctors).await;
    assert!(before.contains("CPAM33-AMC-2026-0007"), "something to lose: {before}");
    let attempts = count(&store, "cpam_refreshes").await;

    // An outage: every call answers 503.
    let down = stub(Duration::ZERO, true).await;
    let failed = refresh(&store, &client(&down), &structure, Duration::from_secs(10)).await;
    assert_eq!((failed.refreshed, failed.failures.len()), (0, 3));
    assert!(matches!(failed.structure_records, StructureRecords::Failed(cpam::Unrefreshed::Cpam(_))));
    assert!(failed.contracts.is_empty());
    assert_eq!(snapshot(&store, &structure, &doctors).await, before, "a 500 changes nothing stored");
    // The failures are recorded (the figures read as stale), as before.
    assert_eq!(count(&store, "cpam_refreshes").await, attempts + 3);

    // A CPAM slower than the refresh budget: nothing of the late answers is written.
    let slow = stub(Duration::from_millis(1_500), false).await;
    let late = refresh(&store, &client(&slow), &structure, Duration::from_millis(300)).await;
    assert_eq!((late.refreshed, late.failures.len()), (0, 3));
    assert!(matches!(late.structure_records, StructureRecords::Failed(cpam::Unrefreshed::TimedOut)));
    assert_eq!(snapshot(&store, &structure, &doctors).await, before, "a timeout changes nothing stored");
}

persistence::backend_tests!(
    a_refresh_run_twice_stores_each_cpam_contract_once,
    a_disagreement_shows_both_facts_and_the_rules_use_the_cpams,
    a_cpam_failure_or_timeout_changes_nothing_stored,
);
