//! Invariants that span a record and the records it goes with, checked by every writer (the
//! API's mutations, the dataset import) before anything is stored: an assistant's assignments
//! fit the assistant's hiring and contract, an aid contract's end date agrees with its status
//! and its signature.

use crate::model::{AidContractFields, AssistantFields, Period};
use crate::time::WeeklyTime;

/// Why assignments cannot be an assistant's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    /// An assignment starts before the assistant was hired.
    #[error("an assignment cannot start before the assistant's hire date")]
    BeforeHire,
    /// On some day the assignments add up to more than the assistant's contractual time.
    #[error("assignments reach {} a week, more than the contractual {contractual}", weekly_minutes(*.peak_minutes))]
    OverContract {
        /// Weekly minutes of the busiest day, which may exceed a full-time week.
        peak_minutes: u32,
        contractual: WeeklyTime,
    },
}

/// Weekly minutes as [`WeeklyTime`] shows them, in bare minutes past a full-time week.
fn weekly_minutes(minutes: u32) -> String {
    WeeklyTime::from_minutes(minutes).map_or_else(|_| format!("{minutes} min"), |t| t.to_string())
}

/// Why an aid contract's end date does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContractDatesError {
    /// The status says the contract ended ([`crate::ContractStatus::requires_end_date`]) but
    /// no end date is given.
    #[error("a terminated or ended contract needs its end date")]
    EndMissing,
    #[error("the end date is before the signature date")]
    EndBeforeSignature,
}

impl AssistantFields {
    /// What keeps `assignments` (the weekly time and period of each) from being this
    /// assistant's, each problem once; empty when they fit.
    pub fn assignment_errors(&self, assignments: &[(WeeklyTime, Period)]) -> Vec<AssignmentError> {
        let mut errors = Vec::new();
        if assignments.iter().any(|(_, p)| p.from() < self.hired_on) {
            errors.push(AssignmentError::BeforeHire);
        }
        let peak_minutes = peak_weekly_minutes(assignments);
        if peak_minutes > self.contractual_time.minutes() {
            errors.push(AssignmentError::OverContract { peak_minutes, contractual: self.contractual_time });
        }
        errors
    }
}

impl AidContractFields {
    /// Whether the end date agrees with the status and comes after the signature.
    pub fn check_dates(&self) -> Result<(), ContractDatesError> {
        match self.ends_on {
            None if self.status.requires_end_date() => Err(ContractDatesError::EndMissing),
            Some(end) if end < self.signed_on => Err(ContractDatesError::EndBeforeSignature),
            _ => Ok(()),
        }
    }
}

/// Peak of the summed weekly minutes of periods that overlap: the load only rises at a start,
/// so the maximum is reached on one of the start days.
fn peak_weekly_minutes(assignments: &[(WeeklyTime, Period)]) -> u32 {
    assignments
        .iter()
        .map(|(_, p)| p.from())
        .map(|day| assignments.iter().filter(|(_, p)| p.contains(day)).map(|(t, _)| t.minutes()).sum())
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::codes::{ContractStatus, Qualification};
    use crate::model::{ContractTerms, Employer, PractitionerId, StructureId};
    use crate::options::AidOption;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn hours(h: &str) -> WeeklyTime {
        WeeklyTime::parse(h).expect("valid hours")
    }

    fn period(from: NaiveDate, to: Option<NaiveDate>) -> Period {
        Period::new(from, to).expect("valid period")
    }

    fn assistant(hired_on: NaiveDate, contractual: &str) -> AssistantFields {
        AssistantFields {
            employer: Employer::Structure(StructureId(1)),
            first_name: "Inès".into(),
            last_name: "Petit".into(),
            qualification: Qualification::None,
            qualified_on: None,
            hired_on,
            contractual_time: hours(contractual),
            former_secretary: false,
        }
    }

    fn contract(status: ContractStatus, signed_on: NaiveDate, ends_on: Option<NaiveDate>) -> AidContractFields {
        AidContractFields {
            terms: ContractTerms::Individual { practitioner_id: PractitionerId(1), option: AidOption::HalfEtp },
            signed_on,
            status,
            ends_on,
            renewals: 0,
            baseline_on: None,
        }
    }

    #[test]
    fn the_peak_counts_only_periods_that_overlap() {
        let items = [
            (hours("20"), period(day(2024, 1, 1), Some(day(2024, 6, 30)))),
            (hours("20"), period(day(2024, 7, 1), None)),
            (hours("10"), period(day(2024, 3, 1), None)),
        ];
        assert_eq!(peak_weekly_minutes(&items), 30 * 60);
        assert_eq!(peak_weekly_minutes(&items[..1]), 20 * 60);
        assert_eq!(peak_weekly_minutes(&[]), 0);
        // Sharing only their last and first day still adds up on that day.
        let touching = [
            (hours("20"), period(day(2024, 1, 1), Some(day(2024, 6, 30)))),
            (hours("20"), period(day(2024, 6, 30), None)),
        ];
        assert_eq!(peak_weekly_minutes(&touching), 40 * 60);
    }

    #[test]
    fn assignments_start_on_or_after_the_hire_date() {
        let a = assistant(day(2024, 1, 2), "35");
        assert_eq!(a.assignment_errors(&[(hours("10"), period(day(2024, 1, 2), None))]), []);
        assert_eq!(
            a.assignment_errors(&[
                (hours("10"), period(day(2024, 1, 2), None)),
                (hours("10"), period(day(2024, 1, 1), Some(day(2024, 1, 1)))),
            ]),
            [AssignmentError::BeforeHire]
        );
        assert_eq!(a.assignment_errors(&[]), []);
    }

    #[test]
    fn assignments_add_up_to_at_most_the_contractual_time() {
        let a = assistant(day(2024, 1, 2), "20");
        let from = day(2024, 1, 2);
        assert_eq!(
            a.assignment_errors(&[(hours("15"), period(from, None)), (hours("5"), period(day(2024, 2, 1), None))]),
            [],
            "exactly the contractual time"
        );
        assert_eq!(
            a.assignment_errors(&[(hours("15"), period(from, None)), (hours("5h01"), period(day(2024, 2, 1), None))]),
            [AssignmentError::OverContract { peak_minutes: 20 * 60 + 1, contractual: hours("20") }]
        );
        // Both problems at once, in a fixed order.
        let late = assistant(day(2024, 3, 1), "10");
        assert_eq!(
            late.assignment_errors(&[(hours("15"), period(from, None))]),
            [
                AssignmentError::BeforeHire,
                AssignmentError::OverContract { peak_minutes: 900, contractual: hours("10") }
            ]
        );
    }

    #[test]
    fn assignment_errors_say_what_is_wrong() {
        assert_eq!(
            AssignmentError::BeforeHire.to_string(),
            "an assignment cannot start before the assistant's hire date"
        );
        let over = |peak_minutes| AssignmentError::OverContract { peak_minutes, contractual: hours("20") }.to_string();
        assert_eq!(over(25 * 60 + 30), "assignments reach 25h30 a week, more than the contractual 20h");
        assert_eq!(over(40 * 60), "assignments reach 2400 min a week, more than the contractual 20h");
    }

    #[test]
    fn an_ended_contract_has_an_end_date_on_or_after_its_signature() {
        use ContractStatus::*;
        let signed = day(2021, 3, 1);
        for status in [Terminated, Ended] {
            assert_eq!(contract(status, signed, None).check_dates(), Err(ContractDatesError::EndMissing), "{status:?}");
            assert_eq!(contract(status, signed, Some(signed)).check_dates(), Ok(()), "{status:?}");
        }
        for status in [Draft, Active, Suspended] {
            assert_eq!(contract(status, signed, None).check_dates(), Ok(()), "{status:?}");
        }
        assert_eq!(contract(Active, signed, Some(day(2026, 2, 28))).check_dates(), Ok(()));
        for status in [Active, Terminated] {
            assert_eq!(
                contract(status, signed, Some(day(2021, 2, 28))).check_dates(),
                Err(ContractDatesError::EndBeforeSignature),
                "{status:?}"
            );
        }
        assert_eq!(ContractDatesError::EndMissing.to_string(), "a terminated or ended contract needs its end date");
        assert_eq!(ContractDatesError::EndBeforeSignature.to_string(), "the end date is before the signature date");
    }
}
