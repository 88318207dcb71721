//! The structure's own standing: its projet de santé (STR-PROJET-SANTE), who may employ its
//! assistants under the individual aid (STR-EMPLOYER) and under a collective contract it signs
//! (COL-EMPLOYER). The collective conditions on the company and its doctors are the
//! collective engine's; this module adds what only the structure's records can say.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Tally;
use super::explain::{Explanation, Input, Outcome, Recorder, RuleId, Tracer, Verdict};
use crate::codes::LegalForm;

/// Who employs an assistant, as the structure's rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", tag = "kind")]
pub enum EmployerKind {
    /// A doctor of the structure.
    Doctor,
    /// The structure's own company.
    ThisStructure,
    /// Another company (a groupement d'employeurs, an SCM…) recorded as a structure.
    OtherStructure { legal_form: LegalForm, sisa_employer_group: bool },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssistantEmployment {
    /// How the assistant is shown in results.
    pub label: String,
    pub employer: EmployerKind,
    /// Works for doctors under (or who could sign) individual contracts: STR-EMPLOYER applies.
    #[serde(default)]
    pub individual_aid: bool,
    /// Works for doctors under (or who could join) a collective contract the structure signs:
    /// COL-EMPLOYER applies.
    #[serde(default)]
    pub collective_aid: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructureCase {
    pub legal_form: LegalForm,
    /// Date the ARS validated the projet de santé; `None` when not recorded.
    #[serde(default)]
    pub projet_sante_validated_on: Option<NaiveDate>,
    /// The SISA's statutes make it an employer group.
    #[serde(default)]
    pub sisa_employer_group: bool,
    #[serde(default)]
    pub assistants: Vec<AssistantEmployment>,
    pub as_of: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StructureResult {
    pub verdict: Verdict,
}

/// STR-PROJET-SANTE: a structure-level model needs an ARS-validated projet de santé.
fn projet_sante<'b, T: Tracer<'b>>(t: &mut T, case: &StructureCase) -> Outcome {
    t.rule(RuleId::StrProjetSante);
    let Some(validated) = case.projet_sante_validated_on else {
        t.missing("structure.projet_sante_validated_on");
        t.outcome(Outcome::Undecided, "no validation date of the projet de santé is recorded");
        return Outcome::Undecided;
    };
    t.input("projet_sante_validated_on", Input::Date(validated));
    if validated <= case.as_of {
        t.outcome(Outcome::Pass, "the ARS validated the projet de santé");
        Outcome::Pass
    } else {
        t.outcome(Outcome::Fail, "the projet de santé is not validated yet on this day");
        Outcome::Fail
    }
}

/// Whether a company may employ assistants for doctors under the individual aid: a SISA whose
/// statutes make it an employer group; a groupement d'employeurs (usually an association), which
/// the records cannot tell apart from other companies of its form.
fn company_may_employ(legal_form: LegalForm, sisa_employer_group: bool) -> Outcome {
    match legal_form {
        LegalForm::Sisa if sisa_employer_group => Outcome::Warn,
        LegalForm::Association | LegalForm::Other => Outcome::Undecided,
        _ => Outcome::Fail,
    }
}

/// STR-EMPLOYER: the doctor, a groupement d'employeurs or a SISA employer group employs the
/// assistant; a company employing for the doctors who get the aid needs a cost-sharing
/// agreement, which the records do not hold (warned).
fn employer<'b, T: Tracer<'b>>(t: &mut T, case: &StructureCase, a: &'b AssistantEmployment) -> Outcome {
    t.rule(RuleId::StrEmployer);
    t.input("assistant", Input::Text(&a.label));
    let (legal_form, group) = match a.employer {
        EmployerKind::Doctor => {
            t.input("employer", Input::Code("DOCTOR"));
            t.outcome(Outcome::Pass, "employed by a doctor");
            return Outcome::Pass;
        }
        EmployerKind::ThisStructure => (case.legal_form, case.sisa_employer_group),
        EmployerKind::OtherStructure { legal_form, sisa_employer_group } => (legal_form, sisa_employer_group),
    };
    t.input("employer_legal_form", Input::Code(legal_form.code()));
    let o = company_may_employ(legal_form, group);
    match o {
        Outcome::Warn => {
            t.outcome(o, "a SISA employer group employs: record the cost-sharing agreement with the doctors")
        }
        Outcome::Undecided => {
            t.missing("employer.groupement_d_employeurs");
            t.outcome(o, "employed by a company: only a groupement d'employeurs may, and the records do not say")
        }
        _ => t.outcome(o, "this company may not employ assistants for the individual aid of its doctors"),
    }
    o
}

/// COL-EMPLOYER: under a collective contract the signing company employs the assistant, or an
/// employer group under the cabinets médicaux agreement (IDCC 1147).
fn collective_employer<'b, T: Tracer<'b>>(t: &mut T, a: &'b AssistantEmployment) -> Outcome {
    t.rule(RuleId::ColEmployer);
    t.input("assistant", Input::Text(&a.label));
    match a.employer {
        EmployerKind::ThisStructure => {
            t.outcome(Outcome::Pass, "employed by the signing company");
            Outcome::Pass
        }
        EmployerKind::Doctor => {
            t.outcome(
                Outcome::Warn,
                "employed by a member doctor: her contract moves to the company by an amendment, with her consent",
            );
            Outcome::Warn
        }
        EmployerKind::OtherStructure { legal_form: LegalForm::Association | LegalForm::Other, .. } => {
            t.missing("employer.idcc_1147");
            t.outcome(Outcome::Undecided, "employed by another company: it must be an employer group under IDCC 1147");
            Outcome::Undecided
        }
        EmployerKind::OtherStructure { .. } => {
            t.outcome(Outcome::Fail, "employed by another company: move her contract to the signing company");
            Outcome::Fail
        }
    }
}

pub fn evaluate<'b, T: Tracer<'b>>(case: &'b StructureCase, t: &mut T) -> StructureResult {
    let mut tally = Tally::default();
    tally.record(RuleId::StrProjetSante, projet_sante(t, case));
    // Each assistant is checked under the aid that funds (or would fund) her work.
    for a in &case.assistants {
        if a.individual_aid {
            tally.record(RuleId::StrEmployer, employer(t, case, a));
        }
        if a.collective_aid {
            tally.record(RuleId::ColEmployer, collective_employer(t, a));
        }
    }
    StructureResult { verdict: tally.verdict() }
}

pub fn explain(case: &StructureCase) -> (StructureResult, Explanation<'_>) {
    let mut recorder = Recorder::new();
    let result = evaluate(case, &mut recorder);
    (result, Explanation::new(result.verdict, recorder))
}
