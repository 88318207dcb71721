//! The compatibility report (CMP-*) and the money table over GraphQL: the planning layer's
//! answers mapped to types.

use async_graphql::{Enum, ID, SimpleObject};
use planning::compatibility::{Report, ReportFinding, Subject};
use planning::money::{EmployeeYear, MoneyLine, MoneyTable, Payee, Source};

use crate::ids::{self, NodeType};
use crate::scalars::{Date, Money};
use crate::simulation::{Assessment, Confidence};

fn global(kind: NodeType, id: &str) -> ID {
    ids::encode(kind, id.parse().unwrap_or_default())
}

/// How serious a finding is: a conflict blocks, a warning needs a person's review, an info is
/// for the record.
#[derive(Debug, Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::rules::compatibility::Severity")]
pub enum Severity {
    Info,
    Warning,
    Conflict,
}

#[derive(Debug, Enum, Copy, Clone, Eq, PartialEq)]
pub enum FindingSubjectKind {
    Doctor,
    Assistant,
    AidContract,
    AciContract,
    Grant,
    /// Someone the structure's records do not otherwise hold (an outside coordinator).
    Named,
}

/// A record a finding is about.
#[derive(Debug, Clone, SimpleObject)]
pub struct FindingSubject {
    pub kind: FindingSubjectKind,
    /// The record's global id; null for a name the records do not hold.
    pub id: Option<ID>,
    pub label: String,
}

impl From<(Subject, String)> for FindingSubject {
    fn from((subject, label): (Subject, String)) -> Self {
        let (kind, id) = match subject {
            Subject::Doctor(id) => (FindingSubjectKind::Doctor, Some(global(NodeType::Practitioner, &id))),
            Subject::Assistant(id) => (FindingSubjectKind::Assistant, Some(global(NodeType::Assistant, &id))),
            Subject::AidContract(id) => (FindingSubjectKind::AidContract, Some(global(NodeType::AidContract, &id))),
            Subject::AciContract(id) => (FindingSubjectKind::AciContract, Some(global(NodeType::AciContract, &id))),
            Subject::Grant(id) => (FindingSubjectKind::Grant, Some(global(NodeType::Grant, &id))),
            Subject::Named(_) => (FindingSubjectKind::Named, None),
        };
        Self { kind, id, label }
    }
}

/// A figure that triggered a finding, as text.
#[derive(Debug, Clone, SimpleObject)]
pub struct Figure {
    pub name: String,
    pub value: String,
}

/// One combination a CMP rule flags.
#[derive(Debug, Clone, SimpleObject)]
pub struct CompatibilityFinding {
    /// CMP-* rule id.
    pub rule: String,
    pub title: String,
    pub severity: Severity,
    pub about: Vec<FindingSubject>,
    pub figures: Vec<Figure>,
    pub note: String,
    /// The rule's references, then those of the parameters it read.
    pub references: Vec<String>,
    /// The weakest of the rule's reading and its parameters: most of these rules are the
    /// product's reading of texts that are silent (ASSUMPTION).
    pub confidence: Confidence,
    /// Inputs whose absence kept the check from running.
    pub missing_inputs: Vec<String>,
    /// Set when the texts do not settle the combination.
    pub local_cpam_must_confirm: bool,
}

impl From<ReportFinding> for CompatibilityFinding {
    fn from(f: ReportFinding) -> Self {
        let x = f.finding;
        Self {
            rule: x.rule.code().to_owned(),
            title: x.rule.title().to_owned(),
            severity: x.severity.into(),
            about: f.subjects.into_iter().map(Into::into).collect(),
            figures: x.figures.into_iter().map(|(name, value)| Figure { name: name.to_owned(), value }).collect(),
            note: x.note.to_owned(),
            references: x.references,
            confidence: x.confidence.into(),
            missing_inputs: x.missing.into_iter().map(str::to_owned).collect(),
            local_cpam_must_confirm: x.rule == domain::rules::RuleId::CmpUnsettled,
        }
    }
}

/// What the CMP rules find in the structure's funding over the calendar year of `asOf`.
#[derive(Debug, Clone, SimpleObject)]
pub struct CompatibilityReport {
    pub as_of: Date,
    pub year: i32,
    pub conflicts: u32,
    /// Conflicts first, then warnings, then information.
    pub findings: Vec<CompatibilityFinding>,
    /// Every CMP rule's trace; NOT_ELIGIBLE when there is a conflict.
    pub assessment: Assessment,
}

impl From<Report> for CompatibilityReport {
    fn from(r: Report) -> Self {
        Self {
            as_of: Date(r.as_of),
            year: r.year,
            conflicts: u32::try_from(r.conflicts()).unwrap_or(u32::MAX),
            findings: r.findings.into_iter().map(Into::into).collect(),
            assessment: r.assessed.into(),
        }
    }
}

// ---------------------------------------------------------------- the money table

#[derive(Debug, Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "planning::money::Source")]
pub enum MoneySource {
    IndividualAid,
    CollectiveAid,
    Aci,
    /// ARS grants, the FIR and local authorities.
    Regional,
    Cpts,
    DemographicContract,
    Other,
}

#[derive(Debug, Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "planning::money::Basis")]
pub enum MoneyBasis {
    /// Cash expected per PAY-SCHEDULE at the current achievement.
    Forecast,
    /// As recorded: an ACI year paid, a grant's decision prorated to the calendar year.
    Recorded,
}

#[derive(Debug, Enum, Copy, Clone, Eq, PartialEq)]
pub enum PayeeKind {
    Doctor,
    /// The structure's company: signatory of the collective aid, the SISA of the ACI.
    Structure,
}

#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "MoneyLine")]
pub struct MoneyLineObject {
    pub year: i32,
    pub payee: PayeeKind,
    /// The doctor paid, when the payee is a doctor.
    pub practitioner_id: Option<ID>,
    pub payee_label: String,
    pub source: MoneySource,
    /// The aid contract, ACI contract or grant the money comes from.
    pub origin_id: ID,
    pub amount: Money,
    pub basis: MoneyBasis,
}

fn line(l: MoneyLine, structure_label: &str) -> MoneyLineObject {
    let origin_kind = match l.source {
        Source::IndividualAid | Source::CollectiveAid => NodeType::AidContract,
        Source::Aci => NodeType::AciContract,
        _ => NodeType::Grant,
    };
    let (payee, practitioner_id, payee_label) = match l.payee {
        Payee::Doctor { id, label } => (PayeeKind::Doctor, Some(global(NodeType::Practitioner, &id)), label),
        Payee::Structure => (PayeeKind::Structure, None, structure_label.to_owned()),
    };
    MoneyLineObject {
        year: l.year,
        payee,
        practitioner_id,
        payee_label,
        source: l.source.into(),
        origin_id: global(origin_kind, &l.origin),
        amount: Money(l.amount),
        basis: l.basis.into(),
    }
}

/// One employee's calendar year: what they cost against the public money that pays for them.
#[derive(Debug, Clone, SimpleObject)]
pub struct EmployeeMoney {
    pub assistant_id: ID,
    pub name: String,
    pub year: i32,
    /// Salary plus employer charges; null when not recorded.
    pub employment_cost: Option<Money>,
    /// The aid of the contracts funding them, in proportion to the ETP each funds for them on
    /// the report day.
    pub aid: Money,
    pub aci_coordination: Money,
    pub grants: Money,
    pub public_money: Money,
    /// Cost minus public money; negative when public money exceeds the cost (CMP-COST-CAP).
    pub left_to_employer: Option<Money>,
}

impl From<EmployeeYear> for EmployeeMoney {
    fn from(e: EmployeeYear) -> Self {
        Self {
            assistant_id: global(NodeType::Assistant, &e.assistant_id),
            name: e.label.clone(),
            year: e.year,
            employment_cost: e.cost.map(Money),
            aid: Money(e.aid),
            aci_coordination: Money(e.aci_coordination),
            grants: Money(e.grants),
            public_money: Money(e.public_money()),
            left_to_employer: e.left_to_employer().map(Money),
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct YearTotal {
    pub year: i32,
    pub amount: Money,
}

/// All the structure's public money: per calendar year, payee and source, and per employee.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "MoneyTable")]
pub struct MoneyTableObject {
    pub years: Vec<i32>,
    pub lines: Vec<MoneyLineObject>,
    pub totals: Vec<YearTotal>,
    pub employees: Vec<EmployeeMoney>,
}

impl MoneyTableObject {
    pub fn new(t: MoneyTable, structure_label: &str) -> Self {
        let totals = t.years.iter().map(|&year| YearTotal { year, amount: Money(t.total(year)) }).collect();
        Self {
            years: t.years,
            lines: t.lines.into_iter().map(|l| line(l, structure_label)).collect(),
            totals,
            employees: t.employees.into_iter().map(Into::into).collect(),
        }
    }
}
