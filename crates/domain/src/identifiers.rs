//! National identifiers (RULES.md §11), parsed once at the edge into newtypes.
//!
//! A value of one of these types is always well-formed; whether a check digit failure rejects
//! the input or only warns follows the rejection/warning column of RULES.md §11.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which identifier a parse error or warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierKind {
    Rpps,
    Finess,
    Siren,
    Siret,
    InseeCommune,
    AmNumber,
}

impl IdentifierKind {
    fn code_prefix(self) -> &'static str {
        match self {
            Self::Rpps => "RPPS",
            Self::Finess => "FINESS",
            Self::Siren => "SIREN",
            Self::Siret => "SIRET",
            Self::InseeCommune => "INSEE_COMMUNE",
            Self::AmNumber => "AM_NUMBER",
        }
    }
}

/// Why an identifier was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind:?}: {reason}")]
pub struct IdentifierError {
    pub kind: IdentifierKind,
    pub problem: IdentifierProblem,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierProblem {
    /// Wrong length, characters or prefix.
    Malformed,
    /// Well-formed but the check digit / key does not verify.
    BadCheckDigit,
}

impl IdentifierError {
    fn malformed(kind: IdentifierKind, reason: impl Into<String>) -> Self {
        Self { kind, problem: IdentifierProblem::Malformed, reason: reason.into() }
    }

    fn bad_check_digit(kind: IdentifierKind, reason: impl Into<String>) -> Self {
        Self { kind, problem: IdentifierProblem::BadCheckDigit, reason: reason.into() }
    }

    /// Stable machine-readable code, e.g. `FINESS_MALFORMED` or `SIRET_BAD_CHECK_DIGIT`.
    pub fn code(&self) -> String {
        let suffix = match self.problem {
            IdentifierProblem::Malformed => "MALFORMED",
            IdentifierProblem::BadCheckDigit => "BAD_CHECK_DIGIT",
        };
        format!("{}_{suffix}", self.kind.code_prefix())
    }
}

/// A condition worth showing a user that does not make the identifier unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifierWarning {
    pub kind: IdentifierKind,
    pub code: &'static str,
    pub message: &'static str,
}

/// Luhn (mod 10) check over a string of ASCII digits.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Input is trimmed and, for the alphanumeric identifiers, upper-cased, so that `2a…` is `2A…`.
fn normalise(input: &str) -> String {
    input.trim().to_ascii_uppercase()
}

macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdentifierError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdentifierError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    };
}

/// RPPS: the practitioner's lifetime national number, 11 digits.
///
/// The Luhn key is unconfirmed (ANS's own fictitious examples fail it), so a failing key is a
/// warning, never a rejection (RULES.md §11).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rpps(String);
string_newtype!(Rpps);

impl Rpps {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let s = normalise(input);
        if s.len() != 11 || !all_digits(&s) {
            return Err(IdentifierError::malformed(IdentifierKind::Rpps, "an RPPS number is exactly 11 digits"));
        }
        Ok(Self(s))
    }

    pub fn warnings(&self) -> Vec<IdentifierWarning> {
        if luhn_valid(&self.0) {
            Vec::new()
        } else {
            vec![IdentifierWarning {
                kind: IdentifierKind::Rpps,
                code: "RPPS_CHECK_DIGIT_UNVERIFIED",
                message: "the RPPS number fails the Luhn check; accepted, since the RPPS key \
                          algorithm is not confirmed, but please double-check it",
            }]
        }
    }
}

/// FINESS: a structure's 9-character number, département prefix + digits, last char a key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Finess(String);
string_newtype!(Finess);

/// Length of the département prefix at the start of `s`, if `s` starts with a valid one.
/// Metropolitan: 01-19, 2A, 2B, 21-95 (no 20); overseas: 971-976; Mayotte also 98.
fn departement_prefix_len(s: &str, overseas_max: u8) -> Option<usize> {
    let [x, y, z, ..] = *s.as_bytes() else { return None };
    match (x, y) {
        (b'2', b'A' | b'B') => Some(2),
        (b'9', b'7') => (z.is_ascii_digit() && (b'1'..=overseas_max).contains(&z)).then_some(3),
        (x, y) if x.is_ascii_digit() && y.is_ascii_digit() => {
            let n = (x - b'0') * 10 + (y - b'0');
            ((1..=19).contains(&n) || (21..=95).contains(&n)).then_some(2)
        }
        _ => None,
    }
}

impl Finess {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let kind = IdentifierKind::Finess;
        let s = normalise(input);
        if s.len() != 9 {
            return Err(IdentifierError::malformed(kind, "a FINESS number is exactly 9 characters"));
        }
        let is_mayotte = s.starts_with("98");
        let prefix = if is_mayotte { Some(2) } else { departement_prefix_len(&s, b'6') };
        let Some(prefix) = prefix else {
            return Err(IdentifierError::malformed(
                kind,
                "a FINESS number starts with a département code (01-19, 2A, 2B, 21-95, 971-976 or 98)",
            ));
        };
        if !all_digits(&s[prefix..]) {
            return Err(IdentifierError::malformed(
                kind,
                "after the département code a FINESS number holds digits only",
            ));
        }
        // The key is checked where it can be: on all-digit numbers (not Corsica's 2A/2B).
        if all_digits(&s) && !luhn_valid(&s) {
            return Err(IdentifierError::bad_check_digit(
                kind,
                "the FINESS key (last character) does not match the number",
            ));
        }
        Ok(Self(s))
    }

    pub fn departement(&self) -> &str {
        let len = if self.0.starts_with("97") { 3 } else { 2 };
        &self.0[..len]
    }
}

/// SIREN: a company's 9-digit number with a Luhn key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);
string_newtype!(Siren);

/// La Poste's SIREN: its establishments' SIRETs do not follow Luhn.
const LA_POSTE_SIREN: &str = "356000000";

impl Siren {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let kind = IdentifierKind::Siren;
        let s: String = normalise(input).chars().filter(|c| *c != ' ').collect();
        if s.len() != 9 || !all_digits(&s) {
            return Err(IdentifierError::malformed(kind, "a SIREN number is exactly 9 digits"));
        }
        if !luhn_valid(&s) {
            return Err(IdentifierError::bad_check_digit(kind, "the SIREN key does not verify (Luhn)"));
        }
        Ok(Self(s))
    }
}

/// SIRET: an establishment's 14-digit number (SIREN + NIC).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(String);
string_newtype!(Siret);

impl Siret {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let kind = IdentifierKind::Siret;
        let s: String = normalise(input).chars().filter(|c| *c != ' ').collect();
        if s.len() != 14 || !all_digits(&s) {
            return Err(IdentifierError::malformed(kind, "a SIRET number is exactly 14 digits"));
        }
        let valid = if s.starts_with(LA_POSTE_SIREN) {
            // La Poste numbers its many establishments with a digit sum multiple of 5 instead.
            s.bytes().map(|b| u32::from(b - b'0')).sum::<u32>().is_multiple_of(5)
        } else {
            luhn_valid(&s)
        };
        if !valid {
            return Err(IdentifierError::bad_check_digit(kind, "the SIRET key does not verify (Luhn)"));
        }
        Siren::parse(&s[..9])
            .map_err(|_| IdentifierError::bad_check_digit(kind, "the SIREN part of this SIRET does not verify"))?;
        Ok(Self(s))
    }

    pub fn siren(&self) -> Siren {
        Siren(self.0[..9].to_owned())
    }
}

/// INSEE commune code (COG): 2-character département + 3 digits, or 97x + 2 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InseeCommune(String);
string_newtype!(InseeCommune);

impl InseeCommune {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let kind = IdentifierKind::InseeCommune;
        let s = normalise(input);
        let malformed = || {
            IdentifierError::malformed(
                kind,
                "an INSEE commune code is a département (01-19, 2A, 2B, 21-95) and 3 digits, \
                 or an overseas département (971-978) and 2 digits",
            )
        };
        if s.len() != 5 {
            return Err(malformed());
        }
        let prefix = departement_prefix_len(&s, b'8').ok_or_else(malformed)?;
        let commune = &s[prefix..];
        if !all_digits(commune) || commune.bytes().all(|b| b == b'0') {
            return Err(malformed());
        }
        Ok(Self(s))
    }

    pub fn departement(&self) -> &str {
        let len = if self.0.starts_with("97") { 3 } else { 2 };
        &self.0[..len]
    }
}

/// Assurance Maladie practitioner number ("numéro AM"), one per cabinet: 8 digits + key.
/// The key algorithm is not documented, so only the shape is checked (RULES.md §11).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AmNumber(String);
string_newtype!(AmNumber);

impl AmNumber {
    pub const DOCTOR_CATEGORY: u8 = 1;

    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let s = normalise(input);
        if s.len() != 9 || !all_digits(&s) {
            return Err(IdentifierError::malformed(
                IdentifierKind::AmNumber,
                "an Assurance Maladie number is 9 digits (8 digits and a key)",
            ));
        }
        Ok(Self(s))
    }

    /// Parses a doctor's number: the third digit (profession category) must be `1`.
    pub fn parse_doctor(input: &str) -> Result<Self, IdentifierError> {
        let n = Self::parse(input)?;
        if n.category() != Self::DOCTOR_CATEGORY {
            return Err(IdentifierError::malformed(
                IdentifierKind::AmNumber,
                "a doctor's Assurance Maladie number has 1 as its third digit",
            ));
        }
        Ok(n)
    }

    /// Profession category (third digit): 1 doctors, 4 dentists, 6 nurses, …
    pub fn category(&self) -> u8 {
        self.0.as_bytes()[2] - b'0'
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<T>(r: Result<T, IdentifierError>) -> String {
        match r {
            Ok(_) => "OK".into(),
            Err(e) => e.code(),
        }
    }

    #[test]
    fn luhn_reference_values() {
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
    }

    #[test]
    fn rpps() {
        let valid = Rpps::parse("10003461034").expect("11 digits");
        assert!(valid.warnings().is_empty(), "Luhn-valid RPPS has no warning");
        // ANS's own fictitious example fails Luhn: accepted with a warning.
        let ans_example = Rpps::parse(" 10101201234 ").expect("accepted");
        assert_eq!(ans_example.as_str(), "10101201234");
        assert_eq!(ans_example.warnings()[0].code, "RPPS_CHECK_DIGIT_UNVERIFIED");
        for bad in ["", "1010120123", "101012012345", "1010120123A", "10101-01234"] {
            assert_eq!(code(Rpps::parse(bad)), "RPPS_MALFORMED", "{bad:?}");
        }
    }

    #[test]
    fn finess() {
        // Real FINESS numbers, keys verified by Luhn.
        for ok in ["010780914", "540002698", "750712184"] {
            assert_eq!(code(Finess::parse(ok)), "OK", "{ok}");
        }
        // Corsica: 2A / 2B prefixes, no numeric key check possible.
        let corsica = Finess::parse("2a0000127").expect("Corsican FINESS");
        assert_eq!(corsica.as_str(), "2A0000127");
        assert_eq!(corsica.departement(), "2A");
        assert_eq!(code(Finess::parse("2B0003456")), "OK");
        // Overseas 971-976, Mayotte 98.
        let reunion = Finess::parse("970000011").err().map(|e| e.code());
        assert_eq!(reunion.as_deref(), Some("FINESS_MALFORMED"), "970 is not a département");
        for bad in ["123", "", "0107809140", "200000000", "000000000", "960000000", "2C0000127", "01078091X"] {
            assert_eq!(code(Finess::parse(bad)), "FINESS_MALFORMED", "{bad:?}");
        }
        assert_eq!(code(Finess::parse("010780915")), "FINESS_BAD_CHECK_DIGIT");
    }

    #[test]
    fn finess_overseas_key() {
        // Build a valid overseas number by searching the one key digit that satisfies Luhn.
        let base = "97400001";
        let key = (0..10).find(|k| luhn_valid(&format!("{base}{k}"))).expect("one key fits");
        let n = Finess::parse(&format!("{base}{key}")).expect("overseas FINESS");
        assert_eq!(n.departement(), "974");
        let mayotte = (0..10).map(|k| format!("98500001{k}")).find(|s| luhn_valid(s)).expect("key");
        assert_eq!(code(Finess::parse(&mayotte)), "OK");
    }

    #[test]
    fn siren() {
        assert_eq!(code(Siren::parse("732829320")), "OK");
        assert_eq!(code(Siren::parse("356 000 000")), "OK");
        assert_eq!(code(Siren::parse("732829321")), "SIREN_BAD_CHECK_DIGIT");
        for bad in ["73282932", "7328293201", "73282932A"] {
            assert_eq!(code(Siren::parse(bad)), "SIREN_MALFORMED", "{bad:?}");
        }
    }

    #[test]
    fn siret() {
        let s = Siret::parse("73282932000074").expect("valid SIRET");
        assert_eq!(s.siren().as_str(), "732829320");
        assert_eq!(code(Siret::parse("73282932000075")), "SIRET_BAD_CHECK_DIGIT");
        // La Poste: fails Luhn, valid because its digit sum is a multiple of 5.
        assert!(!luhn_valid("35600000009075"));
        assert_eq!(code(Siret::parse("35600000009075")), "OK");
        assert_eq!(code(Siret::parse("35600000009076")), "SIRET_BAD_CHECK_DIGIT");
        for bad in ["7328293200007", "732829320000744", "7328293200007A", "123"] {
            assert_eq!(code(Siret::parse(bad)), "SIRET_MALFORMED", "{bad:?}");
        }
    }

    #[test]
    fn insee_commune() {
        for ok in ["75056", "75101", "69381", "13201", "2A004", "2b033", "97411", "97611", "01001"] {
            assert_eq!(code(InseeCommune::parse(ok)), "OK", "{ok}");
        }
        assert_eq!(InseeCommune::parse("2a004").expect("Ajaccio").departement(), "2A");
        assert_eq!(InseeCommune::parse("97411").expect("Saint-Denis").departement(), "974");
        for bad in ["20004", "2C004", "7505", "750560", "97011", "97911", "00001", "75000", "96001", "ABCDE"] {
            assert_eq!(code(InseeCommune::parse(bad)), "INSEE_COMMUNE_MALFORMED", "{bad:?}");
        }
    }

    #[test]
    fn am_number() {
        let n = AmNumber::parse_doctor("751234567").expect("doctor number");
        assert_eq!(n.category(), 1);
        assert_eq!(code(AmNumber::parse("756234567")), "OK");
        assert_eq!(code(AmNumber::parse_doctor("756234567")), "AM_NUMBER_MALFORMED");
        for bad in ["75123456", "7512345678", "75123456A"] {
            assert_eq!(code(AmNumber::parse(bad)), "AM_NUMBER_MALFORMED", "{bad:?}");
        }
    }

    #[test]
    fn serde_round_trip_refuses_invalid() {
        let ok: Result<Finess, _> = serde_json::from_str("\"010780914\"");
        assert!(ok.is_ok());
        let bad: Result<Finess, _> = serde_json::from_str("\"123\"");
        assert!(bad.is_err());
    }
}
