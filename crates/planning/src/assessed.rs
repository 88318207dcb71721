//! An evaluation's verdict with what it rests on, owned: it outlives the case and the
//! explanation it was read from, so use cases can return it.

use domain::rules::explain::ParameterView;
use domain::rules::{Confidence, Explanation, ExplanationView, Outcome, RuleId, RuleSet, Verdict};

#[derive(Debug, Clone)]
pub struct Assessed {
    pub verdict: Verdict,
    pub failing: RuleSet,
    pub undecided: RuleSet,
    /// Weakest confidence of what the eligibility verdict rests on.
    pub confidence: Confidence,
    pub amounts_confidence: Confidence,
    pub objectives_confidence: Confidence,
    /// Parameters relied on that are not the text's own.
    pub caveats: Vec<ParameterView>,
    pub missing: Vec<&'static str>,
    pub explanation: ExplanationView,
}

impl Assessed {
    pub fn new(verdict: Verdict, failing: RuleSet, undecided: RuleSet, e: &Explanation<'_>) -> Self {
        Self {
            verdict,
            failing,
            undecided,
            confidence: e.confidence_of(RuleId::decides_eligibility),
            amounts_confidence: e.confidence_of(RuleId::is_amount),
            objectives_confidence: e.confidence_of(RuleId::is_objective),
            caveats: e.caveats().into_iter().map(|(p, s)| ParameterView::new(p, s)).collect(),
            missing: e.missing(),
            explanation: e.view(),
        }
    }

    /// For checks whose result lists no rule sets: read them from the traces.
    pub fn from_traces(e: &Explanation<'_>) -> Self {
        let mut failing = RuleSet::default();
        let mut undecided = RuleSet::default();
        for t in e.rules() {
            match t.outcome {
                Outcome::Fail => failing.insert(t.id),
                Outcome::Undecided => undecided.insert(t.id),
                Outcome::Pass | Outcome::Warn | Outcome::NotApplicable => {}
            }
        }
        Self::new(e.verdict, failing, undecided, e)
    }

    /// The notes of the rules that failed, for a person: why not.
    pub fn failing_notes(&self) -> Vec<String> {
        self.explanation
            .rules
            .iter()
            .filter(|r| r.outcome == Outcome::Fail && self.failing.contains(r.rule))
            .map(|r| format!("{}: {}", r.rule.code(), r.note))
            .collect()
    }
}
