//! Funding compatibility (RULES.md §9.2, CMP-*): how the assistant-médical aid combines with
//! the ACI MSP, its coordination function, regional and CPTS money and the demographic
//! contracts, for one structure over one calendar year.
//!
//! The texts are silent on most of these combinations (RULES.md §14.9): but for the SISA delay
//! of the ACI, the end of the demographic contracts and C2026's no-cumulation clause, each rule
//! is the project's reading, and its findings say so through their confidence and note.
//!
//! Every rule is traced at least once, so that an explanation shows all of them were looked at:
//! NOT_APPLICABLE when the case has nothing it concerns, PASS when its condition holds, and
//! otherwise the outcome of its finding's severity (conflict FAIL, warning WARN, info PASS),
//! UNDECIDED when an input it needs is missing.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::assistant::{YearMonth, funded_etp_fits};
use super::explain::{Explanation, Input, Outcome, Recorder, RuleId, Tracer};
use super::params::{Confidence, INDIVIDUAL_START, P, RuleBook, Step, Value};
use super::{Cx, RuleError, Tally, shown_fraction};
use crate::codes::LegalForm;
use crate::funding::FundingScheme as Scheme;
use crate::time::Etp;

/// The compatibility rules, in the order [`check`] runs them.
pub const RULES: &[RuleId] = &[
    RuleId::CmpPayees,
    RuleId::CmpSameHours,
    RuleId::CmpEtpOverfunded,
    RuleId::CmpCostCap,
    RuleId::CmpIndAndCol,
    RuleId::CmpSisaRequired,
    RuleId::CmpSisaEmployer,
    RuleId::CmpRegional,
    RuleId::CmpCpts,
    RuleId::CmpSchemeEnded,
    RuleId::CmpUnsettled,
];

/// A structure's funding as its records show it on a report day. People, contracts and grants
/// are named by the labels the structure uses; money is for the calendar `year`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompatibilityCase {
    /// Report day.
    pub on: NaiveDate,
    /// Calendar year the money is compared over.
    pub year: i32,
    pub structure: StructureFacts,
    #[serde(default)]
    pub aci: Option<AciContract>,
    /// Assistants and the other employees on the payroll.
    #[serde(default)]
    pub employees: Vec<Employee>,
    #[serde(default)]
    pub doctors: Vec<DoctorContracts>,
    /// Public money other than the AM aid and the ACI.
    #[serde(default)]
    pub other_funding: Vec<OtherFunding>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructureFacts {
    pub label: String,
    pub legal_form: LegalForm,
    /// Day the structure became a SISA, when known.
    #[serde(default)]
    pub sisa_since: Option<NaiveDate>,
    /// Whether the statutes let the SISA act as an employer group; `None`: not recorded (which
    /// is not "no").
    #[serde(default)]
    pub employer_group_statutes: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AciContract {
    pub reference: String,
    pub signed_on: NaiveDate,
    #[serde(default)]
    pub ended_on: Option<NaiveDate>,
    /// The declared coordination function, if any.
    #[serde(default)]
    pub coordination: Option<Coordination>,
    /// ACI amount for the year (an input: the ACI estimate is computed elsewhere).
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub amount_for_year: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coordination {
    pub holder: Holder,
    pub etp: Etp,
    /// Part of the year's ACI amount that pays the coordination function.
    #[serde(with = "rust_decimal::serde::str")]
    pub share_for_year: Decimal,
}

/// Who holds the ACI coordination function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Holder {
    /// An employee of the case, by label.
    Employee(String),
    /// Someone off the payroll (an associate, a contractor), by name.
    Named(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Employee {
    pub label: String,
    pub employer: Employer,
    pub contractual_etp: Etp,
    /// The aid contracts (individual or collective) that fund part of her time.
    #[serde(default)]
    pub aid_funding: Vec<AidShare>,
    /// Aid money attributed to her salary for the year.
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub aid_amount_for_year: Option<Decimal>,
    /// Salary plus employer charges for the year; `None`: unknown (never read as zero).
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub employment_cost_for_year: Option<Decimal>,
    /// Monthly traceability of the year; a month absent or without hours has no record.
    #[serde(default)]
    pub months: Vec<MonthRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Employer {
    /// The structure of the case.
    Structure,
    /// A doctor, by label.
    Doctor(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AidShare {
    pub contract: String,
    pub etp: Etp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthRecord {
    /// Month of the case's `year`, 1 to 12.
    pub month: u32,
    #[serde(default)]
    pub hours: Option<MonthHours>,
}

/// One month's traced hours, by what pays them, and the hours employed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthHours {
    #[serde(with = "rust_decimal::serde::str")]
    pub aid_missions: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub coordination: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub other: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub employed: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoctorContracts {
    pub label: String,
    /// Individual aid contracts running on the report day.
    #[serde(default)]
    pub individual_contracts: Vec<String>,
    /// Collective contracts the doctor adheres to on the report day.
    #[serde(default)]
    pub collective_contracts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherFunding {
    pub reference: String,
    pub scheme: Scheme,
    pub payer: String,
    #[serde(default)]
    pub purpose: String,
    pub pays_salaries: bool,
    pub starts_on: NaiveDate,
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount_for_year: Decimal,
    /// The employees it pays for.
    #[serde(default)]
    pub employees: Vec<FundedEmployee>,
    /// The doctor a demographic contract is signed by.
    #[serde(default)]
    pub doctor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundedEmployee {
    pub label: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub hours: Option<Decimal>,
}

/// How serious a finding is (RULES.md §9.2): a conflict blocks, a warning needs a person's
/// review, an info is for the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Severity {
    Info,
    Warning,
    Conflict,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Conflict => "CONFLICT",
        }
    }

    fn outcome(self) -> Outcome {
        match self {
            Severity::Conflict => Outcome::Fail,
            Severity::Warning => Outcome::Warn,
            Severity::Info => Outcome::Pass,
        }
    }
}

/// One combination a rule flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    /// Labels of the people, contracts and grants it is about.
    pub about: Vec<String>,
    /// The figures that triggered it, as text.
    pub figures: BTreeMap<&'static str, String>,
    pub note: &'static str,
    /// The rule's references, then those of the parameters it read.
    pub references: Vec<String>,
    /// The weakest of the rule's own reading and the parameters it read.
    pub confidence: Confidence,
    /// Inputs whose absence kept the check from running.
    pub missing: Vec<&'static str>,
}

fn finding(
    rule: RuleId,
    severity: Severity,
    about: Vec<String>,
    figures: Vec<(&'static str, String)>,
    note: &'static str,
    steps: &[&Step],
) -> Finding {
    let mut about = about;
    let mut seen = std::collections::BTreeSet::new();
    about.retain(|label| seen.insert(label.clone()));
    let confidence = steps.iter().map(|s| s.provenance.confidence).fold(rule.own_confidence(), Confidence::min);
    let mut references = vec![rule.reference().to_owned()];
    for s in steps {
        if !references.contains(&s.provenance.reference) {
            references.push(s.provenance.reference.clone());
        }
    }
    Finding {
        rule,
        severity,
        about,
        figures: figures.into_iter().collect(),
        note,
        references,
        confidence,
        missing: Vec::new(),
    }
}

const TOO_LARGE: RuleError = RuleError::Invalid("amounts or hours too large to add");

/// A sum of amounts or hours; `Decimal`'s own `+` would panic past its range.
fn checked_sum(items: impl IntoIterator<Item = Decimal>) -> Result<Decimal, RuleError> {
    items.into_iter().try_fold(Decimal::ZERO, |acc, d| acc.checked_add(d)).ok_or(TOO_LARGE)
}

fn etp_shown(etp: Etp) -> Decimal {
    shown_fraction(u128::from(etp.numerator()), u128::from(etp.denominator()))
}

fn month_code(year: i32, month: u32) -> String {
    format!("{year}-{month:02}")
}

fn list(items: &[String]) -> String {
    items.join(", ")
}

/// First and last day of the calendar year.
fn year_bounds(year: i32) -> Result<(NaiveDate, NaiveDate), RuleError> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(RuleError::Invalid("the year is out of range"))?;
    let last = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(RuleError::Invalid("the year is out of range"))?;
    Ok((first, last))
}

/// The days of `year` a period covers, if any.
fn within_year(starts_on: NaiveDate, ends_on: Option<NaiveDate>, year: i32) -> Option<(NaiveDate, NaiveDate)> {
    let (first, last) = year_bounds(year).ok()?;
    let from = starts_on.max(first);
    let to = ends_on.map_or(last, |e| e.min(last));
    (from <= to).then_some((from, to))
}

/// The months of `year` whose record is due on the report day: those before its month.
fn months_due(year: i32, on: NaiveDate) -> std::ops::RangeInclusive<u32> {
    let last = match on.year().cmp(&year) {
        std::cmp::Ordering::Greater => 12,
        std::cmp::Ordering::Equal => YearMonth::of(on).month - 1,
        std::cmp::Ordering::Less => 0,
    };
    1..=last
}

/// The case, checked once for what the rules rely on: labels that resolve, months and
/// periods that make sense, money that is not negative.
fn validate(case: &CompatibilityCase) -> Result<(), RuleError> {
    year_bounds(case.year)?;
    fn unique<'a>(labels: impl Iterator<Item = &'a String>) -> bool {
        let mut seen = std::collections::BTreeSet::new();
        labels.into_iter().all(|l| seen.insert(l))
    }
    if !unique(case.employees.iter().map(|e| &e.label)) || !unique(case.doctors.iter().map(|d| &d.label)) {
        return Err(RuleError::Invalid("two employees, or two doctors, have the same label"));
    }
    let employee = |label: &str| case.employees.iter().any(|e| e.label == label);
    let negative = |d: Decimal| d.is_sign_negative() && !d.is_zero();
    if let Some(aci) = &case.aci {
        if aci.ended_on.is_some_and(|e| e < aci.signed_on) {
            return Err(RuleError::Invalid("the ACI ends before it is signed"));
        }
        if let Some(c) = &aci.coordination {
            if let Holder::Employee(label) = &c.holder
                && !employee(label)
            {
                return Err(RuleError::Invalid("the ACI coordinator is not one of the employees"));
            }
            if negative(c.share_for_year) || aci.amount_for_year.is_some_and(|a| c.share_for_year > a) {
                return Err(RuleError::Invalid("the coordination share is negative or above the ACI amount"));
            }
        }
        if aci.amount_for_year.is_some_and(negative) {
            return Err(RuleError::Invalid("the ACI amount is negative"));
        }
    }
    for e in &case.employees {
        if e.months.iter().any(|m| !(1..=12).contains(&m.month)) {
            return Err(RuleError::Invalid("a month of the traceability records is not between 1 and 12"));
        }
        let months: std::collections::BTreeSet<u32> = e.months.iter().map(|m| m.month).collect();
        if months.len() != e.months.len() {
            return Err(RuleError::Invalid("a month of the traceability records appears twice"));
        }
        let hours = e.months.iter().filter_map(|m| m.hours);
        if hours.flat_map(|h| [h.aid_missions, h.coordination, h.other, h.employed]).any(negative) {
            return Err(RuleError::Invalid("traced hours cannot be negative"));
        }
        if e.aid_amount_for_year.into_iter().chain(e.employment_cost_for_year).any(negative) {
            return Err(RuleError::Invalid("an employee's money cannot be negative"));
        }
    }
    for g in &case.other_funding {
        if g.ends_on.is_some_and(|e| e < g.starts_on) {
            return Err(RuleError::Invalid("a funding ends before it starts"));
        }
        if negative(g.amount_for_year) || g.employees.iter().any(|f| negative(f.amount)) {
            return Err(RuleError::Invalid("a funding's amount cannot be negative"));
        }
        if !g.employees.iter().all(|f| employee(&f.label)) {
            return Err(RuleError::Invalid("a funding pays for someone who is not one of the employees"));
        }
        match &g.doctor {
            Some(d) if !case.doctors.iter().any(|x| &x.label == d) => {
                return Err(RuleError::Invalid("a demographic contract names a doctor who is not in the case"));
            }
            None if g.scheme.is_demographic_contract() => {
                return Err(RuleError::Invalid("a demographic contract must name its doctor"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// What the rules share: the case, its year, and who the aid funds.
struct Facts<'b> {
    case: &'b CompatibilityCase,
    aid_funded: Vec<&'b Employee>,
    /// The ACI, when it runs during the year.
    aci: Option<&'b AciContract>,
}

impl<'b> Facts<'b> {
    fn new(case: &'b CompatibilityCase) -> Self {
        let aci = case.aci.as_ref().filter(|a| within_year(a.signed_on, a.ended_on, case.year).is_some());
        Self { case, aid_funded: case.employees.iter().filter(|e| !e.aid_funding.is_empty()).collect(), aci }
    }

    fn coordination(&self) -> Option<&'b Coordination> {
        self.aci.and_then(|a| a.coordination.as_ref())
    }

    fn is_aid_funded(&self, label: &str) -> bool {
        self.aid_funded.iter().any(|e| e.label == label)
    }

    fn collective_contracts(&self) -> impl Iterator<Item = &'b String> {
        self.case.doctors.iter().flat_map(|d| &d.collective_contracts)
    }

    fn has_am_aid(&self) -> bool {
        !self.aid_funded.is_empty()
            || self
                .case
                .doctors
                .iter()
                .any(|d| !d.individual_contracts.is_empty() || !d.collective_contracts.is_empty())
    }

    /// Other funding of the year from the schemes `which` selects.
    fn funding(&self, which: fn(Scheme) -> bool) -> impl Iterator<Item = &'b OtherFunding> {
        let year = self.case.year;
        self.case
            .other_funding
            .iter()
            .filter(move |g| which(g.scheme) && within_year(g.starts_on, g.ends_on, year).is_some())
    }

    /// Whether a funding pays an aid-funded assistant: the aid-funded employees it names, or
    /// `Unnamed` when it pays salaries without naming whom while the aid funds someone.
    fn pays_aid_funded(&self, g: &'b OtherFunding) -> Overlap<'b> {
        let named: Vec<&'b str> =
            g.employees.iter().map(|f| f.label.as_str()).filter(|l| self.is_aid_funded(l)).collect();
        if !named.is_empty() {
            Overlap::Named(named)
        } else if g.pays_salaries && g.employees.is_empty() && !self.aid_funded.is_empty() {
            Overlap::Unnamed
        } else {
            Overlap::None
        }
    }
}

enum Overlap<'b> {
    None,
    Named(Vec<&'b str>),
    Unnamed,
}

type Rx<'b, 'c, 't, T> = (&'c mut Cx<'b, 't, T>, &'c Facts<'b>, &'c mut Vec<Finding>);

/// Closes a rule's trace with its finding's outcome, or `otherwise` when it found nothing.
fn close<'b, T: Tracer<'b>>(
    t: &mut T,
    f: Option<Finding>,
    otherwise: (Outcome, &'static str),
    out: &mut Vec<Finding>,
) -> Outcome {
    let (outcome, note) = match &f {
        Some(f) if !f.missing.is_empty() => (Outcome::Undecided, f.note),
        Some(f) => (f.severity.outcome(), f.note),
        None => otherwise,
    };
    t.outcome(outcome, note);
    out.extend(f);
    outcome
}

/// CMP-PAYEES: the AM aid goes to the doctors (or the collective's company), the ACI to the
/// SISA: both may run in one structure.
fn payees<'b, T: Tracer<'b>>((cx, facts, out): Rx<'b, '_, '_, T>) -> Outcome {
    let id = RuleId::CmpPayees;
    cx.t.rule(id);
    let Some(aci) = facts.aci.filter(|_| facts.has_am_aid()) else {
        return close(cx.t, None, (Outcome::NotApplicable, "no ACI and AM aid in the same year"), out);
    };
    cx.t.input("aci", Input::Text(&aci.reference));
    let mut about = vec![facts.case.structure.label.clone(), aci.reference.clone()];
    let doctors = &facts.case.doctors;
    about.extend(doctors.iter().flat_map(|d| d.individual_contracts.iter().chain(&d.collective_contracts)).cloned());
    let mut figures = vec![("aid_funded_employees", facts.aid_funded.len().to_string())];
    if let Some(amount) = aci.amount_for_year {
        figures.push(("aci_amount_for_year", amount.to_string()));
    }
    let f = finding(
        id,
        Severity::Info,
        about,
        figures,
        "the AM aid is paid to the doctors (or the collective's company) and the ACI to the SISA: different payees and objects, combinable in the structure (our reading)",
        &[],
    );
    close(cx.t, Some(f), (Outcome::Pass, ""), out)
}

/// CMP-SAME-HOURS: an aid-funded assistant who also holds the ACI coordination function has
/// her hours split, and no hour counted twice.
fn same_hours<'b, T: Tracer<'b>>((cx, facts, out): Rx<'b, '_, '_, T>) -> Result<Outcome, RuleError> {
    let id = RuleId::CmpSameHours;
    cx.t.rule(id);
    let Some(coordination) = facts.coordination() else {
        return Ok(close(cx.t, None, (Outcome::NotApplicable, "no ACI coordination function declared"), out));
    };
    let holder = match &coordination.holder {
        Holder::Named(name) => {
            cx.t.input("coordinator", Input::Text(name));
            return Ok(close(cx.t, None, (Outcome::Pass, "the coordinator is not on the payroll"), out));
        }
        Holder::Employee(label) => label,
    };
    cx.t.input("coordinator", Input::Text(holder));
    let Some(e) = facts.aid_funded.iter().find(|e| &e.label == holder) else {
        return Ok(close(cx.t, None, (Outcome::Pass, "the coordinator is not an aid-funded assistant"), out));
    };
    // The aid-funded ETP and the coordinator's, added as AM-ETP-CONSISTENCY adds funded ETP.
    let aid_shares: Vec<Etp> = e.aid_funding.iter().map(|s| s.etp).collect();
    let (aid, _) = funded_etp_fits(&aid_shares, e.contractual_etp)?;
    let (both, fits) = funded_etp_fits(&[aid, coordination.etp], e.contractual_etp)?;
    let year = facts.case.year;
    let mut over = Vec::new();
    let mut unsplit = Vec::new();
    for month in months_due(year, facts.case.on) {
        match e.months.iter().find(|m| m.month == month).and_then(|m| m.hours) {
            None => unsplit.push(month_code(year, month)),
            Some(h) if h.aid_missions.checked_add(h.coordination).ok_or(TOO_LARGE)? > h.employed => over.push(format!(
                "{}: {} + {} > {}",
                month_code(year, month),
                h.aid_missions,
                h.coordination,
                h.employed
            )),
            Some(_) => {}
        }
    }
    cx.t.input("aid_and_coordinator_etp", Input::Decimal(etp_shown(both)));
    cx.t.input("contractual_etp", Input::Decimal(etp_shown(e.contractual_etp)));
    cx.t.input("months_over", Input::Count(u32::try_from(over.len()).unwrap_or(u32::MAX)));
    cx.t.input("months_without_split", Input::Count(u32::try_from(unsplit.len()).unwrap_or(u32::MAX)));
    let (severity, note) = if !fits {
        (
            Severity::Conflict,
            "aid-funded and coordinator ETP together exceed her contract: some time is funded twice (our reading)",
        )
    } else if !over.is_empty() {
        (
            Severity::Conflict,
            "in some months the traced aid and coordination hours exceed the hours employed: an hour is counted twice (our reading)",
        )
    } else {
        (
            Severity::Warning,
            "the aid-funded assistant is also the ACI coordinator: split her hours in the monthly records and count none twice (our reading of the Cnam guide's identified, dedicated time)",
        )
    };
    let mut about = vec![e.label.clone()];
    about.extend(e.aid_funding.iter().map(|s| s.contract.clone()));
    about.extend(facts.aci.map(|a| a.reference.clone()));
    let mut figures = vec![
        ("aid_etp", etp_shown(aid).to_string()),
        ("coordinator_etp", etp_shown(coordination.etp).to_string()),
        ("contractual_etp", etp_shown(e.contractual_etp).to_string()),
    ];
    if !over.is_empty() {
        figures.push(("months_over", list(&over)));
    }
    if !unsplit.is_empty() {
        figures.push(("months_without_split", list(&unsplit)));
    }
    Ok(close(cx.t, Some(finding(id, severity, about, figures, note, &[])), (Outcome::Pass, ""), out))
}

/// CMP-ETP-OVERFUNDED: AM-ETP-CONSISTENCY for each aid-funded employee.
fn etp_overfunded<'b, T: Tracer<'b>>((cx, facts, out): Rx<'b, '_, '_, T>) -> Result<Vec<Outcome>, RuleError> {
    let id = RuleId::CmpEtpOverfunded;
    if facts.aid_funded.is_empty() {
        cx.t.rule(id);
        return Ok(vec![close(cx.t, None, (Outcome::NotApplicable, "no employee is funded by an aid contract"), out)]);
    }
    let mut outcomes = Vec::new();
    for e in &facts.aid_funded {
        cx.t.rule(id);
        cx.t.input("employee", Input::Text(&e.label));
        let shares: Vec<Etp> = e.aid_funding.iter().map(|s| s.etp).collect();
        let (funded, fits) = funded_etp_fits(&shares, e.contractual_etp)?;
        cx.t.input("funded_etp", Input::Decimal(etp_shown(funded)));
        cx.t.input("contractual_etp", Input::Decimal(etp_shown(e.contractual_etp)));
        let f = (!fits).then(|| {
            let mut about = vec![e.label.clone()];
            about.extend(e.aid_funding.iter().map(|s| s.contract.clone()));
            finding(
                id,
                Severity::Conflict,
                about,
                vec![
                    ("funded_etp", etp_shown(funded).to_string()),
                    ("contractual_etp", etp_shown(e.contractual_etp).to_string()),
                    ("contracts", e.aid_funding.len().to_string()),
                ],
                "the aid contracts fund more ETP than she is employed for (AM-ETP-CONSISTENCY)",
                &[],
            )
        });
        outcomes.push(close(cx.t, f, (Outcome::Pass, "the funded ETP fits in her contract"), out));
    }
    Ok(outcomes)
}

/// CMP-COST-CAP: the public money attributed to one employee's salary stays within what she
/// costs her employer.
fn cost_cap<'b, T: Tracer<'b>>((cx, facts, out): Rx<'b, '_, '_, T>) -> Result<Vec<Outcome>, RuleError> {
    let id = RuleId::CmpCostCap;
    let case = facts.case;
    let coordinator = facts.coordination().and_then(|c| match &c.holder {
        Holder::Employee(label) => Some((label.as_str(), c.share_for_year)),
        Holder::Named(_) => None,
    });
    let grants: Vec<&OtherFunding> = facts.funding(|_| true).collect();
    let mut outcomes = Vec::new();
    for e in &case.employees {
        let from_grants: Vec<(&OtherFunding, Decimal)> = grants
            .iter()
            .flat_map(|g| g.employees.iter().filter(|f| f.label == e.label).map(move |f| (*g, f.amount)))
            .collect();
        let coordination = coordinator.filter(|(l, _)| *l == e.label).map(|(_, share)| share);
        let aid_funded = !e.aid_funding.is_empty();
        if !aid_funded && coordination.is_none() && from_grants.is_empty() {
            continue;
        }
        cx.t.rule(id);
        cx.t.input("employee", Input::Text(&e.label));
        let mut missing = Vec::new();
        let aid = match e.aid_amount_for_year {
            Some(a) => a,
            None if aid_funded => {
                missing.push("employee.aid_amount_for_year");
                Decimal::ZERO
            }
            None => Decimal::ZERO,
        };
        let grants_sum = checked_sum(from_grants.iter().map(|(_, a)| *a))?;
        let total = checked_sum([aid, coordination.unwrap_or_default(), grants_sum])?;
        let mut about = vec![e.label.clone()];
        about.extend(e.aid_funding.iter().map(|s| s.contract.clone()));
        if coordination.is_some() {
            about.extend(facts.aci.map(|a| a.reference.clone()));
        }
        about.extend(from_grants.iter().map(|(g, _)| g.reference.clone()));
        let mut figures = vec![
            ("aid", aid.to_string()),
            ("aci_coordination", coordination.unwrap_or_default().to_string()),
            ("other_grants", grants_sum.to_string()),
            ("public_money", total.to_string()),
        ];
        cx.t.input("public_money", Input::Decimal(total));
        match e.employment_cost_for_year {
            Some(cost) => {
                cx.t.input("employment_cost", Input::Decimal(cost));
                figures.push(("employment_cost", cost.to_string()));
            }
            None => missing.push("employee.employment_cost_for_year"),
        }
        let f = if !missing.is_empty() {
            for m in &missing {
                cx.t.missing(m);
            }
            let mut f = finding(
                id,
                Severity::Warning,
                about,
                figures,
                "the check could not run: record the missing figures of her salary's funding",
                &[],
            );
            f.missing = missing;
            Some(f)
        } else if e.employment_cost_for_year.is_some_and(|cost| total > cost) {
            Some(finding(
                id,
                Severity::Conflict,
                about,
                figures,
                "the public money attributed to her salary exceeds what she costs her employer (our reading)",
                &[],
            ))
        } else {
            None
        };
        outcomes.push(close(cx.t, f, (Outcome::Pass, "the public money on her salary is within its cost"), out));
    }
    if outcomes.is_empty() {
        cx.t.rule(id);
        outcomes.push(close(cx.t, None, (Outcome::NotApplicable, "no public money is attributed to a salary"), out));
    }
    Ok(outcomes)
}

/// CMP-IND-AND-COL: no doctor holds an individual contract while adhering to a collective one.
fn ind_and_col<'b, T: Tracer<'b>>((cx, facts, out): Rx<'b, '_, '_, T>) -> Result<Outcome, RuleError> {
    let id = RuleId::CmpIndAndCol;
    cx.t.rule(id);
    let case = facts.case;
    if facts.collective_contracts().next().is_none() {
        return Ok(close(cx.t, None, (Outcome::NotApplicable, "no doctor adheres to a collective contract"), out));
    }
    let step = cx.step(P::NoCollective, case.on)?;
    let excluded = matches!(step.value, Value::Bool(true));
    let both: Vec<&DoctorContracts> = case
        .doctors
        .iter()
        .filter(|d| excluded && !d.individual_contracts.is_empty() && !d.collective_contracts.is_empty())
        .collect();
    let mut outcome = Outcome::Pass;
    for d in &both {
        cx.t.input("doctor", Input::Text(&d.label));
        let mut about = vec![d.label.clone()];
        about.extend(d.individual_contracts.iter().chain(&d.collective_contracts).cloned());
        let f = finding(
            id,
            Severity::Conflict,
            about,
            vec![
                ("individual_contracts", list(&d.individual_contracts)),
                ("collective_contracts", list(&d.collective_contracts)),
            ],
            "a doctor adhering to a collective contract must first close her individual contracts: no cumulation",
            &[step],
        );
        outcome = Severity::Conflict.outcome();
        out.push(f);
    }
    let note = match (outcome, excluded) {
        (Outcome::Fail, _) => "a doctor holds an individual contract and adheres to a collective one",
        (_, false) => "no rule excludes an individual contract alongside a collective one on this day",
        _ => "no doctor of a collective contract holds an individual one",
    };
    cx.t.outcome(outcome, note);
    Ok(outcome)
}

/// CMP-SISA-REQUIRED: a structure under the ACI is a SISA, or becomes one within the delay.
fn sisa_required<'b, T: Tracer<'b>>((cx, facts, out): Rx<'b, '_, '_, T>) -> Result<Outcome, RuleError> {
    let id = RuleId::CmpSisaRequired;
    cx.t.rule(id);
    let case = facts.case;
    let Some(aci) = case.aci.as_ref().filter(|a| a.signed_on <= case.on && a.ended_on.is_none_or(|e| e >= case.on))
    else {
        return Ok(close(cx.t, None, (Outcome::NotApplicable, "no ACI runs on the day"), out));
    };
    let s = &case.structure;
    cx.t.input("aci_signed_on", Input::Date(aci.signed_on));
    cx.t.input("legal_form", Input::Code(s.legal_form.code()));
    // The rule book starts with the AM aid; the delay, unchanged since the ACI of 2017, is read
    // on that first day for ACIs signed before it.
    let read_on = aci.signed_on.max(INDIVIDUAL_START);
    let step = cx.step(P::AciSisaDelayMonths, read_on)?;
    let Value::Count(months) = step.value else {
        return Err(RuleError::NoValue { key: P::AciSisaDelayMonths.spec().key, date: read_on });
    };
    let deadline = aci.signed_on.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX);
    let sisa_on = |day: NaiveDate| s.legal_form == LegalForm::Sisa && s.sisa_since.is_none_or(|since| since <= day);
    if sisa_on(case.on) {
        return Ok(close(cx.t, None, (Outcome::Pass, "the ACI signatory is a SISA"), out));
    }
    let severity = if case.on > deadline { Severity::Conflict } else { Severity::Warning };
    let note = match severity {
        Severity::Conflict => "the structure is still not a SISA after the delay that follows the ACI's signature",
        _ => "the structure must become a SISA before the delay that follows the ACI's signature ends",
    };
    let mut figures = vec![
        ("aci_signed_on", aci.signed_on.to_string()),
        ("sisa_deadline", deadline.to_string()),
        ("legal_form", s.legal_form.code().to_owned()),
    ];
    figures.extend(s.sisa_since.map(|d| ("sisa_since", d.to_string())));
    let f = finding(id, severity, vec![s.label.clone(), aci.reference.clone()], figures, note, &[step]);
    Ok(close(cx.t, Some(f), (Outcome::Pass, ""), out))
}

/// CMP-SISA-EMPLOYER: a SISA employing an assistant funded by her doctors' individual aid
/// does so as an employer group, which its statutes must provide for.
fn sisa_employer<'b, T: Tracer<'b>>((cx, facts, out): Rx<'b, '_, '_, T>) -> Vec<Outcome> {
    let id = RuleId::CmpSisaEmployer;
    let s = &facts.case.structure;
    let employed: Vec<&&Employee> = facts.aid_funded.iter().filter(|e| e.employer == Employer::Structure).collect();
    if s.legal_form != LegalForm::Sisa || employed.is_empty() {
        cx.t.rule(id);
        return vec![close(cx.t, None, (Outcome::NotApplicable, "the SISA employs no aid-funded assistant"), out)];
    }
    let collective: Vec<&String> = facts.collective_contracts().collect();
    let mut outcomes = Vec::new();
    for e in employed {
        cx.t.rule(id);
        cx.t.input("employee", Input::Text(&e.label));
        let individual: Vec<String> =
            e.aid_funding.iter().map(|a| &a.contract).filter(|c| !collective.contains(c)).cloned().collect();
        let figures = |statutes: &str| {
            vec![("individual_contracts", list(&individual)), ("employer_group_statutes", statutes.to_owned())]
        };
        let about = || {
            let mut about = vec![s.label.clone(), e.label.clone()];
            about.extend(individual.iter().cloned());
            about
        };
        let f = match (individual.is_empty(), s.employer_group_statutes) {
            (true, _) | (false, Some(true)) => None,
            (false, Some(false)) => {
                cx.t.input("employer_group_statutes", Input::Bool(false));
                Some(finding(
                    id,
                    Severity::Conflict,
                    about(),
                    figures("false"),
                    "the SISA employs an assistant for its doctors' individual aid without employer-group statutes",
                    &[],
                ))
            }
            (false, None) => {
                cx.t.missing("structure.employer_group_statutes");
                let mut f = finding(
                    id,
                    Severity::Warning,
                    about(),
                    figures("unknown"),
                    "the check could not run: record whether the SISA's statutes make it an employer group",
                    &[],
                );
                f.missing = vec!["structure.employer_group_statutes"];
                Some(f)
            }
        };
        let pass = if individual.is_empty() {
            "funded by a collective contract: the signing company employs her (COL-EMPLOYER)"
        } else {
            "the SISA's statutes make it an employer group"
        };
        outcomes.push(close(cx.t, f, (Outcome::Pass, pass), out));
    }
    outcomes
}

/// CMP-REGIONAL and CMP-CPTS: funding of the selected schemes that pays an aid-funded
/// assistant's salary or hours.
fn pays_assistant<'b, T: Tracer<'b>>(
    (cx, facts, out): Rx<'b, '_, '_, T>,
    id: RuleId,
    which: fn(Scheme) -> bool,
    notes: [&'static str; 3],
) -> Vec<Outcome> {
    let [named_note, unnamed_note, pass_note] = notes;
    let mut outcomes = Vec::new();
    for g in facts.funding(which) {
        cx.t.rule(id);
        cx.t.input("funding", Input::Text(&g.reference));
        cx.t.input("scheme", Input::Code(g.scheme.code()));
        cx.t.input("pays_salaries", Input::Bool(g.pays_salaries));
        let mut about = vec![g.reference.clone()];
        let figures = |extra: Vec<(&'static str, String)>| {
            let mut f = vec![
                ("scheme", g.scheme.code().to_owned()),
                ("payer", g.payer.clone()),
                ("purpose", g.purpose.clone()),
                ("amount_for_year", g.amount_for_year.to_string()),
            ];
            f.extend(extra);
            f
        };
        let f = match facts.pays_aid_funded(g) {
            Overlap::None => None,
            Overlap::Named(labels) => {
                let paid: Vec<String> = g
                    .employees
                    .iter()
                    .filter(|f| labels.contains(&f.label.as_str()))
                    .map(|f| match f.hours {
                        Some(h) => format!("{}: {} for {h} h", f.label, f.amount),
                        None => format!("{}: {}", f.label, f.amount),
                    })
                    .collect();
                about.extend(labels.iter().map(|l| (*l).to_owned()));
                Some(finding(id, Severity::Warning, about, figures(vec![("pays", list(&paid))]), named_note, &[]))
            }
            Overlap::Unnamed => {
                about.extend(facts.aid_funded.iter().map(|e| e.label.clone()));
                Some(finding(id, Severity::Warning, about, figures(vec![]), unnamed_note, &[]))
            }
        };
        outcomes.push(close(cx.t, f, (Outcome::Pass, pass_note), out));
    }
    if outcomes.is_empty() {
        cx.t.rule(id);
        outcomes.push(close(cx.t, None, (Outcome::NotApplicable, "no funding of this kind in the year"), out));
    }
    outcomes
}

/// The last day of the year a demographic contract runs (of those [`Facts::funding`] gives),
/// and whether the scheme is still open on it: the scheme closes once, so that day decides.
fn demographic_use<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    g: &OtherFunding,
    year: i32,
) -> Result<(NaiveDate, bool, &'b Step), RuleError> {
    let (_, last) = within_year(g.starts_on, g.ends_on, year).ok_or(RuleError::Invalid("funding outside the year"))?;
    let step = cx.step(P::DemographicContractsOpen, last)?;
    Ok((last, matches!(step.value, Value::Bool(true)), step))
}

/// CMP-SCHEME-ENDED: no demographic contract is used once the scheme has closed.
fn scheme_ended<'b, T: Tracer<'b>>((cx, facts, out): Rx<'b, '_, '_, T>) -> Result<Vec<Outcome>, RuleError> {
    let id = RuleId::CmpSchemeEnded;
    let mut outcomes = Vec::new();
    for g in facts.funding(Scheme::is_demographic_contract) {
        cx.t.rule(id);
        cx.t.input("funding", Input::Text(&g.reference));
        let (last, open, step) = demographic_use(cx, g, facts.case.year)?;
        cx.t.input("used_until", Input::Date(last));
        let f = (!open).then(|| {
            let mut about = vec![g.reference.clone()];
            about.extend(g.doctor.clone());
            finding(
                id,
                Severity::Conflict,
                about,
                vec![
                    ("scheme", g.scheme.code().to_owned()),
                    ("used_until", last.to_string()),
                    ("closed_from", step.from.to_string()),
                    ("amount_for_year", g.amount_for_year.to_string()),
                ],
                "a demographic contract (CAIM, COSCOM, COTRAM, CSTM) is used after the scheme closed",
                &[step],
            )
        });
        outcomes.push(close(cx.t, f, (Outcome::Pass, "the demographic contract runs while the scheme is open"), out));
    }
    if outcomes.is_empty() {
        cx.t.rule(id);
        outcomes.push(close(cx.t, None, (Outcome::NotApplicable, "no demographic contract in the year"), out));
    }
    Ok(outcomes)
}

const CPAM_MUST_CONFIRM: &str =
    "no text settles this combination: the local CPAM (its exercice coordonné delegate) must confirm it";

/// CMP-UNSETTLED: the combinations the texts leave open, each for the CPAM to confirm.
fn unsettled<'b, T: Tracer<'b>>((cx, facts, out): Rx<'b, '_, '_, T>) -> Result<Outcome, RuleError> {
    let id = RuleId::CmpUnsettled;
    cx.t.rule(id);
    let case = facts.case;
    let mut found = Vec::new();
    // An ACI coordination share and a collective aid, both paid to the SISA.
    let collective: Vec<String> = facts.collective_contracts().cloned().collect();
    if let (Some(aci), Some(c)) = (facts.aci, facts.coordination())
        && case.structure.legal_form == LegalForm::Sisa
        && !collective.is_empty()
    {
        cx.t.input("combination", Input::Code("ACI_COORDINATION_AND_COLLECTIVE_AID"));
        let mut about = vec![case.structure.label.clone(), aci.reference.clone()];
        about.extend(collective.iter().cloned());
        let figures = vec![
            ("combination", "ACI_COORDINATION_AND_COLLECTIVE_AID".to_owned()),
            ("coordination_share", c.share_for_year.to_string()),
            ("collective_contracts", list(&collective)),
        ];
        found.push(finding(id, Severity::Warning, about, figures, CPAM_MUST_CONFIRM, &[]));
    }
    // A grant of no named scheme paying an aid-funded assistant.
    for g in facts.funding(|s| s == Scheme::Other) {
        let paid: Vec<String> = match facts.pays_aid_funded(g) {
            Overlap::None => continue,
            Overlap::Named(labels) => labels.iter().map(|l| (*l).to_owned()).collect(),
            Overlap::Unnamed => facts.aid_funded.iter().map(|e| e.label.clone()).collect(),
        };
        cx.t.input("combination", Input::Code("OTHER_GRANT_AND_AM_AID"));
        let mut about = vec![g.reference.clone()];
        about.extend(paid.iter().cloned());
        let figures = vec![
            ("combination", "OTHER_GRANT_AND_AM_AID".to_owned()),
            ("payer", g.payer.clone()),
            ("purpose", g.purpose.clone()),
            ("assistants", list(&paid)),
        ];
        found.push(finding(id, Severity::Warning, about, figures, CPAM_MUST_CONFIRM, &[]));
    }
    // A doctor's demographic contract alongside her AM aid while the scheme is open.
    for g in facts.funding(Scheme::is_demographic_contract) {
        let Some(d) = case.doctors.iter().find(|d| g.doctor.as_ref() == Some(&d.label)) else { continue };
        let aid: Vec<String> = d.individual_contracts.iter().chain(&d.collective_contracts).cloned().collect();
        if aid.is_empty() {
            continue;
        }
        let (last, open, step) = demographic_use(cx, g, case.year)?;
        if !open {
            continue; // CMP-SCHEME-ENDED's conflict
        }
        cx.t.input("combination", Input::Code("DEMOGRAPHIC_CONTRACT_AND_AM_AID"));
        let mut about = vec![g.reference.clone(), d.label.clone()];
        about.extend(aid.iter().cloned());
        let figures = vec![
            ("combination", "DEMOGRAPHIC_CONTRACT_AND_AM_AID".to_owned()),
            ("scheme", g.scheme.code().to_owned()),
            ("used_until", last.to_string()),
            ("aid_contracts", list(&aid)),
        ];
        found.push(finding(id, Severity::Warning, about, figures, CPAM_MUST_CONFIRM, &[step]));
    }
    let outcome = if found.is_empty() { Outcome::Pass } else { Outcome::Warn };
    cx.t.outcome(
        outcome,
        if found.is_empty() { "every combination found is one the other rules settle" } else { CPAM_MUST_CONFIRM },
    );
    out.extend(found);
    Ok(outcome)
}

/// Runs every CMP rule on the case; the findings come in rule order.
pub fn check<'b, T: Tracer<'b>>(
    book: &'b RuleBook,
    case: &'b CompatibilityCase,
    t: &mut T,
) -> Result<Vec<Finding>, RuleError> {
    evaluate(book, case, t).map(|(findings, _)| findings)
}

fn evaluate<'b, T: Tracer<'b>>(
    book: &'b RuleBook,
    case: &'b CompatibilityCase,
    t: &mut T,
) -> Result<(Vec<Finding>, Tally), RuleError> {
    validate(case)?;
    let facts = Facts::new(case);
    let mut cx = Cx { book, t };
    let mut out = Vec::new();
    let mut tally = Tally::default();
    let mut record = |id: RuleId, outcomes: &[Outcome]| outcomes.iter().for_each(|o| tally.record(id, *o));
    record(RuleId::CmpPayees, &[payees((&mut cx, &facts, &mut out))]);
    record(RuleId::CmpSameHours, &[same_hours((&mut cx, &facts, &mut out))?]);
    record(RuleId::CmpEtpOverfunded, &etp_overfunded((&mut cx, &facts, &mut out))?);
    record(RuleId::CmpCostCap, &cost_cap((&mut cx, &facts, &mut out))?);
    record(RuleId::CmpIndAndCol, &[ind_and_col((&mut cx, &facts, &mut out))?]);
    record(RuleId::CmpSisaRequired, &[sisa_required((&mut cx, &facts, &mut out))?]);
    record(RuleId::CmpSisaEmployer, &sisa_employer((&mut cx, &facts, &mut out)));
    let regional = [
        "a regional grant pays part of an aid-funded assistant's salary: check no euro is funded twice (our reading)",
        "a regional grant pays staff salaries without naming whom, and the aid funds an assistant: check they do not overlap (our reading)",
        "the regional grant pays no aid-funded assistant",
    ];
    record(
        RuleId::CmpRegional,
        &pays_assistant((&mut cx, &facts, &mut out), RuleId::CmpRegional, Scheme::is_regional, regional),
    );
    let cpts = [
        "CPTS money pays hours of an aid-funded assistant: check they are not hours the aid funds (our reading)",
        "CPTS money pays salaries without naming whom, and the aid funds an assistant: check they do not overlap (our reading)",
        "the CPTS money pays no aid-funded assistant",
    ];
    record(RuleId::CmpCpts, &pays_assistant((&mut cx, &facts, &mut out), RuleId::CmpCpts, |s| s == Scheme::Cpts, cpts));
    record(RuleId::CmpSchemeEnded, &scheme_ended((&mut cx, &facts, &mut out))?);
    record(RuleId::CmpUnsettled, &[unsettled((&mut cx, &facts, &mut out))?]);
    Ok((out, tally))
}

/// [`check`] with its explanation. The verdict is NOT_ELIGIBLE when a rule finds a conflict,
/// UNDECIDED when a check could not run for a missing input, ELIGIBLE otherwise.
pub fn explain<'b>(
    book: &'b RuleBook,
    case: &'b CompatibilityCase,
) -> Result<(Vec<Finding>, Explanation<'b>), RuleError> {
    let mut recorder = Recorder::new();
    let (findings, tally) = evaluate(book, case, &mut recorder)?;
    Ok((findings, Explanation::new(tally.verdict(), recorder)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn case(json: serde_json::Value) -> CompatibilityCase {
        serde_json::from_value(json).expect("valid case")
    }

    fn sisa() -> serde_json::Value {
        serde_json::json!({ "label": "MSP Les Tilleuls", "legal_form": "SISA", "employer_group_statutes": true })
    }

    #[test]
    fn every_rule_is_traced_even_when_nothing_applies() {
        let book = RuleBook::embedded().expect("embedded");
        let empty = case(serde_json::json!({ "on": "2026-06-01", "year": 2026, "structure": sisa() }));
        let (findings, e) = explain(&book, &empty).expect("runs");
        assert!(findings.is_empty(), "{findings:?}");
        for id in RULES {
            assert!(e.outcome_of(*id).is_some(), "{id:?} traced");
        }
        assert_eq!(e.outcome_of(RuleId::CmpUnsettled), Some(Outcome::Pass));
        assert_eq!(e.outcome_of(RuleId::CmpPayees), Some(Outcome::NotApplicable));
        assert_eq!(RULES.len(), RuleId::ALL.iter().filter(|r| r.code().starts_with("CMP-")).count());
    }

    #[test]
    fn findings_carry_the_rule_and_parameter_references_and_the_weakest_confidence() {
        let book = RuleBook::embedded().expect("embedded");
        let step = book.step(P::NoCollective, day(2026, 6, 1)).expect("in force");
        let f = finding(RuleId::CmpIndAndCol, Severity::Conflict, vec![], vec![("a", "1".into())], "n", &[step, step]);
        assert_eq!(f.references, [RuleId::CmpIndAndCol.reference().to_owned(), step.provenance.reference.clone()]);
        assert_eq!(f.confidence, Confidence::Secondary);
        let g = finding(RuleId::CmpSisaRequired, Severity::Warning, vec![], vec![], "n", &[]);
        assert_eq!(g.confidence, Confidence::Official);
        assert_eq!(
            finding(RuleId::CmpSameHours, Severity::Warning, vec![], vec![], "n", &[]).confidence,
            Confidence::Assumption
        );
    }

    #[test]
    fn batch_and_explained_runs_find_the_same() {
        let book = RuleBook::embedded().expect("embedded");
        let shared = case(serde_json::json!({ "on": "2026-06-01", "year": 2026, "structure": sisa(),
            "doctors": [{ "label": "A", "individual_contracts": ["c1"], "collective_contracts": ["col"] },
                        { "label": "B", "collective_contracts": ["col"] }],
            "employees": [{ "label": "am", "employer": "structure", "contractual_etp": "0.8",
                            "aid_funding": [{ "contract": "c1", "etp": "1/2" }, { "contract": "col", "etp": "1/2" }] }] }));
        let batch = check(&book, &shared, &mut super::super::NoTrace).expect("runs");
        let (explained, e) = explain(&book, &shared).expect("runs");
        assert_eq!(batch, explained);
        let rules: Vec<(RuleId, Severity)> = batch.iter().map(|f| (f.rule, f.severity)).collect();
        assert_eq!(
            rules,
            [
                (RuleId::CmpEtpOverfunded, Severity::Conflict),
                (RuleId::CmpCostCap, Severity::Warning),
                (RuleId::CmpIndAndCol, Severity::Conflict),
            ]
        );
        assert_eq!(batch[1].missing, ["employee.aid_amount_for_year", "employee.employment_cost_for_year"]);
        assert_eq!(batch[2].about, ["A", "c1", "col"], "labels once each");
        assert_eq!(e.verdict, super::super::Verdict::NotEligible);
        // SISA employer: only the individual contract calls for employer-group statutes.
        assert_eq!(e.outcome_of(RuleId::CmpSisaEmployer), Some(Outcome::Pass));
    }

    #[test]
    fn sums_past_the_decimal_range_are_refused_not_panicked() {
        let book = RuleBook::embedded().expect("embedded");
        let max = Decimal::MAX.to_string();
        let huge = case(serde_json::json!({ "on": "2026-06-01", "year": 2026, "structure": sisa(),
            "employees": [{ "label": "am", "employer": "structure", "contractual_etp": "1",
                            "aid_amount_for_year": max, "employment_cost_for_year": "1",
                            "aid_funding": [{ "contract": "c1", "etp": "1" }] }],
            "other_funding": [{ "reference": "g", "scheme": "FIR", "payer": "ARS", "pays_salaries": true,
                                "starts_on": "2026-01-01", "amount_for_year": max,
                                "employees": [{ "label": "am", "amount": max }] }] }));
        assert_eq!(check(&book, &huge, &mut super::super::NoTrace), Err(TOO_LARGE));
        let twice = case(serde_json::json!({ "on": "2026-06-01", "year": 2026, "structure": sisa(),
            "employees": [{ "label": "am", "employer": "structure", "contractual_etp": "1" },
                          { "label": "am", "employer": "structure", "contractual_etp": "1" }] }));
        assert!(
            matches!(check(&book, &twice, &mut super::super::NoTrace), Err(RuleError::Invalid(m)) if m.contains("same label"))
        );
    }

    #[test]
    fn months_due_are_those_before_the_report_month() {
        assert_eq!(months_due(2026, day(2026, 4, 15)), 1..=3);
        assert_eq!(months_due(2026, day(2026, 1, 31)).count(), 0);
        assert_eq!(months_due(2025, day(2026, 1, 2)), 1..=12);
        assert_eq!(months_due(2027, day(2026, 1, 2)).count(), 0);
        assert_eq!(within_year(day(2025, 6, 1), None, 2026), Some((day(2026, 1, 1), day(2026, 12, 31))));
        assert_eq!(within_year(day(2026, 3, 1), Some(day(2026, 2, 1)), 2026), None);
        assert_eq!(within_year(day(2024, 1, 1), Some(day(2025, 12, 31)), 2026), None);
        assert_eq!(
            within_year(day(2026, 3, 1), Some(day(2027, 2, 1)), 2026),
            Some((day(2026, 3, 1), day(2026, 12, 31)))
        );
    }

    #[test]
    fn money_is_read_from_strings_only_and_labels_must_resolve() {
        let employee = |cost: serde_json::Value| {
            serde_json::json!({ "on": "2026-06-01", "year": 2026, "structure": sisa(), "employees": [
                { "label": "am", "employer": "structure", "contractual_etp": "1", "employment_cost_for_year": cost }
            ]})
        };
        assert!(serde_json::from_value::<CompatibilityCase>(employee(serde_json::json!("30000.50"))).is_ok());
        assert!(serde_json::from_value::<CompatibilityCase>(employee(serde_json::json!(30000.5))).is_err());
        let book = RuleBook::embedded().expect("embedded");
        let stranger = case(serde_json::json!({ "on": "2026-06-01", "year": 2026, "structure": sisa(),
            "aci": { "reference": "ACI-1", "signed_on": "2020-01-01",
                     "coordination": { "holder": { "employee": "nobody" }, "etp": "0.3", "share_for_year": "9000" } } }));
        let err = check(&book, &stranger, &mut super::super::NoTrace).expect_err("unknown label");
        assert_eq!(err, RuleError::Invalid("the ACI coordinator is not one of the employees"));
    }

    /// A valid case to break one field at a time: an ACI with a coordinator, an aid-funded
    /// assistant with traced months, a FIR grant naming her and a COSCOM of her doctor.
    fn valid() -> serde_json::Value {
        serde_json::json!({ "on": "2025-06-01", "year": 2025, "structure": sisa(),
            "aci": { "reference": "ACI-1", "signed_on": "2020-01-01", "amount_for_year": "9000",
                     "coordination": { "holder": { "employee": "am" }, "etp": "0.2", "share_for_year": "9000" } },
            "doctors": [{ "label": "A", "individual_contracts": ["c1"] }],
            "employees": [{ "label": "am", "employer": "structure", "contractual_etp": "1",
                            "aid_amount_for_year": "0", "employment_cost_for_year": "40000",
                            "aid_funding": [{ "contract": "c1", "etp": "1/2" }],
                            "months": [{ "month": 1, "hours": { "aid_missions": "0", "coordination": "0", "other": "0", "employed": "0" } },
                                       { "month": 12 }] }],
            "other_funding": [
                { "reference": "g", "scheme": "FIR", "payer": "ARS", "pays_salaries": true,
                  "starts_on": "2025-03-01", "ends_on": "2025-03-01", "amount_for_year": "0",
                  "employees": [{ "label": "am", "amount": "0" }] },
                { "reference": "d", "scheme": "COSCOM", "payer": "CPAM", "pays_salaries": false,
                  "starts_on": "2025-01-01", "amount_for_year": "5000", "doctor": "A" }] })
    }

    fn refused(edit: impl FnOnce(&mut serde_json::Value)) -> Result<(), RuleError> {
        let book = RuleBook::embedded().expect("embedded");
        let mut json = valid();
        edit(&mut json);
        check(&book, &case(json), &mut super::super::NoTrace).map(|_| ())
    }

    #[test]
    fn each_inconsistent_input_is_refused_with_its_reason_and_zero_money_is_accepted() {
        // The valid case: zero amounts, zero hours, a share equal to the ACI amount, a one-day
        // grant and months 1 and 12 are all accepted.
        assert_eq!(refused(|_| {}), Ok(()));
        let invalid = |m: &'static str| Err(RuleError::Invalid(m));
        assert_eq!(refused(|j| j["year"] = serde_json::json!(300_000)), invalid("the year is out of range"));
        assert_eq!(
            refused(|j| j["doctors"] = serde_json::json!([{ "label": "A" }, { "label": "A" }])),
            invalid("two employees, or two doctors, have the same label")
        );
        assert_eq!(
            refused(|j| j["aci"]["ended_on"] = serde_json::json!("2019-12-31")),
            invalid("the ACI ends before it is signed")
        );
        // Ending on the day it is signed is a one-day ACI, not an error.
        assert_eq!(refused(|j| j["aci"]["ended_on"] = serde_json::json!("2020-01-01")), Ok(()));
        let share = "the coordination share is negative or above the ACI amount";
        assert_eq!(
            refused(|j| j["aci"]["coordination"]["share_for_year"] = serde_json::json!("9000.01")),
            invalid(share)
        );
        assert_eq!(refused(|j| j["aci"]["coordination"]["share_for_year"] = serde_json::json!("-1")), invalid(share));
        assert_eq!(refused(|j| j["aci"]["coordination"]["share_for_year"] = serde_json::json!("0")), Ok(()));
        assert_eq!(
            refused(|j| {
                j["aci"]["coordination"] = serde_json::Value::Null;
                j["aci"]["amount_for_year"] = serde_json::json!("-1");
            }),
            invalid("the ACI amount is negative")
        );
        assert_eq!(
            refused(|j| j["employees"][0]["months"][1]["month"] = serde_json::json!(13)),
            invalid("a month of the traceability records is not between 1 and 12")
        );
        assert_eq!(
            refused(|j| j["employees"][0]["months"][1]["month"] = serde_json::json!(0)),
            invalid("a month of the traceability records is not between 1 and 12")
        );
        assert_eq!(
            refused(|j| j["employees"][0]["months"][1]["month"] = serde_json::json!(1)),
            invalid("a month of the traceability records appears twice")
        );
        for field in ["aid_missions", "coordination", "other", "employed"] {
            assert_eq!(
                refused(|j| j["employees"][0]["months"][0]["hours"][field] = serde_json::json!("-0.5")),
                invalid("traced hours cannot be negative"),
                "{field}"
            );
        }
        for field in ["aid_amount_for_year", "employment_cost_for_year"] {
            assert_eq!(
                refused(|j| j["employees"][0][field] = serde_json::json!("-1")),
                invalid("an employee's money cannot be negative"),
                "{field}"
            );
        }
        assert_eq!(
            refused(|j| j["other_funding"][0]["ends_on"] = serde_json::json!("2025-02-28")),
            invalid("a funding ends before it starts")
        );
        let amount = "a funding's amount cannot be negative";
        assert_eq!(refused(|j| j["other_funding"][0]["amount_for_year"] = serde_json::json!("-1")), invalid(amount));
        assert_eq!(
            refused(|j| j["other_funding"][0]["employees"][0]["amount"] = serde_json::json!("-1")),
            invalid(amount)
        );
        assert_eq!(
            refused(|j| j["other_funding"][0]["employees"][0]["label"] = serde_json::json!("nobody")),
            invalid("a funding pays for someone who is not one of the employees")
        );
        assert_eq!(
            refused(|j| j["other_funding"][1]["doctor"] = serde_json::json!("B")),
            invalid("a demographic contract names a doctor who is not in the case")
        );
        assert_eq!(
            refused(|j| j["other_funding"][1]["doctor"] = serde_json::Value::Null),
            invalid("a demographic contract must name its doctor")
        );
        // A grant of another scheme need not name a doctor (the FIR grant names none).
    }

    /// Every finding as (rule, severity) and every trace as (rule, outcome), in order.
    type Run = (Vec<(RuleId, Severity)>, Vec<(RuleId, Outcome)>, Vec<Finding>);

    fn run(json: serde_json::Value) -> Run {
        let book = RuleBook::embedded().expect("embedded");
        let c = case(json);
        let (findings, e) = explain(&book, &c).expect("runs");
        let traces = e.rules().map(|r| (r.id, r.outcome)).collect();
        (findings.iter().map(|f| (f.rule, f.severity)).collect(), traces, findings)
    }

    fn traced(traces: &[(RuleId, Outcome)], id: RuleId) -> Vec<Outcome> {
        traces.iter().filter(|(r, _)| *r == id).map(|(_, o)| *o).collect()
    }

    #[test]
    fn the_sisa_delay_and_the_aci_days_count_both_ends() {
        // Signed 2025-09-01 with a 6-month delay: deadline 2026-03-01.
        let association = |on: &str, ended_on: Option<&str>, form: &str, since: Option<&str>| {
            run(serde_json::json!({ "on": on, "year": 2026,
                "structure": { "label": "S", "legal_form": form, "sisa_since": since },
                "aci": { "reference": "ACI", "signed_on": "2025-09-01", "ended_on": ended_on } }))
        };
        let sisa_required = |r: Run| traced(&r.1, RuleId::CmpSisaRequired);
        // On the deadline itself: still within the delay (warned, not a conflict).
        assert_eq!(sisa_required(association("2026-03-01", None, "ASSOCIATION", None)), [Outcome::Warn]);
        assert_eq!(sisa_required(association("2026-03-02", None, "ASSOCIATION", None)), [Outcome::Fail]);
        let book = RuleBook::embedded().expect("embedded");
        let late = case(serde_json::json!({ "on": "2026-03-02", "year": 2026,
            "structure": { "label": "S", "legal_form": "ASSOCIATION" },
            "aci": { "reference": "ACI", "signed_on": "2025-09-01" } }));
        let (findings, e) = explain(&book, &late).expect("runs");
        assert_eq!(
            findings[0].note,
            "the structure is still not a SISA after the delay that follows the ACI's signature"
        );
        assert_eq!(note_of(&e, RuleId::CmpSisaRequired), findings[0].note);
        let early = case(serde_json::json!({ "on": "2026-03-01", "year": 2026,
            "structure": { "label": "S", "legal_form": "ASSOCIATION" },
            "aci": { "reference": "ACI", "signed_on": "2025-09-01" } }));
        let (findings, _) = explain(&book, &early).expect("runs");
        assert!(findings[0].note.starts_with("the structure must become a SISA"), "{}", findings[0].note);
        // The ACI runs on its signature day and on its last day (year 2025 for the signature day).
        let on_signature = run(serde_json::json!({ "on": "2025-09-01", "year": 2025,
            "structure": { "label": "S", "legal_form": "ASSOCIATION" },
            "aci": { "reference": "ACI", "signed_on": "2025-09-01" } }));
        assert_eq!(traced(&on_signature.1, RuleId::CmpSisaRequired), [Outcome::Warn]);
        assert_eq!(sisa_required(association("2026-01-15", Some("2026-01-15"), "ASSOCIATION", None)), [Outcome::Warn]);
        assert_eq!(
            sisa_required(association("2026-01-15", Some("2026-01-14"), "ASSOCIATION", None)),
            [Outcome::NotApplicable]
        );
        // A SISA from the report day is a SISA; one from the next day is not yet.
        assert_eq!(sisa_required(association("2026-01-15", None, "SISA", Some("2026-01-15"))), [Outcome::Pass]);
        assert_eq!(sisa_required(association("2026-01-15", None, "SISA", Some("2026-01-16"))), [Outcome::Warn]);
        // A date of becoming a SISA does not make an association one.
        assert_eq!(sisa_required(association("2026-01-15", None, "ASSOCIATION", Some("2025-10-01"))), [Outcome::Warn]);
    }

    #[test]
    fn hours_and_money_equal_to_their_cap_fit() {
        // Each month: 100 aid + 51.67 coordination = 151.67 employed: no hour counted twice (warning only).
        let months: Vec<serde_json::Value> = (1..=3)
            .map(|m| {
                serde_json::json!({ "month": m,
                "hours": { "aid_missions": "100", "coordination": "51.67", "other": "0", "employed": "151.67" } })
            })
            .collect();
        let (findings, traces, _) = run(serde_json::json!({ "on": "2026-04-02", "year": 2026, "structure": sisa(),
            "aci": { "reference": "ACI", "signed_on": "2020-09-01",
                     "coordination": { "holder": { "employee": "am" }, "etp": "0.2", "share_for_year": "6000" } },
            "employees": [{ "label": "am", "employer": "structure", "contractual_etp": "1",
                            "aid_amount_for_year": "34000", "employment_cost_for_year": "40000",
                            "aid_funding": [{ "contract": "c1", "etp": "0.8" }],
                            "months": months }] }));
        // 0.8 + 0.2 = 1 ETP: fits; 34000 + 6000 = 40000: within the cost.
        assert_eq!(traced(&traces, RuleId::CmpSameHours), [Outcome::Warn]);
        assert_eq!(traced(&traces, RuleId::CmpCostCap), [Outcome::Pass]);
        assert_eq!(traced(&traces, RuleId::CmpEtpOverfunded), [Outcome::Pass]);
        assert_eq!(findings, [(RuleId::CmpPayees, Severity::Info), (RuleId::CmpSameHours, Severity::Warning)]);
    }

    #[test]
    fn the_cost_cap_counts_a_coordinator_or_a_grantee_who_is_not_aid_funded() {
        // The coordinator, not aid-funded: her 6000 share on a 5000 cost is a conflict about her
        // and the ACI. The grantee's 1800 on 36000 passes, with no aid amount asked of her.
        let (findings, traces, all) = run(serde_json::json!({ "on": "2026-06-01", "year": 2026, "structure": sisa(),
            "aci": { "reference": "ACI", "signed_on": "2020-09-01",
                     "coordination": { "holder": { "employee": "coord" }, "etp": "0.2", "share_for_year": "6000" } },
            "employees": [
                { "label": "coord", "employer": "structure", "contractual_etp": "0.2", "employment_cost_for_year": "5000" },
                { "label": "sec", "employer": "structure", "contractual_etp": "1", "employment_cost_for_year": "36000" },
                { "label": "idle", "employer": "structure", "contractual_etp": "1" }],
            "other_funding": [{ "reference": "CPTS-1", "scheme": "CPTS", "payer": "CPTS", "pays_salaries": true,
                                "starts_on": "2026-01-01", "amount_for_year": "1800",
                                "employees": [{ "label": "sec", "amount": "1800" }] }] }));
        assert_eq!(
            traced(&traces, RuleId::CmpCostCap),
            [Outcome::Fail, Outcome::Pass],
            "coord, then sec; idle skipped"
        );
        assert_eq!(findings, [(RuleId::CmpCostCap, Severity::Conflict)]);
        assert_eq!(all[0].about, ["coord", "ACI"]);
        assert_eq!(all[0].figures["aci_coordination"], "6000");
        assert_eq!(all[0].figures["public_money"], "6000");
        assert!(all[0].missing.is_empty());
    }

    #[test]
    fn payees_apply_to_any_am_aid_alongside_the_aci() {
        let with = |doctors: serde_json::Value, employees: serde_json::Value| {
            let (_, traces, _) = run(serde_json::json!({ "on": "2026-06-01", "year": 2026, "structure": sisa(),
                "aci": { "reference": "ACI", "signed_on": "2020-09-01" }, "doctors": doctors, "employees": employees }));
            traced(&traces, RuleId::CmpPayees)
        };
        let none = serde_json::json!([]);
        let aid_funded = serde_json::json!([{ "label": "am", "employer": "structure", "contractual_etp": "1",
                                              "aid_funding": [{ "contract": "c1", "etp": "1" }] }]);
        // Info (PASS) for a doctor's individual contract, a collective one, or an aid-funded employee.
        assert_eq!(
            with(serde_json::json!([{ "label": "A", "individual_contracts": ["c1"] }]), none.clone()),
            [Outcome::Pass]
        );
        assert_eq!(
            with(serde_json::json!([{ "label": "A", "collective_contracts": ["col"] }]), none.clone()),
            [Outcome::Pass]
        );
        assert_eq!(with(none.clone(), aid_funded), [Outcome::Pass]);
        // No AM aid at all: not applicable, even with a doctor and an employee.
        let plain = serde_json::json!([{ "label": "am", "employer": "structure", "contractual_etp": "1" }]);
        assert_eq!(with(serde_json::json!([{ "label": "A" }]), plain), [Outcome::NotApplicable]);
    }

    #[test]
    fn grants_count_in_their_year_and_unnamed_salaries_need_an_aid_funded_assistant() {
        let grant = |starts_on: &str, ends_on: &str, employees: serde_json::Value| {
            serde_json::json!({ "reference": "FIR-1", "scheme": "FIR", "payer": "ARS", "pays_salaries": true,
                                "starts_on": starts_on, "ends_on": ends_on, "amount_for_year": "500", "employees": employees })
        };
        let named = serde_json::json!([{ "label": "am", "amount": "500" }]);
        let base = |employees: serde_json::Value, g: serde_json::Value| {
            run(serde_json::json!({ "on": "2026-06-01", "year": 2026,
                "structure": { "label": "S", "legal_form": "SCM" }, "employees": employees, "other_funding": [g] }))
        };
        let am = serde_json::json!([{ "label": "am", "employer": "structure", "contractual_etp": "1",
                                      "aid_amount_for_year": "1000", "employment_cost_for_year": "40000",
                                      "aid_funding": [{ "contract": "c1", "etp": "1" }] }]);
        // A one-day grant on 2026-12-31 is in the year: it names the assistant (warning).
        let (f, _, all) = base(am.clone(), grant("2026-12-31", "2026-12-31", named.clone()));
        assert_eq!(f, [(RuleId::CmpRegional, Severity::Warning)]);
        assert_eq!(all[0].figures["pays"], "am: 500");
        // Ended on 2025-12-31: not in 2026.
        let (f, t, _) = base(am.clone(), grant("2025-01-01", "2025-12-31", named));
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(traced(&t, RuleId::CmpRegional), [Outcome::NotApplicable]);
        // Unnamed salaries with no aid-funded employee: nothing to flag.
        let plain = serde_json::json!([{ "label": "sec", "employer": "structure", "contractual_etp": "1" }]);
        let (f, t, _) = base(plain, grant("2026-01-01", "2026-12-31", serde_json::json!([])));
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(traced(&t, RuleId::CmpRegional), [Outcome::Pass]);
    }

    fn note_of(e: &Explanation<'_>, id: RuleId) -> &'static str {
        e.rules().find(|r| r.id == id).map(|r| r.note).expect("traced")
    }

    #[test]
    fn individual_and_collective_before_and_after_c2026s_no_cumulation() {
        let book = RuleBook::embedded().expect("embedded");
        let doctors = |on: &str, both: bool| {
            let a = if both {
                serde_json::json!({ "label": "A", "individual_contracts": ["c1"], "collective_contracts": ["col"] })
            } else {
                serde_json::json!({ "label": "A", "individual_contracts": ["c1"] })
            };
            case(serde_json::json!({ "on": on, "year": 2026, "structure": sisa(),
                "doctors": [a, { "label": "B", "collective_contracts": ["col"] }, { "label": "C" }] }))
        };
        // From 2026-02-25 (no cumulation): A holds both, a conflict about A alone.
        let c = doctors("2026-02-25", true);
        let (findings, e) = explain(&book, &c).expect("runs");
        assert_eq!(findings.iter().map(|f| f.about.clone()).collect::<Vec<_>>(), [["A", "c1", "col"]]);
        assert_eq!(e.outcome_of(RuleId::CmpIndAndCol), Some(Outcome::Fail));
        assert_eq!(
            note_of(&e, RuleId::CmpIndAndCol),
            "a doctor holds an individual contract and adheres to a collective one"
        );
        // The day before, no rule excludes it.
        let c = doctors("2026-02-24", true);
        let (findings, e) = explain(&book, &c).expect("runs");
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(e.outcome_of(RuleId::CmpIndAndCol), Some(Outcome::Pass));
        assert!(note_of(&e, RuleId::CmpIndAndCol).starts_with("no rule excludes"));
        // A individual only, B collective only: nobody holds both.
        let c = doctors("2026-06-01", false);
        let (findings, e) = explain(&book, &c).expect("runs");
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(e.outcome_of(RuleId::CmpIndAndCol), Some(Outcome::Pass));
        assert_eq!(note_of(&e, RuleId::CmpIndAndCol), "no doctor of a collective contract holds an individual one");
        // No collective contract at all: not applicable.
        let c = case(serde_json::json!({ "on": "2026-06-01", "year": 2026, "structure": sisa(),
            "doctors": [{ "label": "A", "individual_contracts": ["c1"] }] }));
        let (_, e) = explain(&book, &c).expect("runs");
        assert_eq!(e.outcome_of(RuleId::CmpIndAndCol), Some(Outcome::NotApplicable));
    }

    #[test]
    fn the_sisa_employer_rule_concerns_a_sisa_that_employs_the_assistant() {
        let employer = |form: &str, employer: serde_json::Value| {
            let (_, traces, _) = run(serde_json::json!({ "on": "2026-06-01", "year": 2026,
                "structure": { "label": "S", "legal_form": form },
                "doctors": [{ "label": "A", "individual_contracts": ["c1"] }],
                "employees": [{ "label": "am", "employer": employer, "contractual_etp": "1",
                                "aid_funding": [{ "contract": "c1", "etp": "1" }] }] }));
            traced(&traces, RuleId::CmpSisaEmployer)
        };
        // Statutes not recorded: undecided when the SISA employs her.
        assert_eq!(employer("SISA", serde_json::json!("structure")), [Outcome::Undecided]);
        // Not applicable when her doctor employs her, or when the employer is not a SISA.
        assert_eq!(employer("SISA", serde_json::json!({ "doctor": "A" })), [Outcome::NotApplicable]);
        assert_eq!(employer("SCM", serde_json::json!("structure")), [Outcome::NotApplicable]);
    }

    #[test]
    fn an_aci_of_another_year_and_a_coordinator_off_the_aid_are_not_combined() {
        let am = serde_json::json!({ "label": "am", "employer": { "doctor": "A" }, "contractual_etp": "1",
                                     "aid_funding": [{ "contract": "c1", "etp": "1" }] });
        let coord = serde_json::json!({ "label": "coord", "employer": "structure", "contractual_etp": "0.5" });
        let with_aci = |ended_on: Option<&str>| {
            run(serde_json::json!({ "on": "2026-06-01", "year": 2026, "structure": sisa(),
                "aci": { "reference": "ACI", "signed_on": "2020-09-01", "ended_on": ended_on,
                         "coordination": { "holder": { "employee": "coord" }, "etp": "0.2", "share_for_year": "0" } },
                "doctors": [{ "label": "A", "individual_contracts": ["c1"] }], "employees": [am.clone(), coord.clone()] }))
        };
        // The coordinator is on the payroll but not aid-funded: PASS, though "am" is aid-funded.
        let (_, t, _) = with_aci(None);
        assert_eq!(traced(&t, RuleId::CmpSameHours), [Outcome::Pass]);
        assert_eq!(traced(&t, RuleId::CmpPayees), [Outcome::Pass]);
        // An ACI ended on 2025-12-31 does not run in 2026: neither payees nor coordination apply.
        let (_, t, _) = with_aci(Some("2025-12-31"));
        assert_eq!(traced(&t, RuleId::CmpPayees), [Outcome::NotApplicable]);
        assert_eq!(traced(&t, RuleId::CmpSameHours), [Outcome::NotApplicable]);
        // Ended on 2026-01-01, it runs one day of the year.
        let (_, t, _) = with_aci(Some("2026-01-01"));
        assert_eq!(traced(&t, RuleId::CmpPayees), [Outcome::Pass]);
    }

    #[test]
    fn a_demographic_contract_without_am_aid_is_not_an_unsettled_combination() {
        // 2025: the COSCOM is open; Dr A has no AM aid, Dr B has a collective contract only.
        let (findings, traces, all) = run(serde_json::json!({ "on": "2025-11-01", "year": 2025,
            "structure": { "label": "S", "legal_form": "SCM" },
            "doctors": [{ "label": "A" }, { "label": "B", "collective_contracts": ["col"] }],
            "other_funding": [
                { "reference": "COSCOM-A", "scheme": "COSCOM", "payer": "CPAM", "pays_salaries": false,
                  "starts_on": "2023-01-01", "amount_for_year": "5000", "doctor": "A" },
                { "reference": "CAIM-B", "scheme": "CAIM", "payer": "CPAM", "pays_salaries": false,
                  "starts_on": "2023-01-01", "ends_on": "2025-06-30", "amount_for_year": "5000", "doctor": "B" }] }));
        assert_eq!(findings, [(RuleId::CmpUnsettled, Severity::Warning)]);
        assert_eq!(all[0].about, ["CAIM-B", "B", "col"]);
        assert_eq!(all[0].figures["used_until"], "2025-06-30");
        assert_eq!(traced(&traces, RuleId::CmpSchemeEnded), [Outcome::Pass, Outcome::Pass]);
    }
}
