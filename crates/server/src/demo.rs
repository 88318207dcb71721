//! The demo data loaded into an empty database: a SISA-run MSP near Bordeaux with six GPs, a
//! pediatrician and a cardiologist, three assistants médicaux and contracts signed under the
//! 2019, 2020 and 2024 regimes; and a small SCM practice next door, outside the demo
//! coordinator's scope. Names and numbers are fictitious (keys are valid).
//!
//! Seen on 2026-12-01 (the README's dashboard and comparison), the MSP shows:
//! - a GP below the individual floor whom the collective would include: Étienne Caron, installed
//!   in 2007, PMT 604 (P30 is 775), partner in sector 1; the group's mean PMT stays above 775;
//! - a terminated contract (Thomas Roux, 2019-10-01 to 2023-12-31) and three 1/3-ETP contracts
//!   of 2021 past their five years (no renewal is recorded);
//! - a contract running in its first year: Julien Bernard's new 1/2 ETP of 2026-03-02, which
//!   follows his 2021 one (a 1/3 ETP cannot be signed any more);
//! - assistants shared between doctors: Inès Petit (Martin, Bernard, Lefebvre) and Élodie
//!   Marchand (Caron, Bernard);
//! - a qualification deadline within the year: Élodie Marchand, hired on 2025-03-03 and not yet
//!   qualified, has until 2027-03-03 (AM-QUALIFICATION: 2 years for a hire from 2024-06-22).
//!
//! And its other funding (the compatibility report and the money table): an ACI contract
//! signed in 2020 whose coordination function Élodie Marchand holds at 0.2 ETP while the aid
//! funds part of her time (CMP-SAME-HOURS), a FIR grant paying part of her salary
//! (CMP-REGIONAL), the assistants' 2026 costs, a nurse, a physiotherapist and a pharmacist,
//! and four months of her traced hours in 2026 (September missing, August corrected);
//! `config/demo/activity-2026-09.csv` is September's, to import.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use domain::funding::*;
use domain::*;
use persistence::import::{
    Dataset, ImportAssistant, ImportContract, ImportEmployer, ImportFigures, ImportPractitioner, ImportTerms,
};
use persistence::{ActivityWrite, MissionFamily, NewActivityLine, Store, StoreError, StoreResult, Visibility};
use rust_decimal::Decimal;

/// FINESS of the demo MSP, the scope of the demo coordinator token.
pub const DEMO_MSP_FINESS: &str = "330042177";
pub const DEMO_ADMIN_TOKEN: &str = "demo-admin-token-0000000000";
pub const DEMO_COORDINATOR_TOKEN: &str = "demo-coordinator-tilleuls-0000";

// The demo is constant data checked by the test below: a failure here is a typo in this file.

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("demo dates are valid")
}

fn since(y: i32, m: u32, d: u32) -> Period {
    Period::new(day(y, m, d), None).expect("an open period is valid")
}

fn hours(text: &str) -> WeeklyTime {
    WeeklyTime::parse(text).expect("demo hours are valid")
}

fn received(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).single().expect("demo timestamps are valid")
}

struct Doctor {
    rpps: &'static str,
    first: &'static str,
    last: &'static str,
    specialty: Specialty,
    sector: ConventionSector,
    optam: Optam,
    mep: bool,
    installed: (i32, u32, u32),
    born: i32,
    structure: usize,
    partner: bool,
    /// (year, PMT, adult PMT, file active, band)
    figures: &'static [(i32, u32, u32, u32, ActivityBand)],
}

const DOCTORS: &[Doctor] = &[
    Doctor {
        rpps: "10001234565",
        first: "Claire",
        last: "Martin",
        specialty: Specialty::GeneralPractice,
        sector: ConventionSector::Sector1,
        optam: Optam::None,
        mep: false,
        installed: (2012, 9, 3),
        born: 1978,
        structure: 0,
        partner: true,
        figures: &[
            (2024, 1_180, 1_010, 2_150, ActivityBand::P50P70),
            (2025, 1_262, 1_083, 2_240, ActivityBand::P50P70),
        ],
    },
    Doctor {
        rpps: "10002345675",
        first: "Julien",
        last: "Bernard",
        specialty: Specialty::GeneralPractice,
        sector: ConventionSector::Sector1,
        optam: Optam::None,
        mep: false,
        installed: (2016, 1, 4),
        born: 1985,
        structure: 0,
        partner: true,
        figures: &[(2024, 905, 812, 1_640, ActivityBand::P30P50), (2025, 968, 860, 1_702, ActivityBand::P30P50)],
    },
    Doctor {
        rpps: "10003456786",
        first: "Sophie",
        last: "Lefebvre",
        specialty: Specialty::GeneralPractice,
        sector: ConventionSector::Sector2,
        optam: Optam::Optam,
        mep: false,
        installed: (2009, 5, 11),
        born: 1971,
        structure: 0,
        partner: true,
        figures: &[
            (2024, 1_720, 1_590, 2_980, ActivityBand::P90P95),
            (2025, 1_755, 1_618, 3_010, ActivityBand::P90P95),
        ],
    },
    Doctor {
        rpps: "10004567896",
        first: "Karim",
        last: "Haddad",
        specialty: Specialty::GeneralPractice,
        sector: ConventionSector::Sector1,
        optam: Optam::None,
        mep: false,
        installed: (2025, 2, 3),
        born: 1994,
        structure: 0,
        partner: false,
        figures: &[(2025, 412, 365, 980, ActivityBand::BelowP30)],
    },
    Doctor {
        rpps: "10005678908",
        first: "Anne",
        last: "Moreau",
        specialty: Specialty::GeneralPractice,
        sector: ConventionSector::Sector1,
        optam: Optam::None,
        mep: true,
        installed: (2014, 3, 17),
        born: 1969,
        structure: 0,
        partner: true,
        figures: &[(2025, 690, 640, 1_320, ActivityBand::P30P50)],
    },
    Doctor {
        rpps: "10006789019",
        first: "Léa",
        last: "Garnier",
        specialty: Specialty::Pediatrics,
        sector: ConventionSector::Sector1,
        optam: Optam::None,
        mep: false,
        installed: (2018, 10, 1),
        born: 1983,
        structure: 0,
        partner: true,
        figures: &[(2024, 310, 0, 2_450, ActivityBand::P70P90), (2025, 322, 0, 2_610, ActivityBand::P70P90)],
    },
    Doctor {
        rpps: "10007890121",
        first: "Thomas",
        last: "Roux",
        specialty: Specialty::Cardiology,
        sector: ConventionSector::Sector2,
        optam: Optam::OptamCo,
        mep: false,
        installed: (2011, 6, 6),
        born: 1975,
        structure: 0,
        partner: true,
        figures: &[(2025, 40, 40, 3_150, ActivityBand::P50P70)],
    },
    Doctor {
        rpps: "10008901232",
        first: "Marc",
        last: "Fontaine",
        specialty: Specialty::GeneralPractice,
        sector: ConventionSector::Sector1,
        optam: Optam::None,
        mep: false,
        installed: (2005, 9, 1),
        born: 1962,
        structure: 1,
        partner: true,
        figures: &[(2025, 1_410, 1_305, 2_500, ActivityBand::P70P90)],
    },
    Doctor {
        rpps: "10009012344",
        first: "Hélène",
        last: "Perrin",
        specialty: Specialty::GeneralPractice,
        sector: ConventionSector::Sector2,
        optam: Optam::None,
        mep: false,
        installed: (2013, 4, 2),
        born: 1980,
        structure: 1,
        partner: true,
        figures: &[],
    },
    // Below the individual floor (P30 = 775 PMT), installed long ago: no derogation recorded.
    Doctor {
        rpps: "10026789015",
        first: "Étienne",
        last: "Caron",
        specialty: Specialty::GeneralPractice,
        sector: ConventionSector::Sector1,
        optam: Optam::None,
        mep: false,
        installed: (2007, 9, 3),
        born: 1968,
        structure: 0,
        partner: true,
        figures: &[(2024, 596, 538, 1_190, ActivityBand::BelowP30), (2025, 604, 547, 1_215, ActivityBand::BelowP30)],
    },
];

/// Builds the demo dataset.
pub fn dataset() -> Dataset {
    let structures = vec![
        StructureFields {
            kind: StructureKind::Msp,
            legal_form: LegalForm::Sisa,
            name: "MSP des Tilleuls".into(),
            finess: Finess::parse(DEMO_MSP_FINESS).ok(),
            siret: Siret::parse("91234567500017").ok(),
            commune: InseeCommune::parse("33039").expect("demo commune is valid"),
            projet_sante_validated_on: Some(day(2019, 11, 14)),
            sisa_employer_group: true,
            training_site: None,
        },
        StructureFields {
            kind: StructureKind::GroupPractice,
            legal_form: LegalForm::Scm,
            name: "Cabinet médical du Port".into(),
            finess: None,
            siret: Siret::parse("85273641200028").ok(),
            commune: InseeCommune::parse("33063").expect("demo commune is valid"),
            projet_sante_validated_on: None,
            sisa_employer_group: false,
            training_site: None,
        },
    ];
    let practitioners = DOCTORS
        .iter()
        .filter_map(|d| {
            let fields = PractitionerFields {
                rpps: Rpps::parse(d.rpps).ok()?,
                first_name: d.first.into(),
                last_name: d.last.into(),
                specialty: d.specialty,
                sector: d.sector,
                optam: d.optam,
                practice_mode: PracticeMode::Liberal,
                mep: d.mep,
                installed_on: Some(day(d.installed.0, d.installed.1, d.installed.2)),
                birth_year: Some(d.born),
                rqth: None,
            };
            let (y, m, dd) = d.installed;
            let figures = d
                .figures
                .iter()
                .map(|&(year, pmt, adult, fa, band)| ImportFigures {
                    year,
                    pmt: Some(pmt),
                    adult_pmt: Some(adult),
                    file_active: Some(fa),
                    ccam_share_bp: None,
                    band: Some(band),
                    origin: FiguresOrigin::Manual,
                    obtained_at: received(year + 1, 2, 15),
                })
                .collect();
            Some(ImportPractitioner { fields, memberships: vec![(d.structure, d.partner, since(y, m, dd))], figures })
        })
        .collect();
    // Positions in DOCTORS.
    let (martin, bernard, lefebvre, garnier, roux, caron) = (0, 1, 2, 5, 6, 9);
    let assistants = vec![
        ImportAssistant {
            structure: 0,
            employer: ImportEmployer::Structure(0),
            first_name: "Inès".into(),
            last_name: "Petit".into(),
            qualification: Qualification::Cqp,
            qualified_on: Some(day(2022, 6, 30)),
            hired_on: day(2021, 3, 1),
            contractual_time: hours("35"),
            former_secretary: true,
            assignments: vec![
                (martin, hours("11h40"), since(2021, 3, 1)),
                (bernard, hours("11h40"), since(2021, 3, 1)),
                (lefebvre, hours("11h40"), since(2021, 3, 1)),
            ],
        },
        ImportAssistant {
            structure: 0,
            employer: ImportEmployer::Practitioner(garnier),
            first_name: "Camille".into(),
            last_name: "Dubois".into(),
            qualification: Qualification::None,
            qualified_on: None,
            hired_on: day(2024, 9, 16),
            contractual_time: hours("17h30"),
            former_secretary: false,
            assignments: vec![(garnier, hours("17h30"), since(2024, 9, 16))],
        },
        // Hired by the SISA for Dr Caron, then shared with Dr Bernard's new contract; not
        // qualified yet: the CQP is due by 2027-03-03.
        ImportAssistant {
            structure: 0,
            employer: ImportEmployer::Structure(0),
            first_name: "Élodie".into(),
            last_name: "Marchand".into(),
            qualification: Qualification::None,
            qualified_on: None,
            hired_on: day(2025, 3, 3),
            contractual_time: hours("35"),
            former_secretary: false,
            assignments: vec![(caron, hours("17h30"), since(2025, 3, 3)), (bernard, hours("17h30"), since(2026, 3, 2))],
        },
    ];
    // With the CPAM's references (config/cpam/fixtures.json), so that a refresh links them.
    let individual = |practitioner, option, signed_on, status, ends_on, reference: &str| ImportContract {
        terms: ImportTerms::Individual { practitioner, option },
        signed_on,
        status,
        ends_on,
        cpam_reference: Some(reference.to_owned()),
    };
    let (active, terminated) = (ContractStatus::Active, ContractStatus::Terminated);
    let contracts = vec![
        individual(
            roux,
            AidOption::HalfEtp,
            day(2019, 10, 1),
            terminated,
            Some(day(2023, 12, 31)),
            "CPAM33-AM-2019-0118",
        ),
        individual(martin, AidOption::OneThirdEtp, day(2021, 3, 1), active, None, "CPAM33-AM-2021-0042"),
        individual(bernard, AidOption::OneThirdEtp, day(2021, 3, 1), active, None, "CPAM33-AM-2021-0043"),
        individual(lefebvre, AidOption::OneThirdEtp, day(2021, 3, 1), active, None, "CPAM33-AM-2021-0044"),
        individual(garnier, AidOption::HalfEtp, day(2024, 9, 15), active, None, "CPAM33-AM-2024-0311"),
        // After the five years of his 2021 contract (ended 2026-02-28), a new one under R2024.
        individual(bernard, AidOption::HalfEtp, day(2026, 3, 2), active, None, "CPAM33-AM-2026-0058"),
    ];
    Dataset { structures, practitioners, assistants, contracts }
}

fn euros(text: &str) -> Decimal {
    text.parse().expect("demo amounts are decimals")
}

/// The demo MSP's other funding, written after [`dataset`] is imported.
pub async fn seed_funding(store: &Store) -> StoreResult<()> {
    let structures = store.list_structures(&Visibility::All, None, 10).await?.items;
    let msp = structures
        .iter()
        .find(|s| s.fields.finess.as_ref().is_some_and(|f| f.as_str() == DEMO_MSP_FINESS))
        .ok_or(StoreError::NotFound("demo MSP"))?;
    let assistants = store.list_assistants(msp.id, None, 10).await?.items;
    let named = |first: &str| {
        assistants
            .iter()
            .find(|a| a.fields.first_name == first)
            .map(|a| a.id)
            .ok_or(StoreError::NotFound("demo assistant"))
    };
    let (ines, camille, elodie) = (named("Inès")?, named("Camille")?, named("Élodie")?);

    for (profession, first, last, adeli, partner, from) in [
        (Profession::Nurse, "Sophie", "Laurent", "331234567", true, day(2019, 11, 14)),
        (Profession::Physiotherapist, "Marc", "Girard", "331234568", true, day(2020, 1, 6)),
        (Profession::Pharmacist, "Nadia", "Benali", "331234569", false, day(2021, 9, 1)),
    ] {
        let fields = ProfessionalFields {
            profession,
            first_name: first.into(),
            last_name: last.into(),
            rpps: None,
            adeli: Adeli::parse(adeli).ok(),
            partner,
            period: Period::new(from, None).expect("open period"),
        };
        store.create_professional(msp.id, &fields).await?;
    }

    let aci = store
        .create_aci_contract(
            msp.id,
            &AciContractFields {
                cpam_reference: Some("CPAM33-ACI-2020-0015".into()),
                signed_on: day(2020, 6, 15),
                status: ContractStatus::Active,
                ends_on: None,
                sisa_on: Some(day(2020, 10, 1)),
                coordination: Coordination {
                    declared: true,
                    holder: Some(CoordinationHolder::Assistant(elodie)),
                    etp: Etp::parse("0.2").ok(),
                },
            },
        )
        .await?;
    // 2026: the advance (60 %) paid by 30 April; the balance comes in April 2027.
    for (year, points, paid, coordination) in [
        (2024, 8750, "61250.00", "24850.00"),
        (2025, 9200, "64400.00", "24850.00"),
        (2026, 9200, "38640.00", "14910.00"),
    ] {
        let y = AciYear {
            year,
            points: Some(points),
            paid: Some(euros(paid)),
            coordination_paid: Some(euros(coordination)),
        };
        store.record_aci_year(aci.id, &y).await?;
    }

    store
        .create_grant(
            msp.id,
            &GrantFields {
                scheme: FundingScheme::Fir,
                payer: "ARS Nouvelle-Aquitaine".into(),
                purpose: "Fonction de coordination de la MSP".into(),
                pays_salaries: true,
                period: Period::new(day(2026, 1, 1), Some(day(2026, 12, 31))).expect("a period"),
                amount: euros("8000.00"),
                practitioner_id: None,
                employees: vec![GrantShare {
                    assistant_id: elodie,
                    amount: euros("8000.00"),
                    hours: Some(euros("300")),
                }],
            },
        )
        .await?;

    for (assistant, salary, charges) in
        [(ines, "27600.00", "11040.00"), (camille, "13200.00", "5280.00"), (elodie, "25200.00", "10080.00")]
    {
        let cost = EmploymentCost {
            assistant_id: assistant,
            year: 2026,
            salary: euros(salary),
            employer_charges: euros(charges),
        };
        store.record_employment_cost(&cost).await?;
    }

    // Élodie Marchand's traced months: July, August, October and November 2026 (September is
    // missing); August's administrative hours for Dr Bernard corrected from 50 to 45.
    let mut doctors = Vec::new();
    for rpps in ["10026789015", "10002345675"] {
        let rpps = Rpps::parse(rpps).map_err(|_| StoreError::NotFound("demo doctor"))?;
        doctors
            .push(store.practitioner_by_rpps(&rpps).await?.map(|p| p.id).ok_or(StoreError::NotFound("demo doctor"))?);
    }
    let (caron, bernard) = (doctors[0], doctors[1]);
    let mut lines = Vec::new();
    for month in [7, 8, 10, 11] {
        let month = domain::rules::assistant::YearMonth { year: 2026, month };
        for (practitioner_id, family, hours) in [
            (Some(caron), MissionFamily::Consultation, "60"),
            (Some(bernard), MissionFamily::Administrative, "50"),
            (None, MissionFamily::AciCoordination, "30"),
        ] {
            lines.push(NewActivityLine {
                assistant_id: elodie,
                month,
                practitioner_id,
                family,
                label: None,
                hours: euros(hours),
            });
        }
    }
    let ActivityWrite::Recorded(records) = store.record_activity(&lines, "demo").await? else {
        return Err(StoreError::NotFound("demo activity"));
    };
    let august = records
        .iter()
        .find(|r| r.month.month == 8 && r.family == MissionFamily::Administrative)
        .ok_or(StoreError::NotFound("demo activity"))?;
    store.correct_activity(august.id, euros("45"), "saisie corrigée : 5 h comptées deux fois", "demo").await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_record_is_valid() {
        let data = dataset();
        assert_eq!(data.practitioners.len(), DOCTORS.len(), "every demo RPPS parses");
        assert!(data.structures.iter().all(|s| s.siret.is_some()), "every demo SIRET parses");
        assert_eq!(data.structures[0].finess.as_ref().map(|f| f.as_str()), Some(DEMO_MSP_FINESS));
        for p in &data.practitioners {
            assert!(p.fields.rpps.warnings().is_empty(), "demo RPPS keys verify: {}", p.fields.rpps);
        }
    }

    /// The import checks the records as the API does (no assignment before the hire, within the
    /// contractual time, end dates agreeing with the status).
    #[tokio::test]
    async fn the_demo_passes_the_import_checks() {
        let store = persistence::testing::sqlite().await;
        let summary = store.import(&dataset()).await.expect("the demo imports");
        assert_eq!((summary.practitioners, summary.assistants, summary.contracts), (DOCTORS.len(), 3, 6));
        seed_funding(&store).await.expect("the demo's funding records are written");
        assert_eq!(store.count_rows("aci_years").await.expect("count"), 3);
        assert_eq!(store.count_rows("grant_shares").await.expect("count"), 1);
        assert_eq!(store.count_rows("employment_costs").await.expect("count"), 3);
    }

    /// The compatibility report of the demo MSP on 2026-12-01 has something to say.
    #[tokio::test]
    async fn the_demo_funding_meets_the_compatibility_rules() {
        use domain::rules::RuleId;
        let store = persistence::testing::sqlite().await;
        store.import(&dataset()).await.expect("the demo imports");
        seed_funding(&store).await.expect("written");
        let msp = store.list_structures(&Visibility::All, None, 10).await.expect("list").items.remove(0);
        let book = domain::rules::RuleBook::embedded().expect("rules load");
        let overview = planning::funding::overview(&store, &Visibility::All, &book, &msp, day(2026, 12, 1))
            .await
            .expect("an overview");
        let report = overview.report(&book).expect("a report");
        let fired: Vec<RuleId> = report.findings.iter().map(|f| f.finding.rule).collect();
        for rule in [RuleId::CmpSameHours, RuleId::CmpRegional, RuleId::CmpPayees] {
            assert!(fired.contains(&rule), "{rule:?} among {fired:?}");
        }
        assert!(overview.money.total(2026) > Decimal::ZERO);
        // Her months recorded in 2026 are split; September, not recorded, is named.
        let same = report.findings.iter().find(|f| f.finding.rule == RuleId::CmpSameHours).expect("CMP-SAME-HOURS");
        let unsplit = same.finding.figures.get("months_without_split").cloned().unwrap_or_default();
        assert!(unsplit.contains("2026-09") && !unsplit.contains("2026-08"), "{unsplit}");
    }

    /// What the README's dashboard and comparison on 2026-12-01 show rests on these records.
    #[test]
    fn the_demo_has_what_the_dashboard_shows() {
        let data = dataset();
        let on = day(2026, 12, 1);
        let latest_pmt = |d: &Doctor| d.figures.last().map(|f| f.1);
        let may_adhere = |d: &Doctor| {
            d.structure == 0
                && d.partner
                && d.specialty == Specialty::GeneralPractice
                && !d.mep
                && (d.sector == ConventionSector::Sector1 || d.optam != Optam::None)
        };

        // A GP below the individual floor (P30: 775 PMT), installed long ago, whom the
        // collective counts: the group's mean PMT stays at or above 775.
        let caron = DOCTORS.iter().find(|d| d.last == "Caron").expect("Caron");
        assert!(latest_pmt(caron).is_some_and(|p| p < 775) && caron.installed.0 < 2020 && may_adhere(caron));
        let group: Vec<u32> = DOCTORS.iter().filter(|d| may_adhere(d)).filter_map(latest_pmt).collect();
        assert!(group.len() >= 3 && group.iter().sum::<u32>() >= 775 * group.len() as u32, "{group:?}");

        // A terminated contract.
        assert!(data.contracts.iter().any(|c| c.status == ContractStatus::Terminated && c.ends_on.is_some()));

        // An assistant working for two doctors or more on the day.
        let shared = data.assistants.iter().filter(|a| {
            let mut doctors: Vec<usize> =
                a.assignments.iter().filter(|(_, _, p)| p.contains(on)).map(|(d, _, _)| *d).collect();
            doctors.sort_unstable();
            doctors.dedup();
            doctors.len() >= 2
        });
        assert_eq!(shared.count(), 2, "Inès Petit and Élodie Marchand");

        // A qualification due within the coming 12 months: 2 years after a hire from 2024-06-22.
        let horizon = on.checked_add_months(chrono::Months::new(12)).expect("date");
        let due =
            data.assistants.iter().filter(|a| a.qualified_on.is_none() && a.hired_on >= day(2024, 6, 22)).any(|a| {
                let deadline = a.hired_on.checked_add_months(chrono::Months::new(24)).expect("date");
                on <= deadline && deadline <= horizon
            });
        assert!(due, "an unqualified assistant's deadline falls between {on} and {horizon}");
    }
}
