//! Scalars: calendar dates for rules (never timestamps).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Earliest year a [`Date`] accepts. Rules reach back to reference years before the aid's
/// start in 2019 and to doctors' installation dates; nothing before 1900 is a real input.
pub const MIN_YEAR: i32 = 1900;
/// Latest year a [`Date`] accepts: five-year contracts and evaluation dates stay far below it.
pub const MAX_YEAR: i32 = 2100;

/// A calendar date, `YYYY-MM-DD` (ISO 8601) exactly: a four-digit year from [`MIN_YEAR`] to
/// [`MAX_YEAR`], a two-digit month and day, nothing around them. (chrono's `%Y-%m-%d` also takes
/// `+262142-01-01` and `2026-1-5`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

impl Date {
    /// Parses a date of the strict form above; the error is a message for the client.
    pub fn parse_strict(s: &str) -> Result<Date, String> {
        let b = s.as_bytes();
        let shaped = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
        if !shaped {
            return Err(format!("`{s}` is not a date written YYYY-MM-DD (four-digit year, two-digit month and day)"));
        }
        // At most four digits each: no overflow.
        let number = |from: usize, to: usize| b[from..to].iter().fold(0i32, |n, c| n * 10 + i32::from(c - b'0'));
        let year = number(0, 4);
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(format!("`{s}`: the year must be between {MIN_YEAR} and {MAX_YEAR}"));
        }
        let (month, day) = (number(5, 7).unsigned_abs(), number(8, 10).unsigned_abs());
        NaiveDate::from_ymd_opt(year, month, day).map(Date).ok_or_else(|| format!("`{s}` is not a day of the calendar"))
    }
}

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => Date::parse_strict(s).map_err(InputValueError::custom),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d)
    }
}

/// An amount in euros, exact, written as a string with two decimals: `"38000.00"`. Numeric
/// input is refused: JSON numbers are binary floats and cannot carry cents exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money(pub Decimal);

#[Scalar(name = "Money")]
impl ScalarType for Money {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => match s.trim().parse::<Decimal>() {
                Ok(d) if d.scale() <= 2 => Ok(Money(d)),
                Ok(_) => Err(InputValueError::custom("an amount has at most two decimals (cents)")),
                Err(_) => Err(InputValueError::custom(format!("`{s}` is not an amount such as \"38000.00\""))),
            },
            Value::Number(_) => Err(InputValueError::custom(
                "write amounts as strings, e.g. \"38000.00\": numbers are binary floats and lose cents",
            )),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(format!("{:.2}", self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_a_string_both_ways() {
        assert_eq!(Money(Decimal::from(38_000)).to_value(), Value::String("38000.00".into()));
        assert_eq!(Money(Decimal::new(4_950_050, 2)).to_value(), Value::String("49500.50".into()));
        assert_eq!(
            <Money as ScalarType>::parse(Value::String("19000".into())).ok(),
            Some(Money(Decimal::from(19_000)))
        );
        assert!(<Money as ScalarType>::parse(Value::from(19_000)).is_err(), "numbers are refused");
        assert!(<Money as ScalarType>::parse(Value::from(19_000.5)).is_err(), "floats are refused");
        assert!(<Money as ScalarType>::parse(Value::String("12.345".into())).is_err(), "sub-cent amounts are refused");
    }

    fn date(s: &str) -> Result<NaiveDate, String> {
        <Date as ScalarType>::parse(Value::String(s.into()))
            .map(|d| d.0)
            .map_err(|e| e.into_server_error(Default::default()).message)
    }

    #[test]
    fn dates_are_strict_yyyy_mm_dd_within_the_years() {
        assert_eq!(date("2024-02-29"), Ok(NaiveDate::from_ymd_opt(2024, 2, 29).expect("leap day")));
        assert_eq!(date("1900-01-01").map(|d| d.to_string()), Ok("1900-01-01".into()));
        assert_eq!(date("2100-12-31").map(|d| d.to_string()), Ok("2100-12-31".into()));
        assert!(date("2026-02-29").is_err_and(|e| e.contains("not a day of the calendar")), "2026 is not leap");
        for out in ["1899-12-31", "2101-01-01", "0000-01-01", "9999-12-31"] {
            assert!(date(out).is_err_and(|e| e.contains("between 1900 and 2100")), "{out}");
        }
        for bad in ["2026-1-05", "2026-01-5", " 2026-01-05", "2026-01-05 ", "+2026-01-05", "20260105", "+262142-01-01"]
        {
            assert!(date(bad).is_err_and(|e| e.contains("YYYY-MM-DD")), "{bad:?}");
        }
        for bad in ["2026-13-01", "2026-00-10", "2026-04-31", "2026-01-00", "2026/01/05", "2026-01-0x", "２026-01-05"]
        {
            assert!(date(bad).is_err(), "{bad:?}");
        }
        assert!(<Date as ScalarType>::parse(Value::from(20260105)).is_err(), "numbers are refused");
    }
}
