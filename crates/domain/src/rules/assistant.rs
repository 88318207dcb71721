//! Checks on an assistant médical (RULES.md §6): qualification within the deadline, no
//! substitution of an existing job, funded time within the contract, monthly records.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::explain::{Explanation, Input, Outcome, Recorder, RuleId, Tracer, Verdict};
use super::params::{INDIVIDUAL_START, P, RuleBook};
use super::{Cx, RuleError, Tally};
use crate::codes::Qualification;
use crate::time::{Etp, WeeklyTime};

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

impl YearMonth {
    pub fn of(day: NaiveDate) -> Self {
        Self { year: day.year(), month: day.month() }
    }

    fn next(self) -> Self {
        if self.month == 12 {
            Self { year: self.year + 1, month: 1 }
        } else {
            Self { year: self.year, month: self.month + 1 }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssistantCase {
    pub hired_on: NaiveDate,
    pub qualification: Qualification,
    #[serde(default)]
    pub qualified_on: Option<NaiveDate>,
    /// Contractual time per week, in minutes.
    pub contractual_time: WeeklyTime,
    /// Was the practice's medical secretary before.
    #[serde(default)]
    pub former_secretary: bool,
    /// Day a replacement secretary (or an alternative arrangement) was recorded.
    #[serde(default)]
    pub replacement_recorded_on: Option<NaiveDate>,
    /// ETP funded for this assistant by each aid contract.
    #[serde(default)]
    pub funded_etp: Vec<Etp>,
    /// Months for which the structure recorded the assistant's activity; `None` when the
    /// structure keeps no records in the product.
    #[serde(default)]
    pub recorded_months: Option<Vec<YearMonth>>,
    /// Day of the check.
    pub as_of: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssistantResult {
    pub verdict: Verdict,
    pub qualification_deadline: Option<NaiveDate>,
    pub funded_etp: Etp,
    pub contractual_etp: Etp,
    pub missing_months: Vec<YearMonth>,
}

fn add_months(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// AM-ETP-CONSISTENCY's computation: the ETP the aid contracts fund for one assistant, and
/// whether it fits in her contractual ETP (CMP-ETP-OVERFUNDED reads the same).
pub fn funded_etp_fits(funded_etp: &[Etp], contractual_etp: Etp) -> Result<(Etp, bool), RuleError> {
    let funded = funded_etp
        .iter()
        .try_fold(Etp::ZERO, |acc, e| acc.checked_add(*e))
        .ok_or(RuleError::Invalid("funded ETP too large"))?;
    Ok((funded, funded <= contractual_etp))
}

pub fn evaluate<'b, T: Tracer<'b>>(
    book: &'b RuleBook,
    case: &AssistantCase,
    t: &mut T,
) -> Result<AssistantResult, RuleError> {
    if case.hired_on < INDIVIDUAL_START {
        return Err(RuleError::NoRegime {
            scheme: "assistant-médical aid",
            date: case.hired_on,
            starts: INDIVIDUAL_START,
        });
    }
    if case.as_of < case.hired_on {
        return Err(RuleError::Invalid("the check date is before the hire date"));
    }
    let mut cx = Cx { book, t };
    let mut tally = Tally::default();
    let hired = case.hired_on;

    // AM-QUALIFICATION: warn before the deadline, block after it.
    cx.t.rule(RuleId::AmQualification);
    cx.t.input("hired_on", Input::Date(hired));
    cx.t.input("qualification", Input::Code(case.qualification.code()));
    let years = cx.count(P::QualificationDeadlineYears, hired)?;
    let warn_months = cx.count(P::QualificationWarningMonths, hired)?;
    let deadline = add_months(hired, 12 * years);
    let o = match (case.qualification, case.qualified_on) {
        (Qualification::Cqp | Qualification::Fae, Some(on)) if on <= deadline => {
            cx.t.input("qualified_on", Input::Date(on));
            cx.t.outcome(Outcome::Pass, "qualified within the deadline");
            Outcome::Pass
        }
        (Qualification::Cqp | Qualification::Fae, Some(on)) => {
            cx.t.input("qualified_on", Input::Date(on));
            cx.t.outcome(Outcome::Fail, "qualified after the deadline");
            Outcome::Fail
        }
        _ if case.as_of > deadline => {
            cx.t.outcome(Outcome::Fail, "not qualified and the deadline has passed: the aid is blocked");
            Outcome::Fail
        }
        _ if case.as_of >= deadline.checked_sub_months(Months::new(warn_months)).unwrap_or(deadline) => {
            cx.t.outcome(Outcome::Warn, "not qualified yet and the deadline is near");
            Outcome::Warn
        }
        _ => {
            cx.t.outcome(Outcome::Pass, "not qualified yet, within the deadline");
            Outcome::Pass
        }
    };
    tally.record(RuleId::AmQualification, o);

    // AM-NO-SUBSTITUTION
    cx.t.rule(RuleId::AmNoSubstitution);
    cx.t.input("former_secretary", Input::Bool(case.former_secretary));
    let o = if !case.former_secretary {
        cx.t.outcome(Outcome::Pass, "the assistant did not take over an existing job");
        Outcome::Pass
    } else {
        let delay = cx.opt_count(P::SecretaryReplacementMonths, hired)?;
        match (case.replacement_recorded_on, delay) {
            (Some(on), Some(months)) if on <= add_months(hired, months) => {
                cx.t.input("replacement_recorded_on", Input::Date(on));
                cx.t.outcome(Outcome::Pass, "the former secretary's post was refilled in time");
                Outcome::Pass
            }
            (Some(on), None) => {
                cx.t.input("replacement_recorded_on", Input::Date(on));
                cx.t.outcome(Outcome::Pass, "the former secretary's post was refilled");
                Outcome::Pass
            }
            (Some(on), Some(_)) => {
                cx.t.input("replacement_recorded_on", Input::Date(on));
                cx.t.outcome(Outcome::Fail, "the former secretary's post was refilled too late");
                Outcome::Fail
            }
            (None, Some(months)) if case.as_of <= add_months(hired, months) => {
                cx.t.outcome(Outcome::Warn, "record the replacement secretary (or arrangement) before the delay ends");
                Outcome::Warn
            }
            (None, Some(_)) => {
                cx.t.outcome(
                    Outcome::Fail,
                    "no replacement for the former secretary within the delay: the aid is blocked",
                );
                Outcome::Fail
            }
            (None, None) => {
                cx.t.missing("replacement_recorded_on");
                cx.t.outcome(Outcome::Undecided, "the former secretary's post must be refilled: record when");
                Outcome::Undecided
            }
        }
    };
    tally.record(RuleId::AmNoSubstitution, o);

    // AM-ETP-CONSISTENCY
    cx.t.rule(RuleId::AmEtpConsistency);
    let contractual_etp = case.contractual_time.etp();
    let (funded, fits) = funded_etp_fits(&case.funded_etp, contractual_etp)?;
    cx.t.input("contractual_minutes", Input::Count(case.contractual_time.minutes()));
    cx.t.input("funded_contracts", Input::Count(u32::try_from(case.funded_etp.len()).unwrap_or(u32::MAX)));
    let o = if fits {
        cx.t.outcome(Outcome::Pass, "the ETP funded by aid contracts fits in the assistant's contract");
        Outcome::Pass
    } else {
        cx.t.outcome(Outcome::Fail, "more ETP funded by aid contracts than the assistant works");
        Outcome::Fail
    };
    tally.record(RuleId::AmEtpConsistency, o);

    // AM-TRACEABILITY: every month from hiring to the month before the check is recorded.
    cx.t.rule(RuleId::AmTraceability);
    let mut missing_months = Vec::new();
    let o = match &case.recorded_months {
        None => {
            cx.t.missing("recorded_months");
            cx.t.outcome(
                Outcome::Undecided,
                "the structure records the assistant's monthly activity: give the months recorded",
            );
            Outcome::Undecided
        }
        Some(recorded) => {
            let last = YearMonth::of(case.as_of);
            let mut m = YearMonth::of(hired);
            while m < last {
                if !recorded.contains(&m) {
                    missing_months.push(m);
                }
                m = m.next();
            }
            cx.t.input("months_missing", Input::Count(u32::try_from(missing_months.len()).unwrap_or(u32::MAX)));
            if missing_months.is_empty() {
                cx.t.outcome(Outcome::Pass, "every month since hiring has its record");
                Outcome::Pass
            } else {
                cx.t.outcome(Outcome::Fail, "some months since hiring have no record");
                Outcome::Fail
            }
        }
    };
    tally.record(RuleId::AmTraceability, o);

    Ok(AssistantResult {
        verdict: tally.verdict(),
        qualification_deadline: Some(deadline),
        funded_etp: funded,
        contractual_etp,
        missing_months,
    })
}

pub fn explain<'b>(book: &'b RuleBook, case: &AssistantCase) -> Result<(AssistantResult, Explanation<'b>), RuleError> {
    let mut recorder = Recorder::new();
    let result = evaluate(book, case, &mut recorder)?;
    let verdict = result.verdict;
    Ok((result, Explanation::new(verdict, recorder)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn ym(year: i32, month: u32) -> YearMonth {
        YearMonth { year, month }
    }

    #[test]
    fn year_month_of_a_day() {
        for (d, expected) in
            [(day(2024, 12, 31), ym(2024, 12)), (day(2025, 1, 1), ym(2025, 1)), (day(2024, 2, 29), ym(2024, 2))]
        {
            assert_eq!(YearMonth::of(d), expected, "{d}");
        }
    }

    #[test]
    fn next_month_wraps_december_into_january() {
        for (m, next) in [
            (ym(2024, 1), ym(2024, 2)),
            (ym(2024, 11), ym(2024, 12)),
            (ym(2024, 12), ym(2025, 1)),
            (ym(1999, 12), ym(2000, 1)),
        ] {
            assert_eq!(m.next(), next, "{m:?}");
            assert!(m < next, "{m:?} comes before {next:?}");
        }
        // Bounded walk: a broken `next` fails here rather than looping.
        let walked: Vec<YearMonth> = std::iter::successors(Some(ym(2024, 10)), |m| Some(m.next())).take(5).collect();
        assert_eq!(walked, [ym(2024, 10), ym(2024, 11), ym(2024, 12), ym(2025, 1), ym(2025, 2)]);
    }

    #[test]
    fn months_are_added_to_the_calendar_and_saturate() {
        for (d, months, expected) in [
            (day(2024, 1, 31), 1, day(2024, 2, 29)),
            (day(2024, 3, 15), 0, day(2024, 3, 15)),
            (day(2023, 6, 30), 36, day(2026, 6, 30)),
            (day(2024, 12, 1), 1, day(2025, 1, 1)),
            (NaiveDate::MAX, 1, NaiveDate::MAX),
        ] {
            assert_eq!(add_months(d, months), expected, "{d} + {months}");
        }
    }
}
