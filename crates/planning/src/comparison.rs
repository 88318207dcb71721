//! STR-COMPARISON: over five years from a start date, (a) keep the individual contracts, and
//! sign new ones for eligible doctors without one, against (b) a collective contract signed
//! by the company, with the individual contracts of its adherents closed on the start date.
//! Nothing is written: it is a what-if over the structure's records.

use chrono::NaiveDate;
use domain::rules::collective::{self, CollectiveCase};
use domain::rules::individual::IndividualCase;
use domain::rules::{Confidence, NoTrace, RuleBook, RuleError, Target, TargetKind, Verdict};
use domain::rules::{contract_year_on, contract_year_start};
use domain::{AidOption, ContractStatus, Etp};
use rust_decimal::Decimal;

use crate::assessed::Assessed;
use crate::dashboard::{
    LeftOut, collective_case, default_funded_etp, individual_standing, left_out_of, offer, waiting_years,
};
use crate::forecast::{self, ProjectedYear};
use crate::team::{HeldCollective, Team, TeamMember};

/// The what-if arguments: the start date, and overrides where `None` takes the default.
#[derive(Debug, Clone)]
pub struct ComparisonRequest {
    pub start: NaiveDate,
    /// Member ids adhering to the collective contract; by default every GP who may adhere.
    pub adhering: Option<Vec<String>>,
    /// ETP the collective contract funds; by default the assistants' time for the adhering
    /// doctors, within the cap.
    pub funded_etp: Option<Etp>,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ComparisonError {
    #[error("adheringDoctors: {0} is not a doctor of the structure")]
    UnknownMember(String),
    #[error("adheringDoctors: {0} is named twice")]
    DuplicateMember(String),
    #[error("fundedEtp: a collective contract funds at least some ETP")]
    NoEtp,
    #[error(transparent)]
    Rules(#[from] RuleError),
}

#[derive(Debug, Clone)]
pub struct Comparison {
    pub start: NaiveDate,
    /// The five comparison years, first and last day.
    pub years: Vec<(NaiveDate, NaiveDate)>,
    pub individual: Scenario,
    pub collective: Scenario,
    /// Collective minus individual, per year.
    pub difference: Vec<Decimal>,
    pub total_difference: Decimal,
    pub recommendation: Recommendation,
    /// The seed's own dimensions, side by side.
    pub dimensions: Vec<Dimension>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Collective,
    KeepIndividual,
    Undecided,
}

#[derive(Debug, Clone)]
pub struct Recommendation {
    pub choice: Choice,
    /// Weakest confidence of what both scenarios rest on.
    pub confidence: Confidence,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// A running individual contract, kept.
    Running,
    /// A new individual contract signed on the start date.
    New,
    Collective,
}

/// One contract's money in a scenario.
#[derive(Debug, Clone)]
pub struct Line {
    pub label: String,
    pub member_id: Option<String>,
    pub contract_id: Option<String>,
    pub kind: LineKind,
    pub option: Option<AidOption>,
    pub funded_etp: Etp,
    pub yearly: Vec<Decimal>,
    pub total: Decimal,
    /// Some year's payable assumes the objectives met (no achievement known yet).
    pub assumes_objectives_met: bool,
}

/// An individual contract closed to adhere, off its anniversary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    pub contract_id: String,
    pub label: String,
    pub closed_on: NaiveDate,
    pub next_anniversary: NaiveDate,
    /// The running year's payable after the closing, which prorating at closing gives up.
    pub lost: Decimal,
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub yearly: Vec<Decimal>,
    pub total: Decimal,
    pub lines: Vec<Line>,
    /// Objectives of the scenario: summed over its individual contracts, or the collective's.
    pub objectives: Vec<Target>,
    /// Rules not met, with their notes.
    pub conditions_not_met: Vec<String>,
    pub left_out: Vec<LeftOut>,
    /// Doctors whose contract depends on missing inputs, with what is missing.
    pub undecided: Vec<(String, Vec<&'static str>)>,
    pub closings: Vec<Closing>,
    pub waiting_period_risk: Option<String>,
    /// The collective contract's own evaluation.
    pub assessed: Option<Assessed>,
    pub confidence: Confidence,
}

impl Scenario {
    fn new() -> Self {
        Self {
            yearly: vec![Decimal::ZERO; 5],
            total: Decimal::ZERO,
            lines: Vec::new(),
            objectives: Vec::new(),
            conditions_not_met: Vec::new(),
            left_out: Vec::new(),
            undecided: Vec::new(),
            closings: Vec::new(),
            waiting_period_risk: None,
            assessed: None,
            confidence: Confidence::Official,
        }
    }

    fn add(&mut self, line: Line, targets: &[Target]) {
        for (sum, y) in self.yearly.iter_mut().zip(&line.yearly) {
            *sum += *y;
        }
        self.total += line.total;
        for t in targets {
            match self.objectives.iter_mut().find(|o| o.indicator == t.indicator) {
                Some(o) => {
                    o.baseline += t.baseline;
                    o.target += t.target;
                    if t.kind == TargetKind::Increase || t.kind == TargetKind::ReachMedian {
                        o.kind = TargetKind::Increase;
                    }
                }
                None => self.objectives.push(*t),
            }
        }
        self.lines.push(line);
    }
}

/// How a collective contract is named among a scenario's lines.
pub const COLLECTIVE_LABEL: &str = "contrat collectif";

#[derive(Debug, Clone)]
pub struct Dimension {
    pub name: &'static str,
    pub individual: &'static str,
    pub collective: &'static str,
}

/// The seed's dimensions of the choice (STR-COMPARISON).
pub const DIMENSIONS: [Dimension; 5] = [
    Dimension {
        name: "beneficiary",
        individual: "each doctor receives the aid of their own contract",
        collective: "the company (SISA, SCM or SCP) receives the aid; the internal split is its own business",
    },
    Dimension {
        name: "employer",
        individual: "the doctor, a groupement d'employeurs or a SISA employer group (STR-EMPLOYER)",
        collective: "the signing company, or an employer group under IDCC 1147 (COL-EMPLOYER)",
    },
    Dimension {
        name: "pooling",
        individual: "an assistant is shared only through one contract per doctor, each a minimum time for that doctor",
        collective: "the assistants work for the whole group of adhering doctors",
    },
    Dimension {
        name: "stability",
        individual: "a doctor who leaves takes their contract and its aid with them",
        collective: "the contract goes on: members join or leave at the anniversary without changing the funded ETP",
    },
    Dimension {
        name: "objectives",
        individual: "judged doctor by doctor, on each one's own patients",
        collective: "judged on the group's total, per funded ETP",
    },
];

fn windows(start: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    (0..5u32)
        .map(|i| {
            let from = forecast::add_months(start, 12 * i);
            let next = forecast::add_months(start, 12 * (i + 1));
            (from, next.pred_opt().unwrap_or(next))
        })
        .collect()
}

/// A contract's projected years, as money per comparison year.
fn per_window(years: &[ProjectedYear], windows: &[(NaiveDate, NaiveDate)]) -> Result<Vec<Decimal>, RuleError> {
    let mut yearly = Vec::with_capacity(windows.len());
    for (from, to) in windows {
        let until = to.succ_opt().unwrap_or(*to);
        let mut sum = Decimal::ZERO;
        for y in years {
            sum += forecast::accrued(y, *from, until)?;
        }
        yearly.push(sum);
    }
    Ok(yearly)
}

impl Line {
    fn new(label: &str, member_id: Option<&str>, kind: LineKind, funded_etp: Etp) -> Self {
        Self {
            label: label.to_owned(),
            member_id: member_id.map(str::to_owned),
            contract_id: None,
            kind,
            option: None,
            funded_etp,
            yearly: Vec::new(),
            total: Decimal::ZERO,
            assumes_objectives_met: false,
        }
    }

    fn with_years(mut self, years: &[ProjectedYear], windows: &[(NaiveDate, NaiveDate)]) -> Result<Self, RuleError> {
        self.yearly = per_window(years, windows)?;
        self.total = self.yearly.iter().copied().sum();
        self.assumes_objectives_met = years.iter().any(|y| y.assumes_objectives_met);
        Ok(self)
    }
}

/// A member's money without the collective, like for like with it (objectives met in every
/// year, as the collective's new contract is projected): the running contract kept, and after
/// its term, or for a doctor without one, the best option open then. A doctor who could sign
/// nothing on the start date is returned, with why.
fn individual_line(
    book: &RuleBook,
    m: &TeamMember,
    start: NaiveDate,
    windows: &[(NaiveDate, NaiveDate)],
    into: &mut Scenario,
) -> Result<Option<LeftOut>, RuleError> {
    let until = windows.last().map_or(start, |(_, to)| to.succ_opt().unwrap_or(*to));
    let mut free_from = start;
    if let Some(c) = m.running_contract(book, start) {
        let standing = individual_standing(book, m, c, start)?;
        into.confidence = into.confidence.min(weakest(&standing.assessed));
        let years = forecast::individual_years(book, &objectives_met(&c.case), start, until)?;
        let l = Line {
            contract_id: Some(c.id.clone()),
            option: Some(c.case.option),
            ..Line::new(&m.label, Some(&m.id), LineKind::Running, c.case.option.etp())
        }
        .with_years(&years, windows)?;
        into.add(l, &standing.objectives.targets.iter().flatten().copied().collect::<Vec<_>>());
        // Past its term within the window, the doctor signs a new contract.
        match years.last().and_then(|y| y.ends_on.succ_opt()) {
            Some(next) if next < until => free_from = next,
            _ => return Ok(None),
        }
    }
    let o = offer(book, m, free_from)?;
    match o.option {
        Some(option) => {
            into.confidence = into.confidence.min(weakest(&o.assessed));
            let case = IndividualCase {
                signed_on: free_from,
                option,
                doctor: m.doctor.clone(),
                as_of: None,
                actual: None,
                ended_on: None,
                renewals: 0,
            };
            let objectives = domain::rules::individual::evaluate(book, &case, &mut NoTrace)?.objectives;
            let years = forecast::individual_years(book, &case, free_from, until)?;
            let l = Line { option: Some(option), ..Line::new(&m.label, Some(&m.id), LineKind::New, option.etp()) }
                .with_years(&years, windows)?;
            into.add(l, &objectives.targets.iter().flatten().copied().collect::<Vec<_>>());
            Ok(None)
        }
        // After a running contract, a doctor who could sign nothing more is simply done.
        None if free_from > start => Ok(None),
        None if o.verdict == Verdict::Undecided => {
            into.undecided.push((m.label.clone(), o.assessed.missing.clone()));
            Ok(None)
        }
        None => Ok(Some(LeftOut {
            member_id: m.id.clone(),
            label: m.label.clone(),
            rules: o.assessed.failing.iter().map(|r| r.code()).collect(),
            reason: o.reason,
        })),
    }
}

/// A running contract projected with its objectives met: the comparison's common basis.
fn objectives_met(case: &IndividualCase) -> IndividualCase {
    IndividualCase { actual: None, ..case.clone() }
}

fn weakest(a: &Assessed) -> Confidence {
    a.confidence.min(a.amounts_confidence).min(a.objectives_confidence)
}

pub fn compare(book: &RuleBook, team: &Team, request: &ComparisonRequest) -> Result<Comparison, ComparisonError> {
    let start = request.start;
    let windows = windows(start);
    let until = windows.last().map_or(start, |(_, to)| to.succ_opt().unwrap_or(*to));

    // A collective contract already running is kept in both scenarios, with its adherents.
    let running: Vec<&HeldCollective> = team
        .collective_contracts
        .iter()
        .filter(|h| h.status == ContractStatus::Active && h.case.signed_on <= start)
        .collect();
    let in_running = |m: &TeamMember| running.iter().any(|h| h.member_ids.contains(&m.id));
    let free: Vec<&TeamMember> = team.members.iter().filter(|m| !in_running(m)).collect();
    let mut individual = Scenario::new();
    let mut collective = Scenario::new();
    for h in &running {
        let years = forecast::collective_years(book, &CollectiveCase { actual: None, ..h.case.clone() }, start, until)?;
        let objectives = collective::evaluate(book, &h.case, &mut NoTrace)?.objectives;
        let targets: Vec<_> = objectives.targets.iter().flatten().copied().collect();
        for scenario in [&mut individual, &mut collective] {
            let l = Line {
                contract_id: Some(h.id.clone()),
                ..Line::new(COLLECTIVE_LABEL, None, LineKind::Running, h.case.funded_etp)
            }
            .with_years(&years, &windows)?;
            scenario.add(l, &targets);
        }
    }

    // (a) individual contracts, kept or new.
    for m in free.iter().copied() {
        if let Some(out) = individual_line(book, m, start, &windows, &mut individual)? {
            individual.left_out.push(out);
        }
    }

    // (b) the collective: who adheres, for how many ETP. By default every member is put to the
    // collective rules, which leave out, with the reason, those who may not adhere.
    let chosen: Vec<&TeamMember> = match &request.adhering {
        Some(ids) => {
            let mut out = Vec::with_capacity(ids.len());
            for (i, id) in ids.iter().enumerate() {
                if ids[..i].contains(id) {
                    return Err(ComparisonError::DuplicateMember(id.clone()));
                }
                out.push(
                    team.members
                        .iter()
                        .find(|m| &m.id == id)
                        .ok_or_else(|| ComparisonError::UnknownMember(id.clone()))?,
                );
            }
            out
        }
        None => team.members.iter().collect(),
    };
    // Who already adheres to the running collective contract stays in it.
    let (chosen, already): (Vec<&TeamMember>, Vec<&TeamMember>) = chosen.into_iter().partition(|m| !in_running(m));
    for m in already {
        collective.left_out.push(LeftOut {
            member_id: m.id.clone(),
            label: m.label.clone(),
            rules: Vec::new(),
            reason: "already adheres to the structure's running collective contract".to_owned(),
        });
    }
    let funded = match request.funded_etp {
        Some(e) if e.is_zero() => return Err(ComparisonError::NoEtp),
        Some(e) => e,
        None => default_funded_etp(book, team, start, &chosen, true)?,
    };
    let case = collective_case(book, team, start, &chosen, true, funded);
    let (r, e) = collective::explain(book, &case)?;
    let assessed = Assessed::new(r.verdict, r.failing, r.undecided, &e);
    collective.confidence = collective.confidence.min(weakest(&assessed));
    collective.conditions_not_met = assessed.failing_notes();
    for rule in assessed.explanation.rules.iter().filter(|t| assessed.undecided.contains(t.rule)) {
        collective.conditions_not_met.push(format!("{} (undecided): {}", rule.rule.code(), rule.note));
    }
    // Nobody adheres to a contract that cannot be signed.
    let adhering: Vec<&TeamMember> = if r.verdict == Verdict::NotEligible {
        Vec::new()
    } else {
        chosen.iter().zip(&r.members).filter(|(_, res)| res.eligible).map(|(m, _)| *m).collect()
    };
    for (m, res) in chosen.iter().zip(&r.members).filter(|(_, res)| !res.eligible) {
        collective.left_out.push(left_out_of(m, res, &assessed));
    }
    if r.verdict != Verdict::NotEligible {
        let years = forecast::collective_years(book, &case, start, until)?;
        let l = Line::new(COLLECTIVE_LABEL, None, LineKind::Collective, funded).with_years(&years, &windows)?;
        collective.add(l, &r.objectives.targets.iter().flatten().copied().collect::<Vec<_>>());
        let waiting = waiting_years(book, start)?;
        collective.waiting_period_risk = Some(format!(
            "if the collective contract ends or is terminated, each of its {} doctors waits {waiting} years before any new aid contract, individual or collective (COL-WAITING-PERIOD)",
            adhering.len()
        ));
        for m in &adhering {
            if let Some(c) = m.running_contract(book, start) {
                collective.closings.push(closing(book, m, c, start)?);
            }
        }
    }
    // Doctors outside the collective keep or sign individual contracts in both scenarios.
    for m in free.iter().copied().filter(|m| !adhering.iter().any(|a| a.id == m.id)) {
        if !chosen.iter().any(|c| c.id == m.id) {
            collective.left_out.push(LeftOut {
                member_id: m.id.clone(),
                label: m.label.clone(),
                rules: Vec::new(),
                reason: "not among the adhering doctors chosen".to_owned(),
            });
        }
        // Already listed with the collective's reason when the rules left them out.
        individual_line(book, m, start, &windows, &mut collective)?;
    }
    collective.assessed = Some(assessed);

    let difference: Vec<Decimal> = collective.yearly.iter().zip(&individual.yearly).map(|(b, a)| b - a).collect();
    let total_difference = collective.total - individual.total;
    let confidence = individual.confidence.min(collective.confidence);
    // Doctors whose individual aid is undecided but who adhere in (b): (a) may be understated.
    let unknown: Vec<&str> = individual
        .undecided
        .iter()
        .filter(|(label, _)| !collective.undecided.iter().any(|(l, _)| l == label))
        .map(|(label, _)| label.as_str())
        .collect();
    let recommendation = if running.is_empty() || !adhering.is_empty() {
        recommend(&collective, total_difference, confidence, &unknown)
    } else {
        Recommendation {
            choice: Choice::Collective,
            confidence,
            reason: "the structure's collective contract runs already, and no other doctor could sign a second one"
                .to_owned(),
        }
    };
    Ok(Comparison {
        start,
        years: windows,
        individual,
        collective,
        difference,
        total_difference,
        recommendation,
        dimensions: DIMENSIONS.to_vec(),
    })
}

/// What closing a running contract on `start` gives up when `start` is not its anniversary.
fn closing(
    book: &RuleBook,
    m: &TeamMember,
    c: &crate::team::HeldContract,
    start: NaiveDate,
) -> Result<Closing, RuleError> {
    let signed = c.case.signed_on;
    let k = contract_year_on(signed, start).unwrap_or(1);
    let next = contract_year_start(signed, k + 1).ok_or(RuleError::Invalid("contract year out of range"))?;
    let years = forecast::individual_years(book, &objectives_met(&c.case), start, next)?;
    let lost = match years.first() {
        Some(y) if y.starts_on < start => forecast::accrued(y, start, next)?,
        _ => Decimal::ZERO,
    };
    Ok(Closing { contract_id: c.id.clone(), label: m.label.clone(), closed_on: start, next_anniversary: next, lost })
}

fn recommend(
    collective: &Scenario,
    total_difference: Decimal,
    confidence: Confidence,
    unknown: &[&str],
) -> Recommendation {
    let verdict = collective.assessed.as_ref().map_or(Verdict::NotEligible, |a| a.verdict);
    let (choice, reason) = match verdict {
        Verdict::NotEligible => (
            Choice::KeepIndividual,
            format!("the collective contract is not possible: {}", collective.conditions_not_met.join("; ")),
        ),
        Verdict::Undecided => (
            Choice::Undecided,
            format!(
                "the collective contract depends on inputs not recorded: {}",
                collective.conditions_not_met.join("; ")
            ),
        ),
        Verdict::Eligible if total_difference > Decimal::ZERO && !unknown.is_empty() => (
            Choice::Undecided,
            format!(
                "the collective contract brings {total_difference} more over five years, unless the individual aid of {}, undecided for want of inputs, makes up for it",
                unknown.join(", ")
            ),
        ),
        Verdict::Eligible if total_difference > Decimal::ZERO => {
            (Choice::Collective, format!("the collective contract brings {total_difference} more over five years"))
        }
        Verdict::Eligible => (
            Choice::KeepIndividual,
            format!("the individual contracts bring {} more over five years", -total_difference),
        ),
    };
    Recommendation { choice, confidence, reason }
}
