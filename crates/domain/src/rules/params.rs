//! Dated rule parameters: every figure of the rules, as a step function of time with its
//! legal reference, source, confidence and the day it was last checked.
//!
//! The values live in `config/rules/*.toml` (one file per family), embedded at build time and
//! overridable by a directory. This module holds the registry of the parameters the code needs
//! (key, family, type, the date it is needed from) and the loader that validates files against
//! it: unknown keys, missing parameters, gaps, overlaps and empty references are refused with
//! the file and the key named.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::codes::{ActivityBand, LegalForm, Specialty};

/// How far a value can be trusted. Ordered from the weakest: `min()` of several is the weakest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Our reading where the sources are silent or conflict.
    Assumption,
    /// A faithful second-hand report (union, press, federation).
    Secondary,
    /// The text itself or the official ameli page.
    Official,
}

impl Confidence {
    pub fn code(self) -> &'static str {
        match self {
            Confidence::Assumption => "ASSUMPTION",
            Confidence::Secondary => "SECONDARY",
            Confidence::Official => "OFFICIAL",
        }
    }
}

/// The type of a parameter's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Money,
    Count,
    /// Count or the string "NONE" (the rule does not exist yet).
    OptCount,
    /// Exact decimal written as a string, e.g. "0.20".
    Ratio,
    /// Ratio or "NONE".
    OptRatio,
    Bool,
    /// One of a closed set of strings.
    Choice(&'static [&'static str]),
    /// An activity band code or "NONE".
    OptBand,
    Specialties,
    LegalForms,
}

/// A parameter value, typed by its [`Kind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Money(Decimal),
    Count(u32),
    OptCount(Option<u32>),
    Ratio(Decimal),
    OptRatio(Option<Decimal>),
    Bool(bool),
    Choice(&'static str),
    OptBand(Option<ActivityBand>),
    Specialties(Vec<Specialty>),
    LegalForms(Vec<LegalForm>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list<T>(f: &mut fmt::Formatter<'_>, items: &[T], code: fn(&T) -> &'static str) -> fmt::Result {
            let codes: Vec<&str> = items.iter().map(code).collect();
            write!(f, "[{}]", codes.join(", "))
        }
        match self {
            Value::Money(d) | Value::Ratio(d) | Value::OptRatio(Some(d)) => write!(f, "{d}"),
            Value::Count(n) | Value::OptCount(Some(n)) => write!(f, "{n}"),
            Value::OptCount(None) | Value::OptRatio(None) | Value::OptBand(None) => f.write_str("NONE"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Choice(c) => f.write_str(c),
            Value::OptBand(Some(b)) => f.write_str(b.code()),
            Value::Specialties(s) => list(f, s, |s| s.code()),
            Value::LegalForms(l) => list(f, l, |l| l.code()),
        }
    }
}

/// Where a value comes from and how sure we are of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub reference: String,
    pub source: String,
    pub confidence: Confidence,
    pub checked_on: NaiveDate,
}

/// One step of a parameter's series: `value` holds from `from` until the next step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub from: NaiveDate,
    pub value: Value,
    pub provenance: Provenance,
}

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("invalid constant date"),
    }
}

/// First day of the individual aid (R2019): no regime before it.
pub const INDIVIDUAL_START: NaiveDate = date(2019, 8, 21);
/// First day of the R2024 revalued tables and options.
pub const R2024_START: NaiveDate = date(2024, 6, 22);
/// First day of the collective aid (C2026).
pub const COLLECTIVE_START: NaiveDate = date(2026, 2, 25);

/// What the code knows of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub id: P,
    pub key: &'static str,
    pub family: &'static str,
    pub kind: Kind,
    /// The series must have a value from this date on.
    pub needed_from: NaiveDate,
}

const REGIMES: Kind = Kind::Choice(&["R2019", "R2020", "R2023", "R2024"]);

/// First year of the ACI MSP (2017): a year's remuneration reads the values of its 1 January.
pub const ACI_START: NaiveDate = date(2017, 1, 1);
/// Kind of an ACI indicator; NONE: not in the ACI that year.
const ACI_KIND: Kind = Kind::Choice(&["PREREQUISITE", "SOCLE", "OPTIONAL", "NONE"]);

macro_rules! registry {
    ($($id:ident = $key:literal in $family:literal : $kind:expr, from $from:expr;)+) => {
        /// Every parameter the rules read.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum P { $($id),+ }

        /// The registry, in the order of [`P`].
        pub const SPECS: &[Spec] = &[
            $(Spec { id: P::$id, key: $key, family: $family, kind: $kind, needed_from: $from }),+
        ];
    };
}

registry! {
    RegimeIndividual = "regime.individual" in "regimes": REGIMES, from INDIVIDUAL_START;
    RegimeCollective = "regime.collective" in "regimes": Kind::Choice(&["C2026"]), from COLLECTIVE_START;

    MixedPracticeAllowed = "eligibility.mixed_practice_allowed" in "eligibility": Kind::Bool, from INDIVIDUAL_START;
    SpecialtyMode = "eligibility.specialty_mode" in "eligibility": Kind::Choice(&["FRANCE_WIDE_LIST", "ALL_EXCEPT_EXCLUDED"]), from INDIVIDUAL_START;
    SpecialtiesFranceWide = "eligibility.specialties_france_wide" in "eligibility": Kind::Specialties, from INDIVIDUAL_START;
    SpecialtiesExcluded = "eligibility.specialties_excluded" in "eligibility": Kind::Specialties, from INDIVIDUAL_START;
    ClinicalShareSpecialties = "eligibility.clinical_share_specialties" in "eligibility": Kind::Specialties, from INDIVIDUAL_START;
    ClinicalShareMaxCcam = "eligibility.clinical_share_max_ccam" in "eligibility": Kind::Ratio, from INDIVIDUAL_START;
    GpFloorIndicator = "eligibility.gp_floor_indicator" in "eligibility": Kind::Choice(&["ADULT_PMT", "PMT"]), from INDIVIDUAL_START;
    GpFloor = "eligibility.gp_floor" in "eligibility": Kind::Count, from INDIVIDUAL_START;
    NewInstallYears = "derogation.new_install_years" in "eligibility": Kind::Count, from INDIVIDUAL_START;
    RqthDerogation = "derogation.rqth" in "eligibility": Kind::Bool, from INDIVIDUAL_START;
    ChildrenShareMin = "derogation.children_share_min" in "eligibility": Kind::OptRatio, from INDIVIDUAL_START;
    GroupedRequired = "eligibility.grouped_required" in "eligibility": Kind::Bool, from INDIVIDUAL_START;
    CoordinatedRequired = "eligibility.coordinated_required" in "eligibility": Kind::Bool, from INDIVIDUAL_START;
    NoCollective = "eligibility.no_collective" in "eligibility": Kind::Bool, from INDIVIDUAL_START;

    OneThirdOpen = "option.one_third_etp.open" in "options": Kind::Bool, from INDIVIDUAL_START;
    OneEtpEverywhere = "option.one_etp.everywhere" in "options": Kind::Bool, from INDIVIDUAL_START;
    OneEtpZacSoloMinBand = "option.one_etp.zac_solo_min_band" in "options": Kind::OptBand, from INDIVIDUAL_START;
    SecondAssistantOpen = "option.second_assistant.open" in "options": Kind::Bool, from INDIVIDUAL_START;
    SecondAssistantMinYear = "option.second_assistant.min_contract_year" in "options": Kind::Count, from INDIVIDUAL_START;
    ContractDurationYears = "contract.duration_years" in "options": Kind::Count, from INDIVIDUAL_START;
    ContractRenewable = "contract.renewable" in "options": Kind::Choice(&["ONE_THIRD_ONLY", "ALL"]), from INDIVIDUAL_START;

    AmountOneThirdY1 = "amount.one_third_etp.year_1" in "amounts": Kind::Money, from INDIVIDUAL_START;
    AmountOneThirdY2 = "amount.one_third_etp.year_2" in "amounts": Kind::Money, from INDIVIDUAL_START;
    AmountOneThirdY3 = "amount.one_third_etp.year_3_plus" in "amounts": Kind::Money, from INDIVIDUAL_START;
    AmountOneThirdP90 = "amount.one_third_etp.p90_p95" in "amounts": Kind::Money, from INDIVIDUAL_START;
    AmountOneThirdP95 = "amount.one_third_etp.p95_plus" in "amounts": Kind::Money, from INDIVIDUAL_START;
    AmountHalfY1 = "amount.half_etp.year_1" in "amounts": Kind::Money, from INDIVIDUAL_START;
    AmountHalfY2 = "amount.half_etp.year_2" in "amounts": Kind::Money, from INDIVIDUAL_START;
    AmountHalfY3 = "amount.half_etp.year_3_plus" in "amounts": Kind::Money, from INDIVIDUAL_START;
    AmountHalfP90 = "amount.half_etp.p90_p95" in "amounts": Kind::Money, from INDIVIDUAL_START;
    AmountHalfP95 = "amount.half_etp.p95_plus" in "amounts": Kind::Money, from INDIVIDUAL_START;
    AmountOneY1 = "amount.one_etp.year_1" in "amounts": Kind::Money, from INDIVIDUAL_START;
    AmountOneY2 = "amount.one_etp.year_2" in "amounts": Kind::Money, from INDIVIDUAL_START;
    AmountOneY3 = "amount.one_etp.year_3_plus" in "amounts": Kind::Money, from INDIVIDUAL_START;
    AmountOneP90 = "amount.one_etp.p90_p95" in "amounts": Kind::Money, from INDIVIDUAL_START;
    AmountOneP95 = "amount.one_etp.p95_plus" in "amounts": Kind::Money, from INDIVIDUAL_START;
    AmountOneHalfY1 = "amount.one_and_half_etp.year_1" in "amounts": Kind::Money, from R2024_START;
    AmountOneHalfY2 = "amount.one_and_half_etp.year_2" in "amounts": Kind::Money, from R2024_START;
    AmountOneHalfY3 = "amount.one_and_half_etp.year_3_plus" in "amounts": Kind::Money, from R2024_START;
    AmountOneHalfP90 = "amount.one_and_half_etp.p90_p95" in "amounts": Kind::Money, from R2024_START;
    AmountOneHalfP95 = "amount.one_and_half_etp.p95_plus" in "amounts": Kind::Money, from R2024_START;
    AmountTwoY1 = "amount.two_etp.year_1" in "amounts": Kind::Money, from R2024_START;
    AmountTwoY2 = "amount.two_etp.year_2" in "amounts": Kind::Money, from R2024_START;
    AmountTwoY3 = "amount.two_etp.year_3_plus" in "amounts": Kind::Money, from R2024_START;
    AmountTwoP90 = "amount.two_etp.p90_p95" in "amounts": Kind::Money, from R2024_START;
    AmountTwoP95 = "amount.two_etp.p95_plus" in "amounts": Kind::Money, from R2024_START;
    Year1FirstInstalment = "payment.year_1_first_instalment" in "amounts": Kind::Ratio, from INDIVIDUAL_START;

    ObjectiveMode = "objective.mode" in "objectives": Kind::Choice(&["PERCENT_BY_BAND", "EXTRA_PATIENTS_PER_ETP"]), from INDIVIDUAL_START;
    PctP30OneThird = "objective.percent.p30_p50.one_third_etp" in "objectives": Kind::Ratio, from INDIVIDUAL_START;
    PctP30Half = "objective.percent.p30_p50.half_etp" in "objectives": Kind::Ratio, from INDIVIDUAL_START;
    PctP30One = "objective.percent.p30_p50.one_etp" in "objectives": Kind::Ratio, from INDIVIDUAL_START;
    PctP50OneThird = "objective.percent.p50_p70.one_third_etp" in "objectives": Kind::Ratio, from INDIVIDUAL_START;
    PctP50Half = "objective.percent.p50_p70.half_etp" in "objectives": Kind::Ratio, from INDIVIDUAL_START;
    PctP50One = "objective.percent.p50_p70.one_etp" in "objectives": Kind::Ratio, from INDIVIDUAL_START;
    PctP70OneThird = "objective.percent.p70_p90.one_third_etp" in "objectives": Kind::Ratio, from INDIVIDUAL_START;
    PctP70Half = "objective.percent.p70_p90.half_etp" in "objectives": Kind::Ratio, from INDIVIDUAL_START;
    PctP70One = "objective.percent.p70_p90.one_etp" in "objectives": Kind::Ratio, from INDIVIDUAL_START;
    PctP90OneThird = "objective.percent.p90_p95.one_third_etp" in "objectives": Kind::Ratio, from INDIVIDUAL_START;
    PctP90Half = "objective.percent.p90_p95.half_etp" in "objectives": Kind::Ratio, from INDIVIDUAL_START;
    PctP90One = "objective.percent.p90_p95.one_etp" in "objectives": Kind::Ratio, from INDIVIDUAL_START;
    GpIndicators = "objective.gp_indicators" in "objectives": Kind::Choice(&["BOTH", "EITHER"]), from INDIVIDUAL_START;
    GpExtraPmtPerEtp = "objective.gp_extra_pmt_per_etp" in "objectives": Kind::Count, from INDIVIDUAL_START;
    GpExtraFaPerEtp = "objective.gp_extra_fa_per_etp" in "objectives": Kind::Count, from INDIVIDUAL_START;
    OtherFaIncreasePerEtp = "objective.other_fa_increase_per_etp" in "objectives": Kind::Ratio, from INDIVIDUAL_START;
    OtherFaMinExtra = "objective.other_fa_min_extra" in "objectives": Kind::Count, from INDIVIDUAL_START;
    GpP50Pmt = "objective.gp_p50_pmt" in "objectives": Kind::Count, from INDIVIDUAL_START;
    GpP50Fa = "objective.gp_p50_fa" in "objectives": Kind::Count, from INDIVIDUAL_START;
    SeniorAge = "objective.senior_age" in "objectives": Kind::OptCount, from INDIVIDUAL_START;
    SeniorTolerance = "objective.senior_tolerance" in "objectives": Kind::Ratio, from INDIVIDUAL_START;
    DeadlineContractYear = "objective.deadline_contract_year" in "objectives": Kind::Count, from INDIVIDUAL_START;

    CollectiveSignatoryForms = "collective.signatory_forms" in "collective": Kind::LegalForms, from COLLECTIVE_START;
    CollectiveMeanPmtThreshold = "collective.mean_pmt_threshold" in "collective": Kind::Count, from COLLECTIVE_START;
    CollectiveAmountY1 = "collective.amount.year_1" in "collective": Kind::Money, from COLLECTIVE_START;
    CollectiveAmountY2 = "collective.amount.year_2" in "collective": Kind::Money, from COLLECTIVE_START;
    CollectiveAmountY3 = "collective.amount.year_3_plus" in "collective": Kind::Money, from COLLECTIVE_START;
    CollectivePamsuBonus = "collective.pamsu_bonus_etp" in "collective": Kind::Ratio, from COLLECTIVE_START;
    CollectiveExtraPmtPerEtp = "collective.extra_pmt_per_etp" in "collective": Kind::Count, from COLLECTIVE_START;
    CollectiveExtraFaPerEtp = "collective.extra_fa_per_etp" in "collective": Kind::Count, from COLLECTIVE_START;
    CollectiveWaitingYears = "collective.waiting_period_years" in "collective": Kind::Count, from COLLECTIVE_START;
    CollectiveDurationYears = "collective.duration_years" in "collective": Kind::Count, from COLLECTIVE_START;

    QualificationDeadlineYears = "assistant.qualification_deadline_years" in "assistants": Kind::Count, from INDIVIDUAL_START;
    QualificationWarningMonths = "assistant.qualification_warning_months" in "assistants": Kind::Count, from INDIVIDUAL_START;
    SecretaryReplacementMonths = "assistant.secretary_replacement_months" in "assistants": Kind::OptCount, from INDIVIDUAL_START;

    AciSisaDelayMonths = "compatibility.aci_sisa_delay_months" in "compatibility": Kind::Count, from INDIVIDUAL_START;
    DemographicContractsOpen = "compatibility.demographic_contracts_open" in "compatibility": Kind::Bool, from INDIVIDUAL_START;
    AciPointValue = "aci.point_value" in "aci": Kind::Money, from ACI_START;
    AciReferencePatientele = "aci.reference_patientele" in "aci": Kind::Count, from ACI_START;
    AciCoordinationKind = "aci.coordination.kind" in "aci": ACI_KIND, from ACI_START;
    AciCoordinationFixed = "aci.coordination.fixed" in "aci": Kind::Count, from ACI_START;
    AciCoordinationVariable = "aci.coordination.variable" in "aci": Kind::Count, from ACI_START;
    AciCoordinationVariableThreshold = "aci.coordination.variable_threshold" in "aci": Kind::OptCount, from ACI_START;
    AciCoordinationVariableBeyond = "aci.coordination.variable_beyond" in "aci": Kind::OptCount, from ACI_START;
    AciOpeningHoursKind = "aci.opening_hours.kind" in "aci": ACI_KIND, from ACI_START;
    AciOpeningHoursFixed = "aci.opening_hours.fixed" in "aci": Kind::Count, from ACI_START;
    AciCrisisResponseKind = "aci.crisis_response.kind" in "aci": ACI_KIND, from ACI_START;
    AciCrisisResponseFixed = "aci.crisis_response.fixed" in "aci": Kind::Count, from ACI_START;
    AciCrisisResponseVariable = "aci.crisis_response.variable" in "aci": Kind::Count, from ACI_START;
    AciServiceDiversityKind = "aci.service_diversity.kind" in "aci": ACI_KIND, from ACI_START;
    AciServiceDiversityLevel1Fixed = "aci.service_diversity.level_1_fixed" in "aci": Kind::Count, from ACI_START;
    AciServiceDiversityLevel2Fixed = "aci.service_diversity.level_2_fixed" in "aci": Kind::Count, from ACI_START;
    AciSecondLineConsultationsKind = "aci.second_line_consultations.kind" in "aci": ACI_KIND, from ACI_START;
    AciSecondLineConsultationsLevel1Fixed = "aci.second_line_consultations.level_1_fixed" in "aci": Kind::Count, from ACI_START;
    AciSecondLineConsultationsLevel2Fixed = "aci.second_line_consultations.level_2_fixed" in "aci": Kind::Count, from ACI_START;
    AciCstmDoctorKind = "aci.cstm_doctor.kind" in "aci": ACI_KIND, from ACI_START;
    AciCstmDoctorFixed = "aci.cstm_doctor.fixed" in "aci": Kind::Count, from ACI_START;
    AciPublicHealthMissionsKind = "aci.public_health_missions.kind" in "aci": ACI_KIND, from ACI_START;
    AciPublicHealthMissionsVariablePerMission = "aci.public_health_missions.variable_per_mission" in "aci": Kind::Count, from ACI_START;
    AciPublicHealthMissionsMaxMissions = "aci.public_health_missions.max_missions" in "aci": Kind::Count, from ACI_START;
    AciPublicHealthMissionsIpaFixed = "aci.public_health_missions.ipa_fixed" in "aci": Kind::Count, from ACI_START;
    AciPublicHealthMissionsIpaMinMissions = "aci.public_health_missions.ipa_min_missions" in "aci": Kind::Count, from ACI_START;
    AciUserInvolvementKind = "aci.user_involvement.kind" in "aci": ACI_KIND, from ACI_START;
    AciUserInvolvementLevel1Fixed = "aci.user_involvement.level_1_fixed" in "aci": Kind::Count, from ACI_START;
    AciUserInvolvementLevel2Fixed = "aci.user_involvement.level_2_fixed" in "aci": Kind::Count, from ACI_START;
    AciUserInvolvementLevel2Variable = "aci.user_involvement.level_2_variable" in "aci": Kind::Count, from ACI_START;
    AciSasParticipationKind = "aci.sas_participation.kind" in "aci": ACI_KIND, from ACI_START;
    AciSasParticipationLevel1Fixed = "aci.sas_participation.level_1_fixed" in "aci": Kind::Count, from ACI_START;
    AciSasParticipationLevel2Fixed = "aci.sas_participation.level_2_fixed" in "aci": Kind::Count, from ACI_START;
    AciProtocolsKind = "aci.protocols.kind" in "aci": ACI_KIND, from ACI_START;
    AciProtocolsFixedPerProtocol = "aci.protocols.fixed_per_protocol" in "aci": Kind::Count, from ACI_START;
    AciProtocolsMaxProtocols = "aci.protocols.max_protocols" in "aci": Kind::Count, from ACI_START;
    AciProtocolsIpaFixedPerProtocol = "aci.protocols.ipa_fixed_per_protocol" in "aci": Kind::Count, from ACI_START;
    AciConcertationKind = "aci.concertation.kind" in "aci": ACI_KIND, from ACI_START;
    AciConcertationVariable = "aci.concertation.variable" in "aci": Kind::Count, from ACI_START;
    AciConcertationIpaVariable = "aci.concertation.ipa_variable" in "aci": Kind::Count, from ACI_START;
    AciTraineesKind = "aci.trainees.kind" in "aci": ACI_KIND, from ACI_START;
    AciTraineesFixed = "aci.trainees.fixed" in "aci": Kind::Count, from ACI_START;
    AciTraineesBasePlacements = "aci.trainees.base_placements" in "aci": Kind::Count, from ACI_START;
    AciTraineesExtraFixedPerPlacement = "aci.trainees.extra_fixed_per_placement" in "aci": Kind::Count, from ACI_START;
    AciTraineesMaxPlacements = "aci.trainees.max_placements" in "aci": Kind::Count, from ACI_START;
    AciExternalCoordinationKind = "aci.external_coordination.kind" in "aci": ACI_KIND, from ACI_START;
    AciExternalCoordinationVariable = "aci.external_coordination.variable" in "aci": Kind::Count, from ACI_START;
    AciQualityKind = "aci.quality.kind" in "aci": ACI_KIND, from ACI_START;
    AciQualityLevel1Fixed = "aci.quality.level_1_fixed" in "aci": Kind::Count, from ACI_START;
    AciQualityLevel2Variable = "aci.quality.level_2_variable" in "aci": Kind::Count, from ACI_START;
    AciQualityLevel3Variable = "aci.quality.level_3_variable" in "aci": Kind::Count, from ACI_START;
    AciCooperationProtocolsKind = "aci.cooperation_protocols.kind" in "aci": ACI_KIND, from ACI_START;
    AciCooperationProtocolsFixedPerProtocol = "aci.cooperation_protocols.fixed_per_protocol" in "aci": Kind::Count, from ACI_START;
    AciCooperationProtocolsMaxProtocols = "aci.cooperation_protocols.max_protocols" in "aci": Kind::Count, from ACI_START;
    AciHeartFailurePathwayKind = "aci.heart_failure_pathway.kind" in "aci": ACI_KIND, from ACI_START;
    AciHeartFailurePathwayVariable = "aci.heart_failure_pathway.variable" in "aci": Kind::Count, from ACI_START;
    AciChildObesityPathwayKind = "aci.child_obesity_pathway.kind" in "aci": ACI_KIND, from ACI_START;
    AciChildObesityPathwayFixed = "aci.child_obesity_pathway.fixed" in "aci": Kind::Count, from ACI_START;
    AciInformationSystemKind = "aci.information_system.kind" in "aci": ACI_KIND, from ACI_START;
    AciInformationSystemFixed = "aci.information_system.fixed" in "aci": Kind::Count, from ACI_START;
    AciInformationSystemPerProfessional = "aci.information_system.per_professional" in "aci": Kind::Count, from ACI_START;
    AciInformationSystemProfessionalsThreshold = "aci.information_system.professionals_threshold" in "aci": Kind::Count, from ACI_START;
    AciInformationSystemPerProfessionalBeyond = "aci.information_system.per_professional_beyond" in "aci": Kind::Count, from ACI_START;
    AciInformationSystemAdvancedKind = "aci.information_system_advanced.kind" in "aci": ACI_KIND, from ACI_START;
    AciInformationSystemAdvancedFixed = "aci.information_system_advanced.fixed" in "aci": Kind::Count, from ACI_START;
    AciPrecarityCap = "aci.precarity.cap" in "aci": Kind::Ratio, from ACI_START;
    AciPrecarityFloorEachShare = "aci.precarity.floor_each_share" in "aci": Kind::Bool, from ACI_START;
    AciPaymentAdvanceShare = "aci.payment.advance_share" in "aci": Kind::Ratio, from ACI_START;
    AciPaymentDueMonth = "aci.payment.due_month" in "aci": Kind::Count, from ACI_START;
    AciPaymentDueDay = "aci.payment.due_day" in "aci": Kind::Count, from ACI_START;
    AciPaymentNewSignatoryAdvanceMonths = "aci.payment.new_signatory_advance_months" in "aci": Kind::Count, from ACI_START;
    AciPaymentProrateSignatureYear = "aci.payment.prorate_signature_year" in "aci": Kind::Bool, from ACI_START;
    MonthlyFullTimeHours = "assistant.monthly_full_time_hours" in "assistants": Kind::Ratio, from INDIVIDUAL_START;
}

impl P {
    pub fn spec(self) -> &'static Spec {
        &SPECS[self as usize]
    }
}

/// The parameter files compiled into the binary.
pub const EMBEDDED_FILES: &[(&str, &str)] = &[
    ("regimes.toml", include_str!("../../../../config/rules/regimes.toml")),
    ("eligibility.toml", include_str!("../../../../config/rules/eligibility.toml")),
    ("options.toml", include_str!("../../../../config/rules/options.toml")),
    ("amounts.toml", include_str!("../../../../config/rules/amounts.toml")),
    ("objectives.toml", include_str!("../../../../config/rules/objectives.toml")),
    ("collective.toml", include_str!("../../../../config/rules/collective.toml")),
    ("assistants.toml", include_str!("../../../../config/rules/assistants.toml")),
    ("compatibility.toml", include_str!("../../../../config/rules/compatibility.toml")),
    ("aci.toml", include_str!("../../../../config/rules/aci.toml")),
];

/// A refused parameter file, naming the file and the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {key}: {message}")]
pub struct LoadError {
    pub file: String,
    pub key: String,
    pub message: String,
}

fn err(file: &str, key: &str, message: impl Into<String>) -> LoadError {
    LoadError { file: file.to_owned(), key: key.to_owned(), message: message.into() }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    family: String,
    #[serde(default)]
    parameters: BTreeMap<String, RawParameter>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    description: String,
    series: Vec<RawStep>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    from: toml::value::Datetime,
    value: toml::Value,
    reference: String,
    source: String,
    confidence: Confidence,
    checked_on: toml::value::Datetime,
}

fn to_date(d: &toml::value::Datetime) -> Option<NaiveDate> {
    match (d.date, d.time, d.offset) {
        (Some(date), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(date.year), u32::from(date.month), u32::from(date.day))
        }
        _ => None,
    }
}

fn parse_decimal(v: &toml::Value) -> Result<Decimal, String> {
    match v {
        toml::Value::String(s) => s.parse::<Decimal>().map_err(|_| format!("`{s}` is not a decimal")),
        toml::Value::Integer(i) => Ok(Decimal::from(*i)),
        toml::Value::Float(_) => Err("write decimals as strings (\"0.20\") so they stay exact".into()),
        other => Err(format!("expected a decimal, found {}", other.type_str())),
    }
}

fn parse_count(v: &toml::Value) -> Result<u32, String> {
    match v {
        toml::Value::Integer(i) => u32::try_from(*i).map_err(|_| format!("{i} is not a count")),
        toml::Value::String(s) => s.parse::<u32>().map_err(|_| format!("`{s}` is not a count")),
        other => Err(format!("expected a whole number, found {}", other.type_str())),
    }
}

fn is_none(v: &toml::Value) -> bool {
    matches!(v, toml::Value::String(s) if s == "NONE")
}

fn codes<T>(v: &toml::Value, parse: fn(&str) -> Result<T, crate::codes::UnknownCode>) -> Result<Vec<T>, String> {
    let toml::Value::Array(items) = v else { return Err("expected an array of codes".into()) };
    items
        .iter()
        .map(|i| match i {
            toml::Value::String(s) => parse(s).map_err(|e| e.to_string()),
            other => Err(format!("expected a code, found {}", other.type_str())),
        })
        .collect()
}

fn parse_value(kind: Kind, v: &toml::Value) -> Result<Value, String> {
    Ok(match kind {
        Kind::Money => {
            let d = parse_decimal(v)?;
            if d.is_sign_negative() {
                return Err("an amount cannot be negative".into());
            }
            Value::Money(d)
        }
        Kind::Count => Value::Count(parse_count(v)?),
        Kind::OptCount => Value::OptCount(if is_none(v) { None } else { Some(parse_count(v)?) }),
        Kind::Ratio => Value::Ratio(parse_decimal(v)?),
        Kind::OptRatio => Value::OptRatio(if is_none(v) { None } else { Some(parse_decimal(v)?) }),
        Kind::Bool => match v {
            toml::Value::Boolean(b) => Value::Bool(*b),
            other => return Err(format!("expected true or false, found {}", other.type_str())),
        },
        Kind::Choice(allowed) => match v {
            toml::Value::String(s) => match allowed.iter().find(|a| **a == s) {
                Some(a) => Value::Choice(a),
                None => return Err(format!("`{s}` is not one of {}", allowed.join(", "))),
            },
            other => return Err(format!("expected one of {}, found {}", allowed.join(", "), other.type_str())),
        },
        Kind::OptBand => match v {
            toml::Value::String(s) if s == "NONE" => Value::OptBand(None),
            toml::Value::String(s) => Value::OptBand(Some(ActivityBand::from_code(s).map_err(|e| e.to_string())?)),
            other => return Err(format!("expected a band code, found {}", other.type_str())),
        },
        Kind::Specialties => Value::Specialties(codes(v, Specialty::from_code)?),
        Kind::LegalForms => Value::LegalForms(codes(v, LegalForm::from_code)?),
    })
}

/// Validates one parameter's series.
fn parse_series(file: &str, key: &str, spec: &Spec, raw: &RawParameter) -> Result<Vec<Step>, LoadError> {
    if raw.description.trim().is_empty() {
        return Err(err(file, key, "missing description"));
    }
    let mut steps: Vec<Step> = Vec::with_capacity(raw.series.len());
    for (i, s) in raw.series.iter().enumerate() {
        let at = |m: String| err(file, key, format!("series[{i}]: {m}"));
        let from = to_date(&s.from).ok_or_else(|| at("`from` must be a date (YYYY-MM-DD)".into()))?;
        let checked_on = to_date(&s.checked_on).ok_or_else(|| at("`checked_on` must be a date (YYYY-MM-DD)".into()))?;
        if s.reference.trim().is_empty() {
            return Err(at("missing reference".into()));
        }
        let source = s.source.trim();
        if !source.starts_with("http://") && !source.starts_with("https://") {
            return Err(at("missing source (a URL)".into()));
        }
        if let Some(prev) = steps.last() {
            if from == prev.from {
                return Err(at(format!("overlap: two values from {from}")));
            }
            if from < prev.from {
                return Err(at(format!("overlap: {from} comes before the previous value's {}", prev.from)));
            }
        }
        let value = parse_value(spec.kind, &s.value).map_err(at)?;
        steps.push(Step {
            from,
            value,
            provenance: Provenance {
                reference: s.reference.trim().to_owned(),
                source: source.to_owned(),
                confidence: s.confidence,
                checked_on,
            },
        });
    }
    match steps.first() {
        None => Err(err(file, key, "empty series")),
        Some(first) if first.from > spec.needed_from => Err(err(
            file,
            key,
            format!("gap: no value from {} (needed) to {} (first value)", spec.needed_from, first.from),
        )),
        Some(_) => Ok(steps),
    }
}

/// A parameter as read from a file: where, what it means, its series.
type Loaded = (String, String, Vec<Step>);

fn parse_file(name: &str, text: &str, out: &mut [Option<Loaded>]) -> Result<(), LoadError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| err(name, "(file)", e.message().to_owned()))?;
    for (key, param) in &raw.parameters {
        let spec = SPECS.iter().find(|s| s.key == key).ok_or_else(|| err(name, key, "unknown parameter"))?;
        if spec.family != raw.family {
            return Err(err(name, key, format!("belongs to family `{}`, not `{}`", spec.family, raw.family)));
        }
        let series = parse_series(name, key, spec, param)?;
        out[spec.id as usize] = Some((name.to_owned(), param.description.trim().to_owned(), series));
    }
    Ok(())
}

/// The validated parameters: one series per entry of [`SPECS`].
#[derive(Debug, Clone)]
pub struct RuleBook {
    series: Vec<Vec<Step>>,
    /// File each parameter was read from (embedded or override).
    origins: Vec<String>,
    descriptions: Vec<String>,
}

impl RuleBook {
    /// Loads `embedded` files (every parameter must be defined) then `overrides` (each
    /// parameter they define replaces the embedded series).
    pub fn load(embedded: &[(&str, &str)], overrides: &[(&str, &str)]) -> Result<Self, LoadError> {
        let mut slots: Vec<Option<Loaded>> = vec![None; SPECS.len()];
        for (name, text) in embedded {
            parse_file(name, text, &mut slots)?;
        }
        if let Some(missing) = SPECS.iter().find(|s| slots[s.id as usize].is_none()) {
            return Err(err(&format!("{}.toml", missing.family), missing.key, "missing parameter"));
        }
        for (name, text) in overrides {
            parse_file(name, text, &mut slots)?;
        }
        let mut series = Vec::with_capacity(SPECS.len());
        let mut origins = Vec::with_capacity(SPECS.len());
        let mut descriptions = Vec::with_capacity(SPECS.len());
        for (spec, slot) in SPECS.iter().zip(slots) {
            let (origin, description, steps) = slot.ok_or_else(|| err("(rules)", spec.key, "missing parameter"))?;
            series.push(steps);
            origins.push(origin);
            descriptions.push(description);
        }
        Ok(Self { series, origins, descriptions })
    }

    /// The built-in parameters.
    pub fn embedded() -> Result<Self, LoadError> {
        Self::load(EMBEDDED_FILES, &[])
    }

    /// The step of `p` in force on `day`, if any.
    #[inline]
    pub fn step(&self, p: P, day: NaiveDate) -> Option<&Step> {
        self.series[p as usize].iter().rev().find(|s| s.from <= day)
    }

    pub fn series(&self, p: P) -> &[Step] {
        &self.series[p as usize]
    }

    pub fn origin(&self, p: P) -> &str {
        &self.origins[p as usize]
    }

    pub fn description(&self, p: P) -> &str {
        &self.descriptions[p as usize]
    }

    /// Every parameter in force on `day`, with its step.
    pub fn in_force(&self, day: NaiveDate) -> impl Iterator<Item = (&'static Spec, &Step)> {
        SPECS.iter().filter_map(move |spec| self.step(spec.id, day).map(|s| (spec, s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amounts_with(replace: &str, with: &str) -> String {
        let text = EMBEDDED_FILES.iter().find(|(n, _)| *n == "amounts.toml").map(|(_, t)| *t).unwrap_or_default();
        assert!(text.contains(replace), "fixture text present: {replace}");
        text.replacen(replace, with, 1)
    }

    fn load_with_amounts(text: &str) -> Result<RuleBook, LoadError> {
        let files: Vec<(&str, &str)> =
            EMBEDDED_FILES.iter().map(|(n, t)| if *n == "amounts.toml" { (*n, text) } else { (*n, *t) }).collect();
        RuleBook::load(&files, &[])
    }

    #[test]
    fn embedded_parameters_load_and_registry_is_in_order() {
        let book = RuleBook::embedded().expect("embedded files are valid");
        for (i, spec) in SPECS.iter().enumerate() {
            assert_eq!(spec.id as usize, i, "{}", spec.key);
            assert!(!book.series(spec.id).is_empty());
        }
    }

    #[test]
    fn every_kind_of_bad_file_is_refused_with_file_and_key() {
        let key = "amount.half_etp.year_1";
        let cases = [
            ("value = 18000,", "value = 18000.5,", "write decimals as strings"),
            ("{ from = 2019-08-21, value = 18000,", "{ from = 2019-09-01, value = 18000,", "gap"),
            ("{ from = 2024-06-22, value = 19000,", "{ from = 2019-08-21, value = 19000,", "overlap"),
            (
                "{ from = 2019-08-21, value = 18000, reference = \"Avenant 7, art. 9-5-2-2 (options de financement et objectifs)\"",
                "{ from = 2019-08-21, value = 18000, reference = \" \"",
                "missing reference",
            ),
        ];
        for (from, to, message) in cases {
            let text = amounts_with(&format!("[parameters.\"{key}\"]"), &format!("[parameters.\"{key}\"]"));
            let start = text.find(&format!("[parameters.\"{key}\"]")).expect("present");
            let (head, tail) = text.split_at(start);
            let tail = tail.replacen(from, to, 1);
            let e = load_with_amounts(&format!("{head}{tail}")).expect_err(message);
            assert_eq!((e.file.as_str(), e.key.as_str()), ("amounts.toml", key), "{e}");
            assert!(e.message.contains(message), "{e}");
        }
        let e = load_with_amounts(&amounts_with(
            "[parameters.\"amount.half_etp.year_1\"]",
            "[parameters.\"amount.half_etp.year_one\"]",
        ))
        .expect_err("unknown key");
        assert_eq!((e.key.as_str(), e.message.as_str()), ("amount.half_etp.year_one", "unknown parameter"));
        let e = load_with_amounts(&amounts_with(
            "description = \"Yearly maximum aid, option 1/2 ETP, contract year 1",
            "colour = \"x\"\ndescription = \"Yearly maximum aid, option 1/2 ETP, contract year 1",
        ))
        .expect_err("unknown field");
        assert_eq!(e.file, "amounts.toml");
        assert!(e.message.contains("colour"), "{e}");
    }

    #[test]
    fn a_missing_parameter_is_named() {
        let text = amounts_with(
            "[parameters.\"amount.two_etp.p95_plus\"]",
            "[parameters.\"amount.two_etp.p95_plus_removed\"]",
        );
        let e = load_with_amounts(&text).expect_err("missing");
        assert_eq!(e.key, "amount.two_etp.p95_plus_removed");
    }

    #[test]
    fn an_override_replaces_one_series() {
        let over = r#"family = "amounts"
[parameters."amount.half_etp.year_1"]
description = "test override"
series = [ { from = 2019-08-21, value = 20000, reference = "test", source = "https://example.org", confidence = "assumption", checked_on = 2026-11-23 } ]
"#;
        let book = RuleBook::load(EMBEDDED_FILES, &[("local.toml", over)]).expect("valid override");
        let step = book.step(P::AmountHalfY1, date(2025, 1, 1)).expect("in force");
        assert_eq!(step.value, Value::Money(Decimal::from(20_000)));
        assert_eq!(book.origin(P::AmountHalfY1), "local.toml");
        assert_eq!(book.origin(P::AmountHalfY2), "amounts.toml");
    }

    const CHECKED: &str =
        "reference = \"r\", source = \"https://example.org\", confidence = \"official\", checked_on = 2026-11-23";

    /// A TOML value written as in a parameter file.
    fn toml_value(literal: &str) -> toml::Value {
        let table: toml::Table = toml::from_str(&format!("v = {literal}")).expect("valid TOML");
        table["v"].clone()
    }

    fn value(kind: Kind, literal: &str) -> Result<Value, String> {
        parse_value(kind, &toml_value(literal))
    }

    /// One series step `{ from = …, value = …, <rest> }`.
    fn line(from: &str, value: &str, rest: &str) -> String {
        format!("  {{ from = {from}, value = {value}, {rest} }},\n")
    }

    /// An override file defining `key` (of family `amounts` unless `family` says otherwise).
    fn file(family: &str, key: &str, description: &str, lines: &[String]) -> String {
        format!(
            "family = \"{family}\"\n[parameters.\"{key}\"]\ndescription = \"{description}\"\nseries = [\n{}]\n",
            lines.concat()
        )
    }

    fn load_override(text: &str) -> Result<RuleBook, LoadError> {
        RuleBook::load(EMBEDDED_FILES, &[("local.toml", text)])
    }

    #[test]
    fn confidence_codes_and_order() {
        assert_eq!(Confidence::Assumption.code(), "ASSUMPTION");
        assert_eq!(Confidence::Secondary.code(), "SECONDARY");
        assert_eq!(Confidence::Official.code(), "OFFICIAL");
        assert!(Confidence::Assumption < Confidence::Secondary && Confidence::Secondary < Confidence::Official);
    }

    #[test]
    fn values_display_as_written_in_the_files() {
        use crate::codes::{ActivityBand, LegalForm, Specialty};
        for (v, text) in [
            (Value::Money(Decimal::new(1_800_050, 2)), "18000.50"),
            (Value::Count(775), "775"),
            (Value::OptCount(Some(3)), "3"),
            (Value::OptCount(None), "NONE"),
            (Value::Ratio(Decimal::new(20, 2)), "0.20"),
            (Value::OptRatio(Some(Decimal::new(5, 1))), "0.5"),
            (Value::OptRatio(None), "NONE"),
            (Value::Bool(true), "true"),
            (Value::Bool(false), "false"),
            (Value::Choice("R2024"), "R2024"),
            (Value::OptBand(Some(ActivityBand::P90P95)), "P90_P95"),
            (Value::OptBand(None), "NONE"),
            (Value::Specialties(vec![Specialty::Pediatrics, Specialty::Psychiatry]), "[PEDIATRICS, PSYCHIATRY]"),
            (Value::Specialties(vec![]), "[]"),
            (Value::LegalForms(vec![LegalForm::Scp]), "[SCP]"),
        ] {
            assert_eq!(v.to_string(), text);
        }
    }

    #[test]
    fn values_are_read_by_kind() {
        use crate::codes::{ActivityBand, LegalForm, Specialty};
        let choice = Kind::Choice(&["A", "B"]);
        for (kind, literal, expected) in [
            (Kind::Money, "18000", Value::Money(Decimal::from(18_000))),
            (Kind::Money, "\"18000.50\"", Value::Money(Decimal::new(1_800_050, 2))),
            (Kind::Money, "0", Value::Money(Decimal::ZERO)),
            (Kind::Count, "640", Value::Count(640)),
            (Kind::Count, "\"640\"", Value::Count(640)),
            (Kind::Count, "4294967295", Value::Count(u32::MAX)),
            (Kind::OptCount, "\"NONE\"", Value::OptCount(None)),
            (Kind::OptCount, "70", Value::OptCount(Some(70))),
            (Kind::Ratio, "\"0.20\"", Value::Ratio(Decimal::new(20, 2))),
            (Kind::Ratio, "1", Value::Ratio(Decimal::ONE)),
            (Kind::OptRatio, "\"NONE\"", Value::OptRatio(None)),
            (Kind::OptRatio, "\"0.2\"", Value::OptRatio(Some(Decimal::new(2, 1)))),
            (Kind::Bool, "true", Value::Bool(true)),
            (Kind::Bool, "false", Value::Bool(false)),
            (choice, "\"B\"", Value::Choice("B")),
            (Kind::OptBand, "\"NONE\"", Value::OptBand(None)),
            (Kind::OptBand, "\"P50_P70\"", Value::OptBand(Some(ActivityBand::P50P70))),
            (Kind::Specialties, "[]", Value::Specialties(vec![])),
            (
                Kind::Specialties,
                "[\"PSYCHIATRY\", \"PEDIATRICS\"]",
                Value::Specialties(vec![Specialty::Psychiatry, Specialty::Pediatrics]),
            ),
            (Kind::LegalForms, "[\"SCP\", \"SISA\"]", Value::LegalForms(vec![LegalForm::Scp, LegalForm::Sisa])),
        ] {
            assert_eq!(value(kind, literal), Ok(expected), "{kind:?} {literal}");
        }
    }

    #[test]
    fn bad_values_are_refused_with_a_reason() {
        let choice = Kind::Choice(&["A", "B"]);
        for (kind, literal, message) in [
            (Kind::Money, "18000.5", "write decimals as strings (\"0.20\") so they stay exact"),
            (Kind::Money, "-1", "an amount cannot be negative"),
            (Kind::Money, "\"-0.01\"", "an amount cannot be negative"),
            (Kind::Money, "\"12k\"", "`12k` is not a decimal"),
            (Kind::Money, "true", "expected a decimal, found boolean"),
            (Kind::Money, "\"NONE\"", "`NONE` is not a decimal"),
            (Kind::Count, "-1", "-1 is not a count"),
            (Kind::Count, "4294967296", "4294967296 is not a count"),
            (Kind::Count, "\"x\"", "`x` is not a count"),
            (Kind::Count, "1.0", "expected a whole number, found float"),
            (Kind::Count, "\"NONE\"", "`NONE` is not a count"),
            (Kind::OptCount, "\"none\"", "`none` is not a count"),
            (Kind::Ratio, "0.2", "write decimals as strings (\"0.20\") so they stay exact"),
            (Kind::Ratio, "\"NONE\"", "`NONE` is not a decimal"),
            (Kind::OptRatio, "0.2", "write decimals as strings (\"0.20\") so they stay exact"),
            (Kind::OptRatio, "[]", "expected a decimal, found array"),
            (Kind::Bool, "\"true\"", "expected true or false, found string"),
            (Kind::Bool, "1", "expected true or false, found integer"),
            (choice, "\"C\"", "`C` is not one of A, B"),
            (choice, "\"a\"", "`a` is not one of A, B"),
            (choice, "1", "expected one of A, B, found integer"),
            (Kind::OptBand, "\"P99\"", "unknown activity band code `P99`"),
            (Kind::OptBand, "\"none\"", "unknown activity band code `none`"),
            (Kind::OptBand, "3", "expected a band code, found integer"),
            (Kind::Specialties, "\"PSYCHIATRY\"", "expected an array of codes"),
            (Kind::Specialties, "[\"PSYCHIATRY\", 1]", "expected a code, found integer"),
            (Kind::Specialties, "[\"SURGERY\"]", "unknown specialty code `SURGERY`"),
            (Kind::LegalForms, "[\"SARL\"]", "unknown legal form code `SARL`"),
        ] {
            assert_eq!(value(kind, literal), Err(message.to_owned()), "{kind:?} {literal}");
        }
    }

    #[test]
    fn bad_series_are_refused_naming_file_key_and_step() {
        let key = "amount.half_etp.year_1";
        let ok = |from: &str| line(from, "18000", CHECKED);
        let with = |rest: &str| line("2019-08-21", "18000", rest);
        let cases: Vec<(String, &str)> = vec![
            (file("amounts", key, " ", &[ok("2019-08-21")]), "missing description"),
            (file("amounts", key, "d", &[]), "empty series"),
            (
                file("amounts", key, "d", &[ok("2019-08-22")]),
                "gap: no value from 2019-08-21 (needed) to 2019-08-22 (first value)",
            ),
            (
                file("amounts", key, "d", &[ok("2019-08-21"), ok("2024-06-22"), ok("2024-06-22")]),
                "series[2]: overlap: two values from 2024-06-22",
            ),
            (
                file("amounts", key, "d", &[ok("2019-08-21"), ok("2024-06-22"), ok("2024-06-21")]),
                "series[2]: overlap: 2024-06-21 comes before the previous value's 2024-06-22",
            ),
            (
                file("amounts", key, "d", &[ok("2019-08-21"), line("2020-01-01", "18000.5", CHECKED)]),
                "series[1]: write decimals as strings",
            ),
            (
                file("amounts", key, "d", &[line("2019-08-21T00:00:00", "18000", CHECKED)]),
                "series[0]: `from` must be a date (YYYY-MM-DD)",
            ),
            (
                file(
                    "amounts",
                    key,
                    "d",
                    &[line("2019-08-21", "18000", &CHECKED.replace("2026-11-23", "2026-11-23T10:00:00Z"))],
                ),
                "series[0]: `checked_on` must be a date (YYYY-MM-DD)",
            ),
            (
                file("amounts", key, "d", &[with(&CHECKED.replace("reference = \"r\"", "reference = \" \""))]),
                "series[0]: missing reference",
            ),
            (
                file("amounts", key, "d", &[with(&CHECKED.replace("https://example.org", "ftp://example.org"))]),
                "series[0]: missing source (a URL)",
            ),
            (
                file("amounts", key, "d", &[with(&CHECKED.replace("https://example.org", ""))]),
                "series[0]: missing source (a URL)",
            ),
            (file("eligibility", key, "d", &[ok("2019-08-21")]), "belongs to family `amounts`, not `eligibility`"),
        ];
        for (text, message) in cases {
            let e = load_override(&text).expect_err(message);
            assert_eq!((e.file.as_str(), e.key.as_str()), ("local.toml", key), "{e}");
            assert!(e.message.starts_with(message), "{e}\nexpected: {message}");
            assert_eq!(e.to_string(), format!("local.toml: {key}: {}", e.message));
        }
        let e =
            load_override(&file("amounts", "amount.half_etp.year_one", "d", &[ok("2019-08-21")])).expect_err("unknown");
        assert_eq!((e.key.as_str(), e.message.as_str()), ("amount.half_etp.year_one", "unknown parameter"));
        let e = load_override("family = \"amounts\"\nparameters = 3\n").expect_err("not TOML of the format");
        assert_eq!((e.file.as_str(), e.key.as_str()), ("local.toml", "(file)"), "{e}");
    }

    #[test]
    fn good_series_are_read_with_their_provenance() {
        let key = "amount.half_etp.year_1";
        let text = file(
            "amounts",
            key,
            "  Half ETP, year 1.  ",
            &[
                // Earlier than needed is fine; sources and references are kept trimmed.
                line(
                    "2019-01-01",
                    "1",
                    "reference = \" Avenant 7 \", source = \"http://example.org/a\", confidence = \"official\", checked_on = 2026-11-23",
                ),
                line(
                    "2024-06-22",
                    "\"2.50\"",
                    "reference = \"Convention\", source = \" https://example.org/b \", confidence = \"assumption\", checked_on = 2025-01-31",
                ),
            ],
        );
        let book = load_override(&text).expect("valid");
        let series = book.series(P::AmountHalfY1);
        let read: Vec<_> = series
            .iter()
            .map(|s| {
                let p = &s.provenance;
                (s.from, s.value.clone(), p.reference.as_str(), p.source.as_str(), p.confidence, p.checked_on)
            })
            .collect();
        assert_eq!(
            read,
            [
                (
                    date(2019, 1, 1),
                    Value::Money(Decimal::ONE),
                    "Avenant 7",
                    "http://example.org/a",
                    Confidence::Official,
                    date(2026, 11, 23)
                ),
                (
                    date(2024, 6, 22),
                    Value::Money(Decimal::new(250, 2)),
                    "Convention",
                    "https://example.org/b",
                    Confidence::Assumption,
                    date(2025, 1, 31)
                ),
            ]
        );
        assert_eq!(
            (book.origin(P::AmountHalfY1), book.description(P::AmountHalfY1)),
            ("local.toml", "Half ETP, year 1.")
        );
        assert_eq!(book.origin(P::RegimeIndividual), "regimes.toml");
        assert_eq!(book.description(P::RegimeIndividual), "Regime of an individual contract, by signature date.");
    }

    #[test]
    fn the_step_in_force_changes_on_its_from_date() {
        let text = file(
            "amounts",
            "amount.half_etp.year_1",
            "d",
            &[line("2019-08-21", "1", CHECKED), line("2024-06-22", "2", CHECKED)],
        );
        let book = load_override(&text).expect("valid");
        let at = |day: NaiveDate| book.step(P::AmountHalfY1, day).map(|s| s.value.to_string());
        for (day, expected) in [
            (NaiveDate::MIN, None),
            (date(2019, 8, 20), None),
            (date(2019, 8, 21), Some("1")),
            (date(2019, 8, 22), Some("1")),
            (date(2024, 6, 21), Some("1")),
            (date(2024, 6, 22), Some("2")),
            (date(2024, 6, 23), Some("2")),
            (NaiveDate::MAX, Some("2")),
        ] {
            assert_eq!(at(day).as_deref(), expected, "{day}");
        }
        // The embedded regimes, around each of their dates.
        let book = RuleBook::embedded().expect("embedded");
        let regime = |day: NaiveDate| book.step(P::RegimeIndividual, day).map(|s| s.value.clone());
        for (day, expected) in [
            (date(2019, 8, 20), None),
            (INDIVIDUAL_START, Some("R2019")),
            (date(2020, 3, 10), Some("R2019")),
            (date(2020, 3, 11), Some("R2020")),
            (date(2023, 4, 30), Some("R2020")),
            (date(2023, 5, 1), Some("R2023")),
            (date(2024, 6, 21), Some("R2023")),
            (R2024_START, Some("R2024")),
            (date(2024, 6, 23), Some("R2024")),
        ] {
            assert_eq!(regime(day), expected.map(Value::Choice), "{day}");
        }
        assert!(book.step(P::RegimeCollective, COLLECTIVE_START.pred_opt().expect("a day")).is_none());
        assert_eq!(book.step(P::RegimeCollective, COLLECTIVE_START).map(|s| &s.value), Some(&Value::Choice("C2026")));
    }

    #[test]
    fn parameters_in_force_are_those_begun_by_the_day() {
        let book = RuleBook::embedded().expect("embedded");
        // Only the ACI MSP (from 2017) is in force before the individual aid.
        assert!(book.in_force(date(2019, 8, 20)).all(|(spec, _)| spec.family == "aci"));
        for day in [INDIVIDUAL_START, R2024_START, COLLECTIVE_START.pred_opt().expect("a day"), COLLECTIVE_START] {
            let in_force: Vec<(P, &Step)> = book.in_force(day).map(|(spec, s)| (spec.id, s)).collect();
            let expected: Vec<(P, &Step)> =
                SPECS.iter().filter_map(|spec| book.step(spec.id, day).map(|s| (spec.id, s))).collect();
            assert_eq!(in_force, expected, "{day}");
            let collective = in_force.iter().any(|(p, _)| *p == P::RegimeCollective);
            assert_eq!(collective, day >= COLLECTIVE_START, "{day}");
            assert_eq!(in_force.iter().any(|(p, _)| *p == P::AmountTwoY1), day >= R2024_START, "{day}");
        }
        assert_eq!(book.in_force(COLLECTIVE_START).count(), SPECS.len(), "everything is in force once C2026 starts");
    }

    #[test]
    fn an_embedded_file_missing_a_parameter_names_its_family_file() {
        let files: Vec<(&str, &str)> =
            EMBEDDED_FILES.iter().filter(|(n, _)| *n != "assistants.toml").copied().collect();
        let e = RuleBook::load(&files, &[]).expect_err("assistants missing");
        assert_eq!(
            (e.file.as_str(), e.key.as_str(), e.message.as_str()),
            ("assistants.toml", "assistant.qualification_deadline_years", "missing parameter")
        );
        // An override need not define everything, but what it defines must be valid.
        assert!(RuleBook::load(EMBEDDED_FILES, &[("empty.toml", "family = \"amounts\"\n")]).is_ok());
        let bad =
            file("assistants", "assistant.qualification_deadline_years", "d", &[line("2019-08-21", "-3", CHECKED)]);
        let e = RuleBook::load(EMBEDDED_FILES, &[("empty.toml", "family = \"amounts\"\n"), ("bad.toml", &bad)])
            .expect_err("bad");
        assert_eq!((e.file.as_str(), e.message.as_str()), ("bad.toml", "series[0]: -3 is not a count"));
    }
}
