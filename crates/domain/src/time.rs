//! Exact assistant time: weekly minutes and ETP fractions.
//!
//! 1/3 ETP is 11 h 40 min a week: not a finite decimal in hours or ETP, but a whole number of
//! minutes. Time is therefore kept as minutes per week, and ETP as a reduced fraction.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Minutes in a full-time week (35 h): 1 ETP (RULES.md §1).
pub const FULL_TIME_WEEKLY_MINUTES: u32 = 35 * 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("weekly hours must look like `35`, `17.5`, `11h40` or `11:40`")]
    Malformed,
    #[error("weekly hours must be a whole number of minutes")]
    NotWholeMinutes,
    #[error("weekly hours must be more than zero")]
    Zero,
    #[error("weekly hours cannot exceed a full-time week of 35 h")]
    OverFullTime,
    #[error("an ETP fraction looks like `1`, `1/2`, `5/2` or `0.5`, with a non-zero denominator")]
    MalformedFraction,
    /// Too large, or finer than a millionth: also every number that would overflow.
    #[error(
        "an ETP must be at most {}, with at most {} decimal places or a denominator of at most {}",
        Etp::MAX,
        Etp::MAX_DECIMALS,
        Etp::MAX_DENOMINATOR
    )]
    EtpOutOfRange,
}

/// Working time per week, in whole minutes, greater than zero and at most one full-time week.
/// Serialised as its number of minutes; deserialising checks the bounds like
/// [`WeeklyTime::from_minutes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct WeeklyTime(u32);

impl<'de> Deserialize<'de> for WeeklyTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        WeeklyTime::from_minutes(u32::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl WeeklyTime {
    pub const FULL_TIME: WeeklyTime = WeeklyTime(FULL_TIME_WEEKLY_MINUTES);

    pub fn from_minutes(minutes: u32) -> Result<Self, TimeError> {
        match minutes {
            0 => Err(TimeError::Zero),
            m if m > FULL_TIME_WEEKLY_MINUTES => Err(TimeError::OverFullTime),
            m => Ok(Self(m)),
        }
    }

    /// Parses `35`, `17.5`, `17,5`, `11h40`, `11:40` or `11h`. Digits are read with checked
    /// arithmetic: a number too large for any type is over a full-time week, never wrapped.
    pub fn parse(input: &str) -> Result<Self, TimeError> {
        let s = input.trim().to_ascii_lowercase().replace(',', ".");
        let hours = |h: &str| whole(h, TimeError::Malformed, TimeError::OverFullTime);
        let minutes = if let Some((h, m)) = s.split_once(['h', ':']) {
            let hours = hours(h)?;
            // Minutes past 59 are malformed, however many digits they have.
            let mins = if m.is_empty() { 0 } else { whole(m, TimeError::Malformed, TimeError::Malformed)? };
            if mins >= 60 {
                return Err(TimeError::Malformed);
            }
            hours.checked_mul(60).and_then(|x| x.checked_add(mins)).ok_or(TimeError::OverFullTime)?
        } else if let Some((int, frac)) = s.split_once('.') {
            // Decimal hours: accepted only when they make a whole number of minutes.
            let hours = hours(int)?;
            let (digits, scale) = decimals(frac, TimeError::Malformed)?;
            // A fraction of an hour with more than two significant decimals that make whole
            // minutes does not exist (60 = 2² × 3 × 5); six is the most read, exactly.
            let scale = scale.ok_or(TimeError::NotWholeMinutes)?;
            let frac_times_60 = digits * 60;
            if !frac_times_60.is_multiple_of(scale) {
                return Err(TimeError::NotWholeMinutes);
            }
            hours.checked_mul(60).and_then(|x| x.checked_add(frac_times_60 / scale)).ok_or(TimeError::OverFullTime)?
        } else {
            hours(&s)?.checked_mul(60).ok_or(TimeError::OverFullTime)?
        };
        Self::from_minutes(u32::try_from(minutes).map_err(|_| TimeError::OverFullTime)?)
    }

    pub fn minutes(self) -> u32 {
        self.0
    }

    /// Share of a full-time week, exact.
    pub fn etp(self) -> Etp {
        Etp::new(u64::from(self.0), u64::from(FULL_TIME_WEEKLY_MINUTES))
    }
}

/// The value of a non-empty string of ASCII digits, read with checked arithmetic: `malformed`
/// when it is not such a string, `too_large` when it does not fit a `u64` (never a wrap).
fn whole(s: &str, malformed: TimeError, too_large: TimeError) -> Result<u64, TimeError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed);
    }
    s.bytes()
        .try_fold(0u64, |acc, b| acc.checked_mul(10).and_then(|x| x.checked_add(u64::from(b - b'0'))))
        .ok_or(too_large)
}

/// The digits after a decimal point as `digits / scale`, trailing zeros dropped (they add no
/// precision). `scale` is `None` when more than [`Etp::MAX_DECIMALS`] significant places remain.
/// An empty fraction (`"2."`) is `malformed`.
fn decimals(frac: &str, malformed: TimeError) -> Result<(u64, Option<u64>), TimeError> {
    if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed);
    }
    let significant = frac.trim_end_matches('0');
    if significant.len() > Etp::MAX_DECIMALS as usize {
        return Ok((0, None));
    }
    let digits = if significant.is_empty() { 0 } else { whole(significant, malformed.clone(), malformed)? };
    Ok((digits, Some(10u64.pow(significant.len() as u32))))
}

impl fmt::Display for WeeklyTime {
    /// `35h`, `17h30`, `11h40`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m) = (self.0 / 60, self.0 % 60);
        if m == 0 { write!(f, "{h}h") } else { write!(f, "{h}h{m:02}") }
    }
}

/// A non-negative ETP amount as a reduced fraction (1/3, 1/2, 5/2…). Serialised as its
/// string form, e.g. `"5/2"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Etp {
    numerator: u64,
    denominator: u64,
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Etp {
    pub const ZERO: Etp = Etp { numerator: 0, denominator: 1 };
    pub const ONE: Etp = Etp { numerator: 1, denominator: 1 };
    /// Largest ETP read from input. No text caps a contract's ETP with a number: COL-ETP-CAP
    /// allows one ETP per adhering doctor plus 0.5 per docteur-junior bonus (at most 1.5 per
    /// doctor, RULES.md §7), and an individual option is at most 2 ETP (§3). 100 ETP would be a
    /// collective contract of 67 GPs or more, far beyond any practice company, so it is a
    /// sanity bound rather than a rule: it refuses absurd input (`u64::MAX` gave a yearly
    /// maximum of 7e23 €) while accepting every real contract, and keeps amounts and products
    /// of fractions far inside the integer types. (20 would refuse a 14-GP training site,
    /// whose cap is 21.)
    pub const MAX: Etp = Etp { numerator: 100, denominator: 1 };
    /// Largest reduced denominator read from input: a millionth of an ETP, the step of six
    /// decimals; weekly time gives at most 2100 (minutes of a week).
    pub const MAX_DENOMINATOR: u64 = 1_000_000;
    /// Most significant decimal places read (`0.333333`); trailing zeros do not count.
    pub const MAX_DECIMALS: u32 = 6;

    /// `denominator` must be non-zero; callers build it from constants or checked input.
    pub fn new(numerator: u64, denominator: u64) -> Self {
        debug_assert!(denominator != 0);
        let g = gcd(numerator, denominator).max(1);
        Self { numerator: numerator / g, denominator: denominator / g }
    }

    /// Parses `1`, `2/3`, `5/2`, `2.5` (decimal with up to [`Etp::MAX_DECIMALS`] significant
    /// places), between zero and [`Etp::MAX`] with a reduced denominator of at most
    /// [`Etp::MAX_DENOMINATOR`], each written term fitting 64 bits. Zero is accepted: the rules
    /// report a contract funding no ETP (COL-ETP-CAP) and the contract mutations refuse it.
    /// Digits are read with checked arithmetic: anything that would overflow is
    /// [`TimeError::EtpOutOfRange`], never a wrap.
    pub fn parse(input: &str) -> Result<Self, TimeError> {
        use TimeError::{EtpOutOfRange, MalformedFraction};
        let s = input.trim().replace(',', ".");
        let etp = if let Some((n, d)) = s.split_once('/') {
            let n = whole(n.trim(), MalformedFraction, EtpOutOfRange)?;
            let d = whole(d.trim(), MalformedFraction, EtpOutOfRange)?;
            if d == 0 {
                return Err(MalformedFraction);
            }
            Self::new(n, d)
        } else {
            let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
            let int = whole(int, MalformedFraction, EtpOutOfRange)?;
            let (digits, scale) = match frac {
                None => (0, 1),
                Some(frac) => match decimals(frac, MalformedFraction)? {
                    (digits, Some(scale)) => (digits, scale),
                    (_, None) => return Err(EtpOutOfRange),
                },
            };
            Self::new(int.checked_mul(scale).and_then(|x| x.checked_add(digits)).ok_or(EtpOutOfRange)?, scale)
        };
        if etp > Self::MAX || etp.denominator > Self::MAX_DENOMINATOR {
            return Err(EtpOutOfRange);
        }
        Ok(etp)
    }

    /// The exact ETP a non-negative decimal spells, without the input bounds (for values the
    /// rules compute, such as a cap); `None` when negative or too large for a `u64` fraction.
    pub fn from_decimal(d: Decimal) -> Option<Etp> {
        let d = d.normalize();
        if d.is_sign_negative() && !d.is_zero() {
            return None;
        }
        let numerator = u64::try_from(d.mantissa()).ok()?;
        Some(Self::new(numerator, 10u64.checked_pow(d.scale())?))
    }

    pub fn numerator(self) -> u64 {
        self.numerator
    }

    pub fn denominator(self) -> u64 {
        self.denominator
    }

    pub fn is_zero(self) -> bool {
        self.numerator == 0
    }

    pub fn checked_add(self, other: Etp) -> Option<Etp> {
        let n = self
            .numerator
            .checked_mul(other.denominator)?
            .checked_add(other.numerator.checked_mul(self.denominator)?)?;
        let d = self.denominator.checked_mul(other.denominator)?;
        Some(Etp::new(n, d))
    }
}

impl TryFrom<String> for Etp {
    type Error = TimeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Etp::parse(&s)
    }
}

impl From<Etp> for String {
    fn from(e: Etp) -> String {
        e.to_string()
    }
}

impl PartialOrd for Etp {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Etp {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (u128::from(self.numerator) * u128::from(other.denominator))
            .cmp(&(u128::from(other.numerator) * u128::from(self.denominator)))
    }
}

impl fmt::Display for Etp {
    /// `1`, `1/3`, `5/2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.denominator == 1 {
            write!(f, "{}", self.numerator)
        } else {
            write!(f, "{}/{}", self.numerator, self.denominator)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_time_parses_exactly() {
        assert_eq!(WeeklyTime::parse("35").map(WeeklyTime::minutes), Ok(2100));
        assert_eq!(WeeklyTime::parse("17.5").map(WeeklyTime::minutes), Ok(1050));
        assert_eq!(WeeklyTime::parse("17,5").map(WeeklyTime::minutes), Ok(1050));
        assert_eq!(WeeklyTime::parse("11h40").map(WeeklyTime::minutes), Ok(700));
        assert_eq!(WeeklyTime::parse("11:40").map(WeeklyTime::minutes), Ok(700));
        assert_eq!(WeeklyTime::parse("11H").map(WeeklyTime::minutes), Ok(660));
        assert_eq!(WeeklyTime::parse("0.25").map(WeeklyTime::minutes), Ok(15));
    }

    #[test]
    fn weekly_time_refuses_what_is_not_exact_or_possible() {
        assert_eq!(WeeklyTime::parse("11.67"), Err(TimeError::NotWholeMinutes));
        assert_eq!(WeeklyTime::parse("36"), Err(TimeError::OverFullTime));
        assert_eq!(WeeklyTime::parse("35h01"), Err(TimeError::OverFullTime));
        assert_eq!(WeeklyTime::parse("0"), Err(TimeError::Zero));
        for bad in ["", "-5", "abc", "10h60", "1e3", "h30"] {
            assert_eq!(WeeklyTime::parse(bad), Err(TimeError::Malformed), "{bad:?}");
        }
    }

    #[test]
    fn one_third_etp_is_exact() {
        let third = WeeklyTime::parse("11h40").expect("valid").etp();
        assert_eq!(third, Etp::new(1, 3));
        assert_eq!(third.to_string(), "1/3");
        assert_eq!(WeeklyTime::FULL_TIME.etp(), Etp::ONE);
        let sum = third.checked_add(third).and_then(|x| x.checked_add(third));
        assert_eq!(sum, Some(Etp::ONE), "three thirds make exactly one ETP");
    }

    #[test]
    fn etp_parse_and_order() {
        assert_eq!(Etp::parse("5/2"), Ok(Etp::new(5, 2)));
        assert_eq!(Etp::parse("2.5"), Ok(Etp::new(5, 2)));
        assert_eq!(Etp::parse("3"), Ok(Etp::new(3, 1)));
        assert_eq!(Etp::parse("1/0"), Err(TimeError::MalformedFraction));
        assert_eq!(Etp::parse("x"), Err(TimeError::MalformedFraction));
        assert!(Etp::new(1, 3) < Etp::new(1, 2));
        assert!(Etp::new(4, 5) < Etp::ONE);
        assert_eq!(WeeklyTime::from_minutes(1050).map(|t| t.to_string()), Ok("17h30".into()));
    }

    #[test]
    fn etp_overflow_is_an_error_never_a_wrap() {
        // Issue 8 item 4: `1844674407370955162.0` was stored as `2/5`, and `u64::MAX` accepted.
        for big in [
            "1844674407370955162.0",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999999/1",
            "1/99999999999999999999999999",
        ] {
            assert_eq!(Etp::parse(big), Err(TimeError::EtpOutOfRange), "{big:?}");
        }
        assert_eq!(Etp::parse("100"), Ok(Etp::MAX));
        assert_eq!(Etp::parse("100.000001"), Err(TimeError::EtpOutOfRange));
        assert_eq!(Etp::parse("201/2"), Err(TimeError::EtpOutOfRange));
        assert_eq!(Etp::parse("1/1000000"), Ok(Etp::new(1, 1_000_000)));
        assert_eq!(Etp::parse("1/1000001"), Err(TimeError::EtpOutOfRange));
        assert_eq!(Etp::parse("0.0000001"), Err(TimeError::EtpOutOfRange));
        // Trailing zeros add no precision, leading zeros no size.
        assert_eq!(Etp::parse("0.50000000000"), Ok(Etp::new(1, 2)));
        assert_eq!(Etp::parse("000000000000000000000000002.5"), Ok(Etp::new(5, 2)));
        assert_eq!(Etp::parse("2000000/1000000"), Ok(Etp::new(2, 1)));
    }

    #[test]
    fn etp_from_a_computed_decimal_is_exact() {
        assert_eq!(Etp::from_decimal(Decimal::new(55, 1)), Some(Etp::new(11, 2)));
        assert_eq!(Etp::from_decimal(Decimal::new(15000, 2)), Some(Etp::new(150, 1)), "no input bound");
        assert_eq!(Etp::from_decimal(Decimal::ZERO), Some(Etp::ZERO));
        assert_eq!(Etp::from_decimal(Decimal::new(-1, 0)), None);
        assert!(TimeError::EtpOutOfRange.to_string().contains("at most 100"));
    }

    #[test]
    fn weekly_time_overflow_is_over_full_time() {
        for big in ["99999999999", "4294967296", "71582789h", "99999999999999999999.5", "71582789:00"] {
            assert_eq!(WeeklyTime::parse(big), Err(TimeError::OverFullTime), "{big:?}");
        }
        assert_eq!(WeeklyTime::parse("17.500000000").map(WeeklyTime::minutes), Ok(1050));
        assert_eq!(WeeklyTime::parse("0000000000000000000035").map(WeeklyTime::minutes), Ok(2100));
    }

    #[test]
    fn weekly_time_bounds_are_one_minute_to_a_full_week() {
        assert_eq!(FULL_TIME_WEEKLY_MINUTES, 2100);
        assert_eq!(WeeklyTime::FULL_TIME.minutes(), 2100);
        for (minutes, expected) in [
            (0, Err(TimeError::Zero)),
            (1, Ok(1)),
            (2099, Ok(2099)),
            (2100, Ok(2100)),
            (2101, Err(TimeError::OverFullTime)),
            (u32::MAX, Err(TimeError::OverFullTime)),
        ] {
            assert_eq!(WeeklyTime::from_minutes(minutes).map(WeeklyTime::minutes), expected, "{minutes}");
        }
        assert_eq!(WeeklyTime::parse("0h01").map(WeeklyTime::minutes), Ok(1));
        assert_eq!(WeeklyTime::parse("0:00"), Err(TimeError::Zero));
        assert_eq!(WeeklyTime::parse("34h59").map(WeeklyTime::minutes), Ok(2099));
        assert_eq!(WeeklyTime::parse("10h59").map(WeeklyTime::minutes), Ok(659));
        assert_eq!(WeeklyTime::parse(" 7:05 ").map(WeeklyTime::minutes), Ok(425));
    }

    #[test]
    fn weekly_time_decimal_hours() {
        for (text, expected) in [
            ("0.5", Ok(30)),
            ("1.05", Ok(63)),
            ("2.0", Ok(120)),
            ("1.000000", Ok(60)),
            ("34.99", Err(TimeError::NotWholeMinutes)),
            ("1.0078125", Err(TimeError::NotWholeMinutes)),
            ("35.0", Ok(2100)),
            ("35.05", Err(TimeError::OverFullTime)),
            ("2.", Err(TimeError::Malformed)),
            (".5", Err(TimeError::Malformed)),
            ("1.5x", Err(TimeError::Malformed)),
            // Not digits, even when more than six of them.
            ("1.abcdefg", Err(TimeError::Malformed)),
            ("1.2.3", Err(TimeError::Malformed)),
        ] {
            assert_eq!(WeeklyTime::parse(text).map(WeeklyTime::minutes), expected, "{text:?}");
        }
    }

    #[test]
    fn weekly_time_displays_hours_and_two_digit_minutes() {
        for (minutes, text) in [(2100, "35h"), (1050, "17h30"), (700, "11h40"), (65, "1h05"), (1, "0h01"), (60, "1h")] {
            let t = WeeklyTime::from_minutes(minutes).expect("valid");
            assert_eq!(t.to_string(), text);
            assert_eq!(WeeklyTime::parse(text), Ok(t), "{text} reads back");
        }
    }

    #[test]
    fn weekly_time_serialises_as_minutes_and_checks_them_when_read() {
        let t = WeeklyTime::from_minutes(1050).expect("valid");
        assert_eq!(serde_json::to_string(&t).ok().as_deref(), Some("1050"));
        assert_eq!(serde_json::from_str::<WeeklyTime>("1050").ok(), Some(t));
        for bad in ["0", "2101", "-5", "\"35h\""] {
            assert!(serde_json::from_str::<WeeklyTime>(bad).is_err(), "{bad}");
        }
        let e = serde_json::from_str::<WeeklyTime>("0").expect_err("zero").to_string();
        assert!(e.contains("more than zero"), "{e}");
    }

    #[test]
    fn weekly_time_etp_is_the_reduced_share_of_35h() {
        for (minutes, n, d) in [(2100, 1, 1), (1050, 1, 2), (700, 1, 3), (1, 1, 2100), (1680, 4, 5)] {
            let etp = WeeklyTime::from_minutes(minutes).expect("valid").etp();
            assert_eq!((etp.numerator(), etp.denominator()), (n, d), "{minutes}");
        }
    }

    #[test]
    fn etp_is_kept_reduced() {
        for ((n, d), (rn, rd)) in
            [((6, 4), (3, 2)), ((7, 7), (1, 1)), ((0, 5), (0, 1)), ((5, 1), (5, 1)), ((12, 18), (2, 3))]
        {
            let etp = Etp::new(n, d);
            assert_eq!((etp.numerator(), etp.denominator()), (rn, rd), "{n}/{d}");
        }
        assert_eq!(Etp::new(0, 5), Etp::ZERO);
        assert_eq!((Etp::ONE.numerator(), Etp::ONE.denominator()), (1, 1));
        assert!(Etp::ZERO.is_zero() && Etp::new(0, 7).is_zero());
        assert!(!Etp::ONE.is_zero() && !Etp::new(1, 1_000_000).is_zero());
    }

    #[test]
    fn etp_parse_table() {
        use TimeError::{EtpOutOfRange, MalformedFraction};
        for (text, expected) in [
            ("0", Ok((0, 1))),
            ("0.0", Ok((0, 1))),
            ("1", Ok((1, 1))),
            ("0.5", Ok((1, 2))),
            ("0,5", Ok((1, 2))),
            (" 2 / 4 ", Ok((1, 2))),
            ("4/2", Ok((2, 1))),
            ("0/3", Ok((0, 1))),
            ("0.333333", Ok((333_333, 1_000_000))),
            ("0.000001", Ok((1, 1_000_000))),
            ("99.999999", Ok((99_999_999, 1_000_000))),
            ("100/1", Ok((100, 1))),
            ("200/2", Ok((100, 1))),
            ("100.0000001", Err(EtpOutOfRange)),
            ("101", Err(EtpOutOfRange)),
            ("999999/1000000", Ok((999_999, 1_000_000))),
            ("1/999999", Ok((1, 999_999))),
            ("2/2000000", Ok((1, 1_000_000))),
            // 1/128, but written with seven significant decimals.
            ("0.0078125", Err(EtpOutOfRange)),
            ("0.1234567", Err(EtpOutOfRange)),
            ("", Err(MalformedFraction)),
            ("2.", Err(MalformedFraction)),
            (".5", Err(MalformedFraction)),
            ("0.abcdefg", Err(MalformedFraction)),
            ("1/", Err(MalformedFraction)),
            ("/2", Err(MalformedFraction)),
            ("0/0", Err(MalformedFraction)),
            ("-1", Err(MalformedFraction)),
            ("1/2/3", Err(MalformedFraction)),
        ] {
            let got = Etp::parse(text).map(|e| (e.numerator(), e.denominator()));
            assert_eq!(got, expected, "{text:?}");
        }
    }

    #[test]
    fn etp_order_is_the_order_of_the_fractions() {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let e = Etp::new;
        for (a, b, expected) in [
            (e(1, 3), e(1, 2), Less),
            (e(4, 5), Etp::ONE, Less),
            (e(5, 2), e(3, 1), Less),
            (e(2, 3), e(3, 5), Greater),
            (e(7, 3), e(7, 3), Equal),
            (Etp::ZERO, e(1, 1_000_000), Less),
            (e(100, 1), e(199, 2), Greater),
            (e(u64::MAX, 1), e(u64::MAX - 1, 1), Greater),
        ] {
            assert_eq!(a.cmp(&b), expected, "{a} vs {b}");
            assert_eq!(b.cmp(&a), expected.reverse(), "{b} vs {a}");
            assert_eq!(a.partial_cmp(&b), Some(expected), "{a} vs {b}");
        }
        assert!(e(5, 2) < e(3, 1) && e(3, 1) > e(5, 2) && e(5, 2) <= e(5, 2));
    }

    #[test]
    fn etp_sum_is_exact_and_overflow_is_none() {
        let e = Etp::new;
        for (a, b, sum) in [
            (e(1, 3), e(1, 6), e(1, 2)),
            (e(1, 2), e(1, 2), Etp::ONE),
            (Etp::ZERO, e(2, 3), e(2, 3)),
            (e(5, 2), e(1, 3), e(17, 6)),
        ] {
            assert_eq!(a.checked_add(b), Some(sum), "{a} + {b}");
        }
        assert_eq!(e(u64::MAX, 1).checked_add(Etp::ONE), None);
        assert_eq!(e(1, u64::MAX).checked_add(e(1, u64::MAX - 1)), None);
        assert_eq!(e(u64::MAX, 2).checked_add(e(1, 3)), None);
    }

    #[test]
    fn etp_displays_and_serialises_as_its_fraction() {
        for (etp, text) in [(Etp::ONE, "1"), (Etp::ZERO, "0"), (Etp::new(5, 2), "5/2"), (Etp::new(1, 3), "1/3")] {
            assert_eq!(etp.to_string(), text);
            assert_eq!(String::from(etp), text);
            assert_eq!(Etp::try_from(text.to_owned()), Ok(etp));
            assert_eq!(serde_json::to_string(&etp).ok(), Some(format!("\"{text}\"")));
        }
        assert_eq!(serde_json::from_str::<Etp>("\"0.5\"").ok(), Some(Etp::new(1, 2)));
        assert_eq!(Etp::try_from("1/0".to_owned()), Err(TimeError::MalformedFraction));
        assert!(serde_json::from_str::<Etp>("\"101\"").is_err());
    }

    #[test]
    fn etp_from_decimal_table() {
        for (d, expected) in [
            (Decimal::new(5, 1), Some((1, 2))),
            (Decimal::new(2500, 3), Some((5, 2))),
            (Decimal::new(7, 0), Some((7, 1))),
            (Decimal::new(1, 6), Some((1, 1_000_000))),
            (Decimal::new(-0, 2), Some((0, 1))),
            (Decimal::new(-5, 1), None),
            (Decimal::MAX, None),
            // 10^20 does not fit a u64 denominator.
            (Decimal::new(1, 20), None),
        ] {
            assert_eq!(Etp::from_decimal(d).map(|e| (e.numerator(), e.denominator())), expected, "{d}");
        }
        let mut negative_zero = Decimal::ZERO;
        negative_zero.set_sign_negative(true);
        assert_eq!(Etp::from_decimal(negative_zero), Some(Etp::ZERO));
    }

    #[test]
    fn time_errors_say_what_is_expected() {
        for (e, text) in [
            (TimeError::Malformed, "weekly hours must look like `35`, `17.5`, `11h40` or `11:40`"),
            (TimeError::NotWholeMinutes, "weekly hours must be a whole number of minutes"),
            (TimeError::Zero, "weekly hours must be more than zero"),
            (TimeError::OverFullTime, "weekly hours cannot exceed a full-time week of 35 h"),
            (
                TimeError::MalformedFraction,
                "an ETP fraction looks like `1`, `1/2`, `5/2` or `0.5`, with a non-zero denominator",
            ),
            (
                TimeError::EtpOutOfRange,
                "an ETP must be at most 100, with at most 6 decimal places or a denominator of at most 1000000",
            ),
        ] {
            assert_eq!(e.to_string(), text);
        }
    }
}
