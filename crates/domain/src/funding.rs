//! What a structure records about its other funding and its whole team (RULES.md §9): the
//! other health professionals, the ACI MSP contract, other public money, and what each
//! employee costs. The compatibility rules read these through the planning layer.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::codes::{ContractStatus, UnknownCode, coded_enum};
use crate::identifiers::Rpps;
use crate::model::{AssistantId, Period, PractitionerId};
use crate::time::Etp;

macro_rules! id_type {
    ($($name:ident),+) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name(pub i64);
    )+};
}

id_type!(ProfessionalId, AciContractId, GrantId);

coded_enum! {
    /// Profession of a health professional other than a doctor (ACI: at least one auxiliaire
    /// médical; SISA: at least two doctors and one auxiliaire médical).
    Profession, "profession" {
        Nurse => ("NURSE", "Infirmier·e"),
        AdvancedPracticeNurse => ("ADVANCED_PRACTICE_NURSE", "Infirmier·e en pratique avancée"),
        Physiotherapist => ("PHYSIOTHERAPIST", "Masseur-kinésithérapeute"),
        Midwife => ("MIDWIFE", "Sage-femme"),
        Pharmacist => ("PHARMACIST", "Pharmacien·ne"),
        Dentist => ("DENTIST", "Chirurgien·ne-dentiste"),
        SpeechTherapist => ("SPEECH_THERAPIST", "Orthophoniste"),
        Podiatrist => ("PODIATRIST", "Pédicure-podologue"),
        Dietitian => ("DIETITIAN", "Diététicien·ne"),
        OrthopticTherapist => ("ORTHOPTIST", "Orthoptiste"),
        Psychologist => ("PSYCHOLOGIST", "Psychologue"),
        Other => ("OTHER", "Autre profession"),
    }
}

impl Profession {
    /// Whether the profession is an *auxiliaire médical* (Code de la santé publique, quatrième
    /// partie, livre III), the kind the ACI's minimum team and a SISA need.
    pub fn is_auxiliaire_medical(self) -> bool {
        use Profession::*;
        matches!(
            self,
            Nurse
                | AdvancedPracticeNurse
                | Physiotherapist
                | SpeechTherapist
                | Podiatrist
                | Dietitian
                | OrthopticTherapist
        )
    }
}

coded_enum! {
    /// Where a piece of public money other than the aid comes from (RULES.md §9.2).
    FundingScheme, "funding scheme" {
        /// A grant of the Agence régionale de santé.
        ArsGrant => ("ARS_GRANT", "Subvention ARS"),
        /// The ARS's Fonds d'intervention régional.
        Fir => ("FIR", "Fonds d'intervention régional (FIR)"),
        /// A région, département or commune.
        LocalAuthority => ("LOCAL_AUTHORITY", "Collectivité territoriale"),
        /// Payments of a CPTS to its members.
        Cpts => ("CPTS", "CPTS"),
        /// Demographic contracts of the convention médicale, closed after 2025-12-31.
        Caim => ("CAIM", "Contrat d'aide à l'installation (CAIM)"),
        Coscom => ("COSCOM", "Contrat de stabilisation et de coordination (COSCOM)"),
        Cotram => ("COTRAM", "Contrat de transition (COTRAM)"),
        Cstm => ("CSTM", "Contrat de solidarité territoriale (CSTM)"),
        Other => ("OTHER", "Autre financement"),
    }
}

impl FundingScheme {
    /// Regional public money: the ARS, its FIR, and local authorities (CMP-REGIONAL).
    pub fn is_regional(self) -> bool {
        matches!(self, Self::ArsGrant | Self::Fir | Self::LocalAuthority)
    }

    /// The convention's demographic contracts, paid to one doctor.
    pub fn is_demographic_contract(self) -> bool {
        matches!(self, Self::Caim | Self::Coscom | Self::Cotram | Self::Cstm)
    }
}

/// An ADELI number (health professionals not yet in the RPPS): 9 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Adeli(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an ADELI number has 9 digits")]
pub struct InvalidAdeli;

impl Adeli {
    pub fn parse(value: &str) -> Result<Self, InvalidAdeli> {
        let v = value.trim();
        if v.len() == 9 && v.bytes().all(|b| b.is_ascii_digit()) { Ok(Self(v.to_owned())) } else { Err(InvalidAdeli) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A health professional of the structure other than a doctor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Professional {
    pub id: ProfessionalId,
    pub fields: ProfessionalFields,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfessionalFields {
    pub profession: Profession,
    pub first_name: String,
    pub last_name: String,
    pub rpps: Option<Rpps>,
    pub adeli: Option<Adeli>,
    /// Partner (associé) of the structure's company.
    pub partner: bool,
    pub period: Period,
}

/// Who holds the ACI coordination function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoordinationHolder {
    /// One of the structure's employees recorded as an assistant.
    Assistant(AssistantId),
    /// Someone the product does not otherwise record (a partner, an outside coordinator).
    Named(String),
}

/// The coordination function declared under the ACI (RULES.md §9.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coordination {
    pub declared: bool,
    pub holder: Option<CoordinationHolder>,
    /// Time dedicated to the function.
    pub etp: Option<Etp>,
}

/// The structure's ACI MSP contract, as recorded (RULES.md §9.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AciContract {
    pub id: AciContractId,
    pub fields: AciContractFields,
    /// What was paid or earned, year by year.
    pub years: Vec<AciYear>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AciContractFields {
    /// The CPAM's reference of the contract, which matches it to the CPAM's own copy.
    pub cpam_reference: Option<String>,
    pub signed_on: NaiveDate,
    pub status: ContractStatus,
    pub ends_on: Option<NaiveDate>,
    /// Day the structure became a SISA (the ACI requires it within 6 months of signing).
    pub sisa_on: Option<NaiveDate>,
    pub coordination: Coordination,
}

/// One calendar year of an ACI contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AciYear {
    pub year: i32,
    /// Points earned.
    pub points: Option<u32>,
    /// Amount paid for the year (advance and balance), in euros.
    pub paid: Option<Decimal>,
    /// Share of the amount that pays the coordination function, in euros.
    pub coordination_paid: Option<Decimal>,
}

/// Public money other than the aid and the ACI (a regional grant, CPTS payments, a demographic
/// contract…), with the employees it pays for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: GrantId,
    pub fields: GrantFields,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantFields {
    pub scheme: FundingScheme,
    /// Who pays, as the decision names it ("ARS Auvergne-Rhône-Alpes", "CPTS du Val").
    pub payer: String,
    pub purpose: String,
    /// Whether the money pays staff salaries.
    pub pays_salaries: bool,
    pub period: Period,
    /// Amount over the whole period, in euros; for an open-ended grant, per calendar year.
    pub amount: Decimal,
    /// The doctor it is paid to, for a demographic contract.
    pub practitioner_id: Option<PractitionerId>,
    pub employees: Vec<GrantShare>,
}

/// The part of a grant that pays one employee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantShare {
    pub assistant_id: AssistantId,
    /// Amount over the grant's period (per calendar year when it is open-ended), in euros.
    pub amount: Decimal,
    /// Hours paid over the period, when the decision says.
    pub hours: Option<Decimal>,
}

/// What one employee costs the employer over a calendar year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmploymentCost {
    pub assistant_id: AssistantId,
    pub year: i32,
    /// Gross salary, in euros.
    pub salary: Decimal,
    /// Employer's social charges, in euros.
    pub employer_charges: Decimal,
}

impl EmploymentCost {
    pub fn total(&self) -> Decimal {
        self.salary + self.employer_charges
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adeli_numbers_have_nine_digits() {
        assert_eq!(Adeli::parse(" 751234567 ").map(|a| a.as_str().to_owned()), Ok("751234567".to_owned()));
        assert_eq!(Adeli::parse("75123456"), Err(InvalidAdeli));
        assert_eq!(Adeli::parse("75123456A"), Err(InvalidAdeli));
    }

    #[test]
    fn an_employment_cost_is_salary_plus_employer_charges() {
        let cost = |salary: i64, charges: i64| EmploymentCost {
            assistant_id: AssistantId(1),
            year: 2026,
            salary: Decimal::from(salary),
            employer_charges: Decimal::from(charges),
        };
        assert_eq!(cost(26_400, 9_240).total(), Decimal::from(35_640));
        assert_eq!(cost(2, 3).total(), Decimal::from(5), "not a product");
    }

    #[test]
    fn regional_money_is_the_ars_its_fir_and_local_authorities() {
        use FundingScheme::*;
        let regional: Vec<_> = FundingScheme::ALL.iter().copied().filter(|s| s.is_regional()).collect();
        assert_eq!(regional, vec![ArsGrant, Fir, LocalAuthority]);
        let demographic: Vec<_> = FundingScheme::ALL.iter().copied().filter(|s| s.is_demographic_contract()).collect();
        assert_eq!(demographic, vec![Caim, Coscom, Cotram, Cstm]);
    }

    #[test]
    fn auxiliaires_medicaux() {
        use Profession::*;
        let auxiliaires: Vec<_> = Profession::ALL.iter().copied().filter(|p| p.is_auxiliaire_medical()).collect();
        // Midwives are a medical profession, pharmacists a pharmacy one: neither is auxiliaire.
        assert_eq!(
            auxiliaires,
            vec![
                Nurse,
                AdvancedPracticeNurse,
                Physiotherapist,
                SpeechTherapist,
                Podiatrist,
                Dietitian,
                OrthopticTherapist
            ]
        );
    }
}
