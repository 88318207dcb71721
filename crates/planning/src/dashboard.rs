//! The coordinator's monthly view of a structure on one day: can it sign the collective aid
//! and employ assistants, each doctor's contracts and what they could sign now, each
//! assistant's time and checks, the team objectives, five years of money and the coming
//! deadlines. Every figure comes from the rules engine; this module only gathers and sums.

use chrono::NaiveDate;
use domain::rules::assistant::{self, AssistantCase, YearMonth};
use domain::rules::collective::{self, CollectiveCase};
use domain::rules::individual::{self, FirstContract, IndividualCase};
use domain::rules::params::INDIVIDUAL_START;
use domain::rules::structure::{self, AssistantEmployment, StructureCase};
use domain::rules::{
    Activity, Indicator, NoTrace, Objectives, P, Rate, RuleBook, RuleError, Target, TargetKind, Value, Verdict,
};
use domain::{AidOption, ContractStatus, Etp, Specialty};
use persistence::{ActivityLine, ActivityRecord};
use rust_decimal::Decimal;

use crate::activity::{Funder, FundingDay, MonthFigures, funders_on_days, months_before, months_of, reference_day};
use crate::assessed::Assessed;
use crate::forecast::{self, Payment, ProjectedYear, add_months};
use crate::team::{HeldCollective, HeldContract, Team, TeamAssistant, TeamMember};

/// How far ahead deadlines are listed.
pub const DEADLINE_HORIZON_MONTHS: u32 = 12;
/// How many months of each assistant's activity are shown, the day's included.
pub const ACTIVITY_MONTHS_SHOWN: u32 = 12;

#[derive(Debug, Clone)]
pub struct Dashboard {
    pub as_of: NaiveDate,
    pub standing: Standing,
    pub members: Vec<MemberStanding>,
    pub collective_contracts: Vec<ContractStanding>,
    pub assistants: Vec<AssistantStanding>,
    pub team_objectives: TeamObjectives,
    pub forecast: Forecast,
    pub deadlines: Vec<Deadline>,
    /// Sums of the contract evaluations on `as_of`.
    pub this_year: Totals,
}

#[derive(Debug, Clone)]
pub struct Standing {
    /// STR-PROJET-SANTE, STR-EMPLOYER and COL-EMPLOYER for the structure's assistants.
    pub structure: Assessed,
    /// The collective aid signed on the day by every member who may adhere; none before the
    /// collective aid existed.
    pub collective: Option<CollectiveStanding>,
}

#[derive(Debug, Clone)]
pub struct CollectiveStanding {
    pub assessed: Assessed,
    /// Ids of the members who could adhere today.
    pub adhering: Vec<String>,
    pub left_out: Vec<LeftOut>,
    pub mean_pmt: Option<Decimal>,
    pub etp_cap: Etp,
    /// The ETP assumed funded: the assistants' time for the adhering doctors, within the cap.
    pub funded_etp: Etp,
}

/// A doctor a collective contract would not include, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub member_id: String,
    pub label: String,
    /// Rule ids that exclude them.
    pub rules: Vec<&'static str>,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct MemberStanding {
    pub id: String,
    pub label: String,
    pub partner: bool,
    pub specialty: Specialty,
    pub contracts: Vec<ContractStanding>,
    /// The collective contract the doctor adheres to on the day.
    pub collective_contract: Option<String>,
    pub offer: Offer,
}

/// A contract evaluated on the day.
#[derive(Debug, Clone)]
pub struct ContractStanding {
    pub id: String,
    pub label: String,
    pub option: Option<AidOption>,
    pub funded_etp: Etp,
    pub signed_on: NaiveDate,
    pub status: ContractStatus,
    pub contract_year: Option<u32>,
    pub year_starts_on: Option<NaiveDate>,
    /// This contract year's maximum; none when the contract is over.
    pub maximum: Option<Decimal>,
    /// Payable from the recorded figures; zero once over, none when the achievement is unknown.
    pub payable: Option<Decimal>,
    pub achievement_rate: Option<Rate>,
    pub objectives: Objectives,
    pub actual: Option<Activity>,
    pub assessed: Assessed,
}

/// What a doctor could sign on the day.
#[derive(Debug, Clone)]
pub struct Offer {
    /// The best option open, when one is.
    pub option: Option<AidOption>,
    pub verdict: Verdict,
    pub reason: String,
    /// Every option considered, with its verdict.
    pub considered: Vec<(AidOption, Verdict)>,
    pub assessed: Assessed,
}

#[derive(Debug, Clone)]
pub struct AssistantStanding {
    pub id: String,
    pub label: String,
    pub contractual_etp: Etp,
    /// ETP assigned to doctors on the day.
    pub assigned_etp: Etp,
    /// ETP funded by aid contracts: each contract's ETP shared among the assistants assigned
    /// to its doctors, in proportion to their assigned time (assumption).
    pub funded_etp: Etp,
    pub funded_by: Vec<(String, Etp)>,
    pub qualification_deadline: Option<NaiveDate>,
    pub assessed: Assessed,
    /// The last months up to the day (at most [`ACTIVITY_MONTHS_SHOWN`], none before hiring):
    /// hours employed, funded, assigned and traced.
    pub months: Vec<MonthFigures>,
    /// Months since hiring, before the day's, without any record (AM-TRACEABILITY); empty when
    /// the structure records no activity in the product.
    pub missing_months: Vec<YearMonth>,
    /// Whether the structure records its assistants' activity in the product (any line).
    pub activity_recorded: bool,
}

#[derive(Debug, Clone, Default)]
pub struct TeamObjectives {
    /// STR-TEAM-OBJECTIVES: per indicator, summed over the running individual contracts.
    pub indicators: Vec<TeamIndicator>,
    /// COL-OBJECTIVES: each running collective contract's own objective.
    pub collective: Vec<(String, Objectives, Option<Activity>)>,
}

#[derive(Debug, Clone)]
pub struct TeamIndicator {
    pub indicator: Indicator,
    pub baseline: u32,
    pub target: u32,
    /// Known when every contract's actual is.
    pub actual: Option<u32>,
    pub rate: Option<Rate>,
    pub shares: Vec<ObjectiveShare>,
}

#[derive(Debug, Clone)]
pub struct ObjectiveShare {
    pub member_id: String,
    pub label: String,
    pub contract_id: String,
    pub baseline: u32,
    pub target: u32,
    pub actual: Option<u32>,
    /// The member's part of the team's required increase, from 0 to 1.
    pub share: Decimal,
}

#[derive(Debug, Clone)]
pub struct Forecast {
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub contracts: Vec<ContractForecast>,
    /// Cash expected per calendar year of the window (PAY-SCHEDULE).
    pub by_calendar_year: Vec<(i32, Decimal)>,
    /// Sums over the contract years shown, the one running on the day in full.
    pub total_maximum: Decimal,
    pub total_payable: Decimal,
    /// Cash expected within the window: the sum of `by_calendar_year`.
    pub total_cash: Decimal,
}

#[derive(Debug, Clone)]
pub struct ContractForecast {
    pub contract_id: String,
    pub label: String,
    pub years: Vec<ProjectedYear>,
    pub payments: Vec<Payment>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeadlineKind {
    Anniversary,
    ObjectivesDue,
    QualificationDeadline,
    Payment,
    ContractEnd,
    WaitingPeriodEnds,
}

/// What a deadline is about, by id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    Contract(String),
    Assistant(String),
    Doctor(String),
}

impl Subject {
    pub fn id(&self) -> &str {
        match self {
            Subject::Contract(id) | Subject::Assistant(id) | Subject::Doctor(id) => id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub on: NaiveDate,
    pub kind: DeadlineKind,
    pub subject: Subject,
    /// For a person: what falls due, and for whom.
    pub detail: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub maximum: Decimal,
    /// Sum of the payables known.
    pub payable: Decimal,
    /// Contracts whose payable is unknown (achievement not recorded).
    pub payable_unknown: u32,
}

/// The share of year 1 paid first (PAY-SCHEDULE), as the parameters say on `day`.
pub(crate) fn first_share(book: &RuleBook, day: NaiveDate) -> Result<Decimal, RuleError> {
    match book.step(P::Year1FirstInstalment, day).map(|s| &s.value) {
        Some(Value::Ratio(r)) => Ok(*r),
        _ => Err(RuleError::NoValue { key: "payment.year_1_first_instalment", date: day }),
    }
}

/// Years of waiting after a collective contract (COL-WAITING-PERIOD), as the parameters say.
pub fn waiting_years(book: &RuleBook, day: NaiveDate) -> Result<u32, RuleError> {
    match book.step(P::CollectiveWaitingYears, day).map(|s| &s.value) {
        Some(Value::Count(n)) => Ok(*n),
        _ => Err(RuleError::NoValue { key: "collective.waiting_period_years", date: day }),
    }
}

/// An individual contract evaluated on `day`, explained.
pub fn individual_standing(
    book: &RuleBook,
    member: &TeamMember,
    c: &HeldContract,
    day: NaiveDate,
) -> Result<ContractStanding, RuleError> {
    let mut case = c.case.clone();
    case.as_of = Some(day.max(case.signed_on));
    let (r, e) = individual::explain(book, &case)?;
    Ok(ContractStanding {
        id: c.id.clone(),
        label: member.label.clone(),
        option: Some(case.option),
        funded_etp: case.option.etp(),
        signed_on: case.signed_on,
        status: c.status,
        contract_year: r.year.map(|y| y.contract_year),
        year_starts_on: r.year.map(|y| y.starts_on),
        maximum: r.year.map(|y| y.maximum),
        payable: r.payable,
        achievement_rate: r.achievement_rate,
        assessed: Assessed::new(r.verdict, r.failing, r.undecided, &e),
        objectives: r.objectives,
        actual: case.actual,
    })
}

/// A collective contract evaluated on `day`, explained.
pub fn collective_standing(book: &RuleBook, c: &HeldCollective, day: NaiveDate) -> Result<ContractStanding, RuleError> {
    let mut case = c.case.clone();
    case.as_of = Some(day.max(case.signed_on));
    let (r, e) = collective::explain(book, &case)?;
    // Ended or terminated: nothing is due any more.
    let over = c.status != ContractStatus::Active;
    Ok(ContractStanding {
        id: c.id.clone(),
        label: crate::comparison::COLLECTIVE_LABEL.to_owned(),
        option: None,
        funded_etp: case.funded_etp,
        signed_on: case.signed_on,
        status: c.status,
        contract_year: r.year.map(|y| y.contract_year),
        year_starts_on: r.year.map(|y| y.starts_on),
        maximum: if over { None } else { r.year.map(|y| y.maximum) },
        payable: if over { Some(Decimal::ZERO) } else { r.payable },
        achievement_rate: r.achievement_rate,
        assessed: Assessed::new(r.verdict, r.failing, r.undecided, &e),
        objectives: r.objectives,
        actual: case.actual,
    })
}

/// Whether the contract's objectives are met on `day` (a second assistant requires it).
fn objectives_met(book: &RuleBook, c: &HeldContract, day: NaiveDate) -> Result<bool, RuleError> {
    let mut case = c.case.clone();
    case.as_of = Some(day.max(case.signed_on));
    let r = individual::evaluate(book, &case, &mut NoTrace)?;
    Ok(r.achievement_rate.is_some_and(Rate::is_one))
}

/// The best option a doctor could sign on `day`. A doctor with a running contract may only add
/// a second assistant on top of it (IND-OPTION); the others choose among the single options.
pub fn offer(book: &RuleBook, member: &TeamMember, day: NaiveDate) -> Result<Offer, RuleError> {
    let mut doctor = member.doctor.clone();
    let running = member.running_contract(book, day);
    let prefix = match running {
        Some(c) => {
            doctor.first_contract = Some(FirstContract {
                option: c.case.option,
                signed_on: c.case.signed_on,
                objectives_met: objectives_met(book, c, day)?,
            });
            format!(
                "holds a running {} contract signed on {}: only a second assistant may be added on top",
                c.case.option.code(),
                c.case.signed_on
            )
        }
        None => "no running contract".to_owned(),
    };
    let second = running.is_some();
    let case_for = |option| IndividualCase {
        signed_on: day,
        option,
        doctor: doctor.clone(),
        as_of: None,
        actual: None,
        ended_on: None,
        renewals: 0,
    };
    let mut considered = Vec::new();
    for option in AidOption::ALL.iter().copied().filter(|o| o.is_second_assistant() == second) {
        let r = individual::evaluate(book, &case_for(option), &mut NoTrace)?;
        considered.push((option, r.verdict));
    }
    // The largest option open pays the most; failing that, the one closest to being open.
    let rank = |v: Verdict| match v {
        Verdict::Eligible => 2,
        Verdict::Undecided => 1,
        Verdict::NotEligible => 0,
    };
    let (best, verdict) = considered
        .iter()
        .copied()
        .max_by(|(a, va), (b, vb)| rank(*va).cmp(&rank(*vb)).then(a.etp().cmp(&b.etp())))
        .ok_or(RuleError::Invalid("no option to consider"))?;
    let (r, e) = individual::explain(book, &case_for(best))?;
    let assessed = Assessed::new(r.verdict, r.failing, r.undecided, &e);
    let reason = match verdict {
        Verdict::Eligible => format!("{prefix}; best open option: {}", best.code()),
        Verdict::Undecided => format!("{prefix}; {} is open if the missing inputs allow it", best.code()),
        Verdict::NotEligible => format!("{prefix}; nothing open: {}", assessed.failing_notes().join("; ")),
    };
    Ok(Offer { option: (verdict == Verdict::Eligible).then_some(best), verdict, reason, considered, assessed })
}

/// The members who may adhere to a collective contract signed on `day`, and the others with
/// the reason, as the collective rules say. Individual contracts are assumed closed first
/// when `closing`.
pub fn collective_case(
    book: &RuleBook,
    team: &Team,
    day: NaiveDate,
    members: &[&TeamMember],
    closing: bool,
    funded: Etp,
) -> CollectiveCase {
    CollectiveCase {
        signed_on: day,
        legal_form: team.legal_form,
        training_site: team.training_site,
        funded_etp: funded,
        members: members.iter().map(|m| m.as_collective_member(book, day, closing)).collect(),
        as_of: Some(day),
        actual: None,
    }
}

/// The ETP a collective contract of `members` signed on `day` funds by default: the time the
/// structure's assistants work for the doctors who may adhere, within the cap (time worked for
/// the others stays funded by their own contracts); the cap when no assistant works for them.
pub fn default_funded_etp(
    book: &RuleBook,
    team: &Team,
    day: NaiveDate,
    members: &[&TeamMember],
    closing: bool,
) -> Result<Etp, RuleError> {
    let probe = collective_case(book, team, day, members, closing, Etp::new(1, 1));
    let r = collective::evaluate(book, &probe, &mut NoTrace)?;
    let adherents: Vec<&str> =
        members.iter().zip(&r.members).filter(|(_, x)| x.eligible).map(|(m, _)| m.id.as_str()).collect();
    let minutes: u64 = team
        .assistants
        .iter()
        .flat_map(|a| &a.assignments)
        .filter(|x| x.runs_on(day) && adherents.contains(&x.member_id.as_str()))
        .map(|x| u64::from(x.weekly_time.minutes()))
        .sum();
    let worked = Etp::new(minutes, u64::from(domain::FULL_TIME_WEEKLY_MINUTES));
    Ok(if worked.is_zero() { r.etp_cap } else { worked.min(r.etp_cap) })
}

fn collective_standing_today(
    book: &RuleBook,
    team: &Team,
    day: NaiveDate,
) -> Result<Option<CollectiveStanding>, RuleError> {
    if book.step(P::RegimeCollective, day).is_none() {
        return Ok(None);
    }
    // Adherents of a collective contract running that day are in it already.
    let in_running = |m: &TeamMember| {
        team.collective_contracts
            .iter()
            .any(|h| h.status == ContractStatus::Active && h.case.signed_on <= day && h.member_ids.contains(&m.id))
    };
    let (members, already): (Vec<&TeamMember>, Vec<&TeamMember>) = team.members.iter().partition(|m| !in_running(m));
    let funded = default_funded_etp(book, team, day, &members, false)?;
    let case = collective_case(book, team, day, &members, false, funded);
    let (r, e) = collective::explain(book, &case)?;
    let assessed = Assessed::new(r.verdict, r.failing, r.undecided, &e);
    let mut adhering = Vec::new();
    let mut left_out: Vec<LeftOut> = already
        .iter()
        .map(|m| LeftOut {
            member_id: m.id.clone(),
            label: m.label.clone(),
            rules: Vec::new(),
            reason: "already adheres to the structure's running collective contract".to_owned(),
        })
        .collect();
    for (m, res) in members.iter().zip(&r.members) {
        if res.eligible {
            adhering.push(m.id.clone());
        } else {
            left_out.push(left_out_of(m, res, &assessed));
        }
    }
    Ok(Some(CollectiveStanding {
        assessed,
        adhering,
        left_out,
        mean_pmt: r.mean_pmt,
        etp_cap: r.etp_cap,
        funded_etp: funded,
    }))
}

/// Why the collective rules leave a member out, from the member's own traces.
pub fn left_out_of(m: &TeamMember, res: &collective::MemberResult, assessed: &Assessed) -> LeftOut {
    let notes: Vec<String> = assessed
        .explanation
        .rules
        .iter()
        .filter(|r| {
            res.failing.contains(r.rule)
                && r.outcome == domain::rules::Outcome::Fail
                && r.inputs.iter().any(|(n, v)| *n == "member" && *v == m.label)
        })
        .map(|r| r.note.to_owned())
        .collect();
    LeftOut {
        member_id: m.id.clone(),
        label: m.label.clone(),
        rules: res.failing.iter().map(|r| r.code()).collect(),
        reason: notes.join("; "),
    }
}

/// What the dashboard knows of the structure's traced activity: the months to show, with the
/// contracts running in each, and every current line of its assistants up to the day.
struct ActivityView<'a> {
    months: Vec<(YearMonth, FundingDay)>,
    current: Vec<&'a ActivityRecord>,
    recorded: bool,
}

impl<'a> ActivityView<'a> {
    /// `contracts` are the team's contracts evaluated on `day`: which run that day is known.
    fn new(
        book: &RuleBook,
        team: &Team,
        lines: &'a [ActivityLine],
        contracts: &[ContractStanding],
        day: NaiveDate,
    ) -> Result<Self, RuleError> {
        let last = YearMonth::of(day);
        // Before the aid existed no contract funds anything (and no parameter applies).
        let shown: Vec<(YearMonth, NaiveDate)> = (0..ACTIVITY_MONTHS_SHOWN)
            .rev()
            .map(|back| months_before(last, back))
            .map(|m| (m, reference_day(m, day)))
            .filter(|(_, on)| *on >= INDIVIDUAL_START)
            .collect();
        let days: Vec<NaiveDate> = shown.iter().map(|(_, on)| *on).collect();
        let months = shown
            .iter()
            .zip(funders_on_days(book, team, &days, &|id| {
                contracts.iter().find(|c| c.id == id).map(|c| c.maximum.is_some())
            })?)
            .map(|((m, on), funders)| (*m, FundingDay::new(team, *on, funders)))
            .collect();
        let current: Vec<&ActivityRecord> =
            lines.iter().map(ActivityLine::current).filter(|r| r.month <= last).collect();
        Ok(Self { months, recorded: !current.is_empty(), current })
    }
}

fn assistant_standing(
    book: &RuleBook,
    a: &TeamAssistant,
    today: &FundingDay,
    activity: &ActivityView<'_>,
) -> Result<AssistantStanding, RuleError> {
    let day = today.day;
    let assigned_minutes: u64 =
        a.assignments.iter().filter(|x| x.runs_on(day)).map(|x| u64::from(x.weekly_time.minutes())).sum();
    let assigned_etp = Etp::new(assigned_minutes, u64::from(domain::FULL_TIME_WEEKLY_MINUTES));
    let funded_by = today.shares(a);
    let funded_etp = today.funded_etp(a)?;
    let id: Option<i64> = a.id.parse().ok();
    let mine: Vec<&ActivityRecord> =
        activity.current.iter().copied().filter(|r| Some(r.assistant_id.0) == id).collect();
    let case = AssistantCase {
        hired_on: a.hired_on,
        qualification: a.qualification,
        qualified_on: a.qualified_on,
        contractual_time: a.contractual_time,
        former_secretary: a.former_secretary,
        replacement_recorded_on: None,
        funded_etp: funded_by.iter().map(|(_, e)| *e).collect(),
        // Only a structure that records activity in the product can be told months are missing.
        recorded_months: activity.recorded.then(|| mine.iter().map(|r| r.month).collect()),
        as_of: day,
    };
    let (r, e) = assistant::explain(book, &case)?;
    let hired = YearMonth::of(a.hired_on);
    // The months are in order: those from the hire on are a suffix.
    let shown = &activity.months[activity.months.partition_point(|(m, _)| *m < hired)..];
    Ok(AssistantStanding {
        id: a.id.clone(),
        label: a.label.clone(),
        contractual_etp: a.contractual_time.etp(),
        assigned_etp,
        funded_etp,
        funded_by,
        qualification_deadline: r.qualification_deadline,
        assessed: Assessed::from_traces(&e),
        months: months_of(book, a, shown, &mine)?,
        missing_months: r.missing_months,
        activity_recorded: activity.recorded,
    })
}

/// Which aid an assistant's work falls under on `day`, so that the employer rule of that aid
/// applies: individual for the doctors outside a collective contract, collective for the
/// adherents of a running one and the doctors who could adhere today; both for an assistant
/// not assigned yet.
fn employment(
    team: &Team,
    a: &TeamAssistant,
    today: Option<&CollectiveStanding>,
    day: NaiveDate,
) -> AssistantEmployment {
    let doctors: Vec<&str> = a.assignments.iter().filter(|x| x.runs_on(day)).map(|x| x.member_id.as_str()).collect();
    let in_collective = |id: &str| {
        team.collective_contracts
            .iter()
            .any(|h| h.status == ContractStatus::Active && h.member_ids.iter().any(|m| m == id))
    };
    let could_adhere = |id: &str| today.is_some_and(|t| t.adhering.iter().any(|m| m == id));
    AssistantEmployment {
        label: a.label.clone(),
        employer: a.employer,
        individual_aid: doctors.is_empty() || doctors.iter().any(|d| !in_collective(d)),
        collective_aid: doctors.is_empty() || doctors.iter().any(|d| in_collective(d) || could_adhere(d)),
    }
}

/// The doctors whose assistants a contract funds: its signer, or a collective's adherents.
fn contract_doctors(team: &Team, c: &ContractStanding) -> Vec<String> {
    if let Some(m) = team.members.iter().find(|m| m.contracts.iter().any(|h| h.id == c.id)) {
        return vec![m.id.clone()];
    }
    team.collective_contracts.iter().filter(|h| h.id == c.id).flat_map(|h| h.member_ids.iter().cloned()).collect()
}

fn team_objectives(members: &[MemberStanding], collective: &[ContractStanding]) -> TeamObjectives {
    let mut out = TeamObjectives::default();
    for indicator in [Indicator::Pmt, Indicator::AdultPmt, Indicator::FileActive] {
        let mut shares = Vec::new();
        for m in members {
            for c in m.contracts.iter().filter(|c| c.maximum.is_some()) {
                if let Some(t) = c.objectives.iter().find(|t| t.indicator == indicator) {
                    shares.push(ObjectiveShare {
                        member_id: m.id.clone(),
                        label: m.label.clone(),
                        contract_id: c.id.clone(),
                        baseline: t.baseline,
                        target: t.target,
                        actual: c.actual.as_ref().and_then(|a| indicator.of(a)),
                        share: Decimal::ZERO,
                    });
                }
            }
        }
        if shares.is_empty() {
            continue;
        }
        let baseline: u32 = shares.iter().map(|s| s.baseline).sum();
        let target: u32 = shares.iter().map(|s| s.target).sum();
        let increase: u32 = shares.iter().map(|s| s.target.saturating_sub(s.baseline)).sum();
        for s in &mut shares {
            if increase > 0 {
                s.share = (Decimal::from(s.target.saturating_sub(s.baseline)) / Decimal::from(increase)).round_dp(4);
            }
        }
        let actual: Option<u32> = shares.iter().map(|s| s.actual).sum();
        let kind = if target > baseline { TargetKind::Increase } else { TargetKind::Maintain };
        let rate = actual.map(|a| Target { indicator, kind, baseline, target }.rate(a));
        out.indicators.push(TeamIndicator { indicator, baseline, target, actual, rate, shares });
    }
    out.collective =
        collective.iter().filter(|c| c.maximum.is_some()).map(|c| (c.id.clone(), c.objectives, c.actual)).collect();
    out
}

/// The dashboard without the assistants' traced activity (as if the structure kept none).
pub fn dashboard(book: &RuleBook, team: &Team, as_of: NaiveDate) -> Result<Dashboard, RuleError> {
    dashboard_with_activity(book, team, &[], as_of)
}

/// The dashboard, with `activity` the lines of the team's assistants (their history may be
/// there: only current records count).
pub fn dashboard_with_activity(
    book: &RuleBook,
    team: &Team,
    activity: &[ActivityLine],
    as_of: NaiveDate,
) -> Result<Dashboard, RuleError> {
    let until = forecast::five_years(as_of);
    let horizon = add_months(as_of, DEADLINE_HORIZON_MONTHS);
    let mut deadlines = Vec::new();
    let mut soon = |on: NaiveDate, kind: DeadlineKind, subject: Subject, detail: String| {
        if as_of <= on && on <= horizon {
            deadlines.push(Deadline { on, kind, subject, detail });
        }
    };

    let mut members = Vec::with_capacity(team.members.len());
    let mut forecasts = Vec::new();
    let mut this_year = Totals::default();
    let count = |t: &mut Totals, c: &ContractStanding| {
        t.maximum += c.maximum.unwrap_or_default();
        match c.payable {
            Some(p) => t.payable += p,
            None => t.payable_unknown += 1,
        }
    };
    for m in &team.members {
        let mut contracts = Vec::new();
        for c in m.contracts.iter().filter(|c| c.signed() && c.case.signed_on <= as_of) {
            let standing = individual_standing(book, m, c, as_of)?;
            count(&mut this_year, &standing);
            if standing.maximum.is_some() {
                let years = forecast::individual_years(book, &c.case, as_of, until)?;
                contract_deadlines(&mut soon, &c.id, &m.label, &years, standing.objectives.due_by, until);
                let payments = forecast::payments(&years, first_share(book, c.case.signed_on)?)?;
                payment_deadlines(&mut soon, &c.id, &m.label, &payments);
                forecasts.push(ContractForecast { contract_id: c.id.clone(), label: m.label.clone(), years, payments });
            }
            contracts.push(standing);
        }
        if let Some(ended) = m.doctor.collective_ended_on {
            let free = add_months(ended, 12 * waiting_years(book, ended)?);
            let detail = format!("{}: new aid contracts possible again", m.label);
            soon(free, DeadlineKind::WaitingPeriodEnds, Subject::Doctor(m.id.clone()), detail);
        }
        let collective_contract = team
            .collective_contracts
            .iter()
            .find(|h| h.status == ContractStatus::Active && h.member_ids.contains(&m.id))
            .map(|h| h.id.clone());
        members.push(MemberStanding {
            id: m.id.clone(),
            label: m.label.clone(),
            partner: m.partner,
            specialty: m.doctor.specialty,
            contracts,
            collective_contract,
            offer: offer(book, m, as_of)?,
        });
    }

    let mut collective_contracts = Vec::new();
    for h in team.collective_contracts.iter().filter(|h| h.case.signed_on <= as_of) {
        let standing = collective_standing(book, h, as_of)?;
        count(&mut this_year, &standing);
        if standing.maximum.is_some() {
            let years = forecast::collective_years(book, &h.case, as_of, until)?;
            contract_deadlines(&mut soon, &h.id, &standing.label, &years, standing.objectives.due_by, until);
            let payments = forecast::payments(&years, first_share(book, h.case.signed_on)?)?;
            payment_deadlines(&mut soon, &h.id, &standing.label, &payments);
            forecasts.push(ContractForecast {
                contract_id: h.id.clone(),
                label: standing.label.clone(),
                years,
                payments,
            });
        }
        collective_contracts.push(standing);
    }

    let all_contracts: Vec<ContractStanding> =
        members.iter().flat_map(|m| m.contracts.iter().cloned()).chain(collective_contracts.iter().cloned()).collect();
    let activity = ActivityView::new(book, team, activity, &all_contracts, as_of)?;
    let funders = all_contracts
        .iter()
        .filter(|c| c.maximum.is_some())
        .map(|c| Funder { contract_id: c.id.clone(), doctors: contract_doctors(team, c), etp: c.funded_etp })
        .collect();
    let today = FundingDay::new(team, as_of, funders);
    let mut assistants = Vec::with_capacity(team.assistants.len());
    // Assistants are checked from their hiring, within the aid's lifetime.
    for a in team.assistants.iter().filter(|a| INDIVIDUAL_START <= a.hired_on && a.hired_on <= as_of) {
        let s = assistant_standing(book, a, &today, &activity)?;
        if let (Some(deadline), None) = (s.qualification_deadline, a.qualified_on) {
            let detail = format!("{}: CQP assistant médical to obtain", a.label);
            soon(deadline, DeadlineKind::QualificationDeadline, Subject::Assistant(a.id.clone()), detail);
        }
        assistants.push(s);
    }

    let collective = collective_standing_today(book, team, as_of)?;
    let structure_case = StructureCase {
        legal_form: team.legal_form,
        projet_sante_validated_on: team.projet_sante_validated_on,
        sisa_employer_group: team.sisa_employer_group,
        assistants: team.assistants.iter().map(|a| employment(team, a, collective.as_ref(), as_of)).collect(),
        as_of,
    };
    let (_, e) = structure::explain(&structure_case);
    let standing = Standing { structure: Assessed::from_traces(&e), collective };

    let payments: Vec<Payment> = forecasts.iter().flat_map(|f| f.payments.iter().copied()).collect();
    let by_calendar_year = forecast::by_calendar_year(&payments, as_of, until);
    let total_cash = by_calendar_year.iter().map(|(_, cash)| *cash).sum();
    let forecast = Forecast {
        from: as_of,
        until,
        by_calendar_year,
        total_maximum: forecasts.iter().flat_map(|f| &f.years).map(|y| y.maximum).sum(),
        total_payable: forecasts.iter().flat_map(|f| &f.years).map(|y| y.payable).sum(),
        total_cash,
        contracts: forecasts,
    };
    deadlines.sort_by(|a, b| (a.on, a.kind, &a.subject).cmp(&(b.on, b.kind, &b.subject)));
    Ok(Dashboard {
        as_of,
        team_objectives: team_objectives(&members, &collective_contracts),
        standing,
        members,
        collective_contracts,
        assistants,
        forecast,
        deadlines,
        this_year,
    })
}

type Soon<'a> = dyn FnMut(NaiveDate, DeadlineKind, Subject, String) + 'a;

fn payment_deadlines(soon: &mut Soon<'_>, id: &str, label: &str, payments: &[Payment]) {
    for p in payments {
        let detail = format!("{label}: {:.2} euros (contract year {})", p.amount, p.contract_year);
        soon(p.on, DeadlineKind::Payment, Subject::Contract(id.to_owned()), detail);
    }
}

/// Anniversaries, the objectives' due date and the contract's end, from its projected years.
fn contract_deadlines(
    soon: &mut Soon<'_>,
    id: &str,
    label: &str,
    years: &[ProjectedYear],
    due_by: Option<NaiveDate>,
    until: NaiveDate,
) {
    for y in years.iter().skip(1) {
        soon(
            y.starts_on,
            DeadlineKind::Anniversary,
            Subject::Contract(id.to_owned()),
            format!("{label}: contract year {} starts", y.contract_year),
        );
    }
    if let Some(due) = due_by {
        soon(
            due,
            DeadlineKind::ObjectivesDue,
            Subject::Contract(id.to_owned()),
            format!("{label}: objectives to reach"),
        );
    }
    if let Some(last) = years.last() {
        let natural_end = last.ends_on.succ_opt().unwrap_or(last.ends_on) < until;
        if natural_end {
            soon(
                last.ends_on,
                DeadlineKind::ContractEnd,
                Subject::Contract(id.to_owned()),
                format!("{label}: last day of the contract"),
            );
        }
    }
}
