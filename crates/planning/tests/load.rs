//! Reading a team from the store: what it holds, and a SQL cost that does not grow with it.

use chrono::{NaiveDate, TimeZone, Utc};
use domain::rules::RuleBook;
use domain::{
    AidOption, ContractStatus, ConventionSector, Etp, FiguresOrigin, InseeCommune, LegalForm, Optam, Period,
    PracticeMode, PractitionerFields, Qualification, Rpps, Specialty, StructureFields, StructureId, StructureKind,
    WeeklyTime,
};
use persistence::import::{
    Dataset, ImportAssistant, ImportContract, ImportEmployer, ImportFigures, ImportPractitioner, ImportTerms,
};
use persistence::{Store, Visibility};
use planning::{dashboard, load};

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

/// An 11-digit RPPS for the `n`-th doctor.
fn rpps(n: usize) -> Rpps {
    Rpps::parse(&format!("{:011}", 10_000_000_000 + n)).expect("11 digits")
}

/// A SISA of `n` GPs: each with two years of figures and a running individual contract (the
/// fifth of them a collective adherent instead), one assistant per five doctors.
fn dataset(n: usize, first_rpps: usize) -> Dataset {
    let structure = StructureFields {
        kind: StructureKind::Msp,
        legal_form: LegalForm::Sisa,
        name: format!("MSP de {n}"),
        finess: None,
        siret: None,
        commune: InseeCommune::parse("69123").expect("a commune"),
        projet_sante_validated_on: Some(day("2020-01-01")),
        sisa_employer_group: true,
        training_site: None,
    };
    let obtained = Utc.with_ymd_and_hms(2026, 1, 15, 0, 0, 0).single().expect("a time");
    let figures = |year: i32, pmt: u32| ImportFigures {
        year,
        pmt: Some(pmt),
        adult_pmt: None,
        file_active: Some(pmt + 500),
        ccam_share_bp: None,
        band: Some(domain::ActivityBand::P30P50),
        origin: FiguresOrigin::Manual,
        obtained_at: obtained,
    };
    let practitioners = (0..n)
        .map(|i| ImportPractitioner {
            fields: PractitionerFields {
                rpps: rpps(first_rpps + i),
                first_name: format!("Prénom{i}"),
                last_name: format!("Nom{i}"),
                specialty: Specialty::GeneralPractice,
                sector: ConventionSector::Sector1,
                optam: Optam::None,
                practice_mode: PracticeMode::Liberal,
                mep: false,
                installed_on: Some(day("2012-09-01")),
                birth_year: Some(1975),
                rqth: None,
            },
            memberships: vec![(0, true, Period::new(day("2019-01-01"), None).expect("a period"))],
            figures: vec![figures(2025, 1000), figures(2024, 900)],
        })
        .collect();
    let mut contracts: Vec<ImportContract> = (0..n)
        .filter(|i| i % 5 != 4)
        .map(|i| ImportContract {
            terms: ImportTerms::Individual { practitioner: i, option: AidOption::HalfEtp },
            signed_on: day("2025-03-01"),
            status: ContractStatus::Active,
            ends_on: None,
            cpam_reference: None,
        })
        .collect();
    contracts.push(ImportContract {
        terms: ImportTerms::Collective {
            structure: 0,
            funded_etp: Etp::new(u64::try_from(n / 5).expect("small"), 1),
            members: (0..n)
                .filter(|i| i % 5 == 4)
                .map(|i| (i, Period::new(day("2026-03-01"), None).expect("a period")))
                .collect(),
        },
        signed_on: day("2026-03-01"),
        status: ContractStatus::Active,
        ends_on: None,
        cpam_reference: None,
    });
    let assistants = (0..n / 5)
        .map(|k| ImportAssistant {
            structure: 0,
            employer: ImportEmployer::Structure(0),
            first_name: format!("Assistante{k}"),
            last_name: "Martin".to_owned(),
            qualification: Qualification::Cqp,
            qualified_on: None,
            hired_on: day("2025-02-01"),
            contractual_time: WeeklyTime::from_minutes(2100).expect("35 h"),
            former_secretary: false,
            assignments: (5 * k..5 * k + 5)
                .map(|i| {
                    (
                        i,
                        WeeklyTime::from_minutes(420).expect("7 h"),
                        Period::new(day("2025-02-01"), None).expect("a period"),
                    )
                })
                .collect(),
        })
        .collect();
    Dataset { structures: vec![structure], practitioners, assistants, contracts }
}

/// Loads the team of a fresh `n`-doctor structure and builds its dashboard; returns the SQL
/// statements the load took and the dashboard.
async fn dashboard_of(store: &Store, n: usize, first_rpps: usize) -> (u64, dashboard::Dashboard) {
    store.import(&dataset(n, first_rpps)).await.expect("the dataset imports");
    let id = StructureId(i64::try_from(store.count_rows("structures").await.expect("count")).expect("small"));
    let before = store.statements_executed();
    let team = load::team(
        store,
        &Visibility::All,
        &store.structure(id).await.expect("reads").expect("exists"),
        day("2026-12-01"),
    )
    .await
    .expect("loads");
    let statements = store.statements_executed() - before;
    let book = RuleBook::embedded().expect("rules load");
    (statements, dashboard::dashboard(&book, &team, day("2026-12-01")).expect("a dashboard"))
}

async fn the_sql_cost_does_not_depend_on_the_team_size(store: Store) {
    let (five, small) = dashboard_of(&store, 5, 0).await;
    let (fifty, large) = dashboard_of(&store, 50, 100).await;
    println!("SQL statements for the dashboard: {five} for 5 doctors, {fifty} for 50");
    assert_eq!(small.members.len(), 5);
    assert_eq!(large.members.len(), 50);
    assert_eq!(five, fifty, "the statements grow with the team");
}

async fn the_team_holds_the_stored_records(store: Store) {
    let (_, d) = dashboard_of(&store, 10, 0).await;
    // Eight individual 1/2-ETP contracts signed 2025-03-01, in year 2 on 2026-12-01: 14,000
    // each; the collective (2 ETP, signed 2026-03-01, year 1): 2 × 38,000.
    let individual: Vec<_> = d.members.iter().flat_map(|m| &m.contracts).collect();
    assert_eq!(individual.len(), 8);
    assert!(individual.iter().all(|c| c.contract_year == Some(2) && c.maximum == Some(14_000.into())));
    assert_eq!(d.collective_contracts.len(), 1);
    assert_eq!(d.collective_contracts[0].maximum, Some(76_000.into()));
    assert_eq!(d.this_year.maximum, rust_decimal::Decimal::from(8 * 14_000 + 76_000));
    // The two collective adherents are named on their rows.
    assert_eq!(d.members.iter().filter(|m| m.collective_contract.is_some()).count(), 2);
    // Baselines are the 2024 figures for contracts signed in 2025; the reached activity the
    // 2025 figures: PMT 900 → 1,000 against a 1/2-ETP target of 900 + 130.
    let pmt = d.team_objectives.indicators.iter().find(|t| t.indicator == domain::rules::Indicator::Pmt).expect("PMT");
    assert_eq!((pmt.baseline, pmt.target, pmt.actual), (8 * 900, 8 * 1030, Some(8 * 1000)));
    // Each assistant works 5 × 7 h = 1 ETP for five doctors, funded 4 × 1/2 by their contracts
    // (or, for the fifth doctor, by a share of the collective).
    assert_eq!(d.assistants.len(), 2);
    assert!(d.assistants.iter().all(|a| a.assigned_etp == Etp::new(1, 1)));
    assert_eq!(d.standing.structure.verdict, domain::rules::Verdict::Eligible);
}

/// RQTH, docteur-junior hosting, the training site, renewals and the CPAM baseline date, once
/// recorded, reach the rules instead of being read as unknown.
async fn recorded_facts_reach_the_rules(store: Store) {
    store.import(&dataset(5, 0)).await.expect("the dataset imports");
    let id = StructureId(1);
    let day = day("2026-12-01");
    let mut structure = store.structure(id).await.expect("reads").expect("exists").fields;
    structure.training_site = Some(false);
    store.update_structure(id, &structure).await.expect("updates");
    let rows = store.list_members(id, Some(day), None, 10).await.expect("reads").items;
    let first = &rows[0];
    let mut fields = first.practitioner.fields.clone();
    fields.rqth = Some(true);
    store.update_practitioner(first.practitioner.id, &fields).await.expect("updates");
    // The fifth doctor holds no individual contract: the collective would count them.
    let host = &rows[4];
    let m = &host.membership;
    store.update_membership(m.id, m.partner, m.period, Some(true)).await.expect("updates");
    let contract = store.practitioner_contracts(first.practitioner.id).await.expect("reads").remove(0);
    let mut terms = contract.fields.clone();
    terms.renewals = 1;
    terms.baseline_on = Some(NaiveDate::from_ymd_opt(2026, 1, 15).expect("a date"));
    store.update_contract(contract.id, &terms).await.expect("updates");

    let team = load::team(&store, &Visibility::All, &store.structure(id).await.expect("reads").expect("exists"), day)
        .await
        .expect("loads");
    assert_eq!(team.training_site, Some(false));
    let member = team.members.iter().find(|m| m.id == first.practitioner.id.0.to_string()).expect("the member");
    assert_eq!(member.doctor.rqth, Some(true));
    let hosting = team.members.iter().find(|m| m.id == host.practitioner.id.0.to_string()).expect("the host");
    assert_eq!(hosting.hosts_docteur_junior, Some(true));
    let others = team.members.iter().filter(|m| m.id != member.id);
    assert!(others.clone().all(|m| m.doctor.rqth.is_none()), "unknown stays unknown");
    assert_eq!(team.members.iter().filter(|m| m.hosts_docteur_junior.is_some()).count(), 1);
    let held = &member.contracts[0].case;
    assert_eq!(held.renewals, 1);
    // Baseline from the figures known on 2026-01-15 (the 2025 year: PMT 1,000), nothing
    // recorded since; the other contracts keep the figures known at signature (2024: 900).
    assert_eq!((held.doctor.activity.pmt, held.actual), (Some(1000), None));
    let other = &others.clone().find(|m| !m.contracts.is_empty()).expect("a contract").contracts[0].case;
    assert_eq!((other.doctor.activity.pmt, other.actual.and_then(|a| a.pmt)), (Some(900), Some(1000)));
    // The host, an adherent of the structure's collective contract, raises its cap by half an
    // ETP from 2026-11-01; the structure is not a training site.
    let book = RuleBook::embedded().expect("rules load");
    let held = &team.collective_contracts[0].case;
    assert_eq!(held.members.iter().map(|m| m.hosts_docteur_junior).collect::<Vec<_>>(), vec![Some(true)]);
    let on = domain::rules::collective::CollectiveCase { as_of: Some(day), ..held.clone() };
    let r = domain::rules::collective::evaluate(&book, &on, &mut domain::rules::NoTrace).expect("evaluates");
    assert_eq!(r.etp_cap, Etp::new(3, 2));
    // Already in that contract, the host is not offered a new one today.
    let d = dashboard::dashboard(&book, &team, day).expect("a dashboard");
    let standing = d.standing.collective.as_ref().expect("the collective aid exists in 2026");
    assert!(standing.left_out.iter().any(|l| l.member_id == hosting.id && l.reason.contains("already adheres")));
}

/// A collective adherent who leaves the structure does not change the contract: it keeps its
/// funded ETP and is still judged on every adherent (COL-DURATION), as its own evaluation is.
async fn an_adherent_who_left_still_counts(store: Store) {
    store.import(&dataset(10, 0)).await.expect("the dataset imports");
    let id = StructureId(1);
    let rows = store.list_members(id, None, None, 20).await.expect("reads").items;
    // The fifth doctor adheres to the collective (2 ETP, signed 2026-03-01); they leave in June.
    let leaver = &rows[4].membership;
    let left = Period::new(leaver.period.from(), Some(day("2026-06-30"))).expect("a period");
    store.update_membership(leaver.id, leaver.partner, left, None).await.expect("updates");
    let team = load::team(
        &store,
        &Visibility::All,
        &store.structure(id).await.expect("reads").expect("exists"),
        day("2026-12-01"),
    )
    .await
    .expect("loads");
    assert_eq!(team.members.len(), 9);
    let held = &team.collective_contracts[0];
    assert_eq!((held.member_ids.len(), held.case.members.len()), (2, 2), "the leaver is still an adherent");
    let book = RuleBook::embedded().expect("rules load");
    let d = dashboard::dashboard(&book, &team, day("2026-12-01")).expect("a dashboard");
    assert_eq!(d.collective_contracts[0].maximum, Some(76_000.into()), "2 ETP × 38,000, as signed");
}

/// Gives the `n`-doctor structure an ACI contract with two years, a grant paying each
/// assistant and each assistant's costs, then reads its compatibility report and money table;
/// returns the statements the read took.
async fn funding_read_of(store: &Store, n: usize, first_rpps: usize) -> (u64, planning::funding::Overview) {
    use domain::funding::*;
    store.import(&dataset(n, first_rpps)).await.expect("the dataset imports");
    let id = StructureId(i64::try_from(store.count_rows("structures").await.expect("count")).expect("small"));
    let structure = store.structure(id).await.expect("reads").expect("exists");
    let assistants = store.list_assistants(id, None, 100).await.expect("assistants").items;
    let aci = store
        .create_aci_contract(
            id,
            &AciContractFields {
                cpam_reference: None,
                signed_on: day("2022-04-01"),
                status: ContractStatus::Active,
                ends_on: None,
                sisa_on: Some(day("2022-06-01")),
                coordination: Coordination {
                    declared: true,
                    holder: Some(CoordinationHolder::Assistant(assistants[0].id)),
                    etp: Some(Etp::new(1, 5)),
                },
            },
        )
        .await
        .expect("ACI");
    for year in [2025, 2026] {
        let y = AciYear { year, points: Some(5000), paid: Some(35_000.into()), coordination_paid: Some(24_850.into()) };
        store.record_aci_year(aci.id, &y).await.expect("ACI year");
    }
    let employees =
        assistants.iter().map(|a| GrantShare { assistant_id: a.id, amount: 1_000.into(), hours: None }).collect();
    let grant = GrantFields {
        scheme: FundingScheme::Fir,
        payer: "ARS".into(),
        purpose: "Coordination".into(),
        pays_salaries: true,
        period: Period::new(day("2026-01-01"), Some(day("2026-12-31"))).expect("a period"),
        amount: 20_000.into(),
        practitioner_id: None,
        employees,
    };
    store.create_grant(id, &grant).await.expect("grant");
    for a in &assistants {
        let cost =
            EmploymentCost { assistant_id: a.id, year: 2026, salary: 30_000.into(), employer_charges: 12_000.into() };
        store.record_employment_cost(&cost).await.expect("cost");
    }
    let book = RuleBook::embedded().expect("rules load");
    let before = store.statements_executed();
    let overview = planning::funding::overview(store, &Visibility::All, &book, &structure, day("2026-12-01"))
        .await
        .expect("reads");
    let statements = store.statements_executed() - before;
    (statements, overview)
}

async fn the_funding_read_does_not_depend_on_the_team_size(store: Store) {
    let (five, small) = funding_read_of(&store, 5, 0).await;
    let (fifty, large) = funding_read_of(&store, 50, 100).await;
    println!("SQL statements for the compatibility report and the money table: {five} for 5 doctors, {fifty} for 50");
    assert_eq!((small.team.members.len(), large.team.members.len()), (5, 50));
    assert_eq!((small.funding.costs.len(), large.funding.costs.len()), (1, 10));
    let book = RuleBook::embedded().expect("rules load");
    assert!(large.report(&book).expect("a report").assessed.explanation.rules.len() >= 11);
    assert_eq!(five, fifty, "the statements grow with the team");
}

persistence::backend_tests!(
    the_funding_read_does_not_depend_on_the_team_size,
    an_adherent_who_left_still_counts,
    the_sql_cost_does_not_depend_on_the_team_size,
    the_team_holds_the_stored_records,
    recorded_facts_reach_the_rules
);
