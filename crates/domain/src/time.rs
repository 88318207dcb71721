//! Exact assistant time: weekly minutes and ETP fractions.
//!
//! 1/3 ETP is 11 h 40 min a week: not a finite decimal in hours or ETP, but a whole number of
//! minutes. Time is therefore kept as minutes per week, and ETP as a reduced fraction.

use std::fmt;

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
}

/// Working time per week, in whole minutes, greater than zero and at most one full-time week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WeeklyTime(u32);

impl WeeklyTime {
    pub const FULL_TIME: WeeklyTime = WeeklyTime(FULL_TIME_WEEKLY_MINUTES);

    pub fn from_minutes(minutes: u32) -> Result<Self, TimeError> {
        match minutes {
            0 => Err(TimeError::Zero),
            m if m > FULL_TIME_WEEKLY_MINUTES => Err(TimeError::OverFullTime),
            m => Ok(Self(m)),
        }
    }

    /// Parses `35`, `17.5`, `17,5`, `11h40`, `11:40` or `11h`.
    pub fn parse(input: &str) -> Result<Self, TimeError> {
        let s = input.trim().to_ascii_lowercase().replace(',', ".");
        let minutes = if let Some((h, m)) = s.split_once(['h', ':']) {
            let hours: u32 = parse_digits(h)?;
            let mins: u32 = if m.is_empty() { 0 } else { parse_digits(m)? };
            if mins >= 60 {
                return Err(TimeError::Malformed);
            }
            hours.checked_mul(60).and_then(|x| x.checked_add(mins)).ok_or(TimeError::Malformed)?
        } else if let Some((int, frac)) = s.split_once('.') {
            // Decimal hours: accepted only when they make a whole number of minutes.
            let hours: u32 = parse_digits(int)?;
            if frac.is_empty() || frac.len() > 6 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return Err(TimeError::Malformed);
            }
            let scale = 10u64.pow(frac.len() as u32);
            let frac_num: u64 = frac.parse().map_err(|_| TimeError::Malformed)?;
            let frac_minutes_times_scale = frac_num * 60;
            if !frac_minutes_times_scale.is_multiple_of(scale) {
                return Err(TimeError::NotWholeMinutes);
            }
            let frac_minutes = u32::try_from(frac_minutes_times_scale / scale).map_err(|_| TimeError::Malformed)?;
            hours.checked_mul(60).and_then(|x| x.checked_add(frac_minutes)).ok_or(TimeError::Malformed)?
        } else {
            parse_digits::<u32>(&s)?.checked_mul(60).ok_or(TimeError::Malformed)?
        };
        Self::from_minutes(minutes)
    }

    pub fn minutes(self) -> u32 {
        self.0
    }

    /// Share of a full-time week, exact.
    pub fn etp(self) -> Etp {
        Etp::new(u64::from(self.0), u64::from(FULL_TIME_WEEKLY_MINUTES))
    }
}

fn parse_digits<T: std::str::FromStr>(s: &str) -> Result<T, TimeError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TimeError::Malformed);
    }
    s.parse().map_err(|_| TimeError::Malformed)
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

    /// `denominator` must be non-zero; callers build it from constants or checked input.
    pub fn new(numerator: u64, denominator: u64) -> Self {
        debug_assert!(denominator != 0);
        let g = gcd(numerator, denominator).max(1);
        Self { numerator: numerator / g, denominator: denominator / g }
    }

    /// Parses `1`, `2/3`, `5/2`, `2.5` (decimal with up to 6 places).
    pub fn parse(input: &str) -> Result<Self, TimeError> {
        let s = input.trim().replace(',', ".");
        if let Some((n, d)) = s.split_once('/') {
            let (n, d): (u64, u64) = (
                parse_digits(n.trim()).map_err(|_| TimeError::MalformedFraction)?,
                parse_digits(d.trim()).map_err(|_| TimeError::MalformedFraction)?,
            );
            if d == 0 {
                return Err(TimeError::MalformedFraction);
            }
            return Ok(Self::new(n, d));
        }
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        let int: u64 = parse_digits(int).map_err(|_| TimeError::MalformedFraction)?;
        if frac.is_empty() {
            return if s.ends_with('.') { Err(TimeError::MalformedFraction) } else { Ok(Self::new(int, 1)) };
        }
        if frac.len() > 6 {
            return Err(TimeError::MalformedFraction);
        }
        let scale = 10u64.pow(frac.len() as u32);
        let frac: u64 = parse_digits(frac).map_err(|_| TimeError::MalformedFraction)?;
        Ok(Self::new(int * scale + frac, scale))
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
        for bad in ["", "-5", "abc", "10h60", "1e3", "h30", "99999999999"] {
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
}
