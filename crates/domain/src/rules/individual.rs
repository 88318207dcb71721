//! The individual aid (RULES.md §3–§5): a doctor's eligibility on the signature date, the
//! option, the yearly maximum by contract year and band with the 2024 revaluation, the
//! objectives and the payable amount of a year.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::explain::{Explanation, Input, Outcome, Recorder, RuleId, Tracer, Verdict};
use super::params::{INDIVIDUAL_START, P, R2024_START, RuleBook};
use super::{
    Activity, Combine, Cx, Indicator, Objectives, Prefix, Rate, RuleError, RuleSet, Tally, Target, TargetKind,
    ceil_decrease, ceil_div, ceil_increase, ceil_times_etp, contract_year_on, contract_year_start, fraction,
    times_fraction,
};
use crate::codes::{ActivityBand, ConventionSector, Optam, PracticeMode, Specialty, UnknownCode};
use crate::options::AidOption;

/// ARS zoning of the practice's commune (RULES.md §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Zone {
    /// Zone d'intervention prioritaire.
    Zip,
    /// Zone d'action complémentaire.
    Zac,
    /// Outside the zoning.
    Hz,
}

impl Zone {
    pub const ALL: &'static [Zone] = &[Zone::Zip, Zone::Zac, Zone::Hz];

    /// The code the CPAM, the store and the API spell the zone with.
    pub fn code(self) -> &'static str {
        match self {
            Zone::Zip => "ZIP",
            Zone::Zac => "ZAC",
            Zone::Hz => "HZ",
        }
    }

    pub fn from_code(code: &str) -> Result<Self, UnknownCode> {
        Self::ALL
            .iter()
            .copied()
            .find(|z| z.code() == code)
            .ok_or_else(|| UnknownCode { vocabulary: "zone", code: code.to_owned() })
    }
}

/// The doctor's existing contract, for a second-assistant option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirstContract {
    pub option: AidOption,
    pub signed_on: NaiveDate,
    pub objectives_met: bool,
}

/// A doctor's situation at signature. Unknown facts stay `None`: the rules that need them
/// answer "undecided" and name them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Doctor {
    pub specialty: Specialty,
    pub sector: ConventionSector,
    #[serde(default)]
    pub optam: Optam,
    #[serde(default)]
    pub practice_mode: PracticeMode,
    /// Médecin à exercice particulier.
    #[serde(default)]
    pub mep: bool,
    #[serde(default)]
    pub installed_on: Option<NaiveDate>,
    #[serde(default)]
    pub birth_year: Option<i32>,
    /// Recognised disabled worker (RQTH); `None` when not known.
    #[serde(default)]
    pub rqth: Option<bool>,
    /// Share of patients under 16, e.g. "0.25".
    #[serde(default)]
    pub children_share: Option<Decimal>,
    #[serde(default)]
    pub zone: Option<Zone>,
    /// Practises with at least one other doctor in one cabinet (multi-site MSP included).
    #[serde(default)]
    pub grouped_practice: Option<bool>,
    /// In coordinated practice (MSP, centre de santé, ESP, ESS, CPTS) or committed to it.
    #[serde(default)]
    pub coordinated_practice: Option<bool>,
    /// Practises in one of the 30 % most under-served départements for the specialty.
    #[serde(default)]
    pub underserved_departement: Option<bool>,
    /// Share of CCAM (technical) fees over the 12 months before signature, e.g. "0.25".
    #[serde(default)]
    pub ccam_share: Option<Decimal>,
    /// Position in the specialty's distribution at signature.
    #[serde(default)]
    pub band: Option<ActivityBand>,
    /// Activity at signature: the objectives' baseline.
    #[serde(default)]
    pub activity: Activity,
    /// The specialty's median (P50), for a new install's objective outside general practice.
    #[serde(default)]
    pub specialty_median: Option<Activity>,
    /// Adheres to a collective contract (C2026).
    #[serde(default)]
    pub in_collective_contract: bool,
    /// End of the last collective contract the doctor adhered to.
    #[serde(default)]
    pub collective_ended_on: Option<NaiveDate>,
    /// The running contract, when asking for a second assistant.
    #[serde(default)]
    pub first_contract: Option<FirstContract>,
}

/// A what-if or a stored contract: a doctor, an option and a signature date, optionally a day
/// to compute the year's maximum for and the activity measured that year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndividualCase {
    pub signed_on: NaiveDate,
    pub option: AidOption,
    pub doctor: Doctor,
    /// Day whose contract year's maximum (and payable amount) is wanted.
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
    /// Activity measured for the contract year running on `as_of`.
    #[serde(default)]
    pub actual: Option<Activity>,
    /// Day a stored contract ended or was terminated: nothing is due after it (IND-TERM).
    #[serde(default)]
    pub ended_on: Option<NaiveDate>,
    /// Renewals recorded for a stored contract: each adds a term (IND-LEGACY-RENEWAL).
    #[serde(default)]
    pub renewals: u32,
}

/// Which amount row applies (AMT-BAND).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AmountRow {
    Year1,
    Year2,
    Year3Plus,
    P90P95,
    P95Plus,
}

/// One contract year of the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct YearAmount {
    pub contract_year: u32,
    pub starts_on: NaiveDate,
    pub row: AmountRow,
    /// Maximum aid of the year, in euros.
    pub maximum: Decimal,
    /// Whether the table revalued in 2024 applies (AMT-REVALUATION).
    pub revalued: bool,
}

/// What an individual evaluation concludes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndividualResult {
    pub regime: &'static str,
    pub verdict: Verdict,
    #[serde(skip)]
    pub failing: RuleSet,
    #[serde(skip)]
    pub undecided: RuleSet,
    /// The year running on `as_of`, with its maximum.
    pub year: Option<YearAmount>,
    /// Payable amount of that year given the actual activity (OBJ-ACHIEVEMENT).
    pub payable: Option<Decimal>,
    /// Achievement rate used for `payable`, from contract year 3.
    pub achievement_rate: Option<Rate>,
    pub objectives: Objectives,
}

/// Evaluates a case. With [`super::NoTrace`] this is the batch path.
pub fn evaluate<'b, T: Tracer<'b>>(
    book: &'b RuleBook,
    case: &IndividualCase,
    t: &mut T,
) -> Result<IndividualResult, RuleError> {
    let signed = case.signed_on;
    let mut cx = Cx { book, t };
    let regime = match book.step(P::RegimeIndividual, signed) {
        Some(step) => match step.value {
            super::Value::Choice(r) => r,
            _ => return Err(RuleError::NoValue { key: "regime.individual", date: signed }),
        },
        None => return Err(RuleError::NoRegime { scheme: "individual aid", date: signed, starts: INDIVIDUAL_START }),
    };
    let d = &case.doctor;
    let mut tally = Tally::default();

    let o = liberal(&mut cx, d, signed)?;
    tally.record(RuleId::IndLiberal, o);
    let o = sector(&mut cx, d);
    tally.record(RuleId::IndSector, o);
    let o = specialty(&mut cx, d, signed)?;
    tally.record(RuleId::IndSpecialty, o);
    let o = clinical_share(&mut cx, d, signed)?;
    tally.record(RuleId::IndClinicalShare, o);
    let floor = activity_floor(&mut cx, d, signed)?;
    let derogation = activity_derogation(&mut cx, d, signed, floor)?;
    // The floor holds, or a derogation waives it.
    match (floor, derogation) {
        (Outcome::Pass, _) | (_, Derogation::Applies(_)) => {}
        (Outcome::Fail, Derogation::None) => tally.record(RuleId::IndActivityFloor, Outcome::Fail),
        _ => tally.record(RuleId::IndActivityFloor, Outcome::Undecided),
    }
    let o = grouped(&mut cx, d, case.option, signed)?;
    tally.record(RuleId::IndGrouped, o);
    let o = coordinated(&mut cx, d, signed)?;
    tally.record(RuleId::IndCoordinated, o);
    let o = no_collective(&mut cx, d, signed)?;
    tally.record(RuleId::IndNoCollective, o);
    if d.collective_ended_on.is_some() {
        let o = super::collective::waiting_period(&mut cx, None, d.collective_ended_on, signed)?;
        tally.record(RuleId::ColWaitingPeriod, o);
    }
    let o = option_open(&mut cx, d, case.option, signed)?;
    tally.record(RuleId::IndOption, o);

    let new_install = matches!(derogation, Derogation::Applies(DerogationKind::NewInstall));
    let objectives = objectives(&mut cx, d, case.option, signed, new_install)?;

    // A closed option has no amount: asking for it is answered by IND-OPTION alone.
    let option_closed = tally.failing.contains(RuleId::IndOption);
    let (year, payable, achievement_rate) = match case.as_of {
        None => (None, None, None),
        Some(_) if option_closed => (None, None, None),
        Some(day) => {
            let k = contract_year_on(signed, day)
                .ok_or(RuleError::Invalid("the evaluation date is before the signature"))?;
            match term(&mut cx, case, day, k)? {
                Term::Over => (None, Some(Decimal::ZERO), None),
                Term::Running(share) => {
                    let year = year_amount(&mut cx, case.option, signed, k, d.band)?;
                    let (payable, rate) = achievement(&mut cx, &objectives, year, case.actual.as_ref(), signed)?;
                    let payable = match (payable, share) {
                        (Some(p), Some((days, of))) => Some(
                            times_fraction(p, u128::from(days), u128::from(of))
                                .ok_or(RuleError::Invalid("amount out of range"))?,
                        ),
                        (p, _) => p,
                    };
                    (Some(year), payable, rate)
                }
            }
        }
    };
    Ok(IndividualResult {
        regime,
        verdict: tally.verdict(),
        failing: tally.failing,
        undecided: tally.undecided,
        year,
        payable,
        achievement_rate,
        objectives,
    })
}

/// Evaluates a case and explains every rule.
pub fn explain<'b>(
    book: &'b RuleBook,
    case: &IndividualCase,
) -> Result<(IndividualResult, Explanation<'b>), RuleError> {
    let mut recorder = Recorder::new();
    let result = evaluate(book, case, &mut recorder)?;
    let verdict = result.verdict;
    Ok((result, Explanation::new(verdict, recorder)))
}

/// Whether a contract runs on a day, and for which share of its year.
enum Term {
    /// Running; `Some((days, of))` when it ends within the year, whose amount is prorated.
    Running(Option<(u32, u32)>),
    /// Ended, terminated or past its term: nothing is due.
    Over,
}

/// IND-LEGACY-RENEWAL and IND-TERM: a contract runs 5 years, later ones through a recorded
/// renewal (not for contracts signed before 2023-05-01 but 1/3 ETP), and pays nothing after its
/// end; the year in which it ends is prorated to the days it covers.
fn term<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    case: &IndividualCase,
    day: NaiveDate,
    k: u32,
) -> Result<Term, RuleError> {
    let signed = case.signed_on;
    let mut renewals = case.renewals;
    if renewals > 0 {
        cx.t.rule(RuleId::IndLegacyRenewal);
        cx.t.input("renewals", Input::Count(renewals));
        let all = cx.choice(P::ContractRenewable, signed)? == "ALL";
        if all || case.option == AidOption::OneThirdEtp {
            cx.t.outcome(Outcome::Pass, "the contract may be renewed: each recorded renewal adds a term");
        } else {
            renewals = 0;
            cx.t.outcome(
                Outcome::Fail,
                "signed before 2023-05-01 with an option other than 1/3 ETP: not renewed as such; continuing takes a new contract",
            );
        }
    }
    cx.t.rule(RuleId::IndTerm);
    cx.t.input("contract_year", Input::Count(k));
    let years = cx.count(P::ContractDurationYears, signed)?.saturating_mul(renewals.saturating_add(1));
    if let Some(end) = case.ended_on {
        cx.t.input("ended_on", Input::Date(end));
        if end < signed {
            return Err(RuleError::Invalid("the contract ends before its signature"));
        }
        if day > end {
            cx.t.outcome(Outcome::Fail, "the contract has ended: nothing is due after its end");
            return Ok(Term::Over);
        }
    }
    if k > years {
        cx.t.outcome(Outcome::Fail, "past the contract's term with no renewal recorded: nothing is due");
        return Ok(Term::Over);
    }
    let start = contract_year_start(signed, k).ok_or(RuleError::Invalid("contract year out of range"))?;
    let next = contract_year_start(signed, k + 1).ok_or(RuleError::Invalid("contract year out of range"))?;
    match case.ended_on.filter(|end| *end < next.pred_opt().unwrap_or(next)) {
        Some(end) => {
            let days = u32::try_from((end - start).num_days() + 1).unwrap_or(0);
            let of = u32::try_from((next - start).num_days()).unwrap_or(1);
            cx.t.input("days_covered", Input::Count(days));
            cx.t.input("days_in_year", Input::Count(of));
            cx.t.outcome(
                Outcome::Pass,
                "the contract ends within this year: its amount is prorated to the days covered",
            );
            Ok(Term::Running(Some((days, of))))
        }
        None => {
            cx.t.outcome(Outcome::Pass, "the contract runs on this day, within its term");
            Ok(Term::Running(None))
        }
    }
}

fn liberal<'b, T: Tracer<'b>>(cx: &mut Cx<'b, '_, T>, d: &Doctor, day: NaiveDate) -> Result<Outcome, RuleError> {
    cx.t.rule(RuleId::IndLiberal);
    cx.t.input("practice_mode", Input::Code(d.practice_mode.code()));
    let (o, note) = match d.practice_mode {
        PracticeMode::Liberal => (Outcome::Pass, "liberal practice"),
        PracticeMode::Salaried => (Outcome::Fail, "the aid is for liberal practice; salaried doctors are not eligible"),
        PracticeMode::Mixed => {
            if cx.bool(P::MixedPracticeAllowed, day)? {
                (Outcome::Pass, "mixed liberal and salaried activity is eligible, with an adjusted contract")
            } else {
                (Outcome::Fail, "mixed activity was not eligible at this signature date")
            }
        }
    };
    cx.t.outcome(o, note);
    Ok(o)
}

fn sector<'b, T: Tracer<'b>>(cx: &mut Cx<'b, '_, T>, d: &Doctor) -> Outcome {
    cx.t.rule(RuleId::IndSector);
    cx.t.input("sector", Input::Code(d.sector.code()));
    cx.t.input("optam", Input::Code(d.optam.code()));
    let (o, note) = match (d.sector, d.optam) {
        (ConventionSector::Sector1, _) => (Outcome::Pass, "sector 1"),
        (ConventionSector::Sector2, Optam::Optam | Optam::OptamCo) => (Outcome::Pass, "sector 2 with OPTAM / OPTAM-CO"),
        (ConventionSector::Sector2, Optam::None) => (Outcome::Fail, "sector 2 without OPTAM is not eligible"),
        (ConventionSector::NotContracted, _) => (Outcome::Fail, "a doctor outside the convention is not eligible"),
    };
    cx.t.outcome(o, note);
    o
}

fn specialty<'b, T: Tracer<'b>>(cx: &mut Cx<'b, '_, T>, d: &Doctor, day: NaiveDate) -> Result<Outcome, RuleError> {
    cx.t.rule(RuleId::IndSpecialty);
    cx.t.input("specialty", Input::Code(d.specialty.code()));
    let (o, note) = if cx.choice(P::SpecialtyMode, day)? == "FRANCE_WIDE_LIST" {
        cx.t.input("mep", Input::Bool(d.mep));
        if d.mep {
            (Outcome::Pass, "médecin à exercice particulier: eligible on the whole territory")
        } else if cx.specialties(P::SpecialtiesFranceWide, day)?.contains(&d.specialty) {
            (Outcome::Pass, "specialty eligible on the whole territory")
        } else {
            match d.underserved_departement {
                Some(true) => {
                    cx.t.input("underserved_departement", Input::Bool(true));
                    (
                        Outcome::Pass,
                        "specialty eligible in the 30 % most under-served départements, where the doctor practises",
                    )
                }
                Some(false) => {
                    cx.t.input("underserved_departement", Input::Bool(false));
                    (Outcome::Fail, "specialty eligible only in the 30 % most under-served départements, not this one")
                }
                None => {
                    cx.t.missing("doctor.underserved_departement");
                    (
                        Outcome::Undecided,
                        "specialty eligible only in the 30 % most under-served départements: say whether the doctor practises in one",
                    )
                }
            }
        }
    } else if cx.specialties(P::SpecialtiesExcluded, day)?.contains(&d.specialty) {
        (Outcome::Fail, "specialty excluded from the aid")
    } else {
        (Outcome::Pass, "every specialty but the excluded ones is eligible")
    };
    cx.t.outcome(o, note);
    Ok(o)
}

fn clinical_share<'b, T: Tracer<'b>>(cx: &mut Cx<'b, '_, T>, d: &Doctor, day: NaiveDate) -> Result<Outcome, RuleError> {
    cx.t.rule(RuleId::IndClinicalShare);
    let (o, note) = if !cx.specialties(P::ClinicalShareSpecialties, day)?.contains(&d.specialty) {
        (Outcome::NotApplicable, "no clinical-share condition for this specialty on this date")
    } else {
        let max = cx.ratio(P::ClinicalShareMaxCcam, day)?;
        match d.ccam_share {
            None => {
                cx.t.missing("doctor.ccam_share");
                (Outcome::Undecided, "give the share of CCAM fees over the 12 months before signature")
            }
            Some(share) => {
                cx.t.input("ccam_share", Input::Decimal(share));
                if share < max {
                    (Outcome::Pass, "CCAM fees below the ceiling: mostly clinical activity")
                } else {
                    (Outcome::Fail, "CCAM (technical) fees at or above the ceiling")
                }
            }
        }
    };
    cx.t.outcome(o, note);
    Ok(o)
}

fn activity_floor<'b, T: Tracer<'b>>(cx: &mut Cx<'b, '_, T>, d: &Doctor, day: NaiveDate) -> Result<Outcome, RuleError> {
    cx.t.rule(RuleId::IndActivityFloor);
    let (o, note) = if let Some(band) = d.band {
        cx.t.input("band", Input::Code(band.code()));
        if band == ActivityBand::BelowP30 {
            (Outcome::Fail, "activity below P30 of the specialty")
        } else {
            (Outcome::Pass, "activity at or above P30 of the specialty")
        }
    } else if d.specialty.is_general_practice() {
        let indicator =
            if cx.choice(P::GpFloorIndicator, day)? == "ADULT_PMT" { Indicator::AdultPmt } else { Indicator::Pmt };
        match indicator.of(&d.activity) {
            None => {
                cx.t.missing(indicator.input_name(Prefix::Baseline));
                cx.t.missing("doctor.band");
                (Outcome::Undecided, "give the doctor's patientèle or band")
            }
            Some(n) => {
                cx.t.input(indicator.input_name(Prefix::Baseline), Input::Count(n));
                if n >= cx.count(P::GpFloor, day)? {
                    (Outcome::Pass, "patientèle at or above the GP floor (P30)")
                } else {
                    (Outcome::Fail, "patientèle below the GP floor (P30)")
                }
            }
        }
    } else {
        cx.t.missing("doctor.band");
        (Outcome::Undecided, "give the doctor's band in the specialty's distribution")
    };
    cx.t.outcome(o, note);
    Ok(o)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DerogationKind {
    NewInstall,
    Rqth,
    Children,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Derogation {
    NotNeeded,
    Applies(DerogationKind),
    None,
    Unknown,
}

fn activity_derogation<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    d: &Doctor,
    day: NaiveDate,
    floor: Outcome,
) -> Result<Derogation, RuleError> {
    cx.t.rule(RuleId::IndActivityDerogation);
    if floor == Outcome::Pass {
        cx.t.outcome(Outcome::NotApplicable, "the activity floor is met: no derogation needed");
        return Ok(Derogation::NotNeeded);
    }
    let years = cx.count(P::NewInstallYears, day)?;
    let mut unknown = false;
    match d.installed_on {
        Some(installed) => {
            cx.t.input("installed_on", Input::Date(installed));
            if installed <= day && day.years_since(installed).is_some_and(|y| y < years) {
                cx.t.outcome(
                    Outcome::Pass,
                    "newly installed doctor: the floor is waived, the objective is the median in 3 years",
                );
                return Ok(Derogation::Applies(DerogationKind::NewInstall));
            }
        }
        None => unknown = true,
    }
    if cx.bool(P::RqthDerogation, day)? {
        match d.rqth {
            Some(true) => {
                cx.t.input("rqth", Input::Bool(true));
                cx.t.outcome(Outcome::Pass, "doctor with a recognised disability (RQTH): the floor is waived");
                return Ok(Derogation::Applies(DerogationKind::Rqth));
            }
            Some(false) => cx.t.input("rqth", Input::Bool(false)),
            None => {
                cx.t.missing("doctor.rqth");
                unknown = true;
            }
        }
    }
    if d.specialty.is_general_practice()
        && let Some(min) = cx.opt_ratio(P::ChildrenShareMin, day)?
    {
        match d.children_share {
            Some(share) if share > min => {
                cx.t.input("children_share", Input::Decimal(share));
                cx.t.outcome(Outcome::Pass, "GP with a large share of children under 16: the floor is waived");
                return Ok(Derogation::Applies(DerogationKind::Children));
            }
            Some(share) => cx.t.input("children_share", Input::Decimal(share)),
            None => {
                cx.t.missing("doctor.children_share");
                unknown = true;
            }
        }
    }
    if unknown {
        if d.installed_on.is_none() {
            cx.t.missing("doctor.installed_on");
        }
        cx.t.outcome(
            Outcome::Undecided,
            "a derogation may apply: give the missing facts (installation date, RQTH, children share)",
        );
        Ok(Derogation::Unknown)
    } else {
        let o = if floor == Outcome::Fail { Outcome::Fail } else { Outcome::Undecided };
        cx.t.outcome(o, "no derogation to the activity floor applies");
        Ok(Derogation::None)
    }
}

fn grouped<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    d: &Doctor,
    option: AidOption,
    day: NaiveDate,
) -> Result<Outcome, RuleError> {
    cx.t.rule(RuleId::IndGrouped);
    let (o, note) = if !cx.bool(P::GroupedRequired, day)? {
        (Outcome::NotApplicable, "grouped practice is no longer required")
    } else if d.grouped_practice == Some(true) {
        cx.t.input("grouped_practice", Input::Bool(true));
        (Outcome::Pass, "practises with at least one other doctor")
    } else if d.zone == Some(Zone::Zip) {
        cx.t.input("zone", Input::Code(Zone::Zip.code()));
        (Outcome::Pass, "solo practice allowed in a ZIP (under-served zone)")
    } else if let (AidOption::OneEtp, Some(Zone::Zac), Some(band), Some(min)) = (
        option,
        d.zone,
        d.band,
        if d.zone == Some(Zone::Zac) { cx.opt_band(P::OneEtpZacSoloMinBand, day)? } else { None },
    ) && band >= min
    {
        cx.t.input("zone", Input::Code(Zone::Zac.code()));
        cx.t.input("band", Input::Code(band.code()));
        (Outcome::Pass, "solo practice in a ZAC at or above P50, for the 1 ETP option")
    } else if d.grouped_practice == Some(false) && d.zone.is_some() {
        cx.t.input("grouped_practice", Input::Bool(false));
        if let Some(z) = d.zone {
            cx.t.input("zone", Input::Code(z.code()));
        }
        (Outcome::Fail, "solo practice outside a ZIP was not eligible")
    } else {
        if d.grouped_practice.is_none() {
            cx.t.missing("doctor.grouped_practice");
        }
        if d.zone.is_none() {
            cx.t.missing("doctor.zone");
        }
        (Outcome::Undecided, "give whether the doctor practises with others, and the zone")
    };
    cx.t.outcome(o, note);
    Ok(o)
}

fn coordinated<'b, T: Tracer<'b>>(cx: &mut Cx<'b, '_, T>, d: &Doctor, day: NaiveDate) -> Result<Outcome, RuleError> {
    cx.t.rule(RuleId::IndCoordinated);
    let (o, note) = if !cx.bool(P::CoordinatedRequired, day)? {
        (Outcome::NotApplicable, "coordinated practice is no longer required")
    } else {
        match d.coordinated_practice {
            Some(true) => {
                cx.t.input("coordinated_practice", Input::Bool(true));
                (Outcome::Pass, "in coordinated practice, or committed to it within 2 years")
            }
            Some(false) => {
                cx.t.input("coordinated_practice", Input::Bool(false));
                (Outcome::Fail, "coordinated practice (or a commitment within 2 years) was required")
            }
            None => {
                cx.t.missing("doctor.coordinated_practice");
                (Outcome::Undecided, "give whether the doctor is (or will be within 2 years) in coordinated practice")
            }
        }
    };
    cx.t.outcome(o, note);
    Ok(o)
}

fn no_collective<'b, T: Tracer<'b>>(cx: &mut Cx<'b, '_, T>, d: &Doctor, day: NaiveDate) -> Result<Outcome, RuleError> {
    cx.t.rule(RuleId::IndNoCollective);
    let (o, note) = if !cx.bool(P::NoCollective, day)? {
        (Outcome::NotApplicable, "no collective contract existed on this date")
    } else {
        cx.t.input("in_collective_contract", Input::Bool(d.in_collective_contract));
        if d.in_collective_contract {
            (Outcome::Fail, "a doctor in a collective contract cannot also hold an individual one")
        } else {
            (Outcome::Pass, "not in a collective contract")
        }
    };
    cx.t.outcome(o, note);
    Ok(o)
}

fn option_open<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    d: &Doctor,
    option: AidOption,
    day: NaiveDate,
) -> Result<Outcome, RuleError> {
    cx.t.rule(RuleId::IndOption);
    cx.t.input("option", Input::Code(option.code()));
    let (o, note) = match option {
        AidOption::HalfEtp => (Outcome::Pass, "the 1/2 ETP option is open"),
        AidOption::OneThirdEtp => {
            if cx.bool(P::OneThirdOpen, day)? {
                (Outcome::Pass, "the 1/3 ETP option is open")
            } else {
                (Outcome::Fail, "the 1/3 ETP option is closed to new contracts")
            }
        }
        AidOption::OneEtp => one_etp(cx, d, day)?,
        AidOption::OneAndHalfEtp | AidOption::TwoEtp => second_assistant(cx, d, day)?,
    };
    cx.t.outcome(o, note);
    Ok(o)
}

fn one_etp<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    d: &Doctor,
    day: NaiveDate,
) -> Result<(Outcome, &'static str), RuleError> {
    if cx.bool(P::OneEtpEverywhere, day)? {
        return Ok((Outcome::Pass, "the 1 ETP option is open everywhere"));
    }
    let Some(zone) = d.zone else {
        cx.t.missing("doctor.zone");
        return Ok((Outcome::Undecided, "the 1 ETP option depends on the zone: give it"));
    };
    cx.t.input("zone", Input::Code(zone.code()));
    Ok(match zone {
        Zone::Zip => (Outcome::Pass, "the 1 ETP option is open in a ZIP"),
        Zone::Hz => (Outcome::Fail, "the 1 ETP option was open only in under-served zones"),
        Zone::Zac => match cx.opt_band(P::OneEtpZacSoloMinBand, day)? {
            None => (Outcome::Fail, "the 1 ETP option was not open in a ZAC"),
            Some(min) => match d.band {
                None => {
                    cx.t.missing("doctor.band");
                    (Outcome::Undecided, "in a ZAC the 1 ETP option needs activity at or above P50: give the band")
                }
                Some(band) => {
                    cx.t.input("band", Input::Code(band.code()));
                    if band >= min {
                        (Outcome::Pass, "in a ZAC with activity at or above P50: the 1 ETP option is open")
                    } else {
                        (Outcome::Fail, "in a ZAC the 1 ETP option needs activity at or above P50")
                    }
                }
            },
        },
    })
}

fn second_assistant<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    d: &Doctor,
    day: NaiveDate,
) -> Result<(Outcome, &'static str), RuleError> {
    if !cx.bool(P::SecondAssistantOpen, day)? {
        return Ok((Outcome::Fail, "second-assistant options did not exist on this date"));
    }
    if !d.specialty.is_general_practice() {
        return Ok((Outcome::Fail, "a second assistant is for GPs"));
    }
    // The first contract's conditions first: they refuse whatever the zone.
    let min_year = cx.count(P::SecondAssistantMinYear, day)?;
    let Some(first) = d.first_contract else {
        return Ok((Outcome::Fail, "a second assistant needs a running 1 ETP contract"));
    };
    cx.t.input("first_contract.option", Input::Code(first.option.code()));
    cx.t.input("first_contract.signed_on", Input::Date(first.signed_on));
    cx.t.input("first_contract.objectives_met", Input::Bool(first.objectives_met));
    let year = contract_year_on(first.signed_on, day).unwrap_or(0);
    if first.option != AidOption::OneEtp {
        return Ok((Outcome::Fail, "a second assistant needs a running 1 ETP contract"));
    }
    if year < min_year {
        return Ok((Outcome::Fail, "a second assistant comes from contract year 3 of the first contract"));
    }
    if !first.objectives_met {
        return Ok((Outcome::Fail, "a second assistant needs the first contract's objectives met"));
    }
    Ok(match d.zone {
        None => {
            cx.t.missing("doctor.zone");
            (Outcome::Undecided, "a second assistant is for GPs in a ZIP: give the zone")
        }
        Some(z) => {
            cx.t.input("zone", Input::Code(z.code()));
            if z == Zone::Zip {
                (Outcome::Pass, "GP in a ZIP with a 1 ETP contract in year 3 or later, objectives met")
            } else {
                (Outcome::Fail, "a second assistant is for GPs in a ZIP")
            }
        }
    })
}

fn amount_param(option: AidOption, row: AmountRow) -> P {
    use AmountRow::*;
    match (option, row) {
        (AidOption::OneThirdEtp, Year1) => P::AmountOneThirdY1,
        (AidOption::OneThirdEtp, Year2) => P::AmountOneThirdY2,
        (AidOption::OneThirdEtp, Year3Plus) => P::AmountOneThirdY3,
        (AidOption::OneThirdEtp, P90P95) => P::AmountOneThirdP90,
        (AidOption::OneThirdEtp, P95Plus) => P::AmountOneThirdP95,
        (AidOption::HalfEtp, Year1) => P::AmountHalfY1,
        (AidOption::HalfEtp, Year2) => P::AmountHalfY2,
        (AidOption::HalfEtp, Year3Plus) => P::AmountHalfY3,
        (AidOption::HalfEtp, P90P95) => P::AmountHalfP90,
        (AidOption::HalfEtp, P95Plus) => P::AmountHalfP95,
        (AidOption::OneEtp, Year1) => P::AmountOneY1,
        (AidOption::OneEtp, Year2) => P::AmountOneY2,
        (AidOption::OneEtp, Year3Plus) => P::AmountOneY3,
        (AidOption::OneEtp, P90P95) => P::AmountOneP90,
        (AidOption::OneEtp, P95Plus) => P::AmountOneP95,
        (AidOption::OneAndHalfEtp, Year1) => P::AmountOneHalfY1,
        (AidOption::OneAndHalfEtp, Year2) => P::AmountOneHalfY2,
        (AidOption::OneAndHalfEtp, Year3Plus) => P::AmountOneHalfY3,
        (AidOption::OneAndHalfEtp, P90P95) => P::AmountOneHalfP90,
        (AidOption::OneAndHalfEtp, P95Plus) => P::AmountOneHalfP95,
        (AidOption::TwoEtp, Year1) => P::AmountTwoY1,
        (AidOption::TwoEtp, Year2) => P::AmountTwoY2,
        (AidOption::TwoEtp, Year3Plus) => P::AmountTwoY3,
        (AidOption::TwoEtp, P90P95) => P::AmountTwoP90,
        (AidOption::TwoEtp, P95Plus) => P::AmountTwoP95,
    }
}

/// The maximum of contract year `k` (AMT-BAND, AMT-REVALUATION): the row follows the year and
/// the band; the value is the one in force at the start of the contract year, so running
/// contracts switch to the revalued table at their first anniversary from 2024-06-22.
pub(crate) fn year_amount<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    option: AidOption,
    signed: NaiveDate,
    k: u32,
    band: Option<ActivityBand>,
) -> Result<YearAmount, RuleError> {
    let starts_on = contract_year_start(signed, k).ok_or(RuleError::Invalid("contract year out of range"))?;
    cx.t.rule(RuleId::AmtBand);
    cx.t.input("contract_year", Input::Count(k));
    let standard = match k {
        1 => AmountRow::Year1,
        2 => AmountRow::Year2,
        _ => AmountRow::Year3Plus,
    };
    let (row, o, note) = match band {
        Some(ActivityBand::P95Plus) => {
            (AmountRow::P95Plus, Outcome::Pass, "band P95 and above: the highest amount, whatever the year")
        }
        Some(ActivityBand::P90P95) if k >= 3 => {
            (AmountRow::P90P95, Outcome::Pass, "band P90-P95 from contract year 3: the raised amount")
        }
        Some(_) => (standard, Outcome::NotApplicable, "no band raise: the standard amount of the contract year"),
        None => (standard, Outcome::Undecided, "band unknown: standard amount shown, a high band would raise it"),
    };
    match band {
        Some(b) => cx.t.input("band", Input::Code(b.code())),
        None => cx.t.missing("doctor.band"),
    }
    cx.t.outcome(o, note);

    cx.t.rule(RuleId::AmtRevaluation);
    cx.t.input("contract_year_starts_on", Input::Date(starts_on));
    let p = amount_param(option, row);
    let (maximum, step) = cx.money(p, starts_on)?;
    // The value in force at the year's start comes from the 2024 table (the second-assistant
    // rows exist only there) or from the table of 2019.
    let revalued = step.from >= R2024_START;
    if revalued {
        cx.t.outcome(Outcome::Pass, "the contract year starts on or after the revaluation: revalued table");
    } else {
        cx.t.outcome(Outcome::NotApplicable, "the contract year starts before the revaluation: table of signature");
    }
    Ok(YearAmount { contract_year: k, starts_on, row, maximum, revalued })
}

/// The maxima of contract years 1 to 5, with the year-1 payment rule (PAY-SCHEDULE).
pub fn schedule<'b, T: Tracer<'b>>(
    book: &'b RuleBook,
    case: &IndividualCase,
    t: &mut T,
) -> Result<(Vec<YearAmount>, Decimal), RuleError> {
    let mut cx = Cx { book, t };
    let years = (1..=5)
        .map(|k| year_amount(&mut cx, case.option, case.signed_on, k, case.doctor.band))
        .collect::<Result<Vec<_>, _>>()?;
    cx.t.rule(RuleId::PaySchedule);
    let share = cx.ratio(P::Year1FirstInstalment, case.signed_on)?;
    if share == Decimal::ONE {
        cx.t.outcome(
            Outcome::Pass,
            "year 1 paid in full the month after signature; year 2 at the anniversary; then two halves a year",
        );
    } else {
        cx.t.outcome(
            Outcome::Pass,
            "70 % of year 1 paid within 15 days of hiring, the balance after the first yearly review; then yearly",
        );
    }
    Ok((years, share))
}

/// Objectives set at signature (OBJ-TARGETS, OBJ-ROUNDING).
fn objectives<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    d: &Doctor,
    option: AidOption,
    day: NaiveDate,
    new_install: bool,
) -> Result<Objectives, RuleError> {
    cx.t.rule(RuleId::ObjTargets);
    let gp = d.specialty.is_general_practice();
    let percent_mode = cx.choice(P::ObjectiveMode, day)? == "PERCENT_BY_BAND";
    let deadline = cx.count(P::DeadlineContractYear, day)?;
    let combine = if gp {
        Some(if cx.choice(P::GpIndicators, day)? == "BOTH" { Combine::Both } else { Combine::Either })
    } else {
        None
    };
    let indicators: &[Indicator] = match (gp, percent_mode) {
        (true, true) => &[Indicator::AdultPmt, Indicator::FileActive],
        (true, false) => &[Indicator::Pmt, Indicator::FileActive],
        (false, _) => &[Indicator::FileActive],
    };
    let mut out = Objectives {
        targets: [None, None],
        combine,
        due_by: contract_year_start(day, deadline + 1).and_then(|d| d.pred_opt()),
    };
    let mut rounded = false;
    let mut missing = false;
    let mut no_table = false;

    let senior_age = cx.opt_count(P::SeniorAge, day)?;
    let is_senior = match (senior_age, d.birth_year) {
        (Some(age), Some(born)) => {
            cx.t.input("birth_year", Input::Count(u32::try_from(born).unwrap_or(0)));
            i64::from(day.year()) - i64::from(born) >= i64::from(age)
        }
        _ => false,
    };

    let note = if new_install {
        out.due_by = contract_year_start(day, 4).and_then(|d| d.pred_opt());
        for (i, ind) in indicators.iter().enumerate() {
            let Some(base) = ind.of(&d.activity) else {
                cx.t.missing(ind.input_name(Prefix::Baseline));
                missing = true;
                continue;
            };
            let median = if gp {
                Some(if *ind == Indicator::FileActive {
                    cx.count(P::GpP50Fa, day)?
                } else {
                    cx.count(P::GpP50Pmt, day)?
                })
            } else {
                d.specialty_median.and_then(|m| ind.of(&m))
            };
            match median {
                Some(m) => {
                    out.targets[i] =
                        Some(Target { indicator: *ind, kind: TargetKind::ReachMedian, baseline: base, target: m })
                }
                None => {
                    cx.t.missing("doctor.specialty_median.file_active");
                    missing = true;
                }
            }
        }
        "new install: reach the specialty's median (P50) within 3 years"
    } else if d.band == Some(ActivityBand::P95Plus) || is_senior {
        let tolerance = if is_senior { cx.ratio(P::SeniorTolerance, day)? } else { Decimal::ZERO };
        for (i, ind) in indicators.iter().enumerate() {
            match ind.of(&d.activity) {
                Some(base) => {
                    let (floor, r) = ceil_decrease(base, tolerance);
                    rounded |= r;
                    out.targets[i] =
                        Some(Target { indicator: *ind, kind: TargetKind::Maintain, baseline: base, target: floor });
                }
                None => {
                    cx.t.missing(ind.input_name(Prefix::Baseline));
                    missing = true;
                }
            }
        }
        if is_senior {
            "doctor of 65 or more: maintain the patientèle, a 10 % drop tolerated"
        } else {
            "band P95 and above: maintain the patientèle"
        }
    } else if percent_mode {
        let pct_param = match (d.band, option) {
            (Some(ActivityBand::P30P50), AidOption::OneThirdEtp) => Some(P::PctP30OneThird),
            (Some(ActivityBand::P30P50), AidOption::HalfEtp) => Some(P::PctP30Half),
            (Some(ActivityBand::P30P50), AidOption::OneEtp) => Some(P::PctP30One),
            (Some(ActivityBand::P50P70), AidOption::OneThirdEtp) => Some(P::PctP50OneThird),
            (Some(ActivityBand::P50P70), AidOption::HalfEtp) => Some(P::PctP50Half),
            (Some(ActivityBand::P50P70), AidOption::OneEtp) => Some(P::PctP50One),
            (Some(ActivityBand::P70P90), AidOption::OneThirdEtp) => Some(P::PctP70OneThird),
            (Some(ActivityBand::P70P90), AidOption::HalfEtp) => Some(P::PctP70Half),
            (Some(ActivityBand::P70P90), AidOption::OneEtp) => Some(P::PctP70One),
            (Some(ActivityBand::P90P95), AidOption::OneThirdEtp) => Some(P::PctP90OneThird),
            (Some(ActivityBand::P90P95), AidOption::HalfEtp) => Some(P::PctP90Half),
            (Some(ActivityBand::P90P95), AidOption::OneEtp) => Some(P::PctP90One),
            _ => None,
        };
        match (d.band, pct_param) {
            (None, _) => {
                cx.t.missing("doctor.band");
                missing = true;
                "objectives depend on the starting band: give it"
            }
            (Some(band), None) => {
                cx.t.input("band", Input::Code(band.code()));
                no_table = true;
                "no objective table for this band and option: the doctor is below the floor without derogation"
            }
            (Some(band), Some(p)) => {
                cx.t.input("band", Input::Code(band.code()));
                let pct = cx.ratio(p, day)?;
                for (i, ind) in indicators.iter().enumerate() {
                    match ind.of(&d.activity) {
                        Some(base) => {
                            cx.t.input(ind.input_name(Prefix::Baseline), Input::Count(base));
                            let (target, r) = ceil_increase(base, pct);
                            rounded |= r;
                            out.targets[i] =
                                Some(Target { indicator: *ind, kind: TargetKind::Increase, baseline: base, target });
                        }
                        None => {
                            cx.t.missing(ind.input_name(Prefix::Baseline));
                            missing = true;
                        }
                    }
                }
                "increase by the percentage of the starting band and option"
            }
        }
    } else {
        let etp = option.etp();
        for (i, ind) in indicators.iter().enumerate() {
            let Some(base) = ind.of(&d.activity) else {
                cx.t.missing(ind.input_name(Prefix::Baseline));
                missing = true;
                continue;
            };
            cx.t.input(ind.input_name(Prefix::Baseline), Input::Count(base));
            let (extra, r) = match (gp, ind) {
                (true, Indicator::FileActive) => ceil_times_etp(cx.count(P::GpExtraFaPerEtp, day)?, etp),
                (true, _) => ceil_times_etp(cx.count(P::GpExtraPmtPerEtp, day)?, etp),
                (false, _) => {
                    let (m, s) = fraction(cx.ratio(P::OtherFaIncreasePerEtp, day)?);
                    let min = cx.count(P::OtherFaMinExtra, day)?;
                    let num = u128::from(base) * m * u128::from(etp.numerator());
                    let (extra, r) = ceil_div(num, s * u128::from(etp.denominator()));
                    if extra >= min { (extra, r) } else { (min, false) }
                }
            };
            rounded |= r;
            out.targets[i] =
                Some(Target { indicator: *ind, kind: TargetKind::Increase, baseline: base, target: base + extra });
        }
        "extra patients per funded ETP"
    };
    let outcome = if no_table {
        Outcome::Fail
    } else if missing {
        Outcome::Undecided
    } else {
        Outcome::Pass
    };
    cx.t.outcome(outcome, note);

    cx.t.rule(RuleId::ObjRounding);
    if rounded {
        cx.t.outcome(Outcome::Pass, "a target fell between two whole patients and was rounded up");
    } else {
        cx.t.outcome(Outcome::NotApplicable, "every target was already a whole number of patients");
    }
    Ok(out)
}

/// Payable amount of the year (OBJ-ACHIEVEMENT): the maximum in years 1 and 2, then the
/// maximum times the achievement rate.
fn achievement<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    objectives: &Objectives,
    year: YearAmount,
    actual: Option<&Activity>,
    signed: NaiveDate,
) -> Result<(Option<Decimal>, Option<Rate>), RuleError> {
    cx.t.rule(RuleId::ObjAchievement);
    let deadline = cx.count(P::DeadlineContractYear, signed)?;
    if year.contract_year <= deadline {
        cx.t.outcome(Outcome::Pass, "contract years 1 and 2: the maximum is paid whatever the activity");
        return Ok((Some(year.maximum), None));
    }
    let Some(actual) = actual else {
        cx.t.missing("actual");
        cx.t.outcome(Outcome::Undecided, "from contract year 3 the amount depends on the activity reached: give it");
        return Ok((None, None));
    };
    match objectives.rate(actual) {
        Err(ind) => {
            cx.t.missing(ind.input_name(Prefix::Actual));
            cx.t.outcome(Outcome::Undecided, "give the activity reached for every indicator");
            Ok((None, None))
        }
        Ok(rate) => {
            for t in objectives.iter() {
                if let Some(a) = t.indicator.of(actual) {
                    cx.t.input(t.indicator.input_name(Prefix::Actual), Input::Count(a));
                }
            }
            let payable = rate.apply(year.maximum).ok_or(RuleError::Invalid("amount out of range"))?;
            if T::RECORDS {
                cx.t.input("achievement_rate", Input::Decimal(rate.to_decimal()));
            }
            if rate.is_one() {
                cx.t.outcome(Outcome::Pass, "objectives reached: the maximum is paid");
            } else {
                cx.t.outcome(Outcome::Fail, "objectives partly reached: the maximum is prorated");
            }
            Ok((Some(payable), Some(rate)))
        }
    }
}
