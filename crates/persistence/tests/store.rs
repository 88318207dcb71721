//! The repository suite, run on SQLite and (with `TEST_DATABASE_URL`) on PostgreSQL.

use chrono::{NaiveDate, Utc};
use domain::*;
use persistence::{FiguresUpsert, NewAssignment, NewMembership, Store, StoreError, Visibility};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn msp(name: &str, finess: Option<&str>) -> StructureFields {
    StructureFields {
        kind: StructureKind::Msp,
        legal_form: LegalForm::Sisa,
        name: name.to_owned(),
        finess: finess.map(|f| Finess::parse(f).expect("valid FINESS")),
        siret: Some(Siret::parse("73282932000074").expect("valid SIRET")),
        commune: InseeCommune::parse("2A004").expect("valid commune"),
        projet_sante_validated_on: Some(day(2021, 6, 1)),
        sisa_employer_group: true,
        training_site: None,
    }
}

fn gp(rpps: &str) -> PractitionerFields {
    PractitionerFields {
        rpps: Rpps::parse(rpps).expect("valid RPPS"),
        first_name: "Claire".into(),
        last_name: "Martin".into(),
        specialty: Specialty::GeneralPractice,
        sector: ConventionSector::Sector1,
        optam: Optam::None,
        practice_mode: PracticeMode::Liberal,
        mep: false,
        installed_on: Some(day(2015, 9, 1)),
        birth_year: Some(1980),
        rqth: None,
    }
}

fn since(from: NaiveDate) -> Period {
    Period::new(from, None).expect("open period")
}

async fn counts(store: &Store, tables: &[&str]) -> Vec<u64> {
    let mut out = Vec::new();
    for t in tables {
        out.push(store.count_rows(t).await.expect("count"));
    }
    out
}

async fn structures_round_trip_and_paginate(store: Store) {
    let a = store.create_structure(&msp("MSP des Tilleuls", Some("010780914"))).await.expect("create");
    assert_eq!(a.fields.name, "MSP des Tilleuls");
    assert_eq!(a.fields.commune.as_str(), "2A004");
    let b = store.create_structure(&msp("MSP du Port", None)).await.expect("create");
    let c = store.create_structure(&msp("MSP de la Gare", None)).await.expect("create");

    let page = store.list_structures(&Visibility::All, None, 2).await.expect("list");
    assert_eq!(page.items.iter().map(|s| s.id).collect::<Vec<_>>(), vec![a.id, b.id]);
    assert!(page.has_next_page);
    let next = store.list_structures(&Visibility::All, Some(b.id), 2).await.expect("list");
    assert_eq!(next.items.iter().map(|s| s.id).collect::<Vec<_>>(), vec![c.id]);
    assert!(!next.has_next_page);

    let scoped = store.list_structures(&Visibility::Structures(vec![c.id]), None, 10).await.expect("list");
    assert_eq!(scoped.items.len(), 1);
    assert_eq!(scoped.items[0].id, c.id);

    let mut fields = a.fields.clone();
    fields.name = "MSP des Tilleuls (SISA)".into();
    fields.finess = None;
    let updated = store.update_structure(a.id, &fields).await.expect("update");
    assert_eq!(store.structure(a.id).await.expect("read"), Some(updated));
    assert!(matches!(
        store.update_structure(StructureId(9_999), &fields).await,
        Err(StoreError::NotFound("structure"))
    ));
    let ids = store.structure_ids_by_finess(&[Finess::parse("010780914").expect("valid")]).await.expect("ids");
    assert!(ids.is_empty(), "FINESS was cleared by the update");
}

async fn duplicate_finess_and_rpps_are_refused(store: Store) {
    store.create_structure(&msp("A", Some("540002698"))).await.expect("first");
    let err = store.create_structure(&msp("B", Some("540002698"))).await.expect_err("duplicate FINESS");
    assert!(matches!(err, StoreError::Duplicate(persistence::DuplicateKey::Finess)), "{err:?}");
    store.create_practitioner(&gp("10003461034"), None).await.expect("first");
    let err = store.create_practitioner(&gp("10003461034"), None).await.expect_err("duplicate RPPS");
    assert!(matches!(err, StoreError::Duplicate(persistence::DuplicateKey::Rpps)), "{err:?}");
    assert_eq!(counts(&store, &["structures", "practitioners"]).await, vec![1, 1]);
}

async fn practitioner_with_membership_is_all_or_nothing(store: Store) {
    let s = store.create_structure(&msp("MSP", None)).await.expect("structure");
    let ok =
        NewMembership { structure_id: s.id, partner: true, period: since(day(2020, 1, 1)), hosts_docteur_junior: None };
    let (p, m) = store.create_practitioner(&gp("10003461034"), Some(&ok)).await.expect("created");
    let m = m.expect("membership created");
    assert_eq!((m.practitioner_id, m.structure_id, m.partner), (p.id, s.id, true));

    // The membership (second row) fails: the practitioner (first row) must not remain.
    let bad = NewMembership { structure_id: StructureId(4242), ..ok };
    let err = store.create_practitioner(&gp("10101201234"), Some(&bad)).await.expect_err("unknown structure");
    assert!(matches!(err, StoreError::NotFound("structure")), "{err:?}");
    assert_eq!(counts(&store, &["practitioners", "memberships"]).await, vec![1, 1]);
    assert_eq!(store.practitioner_by_rpps(&Rpps::parse("10101201234").expect("valid")).await.expect("read"), None);
}

async fn collective_contract_with_a_bad_member_leaves_nothing(store: Store) {
    let s = store.create_structure(&msp("MSP", None)).await.expect("structure");
    let (p, _) = store.create_practitioner(&gp("10003461034"), None).await.expect("practitioner");
    let member = |id| ContractMember { practitioner_id: id, period: since(day(2026, 3, 1)) };
    let fields = AidContractFields {
        terms: ContractTerms::Collective {
            structure_id: s.id,
            funded_etp: Etp::new(3, 2),
            members: vec![member(p.id), member(PractitionerId(777))],
        },
        signed_on: day(2026, 3, 1),
        status: ContractStatus::Active,
        ends_on: None,
        renewals: 0,
        baseline_on: None,
    };
    let err = store.create_contract(&fields).await.expect_err("second member does not exist");
    assert!(matches!(err, StoreError::NotFound("practitioner")), "{err:?}");
    assert_eq!(counts(&store, &["aid_contracts", "contract_members"]).await, vec![0, 0]);

    // Same members twice: the unique key fails on the second insert, the first rolls back.
    let mut twice = fields.clone();
    twice.terms = ContractTerms::Collective {
        structure_id: s.id,
        funded_etp: Etp::ONE,
        members: vec![member(p.id), member(p.id)],
    };
    assert!(store.create_contract(&twice).await.is_err());
    assert_eq!(counts(&store, &["aid_contracts", "contract_members"]).await, vec![0, 0]);

    let mut good = fields.clone();
    good.terms =
        ContractTerms::Collective { structure_id: s.id, funded_etp: Etp::new(3, 2), members: vec![member(p.id)] };
    let created = store.create_contract(&good).await.expect("valid contract");
    assert_eq!(created.fields, good);

    // An update replacing members with a bad list keeps the old contract intact.
    let err = store.update_contract(created.id, &fields).await.expect_err("bad member");
    assert!(matches!(err, StoreError::NotFound("practitioner")));
    assert_eq!(store.contract(created.id).await.expect("read"), Some(created));
}

async fn contracts_of_a_structure_include_members_individual_contracts(store: Store) {
    let s = store.create_structure(&msp("MSP", None)).await.expect("structure");
    let other = store.create_structure(&msp("Other", None)).await.expect("structure");
    let join = |sid| NewMembership {
        structure_id: sid,
        partner: true,
        period: since(day(2019, 1, 1)),
        hosts_docteur_junior: None,
    };
    let (p, _) = store.create_practitioner(&gp("10003461034"), Some(&join(s.id))).await.expect("member");
    let (q, _) = store.create_practitioner(&gp("10101201234"), Some(&join(other.id))).await.expect("outsider");
    let individual = |pid| AidContractFields {
        terms: ContractTerms::Individual { practitioner_id: pid, option: AidOption::OneThirdEtp },
        signed_on: day(2021, 3, 1),
        status: ContractStatus::Active,
        ends_on: None,
        renewals: 0,
        baseline_on: None,
    };
    let mine = store.create_contract(&individual(p.id)).await.expect("contract");
    store.create_contract(&individual(q.id)).await.expect("contract");
    let page = store.list_structure_contracts(s.id, None, 10).await.expect("list");
    assert_eq!(page.items, vec![mine.clone()]);
    assert_eq!(store.practitioner_contracts(p.id).await.expect("list"), vec![mine]);
    assert!(store.practitioner_visible(p.id, &Visibility::Structures(vec![s.id])).await.expect("visible"));
    assert!(!store.practitioner_visible(q.id, &Visibility::Structures(vec![s.id])).await.expect("visible"));
}

async fn members_filter_by_date(store: Store) {
    let s = store.create_structure(&msp("MSP", None)).await.expect("structure");
    let current =
        NewMembership { structure_id: s.id, partner: true, period: since(day(2018, 1, 1)), hosts_docteur_junior: None };
    let (p, _) = store.create_practitioner(&gp("10003461034"), Some(&current)).await.expect("p");
    let left = NewMembership {
        structure_id: s.id,
        partner: false,
        period: Period::new(day(2018, 1, 1), Some(day(2022, 12, 31))).expect("period"),
        hosts_docteur_junior: None,
    };
    let (q, _) = store.create_practitioner(&gp("10101201234"), Some(&left)).await.expect("q");
    let all = store.list_members(s.id, None, None, 10).await.expect("all");
    assert_eq!(all.items.iter().map(|m| m.practitioner.id).collect::<Vec<_>>(), vec![p.id, q.id]);
    let now = store.list_members(s.id, Some(day(2025, 1, 1)), None, 10).await.expect("now");
    assert_eq!(now.items.iter().map(|m| m.practitioner.id).collect::<Vec<_>>(), vec![p.id]);
    let then = store.list_members(s.id, Some(day(2022, 12, 31)), None, 10).await.expect("then");
    assert_eq!(then.items.len(), 2, "the last day of a period is included");
}

async fn assistant_with_assignments_is_all_or_nothing(store: Store) {
    let s = store.create_structure(&msp("MSP", None)).await.expect("structure");
    let (p, _) = store.create_practitioner(&gp("10003461034"), None).await.expect("p");
    let fields = AssistantFields {
        employer: Employer::Structure(s.id),
        first_name: "Inès".into(),
        last_name: "Roux".into(),
        qualification: Qualification::None,
        qualified_on: None,
        hired_on: day(2024, 9, 2),
        contractual_time: WeeklyTime::parse("35").expect("valid"),
        former_secretary: true,
    };
    let assignment = |pid| NewAssignment {
        practitioner_id: pid,
        weekly_time: WeeklyTime::parse("11h40").expect("valid"),
        period: since(day(2024, 9, 2)),
    };
    let err = store
        .create_assistant(s.id, &fields, &[assignment(p.id), assignment(PractitionerId(999))])
        .await
        .expect_err("unknown practitioner");
    assert!(matches!(err, StoreError::NotFound("practitioner")));
    assert_eq!(counts(&store, &["assistants", "assistant_assignments"]).await, vec![0, 0]);

    let (a, created) = store.create_assistant(s.id, &fields, &[assignment(p.id)]).await.expect("created");
    assert_eq!(a.fields, fields);
    assert_eq!(created[0].weekly_time.etp(), Etp::new(1, 3));
    assert_eq!(store.assignments_of(&[a.id]).await.expect("list"), created);
    assert_eq!(store.list_assistants(s.id, None, 10).await.expect("list").items, vec![a.clone()]);
    assert_eq!(store.assistant(a.id).await.expect("read"), Some((s.id, a)));
}

async fn figures_upsert_is_all_or_nothing(store: Store) {
    let (p, _) = store.create_practitioner(&gp("10003461034"), None).await.expect("p");
    let figures = |pid, year, pmt| FiguresUpsert {
        practitioner_id: pid,
        fields: ActivityFiguresFields {
            year,
            pmt: Some(pmt),
            adult_pmt: Some(pmt - 100),
            file_active: Some(pmt * 2),
            ccam_share_bp: Some(450),
            band: Some(ActivityBand::P50P70),
            origin: FiguresOrigin::Cpam,
            obtained_at: Utc::now(),
        },
    };
    store.upsert_figures(&[figures(p.id, 2024, 1_200)]).await.expect("first");
    let err = store
        .upsert_figures(&[figures(p.id, 2024, 1_300), figures(PractitionerId(55), 2024, 900)])
        .await
        .expect_err("second practitioner is unknown");
    assert!(matches!(err, StoreError::NotFound("practitioner")));
    let stored = store.figures_of(p.id).await.expect("read");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].fields.pmt, Some(1_200), "the failed batch changed nothing");

    store.upsert_figures(&[figures(p.id, 2024, 1_300), figures(p.id, 2025, 1_400)]).await.expect("batch");
    let stored = store.figures_of(p.id).await.expect("read");
    assert_eq!(
        stored.iter().map(|f| (f.fields.year, f.fields.pmt)).collect::<Vec<_>>(),
        vec![(2025, Some(1_400)), (2024, Some(1_300))]
    );
}

async fn import_is_all_or_nothing(store: Store) {
    use persistence::import::{Dataset, ImportContract, ImportPractitioner, ImportTerms};
    let practitioner = ImportPractitioner {
        fields: gp("10003461034"),
        memberships: vec![(0, true, since(day(2020, 1, 1)))],
        figures: vec![],
    };
    let contract = |practitioner| ImportContract {
        terms: ImportTerms::Individual { practitioner, option: AidOption::HalfEtp },
        signed_on: day(2024, 9, 15),
        status: ContractStatus::Active,
        ends_on: None,
        cpam_reference: None,
    };
    // The last record refers to a practitioner that is not in the dataset.
    let mut data = Dataset {
        structures: vec![msp("MSP", None)],
        practitioners: vec![practitioner],
        assistants: vec![],
        contracts: vec![contract(0), contract(7)],
    };
    assert!(matches!(store.import(&data).await, Err(StoreError::NotFound("practitioner"))));
    let tables = ["structures", "practitioners", "memberships", "aid_contracts"];
    assert_eq!(counts(&store, &tables).await, vec![0, 0, 0, 0], "nothing of the failed import remains");
    data.contracts.pop();
    let summary = store.import(&data).await.expect("valid dataset");
    assert_eq!((summary.structures, summary.practitioners, summary.contracts), (1, 1, 1));
    assert_eq!(counts(&store, &tables).await, vec![1, 1, 1, 1]);
}

/// One structure and one doctor, the records an imported assistant or contract refers to.
fn import_base() -> persistence::import::Dataset {
    use persistence::import::{Dataset, ImportPractitioner};
    Dataset {
        structures: vec![msp("MSP", None)],
        practitioners: vec![ImportPractitioner {
            fields: gp("10003461034"),
            memberships: vec![(0, true, since(day(2020, 1, 1)))],
            figures: vec![],
        }],
        ..Dataset::default()
    }
}

/// Hired on 2024-01-02 for 20 h a week, with the given assignments to the base's doctor.
fn import_assistant(assignments: &[(&str, NaiveDate)]) -> persistence::import::ImportAssistant {
    use persistence::import::{ImportAssistant, ImportEmployer};
    let hours = |h: &str| WeeklyTime::parse(h).expect("valid");
    ImportAssistant {
        structure: 0,
        employer: ImportEmployer::Structure(0),
        first_name: "Inès".into(),
        last_name: "Petit".into(),
        qualification: Qualification::None,
        qualified_on: None,
        hired_on: day(2024, 1, 2),
        contractual_time: hours("20"),
        former_secretary: false,
        assignments: assignments.iter().map(|(h, from)| (0, hours(h), since(*from))).collect(),
    }
}

fn import_contract(
    status: ContractStatus,
    signed_on: NaiveDate,
    ends_on: Option<NaiveDate>,
) -> persistence::import::ImportContract {
    use persistence::import::{ImportContract, ImportTerms};
    ImportContract {
        terms: ImportTerms::Individual { practitioner: 0, option: AidOption::HalfEtp },
        signed_on,
        status,
        ends_on,
        cpam_reference: None,
    }
}

const IMPORTED_TABLES: [&str; 6] =
    ["structures", "practitioners", "memberships", "assistants", "assistant_assignments", "aid_contracts"];

async fn import_refuses_an_assignment_before_the_hire_date(store: Store) {
    let mut data = import_base();
    data.assistants = vec![import_assistant(&[("10", day(2024, 1, 2))]), import_assistant(&[("10", day(2023, 12, 1))])];
    let err = store.import(&data).await.expect_err("the second assistant works before being hired");
    assert!(
        matches!(&err, StoreError::ImportedAssignments { index: 1, name, error: AssignmentError::BeforeHire } if name == "Inès Petit"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "assistant 1 of the dataset (Inès Petit): an assignment cannot start before the assistant's hire date"
    );
    assert_eq!(counts(&store, &IMPORTED_TABLES).await, vec![0; 6], "nothing of the refused import remains");
}

async fn import_refuses_assignments_over_the_contractual_time(store: Store) {
    let mut data = import_base();
    data.assistants = vec![import_assistant(&[("15", day(2024, 1, 2)), ("5h30", day(2024, 2, 1))])];
    let err = store.import(&data).await.expect_err("20h30 a week from February for a 20 h contract");
    assert!(
        matches!(err, StoreError::ImportedAssignments { index: 0, error: AssignmentError::OverContract { .. }, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "assistant 0 of the dataset (Inès Petit): assignments reach 20h30 a week, more than the contractual 20h"
    );
    assert_eq!(counts(&store, &IMPORTED_TABLES).await, vec![0; 6]);
    // Exactly the contractual time fits.
    data.assistants = vec![import_assistant(&[("15", day(2024, 1, 2)), ("5", day(2024, 2, 1))])];
    assert_eq!(store.import(&data).await.expect("valid dataset").assistants, 1);
}

async fn import_refuses_an_ended_contract_without_its_end_date(store: Store) {
    let mut data = import_base();
    data.contracts = vec![
        import_contract(ContractStatus::Active, day(2021, 3, 1), None),
        import_contract(ContractStatus::Terminated, day(2021, 3, 1), None),
    ];
    let err = store.import(&data).await.expect_err("a terminated contract without its end");
    assert!(
        matches!(err, StoreError::ImportedContractDates { index: 1, error: ContractDatesError::EndMissing, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "contract 1 of the dataset (signed on 2021-03-01): a terminated or ended contract needs its end date"
    );
    assert_eq!(counts(&store, &IMPORTED_TABLES).await, vec![0; 6]);
}

async fn import_refuses_a_contract_ending_before_its_signature(store: Store) {
    let mut data = import_base();
    data.contracts = vec![import_contract(ContractStatus::Ended, day(2021, 3, 1), Some(day(2021, 2, 28)))];
    let err = store.import(&data).await.expect_err("ends the day before its signature");
    assert!(
        matches!(
            err,
            StoreError::ImportedContractDates { index: 0, error: ContractDatesError::EndBeforeSignature, .. }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "contract 0 of the dataset (signed on 2021-03-01): the end date is before the signature date"
    );
    assert_eq!(counts(&store, &IMPORTED_TABLES).await, vec![0; 6]);
    // Ending on the signature day is allowed.
    data.contracts = vec![import_contract(ContractStatus::Ended, day(2021, 3, 1), Some(day(2021, 3, 1)))];
    assert_eq!(store.import(&data).await.expect("valid dataset").contracts, 1);
}

async fn cpam_refresh_is_all_or_nothing_and_failures_make_figures_stale(store: Store) {
    use persistence::CpamRefresh;
    let (p, _) = store.create_practitioner(&gp("10003461034"), None).await.expect("p");
    let at = |h: u32| chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 2, h, 0, 0).single().expect("valid");
    let cpam_figures = |year, pmt| ActivityFiguresFields {
        year,
        pmt: Some(pmt),
        adult_pmt: None,
        file_active: Some(2_000),
        ccam_share_bp: None,
        band: Some(ActivityBand::P50P70),
        origin: FiguresOrigin::Cpam,
        obtained_at: at(9),
    };
    let mut refreshed = gp("10003461034");
    refreshed.sector = ConventionSector::Sector2;
    refreshed.optam = Optam::Optam;
    let ok = CpamRefresh {
        practitioner_id: p.id,
        fields: refreshed.clone(),
        figures: vec![cpam_figures(2025, 1_200)],
        contracts: vec![],
        at: at(9),
    };
    store.apply_cpam_refresh(&ok).await.expect("refresh stored");
    assert_eq!(store.practitioner(p.id).await.expect("read").map(|x| x.fields.sector), Some(ConventionSector::Sector2));

    // A refresh whose second year cannot be stored: the profile and the first year roll back.
    let mut again = refreshed.clone();
    again.sector = ConventionSector::Sector1;
    let bad = CpamRefresh {
        practitioner_id: p.id,
        fields: again,
        figures: vec![cpam_figures(2025, 1_300), cpam_figures(2024, u32::MAX)],
        contracts: vec![],
        at: at(10),
    };
    assert!(store.apply_cpam_refresh(&bad).await.is_err());
    assert_eq!(store.practitioner(p.id).await.expect("read").map(|x| x.fields.sector), Some(ConventionSector::Sector2));
    assert_eq!(store.figures_of(p.id).await.expect("read")[0].fields.pmt, Some(1_200));
    assert_eq!(store.count_rows("cpam_refreshes").await.expect("count"), 1);

    // Failures after the last success make the figures stale since the first of them.
    store.record_cpam_failure(p.id, at(11), "CPAM_UNAVAILABLE", "down").await.expect("recorded");
    store.record_cpam_failure(p.id, at(12), "CPAM_UNAVAILABLE", "still down").await.expect("recorded");
    let status = store.cpam_status(p.id).await.expect("status");
    assert_eq!((status.last_success, status.failing_since), (Some(at(9)), Some(at(11))));
    store.apply_cpam_refresh(&CpamRefresh { at: at(13), ..ok }).await.expect("recovered");
    assert_eq!(store.cpam_status(p.id).await.expect("status").failing_since, None);
}

async fn zoning_is_looked_up_by_date(store: Store) {
    use domain::rules::individual::Zone;
    use persistence::ZoningRecord;
    let commune = InseeCommune::parse("33039").expect("valid");
    let record = |zone, from: NaiveDate, to| ZoningRecord {
        commune: commune.clone(),
        zone,
        valid_from: from,
        valid_to: to,
        decision: None,
        obtained_at: Utc::now(),
    };
    store.save_zoning(&record(Zone::Zac, day(2021, 12, 1), Some(day(2025, 5, 15)))).await.expect("saved");
    store.save_zoning(&record(Zone::Zip, day(2025, 5, 16), None)).await.expect("saved");
    store.save_zoning(&record(Zone::Zip, day(2025, 5, 16), None)).await.expect("saved again, replaced");
    assert_eq!(store.zoning_on(&commune, day(2024, 1, 1)).await.expect("read").map(|z| z.zone), Some(Zone::Zac));
    assert_eq!(store.zoning_on(&commune, day(2026, 1, 1)).await.expect("read").map(|z| z.zone), Some(Zone::Zip));
    assert_eq!(store.zoning_on(&commune, day(2020, 1, 1)).await.expect("read"), None);
    assert_eq!(store.count_rows("zonings").await.expect("count"), 2);
}

persistence::backend_tests!(
    cpam_refresh_is_all_or_nothing_and_failures_make_figures_stale,
    zoning_is_looked_up_by_date,
    import_is_all_or_nothing,
    import_refuses_an_assignment_before_the_hire_date,
    import_refuses_assignments_over_the_contractual_time,
    import_refuses_an_ended_contract_without_its_end_date,
    import_refuses_a_contract_ending_before_its_signature,
    structures_round_trip_and_paginate,
    duplicate_finess_and_rpps_are_refused,
    practitioner_with_membership_is_all_or_nothing,
    collective_contract_with_a_bad_member_leaves_nothing,
    contracts_of_a_structure_include_members_individual_contracts,
    members_filter_by_date,
    assistant_with_assignments_is_all_or_nothing,
    figures_upsert_is_all_or_nothing,
);

/// The digit that completes `digits` into a number passing the Luhn check (RPPS).
fn luhn(digits: &str) -> String {
    let key = (0..10)
        .find(|k| {
            let all = format!("{digits}{k}");
            let sum: u32 = all
                .chars()
                .rev()
                .enumerate()
                .map(|(i, c)| {
                    let d = c.to_digit(10).unwrap_or_default() * if i % 2 == 1 { 2 } else { 1 };
                    if d > 9 { d - 9 } else { d }
                })
                .sum();
            sum.is_multiple_of(10)
        })
        .unwrap_or_default();
    format!("{digits}{key}")
}

/// A SQLite file serves readers beside one writer on several connections: transactions that
/// read before they write, run all at once, each wait for the write lock instead of failing,
/// and every one lands.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_write_transactions_on_a_sqlite_file_all_land() {
    let dir =
        std::env::temp_dir().join(format!("amp-concurrent-{}-{}", std::process::id(), Utc::now().timestamp_micros()));
    let store = Store::connect(&format!("sqlite://{}/am.db?mode=rwc", dir.display())).await.expect("connect");
    store.migrate().await.expect("migrate");
    let s = store.create_structure(&msp("MSP", None)).await.expect("structure");
    let membership =
        NewMembership { structure_id: s.id, partner: true, period: since(day(2020, 1, 1)), hosts_docteur_junior: None };
    let mut doctors = Vec::new();
    for i in 0..8 {
        let (p, _) =
            store.create_practitioner(&gp(&luhn(&format!("105000000{i}"))), Some(&membership)).await.expect("doctor");
        doctors.push(p.id);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (i, id) in doctors.iter().copied().enumerate() {
        for year in 2021..2025 {
            let writer = store.clone();
            // Each upsert reads the year's row, then inserts it: a read lock upgraded to a write.
            tasks.spawn(async move {
                let fields = ActivityFiguresFields {
                    year,
                    pmt: Some(800 + u32::try_from(i).unwrap_or_default()),
                    adult_pmt: None,
                    file_active: None,
                    ccam_share_bp: None,
                    band: None,
                    origin: FiguresOrigin::Cpam,
                    obtained_at: Utc::now(),
                };
                writer.upsert_figures(&[FiguresUpsert { practitioner_id: id, fields }]).await.map(|_| ())
            });
            let reader = store.clone();
            tasks.spawn(async move { reader.figures_of_many(&[id]).await.map(|_| ()) });
        }
    }
    let mut failed = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Err(e) = done.expect("task ran") {
            failed.push(e.to_string());
        }
    }
    assert!(failed.is_empty(), "{} of 64 failed: {failed:?}", failed.len());
    assert_eq!(counts(&store, &["activity_figures"]).await, vec![32]);
    drop(store);
    std::fs::remove_dir_all(&dir).ok();
}
