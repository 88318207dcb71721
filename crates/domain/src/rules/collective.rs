//! The collective aid for a group of GPs (C2026, RULES.md §7): the signatory company, the
//! adhering doctors, the mean-PMT threshold, the ETP cap with the docteur-junior bonus, the
//! yearly amounts per ETP, the team objectives and the prorated payment from year 3.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::explain::{Explanation, Input, Outcome, Recorder, RuleId, Tracer, Verdict};
use super::params::{COLLECTIVE_START, P, RuleBook};
use super::{
    Activity, Combine, Cx, Indicator, Objectives, Rate, RuleError, RuleSet, Tally, Target, TargetKind, ceil_times_etp,
    contract_year_on, contract_year_start, shown_fraction, times_fraction,
};
use crate::codes::{ConventionSector, LegalForm, Optam, Specialty};
use crate::time::Etp;

/// A doctor who would adhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// How the doctor is shown in results (name or RPPS).
    pub label: String,
    pub specialty: Specialty,
    pub sector: ConventionSector,
    #[serde(default)]
    pub optam: Optam,
    #[serde(default)]
    pub mep: bool,
    /// Partner of the company in their own name.
    pub partner: bool,
    #[serde(default)]
    pub pmt: Option<u32>,
    #[serde(default)]
    pub file_active: Option<u32>,
    #[serde(default)]
    pub installed_on: Option<NaiveDate>,
    /// PAMSU hosting a docteur junior; `None` when not known.
    #[serde(default)]
    pub hosts_docteur_junior: Option<bool>,
    /// Holds a running individual contract.
    #[serde(default)]
    pub holds_individual_contract: bool,
    /// End of the last collective contract the doctor adhered to.
    #[serde(default)]
    pub collective_ended_on: Option<NaiveDate>,
    /// Patients already gained under an earlier individual contract.
    #[serde(default)]
    pub gained_under_individual: Activity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectiveCase {
    pub signed_on: NaiveDate,
    pub legal_form: LegalForm,
    /// The structure is an approved ambulatory training site; `None` when not known.
    #[serde(default)]
    pub training_site: Option<bool>,
    pub funded_etp: Etp,
    pub members: Vec<Member>,
    /// Day whose contract year is wanted (and for the ETP cap); the signature day by default.
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
    /// The group's activity in the contract year running on `as_of`.
    #[serde(default)]
    pub actual: Option<Activity>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberResult {
    pub label: String,
    pub eligible: bool,
    #[serde(skip)]
    pub failing: RuleSet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CollectiveYear {
    pub contract_year: u32,
    pub starts_on: NaiveDate,
    /// Funded ETP × amount per ETP, in euros.
    pub maximum: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollectiveResult {
    pub verdict: Verdict,
    #[serde(skip)]
    pub failing: RuleSet,
    #[serde(skip)]
    pub undecided: RuleSet,
    pub members: Vec<MemberResult>,
    /// Mean PMT of the eligible members.
    pub mean_pmt: Option<Decimal>,
    /// Largest ETP the group may be funded for.
    pub etp_cap: Etp,
    pub ends_on: Option<NaiveDate>,
    pub schedule: Vec<CollectiveYear>,
    pub objectives: Objectives,
    pub year: Option<CollectiveYear>,
    pub payable: Option<Decimal>,
    pub achievement_rate: Option<Rate>,
}

/// Evaluates a case. With [`super::NoTrace`] this is the batch path.
pub fn evaluate<'b, T: Tracer<'b>>(
    book: &'b RuleBook,
    case: &'b CollectiveCase,
    t: &mut T,
) -> Result<CollectiveResult, RuleError> {
    let signed = case.signed_on;
    if book.step(P::RegimeCollective, signed).is_none() {
        return Err(RuleError::NoRegime { scheme: "collective aid", date: signed, starts: COLLECTIVE_START });
    }
    let as_of = case.as_of.unwrap_or(signed);
    let mut cx = Cx { book, t };
    let mut tally = Tally::default();

    let o = signatory(&mut cx, case.legal_form, signed)?;
    tally.record(RuleId::ColSignatory, o);
    let members = case.members.iter().map(|m| adhesion(&mut cx, m, signed)).collect::<Result<Vec<_>, _>>()?;
    let adhering: Vec<&Member> =
        case.members.iter().zip(&members).filter(|(_, r)| r.eligible).map(|(m, _)| m).collect();
    if adhering.is_empty() {
        tally.record(RuleId::ColMembers, Outcome::Fail);
    }
    let (o, mean_pmt) = threshold(&mut cx, &adhering, signed)?;
    tally.record(RuleId::ColThreshold, o);
    let (o, etp_cap) = etp_cap(&mut cx, case, &adhering, as_of)?;
    tally.record(RuleId::ColEtpCap, o);

    let term = duration(&mut cx, signed, as_of)?;
    let eligible = tally.verdict() != Verdict::NotEligible;
    let schedule = amounts(&mut cx, signed, case.funded_etp, term.years, eligible)?;
    let objectives = objectives(&mut cx, signed, case.funded_etp, &adhering)?;
    // A group that is not eligible has no schedule, hence no year and nothing payable.
    let year = term.running_year.and_then(|k| schedule.get(usize::try_from(k).ok()?.checked_sub(1)?).copied());
    let (payable, achievement_rate) = match year {
        Some(y) => achievement(&mut cx, y, case.actual.as_ref(), &objectives)?,
        None => (None, None),
    };
    Ok(CollectiveResult {
        verdict: tally.verdict(),
        failing: tally.failing,
        undecided: tally.undecided,
        members,
        mean_pmt,
        etp_cap,
        ends_on: term.ends_on,
        schedule,
        objectives,
        year,
        payable,
        achievement_rate,
    })
}

/// Evaluates a case and explains every rule.
pub fn explain<'b>(
    book: &'b RuleBook,
    case: &'b CollectiveCase,
) -> Result<(CollectiveResult, Explanation<'b>), RuleError> {
    let mut recorder = Recorder::new();
    let result = evaluate(book, case, &mut recorder)?;
    let verdict = result.verdict;
    Ok((result, Explanation::new(verdict, recorder)))
}

/// COL-SIGNATORY: whether the company's legal form may sign (SCP, SCM, SISA; not an SEL).
fn signatory<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    legal_form: LegalForm,
    day: NaiveDate,
) -> Result<Outcome, RuleError> {
    cx.t.rule(RuleId::ColSignatory);
    cx.t.input("legal_form", Input::Code(legal_form.code()));
    let (o, note) = if cx.legal_forms(P::CollectiveSignatoryForms, day)?.contains(&legal_form) {
        (Outcome::Pass, "a company of health professionals that may sign (SCP, SCM, SISA)")
    } else {
        (Outcome::Fail, "only an SCP, SCM or SISA may sign; an SEL or another form may not")
    };
    cx.t.outcome(o, note);
    Ok(o)
}

/// Whether one doctor adheres: COL-MEMBERS, COL-NO-CUMULATION and COL-WAITING-PERIOD.
fn adhesion<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    m: &'b Member,
    day: NaiveDate,
) -> Result<MemberResult, RuleError> {
    let mut tally = Tally::default();
    tally.record(RuleId::ColMembers, member(cx, m));
    tally.record(RuleId::ColNoCumulation, no_cumulation(cx, m));
    tally.record(RuleId::ColWaitingPeriod, waiting_period(cx, Some(&m.label), m.collective_ended_on, day)?);
    Ok(MemberResult { label: m.label.clone(), eligible: tally.failing.is_empty(), failing: tally.failing })
}

/// COL-MEMBERS: whether a doctor may adhere: a GP, not MEP, partner in their own name, in
/// sector 1 or sector 2 OPTAM.
fn member<'b, T: Tracer<'b>>(cx: &mut Cx<'b, '_, T>, m: &'b Member) -> Outcome {
    cx.t.rule(RuleId::ColMembers);
    cx.t.input("member", Input::Text(&m.label));
    cx.t.input("specialty", Input::Code(m.specialty.code()));
    cx.t.input("sector", Input::Code(m.sector.code()));
    cx.t.input("optam", Input::Code(m.optam.code()));
    cx.t.input("mep", Input::Bool(m.mep));
    cx.t.input("partner", Input::Bool(m.partner));
    let sector_ok =
        m.sector == ConventionSector::Sector1 || (m.sector == ConventionSector::Sector2 && m.optam != Optam::None);
    let (o, note) = if !m.specialty.is_general_practice() {
        (Outcome::Fail, "only GPs adhere to a collective contract")
    } else if m.mep {
        (Outcome::Fail, "a médecin à exercice particulier cannot adhere")
    } else if !m.partner {
        (Outcome::Fail, "only partners of the company in their own name adhere")
    } else if !sector_ok {
        (Outcome::Fail, "sector 1, or sector 2 with OPTAM, is required")
    } else {
        (Outcome::Pass, "GP partner in sector 1 or sector 2 OPTAM")
    };
    cx.t.outcome(o, note);
    o
}

/// COL-NO-CUMULATION: whether the doctor holds no running individual contract.
fn no_cumulation<'b, T: Tracer<'b>>(cx: &mut Cx<'b, '_, T>, m: &'b Member) -> Outcome {
    cx.t.rule(RuleId::ColNoCumulation);
    cx.t.input("member", Input::Text(&m.label));
    cx.t.input("holds_individual_contract", Input::Bool(m.holds_individual_contract));
    let (o, note) = if m.holds_individual_contract {
        (Outcome::Fail, "close the individual contract first (prorated when not at its anniversary)")
    } else {
        (Outcome::Pass, "no running individual contract")
    };
    cx.t.outcome(o, note);
    o
}

/// COL-WAITING-PERIOD: after a collective contract ends, each doctor waits before any new one.
pub(crate) fn waiting_period<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    member: Option<&'b str>,
    ended_on: Option<NaiveDate>,
    day: NaiveDate,
) -> Result<Outcome, RuleError> {
    cx.t.rule(RuleId::ColWaitingPeriod);
    if let Some(label) = member {
        cx.t.input("member", Input::Text(label));
    }
    let Some(ended) = ended_on else {
        cx.t.outcome(Outcome::NotApplicable, "no earlier collective contract");
        return Ok(Outcome::NotApplicable);
    };
    cx.t.input("collective_ended_on", Input::Date(ended));
    let Some(step) = cx.book.step(P::CollectiveWaitingYears, day) else {
        cx.t.outcome(Outcome::NotApplicable, "no collective contract existed on this date");
        return Ok(Outcome::NotApplicable);
    };
    cx.t.param(P::CollectiveWaitingYears, step);
    let years = match step.value {
        super::Value::Count(n) => n,
        _ => return Err(RuleError::NoValue { key: "collective.waiting_period_years", date: day }),
    };
    let free_on = ended.checked_add_months(Months::new(12 * years)).unwrap_or(NaiveDate::MAX);
    let o = if day >= free_on {
        cx.t.outcome(Outcome::Pass, "the waiting period after the last collective contract is over");
        Outcome::Pass
    } else {
        cx.t.outcome(Outcome::Fail, "within the waiting period after a collective contract: no new aid contract");
        Outcome::Fail
    };
    Ok(o)
}

/// COL-THRESHOLD: whether the mean PMT of the adhering doctors reaches the threshold; the mean,
/// when every PMT is known.
fn threshold<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    adhering: &[&Member],
    day: NaiveDate,
) -> Result<(Outcome, Option<Decimal>), RuleError> {
    cx.t.rule(RuleId::ColThreshold);
    let threshold = cx.count(P::CollectiveMeanPmtThreshold, day)?;
    let total: Option<u64> = adhering.iter().map(|m| m.pmt.map(u64::from)).sum();
    let (o, note, mean) = match (total, adhering.len()) {
        (_, 0) => (Outcome::Fail, "no doctor can adhere", None),
        (None, _) => {
            cx.t.missing("members[].pmt");
            (Outcome::Undecided, "give every adhering doctor's PMT", None)
        }
        (Some(total), n) => {
            let mean = Decimal::from(total) / Decimal::from(n as u64);
            cx.t.input("mean_pmt", Input::Decimal(mean.round_dp(2)));
            if mean >= Decimal::from(threshold) {
                (Outcome::Pass, "mean PMT of the adhering doctors at or above the threshold", Some(mean))
            } else {
                (Outcome::Fail, "mean PMT of the adhering doctors below the threshold", Some(mean))
            }
        }
    };
    cx.t.outcome(o, note);
    Ok((o, mean))
}

/// COL-ETP-CAP: whether the funded ETP is within one per adhering doctor plus the
/// docteur-junior bonus in force on the evaluation day; the cap.
fn etp_cap<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    case: &CollectiveCase,
    adhering: &[&Member],
    day: NaiveDate,
) -> Result<(Outcome, Etp), RuleError> {
    cx.t.rule(RuleId::ColEtpCap);
    cx.t.input("as_of", Input::Date(day));
    let funded = case.funded_etp;
    cx.t.input("funded_etp", Input::Decimal(shown_fraction(funded.numerator().into(), funded.denominator().into())));
    let bonus = cx.ratio(P::CollectivePamsuBonus, day)?;
    let doctors = adhering.len() as u64;
    // Doctors the bonus surely counts, and those it might count were unknown facts known.
    let (bonus_doctors, maybe_doctors) = match case.training_site {
        Some(true) => (doctors, doctors),
        site => {
            let hosting = adhering.iter().filter(|m| m.hosts_docteur_junior == Some(true)).count() as u64;
            let unknown = adhering.iter().filter(|m| m.hosts_docteur_junior.is_none()).count() as u64;
            (hosting, if site.is_none() { doctors } else { hosting + unknown })
        }
    };
    cx.t.input("adhering_doctors", Input::Count(u32::try_from(doctors).unwrap_or(u32::MAX)));
    cx.t.input("bonus_doctors", Input::Count(u32::try_from(bonus_doctors).unwrap_or(u32::MAX)));
    // The bonus is a whole number of halves: cap = doctors + bonus × bonus_doctors, exactly.
    // Exact, and unbounded by the input limit `Etp::MAX` (a cap is computed, not typed in).
    let cap = |n: u64| {
        Etp::from_decimal(Decimal::from(doctors) + bonus * Decimal::from(n))
            .ok_or(RuleError::Invalid("ETP cap out of range"))
    };
    let etp_cap = cap(bonus_doctors)?;
    let (o, note) = if funded.is_zero() {
        (Outcome::Fail, "the contract funds no ETP")
    } else if funded <= etp_cap {
        (Outcome::Pass, "funded ETP within the cap (one per doctor, plus the docteur-junior bonus)")
    } else if funded <= cap(maybe_doctors)? {
        if case.training_site.is_none() {
            cx.t.missing("training_site");
        }
        if adhering.iter().any(|m| m.hosts_docteur_junior.is_none()) {
            cx.t.missing("members[].hosts_docteur_junior");
        }
        (
            Outcome::Undecided,
            "funded ETP above the cap unless the docteur-junior bonus applies: say which doctors host one, and whether the structure is a training site",
        )
    } else {
        (Outcome::Fail, "funded ETP above the cap (one per doctor, plus the docteur-junior bonus)")
    };
    cx.t.outcome(o, note);
    Ok((o, etp_cap))
}

/// A collective contract's term.
struct Term {
    years: u32,
    ends_on: Option<NaiveDate>,
    /// Contract year running on the evaluation day; `None` before the signature.
    running_year: Option<u32>,
}

/// COL-DURATION: whether the evaluation day is within the contract's five-year term.
fn duration<'b, T: Tracer<'b>>(cx: &mut Cx<'b, '_, T>, signed: NaiveDate, day: NaiveDate) -> Result<Term, RuleError> {
    cx.t.rule(RuleId::ColDuration);
    let years = cx.count(P::CollectiveDurationYears, signed)?;
    let ends_on = signed.checked_add_months(Months::new(12 * years)).and_then(|d| d.pred_opt());
    let running_year = contract_year_on(signed, day);
    let (o, note) = match (running_year, ends_on) {
        (Some(_), Some(end)) if day <= end => (Outcome::Pass, "within the contract's 5-year term"),
        (None, _) => (Outcome::Pass, "the contract has not started yet"),
        _ => (Outcome::Fail, "past the 5-year term: the contract must be renewed"),
    };
    cx.t.outcome(o, note);
    Ok(Term { years, ends_on, running_year })
}

/// COL-AMOUNTS: funded ETP × the amount per ETP of each contract year, paid to the company;
/// nothing for a group that is not eligible.
fn amounts<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    signed: NaiveDate,
    etp: Etp,
    years: u32,
    eligible: bool,
) -> Result<Vec<CollectiveYear>, RuleError> {
    cx.t.rule(RuleId::ColAmounts);
    let mut schedule = Vec::with_capacity(years as usize);
    for k in 1..=years {
        let starts_on = contract_year_start(signed, k).ok_or(RuleError::Invalid("contract year out of range"))?;
        let p = match k {
            1 => P::CollectiveAmountY1,
            2 => P::CollectiveAmountY2,
            _ => P::CollectiveAmountY3,
        };
        let (per_etp, _) = cx.money(p, starts_on)?;
        // Exact to the cent: 38,000 × 2/3 ETP is 25,333.33, not a 28-digit decimal.
        let maximum = times_fraction(per_etp, u128::from(etp.numerator()), u128::from(etp.denominator()))
            .ok_or(RuleError::Invalid("amount out of range"))?;
        schedule.push(CollectiveYear { contract_year: k, starts_on, maximum });
    }
    if eligible {
        cx.t.outcome(Outcome::Pass, "funded ETP × amount per ETP of the contract year, paid to the company");
    } else {
        schedule.clear();
        cx.t.outcome(Outcome::NotApplicable, "the group is not eligible: no amount is payable");
    }
    Ok(schedule)
}

/// COL-OBJECTIVES: the team's PMT and file-active targets per funded ETP, reduced by the
/// patients the adhering doctors already gained under individual contracts.
fn objectives<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    signed: NaiveDate,
    etp: Etp,
    adhering: &[&Member],
) -> Result<Objectives, RuleError> {
    cx.t.rule(RuleId::ColObjectives);
    let (need_pmt, _) = ceil_times_etp(cx.count(P::CollectiveExtraPmtPerEtp, signed)?, etp);
    let (need_fa, _) = ceil_times_etp(cx.count(P::CollectiveExtraFaPerEtp, signed)?, etp);
    let gained_pmt: u32 = adhering.iter().filter_map(|m| m.gained_under_individual.pmt).sum();
    let gained_fa: u32 = adhering.iter().filter_map(|m| m.gained_under_individual.file_active).sum();
    let base_pmt: Option<u32> = adhering.iter().map(|m| m.pmt).sum();
    let base_fa: Option<u32> = adhering.iter().map(|m| m.file_active).sum();
    cx.t.input("already_gained_pmt", Input::Count(gained_pmt));
    cx.t.input("already_gained_file_active", Input::Count(gained_fa));
    let increase = |indicator, baseline: u32, needed: u32, gained| {
        Some(Target {
            indicator,
            kind: TargetKind::Increase,
            baseline,
            target: baseline + needed.saturating_sub(gained),
        })
    };
    let mut objectives = Objectives {
        targets: [None, None],
        combine: Some(Combine::Both),
        due_by: contract_year_start(signed, 3).and_then(|d| d.pred_opt()),
    };
    let (o, note) = match (base_pmt, base_fa) {
        (Some(p), Some(f)) if !adhering.is_empty() => {
            objectives.targets = [
                increase(Indicator::Pmt, p, need_pmt, gained_pmt),
                increase(Indicator::FileActive, f, need_fa, gained_fa),
            ];
            if gained_pmt > 0 || gained_fa > 0 {
                (
                    Outcome::Pass,
                    "team objective per funded ETP, reduced by patients already gained under individual contracts",
                )
            } else {
                (Outcome::Pass, "team objective per funded ETP; no earlier gains to deduct")
            }
        }
        _ => {
            if base_pmt.is_none() {
                cx.t.missing("members[].pmt");
            }
            if base_fa.is_none() {
                cx.t.missing("members[].file_active");
            }
            (Outcome::Undecided, "give every adhering doctor's PMT and file active")
        }
    };
    cx.t.outcome(o, note);
    Ok(objectives)
}

/// COL-ACHIEVEMENT: the amount payable in a contract year: in full in years 1 and 2, then
/// prorated to the achievement of the team objectives.
fn achievement<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    year: CollectiveYear,
    actual: Option<&Activity>,
    objectives: &Objectives,
) -> Result<(Option<Decimal>, Option<Rate>), RuleError> {
    cx.t.rule(RuleId::ColAchievement);
    if year.contract_year < 3 {
        cx.t.outcome(Outcome::Pass, "contract years 1 and 2: the full amount");
        return Ok((Some(year.maximum), None));
    }
    match actual.map(|a| objectives.rate(a)) {
        None => {
            cx.t.missing("actual");
            cx.t.outcome(
                Outcome::Undecided,
                "from year 3 the amount is prorated to achievement: give the group's activity",
            );
            Ok((None, None))
        }
        Some(Err(ind)) => {
            cx.t.missing(if ind == Indicator::Pmt { "actual.pmt" } else { "actual.file_active" });
            cx.t.outcome(Outcome::Undecided, "give the group's PMT and file active");
            Ok((None, None))
        }
        Some(Ok(rate)) => {
            cx.t.input("achievement_rate", Input::Decimal(rate.to_decimal()));
            let payable = rate.apply(year.maximum).ok_or(RuleError::Invalid("amount out of range"))?;
            if rate.is_one() {
                cx.t.outcome(Outcome::Pass, "team objectives reached: the full amount");
            } else {
                cx.t.outcome(Outcome::Fail, "team objectives partly reached: the amount is prorated");
            }
            Ok((Some(payable), Some(rate)))
        }
    }
}
