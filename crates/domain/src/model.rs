//! The records a structure's coordinator manages, as the rules see them.
//!
//! These are plain, already-validated values: adapters (storage, API, CPAM) build them by
//! parsing, so a rule never meets a malformed identifier or an end before a start.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::{
    ActivityBand, ContractKind, ContractStatus, ConventionSector, FiguresOrigin, LegalForm, Optam, PracticeMode,
    Qualification, Specialty, StructureKind,
};
use crate::identifiers::{Finess, InseeCommune, Rpps, Siret};
use crate::options::AidOption;
use crate::time::{Etp, WeeklyTime};

macro_rules! id_type {
    ($($name:ident),+) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name(pub i64);
    )+};
}

id_type!(StructureId, PractitionerId, MembershipId, AssistantId, AssignmentId, ContractId, FiguresId);

/// A period `[from, to]` with an optional end, both days included. `to >= from` by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    from: NaiveDate,
    to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the end date {to} is before the start date {from}")]
pub struct EndBeforeStart {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn new(from: NaiveDate, to: Option<NaiveDate>) -> Result<Self, EndBeforeStart> {
        match to {
            Some(to) if to < from => Err(EndBeforeStart { from, to }),
            _ => Ok(Self { from, to }),
        }
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> Option<NaiveDate> {
        self.to
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        day >= self.from && self.to.is_none_or(|to| day <= to)
    }

    /// Whether the two periods share at least one day (both ends are inclusive).
    pub fn overlaps(&self, other: &Period) -> bool {
        self.contains(other.from) || other.contains(self.from)
    }
}

/// A care structure (RULES.md §8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Structure {
    pub id: StructureId,
    pub fields: StructureFields,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructureFields {
    pub kind: StructureKind,
    pub legal_form: LegalForm,
    pub name: String,
    pub finess: Option<Finess>,
    pub siret: Option<Siret>,
    pub commune: InseeCommune,
    /// Date the ARS validated the projet de santé (STR-PROJET-SANTE).
    pub projet_sante_validated_on: Option<NaiveDate>,
    /// Whether the SISA's statutes make it an employer group (STR-EMPLOYER).
    pub sisa_employer_group: bool,
    /// Approved ambulatory training site (COL-ETP-CAP bonus); `None` when not recorded.
    pub training_site: Option<bool>,
}

/// A doctor, identified for life by the RPPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Practitioner {
    pub id: PractitionerId,
    pub fields: PractitionerFields,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PractitionerFields {
    pub rpps: Rpps,
    pub first_name: String,
    pub last_name: String,
    pub specialty: Specialty,
    pub sector: ConventionSector,
    pub optam: Optam,
    pub practice_mode: PracticeMode,
    /// Médecin à exercice particulier.
    pub mep: bool,
    pub installed_on: Option<NaiveDate>,
    pub birth_year: Option<i32>,
    /// Recognised disabled worker (RQTH, IND-ACTIVITY-DEROGATION); `None` when not recorded.
    pub rqth: Option<bool>,
}

/// A practitioner's membership of a structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub id: MembershipId,
    pub structure_id: StructureId,
    pub practitioner_id: PractitionerId,
    /// Partner (associé) of the company in their own name: a condition of the collective aid.
    pub partner: bool,
    pub period: Period,
    /// PAMSU hosting a docteur junior over the membership (COL-ETP-CAP); `None` when not recorded.
    pub hosts_docteur_junior: Option<bool>,
}

/// Who employs an assistant (STR-EMPLOYER): a doctor, or a company (SISA employer group,
/// SCM, groupement d'employeurs recorded as a structure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Employer {
    Practitioner(PractitionerId),
    Structure(StructureId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assistant {
    pub id: AssistantId,
    pub fields: AssistantFields,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssistantFields {
    pub employer: Employer,
    pub first_name: String,
    pub last_name: String,
    pub qualification: Qualification,
    pub qualified_on: Option<NaiveDate>,
    pub hired_on: NaiveDate,
    pub contractual_time: WeeklyTime,
    /// Was the practice's medical secretary before (AM-NO-SUBSTITUTION).
    pub former_secretary: bool,
}

/// Time an assistant works for one practitioner over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub id: AssignmentId,
    pub assistant_id: AssistantId,
    pub practitioner_id: PractitionerId,
    pub weekly_time: WeeklyTime,
    pub period: Period,
}

/// Who signed an aid contract and on what terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContractTerms {
    /// Signed by one doctor for an option.
    Individual { practitioner_id: PractitionerId, option: AidOption },
    /// Signed by the practice company (C2026) for a number of ETP, with adhering doctors.
    Collective { structure_id: StructureId, funded_etp: Etp, members: Vec<ContractMember> },
}

impl ContractTerms {
    pub fn kind(&self) -> ContractKind {
        match self {
            Self::Individual { .. } => ContractKind::Individual,
            Self::Collective { .. } => ContractKind::Collective,
        }
    }
}

/// A doctor's individual adhesion to a collective contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractMember {
    pub practitioner_id: PractitionerId,
    pub period: Period,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AidContract {
    pub id: ContractId,
    pub fields: AidContractFields,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AidContractFields {
    pub terms: ContractTerms,
    pub signed_on: NaiveDate,
    pub status: ContractStatus,
    pub ends_on: Option<NaiveDate>,
    /// Renewals recorded: each adds a term (IND-LEGACY-RENEWAL).
    pub renewals: u32,
    /// Day of the CPAM's baseline snapshot (OBJ-BASELINE-DATE); the figures known at signature
    /// when `None`.
    pub baseline_on: Option<NaiveDate>,
}

/// A doctor's yearly activity: counts only, never patient-level data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFigures {
    pub id: FiguresId,
    pub practitioner_id: PractitionerId,
    pub fields: ActivityFiguresFields,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFiguresFields {
    pub year: i32,
    /// Patientèle médecin traitant, all ages.
    pub pmt: Option<u32>,
    /// Adult patientèle médecin traitant (R2019 counted adults for GPs).
    pub adult_pmt: Option<u32>,
    /// File active: distinct patients seen in the year.
    pub file_active: Option<u32>,
    /// Share of CCAM (technical) fees in total fees, in basis points (2 500 = 25 %).
    pub ccam_share_bp: Option<u32>,
    pub band: Option<ActivityBand>,
    pub origin: FiguresOrigin,
    pub obtained_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn a_period_gives_back_its_ends() {
        let open = Period::new(day(2024, 3, 1), None).expect("valid");
        assert_eq!((open.from(), open.to()), (day(2024, 3, 1), None));
        let closed = Period::new(day(2024, 3, 1), Some(day(2025, 2, 28))).expect("valid");
        assert_eq!((closed.from(), closed.to()), (day(2024, 3, 1), Some(day(2025, 2, 28))));
    }

    #[test]
    fn period_rejects_end_before_start_and_contains_both_ends() {
        assert!(Period::new(day(2025, 1, 2), Some(day(2025, 1, 1))).is_err());
        let p = Period::new(day(2025, 1, 1), Some(day(2025, 12, 31))).expect("valid");
        assert!(p.contains(day(2025, 1, 1)) && p.contains(day(2025, 12, 31)));
        assert!(!p.contains(day(2026, 1, 1)));
        let open = Period::new(day(2025, 1, 1), None).expect("valid");
        assert!(open.contains(day(2099, 1, 1)));
        assert!(Period::new(day(2025, 1, 1), Some(day(2025, 1, 1))).is_ok(), "one-day period");
    }

    #[test]
    fn periods_overlap_when_they_share_a_day() {
        let p = |from, to| Period::new(from, to).expect("valid");
        let year = p(day(2025, 1, 1), Some(day(2025, 12, 31)));
        assert!(year.overlaps(&p(day(2025, 12, 31), None)), "the last day is shared");
        assert!(!year.overlaps(&p(day(2026, 1, 1), None)), "the next day is not");
        assert!(p(day(2026, 1, 1), None).overlaps(&year) == year.overlaps(&p(day(2026, 1, 1), None)));
        assert!(p(day(2020, 1, 1), None).overlaps(&year), "an open period covers later ones");
        assert!(year.overlaps(&p(day(2025, 3, 1), Some(day(2025, 3, 1)))), "one inside the other");
        assert!(!year.overlaps(&p(day(2024, 1, 1), Some(day(2024, 12, 31)))));
    }
}
