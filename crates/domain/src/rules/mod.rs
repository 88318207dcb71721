//! The assistant-médical aid rules (RULES.md §2–§7): individual aid, collective aid (C2026)
//! and the assistant checks, as pure functions of a case, a date and the dated parameters.
//!
//! Each evaluation is generic over a [`Tracer`]: [`NoTrace`] for batch work, [`Recorder`] to
//! build an [`Explanation`]. Both run the very same code.

pub mod assistant;
pub mod collective;
pub mod explain;
pub mod individual;
pub mod params;

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use explain::{Explanation, ExplanationView, Input, NoTrace, Outcome, Recorder, RuleId, Tracer, Verdict};
pub use params::{Confidence, LoadError, P, RuleBook, Step, Value};

use crate::codes::{ActivityBand, LegalForm, Specialty};

/// Why an evaluation could not run at all (as opposed to a rule failing).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("no regime: the {scheme} started on {starts}, and {date} is before it")]
    NoRegime { scheme: &'static str, date: NaiveDate, starts: NaiveDate },
    #[error("parameter {key} has no value on {date}")]
    NoValue { key: &'static str, date: NaiveDate },
    #[error("{0}")]
    Invalid(&'static str),
}

/// A set of rule ids, as a bit set (there are fewer than 64 rules).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RuleSet(u64);

impl RuleSet {
    pub fn insert(&mut self, id: RuleId) {
        self.0 |= 1 << (id as u32);
    }
    pub fn contains(self, id: RuleId) -> bool {
        self.0 & (1 << (id as u32)) != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = RuleId> {
        RuleId::ALL.iter().copied().filter(move |r| self.contains(*r))
    }
}

/// Activity counts of a doctor (or a group) over a year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// Patientèle médecin traitant, all ages.
    pub pmt: Option<u32>,
    /// Adult patientèle médecin traitant.
    pub adult_pmt: Option<u32>,
    /// File active.
    pub file_active: Option<u32>,
}

/// The indicator an objective is set on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indicator {
    Pmt,
    AdultPmt,
    FileActive,
}

impl Indicator {
    pub fn code(self) -> &'static str {
        match self {
            Indicator::Pmt => "PMT",
            Indicator::AdultPmt => "ADULT_PMT",
            Indicator::FileActive => "FILE_ACTIVE",
        }
    }

    pub fn of(self, a: &Activity) -> Option<u32> {
        match self {
            Indicator::Pmt => a.pmt,
            Indicator::AdultPmt => a.adult_pmt,
            Indicator::FileActive => a.file_active,
        }
    }

    /// Name of the input field holding this indicator, for `missing`.
    pub fn input_name(self, prefix: Prefix) -> &'static str {
        match (prefix, self) {
            (Prefix::Baseline, Indicator::Pmt) => "doctor.activity.pmt",
            (Prefix::Baseline, Indicator::AdultPmt) => "doctor.activity.adult_pmt",
            (Prefix::Baseline, Indicator::FileActive) => "doctor.activity.file_active",
            (Prefix::Actual, Indicator::Pmt) => "actual.pmt",
            (Prefix::Actual, Indicator::AdultPmt) => "actual.adult_pmt",
            (Prefix::Actual, Indicator::FileActive) => "actual.file_active",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    Baseline,
    Actual,
}

/// What an objective asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetKind {
    /// Reach `target` (an increase on the baseline).
    Increase,
    /// Keep at least the baseline, less a tolerated drop.
    Maintain,
    /// Reach the specialty's median (new installs).
    ReachMedian,
}

/// One indicator's objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Target {
    pub indicator: Indicator,
    pub kind: TargetKind,
    pub baseline: u32,
    /// Whole patients, rounded up (OBJ-ROUNDING). For `Maintain`, the lowest accepted level.
    pub target: u32,
}

impl Target {
    /// Achievement rate in [0, 1] (OBJ-ACHIEVEMENT, RULES.md §5.2).
    pub fn rate(&self, actual: u32) -> Rate {
        match self.kind {
            TargetKind::Maintain => Rate::all_or_nothing(actual >= self.target),
            TargetKind::Increase | TargetKind::ReachMedian => {
                if self.target <= self.baseline {
                    return Rate::all_or_nothing(actual >= self.target);
                }
                let needed = u128::from(self.target - self.baseline);
                let gained = u128::from(actual.saturating_sub(self.baseline)).min(needed);
                Rate { num: gained, den: needed }
            }
        }
    }
}

/// An exact rate `num / den` in [0, 1], kept as integers so that batch evaluation needs no
/// decimal division; converted to a decimal only for display.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    num: u128,
    den: u128,
}

impl Rate {
    pub const ONE: Rate = Rate { num: 1, den: 1 };
    pub const ZERO: Rate = Rate { num: 0, den: 1 };

    fn all_or_nothing(met: bool) -> Rate {
        if met { Rate::ONE } else { Rate::ZERO }
    }

    pub fn is_one(self) -> bool {
        self.num == self.den
    }

    fn mean(a: Rate, b: Rate) -> Rate {
        Rate { num: a.num * b.den + b.num * a.den, den: 2 * a.den * b.den }
    }

    fn max(a: Rate, b: Rate) -> Rate {
        if a.num * b.den >= b.num * a.den { a } else { b }
    }

    /// `amount × rate`, rounded to the cent, halves up.
    pub fn apply(self, amount: Decimal) -> Decimal {
        let (m, scale) = (amount.mantissa(), amount.scale());
        // Amount in cents (amounts have at most two decimals).
        let cents = if scale <= 2 { m * 10i128.pow(2 - scale) } else { m / 10i128.pow(scale - 2) };
        let (num, den) = (self.num as i128, self.den as i128);
        let paid = (2 * cents * num + den) / (2 * den);
        Decimal::from_i128_with_scale(paid, 2)
    }

    /// The rate as a decimal, to six places.
    pub fn to_decimal(self) -> Decimal {
        (Decimal::from_i128_with_scale(self.num as i128, 0) / Decimal::from_i128_with_scale(self.den as i128, 0))
            .round_dp(6)
            .normalize()
    }
}

impl PartialEq for Rate {
    fn eq(&self, other: &Self) -> bool {
        self.num * other.den == other.num * self.den
    }
}

impl Eq for Rate {}

impl Serialize for Rate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_decimal().to_string())
    }
}

/// How two indicators' rates combine (objective.gp_indicators).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Combine {
    /// Mean of the rates.
    Both,
    /// The better rate.
    Either,
}

/// Objectives of a contract: up to two indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Objectives {
    pub targets: [Option<Target>; 2],
    pub combine: Option<Combine>,
    /// Last day by which the targets must be reached.
    pub due_by: Option<NaiveDate>,
}

impl Objectives {
    pub fn iter(&self) -> impl Iterator<Item = &Target> {
        self.targets.iter().flatten()
    }

    /// Combined rate, or the indicator whose actual value is missing.
    pub fn rate(&self, actual: &Activity) -> Result<Rate, Indicator> {
        let mut rates = [Rate::ZERO; 2];
        let mut n = 0;
        for t in self.iter() {
            let a = t.indicator.of(actual).ok_or(t.indicator)?;
            rates[n] = t.rate(a);
            n += 1;
        }
        Ok(match (n, self.combine.unwrap_or(Combine::Both)) {
            (0, _) => Rate::ONE,
            (1, _) => rates[0],
            (_, Combine::Both) => Rate::mean(rates[0], rates[1]),
            (_, Combine::Either) => Rate::max(rates[0], rates[1]),
        })
    }
}

/// `ceil(num / den)` as a count; `true` when rounding changed it.
pub(crate) fn ceil_div(num: u128, den: u128) -> (u32, bool) {
    let (q, r) = (num / den, num % den);
    (u32::try_from(q + u128::from(r > 0)).unwrap_or(u32::MAX), r > 0)
}

/// A non-negative decimal as `mantissa / 10^scale`.
pub(crate) fn fraction(d: Decimal) -> (u128, u128) {
    (u128::try_from(d.mantissa()).unwrap_or(0), 10u128.pow(d.scale()))
}

/// `ceil(count × (1 + pct))`, exactly: the percentage objectives of R2019/R2020.
pub(crate) fn ceil_increase(count: u32, pct: Decimal) -> (u32, bool) {
    let (m, s) = fraction(pct);
    ceil_div(u128::from(count) * (s + m), s)
}

/// `ceil(count × (1 - pct))`, exactly: the lowest level kept under a tolerated drop.
pub(crate) fn ceil_decrease(count: u32, pct: Decimal) -> (u32, bool) {
    let (m, s) = fraction(pct);
    ceil_div(u128::from(count) * s.saturating_sub(m), s)
}

/// `ceil(count × etp)` for an ETP fraction.
pub(crate) fn ceil_times_etp(count: u32, etp: crate::time::Etp) -> (u32, bool) {
    ceil_div(u128::from(count) * u128::from(etp.numerator()), u128::from(etp.denominator()))
}

/// Start of contract year `k` (1-based) of a contract signed on `signed_on`.
pub fn contract_year_start(signed_on: NaiveDate, k: u32) -> Option<NaiveDate> {
    signed_on.checked_add_months(Months::new(12 * k.checked_sub(1)?))
}

/// Contract year (1-based) running on `day`, or `None` before the signature.
pub fn contract_year_on(signed_on: NaiveDate, day: NaiveDate) -> Option<u32> {
    day.years_since(signed_on).map(|y| y + 1)
}

/// Reads parameters on behalf of a rule and reports each read to the tracer.
pub(crate) struct Cx<'b, 't, T> {
    pub book: &'b RuleBook,
    pub t: &'t mut T,
}

impl<'b, T: Tracer<'b>> Cx<'b, '_, T> {
    #[inline]
    pub fn step(&mut self, p: P, day: NaiveDate) -> Result<&'b Step, RuleError> {
        let step = self.book.step(p, day).ok_or(RuleError::NoValue { key: p.spec().key, date: day })?;
        self.t.param(p, step);
        Ok(step)
    }

    #[inline]
    pub fn get(&mut self, p: P, day: NaiveDate) -> Result<&'b Value, RuleError> {
        Ok(&self.step(p, day)?.value)
    }

    fn mismatch(p: P) -> RuleError {
        RuleError::NoValue { key: p.spec().key, date: NaiveDate::MIN }
    }

    pub fn bool(&mut self, p: P, day: NaiveDate) -> Result<bool, RuleError> {
        match self.get(p, day)? {
            Value::Bool(b) => Ok(*b),
            _ => Err(Self::mismatch(p)),
        }
    }

    pub fn count(&mut self, p: P, day: NaiveDate) -> Result<u32, RuleError> {
        match self.get(p, day)? {
            Value::Count(n) => Ok(*n),
            _ => Err(Self::mismatch(p)),
        }
    }

    pub fn opt_count(&mut self, p: P, day: NaiveDate) -> Result<Option<u32>, RuleError> {
        match self.get(p, day)? {
            Value::OptCount(n) => Ok(*n),
            _ => Err(Self::mismatch(p)),
        }
    }

    pub fn ratio(&mut self, p: P, day: NaiveDate) -> Result<Decimal, RuleError> {
        match self.get(p, day)? {
            Value::Ratio(d) => Ok(*d),
            _ => Err(Self::mismatch(p)),
        }
    }

    pub fn opt_ratio(&mut self, p: P, day: NaiveDate) -> Result<Option<Decimal>, RuleError> {
        match self.get(p, day)? {
            Value::OptRatio(d) => Ok(*d),
            _ => Err(Self::mismatch(p)),
        }
    }

    pub fn money(&mut self, p: P, day: NaiveDate) -> Result<(Decimal, &'b Step), RuleError> {
        let step = self.step(p, day)?;
        match &step.value {
            Value::Money(d) => Ok((*d, step)),
            _ => Err(Self::mismatch(p)),
        }
    }

    pub fn choice(&mut self, p: P, day: NaiveDate) -> Result<&'static str, RuleError> {
        match self.get(p, day)? {
            Value::Choice(c) => Ok(c),
            _ => Err(Self::mismatch(p)),
        }
    }

    pub fn opt_band(&mut self, p: P, day: NaiveDate) -> Result<Option<ActivityBand>, RuleError> {
        match self.get(p, day)? {
            Value::OptBand(b) => Ok(*b),
            _ => Err(Self::mismatch(p)),
        }
    }

    pub fn specialties(&mut self, p: P, day: NaiveDate) -> Result<&'b [Specialty], RuleError> {
        match self.get(p, day)? {
            Value::Specialties(s) => Ok(s),
            _ => Err(Self::mismatch(p)),
        }
    }

    pub fn legal_forms(&mut self, p: P, day: NaiveDate) -> Result<&'b [LegalForm], RuleError> {
        match self.get(p, day)? {
            Value::LegalForms(l) => Ok(l),
            _ => Err(Self::mismatch(p)),
        }
    }
}

/// Tracks a verdict while rules run: any failure → not eligible; otherwise any undecided →
/// undecided.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tally {
    pub failing: RuleSet,
    pub undecided: RuleSet,
}

impl Tally {
    pub fn record(&mut self, id: RuleId, outcome: Outcome) {
        match outcome {
            Outcome::Fail => self.failing.insert(id),
            Outcome::Undecided => self.undecided.insert(id),
            Outcome::Pass | Outcome::Warn | Outcome::NotApplicable => {}
        }
    }

    pub fn verdict(&self) -> Verdict {
        if !self.failing.is_empty() {
            Verdict::NotEligible
        } else if !self.undecided.is_empty() {
            Verdict::Undecided
        } else {
            Verdict::Eligible
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_and_rates() {
        assert_eq!(ceil_increase(1500, Decimal::new(75, 3)), (1613, true));
        assert_eq!(ceil_increase(700, Decimal::new(20, 2)), (840, false));
        assert_eq!(ceil_decrease(1200, Decimal::new(10, 2)), (1080, false));
        assert_eq!(ceil_times_etp(260, crate::time::Etp::new(1, 3)), (87, true));
        let t = Target { indicator: Indicator::Pmt, kind: TargetKind::Increase, baseline: 1000, target: 1260 };
        assert_eq!(t.rate(1130).to_decimal(), Decimal::new(5, 1));
        assert_eq!(t.rate(900), Rate::ZERO);
        assert_eq!(t.rate(2000), Rate::ONE);
        let keep = Target { indicator: Indicator::Pmt, kind: TargetKind::Maintain, baseline: 1000, target: 900 };
        assert_eq!((keep.rate(900), keep.rate(899)), (Rate::ONE, Rate::ZERO));
        let three_quarters = Rate::mean(Rate { num: 1, den: 2 }, Rate::ONE);
        assert_eq!(three_quarters.apply(Decimal::from(66_000)), Decimal::new(4_950_000, 2));
        assert_eq!(Rate { num: 1, den: 3 }.apply(Decimal::from(10_000)), Decimal::new(333_333, 2));
        assert_eq!(Rate { num: 1, den: 8 }.apply(Decimal::new(1, 1)), Decimal::new(1, 2), "0.0125 rounds half up");
    }

    #[test]
    fn contract_years() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("valid");
        assert_eq!(contract_year_on(d(2021, 3, 1), d(2024, 2, 29)), Some(3));
        assert_eq!(contract_year_on(d(2021, 3, 1), d(2024, 3, 1)), Some(4));
        assert_eq!(contract_year_on(d(2021, 3, 1), d(2021, 2, 28)), None);
        assert_eq!(contract_year_start(d(2021, 3, 1), 5), Some(d(2025, 3, 1)));
    }
}
