//! The options of the individual aid (RULES.md §4.1): minimum staffing the doctor commits to.
//!
//! An enum rather than a number: 1/3 ETP has no exact decimal form, and which options are open
//! on a date is rule data.

use serde::{Deserialize, Serialize};

use crate::codes::UnknownCode;
use crate::time::Etp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AidOption {
    /// 1/3 ETP: open under R2019/R2020, closed to new contracts since 2023-05-01.
    OneThirdEtp,
    /// 1/2 ETP.
    HalfEtp,
    /// 1 ETP.
    OneEtp,
    /// Second assistant, 1.5 ETP in all (R2024).
    OneAndHalfEtp,
    /// Second assistant, 2 ETP in all (R2024).
    TwoEtp,
}

impl AidOption {
    pub const ALL: &'static [AidOption] =
        &[Self::OneThirdEtp, Self::HalfEtp, Self::OneEtp, Self::OneAndHalfEtp, Self::TwoEtp];

    pub fn etp(self) -> Etp {
        match self {
            Self::OneThirdEtp => Etp::new(1, 3),
            Self::HalfEtp => Etp::new(1, 2),
            Self::OneEtp => Etp::ONE,
            Self::OneAndHalfEtp => Etp::new(3, 2),
            Self::TwoEtp => Etp::new(2, 1),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::OneThirdEtp => "ONE_THIRD_ETP",
            Self::HalfEtp => "HALF_ETP",
            Self::OneEtp => "ONE_ETP",
            Self::OneAndHalfEtp => "ONE_AND_HALF_ETP",
            Self::TwoEtp => "TWO_ETP",
        }
    }

    pub fn from_code(code: &str) -> Result<Self, UnknownCode> {
        Self::ALL
            .iter()
            .copied()
            .find(|o| o.code() == code)
            .ok_or_else(|| UnknownCode { vocabulary: "aid option", code: code.to_owned() })
    }

    /// Whether this is a second-assistant option (R2024).
    pub fn is_second_assistant(self) -> bool {
        matches!(self, Self::OneAndHalfEtp | Self::TwoEtp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_carry_exact_etp_and_stable_codes() {
        assert_eq!(AidOption::OneThirdEtp.etp().to_string(), "1/3");
        assert_eq!(AidOption::OneAndHalfEtp.etp().to_string(), "3/2");
        for o in AidOption::ALL {
            assert_eq!(AidOption::from_code(o.code()), Ok(*o));
        }
        assert!(AidOption::from_code("QUARTER_ETP").is_err());
        assert!(AidOption::TwoEtp.is_second_assistant() && !AidOption::OneEtp.is_second_assistant());
    }
}
