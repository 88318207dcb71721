//! The assistant-médical aid rules (RULES.md §2–§7): individual aid, collective aid (C2026)
//! and the assistant checks, as pure functions of a case, a date and the dated parameters.
//!
//! Each evaluation is generic over a [`Tracer`]: [`NoTrace`] for batch work, [`Recorder`] to
//! build an [`Explanation`]. Both run the very same code.

pub mod aci;
pub mod assistant;
pub mod catalogue;
pub mod collective;
pub mod compatibility;
pub mod explain;
pub mod individual;
pub mod params;
pub mod simulation;
pub mod structure;

use chrono::{Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
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

    /// `amount × rate`, rounded to the cent, halves up; `None` past 128-bit cents.
    pub fn apply(self, amount: Decimal) -> Option<Decimal> {
        times_fraction(amount, self.num, self.den)
    }

    /// The rate as a decimal, to six places, halves up like money.
    pub fn to_decimal(self) -> Decimal {
        shown_fraction(self.num, self.den)
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

/// `num / den` as explanations show a fraction (a rate, an ETP): a decimal to six places,
/// halves up, without trailing zeros.
pub(crate) fn shown_fraction(num: u128, den: u128) -> Decimal {
    (Decimal::from_i128_with_scale(num as i128, 0) / Decimal::from_i128_with_scale(den as i128, 0))
        .round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// `amount × num / den` in euros, rounded to the cent, halves up, computed exactly in whole
/// cents (the amount itself first taken to the cent). `None` when `den` is zero or the product
/// leaves 128 bits, far beyond any real amount.
pub fn times_fraction(amount: Decimal, num: u128, den: u128) -> Option<Decimal> {
    let cents = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let cents = cents.mantissa().checked_mul(10i128.pow(2 - cents.scale()))?;
    let (num, den) = (i128::try_from(num).ok()?, i128::try_from(den).ok()?.checked_mul(2)?);
    // Twice the exact quotient, plus one, halved: halves go up (amounts are not negative).
    let paid = cents.checked_mul(num)?.checked_mul(2)?.checked_add(den / 2)?.checked_div(den)?;
    Some(Decimal::from_i128_with_scale(paid, 2))
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

/// Contract year (1-based) running on `day`, or `None` before the signature. Years start on
/// the days [`contract_year_start`] gives: a contract signed on 29 February has its anniversary
/// on 28 February in common years (the month's last day, as French law counts a term in years,
/// code de procédure civile art. 641), where `years_since` alone would wait for 1 March.
pub fn contract_year_on(signed_on: NaiveDate, day: NaiveDate) -> Option<u32> {
    let whole = day.years_since(signed_on)?;
    let next = whole + 2;
    Some(if contract_year_start(signed_on, next).is_some_and(|start| start <= day) { next } else { whole + 1 })
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

    fn rate(num: u128, den: u128) -> Rate {
        Rate { num, den }
    }

    fn cents(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    #[test]
    fn ceilings_round_up_only_what_is_not_whole() {
        assert_eq!(ceil_div(10, 5), (2, false));
        assert_eq!(ceil_div(11, 5), (3, true));
        assert_eq!(ceil_div(0, 7), (0, false));
        assert_eq!(ceil_div(u128::from(u32::MAX) * 3, 2), (u32::MAX, true), "saturates, never wraps");
        assert_eq!(ceil_increase(1500, Decimal::new(75, 3)), (1613, true));
        assert_eq!(ceil_increase(700, Decimal::new(20, 2)), (840, false));
        assert_eq!(ceil_increase(1000, Decimal::ZERO), (1000, false));
        assert_eq!(ceil_decrease(1200, Decimal::new(10, 2)), (1080, false));
        assert_eq!(ceil_decrease(1001, Decimal::new(10, 2)), (901, true));
        assert_eq!(ceil_decrease(1000, Decimal::new(15, 1)), (0, false), "a drop past 100 % keeps nothing");
        assert_eq!(ceil_times_etp(260, crate::time::Etp::new(1, 3)), (87, true));
        assert_eq!(ceil_times_etp(260, crate::time::Etp::new(1, 2)), (130, false));
        assert_eq!(ceil_times_etp(110, crate::time::Etp::new(5, 2)), (275, false));
        assert_eq!(fraction(Decimal::new(125, 3)), (125, 1000));
        assert_eq!(fraction(Decimal::new(-1, 0)), (0, 1), "negative ratios read as zero");
    }

    #[test]
    fn targets_rate_the_share_of_the_increase_reached() {
        let t = Target { indicator: Indicator::Pmt, kind: TargetKind::Increase, baseline: 1000, target: 1260 };
        assert_eq!(t.rate(1130), rate(1, 2));
        assert_eq!(t.rate(1001), rate(1, 260));
        assert_eq!(t.rate(1000), Rate::ZERO);
        assert_eq!(t.rate(900), Rate::ZERO, "below the baseline counts as nothing gained");
        assert_eq!(t.rate(1260), Rate::ONE);
        assert_eq!(t.rate(2000), Rate::ONE, "above the target is capped at one");
        let median = Target { kind: TargetKind::ReachMedian, ..t };
        assert_eq!(median.rate(1065), rate(1, 4));
        let keep = Target { indicator: Indicator::Pmt, kind: TargetKind::Maintain, baseline: 1000, target: 900 };
        assert_eq!((keep.rate(900), keep.rate(899), keep.rate(5000)), (Rate::ONE, Rate::ZERO, Rate::ONE));
        // A median already reached at signature is a level to keep.
        let reached = Target { indicator: Indicator::Pmt, kind: TargetKind::ReachMedian, baseline: 1100, target: 1045 };
        assert_eq!((reached.rate(1045), reached.rate(1044)), (Rate::ONE, Rate::ZERO));
        let flat = Target { indicator: Indicator::Pmt, kind: TargetKind::Increase, baseline: 1000, target: 1000 };
        assert_eq!((flat.rate(1000), flat.rate(999)), (Rate::ONE, Rate::ZERO));
    }

    #[test]
    fn rates_compare_combine_and_print_exactly() {
        assert_eq!(rate(1, 2), rate(2, 4));
        assert_ne!(rate(1, 2), rate(1, 3));
        assert_ne!(rate(2, 3), rate(1, 3));
        assert!(rate(3, 3).is_one() && !rate(2, 3).is_one() && !Rate::ZERO.is_one());
        assert_eq!(Rate::mean(rate(1, 2), Rate::ONE), rate(3, 4));
        assert_eq!(Rate::mean(rate(1, 3), rate(1, 6)), rate(1, 4));
        assert_eq!(Rate::mean(Rate::ZERO, Rate::ZERO), Rate::ZERO);
        for (a, b, max) in [
            (rate(1, 3), rate(1, 2), rate(1, 2)),
            (rate(2, 3), rate(1, 2), rate(2, 3)),
            (rate(1, 4), rate(3, 10), rate(3, 10)),
        ] {
            assert_eq!(Rate::max(a, b), max);
            assert_eq!(Rate::max(b, a), max);
        }
        assert_eq!(rate(1, 3).to_decimal(), Decimal::new(333_333, 6));
        assert_eq!(rate(2, 3).to_decimal(), Decimal::new(666_667, 6));
        assert_eq!(rate(1, 128).to_decimal(), Decimal::new(7_813, 6), "0.0078125 rounds half up");
        assert_eq!(rate(1, 2).to_decimal().to_string(), "0.5");
        assert_eq!(serde_json::to_string(&rate(3, 4)).expect("serialises"), "\"0.75\"");
        assert_eq!(Rate::ONE.to_decimal(), Decimal::ONE);
    }

    #[test]
    fn money_is_exact_to_the_cent_halves_up() {
        assert_eq!(Rate::mean(rate(1, 2), Rate::ONE).apply(Decimal::from(66_000)), Some(cents("49500.00")));
        assert_eq!(rate(1, 3).apply(Decimal::from(10_000)), Some(cents("3333.33")));
        assert_eq!(rate(2, 3).apply(Decimal::from(10_000)), Some(cents("6666.67")));
        assert_eq!(rate(1, 128).apply(Decimal::from(22_000)), Some(cents("171.88")), "171.875: half a cent up");
        assert_eq!(rate(1, 8).apply(cents("0.1")), Some(cents("0.01")), "1.25 cents is one cent");
        assert_eq!(rate(3, 8).apply(cents("0.1")), Some(cents("0.04")), "3.75 cents is four");
        assert_eq!(Rate::ONE.apply(cents("19000")), Some(cents("19000.00")));
        assert_eq!(Rate::ZERO.apply(cents("19000")), Some(cents("0.00")));
        // An amount with more than two decimals is first taken to the cent, halves up.
        assert_eq!(Rate::ONE.apply(cents("0.125")), Some(cents("0.13")));
        assert_eq!(Rate::ONE.apply(cents("0.124")), Some(cents("0.12")));
        assert_eq!(times_fraction(Decimal::from(38_000), 2, 3), Some(cents("25333.33")));
        assert_eq!(times_fraction(Decimal::from(22_000), 5, 2), Some(cents("55000.00")));
        assert_eq!(times_fraction(Decimal::from(22_000), 1, 0), None, "no division by zero");
        assert_eq!(times_fraction(Decimal::MAX, u128::from(u64::MAX), 1), None, "no overflow");
        assert_eq!(times_fraction(Decimal::from(1), u128::MAX, 1), None, "no wrap of the numerator");
    }

    #[test]
    fn objectives_combine_two_indicators() {
        let pmt = Target { indicator: Indicator::Pmt, kind: TargetKind::Increase, baseline: 1000, target: 1100 };
        let fa = Target { indicator: Indicator::FileActive, kind: TargetKind::Increase, baseline: 2000, target: 2100 };
        let actual = Activity { pmt: Some(1100), adult_pmt: None, file_active: Some(2050) };
        let both = Objectives { targets: [Some(pmt), Some(fa)], combine: Some(Combine::Both), due_by: None };
        assert_eq!(both.rate(&actual), Ok(rate(3, 4)));
        let either = Objectives { combine: Some(Combine::Either), ..both };
        assert_eq!(either.rate(&actual), Ok(Rate::ONE));
        let unset = Objectives { combine: None, ..both };
        assert_eq!(unset.rate(&actual), Ok(rate(3, 4)), "both is the default");
        let one = Objectives { targets: [None, Some(fa)], ..both };
        assert_eq!(one.rate(&actual), Ok(rate(1, 2)));
        assert_eq!(Objectives::default().rate(&actual), Ok(Rate::ONE), "no objective: nothing to reach");
        let no_fa = Activity { file_active: None, ..actual };
        assert_eq!(both.rate(&no_fa), Err(Indicator::FileActive));
        assert_eq!(both.iter().count(), 2);
    }

    #[test]
    fn indicators_name_their_inputs() {
        let a = Activity { pmt: Some(1), adult_pmt: Some(2), file_active: Some(3) };
        let all = [Indicator::Pmt, Indicator::AdultPmt, Indicator::FileActive];
        assert_eq!(all.map(|i| i.of(&a)), [Some(1), Some(2), Some(3)]);
        assert_eq!(all.map(Indicator::code), ["PMT", "ADULT_PMT", "FILE_ACTIVE"]);
        assert_eq!(
            all.map(|i| i.input_name(Prefix::Baseline)),
            ["doctor.activity.pmt", "doctor.activity.adult_pmt", "doctor.activity.file_active"]
        );
        assert_eq!(all.map(|i| i.input_name(Prefix::Actual)), ["actual.pmt", "actual.adult_pmt", "actual.file_active"]);
    }

    #[test]
    fn rule_sets_and_tallies() {
        let mut set = RuleSet::default();
        assert!(set.is_empty());
        set.insert(RuleId::IndSector);
        set.insert(RuleId::ColDuration);
        assert!(set.contains(RuleId::IndSector) && set.contains(RuleId::ColDuration));
        assert!(!set.contains(RuleId::IndLiberal) && !set.is_empty());
        assert_eq!(set.iter().collect::<Vec<_>>(), [RuleId::IndSector, RuleId::ColDuration]);

        let mut tally = Tally::default();
        for o in [Outcome::Pass, Outcome::Warn, Outcome::NotApplicable] {
            tally.record(RuleId::IndLiberal, o);
        }
        assert_eq!(tally.verdict(), Verdict::Eligible);
        tally.record(RuleId::IndSector, Outcome::Undecided);
        assert_eq!(tally.verdict(), Verdict::Undecided);
        tally.record(RuleId::IndOption, Outcome::Fail);
        assert_eq!(tally.verdict(), Verdict::NotEligible);
        assert!(tally.failing.contains(RuleId::IndOption) && tally.undecided.contains(RuleId::IndSector));
    }

    #[test]
    fn contract_years_and_29_february() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("valid");
        assert_eq!(contract_year_on(d(2021, 3, 1), d(2021, 3, 1)), Some(1));
        assert_eq!(contract_year_on(d(2021, 3, 1), d(2024, 2, 29)), Some(3));
        assert_eq!(contract_year_on(d(2021, 3, 1), d(2024, 3, 1)), Some(4));
        assert_eq!(contract_year_on(d(2021, 3, 1), d(2021, 2, 28)), None);
        assert_eq!(contract_year_start(d(2021, 3, 1), 1), Some(d(2021, 3, 1)));
        assert_eq!(contract_year_start(d(2021, 3, 1), 5), Some(d(2025, 3, 1)));
        assert_eq!(contract_year_start(d(2021, 3, 1), 0), None);
        // Signed on 29 February: the anniversary is 28 February in common years.
        let leap = d(2024, 2, 29);
        assert_eq!(contract_year_start(leap, 2), Some(d(2025, 2, 28)));
        assert_eq!(contract_year_on(leap, d(2025, 2, 27)), Some(1));
        assert_eq!(contract_year_on(leap, d(2025, 2, 28)), Some(2));
        assert_eq!(contract_year_on(leap, d(2028, 2, 28)), Some(4));
        assert_eq!(contract_year_on(leap, d(2028, 2, 29)), Some(5));
        // Every day of 2019–2031 belongs to the year whose start it follows.
        for signed in [d(2020, 2, 29), d(2021, 1, 31), d(2023, 12, 31)] {
            let mut day = signed;
            while day < d(2031, 1, 1) {
                let k = contract_year_on(signed, day).expect("after signature");
                assert!(contract_year_start(signed, k).is_some_and(|s| s <= day), "{signed} {day}");
                assert!(contract_year_start(signed, k + 1).is_some_and(|s| s > day), "{signed} {day}");
                day = day.succ_opt().expect("next day");
            }
        }
    }
}
