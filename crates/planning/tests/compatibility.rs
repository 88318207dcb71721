//! The compatibility report and the money table of a structure, worked by hand: RULES.md E18
//! through the structure's records, and an employee paid more by public money than she costs.

use chrono::NaiveDate;
use domain::funding::{EmploymentCost, FundingScheme, Grant, GrantFields, GrantId, GrantShare};
use domain::rules::RuleBook;
use domain::rules::RuleId;
use domain::rules::compatibility::Severity;
use domain::{AssistantId, Period};
use planning::compatibility::{Subject, report};
use planning::dashboard::dashboard;
use planning::funding::Funding;
use planning::money::{self, Payee, Source};
use planning::team::Team;
use rust_decimal::Decimal;

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

fn euros(s: &str) -> Decimal {
    s.parse().expect("a decimal")
}

/// E18: two GPs with a 1/2-ETP contract each (signed 2025-01-06, R2024: year 2 from
/// 2026-01-06, 14,000 each, paid at the year's start), and one assistant at 0.8 ETP (28 h)
/// working 14 h for each: both contracts fund her alone, 1/2 + 1/2 = 1 ETP > 0.8.
fn e18(assistant_minutes: u32) -> Team {
    let half = assistant_minutes / 2;
    let text = format!(
        r#"
name = "MSP des Tilleuls"
legal_form = "SISA"
projet_sante_validated_on = "2021-06-01"
sisa_employer_group = true
members = [
  {{ id = "1", label = "Dr Martin", partner = true, doctor = {{ specialty = "GENERAL_PRACTICE", sector = "SECTOR_1", band = "P30_P50", activity = {{ pmt = 1000, file_active = 1500 }} }}, contracts = [
    {{ id = "11", status = "ACTIVE", case = {{ signed_on = "2025-01-06", option = "HALF_ETP", doctor = {{ specialty = "GENERAL_PRACTICE", sector = "SECTOR_1", band = "P30_P50", activity = {{ pmt = 1000, file_active = 1500 }} }} }} }},
  ] }},
  {{ id = "2", label = "Dr Roux", partner = true, doctor = {{ specialty = "GENERAL_PRACTICE", sector = "SECTOR_1", band = "P30_P50", activity = {{ pmt = 950, file_active = 1400 }} }}, contracts = [
    {{ id = "12", status = "ACTIVE", case = {{ signed_on = "2025-01-06", option = "HALF_ETP", doctor = {{ specialty = "GENERAL_PRACTICE", sector = "SECTOR_1", band = "P30_P50", activity = {{ pmt = 950, file_active = 1400 }} }} }} }},
  ] }},
]
assistants = [
  {{ id = "7", label = "Inès Roche", employer = {{ kind = "THIS_STRUCTURE" }}, hired_on = "2025-01-06", qualification = "CQP", qualified_on = "2025-12-01", contractual_time = {assistant_minutes}, assignments = [
    {{ member_id = "1", weekly_time = {half}, from = "2025-01-06" }},
    {{ member_id = "2", weekly_time = {half}, from = "2025-01-06" }},
  ] }},
]
"#
    );
    toml::from_str(&text).expect("a team")
}

/// A FIR grant of 6,000 over 2026, 4,000 of it for the assistant, and her 2026 cost.
fn funding(cost: &str) -> Funding {
    Funding {
        grants: vec![Grant {
            id: GrantId(3),
            fields: GrantFields {
                scheme: FundingScheme::Fir,
                payer: "ARS Auvergne-Rhône-Alpes".into(),
                purpose: "Accès aux soins".into(),
                pays_salaries: true,
                period: Period::new(day("2026-01-01"), Some(day("2026-12-31"))).expect("a period"),
                amount: euros("6000"),
                practitioner_id: None,
                employees: vec![GrantShare { assistant_id: AssistantId(7), amount: euros("4000"), hours: None }],
            },
        }],
        costs: vec![EmploymentCost {
            assistant_id: AssistantId(7),
            year: 2026,
            salary: euros(cost),
            employer_charges: euros("0"),
        }],
        ..Funding::default()
    }
}

#[test]
fn e18_fires_cmp_etp_overfunded_through_the_structure_report() {
    let book = RuleBook::embedded().expect("rules load");
    let team = e18(1680);
    let d = dashboard(&book, &team, day("2026-12-01")).expect("a dashboard");
    let f = funding("40000");
    let table = money::money(&book, &team, &d, &f).expect("a money table");
    let r = report(&book, &team, &d, &f, &table, &Default::default()).expect("a report");
    let over = r.findings.iter().find(|x| x.finding.rule == RuleId::CmpEtpOverfunded).expect("CMP-ETP-OVERFUNDED");
    assert_eq!(over.finding.severity, Severity::Conflict);
    assert!(over.subjects.iter().any(|(s, _)| *s == Subject::Assistant("7".into())), "{:?}", over.subjects);
    assert_eq!(r.findings[0].finding.severity, Severity::Conflict, "conflicts come first");
    assert!(r.conflicts() >= 1);
    assert_eq!(r.assessed.verdict, domain::rules::Verdict::NotEligible);
}

#[test]
fn a_full_time_assistant_is_not_overfunded() {
    let book = RuleBook::embedded().expect("rules load");
    let team = e18(2100);
    let d = dashboard(&book, &team, day("2026-12-01")).expect("a dashboard");
    let f = funding("40000");
    let table = money::money(&book, &team, &d, &f).expect("a money table");
    let r = report(&book, &team, &d, &f, &table, &Default::default()).expect("a report");
    assert!(r.findings.iter().all(|x| x.finding.rule != RuleId::CmpEtpOverfunded));
    assert!(r.findings.iter().all(|x| x.finding.rule != RuleId::CmpCostCap), "28,000 + 4,000 ≤ 40,000");
}

/// 2026: each contract pays its year 2, 14,000, on 2026-01-06; both fund the assistant alone,
/// so 28,000 of aid is hers, plus 4,000 of the FIR: 32,000 of public money against a cost of
/// 30,000 → CMP-COST-CAP. The year's total is 28,000 + 6,000 = 34,000; 2027 has each
/// contract's year 3 (11,000, in halves on 2027-07-06 and 2028-01-06): 11,000.
#[test]
fn the_money_table_and_the_cost_cap() {
    let book = RuleBook::embedded().expect("rules load");
    let team = e18(2100);
    let d = dashboard(&book, &team, day("2026-12-01")).expect("a dashboard");
    let f = funding("30000");
    let table = money::money(&book, &team, &d, &f).expect("a money table");
    assert_eq!(table.years, vec![2026, 2027, 2028, 2029, 2030]);
    assert_eq!(table.total(2026), euros("34000"));
    assert_eq!(table.total(2027), euros("11000"));
    let doctor_2026: Vec<_> = table
        .lines
        .iter()
        .filter(|l| l.year == 2026 && matches!(&l.payee, Payee::Doctor { id, .. } if id == "1"))
        .map(|l| (l.source, l.amount))
        .collect();
    assert_eq!(doctor_2026, vec![(Source::IndividualAid, euros("14000"))]);
    let ines = table.employee("7", 2026).expect("her 2026");
    assert_eq!((ines.aid, ines.grants, ines.cost), (euros("28000"), euros("4000"), Some(euros("30000"))));
    assert_eq!(ines.left_to_employer(), Some(euros("-2000")));

    let r = report(&book, &team, &d, &f, &table, &Default::default()).expect("a report");
    let cap = r.findings.iter().find(|x| x.finding.rule == RuleId::CmpCostCap).expect("CMP-COST-CAP");
    assert_eq!(cap.finding.severity, Severity::Conflict);
    let regional = r.findings.iter().find(|x| x.finding.rule == RuleId::CmpRegional).expect("CMP-REGIONAL");
    assert!(regional.subjects.iter().any(|(s, _)| *s == Subject::Grant("3".into())), "{:?}", regional.subjects);
}
