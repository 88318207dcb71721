//! Scalars: calendar dates for rules (never timestamps).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A calendar date, `YYYY-MM-DD` (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom(format!("`{s}` is not a date written YYYY-MM-DD"))),
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
}
