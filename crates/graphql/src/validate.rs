//! Input checking for mutations: parses raw input into domain values and collects every
//! problem as a `UserError` with its field path, so a client sees all of them at once.

use domain::{IdentifierError, IdentifierWarning, Period, TimeError, WeeklyTime};

use crate::error::UserErrorCode as Code;
use crate::error::{UserError, UserWarning};
use crate::scalars::Date;

/// Longest free-text name accepted.
pub const MAX_NAME_LENGTH: usize = 200;

#[derive(Debug, Default)]
pub struct Checker {
    pub errors: Vec<UserError>,
    pub warnings: Vec<UserWarning>,
}

fn path(field: &[&str]) -> Vec<String> {
    std::iter::once("input").chain(field.iter().copied()).map(str::to_owned).collect()
}

impl Checker {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn error(&mut self, field: &[&str], code: Code, message: impl Into<String>) {
        self.errors.push(UserError { field: path(field), message: message.into(), code });
    }

    pub fn warn(&mut self, field: &[&str], code: Code, message: impl Into<String>) {
        self.warnings.push(UserWarning { field: path(field), message: message.into(), code });
    }

    pub fn identifier<T>(&mut self, field: &[&str], parsed: Result<T, IdentifierError>) -> Option<T> {
        parsed.map_err(|e| self.error(field, Code::of_identifier(&e), e.reason)).ok()
    }

    pub fn identifier_warnings(&mut self, field: &[&str], warnings: Vec<IdentifierWarning>) {
        for w in warnings {
            match Code::from_name(w.code) {
                Some(code) => self.warn(field, code, w.message),
                // A domain warning the schema does not name yet (a test checks there is none).
                None => tracing::error!(code = w.code, "identifier warning without a user error code"),
            }
        }
    }

    /// A trimmed, non-empty name of at most 200 characters, without control characters (NUL,
    /// line breaks, tabs) or bidirectional overrides, which could disguise what a page shows.
    pub fn name(&mut self, field: &[&str], value: &str) -> Option<String> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.error(field, Code::Required, "must not be empty");
            None
        } else if let Some(bad) = trimmed.chars().find(|c| forbidden_in_names(*c)) {
            self.error(
                field,
                Code::NameInvalidCharacters,
                format!("must not contain control or text-direction characters (U+{:04X})", u32::from(bad)),
            );
            None
        } else if trimmed.chars().count() > MAX_NAME_LENGTH {
            self.error(field, Code::TooLong, format!("must be at most {MAX_NAME_LENGTH} characters"));
            None
        } else {
            Some(trimmed.to_owned())
        }
    }

    pub fn weekly_time(&mut self, field: &[&str], value: &str) -> Option<WeeklyTime> {
        WeeklyTime::parse(value)
            .map_err(|e| {
                let code = match e {
                    TimeError::OverFullTime => Code::WeeklyHoursOverFullTime,
                    TimeError::Zero => Code::WeeklyHoursZero,
                    TimeError::NotWholeMinutes => Code::WeeklyHoursNotWholeMinutes,
                    TimeError::Malformed | TimeError::MalformedFraction | TimeError::EtpOutOfRange => {
                        Code::WeeklyHoursMalformed
                    }
                };
                self.error(field, code, e.to_string());
            })
            .ok()
    }

    /// A period; an end before the start is reported on the `to` field.
    pub fn period(&mut self, field_prefix: &[&str], from: Date, to: Option<Date>) -> Option<Period> {
        Period::new(from.0, to.map(|d| d.0))
            .map_err(|e| {
                let mut field = field_prefix.to_vec();
                field.push("to");
                self.error(&field, Code::EndBeforeStart, e.to_string());
            })
            .ok()
    }

    pub fn into_parts(self) -> (Vec<UserError>, Vec<UserWarning>) {
        (self.errors, self.warnings)
    }
}

/// Control characters (C0, DEL, C1) and the Unicode bidirectional embeddings, overrides,
/// isolates and marks (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069).
fn forbidden_in_names(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_paths_and_codes() {
        let mut c = Checker::default();
        assert_eq!(c.name(&["name"], "  "), None);
        assert_eq!(c.weekly_time(&["weeklyHours"], "40"), None);
        assert!(!c.is_ok());
        assert_eq!(c.errors[0].field, vec!["input", "name"]);
        assert_eq!(c.errors[1].code, Code::WeeklyHoursOverFullTime);
    }

    #[test]
    fn names_refuse_control_and_direction_characters() {
        for bad in
            ["Dr\0Martin", "Martin\u{202E}nitraM", "a\u{2066}b", "line\nbreak", "tab\there", "\u{7F}x", "x\u{85}y"]
        {
            let mut c = Checker::default();
            assert_eq!(c.name(&["lastName"], bad), None, "{bad:?}");
            assert_eq!(c.errors[0].code, Code::NameInvalidCharacters, "{bad:?}");
        }
        let mut c = Checker::default();
        assert_eq!(c.name(&["lastName"], "  Lefèvre-D'Ornano  ").as_deref(), Some("Lefèvre-D'Ornano"));
        assert_eq!(c.name(&["lastName"], "Nguyễn Thị").as_deref(), Some("Nguyễn Thị"));
        assert!(c.is_ok());
    }
}
