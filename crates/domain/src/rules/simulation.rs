//! One entry point per simulation: everything a what-if or a stored contract shows, from one
//! call, with the explanation of every rule that ran.

use super::collective::{self, CollectiveCase, CollectiveResult};
use super::explain::{Explanation, Outcome, Recorder, RuleId};
use super::individual::{self, IndividualCase, IndividualResult, YearAmount};
use super::{RuleBook, RuleError};
use crate::options::AidOption;

/// Whether an option is open to the doctor on the signature date (IND-OPTION), and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionAvailability {
    pub option: AidOption,
    pub outcome: Outcome,
    pub note: &'static str,
}

/// The individual aid for one case.
#[derive(Debug, Clone)]
pub struct IndividualSimulation<'b> {
    /// Verdict, regime, the year running on `as_of`, payable amount and objectives.
    pub result: IndividualResult,
    /// Every option, in [`AidOption::ALL`] order.
    pub options: Vec<OptionAvailability>,
    /// Maxima of contract years 1 to 5; empty when the case's option is closed.
    pub schedule: Vec<YearAmount>,
    /// The case's rules, the schedule's amount rules included.
    pub explanation: Explanation<'b>,
}

/// The collective aid (C2026) for one case.
#[derive(Debug, Clone)]
pub struct CollectiveSimulation<'b> {
    pub result: CollectiveResult,
    pub explanation: Explanation<'b>,
}

/// Evaluates the case, its 5-year schedule when its option is open, and whether each option
/// would be open in its place.
pub fn simulate_individual<'b>(
    book: &'b RuleBook,
    case: &IndividualCase,
) -> Result<IndividualSimulation<'b>, RuleError> {
    let mut recorder = Recorder::new();
    let result = individual::evaluate(book, case, &mut recorder)?;
    // A closed option has no amounts (IND-OPTION alone answers it), so no schedule either.
    let schedule = if result.failing.contains(RuleId::IndOption) {
        Vec::new()
    } else {
        individual::schedule(book, case, &mut recorder)?.0
    };
    let explanation = Explanation::new(result.verdict, recorder);
    let mut options = Vec::with_capacity(AidOption::ALL.len());
    for &option in AidOption::ALL {
        let mut probe = case.clone();
        probe.option = option;
        // Whether an option is open is decided on the signature date: no amounts needed.
        probe.as_of = None;
        let (_, e) = individual::explain(book, &probe)?;
        // Every evaluation traces IND-OPTION once.
        let traces = e.rules().filter(|r| r.id == RuleId::IndOption);
        options.extend(traces.map(|r| OptionAvailability { option, outcome: r.outcome, note: r.note }));
    }
    Ok(IndividualSimulation { result, options, schedule, explanation })
}

/// Evaluates the company, each doctor, the ETP cap, the schedule and the team objectives.
pub fn simulate_collective<'b>(
    book: &'b RuleBook,
    case: &'b CollectiveCase,
) -> Result<CollectiveSimulation<'b>, RuleError> {
    let (result, explanation) = collective::explain(book, case)?;
    Ok(CollectiveSimulation { result, explanation })
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use super::*;
    use crate::rules::{NoTrace, Verdict};

    fn book() -> RuleBook {
        RuleBook::embedded().expect("built-in rules load")
    }

    /// RULES.md E1: a GP in sector 1 signing 1 ETP on 2024-09-01, in contract year 3.
    fn gp(option: &str) -> IndividualCase {
        serde_json::from_value(json!({
            "signed_on": "2024-09-01", "option": option, "as_of": "2026-10-01",
            "actual": { "pmt": 1430, "file_active": 2155 },
            "doctor": { "specialty": "GENERAL_PRACTICE", "sector": "SECTOR_1", "band": "P50_P70",
                        "activity": { "pmt": 1300, "file_active": 2100 } }
        }))
        .expect("a valid case")
    }

    fn money(m: &str) -> Decimal {
        m.parse().expect("decimal")
    }

    #[test]
    fn an_open_option_comes_with_its_schedule_and_every_option() {
        let book = book();
        let case = gp("ONE_ETP");
        let s = simulate_individual(&book, &case).expect("evaluates");
        assert_eq!(s.result, individual::evaluate(&book, &case, &mut NoTrace).expect("evaluates"));
        assert_eq!(s.result.verdict, Verdict::Eligible);
        assert_eq!(s.result.payable, Some(money("11000.00")), "E1, year 3 half reached");
        let maxima: Vec<Decimal> = s.schedule.iter().map(|y| y.maximum).collect();
        assert_eq!(maxima, ["38000", "28000", "22000", "22000", "22000"].map(money));
        assert_eq!(s.schedule.iter().map(|y| y.contract_year).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        // One explanation: the case's rules and the schedule's.
        assert_eq!(s.explanation.verdict, Verdict::Eligible);
        assert_eq!(s.explanation.outcome_of(RuleId::PaySchedule), Some(Outcome::Pass));
        assert_eq!(s.explanation.outcome_of(RuleId::IndOption), Some(Outcome::Pass));
        assert!(s.explanation.outcome_of(RuleId::ObjAchievement).is_some(), "the year on `as_of` too");

        let options: Vec<AidOption> = s.options.iter().map(|o| o.option).collect();
        assert_eq!(options, AidOption::ALL);
        let third = s.options[0];
        assert_eq!((third.outcome, third.note), (Outcome::Fail, "the 1/3 ETP option is closed to new contracts"));
        let half = s.options[1];
        assert_eq!((half.outcome, half.note), (Outcome::Pass, "the 1/2 ETP option is open"));
        // Each option reads as its own evaluation would.
        for o in &s.options {
            let mut alone = case.clone();
            alone.option = o.option;
            let (_, e) = individual::explain(&book, &alone).expect("evaluates");
            let r = e.rules().find(|r| r.id == RuleId::IndOption).expect("IND-OPTION traced");
            assert_eq!((o.outcome, o.note), (r.outcome, r.note), "{:?}", o.option);
        }
    }

    #[test]
    fn a_closed_option_has_no_schedule_but_still_lists_the_options() {
        let book = book();
        let s = simulate_individual(&book, &gp("ONE_THIRD_ETP")).expect("evaluates");
        assert!(s.result.failing.contains(RuleId::IndOption));
        assert_eq!(s.result.verdict, Verdict::NotEligible);
        assert!(s.schedule.is_empty());
        assert_eq!(s.explanation.outcome_of(RuleId::PaySchedule), None, "no schedule rules either");
        assert_eq!(s.explanation.outcome_of(RuleId::IndOption), Some(Outcome::Fail));
        assert_eq!(s.options.len(), AidOption::ALL.len());
        assert_eq!(s.options[1].outcome, Outcome::Pass, "the other options are still shown");
    }

    #[test]
    fn a_case_the_rules_cannot_run_is_refused() {
        let book = book();
        let mut before_regime = gp("HALF_ETP");
        before_regime.signed_on = chrono::NaiveDate::from_ymd_opt(2019, 1, 1).expect("valid");
        before_regime.as_of = None;
        assert!(matches!(simulate_individual(&book, &before_regime), Err(RuleError::NoRegime { .. })));
        let mut before_signature = gp("HALF_ETP");
        before_signature.as_of = chrono::NaiveDate::from_ymd_opt(2024, 8, 31);
        assert!(matches!(simulate_individual(&book, &before_signature), Err(RuleError::Invalid(_))));
    }

    #[test]
    fn a_collective_simulation_is_the_explained_evaluation() {
        let book = book();
        let case: CollectiveCase = serde_json::from_value(json!({
            "signed_on": "2026-03-01", "legal_form": "SISA", "funded_etp": "3",
            "members": [
                { "label": "A", "specialty": "GENERAL_PRACTICE", "sector": "SECTOR_1", "partner": true, "pmt": 600, "file_active": 1200 },
                { "label": "B", "specialty": "GENERAL_PRACTICE", "sector": "SECTOR_1", "partner": true, "pmt": 900, "file_active": 1700 }
            ]
        }))
        .expect("a valid case");
        let s = simulate_collective(&book, &case).expect("evaluates");
        let (result, explanation) = collective::explain(&book, &case).expect("evaluates");
        assert_eq!(s.result, result);
        assert_eq!(s.explanation.view().rules.len(), explanation.view().rules.len());
        assert_eq!(s.explanation.outcome_of(RuleId::ColSignatory), Some(Outcome::Pass));
        let mut early = case.clone();
        early.signed_on = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid");
        assert!(matches!(simulate_collective(&book, &early), Err(RuleError::NoRegime { .. })));
    }
}
