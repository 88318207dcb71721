//! The structure's dashboard and the individual-vs-collective comparison over GraphQL: the
//! planning layer's answers mapped to types. Doctors, contracts and assistants are named by
//! their global ids (and a label), so the whole view is one read of the structure's records.

use async_graphql::{Enum, ID, SimpleObject};
use domain::rules::{Objectives, Rate};
use domain::{AidOption, Etp};
use planning::comparison::{Comparison, Scenario};
use planning::dashboard::{
    AssistantStanding, CollectiveStanding, ContractStanding, Dashboard, Deadline, LeftOut, MemberStanding, Offer,
    Subject, TeamObjectives,
};
use planning::forecast::{Payment, ProjectedYear};

use crate::activity::{self, AssistantMonth};
use crate::enums::{self, Specialty};
use crate::ids::{self, NodeType};
use crate::scalars::{Date, Money};
use crate::simulation::{
    Assessment, Confidence, Indicator, Objectives as ObjectivesObject, Verdict, objectives as objectives_object,
};

/// A record id from the planning layer (always one of ours) as a global id.
fn global(kind: NodeType, id: &str) -> ID {
    ids::encode(kind, id.parse().unwrap_or_default())
}

fn etp(e: Etp) -> String {
    e.to_string()
}

fn rate(r: Rate) -> String {
    r.to_decimal().to_string()
}

/// Sums of the contracts' evaluations on the dashboard's day.
#[derive(Debug, Clone, SimpleObject)]
pub struct MoneyTotals {
    pub maximum: Money,
    /// Sum of the payables known.
    pub payable: Money,
    /// Contracts whose payable is unknown (no achievement recorded for a year from 3).
    pub payable_unknown: u32,
}

/// A doctor a collective contract would leave out, and why.
#[derive(Debug, Clone, SimpleObject)]
pub struct LeftOutDoctor {
    pub practitioner_id: ID,
    pub name: String,
    pub rules: Vec<String>,
    pub reason: String,
}

impl From<LeftOut> for LeftOutDoctor {
    fn from(l: LeftOut) -> Self {
        Self {
            practitioner_id: global(NodeType::Practitioner, &l.member_id),
            name: l.label,
            rules: l.rules.into_iter().map(str::to_owned).collect(),
            reason: l.reason,
        }
    }
}

/// Whether the structure could sign the collective aid on the day, with every doctor who may.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "CollectiveStanding")]
pub struct CollectiveStandingObject {
    #[graphql(flatten)]
    pub assessment: Assessment,
    pub adhering: Vec<ID>,
    pub left_out: Vec<LeftOutDoctor>,
    /// Mean PMT of the adhering doctors, to two decimals.
    pub mean_pmt: Option<String>,
    pub etp_cap: String,
    /// ETP assumed funded: the time the assistants work for the adhering doctors, within the cap
    /// (the cap when none works for them).
    pub funded_etp: String,
}

impl From<CollectiveStanding> for CollectiveStandingObject {
    fn from(c: CollectiveStanding) -> Self {
        Self {
            assessment: c.assessed.into(),
            adhering: c.adhering.iter().map(|id| global(NodeType::Practitioner, id)).collect(),
            left_out: c.left_out.into_iter().map(Into::into).collect(),
            mean_pmt: c.mean_pmt.map(|m| m.round_dp(2).to_string()),
            etp_cap: etp(c.etp_cap),
            funded_etp: etp(c.funded_etp),
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct StructureStanding {
    /// STR-PROJET-SANTE, STR-EMPLOYER and COL-EMPLOYER.
    pub structure: Assessment,
    /// Null before the collective aid existed (2026-02-25).
    pub collective: Option<CollectiveStandingObject>,
    /// The structure and the day, for the compatibility report read only when selected.
    #[graphql(skip)]
    pub source: Option<(domain::Structure, chrono::NaiveDate)>,
}

#[async_graphql::ComplexObject]
impl StructureStanding {
    /// The compatibility report of the same day (`Structure.compatibility`): its conflicts
    /// block. Worked out only when selected.
    async fn compatibility(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<Option<crate::compatibility::CompatibilityReport>> {
        let Some((structure, day)) = &self.source else { return Ok(None) };
        let o = crate::overview::of(ctx, structure, *day).await?;
        Ok(Some(o.report(crate::simulation::rule_book(ctx)?).map_err(crate::error::ApiError::from)?.into()))
    }
}

/// A contract evaluated on the dashboard's day.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "ContractStanding")]
pub struct ContractStandingObject {
    pub contract_id: ID,
    pub label: String,
    pub option: Option<enums::AidOption>,
    pub funded_etp: String,
    pub signed_on: Date,
    pub status: enums::ContractStatus,
    pub contract_year: Option<u32>,
    pub year_starts_on: Option<Date>,
    /// This contract year's maximum; none once the contract is over.
    pub maximum: Option<Money>,
    /// Payable from the recorded figures: zero once over, none when the achievement is unknown.
    pub payable: Option<Money>,
    pub achievement_rate: Option<String>,
    pub objectives: ObjectivesObject,
    #[graphql(flatten)]
    pub assessment: Assessment,
}

impl From<ContractStanding> for ContractStandingObject {
    fn from(c: ContractStanding) -> Self {
        Self {
            contract_id: global(NodeType::AidContract, &c.id),
            objectives: objectives_object(&c.objectives, c.actual.as_ref()),
            label: c.label,
            option: c.option.map(Into::into),
            funded_etp: etp(c.funded_etp),
            signed_on: Date(c.signed_on),
            status: c.status.into(),
            contract_year: c.contract_year,
            year_starts_on: c.year_starts_on.map(Date),
            maximum: c.maximum.map(Money),
            payable: c.payable.map(Money),
            achievement_rate: c.achievement_rate.map(rate),
            assessment: c.assessed.into(),
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct OptionVerdict {
    pub option: enums::AidOption,
    pub verdict: Verdict,
}

/// What a doctor could sign on the day: the best open option, or why none is.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Offer")]
pub struct OfferObject {
    pub option: Option<enums::AidOption>,
    pub reason: String,
    /// Every option considered: a doctor with a running contract is offered only a second
    /// assistant on top of it.
    pub considered: Vec<OptionVerdict>,
    #[graphql(flatten)]
    pub assessment: Assessment,
}

impl From<Offer> for OfferObject {
    fn from(o: Offer) -> Self {
        Self {
            option: o.option.map(Into::into),
            reason: o.reason,
            considered: o
                .considered
                .into_iter()
                .map(|(option, v): (AidOption, _)| OptionVerdict { option: option.into(), verdict: v.into() })
                .collect(),
            assessment: o.assessed.into(),
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "MemberStanding")]
pub struct MemberStandingObject {
    pub practitioner_id: ID,
    pub name: String,
    pub specialty: Specialty,
    /// Partner of the company in their own name.
    pub partner: bool,
    /// Individual contracts, running or not, evaluated on the day.
    pub contracts: Vec<ContractStandingObject>,
    /// The collective contract the doctor adheres to.
    pub collective_contract_id: Option<ID>,
    pub offer: OfferObject,
}

impl From<MemberStanding> for MemberStandingObject {
    fn from(m: MemberStanding) -> Self {
        Self {
            practitioner_id: global(NodeType::Practitioner, &m.id),
            name: m.label,
            specialty: m.specialty.into(),
            partner: m.partner,
            contracts: m.contracts.into_iter().map(Into::into).collect(),
            collective_contract_id: m.collective_contract.map(|id| global(NodeType::AidContract, &id)),
            offer: m.offer.into(),
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct ContractEtp {
    pub contract_id: ID,
    pub etp: String,
}

/// An assistant's time and the checks on it (AM-QUALIFICATION, AM-NO-SUBSTITUTION,
/// AM-ETP-CONSISTENCY, AM-TRACEABILITY).
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "AssistantStanding")]
pub struct AssistantStandingObject {
    pub assistant_id: ID,
    pub name: String,
    pub contractual_etp: String,
    /// Time assigned to doctors on the day, in ETP.
    pub assigned_etp: String,
    /// ETP funded by aid contracts: each contract's ETP shared among the assistants working
    /// for its doctors, in proportion to their assigned time (the product's reading).
    pub funded_etp: String,
    pub funded_by: Vec<ContractEtp>,
    pub qualification_deadline: Option<Date>,
    #[graphql(flatten)]
    pub assessment: Assessment,
    /// The last 12 months up to the day (none before hiring), in hours: employed, funded,
    /// assigned and traced (AM-TRACEABILITY).
    pub months: Vec<AssistantMonth>,
    /// Months since hiring, before the day's, without any recorded line (`YYYY-MM`); empty when
    /// the structure records no activity here (`activityRecorded` false).
    pub missing_months: Vec<String>,
    /// Whether the structure records its assistants' activity in the product.
    pub activity_recorded: bool,
}

impl From<AssistantStanding> for AssistantStandingObject {
    fn from(a: AssistantStanding) -> Self {
        Self {
            assistant_id: global(NodeType::Assistant, &a.id),
            name: a.label,
            contractual_etp: etp(a.contractual_etp),
            assigned_etp: etp(a.assigned_etp),
            funded_etp: etp(a.funded_etp),
            funded_by: a
                .funded_by
                .into_iter()
                .map(|(c, e)| ContractEtp { contract_id: global(NodeType::AidContract, &c), etp: etp(e) })
                .collect(),
            qualification_deadline: a.qualification_deadline.map(Date),
            assessment: a.assessed.into(),
            months: a.months.into_iter().map(AssistantMonth::from).collect(),
            missing_months: a.missing_months.into_iter().map(activity::month).collect(),
            activity_recorded: a.activity_recorded,
        }
    }
}

/// One member's part of a team objective.
#[derive(Debug, Clone, SimpleObject)]
pub struct ObjectiveShare {
    pub practitioner_id: ID,
    pub name: String,
    pub contract_id: ID,
    pub baseline: u32,
    pub target: u32,
    pub actual: Option<u32>,
    /// The member's part of the team's required increase, from 0 to 1.
    pub share: String,
}

/// STR-TEAM-OBJECTIVES: one indicator summed over the running individual contracts.
#[derive(Debug, Clone, SimpleObject)]
pub struct TeamIndicator {
    pub indicator: Indicator,
    pub baseline: u32,
    pub target: u32,
    /// Known when every contract's actual activity is.
    pub actual: Option<u32>,
    pub rate: Option<String>,
    pub shares: Vec<ObjectiveShare>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct CollectiveObjectives {
    pub contract_id: ID,
    /// The contract's own team objective, reduced by patients gained individually.
    pub objectives: ObjectivesObject,
}

#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "TeamObjectives")]
pub struct TeamObjectivesObject {
    pub indicators: Vec<TeamIndicator>,
    pub collective: Vec<CollectiveObjectives>,
}

impl From<TeamObjectives> for TeamObjectivesObject {
    fn from(t: TeamObjectives) -> Self {
        Self {
            indicators: t
                .indicators
                .into_iter()
                .map(|i| TeamIndicator {
                    indicator: i.indicator.into(),
                    baseline: i.baseline,
                    target: i.target,
                    actual: i.actual,
                    rate: i.rate.map(rate),
                    shares: i
                        .shares
                        .into_iter()
                        .map(|s| ObjectiveShare {
                            practitioner_id: global(NodeType::Practitioner, &s.member_id),
                            name: s.label,
                            contract_id: global(NodeType::AidContract, &s.contract_id),
                            baseline: s.baseline,
                            target: s.target,
                            actual: s.actual,
                            share: s.share.to_string(),
                        })
                        .collect(),
                })
                .collect(),
            collective: t
                .collective
                .into_iter()
                .map(|(id, o, actual): (String, Objectives, _)| CollectiveObjectives {
                    contract_id: global(NodeType::AidContract, &id),
                    objectives: objectives_object(&o, actual.as_ref()),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "ProjectedYear")]
pub struct ProjectedYearObject {
    pub contract_year: u32,
    pub starts_on: Date,
    /// Last day the year covers (the contract's end when it ends within the year).
    pub ends_on: Date,
    pub maximum: Money,
    /// Payable at the current achievement, prorated at the contract's end.
    pub payable: Money,
    /// No achievement is known yet: the payable assumes the objectives met.
    pub assumes_objectives_met: bool,
}

impl From<ProjectedYear> for ProjectedYearObject {
    fn from(y: ProjectedYear) -> Self {
        Self {
            contract_year: y.contract_year,
            starts_on: Date(y.starts_on),
            ends_on: Date(y.ends_on),
            maximum: Money(y.maximum),
            payable: Money(y.payable),
            assumes_objectives_met: y.assumes_objectives_met,
        }
    }
}

/// A payment expected (PAY-SCHEDULE: secondary; the days are the product's reading).
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Payment")]
pub struct PaymentObject {
    pub on: Date,
    pub contract_year: u32,
    pub amount: Money,
}

impl From<Payment> for PaymentObject {
    fn from(p: Payment) -> Self {
        Self { on: Date(p.on), contract_year: p.contract_year, amount: Money(p.amount) }
    }
}

#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "ContractForecast")]
pub struct ContractForecastObject {
    pub contract_id: ID,
    pub label: String,
    pub years: Vec<ProjectedYearObject>,
    pub payments: Vec<PaymentObject>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct CalendarYearCash {
    pub year: i32,
    pub amount: Money,
}

/// Five years of money from the dashboard's day.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Forecast")]
pub struct ForecastObject {
    pub from: Date,
    /// First day after the window.
    pub until: Date,
    pub contracts: Vec<ContractForecastObject>,
    /// Cash expected per calendar year of the window.
    pub by_calendar_year: Vec<CalendarYearCash>,
    /// Maxima of the contract years shown, the one running on the day in full.
    pub total_maximum: Money,
    /// Payable of the contract years shown, the one running on the day in full.
    pub total_payable: Money,
    /// Cash expected within the window: the sum of `byCalendarYear`.
    pub total_cash: Money,
}

/// What a coming deadline is.
#[derive(Debug, Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "DeadlineKind", remote = "planning::dashboard::DeadlineKind")]
pub enum DeadlineKindObject {
    Anniversary,
    ObjectivesDue,
    QualificationDeadline,
    Payment,
    ContractEnd,
    WaitingPeriodEnds,
}

#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Deadline")]
pub struct DeadlineObject {
    pub on: Date,
    pub kind: DeadlineKindObject,
    /// The contract it is about (anniversaries, objectives, payments, ends).
    pub contract_id: Option<ID>,
    /// The assistant it is about (qualification).
    pub assistant_id: Option<ID>,
    /// The doctor it is about (end of a waiting period).
    pub practitioner_id: Option<ID>,
    /// What falls due, and for whom.
    pub detail: String,
}

impl From<Deadline> for DeadlineObject {
    fn from(d: Deadline) -> Self {
        let (mut contract_id, mut assistant_id, mut practitioner_id) = (None, None, None);
        match &d.subject {
            Subject::Contract(id) => contract_id = Some(global(NodeType::AidContract, id)),
            Subject::Assistant(id) => assistant_id = Some(global(NodeType::Assistant, id)),
            Subject::Doctor(id) => practitioner_id = Some(global(NodeType::Practitioner, id)),
        }
        Self { on: Date(d.on), kind: d.kind.into(), contract_id, assistant_id, practitioner_id, detail: d.detail }
    }
}

/// Everything a coordinator opens every month, on one day.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "StructureDashboard")]
pub struct DashboardObject {
    pub as_of: Date,
    pub this_year: MoneyTotals,
    pub standing: StructureStanding,
    pub members: Vec<MemberStandingObject>,
    pub collective_contracts: Vec<ContractStandingObject>,
    pub assistants: Vec<AssistantStandingObject>,
    pub team_objectives: TeamObjectivesObject,
    pub forecast: ForecastObject,
    /// Within the next 12 months, sorted by date.
    pub deadlines: Vec<DeadlineObject>,
}

impl From<Dashboard> for DashboardObject {
    fn from(d: Dashboard) -> Self {
        Self {
            as_of: Date(d.as_of),
            this_year: MoneyTotals {
                maximum: Money(d.this_year.maximum),
                payable: Money(d.this_year.payable),
                payable_unknown: d.this_year.payable_unknown,
            },
            standing: StructureStanding {
                structure: d.standing.structure.into(),
                collective: d.standing.collective.map(Into::into),
                source: None,
            },
            members: d.members.into_iter().map(Into::into).collect(),
            collective_contracts: d.collective_contracts.into_iter().map(Into::into).collect(),
            assistants: d.assistants.into_iter().map(Into::into).collect(),
            team_objectives: d.team_objectives.into(),
            forecast: ForecastObject {
                from: Date(d.forecast.from),
                until: Date(d.forecast.until),
                by_calendar_year: d
                    .forecast
                    .by_calendar_year
                    .into_iter()
                    .map(|(year, amount)| CalendarYearCash { year, amount: Money(amount) })
                    .collect(),
                total_maximum: Money(d.forecast.total_maximum),
                total_payable: Money(d.forecast.total_payable),
                total_cash: Money(d.forecast.total_cash),
                contracts: d
                    .forecast
                    .contracts
                    .into_iter()
                    .map(|f| ContractForecastObject {
                        contract_id: global(NodeType::AidContract, &f.contract_id),
                        label: f.label,
                        years: f.years.into_iter().map(Into::into).collect(),
                        payments: f.payments.into_iter().map(Into::into).collect(),
                    })
                    .collect(),
            },
            deadlines: d.deadlines.into_iter().map(Into::into).collect(),
        }
    }
}

// ---------------------------------------------------------------- the comparison

/// The recommendation of the comparison.
#[derive(Debug, Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "planning::comparison::Choice")]
pub enum ComparisonChoice {
    Collective,
    KeepIndividual,
    Undecided,
}

#[derive(Debug, Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "planning::comparison::LineKind")]
pub enum ScenarioLineKind {
    /// A running individual contract, kept.
    Running,
    /// A new individual contract signed on the start date.
    New,
    Collective,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct ScenarioLine {
    pub label: String,
    pub practitioner_id: Option<ID>,
    pub contract_id: Option<ID>,
    pub kind: ScenarioLineKind,
    pub option: Option<enums::AidOption>,
    pub funded_etp: String,
    /// Aid per comparison year.
    pub yearly: Vec<Money>,
    pub total: Money,
    /// Some year's payable assumes the objectives met (no achievement known yet).
    pub assumes_objectives_met: bool,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct ScenarioTarget {
    pub indicator: Indicator,
    pub baseline: u32,
    pub target: u32,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct ClosingCost {
    pub contract_id: ID,
    pub label: String,
    pub closed_on: Date,
    pub next_anniversary: Date,
    /// The running year's aid given up by closing on the start date rather than at the
    /// anniversary (prorated at closing, COL-NO-CUMULATION).
    pub lost: Money,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct UndecidedDoctor {
    pub name: String,
    pub missing_inputs: Vec<String>,
}

#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Scenario")]
pub struct ScenarioObject {
    /// Aid per comparison year (year 1 starts on the start date).
    pub yearly: Vec<Money>,
    pub total: Money,
    pub lines: Vec<ScenarioLine>,
    /// Patient objectives: summed over the individual contracts, or the collective's own.
    pub objectives: Vec<ScenarioTarget>,
    pub conditions_not_met: Vec<String>,
    pub left_out: Vec<LeftOutDoctor>,
    pub undecided: Vec<UndecidedDoctor>,
    pub closings: Vec<ClosingCost>,
    pub waiting_period_risk: Option<String>,
    pub confidence: Confidence,
    /// The collective contract's own evaluation.
    pub collective: Option<Assessment>,
}

impl From<Scenario> for ScenarioObject {
    fn from(s: Scenario) -> Self {
        Self {
            yearly: s.yearly.into_iter().map(Money).collect(),
            total: Money(s.total),
            lines: s
                .lines
                .into_iter()
                .map(|l| ScenarioLine {
                    practitioner_id: l.member_id.as_deref().map(|id| global(NodeType::Practitioner, id)),
                    contract_id: l.contract_id.as_deref().map(|id| global(NodeType::AidContract, id)),
                    label: l.label,
                    kind: l.kind.into(),
                    option: l.option.map(Into::into),
                    funded_etp: etp(l.funded_etp),
                    yearly: l.yearly.into_iter().map(Money).collect(),
                    total: Money(l.total),
                    assumes_objectives_met: l.assumes_objectives_met,
                })
                .collect(),
            objectives: s
                .objectives
                .iter()
                .map(|t| ScenarioTarget { indicator: t.indicator.into(), baseline: t.baseline, target: t.target })
                .collect(),
            conditions_not_met: s.conditions_not_met,
            left_out: s.left_out.into_iter().map(Into::into).collect(),
            undecided: s
                .undecided
                .into_iter()
                .map(|(name, missing)| UndecidedDoctor {
                    name,
                    missing_inputs: missing.into_iter().map(str::to_owned).collect(),
                })
                .collect(),
            closings: s
                .closings
                .into_iter()
                .map(|c| ClosingCost {
                    contract_id: global(NodeType::AidContract, &c.contract_id),
                    label: c.label,
                    closed_on: Date(c.closed_on),
                    next_anniversary: Date(c.next_anniversary),
                    lost: Money(c.lost),
                })
                .collect(),
            waiting_period_risk: s.waiting_period_risk,
            confidence: s.confidence.into(),
            collective: s.assessed.map(Into::into),
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct ComparisonYear {
    pub from: Date,
    pub to: Date,
    /// Collective minus individual.
    pub difference: Money,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct Recommendation {
    pub choice: ComparisonChoice,
    /// Weakest confidence of what both scenarios rest on.
    pub confidence: Confidence,
    pub reason: String,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct Dimension {
    pub name: String,
    pub individual: String,
    pub collective: String,
}

/// STR-COMPARISON over five years: keep individual contracts, or switch to a collective one.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "StructureComparison")]
pub struct ComparisonObject {
    pub start: Date,
    pub years: Vec<ComparisonYear>,
    pub individual: ScenarioObject,
    pub collective: ScenarioObject,
    /// Collective minus individual over the five years.
    pub total_difference: Money,
    pub recommendation: Recommendation,
    /// The seed's dimensions of the choice, side by side.
    pub dimensions: Vec<Dimension>,
}

impl From<Comparison> for ComparisonObject {
    fn from(c: Comparison) -> Self {
        Self {
            start: Date(c.start),
            years: c
                .years
                .iter()
                .zip(&c.difference)
                .map(|((from, to), d)| ComparisonYear { from: Date(*from), to: Date(*to), difference: Money(*d) })
                .collect(),
            individual: c.individual.into(),
            collective: c.collective.into(),
            total_difference: Money(c.total_difference),
            recommendation: Recommendation {
                choice: c.recommendation.choice.into(),
                confidence: c.recommendation.confidence.into(),
                reason: c.recommendation.reason,
            },
            dimensions: c
                .dimensions
                .iter()
                .map(|d| Dimension {
                    name: d.name.to_owned(),
                    individual: d.individual.to_owned(),
                    collective: d.collective.to_owned(),
                })
                .collect(),
        }
    }
}
