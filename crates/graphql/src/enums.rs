//! GraphQL mirrors of the domain vocabularies, so GraphiQL can complete them.

use async_graphql::Enum;

/// Declares a GraphQL enum mirroring a domain enum variant for variant.
macro_rules! mirror {
    ($(#[$m:meta])* $name:ident = $remote:literal { $($v:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, async_graphql::Enum, Copy, Clone, Eq, PartialEq)]
        #[graphql(remote = $remote)]
        pub enum $name { $($v),+ }
    };
}
pub(crate) use mirror;

mirror!(
    /// Medical specialty.
    Specialty = "domain::Specialty" {
        GeneralPractice, Pediatrics, Geriatrics, Rheumatology, Dermatology, Endocrinology, Neurology, MedicalEnt,
        MedicalGynaecology, InternalMedicine, PhysicalMedicineRehabilitation, Gastroenterology, Pulmonology,
        Cardiology, Psychiatry, Ophthalmology, VascularMedicine, Allergology, Nephrology, MedicalOncology, Ent,
        ObstetricsGynaecology, GeneralSurgery, OrthopaedicSurgery, Urology, VascularSurgery, PlasticSurgery,
        Radiology, Radiotherapy, Stomatology, Anaesthesia, AnatomoCytoPathology, NuclearMedicine,
    }
);
mirror!(
    /// Conventional sector.
    ConventionSector = "domain::ConventionSector" { Sector1, Sector2, NotContracted }
);
mirror!(
    /// OPTAM adhesion of a sector-2 doctor (OPTAM-CO is now called OPTAM-ACO).
    Optam = "domain::Optam" { None, Optam, OptamCo }
);
mirror!(
    /// Liberal, mixed or salaried practice.
    PracticeMode = "domain::PracticeMode" { Liberal, Mixed, Salaried }
);
mirror!(
    /// Kind of care structure.
    StructureKind = "domain::StructureKind" { Msp, CentreDeSante, GroupPractice, Esp }
);
mirror!(
    /// Legal form of the company behind a structure.
    LegalForm = "domain::LegalForm" { Sisa, Scm, Scp, Sel, Association, Other }
);
mirror!(
    /// Qualification route of an assistant médical.
    Qualification = "domain::Qualification" { None, Cqp, Fae }
);
mirror!(
    /// Individual (doctor) or collective (company, C2026) contract.
    ContractKind = "domain::ContractKind" { Individual, Collective }
);
mirror!(
    /// Life cycle of an aid contract.
    ContractStatus = "domain::ContractStatus" { Draft, Active, Suspended, Terminated, Ended }
);
mirror!(
    /// Where activity figures came from.
    FiguresOrigin = "domain::FiguresOrigin" { Manual, Cpam }
);
/// Position in the specialty's national distribution (lower bound inclusive, upper exclusive).
#[derive(Debug, Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::ActivityBand")]
pub enum ActivityBand {
    #[graphql(name = "BELOW_P30")]
    BelowP30,
    #[graphql(name = "P30_P50")]
    P30P50,
    #[graphql(name = "P50_P70")]
    P50P70,
    #[graphql(name = "P70_P90")]
    P70P90,
    #[graphql(name = "P90_P95")]
    P90P95,
    #[graphql(name = "P95_PLUS")]
    P95Plus,
}
mirror!(
    /// Option of an individual contract: the minimum assistant time the doctor commits to.
    AidOption = "domain::AidOption" { OneThirdEtp, HalfEtp, OneEtp, OneAndHalfEtp, TwoEtp }
);
/// Profession of a health professional other than a doctor.
#[derive(Debug, Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::funding::Profession")]
pub enum Profession {
    Nurse,
    AdvancedPracticeNurse,
    Physiotherapist,
    Midwife,
    Pharmacist,
    Dentist,
    SpeechTherapist,
    Podiatrist,
    Dietitian,
    /// The stored code's spelling.
    #[graphql(name = "ORTHOPTIST")]
    OrthopticTherapist,
    Psychologist,
    Other,
}
mirror!(
    /// Where a piece of public money other than the aid and the ACI comes from (RULES.md §9.2);
    /// CAIM, COSCOM, COTRAM and CSTM are the convention's demographic contracts, paid to one doctor.
    FundingScheme = "domain::funding::FundingScheme" {
        ArsGrant, Fir, LocalAuthority, Cpts, Caim, Coscom, Cotram, Cstm, Other,
    }
);
