//! The CPAM's copies of aid contracts and ACI contracts, matched to the records by CPAM
//! reference: on SQLite and (with `TEST_DATABASE_URL`) on PostgreSQL.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use domain::*;
use persistence::{
    CopyOutcome, CpamAciFacts, CpamAciYear, CpamContractFacts, CpamStructureRefresh, DuplicateKey, NewMembership,
    NotStored, Store, StoreError,
};
use rust_decimal::Decimal;

const FINESS: &str = "330042185";
const BENALI: &str = "10011234563";
const CHEVALIER: &str = "10012345673";
/// A well-formed RPPS no doctor of the store has.
const STRANGER: &str = "10003461034";

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, hour, 0, 0).single().expect("a time")
}

fn rpps(s: &str) -> Rpps {
    Rpps::parse(s).expect("valid RPPS")
}

fn msp() -> StructureFields {
    StructureFields {
        kind: StructureKind::Msp,
        legal_form: LegalForm::Sisa,
        name: "MSP du Bourg".into(),
        finess: Some(Finess::parse(FINESS).expect("valid FINESS")),
        siret: None,
        commune: InseeCommune::parse("33039").expect("valid commune"),
        projet_sante_validated_on: Some(day("2021-06-01")),
        sisa_employer_group: true,
        training_site: None,
    }
}

fn gp(number: &str) -> PractitionerFields {
    PractitionerFields {
        rpps: rpps(number),
        first_name: "Samia".into(),
        last_name: "Benali".into(),
        specialty: Specialty::GeneralPractice,
        sector: ConventionSector::Sector1,
        optam: Optam::None,
        practice_mode: PracticeMode::Liberal,
        mep: false,
        installed_on: Some(day("2015-09-01")),
        birth_year: Some(1980),
        rqth: None,
    }
}

/// A structure and two of its doctors.
async fn setup(store: &Store) -> (StructureId, PractitionerId, PractitionerId) {
    let s = store.create_structure(&msp()).await.expect("structure");
    let member = NewMembership {
        structure_id: s.id,
        partner: true,
        period: Period::new(day("2020-01-01"), None).expect("a period"),
        hosts_docteur_junior: None,
    };
    let (a, _) = store.create_practitioner(&gp(BENALI), Some(&member)).await.expect("doctor");
    let (b, _) = store.create_practitioner(&gp(CHEVALIER), Some(&member)).await.expect("doctor");
    (s.id, a.id, b.id)
}

/// The collective contract of the fixtures, CPAM33-AMC-2026-0007, with `members`.
fn collective(members: &[&str]) -> CpamContractFacts {
    CpamContractFacts {
        reference: "CPAM33-AMC-2026-0007".into(),
        kind: ContractKind::Collective,
        rpps: None,
        finess: Some(Finess::parse(FINESS).expect("valid FINESS")),
        option: None,
        funded_etp: Some(Etp::new(2, 1)),
        members: members.iter().map(|m| rpps(m)).collect(),
        signed_on: day("2026-03-02"),
        status: ContractStatus::Active,
        ends_on: None,
    }
}

fn individual(reference: &str, signer: &str, option: AidOption) -> CpamContractFacts {
    CpamContractFacts {
        reference: reference.into(),
        kind: ContractKind::Individual,
        rpps: Some(rpps(signer)),
        finess: None,
        option: Some(option),
        funded_etp: Some(option.etp()),
        members: vec![],
        signed_on: day("2021-03-01"),
        status: ContractStatus::Active,
        ends_on: None,
    }
}

fn aci(points_2025: u32) -> CpamAciFacts {
    CpamAciFacts {
        reference: "CPAM33-ACI-2022-0031".into(),
        signed_on: day("2022-11-07"),
        years: vec![
            CpamAciYear { year: 2024, points: 7_100, paid: Some(Decimal::new(4_970_000, 2)) },
            CpamAciYear { year: 2025, points: points_2025, paid: None },
        ],
        coordination_declared: true,
        coordination_etp: Some(Etp::new(1, 2)),
        coordination_holder: None,
    }
}

fn refresh(structure_id: StructureId, contracts: Vec<CpamContractFacts>, hour: u32) -> CpamStructureRefresh {
    CpamStructureRefresh { structure_id, contracts, aci: Some(aci(7_650)), at: at(hour) }
}

async fn count(store: &Store, table: &str) -> u64 {
    store.count_rows(table).await.expect("count")
}

async fn a_refresh_run_twice_stores_each_cpam_contract_once(store: Store) {
    let (s, a, b) = setup(&store).await;
    let first = store.apply_cpam_structure_refresh(&refresh(s, vec![collective(&[BENALI, CHEVALIER])], 9)).await;
    let first = first.expect("stored");
    let CopyOutcome::Created(id) = first[0].outcome else { panic!("created: {first:?}") };
    let second = store.apply_cpam_structure_refresh(&refresh(s, vec![collective(&[BENALI, CHEVALIER])], 10)).await;
    assert_eq!(second.expect("stored")[0].outcome, CopyOutcome::Refreshed(id));
    assert_eq!(
        [count(&store, "aid_contracts").await, count(&store, "cpam_contracts").await],
        [1, 1],
        "one record and one copy"
    );
    assert_eq!([count(&store, "contract_members").await, count(&store, "cpam_aci_contracts").await], [2, 1]);
    let created = store.contract(id).await.expect("reads").expect("exists");
    let ContractTerms::Collective { funded_etp, members, structure_id } = &created.fields.terms else {
        panic!("a collective contract")
    };
    assert_eq!((*structure_id, *funded_etp), (s, Etp::new(2, 1)));
    let adherents: Vec<_> = members.iter().map(|m| (m.practitioner_id, m.period.from())).collect();
    assert_eq!(adherents, vec![(a, day("2026-03-02")), (b, day("2026-03-02"))]);
    let copy = store.cpam_copies_of(&[id]).await.expect("reads").remove(&id).expect("the copy");
    assert_eq!((copy.fetched_at, copy.contract_id), (at(10), Some(id)));
    assert_eq!(store.contract_cpam_references(&[id]).await.expect("reads")[&id], "CPAM33-AMC-2026-0007");
}

async fn a_hand_typed_contract_with_the_reference_is_linked_and_kept_as_typed(store: Store) {
    let (s, a, _) = setup(&store).await;
    // Typed in by hand as 1/2 ETP; the CPAM says 1/3.
    let typed = AidContractFields {
        terms: ContractTerms::Individual { practitioner_id: a, option: AidOption::HalfEtp },
        signed_on: day("2021-03-01"),
        status: ContractStatus::Active,
        ends_on: None,
        renewals: 0,
        baseline_on: None,
    };
    let record = store.create_referenced_contract(&typed, Some(" CPAM33-AM-2021-0042 ")).await.expect("created");
    let cpam = individual("CPAM33-AM-2021-0042", BENALI, AidOption::OneThirdEtp);
    let stored = store.apply_cpam_structure_refresh(&refresh(s, vec![cpam.clone()], 9)).await.expect("stored");
    assert_eq!(stored[0].outcome, CopyOutcome::Linked(record.id));
    assert_eq!(count(&store, "aid_contracts").await, 1, "linked, not duplicated");
    assert_eq!(store.contract(record.id).await.expect("reads").expect("exists").fields, typed, "kept as typed");
    let copy = store.cpam_copies_of(&[record.id]).await.expect("reads").remove(&record.id).expect("the copy");
    assert_eq!(copy.facts, cpam, "the CPAM's facts kept beside");
    // A second contract with the same reference is refused with a typed duplicate.
    let err = store.create_referenced_contract(&typed, Some("CPAM33-AM-2021-0042")).await.expect_err("refused");
    assert!(matches!(err, StoreError::Duplicate(DuplicateKey::CpamReference)), "{err:?}");
    assert_eq!(count(&store, "aid_contracts").await, 1);
    // Clearing the reference unlinks the copy; setting it again links it back.
    store.update_referenced_contract(record.id, &typed, Some(None)).await.expect("cleared");
    assert!(store.cpam_copies_of(&[record.id]).await.expect("reads").is_empty());
    store.update_referenced_contract(record.id, &typed, Some(Some("CPAM33-AM-2021-0042"))).await.expect("set");
    assert_eq!(store.cpam_copies_of(&[record.id]).await.expect("reads").len(), 1);
    // An update that does not mention the reference keeps it.
    store.update_contract(record.id, &typed).await.expect("updated");
    assert_eq!(store.contract_cpam_references(&[record.id]).await.expect("reads").len(), 1);
}

async fn an_unknown_rpps_is_reported_not_invented(store: Store) {
    let (s, a, _) = setup(&store).await;
    let contracts =
        vec![collective(&[BENALI, STRANGER]), individual("CPAM33-AM-2021-0099", STRANGER, AidOption::HalfEtp)];
    let stored = store.apply_cpam_structure_refresh(&refresh(s, contracts, 9)).await.expect("stored");
    let CopyOutcome::Created(id) = stored[0].outcome else { panic!("created: {stored:?}") };
    assert_eq!(stored[0].unknown_members, vec![rpps(STRANGER)]);
    let created = store.contract(id).await.expect("reads").expect("exists");
    let ContractTerms::Collective { members, .. } = &created.fields.terms else { panic!("collective") };
    assert_eq!(members.iter().map(|m| m.practitioner_id).collect::<Vec<_>>(), vec![a]);
    assert_eq!(stored[1].outcome, CopyOutcome::NotStored(NotStored::UnknownPractitioner(rpps(STRANGER))));
    // Both copies are kept, the CPAM's member list whole; only the first has a record.
    assert_eq!([count(&store, "aid_contracts").await, count(&store, "cpam_contracts").await], [1, 2]);
    let copy = store.cpam_copy("CPAM33-AMC-2026-0007").await.expect("reads").expect("the copy");
    assert_eq!(copy.facts.members.len(), 2);
    let orphan = store.cpam_copy("CPAM33-AM-2021-0099").await.expect("reads").expect("the copy");
    assert_eq!(orphan.contract_id, None);
}

async fn the_aci_copy_is_updated_in_place(store: Store) {
    let (s, _, _) = setup(&store).await;
    store.apply_cpam_structure_refresh(&refresh(s, vec![], 9)).await.expect("stored");
    let mut later = refresh(s, vec![], 10);
    later.aci = Some(aci(7_900));
    store.apply_cpam_structure_refresh(&later).await.expect("stored");
    assert_eq!([count(&store, "cpam_aci_contracts").await, count(&store, "cpam_aci_years").await], [1, 2]);
    let copy = store.cpam_aci_copy(s).await.expect("reads").expect("the copy");
    assert_eq!(copy.fetched_at, at(10));
    let years: Vec<_> = copy.facts.years.iter().map(|y| (y.year, y.points, y.paid)).collect();
    assert_eq!(years, vec![(2024, 7_100, Some(Decimal::new(4_970_000, 2))), (2025, 7_900, None)]);
    assert_eq!(copy.facts.coordination_etp, Some(Etp::new(1, 2)));
}

/// A refresh that cannot be written entirely writes nothing: its copies, records and ACI copy
/// roll back together.
async fn a_structure_refresh_is_all_or_nothing(store: Store) {
    let (s, _, _) = setup(&store).await;
    let mut bad = refresh(s, vec![collective(&[BENALI])], 9);
    // Points beyond the database's integer: the ACI copy, written last, fails.
    bad.aci = Some(CpamAciFacts { years: vec![CpamAciYear { year: 2025, points: u32::MAX, paid: None }], ..aci(0) });
    assert!(store.apply_cpam_structure_refresh(&bad).await.is_err());
    for table in ["aid_contracts", "contract_members", "cpam_contracts", "cpam_aci_contracts", "cpam_aci_years"] {
        assert_eq!(count(&store, table).await, 0, "{table}");
    }
}

persistence::backend_tests!(
    a_refresh_run_twice_stores_each_cpam_contract_once,
    a_hand_typed_contract_with_the_reference_is_linked_and_kept_as_typed,
    an_unknown_rpps_is_reported_not_invented,
    the_aci_copy_is_updated_in_place,
    a_structure_refresh_is_all_or_nothing,
);
