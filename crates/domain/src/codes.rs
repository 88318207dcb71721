//! Closed vocabularies with stable string codes, shared by storage, the API and rule files.
//!
//! Codes are `SCREAMING_SNAKE_CASE` and never change once landed: rows and rule parameter files
//! refer to them.

use serde::{Deserialize, Serialize};

/// Error for a code that is not part of a vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {vocabulary} code `{code}`")]
pub struct UnknownCode {
    pub vocabulary: &'static str,
    pub code: String,
}

macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $vocabulary:literal {
            $( $(#[$vmeta:meta])* $variant:ident => ($code:literal, $label:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Stable storage and API code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// French label, as a coordinator reads it.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn from_code(code: &str) -> Result<Self, UnknownCode> {
                match code {
                    $($code => Ok($name::$variant),)+
                    _ => Err(UnknownCode { vocabulary: $vocabulary, code: code.to_owned() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        // Serialised as the stable code, so files and APIs spell values one way.
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = std::borrow::Cow::<'de, str>::deserialize(d)?;
                $name::from_code(&code).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use coded_enum;

coded_enum! {
    /// Medical specialties that the aid's rules distinguish (RULES.md §3). Which of them are
    /// eligible, excluded or subject to the clinical-share test is rule data, not this list.
    Specialty, "specialty" {
        GeneralPractice => ("GENERAL_PRACTICE", "Médecine générale"),
        Pediatrics => ("PEDIATRICS", "Pédiatrie"),
        Geriatrics => ("GERIATRICS", "Gériatrie"),
        Rheumatology => ("RHEUMATOLOGY", "Rhumatologie"),
        Dermatology => ("DERMATOLOGY", "Dermatologie"),
        Endocrinology => ("ENDOCRINOLOGY", "Endocrinologie"),
        Neurology => ("NEUROLOGY", "Neurologie"),
        MedicalEnt => ("MEDICAL_ENT", "ORL médicale"),
        MedicalGynaecology => ("MEDICAL_GYNAECOLOGY", "Gynécologie médicale"),
        InternalMedicine => ("INTERNAL_MEDICINE", "Médecine interne"),
        PhysicalMedicineRehabilitation => ("PHYSICAL_MEDICINE_REHABILITATION", "Médecine physique et de réadaptation"),
        Gastroenterology => ("GASTROENTEROLOGY", "Gastro-entérologie"),
        Pulmonology => ("PULMONOLOGY", "Pneumologie"),
        Cardiology => ("CARDIOLOGY", "Cardiologie"),
        Psychiatry => ("PSYCHIATRY", "Psychiatrie"),
        Ophthalmology => ("OPHTHALMOLOGY", "Ophtalmologie"),
        VascularMedicine => ("VASCULAR_MEDICINE", "Médecine vasculaire"),
        Allergology => ("ALLERGOLOGY", "Allergologie"),
        Nephrology => ("NEPHROLOGY", "Néphrologie"),
        MedicalOncology => ("MEDICAL_ONCOLOGY", "Oncologie médicale"),
        /// ENT surgery (ORL et chirurgie cervico-faciale): subject to the clinical-share test.
        Ent => ("ENT", "ORL et chirurgie cervico-faciale"),
        /// Obstetrics and gynaecology: subject to the clinical-share test.
        ObstetricsGynaecology => ("OBSTETRICS_GYNAECOLOGY", "Gynécologie obstétrique"),
        GeneralSurgery => ("GENERAL_SURGERY", "Chirurgie générale / viscérale"),
        OrthopaedicSurgery => ("ORTHOPAEDIC_SURGERY", "Chirurgie orthopédique"),
        Urology => ("UROLOGY", "Urologie"),
        VascularSurgery => ("VASCULAR_SURGERY", "Chirurgie vasculaire"),
        PlasticSurgery => ("PLASTIC_SURGERY", "Chirurgie plastique"),
        Radiology => ("RADIOLOGY", "Radiologie"),
        Radiotherapy => ("RADIOTHERAPY", "Radiothérapie"),
        Stomatology => ("STOMATOLOGY", "Stomatologie"),
        Anaesthesia => ("ANAESTHESIA", "Anesthésie-réanimation"),
        AnatomoCytoPathology => ("ANATOMO_CYTO_PATHOLOGY", "Anatomie et cytologie pathologiques"),
        NuclearMedicine => ("NUCLEAR_MEDICINE", "Médecine nucléaire"),
    }
}

// Written out: the vocabulary macro derives the same traits for every enum, and only these two
// have a natural default.
#[allow(clippy::derivable_impls)]
impl Default for Optam {
    fn default() -> Self {
        Optam::None
    }
}

#[allow(clippy::derivable_impls)]
impl Default for PracticeMode {
    fn default() -> Self {
        PracticeMode::Liberal
    }
}

impl Specialty {
    pub fn is_general_practice(self) -> bool {
        self == Specialty::GeneralPractice
    }
}

coded_enum! {
    /// Conventional sector (secteur conventionnel).
    ConventionSector, "convention sector" {
        Sector1 => ("SECTOR_1", "Secteur 1"),
        Sector2 => ("SECTOR_2", "Secteur 2 (honoraires libres)"),
        /// Not bound by the convention (secteur 3): never eligible to conventional aids.
        NotContracted => ("NOT_CONTRACTED", "Non conventionné"),
    }
}

coded_enum! {
    /// Adhesion to the fee-moderation scheme of sector-2 doctors.
    Optam, "OPTAM" {
        None => ("NONE", "Pas d'adhésion"),
        Optam => ("OPTAM", "OPTAM"),
        /// OPTAM-CO, renamed OPTAM-ACO by the 2024 convention: the same scheme.
        OptamCo => ("OPTAM_CO", "OPTAM-CO / OPTAM-ACO"),
    }
}

coded_enum! {
    /// How the doctor practises: the aid targets liberal (conventionné) practice.
    PracticeMode, "practice mode" {
        Liberal => ("LIBERAL", "Libéral"),
        /// Part liberal, part salaried: eligible with adjustments since R2024.
        Mixed => ("MIXED", "Mixte (libéral et salarié)"),
        Salaried => ("SALARIED", "Salarié"),
    }
}

coded_enum! {
    /// Kind of care structure (RULES.md §8, STR-KIND).
    StructureKind, "structure kind" {
        Msp => ("MSP", "Maison de santé pluriprofessionnelle"),
        CentreDeSante => ("CENTRE_DE_SANTE", "Centre de santé"),
        GroupPractice => ("GROUP_PRACTICE", "Cabinet de groupe"),
        Esp => ("ESP", "Équipe de soins primaires"),
    }
}

coded_enum! {
    /// Legal form of the company behind a structure.
    LegalForm, "legal form" {
        Sisa => ("SISA", "SISA"),
        Scm => ("SCM", "SCM"),
        Scp => ("SCP", "SCP"),
        Sel => ("SEL", "SEL"),
        Association => ("ASSOCIATION", "Association loi 1901"),
        Other => ("OTHER", "Autre"),
    }
}

coded_enum! {
    /// Qualification route of an assistant médical (RULES.md §6, AM-QUALIFICATION).
    Qualification, "qualification" {
        /// Neither held nor obtained yet: the training deadline runs from the hire date.
        None => ("NONE", "Aucune (en cours d'obtention)"),
        /// CQP assistant médical (RNCP 36358).
        Cqp => ("CQP", "CQP assistant médical"),
        /// Formation d'adaptation à l'emploi, for DE nurses, aides-soignants, auxiliaires de puériculture.
        Fae => ("FAE", "Formation d'adaptation à l'emploi"),
    }
}

coded_enum! {
    /// Individual (signed by a doctor) or collective (signed by the practice company, C2026).
    ContractKind, "contract kind" {
        Individual => ("INDIVIDUAL", "Contrat individuel"),
        Collective => ("COLLECTIVE", "Contrat collectif"),
    }
}

coded_enum! {
    /// Life cycle of an aid contract.
    ContractStatus, "contract status" {
        /// Being prepared; not signed.
        Draft => ("DRAFT", "En préparation"),
        Active => ("ACTIVE", "En cours"),
        Suspended => ("SUSPENDED", "Suspendu"),
        /// Ended before term (by the doctor, the company or the CPAM).
        Terminated => ("TERMINATED", "Résilié"),
        /// Reached its end date.
        Ended => ("ENDED", "Arrivé à échéance"),
    }
}

impl ContractStatus {
    /// Whether an end date is required for this status.
    pub fn requires_end_date(self) -> bool {
        matches!(self, Self::Terminated | Self::Ended)
    }
}

coded_enum! {
    /// Where activity figures came from.
    FiguresOrigin, "figures origin" {
        /// Typed in by a coordinator.
        Manual => ("MANUAL", "Saisie manuelle"),
        /// Obtained from the CPAM.
        Cpam => ("CPAM", "CPAM"),
    }
}

coded_enum! {
    /// Position of a doctor's activity in the national distribution of the specialty
    /// (RULES.md §1, §4.2 AMT-BAND): lower bound inclusive, upper bound exclusive.
    ActivityBand, "activity band" {
        BelowP30 => ("BELOW_P30", "Sous P30"),
        P30P50 => ("P30_P50", "P30 à P50"),
        P50P70 => ("P50_P70", "P50 à P70"),
        P70P90 => ("P70_P90", "P70 à P90"),
        P90P95 => ("P90_P95", "P90 à P95"),
        P95Plus => ("P95_PLUS", "P95 et plus"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::individual::Zone;

    #[test]
    fn only_ended_and_terminated_contracts_need_an_end_date() {
        use ContractStatus::*;
        let needs: Vec<bool> =
            [Draft, Active, Suspended, Terminated, Ended].map(ContractStatus::requires_end_date).to_vec();
        assert_eq!(needs, [false, false, false, true, true]);
    }

    #[test]
    fn codes_round_trip_and_are_unique() {
        fn check<T: Copy + PartialEq + std::fmt::Debug>(
            all: &[T],
            code: fn(T) -> &'static str,
            parse: fn(&str) -> Result<T, UnknownCode>,
        ) {
            let mut seen = std::collections::HashSet::new();
            for v in all {
                assert!(seen.insert(code(*v)), "duplicate code {}", code(*v));
                assert_eq!(parse(code(*v)), Ok(*v));
            }
        }
        check(Specialty::ALL, Specialty::code, Specialty::from_code);
        check(ConventionSector::ALL, ConventionSector::code, ConventionSector::from_code);
        check(Optam::ALL, Optam::code, Optam::from_code);
        check(PracticeMode::ALL, PracticeMode::code, PracticeMode::from_code);
        check(StructureKind::ALL, StructureKind::code, StructureKind::from_code);
        check(LegalForm::ALL, LegalForm::code, LegalForm::from_code);
        check(Qualification::ALL, Qualification::code, Qualification::from_code);
        check(ContractKind::ALL, ContractKind::code, ContractKind::from_code);
        check(ContractStatus::ALL, ContractStatus::code, ContractStatus::from_code);
        check(FiguresOrigin::ALL, FiguresOrigin::code, FiguresOrigin::from_code);
        check(ActivityBand::ALL, ActivityBand::code, ActivityBand::from_code);
        check(Zone::ALL, Zone::code, Zone::from_code);
        assert_eq!(Zone::from_code("zip").map_err(|e| e.vocabulary), Err("zone"), "codes are upper case");
    }

    #[test]
    fn the_six_specialties_excluded_since_2024_exist() {
        for code in
            ["RADIOLOGY", "RADIOTHERAPY", "STOMATOLOGY", "ANAESTHESIA", "ANATOMO_CYTO_PATHOLOGY", "NUCLEAR_MEDICINE"]
        {
            assert!(Specialty::from_code(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn serde_uses_the_codes() {
        let json = serde_json::to_string(&Specialty::PhysicalMedicineRehabilitation).expect("serialises");
        assert_eq!(json, "\"PHYSICAL_MEDICINE_REHABILITATION\"");
        assert_eq!(Specialty::from_code("SURGERY").map_err(|e| e.vocabulary), Err("specialty"));
    }
}
