//! The structure's other funding records, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.

use chrono::NaiveDate;
use domain::funding::*;
use domain::*;
use persistence::{Store, StoreError};
use rust_decimal::Decimal;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn euros(v: &str) -> Decimal {
    v.parse().expect("decimal")
}

async fn structure_with_assistant(store: &Store, finess: &str) -> (StructureId, AssistantId) {
    let s = store
        .create_structure(&StructureFields {
            kind: StructureKind::Msp,
            legal_form: LegalForm::Sisa,
            name: format!("MSP {finess}"),
            finess: Some(Finess::parse(finess).expect("valid FINESS")),
            siret: None,
            commune: InseeCommune::parse("69123").expect("valid commune"),
            projet_sante_validated_on: Some(day(2021, 6, 1)),
            sisa_employer_group: true,
            training_site: None,
        })
        .await
        .expect("structure");
    let fields = AssistantFields {
        employer: Employer::Structure(s.id),
        first_name: "Élodie".into(),
        last_name: "Marchand".into(),
        qualification: Qualification::None,
        qualified_on: None,
        hired_on: day(2025, 3, 3),
        contractual_time: WeeklyTime::parse("35").expect("time"),
        former_secretary: false,
    };
    let (a, _) = store.create_assistant(s.id, &fields, &[]).await.expect("assistant");
    (s.id, a.id)
}

fn aci(reference: &str, holder: AssistantId) -> AciContractFields {
    AciContractFields {
        cpam_reference: Some(reference.to_owned()),
        signed_on: day(2022, 4, 1),
        status: ContractStatus::Active,
        ends_on: None,
        sisa_on: Some(day(2022, 9, 15)),
        coordination: Coordination {
            declared: true,
            holder: Some(CoordinationHolder::Assistant(holder)),
            etp: Some(Etp::parse("0.2").expect("etp")),
        },
    }
}

async fn funding_records_round_trip(store: Store) {
    let (s, a) = structure_with_assistant(&store, "690000880").await;
    let (other, _) = structure_with_assistant(&store, "010780914").await;

    let nurse = ProfessionalFields {
        profession: Profession::Nurse,
        first_name: "Inès".into(),
        last_name: "Roche".into(),
        rpps: None,
        adeli: Some(Adeli::parse("691234567").expect("adeli")),
        partner: true,
        period: Period::new(day(2021, 1, 4), None).expect("period"),
    };
    let p = store.create_professional(s, &nurse).await.expect("professional");
    let mut left = nurse.clone();
    left.period = Period::new(day(2021, 1, 4), Some(day(2026, 6, 30))).expect("period");
    store.update_professional(p.id, &left).await.expect("updated");
    let listed = store.professionals_of(&[s]).await.expect("list");
    assert_eq!(listed, vec![(s, Professional { id: p.id, fields: left })]);
    assert!(store.professionals_of(&[other]).await.expect("list").is_empty());

    let c = store.create_aci_contract(s, &aci("ACI-69-0042", a)).await.expect("ACI contract");
    let year = |y, paid: &str| AciYear {
        year: y,
        points: Some(5200),
        paid: Some(euros(paid)),
        coordination_paid: Some(euros("24850.00")),
    };
    store.record_aci_year(c.id, &year(2024, "61000.00")).await.expect("year");
    store.record_aci_year(c.id, &year(2025, "64000.00")).await.expect("year");
    let replaced = store.record_aci_year(c.id, &year(2025, "64400.00")).await.expect("year replaced");
    assert_eq!(
        replaced.years.iter().map(|y| (y.year, y.paid)).collect::<Vec<_>>(),
        vec![(2024, Some(euros("61000.00"))), (2025, Some(euros("64400.00")))]
    );
    assert_eq!(store.count_rows("aci_years").await.expect("count"), 2);
    let of = store.aci_contracts_of(&[s, other]).await.expect("list");
    assert_eq!(of.len(), 1);
    assert_eq!(of[0].1, replaced);

    let grant = GrantFields {
        scheme: FundingScheme::Fir,
        payer: "ARS Auvergne-Rhône-Alpes".into(),
        purpose: "Poste de coordination".into(),
        pays_salaries: true,
        period: Period::new(day(2026, 1, 1), Some(day(2026, 12, 31))).expect("period"),
        amount: euros("12000.00"),
        practitioner_id: None,
        employees: vec![GrantShare { assistant_id: a, amount: euros("8000.00"), hours: Some(euros("300")) }],
    };
    let g = store.create_grant(s, &grant).await.expect("grant");
    assert_eq!(g.fields, grant);
    let mut changed = grant.clone();
    changed.employees[0].amount = euros("9000.50");
    store.update_grant(g.id, &changed).await.expect("updated");
    assert_eq!(store.grants_of(&[s]).await.expect("list"), vec![(s, Grant { id: g.id, fields: changed })]);
    assert_eq!(store.count_rows("grant_shares").await.expect("count"), 1);

    let cost =
        EmploymentCost { assistant_id: a, year: 2026, salary: euros("26400.00"), employer_charges: euros("9240.00") };
    store.record_employment_cost(&cost).await.expect("cost");
    let raised = EmploymentCost { salary: euros("27000.00"), ..cost.clone() };
    store.record_employment_cost(&raised).await.expect("cost replaced");
    assert_eq!(store.employment_costs_of(&[a]).await.expect("list"), vec![raised.clone()]);
    assert_eq!(raised.total(), euros("36240.00"));
}

async fn aci_reference_is_unique_and_failed_writes_leave_nothing(store: Store) {
    let (s, a) = structure_with_assistant(&store, "690000880").await;
    store.create_aci_contract(s, &aci("ACI-1", a)).await.expect("first");
    let again = store.create_aci_contract(s, &aci("ACI-1", a)).await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
    assert_eq!(store.count_rows("aci_contracts").await.expect("count"), 1);

    // A share for an assistant that does not exist: the grant is not written either.
    let grant = GrantFields {
        scheme: FundingScheme::Cpts,
        payer: "CPTS du Val".into(),
        purpose: "Missions de santé publique".into(),
        pays_salaries: true,
        period: Period::new(day(2026, 1, 1), None).expect("period"),
        amount: euros("5000"),
        practitioner_id: None,
        employees: vec![GrantShare { assistant_id: AssistantId(999), amount: euros("100"), hours: None }],
    };
    assert!(store.create_grant(s, &grant).await.is_err());
    assert_eq!(store.count_rows("grants").await.expect("count"), 0);
    assert!(matches!(
        store
            .record_aci_year(
                AciContractId(999),
                &AciYear { year: 2025, points: None, paid: None, coordination_paid: None }
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
}

persistence::backend_tests!(funding_records_round_trip, aci_reference_is_unique_and_failed_writes_leave_nothing);
