//! The ACI MSP estimate (RULES.md §9.1; reference `msp-aci-funding.md` §1.3-§1.4): the yearly
//! remuneration a structure earns under the accord conventionnel interprofessionnel, from the
//! indicators it commits to, its médecin-traitant patientèle and its associated professionals.
//!
//! One line per committed indicator (ACI-POINTS, or ACI-COORDINATION for the coordination
//! function): fixed points, and variable points scaled by patientèle / reference patientèle with
//! no cap at a ratio of 1 (the information system scales with the associated professionals
//! instead). Then ACI-PREREQUISITES (any prerequisite unmet: nothing is paid), ACI-PRECARITY
//! (an uplift of the whole remuneration, capped) and ACI-PAYMENT (the advance and the balance).
//!
//! Money: points stay exact decimals; each amount is rounded once to the cent, halves up (a
//! line's euros, the full-year amount, the full-year advance), and the signature year's
//! proration rounds again, exactly, to the cent (see [`times_fraction`]).

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::explain::{Explanation, Input, Outcome, Recorder, RuleId, Tracer, Verdict};
use super::params::{ACI_START, P, RuleBook};
use super::{Cx, RuleError, times_fraction};

/// The three axes of the ACI indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AciAxis {
    /// Accès aux soins.
    Access,
    /// Travail en équipe et coordination.
    Team,
    /// Système d'information.
    InformationSystem,
}

/// What an indicator is in a given year (a dated parameter: the crisis indicator changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AciKind {
    /// Socle prérequis: unmet, nothing is paid.
    Prerequisite,
    /// Socle: counts in the advance.
    Socle,
    /// The structure chooses whether to commit.
    Optional,
}

impl AciKind {
    fn from_code(code: &str) -> Option<Self> {
        match code {
            "PREREQUISITE" => Some(AciKind::Prerequisite),
            "SOCLE" => Some(AciKind::Socle),
            "OPTIONAL" => Some(AciKind::Optional),
            _ => None,
        }
    }

    /// Whether the advance counts the indicator (socle and prerequisite indicators).
    fn in_advance(self) -> bool {
        self != AciKind::Optional
    }
}

/// The indicators of the ACI (the table of `msp-aci-funding.md` §1.4, avenant 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AciIndicator {
    OpeningHours,
    CrisisResponse,
    ServiceDiversity,
    SecondLineConsultations,
    CstmDoctor,
    PublicHealthMissions,
    UserInvolvement,
    SasParticipation,
    Coordination,
    Protocols,
    Concertation,
    Trainees,
    ExternalCoordination,
    Quality,
    CooperationProtocols,
    HeartFailurePathway,
    ChildObesityPathway,
    InformationSystem,
    InformationSystemAdvanced,
}

/// How an indicator pays. Point figures are parameters; the shape is the code's.
#[derive(Debug, Clone, Copy)]
enum Pay {
    /// Met or not: fixed + variable points (+ variable points with an IPA); `partial`: the texts
    /// prorate partial achievement.
    Met { fixed: Option<P>, variable: Option<P>, ipa_variable: Option<P>, partial: bool },
    /// The level reached; each level's own fixed and variable points (totals, not increments).
    Levels(&'static [(Option<P>, Option<P>)]),
    /// Fixed points per unit up to a maximum, plus fixed points per unit involving an IPA.
    PerUnit { fixed: P, max: P, ipa_fixed: Option<P> },
    /// Variable points per mission up to a maximum; fixed points with an IPA from a minimum.
    PublicHealth,
    /// Fixed points from a number of placements, more per placement beyond, up to a maximum.
    Trainees,
    /// Fixed points plus points per associated professional, prorated from the acquisition.
    InformationSystem,
    /// ACI-COORDINATION.
    Coordination,
}

impl AciIndicator {
    pub const ALL: [AciIndicator; 19] = [
        AciIndicator::OpeningHours,
        AciIndicator::CrisisResponse,
        AciIndicator::ServiceDiversity,
        AciIndicator::SecondLineConsultations,
        AciIndicator::CstmDoctor,
        AciIndicator::PublicHealthMissions,
        AciIndicator::UserInvolvement,
        AciIndicator::SasParticipation,
        AciIndicator::Coordination,
        AciIndicator::Protocols,
        AciIndicator::Concertation,
        AciIndicator::Trainees,
        AciIndicator::ExternalCoordination,
        AciIndicator::Quality,
        AciIndicator::CooperationProtocols,
        AciIndicator::HeartFailurePathway,
        AciIndicator::ChildObesityPathway,
        AciIndicator::InformationSystem,
        AciIndicator::InformationSystemAdvanced,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AciIndicator::OpeningHours => "OPENING_HOURS",
            AciIndicator::CrisisResponse => "CRISIS_RESPONSE",
            AciIndicator::ServiceDiversity => "SERVICE_DIVERSITY",
            AciIndicator::SecondLineConsultations => "SECOND_LINE_CONSULTATIONS",
            AciIndicator::CstmDoctor => "CSTM_DOCTOR",
            AciIndicator::PublicHealthMissions => "PUBLIC_HEALTH_MISSIONS",
            AciIndicator::UserInvolvement => "USER_INVOLVEMENT",
            AciIndicator::SasParticipation => "SAS_PARTICIPATION",
            AciIndicator::Coordination => "COORDINATION",
            AciIndicator::Protocols => "PROTOCOLS",
            AciIndicator::Concertation => "CONCERTATION",
            AciIndicator::Trainees => "TRAINEES",
            AciIndicator::ExternalCoordination => "EXTERNAL_COORDINATION",
            AciIndicator::Quality => "QUALITY",
            AciIndicator::CooperationProtocols => "COOPERATION_PROTOCOLS",
            AciIndicator::HeartFailurePathway => "HEART_FAILURE_PATHWAY",
            AciIndicator::ChildObesityPathway => "CHILD_OBESITY_PATHWAY",
            AciIndicator::InformationSystem => "INFORMATION_SYSTEM",
            AciIndicator::InformationSystemAdvanced => "INFORMATION_SYSTEM_ADVANCED",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.code() == code)
    }

    pub fn axis(self) -> AciAxis {
        use AciIndicator::*;
        match self {
            OpeningHours
            | CrisisResponse
            | ServiceDiversity
            | SecondLineConsultations
            | CstmDoctor
            | PublicHealthMissions
            | UserInvolvement
            | SasParticipation => AciAxis::Access,
            Coordination | Protocols | Concertation | Trainees | ExternalCoordination | Quality
            | CooperationProtocols | HeartFailurePathway | ChildObesityPathway => AciAxis::Team,
            InformationSystem | InformationSystemAdvanced => AciAxis::InformationSystem,
        }
    }

    /// The parameter holding the indicator's kind.
    fn kind_parameter(self) -> P {
        match self {
            AciIndicator::OpeningHours => P::AciOpeningHoursKind,
            AciIndicator::CrisisResponse => P::AciCrisisResponseKind,
            AciIndicator::ServiceDiversity => P::AciServiceDiversityKind,
            AciIndicator::SecondLineConsultations => P::AciSecondLineConsultationsKind,
            AciIndicator::CstmDoctor => P::AciCstmDoctorKind,
            AciIndicator::PublicHealthMissions => P::AciPublicHealthMissionsKind,
            AciIndicator::UserInvolvement => P::AciUserInvolvementKind,
            AciIndicator::SasParticipation => P::AciSasParticipationKind,
            AciIndicator::Coordination => P::AciCoordinationKind,
            AciIndicator::Protocols => P::AciProtocolsKind,
            AciIndicator::Concertation => P::AciConcertationKind,
            AciIndicator::Trainees => P::AciTraineesKind,
            AciIndicator::ExternalCoordination => P::AciExternalCoordinationKind,
            AciIndicator::Quality => P::AciQualityKind,
            AciIndicator::CooperationProtocols => P::AciCooperationProtocolsKind,
            AciIndicator::HeartFailurePathway => P::AciHeartFailurePathwayKind,
            AciIndicator::ChildObesityPathway => P::AciChildObesityPathwayKind,
            AciIndicator::InformationSystem => P::AciInformationSystemKind,
            AciIndicator::InformationSystemAdvanced => P::AciInformationSystemAdvancedKind,
        }
    }

    fn pay(self) -> Pay {
        let met = |fixed, variable| Pay::Met { fixed, variable, ipa_variable: None, partial: false };
        match self {
            AciIndicator::OpeningHours => met(Some(P::AciOpeningHoursFixed), None),
            AciIndicator::CrisisResponse => met(Some(P::AciCrisisResponseFixed), Some(P::AciCrisisResponseVariable)),
            AciIndicator::ServiceDiversity => Pay::Levels(&[
                (Some(P::AciServiceDiversityLevel1Fixed), None),
                (Some(P::AciServiceDiversityLevel2Fixed), None),
            ]),
            AciIndicator::SecondLineConsultations => Pay::Levels(&[
                (Some(P::AciSecondLineConsultationsLevel1Fixed), None),
                (Some(P::AciSecondLineConsultationsLevel2Fixed), None),
            ]),
            AciIndicator::CstmDoctor => met(Some(P::AciCstmDoctorFixed), None),
            AciIndicator::PublicHealthMissions => Pay::PublicHealth,
            AciIndicator::UserInvolvement => Pay::Levels(&[
                (Some(P::AciUserInvolvementLevel1Fixed), None),
                (Some(P::AciUserInvolvementLevel2Fixed), Some(P::AciUserInvolvementLevel2Variable)),
            ]),
            AciIndicator::SasParticipation => Pay::Levels(&[
                (Some(P::AciSasParticipationLevel1Fixed), None),
                (Some(P::AciSasParticipationLevel2Fixed), None),
            ]),
            AciIndicator::Coordination => Pay::Coordination,
            AciIndicator::Protocols => Pay::PerUnit {
                fixed: P::AciProtocolsFixedPerProtocol,
                max: P::AciProtocolsMaxProtocols,
                ipa_fixed: Some(P::AciProtocolsIpaFixedPerProtocol),
            },
            AciIndicator::Concertation => Pay::Met {
                fixed: None,
                variable: Some(P::AciConcertationVariable),
                ipa_variable: Some(P::AciConcertationIpaVariable),
                partial: true,
            },
            AciIndicator::Trainees => Pay::Trainees,
            AciIndicator::ExternalCoordination => met(None, Some(P::AciExternalCoordinationVariable)),
            AciIndicator::Quality => Pay::Levels(&[
                (Some(P::AciQualityLevel1Fixed), None),
                (None, Some(P::AciQualityLevel2Variable)),
                (None, Some(P::AciQualityLevel3Variable)),
            ]),
            AciIndicator::CooperationProtocols => Pay::PerUnit {
                fixed: P::AciCooperationProtocolsFixedPerProtocol,
                max: P::AciCooperationProtocolsMaxProtocols,
                ipa_fixed: None,
            },
            AciIndicator::HeartFailurePathway => met(None, Some(P::AciHeartFailurePathwayVariable)),
            AciIndicator::ChildObesityPathway => met(Some(P::AciChildObesityPathwayFixed), None),
            AciIndicator::InformationSystem => Pay::InformationSystem,
            AciIndicator::InformationSystemAdvanced => met(Some(P::AciInformationSystemAdvancedFixed), None),
        }
    }
}

/// One indicator the structure commits to, with what it achieved. Which fields apply depends
/// on the indicator: `met` (yes/no indicators, the coordination function, the information
/// system), `achievement` (concertation only: the texts prorate partial achievement), `level`
/// (diversity, second-line consultations, user involvement, SAS, quality), `count` (protocols,
/// public-health missions, trainee placements, cooperation protocols), `with_ipa`
/// (concertation, public-health missions), `count_with_ipa` (protocols involving an IPA),
/// `software_acquired_on` (information system). Any other field is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AciCommitment {
    pub indicator: AciIndicator,
    #[serde(default)]
    pub met: Option<bool>,
    /// Share of the indicator achieved, 0 to 1.
    #[serde(default)]
    pub achievement: Option<Decimal>,
    #[serde(default)]
    pub level: Option<u32>,
    #[serde(default)]
    pub count: Option<u32>,
    #[serde(default)]
    pub with_ipa: Option<bool>,
    #[serde(default)]
    pub count_with_ipa: Option<u32>,
    /// Day the labelled software was acquired: the standard level is prorated from it.
    #[serde(default)]
    pub software_acquired_on: Option<NaiveDate>,
}

/// The precarity input. The sources say how the uplift is derived (the structure's C2S
/// (ex-CMU-C) and AME rates, each less the national rate, added), so either the rates or the
/// uplift rate the CPAM computed may be given; the cap applies to both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", tag = "kind", deny_unknown_fields)]
pub enum Precarity {
    /// The uplift rate as the CPAM computed it (e.g. "0.12" for +12 %), before the cap.
    Uplift { rate: Decimal },
    /// Shares of the structure's patientèle, and the national rates, 0 to 1.
    Shares { c2s: Decimal, c2s_national: Decimal, ame: Decimal, ame_national: Decimal },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AciCase {
    /// Calendar year of the remuneration.
    pub year: i32,
    /// Signature of the tripartite ACI contract.
    pub signed_on: NaiveDate,
    /// Médecin-traitant patientèle of the doctors associated in the SISA.
    pub patientele: u32,
    /// Health professionals associated in the SISA (the information-system axis).
    pub associated_professionals: u32,
    pub indicators: Vec<AciCommitment>,
    #[serde(default)]
    pub precarity: Option<Precarity>,
}

/// One indicator's points and their worth. Euros are before the precarity uplift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AciLine {
    pub indicator: AciIndicator,
    pub axis: AciAxis,
    /// `None`: the indicator is not in the ACI that year (no points).
    pub kind: Option<AciKind>,
    /// Whether the commitment is met (in part, for a partial achievement).
    pub met: bool,
    pub fixed_points: Decimal,
    pub variable_points: Decimal,
    pub points: Decimal,
    pub euros: Decimal,
    /// Points at full achievement of the commitment, for the advance.
    #[serde(skip)]
    pub points_at_full: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AciEstimate {
    pub year: i32,
    /// Eligible when every prerequisite indicator is met; otherwise nothing is paid.
    pub verdict: Verdict,
    pub unmet_prerequisites: Vec<AciIndicator>,
    pub lines: Vec<AciLine>,
    pub total_points: Decimal,
    /// Precarity uplift applied, after the cap (0.25 is +25 %).
    pub uplift: Decimal,
    /// Total points × point value × (1 + uplift), to the cent, for a whole year.
    pub full_year_amount: Decimal,
    /// The year's amount: the full-year amount (prorated in the signature year), 0 when a
    /// prerequisite is not met.
    pub amount: Decimal,
    pub advance: Decimal,
    pub advance_due_on: NaiveDate,
    /// Amount less advance; negative when the advance exceeds what was earned (recovered).
    pub balance: Decimal,
    pub balance_due_on: NaiveDate,
}

fn to_cent(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `points × num / den`, exactly where the quotient terminates (4,000 is 2⁵ × 5³).
fn scaled(points: u32, num: u32, den: u32) -> Decimal {
    Decimal::from(points) * Decimal::from(num) / Decimal::from(den)
}

fn first_of(year: i32) -> Result<NaiveDate, RuleError> {
    NaiveDate::from_ymd_opt(year, 1, 1).ok_or(RuleError::Invalid("year out of range"))
}

/// The fields of a commitment, to refuse those its indicator does not take.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Met,
    Achievement,
    Level,
    Count,
    WithIpa,
    CountWithIpa,
    SoftwareAcquiredOn,
}

fn given(c: &AciCommitment) -> impl Iterator<Item = Field> {
    [
        c.met.map(|_| Field::Met),
        c.achievement.map(|_| Field::Achievement),
        c.level.map(|_| Field::Level),
        c.count.map(|_| Field::Count),
        c.with_ipa.map(|_| Field::WithIpa),
        c.count_with_ipa.map(|_| Field::CountWithIpa),
        c.software_acquired_on.map(|_| Field::SoftwareAcquiredOn),
    ]
    .into_iter()
    .flatten()
}

fn fields_of(pay: Pay) -> &'static [Field] {
    match pay {
        Pay::Met { ipa_variable: Some(_), partial: true, .. } => &[Field::Met, Field::Achievement, Field::WithIpa],
        Pay::Met { .. } | Pay::Coordination => &[Field::Met],
        Pay::Levels(_) => &[Field::Level],
        Pay::PerUnit { ipa_fixed: Some(_), .. } => &[Field::Count, Field::CountWithIpa],
        Pay::PerUnit { .. } | Pay::Trainees => &[Field::Count],
        Pay::PublicHealth => &[Field::Count, Field::WithIpa],
        Pay::InformationSystem => &[Field::Met, Field::SoftwareAcquiredOn],
    }
}

/// Refuses a field the indicator does not take, and a commitment that says nothing of its
/// achievement.
fn check_fields(c: &AciCommitment, pay: Pay) -> Result<(), RuleError> {
    let allowed = fields_of(pay);
    if given(c).any(|f| !allowed.contains(&f)) {
        return Err(RuleError::Invalid(
            "an ACI commitment gives a field its indicator does not take (see AciCommitment)",
        ));
    }
    let said = match pay {
        Pay::Met { partial: true, .. } => c.met.is_some() || c.achievement.is_some(),
        Pay::Met { .. } | Pay::Coordination | Pay::InformationSystem => c.met.is_some(),
        Pay::Levels(_) => c.level.is_some(),
        Pay::PerUnit { .. } | Pay::PublicHealth | Pay::Trainees => c.count.is_some(),
    };
    if !said {
        return Err(RuleError::Invalid(
            "an ACI commitment must say what was achieved: met, achievement, level or count",
        ));
    }
    if c.achievement.is_some_and(|a| a.is_sign_negative() || a > Decimal::ONE) {
        return Err(RuleError::Invalid("an ACI achievement is a share between 0 and 1"));
    }
    Ok(())
}

/// The kind of an indicator in the year; `None` when the ACI of that year has no such indicator.
fn kind_of<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    indicator: AciIndicator,
    day: NaiveDate,
) -> Result<Option<AciKind>, RuleError> {
    Ok(AciKind::from_code(cx.choice(indicator.kind_parameter(), day)?))
}

/// The patientèle ratio's numerator and denominator: patientèle / reference patientèle.
fn reference<'b, T: Tracer<'b>>(cx: &mut Cx<'b, '_, T>, day: NaiveDate) -> Result<u32, RuleError> {
    match cx.count(P::AciReferencePatientele, day)? {
        0 => Err(RuleError::Invalid("the ACI reference patientèle is zero")),
        n => Ok(n),
    }
}

/// What a line computes before its euros: fixed and variable points, points at full
/// achievement, whether met, and the note.
struct Points {
    fixed: Decimal,
    variable: Decimal,
    at_full: Decimal,
    met: bool,
    note: &'static str,
}

const NOT_MET: &str = "not met: no points";

/// The points of a yes/no indicator, prorated to a partial achievement where the texts allow.
fn met_points<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    c: &AciCommitment,
    day: NaiveDate,
    patientele: u32,
    fixed: Option<P>,
    variable: Option<P>,
    ipa_variable: Option<P>,
) -> Result<Points, RuleError> {
    let rate = c.achievement.unwrap_or(if c.met == Some(true) { Decimal::ONE } else { Decimal::ZERO });
    let reference = reference(cx, day)?;
    let fixed = match fixed {
        Some(p) => Decimal::from(cx.count(p, day)?),
        None => Decimal::ZERO,
    };
    let mut variable_points = match variable {
        Some(p) => cx.count(p, day)?,
        None => 0,
    };
    if let (Some(p), Some(true)) = (ipa_variable, c.with_ipa) {
        cx.t.input("with_ipa", Input::Bool(true));
        variable_points += cx.count(p, day)?;
    }
    let variable = scaled(variable_points, patientele, reference);
    if c.achievement.is_some() {
        cx.t.input("achievement", Input::Decimal(rate));
    }
    let note = if rate == Decimal::ONE {
        "met: its fixed points, and its variable points scaled to patientèle / reference patientèle"
    } else if rate.is_zero() {
        NOT_MET
    } else {
        "partly achieved: its points are prorated to the share achieved"
    };
    Ok(Points { fixed: fixed * rate, variable: variable * rate, at_full: fixed + variable, met: !rate.is_zero(), note })
}

/// ACI-POINTS (or ACI-COORDINATION): one committed indicator's line.
fn line<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    case: &AciCase,
    c: &AciCommitment,
    day: NaiveDate,
) -> Result<AciLine, RuleError> {
    let pay = c.indicator.pay();
    check_fields(c, pay)?;
    let id = if matches!(pay, Pay::Coordination) { RuleId::AciCoordination } else { RuleId::AciPoints };
    cx.t.rule(id);
    cx.t.input("indicator", Input::Code(c.indicator.code()));
    let kind = kind_of(cx, c.indicator, day)?;
    let value = cx.money(P::AciPointValue, day)?.0;
    let done = |p: Points, kind: Option<AciKind>, cx: &mut Cx<'b, '_, T>| {
        let points = p.fixed + p.variable;
        let outcome = if p.met { Outcome::Pass } else { Outcome::NotApplicable };
        cx.t.input("points", Input::Decimal(points));
        cx.t.outcome(outcome, p.note);
        AciLine {
            indicator: c.indicator,
            axis: c.indicator.axis(),
            kind,
            met: p.met,
            fixed_points: p.fixed,
            variable_points: p.variable,
            points,
            euros: to_cent(points * value),
            points_at_full: p.at_full,
        }
    };
    let Some(kind) = kind else {
        let none = Points {
            fixed: Decimal::ZERO,
            variable: Decimal::ZERO,
            at_full: Decimal::ZERO,
            met: false,
            note: "not an indicator of the ACI in force that year: no points",
        };
        return Ok(done(none, None, cx));
    };
    let patientele = case.patientele;
    let points = match pay {
        Pay::Met { fixed, variable, ipa_variable, .. } => {
            met_points(cx, c, day, patientele, fixed, variable, ipa_variable)?
        }
        Pay::Coordination => {
            cx.t.input("patientele", Input::Count(patientele));
            let (fixed, variable) = coordination_points(cx, day, patientele)?;
            let met = c.met == Some(true);
            let note = if met {
                "coordination function: fixed points, variable points per reference patientèle up to the threshold, another rate beyond"
            } else {
                NOT_MET
            };
            let rate = if met { Decimal::ONE } else { Decimal::ZERO };
            Points { fixed: fixed * rate, variable: variable * rate, at_full: fixed + variable, met, note }
        }
        Pay::Levels(levels) => {
            let level = c.level.unwrap_or(0);
            cx.t.input("level", Input::Count(level));
            match level.checked_sub(1).map(|i| levels.get(i as usize)) {
                None => Points {
                    fixed: Decimal::ZERO,
                    variable: Decimal::ZERO,
                    at_full: Decimal::ZERO,
                    met: false,
                    note: NOT_MET,
                },
                Some(None) => return Err(RuleError::Invalid("an ACI level above the indicator's highest")),
                Some(Some((fixed, variable))) => {
                    let reference = reference(cx, day)?;
                    let fixed = match fixed {
                        Some(p) => Decimal::from(cx.count(*p, day)?),
                        None => Decimal::ZERO,
                    };
                    let variable = match variable {
                        Some(p) => scaled(cx.count(*p, day)?, patientele, reference),
                        None => Decimal::ZERO,
                    };
                    Points {
                        fixed,
                        variable,
                        at_full: fixed + variable,
                        met: true,
                        note: "the points of the level reached",
                    }
                }
            }
        }
        Pay::PerUnit { fixed, max, ipa_fixed } => {
            let count = c.count.unwrap_or(0);
            let units = count.min(cx.count(max, day)?);
            cx.t.input("count", Input::Count(count));
            cx.t.input("units_paid", Input::Count(units));
            let mut points = Decimal::from(units) * Decimal::from(cx.count(fixed, day)?);
            if let (Some(p), Some(with)) = (ipa_fixed, c.count_with_ipa) {
                let with = with.min(units);
                cx.t.input("units_with_ipa", Input::Count(with));
                points += Decimal::from(with) * Decimal::from(cx.count(p, day)?);
            }
            let note = if units < count {
                "fixed points per unit, capped at the most units paid"
            } else if units == 0 {
                NOT_MET
            } else {
                "fixed points per unit"
            };
            Points { fixed: points, variable: Decimal::ZERO, at_full: points, met: units > 0, note }
        }
        Pay::PublicHealth => {
            let count = c.count.unwrap_or(0);
            let units = count.min(cx.count(P::AciPublicHealthMissionsMaxMissions, day)?);
            cx.t.input("count", Input::Count(count));
            cx.t.input("units_paid", Input::Count(units));
            let reference = reference(cx, day)?;
            let per = cx.count(P::AciPublicHealthMissionsVariablePerMission, day)?;
            let variable = scaled(per, patientele, reference) * Decimal::from(units);
            let mut fixed = Decimal::ZERO;
            if c.with_ipa == Some(true) {
                cx.t.input("with_ipa", Input::Bool(true));
                if units >= cx.count(P::AciPublicHealthMissionsIpaMinMissions, day)? {
                    fixed = Decimal::from(cx.count(P::AciPublicHealthMissionsIpaFixed, day)?);
                }
            }
            let note = if units == 0 {
                NOT_MET
            } else {
                "variable points per mission; fixed points with an IPA from the minimum number of missions"
            };
            Points { fixed, variable, at_full: fixed + variable, met: units > 0, note }
        }
        Pay::Trainees => {
            let count = c.count.unwrap_or(0);
            let base = cx.count(P::AciTraineesBasePlacements, day)?;
            let max = cx.count(P::AciTraineesMaxPlacements, day)?;
            cx.t.input("count", Input::Count(count));
            let fixed = if count == 0 || count < base {
                Decimal::ZERO
            } else {
                let extra = count.min(max).saturating_sub(base);
                Decimal::from(cx.count(P::AciTraineesFixed, day)?)
                    + Decimal::from(extra) * Decimal::from(cx.count(P::AciTraineesExtraFixedPerPlacement, day)?)
            };
            let met = !fixed.is_zero();
            let note = if met {
                "fixed points for the first placements, more per placement beyond, up to the most paid"
            } else {
                "fewer placements than the first points need: no points"
            };
            Points { fixed, variable: Decimal::ZERO, at_full: fixed, met, note }
        }
        Pay::InformationSystem => information_system(cx, case, c, day)?,
    };
    Ok(done(points, Some(kind), cx))
}

/// The standard information system: fixed points plus points per associated professional (a
/// first rate up to a threshold, another beyond), prorated from the software's acquisition in
/// the year.
fn information_system<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    case: &AciCase,
    c: &AciCommitment,
    day: NaiveDate,
) -> Result<Points, RuleError> {
    let pros = case.associated_professionals;
    cx.t.input("associated_professionals", Input::Count(pros));
    let fixed = Decimal::from(cx.count(P::AciInformationSystemFixed, day)?);
    let threshold = cx.count(P::AciInformationSystemProfessionalsThreshold, day)?;
    let variable = Decimal::from(pros.min(threshold))
        * Decimal::from(cx.count(P::AciInformationSystemPerProfessional, day)?)
        + Decimal::from(pros.saturating_sub(threshold))
            * Decimal::from(cx.count(P::AciInformationSystemPerProfessionalBeyond, day)?);
    let full = Points {
        fixed,
        variable,
        at_full: fixed + variable,
        met: true,
        note: "fixed points, and points per associated professional (a lower rate beyond the threshold)",
    };
    if c.met != Some(true) {
        return Ok(Points { fixed: Decimal::ZERO, variable: Decimal::ZERO, met: false, note: NOT_MET, ..full });
    }
    let Some(acquired) = c.software_acquired_on else { return Ok(full) };
    cx.t.input("software_acquired_on", Input::Date(acquired));
    let (start, next) = (day, first_of(case.year.saturating_add(1))?);
    if acquired < start {
        return Ok(full);
    }
    if acquired >= next {
        let note = "software acquired after the year: no points";
        return Ok(Points { fixed: Decimal::ZERO, variable: Decimal::ZERO, met: false, note, ..full });
    }
    let days = Decimal::from((next - acquired).num_days());
    let of = Decimal::from((next - start).num_days());
    cx.t.input("days_with_software", Input::Decimal(days));
    Ok(Points {
        fixed: fixed * days / of,
        variable: variable * days / of,
        note: "software acquired in the year: its points prorated to the days from the acquisition",
        ..full
    })
}

/// ACI-COORDINATION's points: fixed, and variable per reference patientèle, at one rate up to
/// the threshold and another beyond (one rate for all when there is no threshold).
fn coordination_points<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    day: NaiveDate,
    patientele: u32,
) -> Result<(Decimal, Decimal), RuleError> {
    let reference = reference(cx, day)?;
    let fixed = Decimal::from(cx.count(P::AciCoordinationFixed, day)?);
    let rate = cx.count(P::AciCoordinationVariable, day)?;
    let variable = match cx.opt_count(P::AciCoordinationVariableThreshold, day)? {
        None => scaled(rate, patientele, reference),
        Some(threshold) => {
            let beyond = cx
                .opt_count(P::AciCoordinationVariableBeyond, day)?
                .ok_or(RuleError::NoValue { key: P::AciCoordinationVariableBeyond.spec().key, date: day })?;
            scaled(rate, patientele.min(threshold), reference)
                + scaled(beyond, patientele.saturating_sub(threshold), reference)
        }
    };
    Ok((fixed, variable))
}

/// The coordination function's yearly amount on its own, in euros (its points × the point
/// value, to the cent, before any precarity uplift): "the ACI coordination share" the
/// compatibility checks weigh against an employee's cost. Traced as ACI-COORDINATION.
pub fn coordination_amount<'b, T: Tracer<'b>>(
    book: &'b RuleBook,
    year: i32,
    patientele: u32,
    t: &mut T,
) -> Result<Decimal, RuleError> {
    let day = in_force(book, year)?;
    let mut cx = Cx { book, t };
    cx.t.rule(RuleId::AciCoordination);
    cx.t.input("patientele", Input::Count(patientele));
    let (fixed, variable) = coordination_points(&mut cx, day, patientele)?;
    let value = cx.money(P::AciPointValue, day)?.0;
    let points = fixed + variable;
    cx.t.input("points", Input::Decimal(points));
    cx.t.outcome(Outcome::Pass, "coordination function: its points × the point value, before any precarity uplift");
    Ok(to_cent(points * value))
}

/// The first day of `year`, whose parameters the year's remuneration reads; no regime before
/// the ACI.
fn in_force(book: &RuleBook, year: i32) -> Result<NaiveDate, RuleError> {
    let day = first_of(year)?;
    if book.step(P::AciPointValue, day).is_none() {
        return Err(RuleError::NoRegime { scheme: "ACI MSP", date: day, starts: ACI_START });
    }
    Ok(day)
}

/// ACI-PREREQUISITES: every indicator that is a prerequisite in the year is committed and met;
/// the unmet ones.
fn prerequisites<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    lines: &[AciLine],
    day: NaiveDate,
) -> Result<Vec<AciIndicator>, RuleError> {
    cx.t.rule(RuleId::AciPrerequisites);
    let mut unmet = Vec::new();
    for indicator in AciIndicator::ALL {
        if kind_of(cx, indicator, day)? == Some(AciKind::Prerequisite)
            && !lines.iter().any(|l| l.indicator == indicator && l.met)
        {
            cx.t.input("unmet", Input::Code(indicator.code()));
            unmet.push(indicator);
        }
    }
    if unmet.is_empty() {
        cx.t.outcome(Outcome::Pass, "every prerequisite indicator of the year is met");
    } else {
        cx.t.outcome(
            Outcome::Fail,
            "a prerequisite indicator is not committed or not met (see `unmet`): nothing is paid",
        );
    }
    Ok(unmet)
}

/// ACI-PRECARITY: the uplift of the whole remuneration, capped.
fn precarity<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    input: Option<Precarity>,
    day: NaiveDate,
) -> Result<Decimal, RuleError> {
    cx.t.rule(RuleId::AciPrecarity);
    let share = |d: Decimal| !d.is_sign_negative() && d <= Decimal::ONE;
    let uplift = match input {
        None => {
            cx.t.outcome(Outcome::NotApplicable, "no precarity given: no uplift");
            return Ok(Decimal::ZERO);
        }
        Some(Precarity::Uplift { rate }) => {
            if rate.is_sign_negative() {
                return Err(RuleError::Invalid("a precarity uplift cannot be negative"));
            }
            cx.t.input("uplift_rate", Input::Decimal(rate));
            rate
        }
        Some(Precarity::Shares { c2s, c2s_national, ame, ame_national }) => {
            if ![c2s, c2s_national, ame, ame_national].into_iter().all(share) {
                return Err(RuleError::Invalid("precarity shares are between 0 and 1"));
            }
            for (name, v) in
                [("c2s", c2s), ("c2s_national", c2s_national), ("ame", ame), ("ame_national", ame_national)]
            {
                cx.t.input(name, Input::Decimal(v));
            }
            let (c2s_excess, ame_excess) = (c2s - c2s_national, ame - ame_national);
            if cx.bool(P::AciPrecarityFloorEachShare, day)? {
                c2s_excess.max(Decimal::ZERO) + ame_excess.max(Decimal::ZERO)
            } else {
                (c2s_excess + ame_excess).max(Decimal::ZERO)
            }
        }
    };
    let cap = cx.ratio(P::AciPrecarityCap, day)?;
    let applied = uplift.min(cap);
    cx.t.input("uplift", Input::Decimal(applied));
    let note = if applied.is_zero() {
        "no precarity above the national rates: no uplift"
    } else if uplift > cap {
        "precarity uplift capped"
    } else {
        "precarity uplift of the whole remuneration"
    };
    cx.t.outcome(if applied.is_zero() { Outcome::NotApplicable } else { Outcome::Pass }, note);
    Ok(applied)
}

/// What ACI-PAYMENT computes.
struct Payment {
    full_year_amount: Decimal,
    amount: Decimal,
    advance: Decimal,
    advance_due_on: NaiveDate,
    balance_due_on: NaiveDate,
}

/// ACI-PAYMENT: the year's amount, the advance (a share of the full-year amount at 100 % of the
/// socle and prerequisite indicators committed) and the balance, with their due days; in the
/// signature year the advance (and, by our reading, the amount) is prorated to the days under
/// contract and due within months of the signature. Nothing is paid when a prerequisite is
/// unmet.
fn payment<'b, T: Tracer<'b>>(
    cx: &mut Cx<'b, '_, T>,
    case: &AciCase,
    lines: &[AciLine],
    uplift: Decimal,
    paid: bool,
    day: NaiveDate,
) -> Result<Payment, RuleError> {
    cx.t.rule(RuleId::AciPayment);
    let value = cx.money(P::AciPointValue, day)?.0;
    let share = cx.ratio(P::AciPaymentAdvanceShare, day)?;
    let (month, day_of_month) = (cx.count(P::AciPaymentDueMonth, day)?, cx.count(P::AciPaymentDueDay, day)?);
    let due = |year: i32| {
        NaiveDate::from_ymd_opt(year, month, day_of_month).ok_or(RuleError::Invalid("the ACI due day is not a date"))
    };
    let factor = Decimal::ONE + uplift;
    let total: Decimal = lines.iter().map(|l| l.points).sum();
    let at_full: Decimal =
        lines.iter().filter(|l| l.kind.is_some_and(AciKind::in_advance)).map(|l| l.points_at_full).sum();
    let full_year_amount = to_cent(total * value * factor);
    let full_year_advance = to_cent(at_full * value * factor * share);
    let balance_due_on = due(case.year.saturating_add(1))?;
    cx.t.input("signed_on", Input::Date(case.signed_on));
    let signature_year = case.signed_on.year() == case.year;
    let (amount, advance, advance_due_on) = if signature_year {
        let next = first_of(case.year.saturating_add(1))?;
        let days = u128::try_from((next - case.signed_on).num_days()).unwrap_or(0);
        let of = u128::try_from((next - day).num_days()).unwrap_or(1);
        cx.t.input("days_under_contract", Input::Count(u32::try_from(days).unwrap_or(0)));
        let prorate =
            |amount: Decimal| times_fraction(amount, days, of).ok_or(RuleError::Invalid("amount out of range"));
        let amount = if cx.bool(P::AciPaymentProrateSignatureYear, day)? {
            prorate(full_year_amount)?
        } else {
            full_year_amount
        };
        let months = cx.count(P::AciPaymentNewSignatoryAdvanceMonths, day)?;
        let due_on =
            case.signed_on.checked_add_months(Months::new(months)).ok_or(RuleError::Invalid("date out of range"))?;
        (amount, prorate(full_year_advance)?, due_on)
    } else {
        (full_year_amount, full_year_advance, due(case.year)?)
    };
    cx.t.input("advance_due_on", Input::Date(advance_due_on));
    cx.t.input("balance_due_on", Input::Date(balance_due_on));
    let (amount, advance) = if paid { (amount, advance) } else { (Decimal::ZERO, Decimal::ZERO) };
    let note = match (paid, signature_year) {
        (false, _) => "a prerequisite indicator is not met: nothing is paid",
        (true, true) => {
            "signature year: advance and amount prorated to the days under contract, the advance due within months of the signature, the balance by the due day of the next year"
        }
        (true, false) => {
            "advance at 100 % of the socle and prerequisite indicators, due by the due day of the year; balance by the due day of the next year"
        }
    };
    cx.t.outcome(if paid { Outcome::Pass } else { Outcome::NotApplicable }, note);
    Ok(Payment { full_year_amount, amount, advance, advance_due_on, balance_due_on })
}

/// Estimates the year's ACI remuneration. With [`super::NoTrace`] this is the batch path.
pub fn estimate<'b, T: Tracer<'b>>(book: &'b RuleBook, case: &AciCase, t: &mut T) -> Result<AciEstimate, RuleError> {
    let day = in_force(book, case.year)?;
    if case.signed_on.year() > case.year {
        return Err(RuleError::Invalid("the ACI contract is signed after this year"));
    }
    for (i, c) in case.indicators.iter().enumerate() {
        if case.indicators[..i].iter().any(|d| d.indicator == c.indicator) {
            return Err(RuleError::Invalid("an ACI indicator is committed twice"));
        }
    }
    let mut cx = Cx { book, t };
    let lines = case.indicators.iter().map(|c| line(&mut cx, case, c, day)).collect::<Result<Vec<_>, _>>()?;
    let unmet_prerequisites = prerequisites(&mut cx, &lines, day)?;
    let uplift = precarity(&mut cx, case.precarity, day)?;
    let paid = unmet_prerequisites.is_empty();
    let pay = payment(&mut cx, case, &lines, uplift, paid, day)?;
    Ok(AciEstimate {
        year: case.year,
        verdict: if paid { Verdict::Eligible } else { Verdict::NotEligible },
        unmet_prerequisites,
        total_points: lines.iter().map(|l| l.points).sum(),
        lines,
        uplift,
        full_year_amount: pay.full_year_amount,
        amount: pay.amount,
        advance: pay.advance,
        advance_due_on: pay.advance_due_on,
        balance: pay.amount - pay.advance,
        balance_due_on: pay.balance_due_on,
    })
}

/// Estimates and explains every rule.
pub fn explain<'b>(book: &'b RuleBook, case: &AciCase) -> Result<(AciEstimate, Explanation<'b>), RuleError> {
    let mut recorder = Recorder::new();
    let result = estimate(book, case, &mut recorder)?;
    let verdict = result.verdict;
    Ok((result, Explanation::new(verdict, recorder)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::NoTrace;
    use crate::rules::params::SPECS;

    fn book() -> &'static RuleBook {
        static BOOK: std::sync::OnceLock<RuleBook> = std::sync::OnceLock::new();
        BOOK.get_or_init(|| RuleBook::embedded().expect("embedded parameters load"))
    }

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).expect("valid")
    }

    fn euros(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    fn met(indicator: AciIndicator) -> AciCommitment {
        AciCommitment {
            indicator,
            met: Some(true),
            achievement: None,
            level: None,
            count: None,
            with_ipa: None,
            count_with_ipa: None,
            software_acquired_on: None,
        }
    }

    /// The prerequisites of avenant 1 from 2023, met, for a structure signed long before.
    fn case(year: i32, patientele: u32) -> AciCase {
        let mut indicators: Vec<AciCommitment> =
            [AciIndicator::OpeningHours, AciIndicator::Coordination, AciIndicator::InformationSystem].map(met).to_vec();
        if year >= 2023 {
            indicators.push(met(AciIndicator::CrisisResponse));
        }
        AciCase {
            year,
            signed_on: d(2017, 1, 1),
            patientele,
            associated_professionals: 10,
            indicators,
            precarity: None,
        }
    }

    #[test]
    fn the_coordination_function_pays_the_guide_worked_amounts() {
        let book = book();
        for (patientele, amount) in
            [(6_000, "24850"), (8_000, "30800"), (12_000, "38500"), (0, "7000"), (4_000, "18900")]
        {
            assert_eq!(coordination_amount(book, 2024, patientele, &mut NoTrace), Ok(euros(amount)), "{patientele}");
        }
        // 2017: 700 + 1,100 × P / 4,000, one rate for all: 4,000 → 1,800 points; 12,000 → 4,000.
        assert_eq!(coordination_amount(book, 2019, 4_000, &mut NoTrace), Ok(euros("12600")));
        assert_eq!(coordination_amount(book, 2021, 12_000, &mut NoTrace), Ok(euros("28000")));
        // 1 patient: 1,700 / 4,000 = 0.425 points = 2.975 €, exactly, then to the cent.
        assert_eq!(coordination_amount(book, 2022, 1, &mut NoTrace), Ok(euros("7002.98")));
        let err = coordination_amount(book, 2016, 4_000, &mut NoTrace).expect_err("no ACI in 2016");
        assert!(matches!(err, RuleError::NoRegime { scheme: "ACI MSP", .. }), "{err:?}");
    }

    #[test]
    fn every_aci_parameter_has_one_value_every_month_and_every_year_estimates() {
        let book = book();
        let mut months = 0;
        for year in 2017..=2030 {
            for month in 1..=12 {
                let day = d(year, month, 1);
                for spec in SPECS.iter().filter(|s| s.family == "aci") {
                    let series = book.series(spec.id);
                    let in_force = series
                        .iter()
                        .enumerate()
                        .filter(|(i, s)| s.from <= day && series.get(i + 1).is_none_or(|n| n.from > day))
                        .count();
                    assert_eq!(in_force, 1, "{} on {day}", spec.key);
                    months += 1;
                }
            }
            let e = estimate(book, &case(year, 5_000), &mut NoTrace).unwrap_or_else(|e| panic!("{year}: {e}"));
            assert_eq!(e.verdict, Verdict::Eligible, "{year}: {:?}", e.unmet_prerequisites);
            assert!(e.amount > Decimal::ZERO && e.advance > Decimal::ZERO, "{year}");
            assert_eq!(e.amount, e.advance + e.balance);
        }
        assert!(months > 10_000);
    }

    #[test]
    fn the_crisis_indicator_is_a_prerequisite_from_2023_only() {
        let book = book();
        let mut c = case(2022, 4_000);
        assert_eq!(estimate(book, &c, &mut NoTrace).map(|e| e.verdict), Ok(Verdict::Eligible));
        c.year = 2023;
        let e = estimate(book, &c, &mut NoTrace).expect("estimates");
        assert_eq!(
            (e.verdict, e.unmet_prerequisites.as_slice()),
            (Verdict::NotEligible, &[AciIndicator::CrisisResponse][..])
        );
        assert_eq!((e.amount, e.advance, e.balance), (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO));
        c.year = 2021;
        c.indicators.push(met(AciIndicator::CrisisResponse));
        let e = estimate(book, &c, &mut NoTrace).expect("estimates");
        let crisis = e.lines.iter().find(|l| l.indicator == AciIndicator::CrisisResponse).expect("line");
        assert_eq!((crisis.kind, crisis.points, crisis.met), (None, Decimal::ZERO, false), "not in the 2017 ACI");
    }

    #[test]
    fn commitments_take_only_their_indicator_fields() {
        let book = book();
        let mut c = case(2024, 4_000);
        c.indicators.push(AciCommitment { level: Some(1), ..met(AciIndicator::Protocols) });
        let err = estimate(book, &c, &mut NoTrace).expect_err("met and level on protocols");
        assert!(err.to_string().contains("does not take"), "{err}");
        c.indicators.pop();
        c.indicators.push(AciCommitment { met: None, ..met(AciIndicator::Quality) });
        assert!(estimate(book, &c, &mut NoTrace).expect_err("nothing said").to_string().contains("must say"));
        c.indicators.pop();
        c.indicators.push(AciCommitment { met: None, level: Some(4), ..met(AciIndicator::Quality) });
        assert!(estimate(book, &c, &mut NoTrace).expect_err("level 4").to_string().contains("highest"));
        c.indicators.pop();
        c.indicators.push(AciCommitment {
            met: None,
            achievement: Some(euros("1.5")),
            ..met(AciIndicator::Concertation)
        });
        assert!(estimate(book, &c, &mut NoTrace).expect_err("150 %").to_string().contains("between 0 and 1"));
        c.indicators.pop();
        c.indicators.push(met(AciIndicator::OpeningHours));
        assert!(estimate(book, &c, &mut NoTrace).expect_err("twice").to_string().contains("twice"));
        c.indicators.pop();
        c.signed_on = d(2025, 1, 1);
        assert!(estimate(book, &c, &mut NoTrace).expect_err("signed later").to_string().contains("signed after"));
    }

    #[test]
    fn the_case_reads_its_json_shape_and_refuses_unknown_fields() {
        let json = serde_json::json!({
            "year": 2024, "signed_on": "2019-03-01", "patientele": 6000, "associated_professionals": 12,
            "indicators": [{ "indicator": "CONCERTATION", "achievement": "0.5", "with_ipa": true }],
            "precarity": { "kind": "SHARES", "c2s": "0.12", "c2s_national": "0.08", "ame": "0", "ame_national": "0.01" }
        });
        let c: AciCase = serde_json::from_value(json.clone()).expect("valid case");
        assert_eq!(c.indicators[0].achievement, Some(euros("0.5")));
        let mut bad = json.clone();
        bad["colour"] = serde_json::json!("red");
        assert!(serde_json::from_value::<AciCase>(bad).is_err());
        let mut bad = json;
        bad["precarity"]["extra"] = serde_json::json!("0");
        assert!(serde_json::from_value::<AciCase>(bad).is_err());
        assert_eq!(AciIndicator::ALL.map(AciIndicator::code).map(AciIndicator::from_code), AciIndicator::ALL.map(Some));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

        /// Amounts are never negative, grow with the patientèle, and split into advance and
        /// balance; the uplift never passes the cap; nothing is paid without the prerequisites.
        #[test]
        fn amounts_are_consistent(
            year in 2017i32..2031, patientele in 0u32..40_000, more in 0u32..5_000, pros in 0u32..40,
            protocols in 0u32..12, achievement in 0u32..=100, rate in 0u32..60, signed_month in 1u32..13,
            coordination: bool, signed_in_year: bool,
        ) {
            let book = book();
            let mut c = case(year, patientele);
            c.associated_professionals = pros;
            if let Some(line) = c.indicators.iter_mut().find(|i| i.indicator == AciIndicator::Coordination) {
                line.met = Some(coordination);
            }
            c.indicators.push(AciCommitment { met: None, count: Some(protocols), ..met(AciIndicator::Protocols) });
            c.indicators.push(AciCommitment { met: None, achievement: Some(Decimal::new(achievement.into(), 2)), ..met(AciIndicator::Concertation) });
            c.precarity = Some(Precarity::Uplift { rate: Decimal::new(rate.into(), 2) });
            if signed_in_year {
                c.signed_on = d(year, signed_month, 1);
            }
            let e = estimate(book, &c, &mut NoTrace).expect("estimates");
            proptest::prop_assert!(e.amount >= Decimal::ZERO && e.advance >= Decimal::ZERO);
            proptest::prop_assert!(e.uplift <= euros("0.25"));
            proptest::prop_assert_eq!(e.amount + (-e.advance), e.balance);
            proptest::prop_assert!(e.amount <= e.full_year_amount);
            proptest::prop_assert_eq!(e.verdict == Verdict::Eligible, coordination);
            if !coordination {
                proptest::prop_assert_eq!((e.amount, e.advance), (Decimal::ZERO, Decimal::ZERO));
            }
            let bigger = estimate(book, &AciCase { patientele: patientele + more, ..c.clone() }, &mut NoTrace).expect("estimates");
            proptest::prop_assert!(bigger.full_year_amount >= e.full_year_amount);
            let line_sum: Decimal = e.lines.iter().map(|l| l.points).sum();
            proptest::prop_assert_eq!(line_sum, e.total_points);
        }
    }

    #[test]
    fn extreme_inputs_do_not_overflow() {
        let book = book();
        let mut c = case(2024, u32::MAX);
        c.associated_professionals = u32::MAX;
        c.indicators.push(AciCommitment {
            met: None,
            count: Some(u32::MAX),
            count_with_ipa: Some(u32::MAX),
            ..met(AciIndicator::Protocols)
        });
        c.precarity = Some(Precarity::Uplift { rate: Decimal::MAX });
        let e = estimate(book, &c, &mut NoTrace).expect("estimates");
        assert_eq!(e.uplift, euros("0.25"));
        assert!(e.amount > Decimal::ZERO);
    }

    /// The 2024 base case at 4,000 patients (opening hours 800, coordination 2,700, information
    /// system 2,500, crisis 450: 6,450 points = 45,150 €) with one more commitment.
    fn with(c: AciCommitment) -> AciCase {
        let mut case = case(2024, 4_000);
        case.indicators.push(c);
        case
    }

    fn counted(indicator: AciIndicator, count: u32) -> AciCommitment {
        AciCommitment { met: None, count: Some(count), ..met(indicator) }
    }

    fn line_of(e: &AciEstimate, indicator: AciIndicator) -> &AciLine {
        e.lines.iter().find(|l| l.indicator == indicator).expect("line")
    }

    /// The outcome, note and inputs traced for `rule`; for a line, the one naming `indicator`.
    fn trace(
        c: &AciCase,
        rule: RuleId,
        indicator: Option<AciIndicator>,
    ) -> (Outcome, &'static str, Vec<(&'static str, String)>) {
        let (_, explanation) = explain(book(), c).expect("estimates");
        let t = explanation
            .rules()
            .filter(|t| t.id == rule)
            .find(|t| {
                indicator.is_none_or(|i| t.inputs.iter().any(|(n, v)| *n == "indicator" && v.to_string() == i.code()))
            })
            .expect("traced");
        (t.outcome, t.note, t.inputs.iter().map(|(n, v)| (*n, v.to_string())).collect())
    }

    fn note_of(c: &AciCase, indicator: AciIndicator) -> &'static str {
        trace(c, RuleId::AciPoints, Some(indicator)).1
    }

    #[test]
    fn a_full_achievement_is_accepted_and_pays_the_met_points() {
        // Concertation achieved at 1 (the upper bound, allowed), with an IPA: (1,000 + 200)
        // × 4,000 / 4,000 × 1 = 1,200 points = 8,400 €, traced as met, not as partly achieved.
        let c = with(AciCommitment {
            met: None,
            achievement: Some(Decimal::ONE),
            with_ipa: Some(true),
            ..met(AciIndicator::Concertation)
        });
        let e = estimate(book(), &c, &mut NoTrace).expect("an achievement of 1 is a share");
        let l = line_of(&e, AciIndicator::Concertation);
        assert_eq!((l.points, l.euros, l.met), (euros("1200"), euros("8400"), true));
        let (outcome, note, _) = trace(&c, RuleId::AciPoints, Some(AciIndicator::Concertation));
        assert_eq!(outcome, Outcome::Pass);
        assert!(note.starts_with("met: its fixed points"), "{note}");
        // Opening hours met (yes/no, rate 1): the same note.
        assert!(note_of(&c, AciIndicator::OpeningHours).starts_with("met: "));
        // Achievement 0: no points, not met.
        let c = with(AciCommitment { met: None, achievement: Some(Decimal::ZERO), ..met(AciIndicator::Concertation) });
        let e = estimate(book(), &c, &mut NoTrace).expect("estimates");
        let l = line_of(&e, AciIndicator::Concertation);
        assert_eq!((l.points, l.met), (Decimal::ZERO, false));
        assert_eq!(note_of(&c, AciIndicator::Concertation), NOT_MET);
    }

    #[test]
    fn level_and_mission_lines_keep_their_points_at_full_achievement() {
        // 6,000 patients (ratio 1.5). User involvement level 2: 200 fixed + 300 × 1.5 = 450
        // variable = 650 points, all of them at full achievement.
        let mut c = case(2024, 6_000);
        c.indicators.push(AciCommitment { met: None, level: Some(2), ..met(AciIndicator::UserInvolvement) });
        // Two public-health missions with an IPA: 350 × 1.5 × 2 = 1,050 variable + 200 fixed
        // = 1,250 points.
        c.indicators.push(AciCommitment {
            met: None,
            count: Some(2),
            with_ipa: Some(true),
            ..met(AciIndicator::PublicHealthMissions)
        });
        let e = estimate(book(), &c, &mut NoTrace).expect("estimates");
        let l = line_of(&e, AciIndicator::UserInvolvement);
        assert_eq!(
            (l.fixed_points, l.variable_points, l.points, l.points_at_full),
            (euros("200"), euros("450"), euros("650"), euros("650"))
        );
        let l = line_of(&e, AciIndicator::PublicHealthMissions);
        assert_eq!(
            (l.fixed_points, l.variable_points, l.points, l.points_at_full),
            (euros("200"), euros("1050"), euros("1250"), euros("1250"))
        );
    }

    #[test]
    fn protocols_pay_per_protocol_up_to_eight_and_say_when_capped() {
        // 100 points per protocol, at most 8 paid.
        for (count, points, met, capped) in
            [(0, "0", false, false), (3, "300", true, false), (8, "800", true, false), (10, "800", true, true)]
        {
            let c = with(counted(AciIndicator::Protocols, count));
            let e = estimate(book(), &c, &mut NoTrace).expect("estimates");
            let l = line_of(&e, AciIndicator::Protocols);
            assert_eq!((l.points, l.met), (euros(points), met), "{count} protocols");
            let (outcome, note, _) = trace(&c, RuleId::AciPoints, Some(AciIndicator::Protocols));
            assert_eq!(outcome, if met { Outcome::Pass } else { Outcome::NotApplicable }, "{count}");
            let want = match (met, capped) {
                (false, _) => NOT_MET,
                (true, false) => "fixed points per unit",
                (true, true) => "fixed points per unit, capped at the most units paid",
            };
            assert_eq!(note, want, "{count} protocols");
        }
    }

    #[test]
    fn public_health_missions_pay_per_mission_and_the_ipa_points_from_two() {
        // No mission: not met.
        let c = with(counted(AciIndicator::PublicHealthMissions, 0));
        let e = estimate(book(), &c, &mut NoTrace).expect("estimates");
        assert_eq!(
            (
                line_of(&e, AciIndicator::PublicHealthMissions).points,
                line_of(&e, AciIndicator::PublicHealthMissions).met
            ),
            (Decimal::ZERO, false)
        );
        assert_eq!(note_of(&c, AciIndicator::PublicHealthMissions), NOT_MET);
        // One mission with an IPA: 350 × 4,000 / 4,000 = 350 points, and not the IPA's 200
        // fixed points (they need two missions).
        let c = with(AciCommitment { with_ipa: Some(true), ..counted(AciIndicator::PublicHealthMissions, 1) });
        let e = estimate(book(), &c, &mut NoTrace).expect("estimates");
        let l = line_of(&e, AciIndicator::PublicHealthMissions);
        assert_eq!((l.fixed_points, l.points, l.met), (Decimal::ZERO, euros("350"), true));
        assert!(note_of(&c, AciIndicator::PublicHealthMissions).starts_with("variable points per mission"));
    }

    #[test]
    fn trainee_placements_pay_from_two_and_up_to_four() {
        // 450 points for the first two placements, 225 per placement beyond, 4 placements paid.
        for (count, points) in [(0, "0"), (1, "0"), (2, "450"), (3, "675"), (4, "900"), (6, "900")] {
            let c = with(counted(AciIndicator::Trainees, count));
            let e = estimate(book(), &c, &mut NoTrace).expect("estimates");
            let l = line_of(&e, AciIndicator::Trainees);
            assert_eq!((l.points, l.met), (euros(points), count >= 2), "{count} placements");
        }
    }

    #[test]
    fn the_information_system_not_met_or_acquired_after_the_year_pays_nothing() {
        // Not met: no points, but 500 + 10 × 200 = 2,500 at full achievement; a prerequisite
        // unmet, so nothing is paid.
        let mut c = case(2024, 4_000);
        let is = c.indicators.iter_mut().find(|i| i.indicator == AciIndicator::InformationSystem).expect("committed");
        is.met = Some(false);
        let e = estimate(book(), &c, &mut NoTrace).expect("estimates");
        let l = line_of(&e, AciIndicator::InformationSystem);
        assert_eq!(
            (l.fixed_points, l.variable_points, l.points, l.met, l.points_at_full),
            (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, false, euros("2500"))
        );
        assert_eq!(
            (e.unmet_prerequisites.as_slice(), e.amount),
            (&[AciIndicator::InformationSystem][..], Decimal::ZERO)
        );
        assert_eq!(note_of(&c, AciIndicator::InformationSystem), NOT_MET);
        // Software acquired on 2025-01-01, after the 2024 year: no points, not met.
        let is = c.indicators.iter_mut().find(|i| i.indicator == AciIndicator::InformationSystem).expect("committed");
        (is.met, is.software_acquired_on) = (Some(true), Some(d(2025, 1, 1)));
        let e = estimate(book(), &c, &mut NoTrace).expect("estimates");
        let l = line_of(&e, AciIndicator::InformationSystem);
        assert_eq!(
            (l.fixed_points, l.variable_points, l.points, l.met),
            (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, false)
        );
        assert_eq!(e.unmet_prerequisites, [AciIndicator::InformationSystem]);
        assert_eq!(note_of(&c, AciIndicator::InformationSystem), "software acquired after the year: no points");
    }

    #[test]
    fn software_acquired_before_or_on_the_first_day_pays_the_whole_year() {
        // Acquired in 2020, before the 2024 year: the whole 2,500 points, not prorated.
        let mut c = case(2024, 4_000);
        let is = c.indicators.iter_mut().find(|i| i.indicator == AciIndicator::InformationSystem).expect("committed");
        is.software_acquired_on = Some(d(2020, 5, 1));
        let e = estimate(book(), &c, &mut NoTrace).expect("estimates");
        let l = line_of(&e, AciIndicator::InformationSystem);
        assert_eq!((l.points, l.met), (euros("2500"), true));
        let (_, note, inputs) = trace(&c, RuleId::AciPoints, Some(AciIndicator::InformationSystem));
        assert!(note.starts_with("fixed points, and points per associated professional"), "{note}");
        assert!(!inputs.iter().any(|(n, _)| *n == "days_with_software"));
        // Acquired on 2024-01-01, in the year: prorated, 366 of 366 days, so the same 2,500.
        let is = c.indicators.iter_mut().find(|i| i.indicator == AciIndicator::InformationSystem).expect("committed");
        is.software_acquired_on = Some(d(2024, 1, 1));
        let e = estimate(book(), &c, &mut NoTrace).expect("estimates");
        let l = line_of(&e, AciIndicator::InformationSystem);
        assert_eq!((l.points, l.met), (euros("2500"), true));
        let (_, note, inputs) = trace(&c, RuleId::AciPoints, Some(AciIndicator::InformationSystem));
        assert!(note.starts_with("software acquired in the year"), "{note}");
        assert!(inputs.contains(&("days_with_software", "366".to_owned())), "{inputs:?}");
    }

    #[test]
    fn precarity_shares_are_checked_and_added() {
        let book = book();
        let shares = |c2s: &str, c2s_national: &str, ame: &str, ame_national: &str| Precarity::Shares {
            c2s: euros(c2s),
            c2s_national: euros(c2s_national),
            ame: euros(ame),
            ame_national: euros(ame_national),
        };
        let mut c = case(2024, 4_000);
        for bad in [shares("1.5", "0.08", "0", "0.01"), shares("0.12", "-0.01", "0", "0.01")] {
            c.precarity = Some(bad);
            let err = estimate(book, &c, &mut NoTrace).expect_err("not a share");
            assert!(err.to_string().contains("between 0 and 1"), "{err}");
        }
        // C2S 12 % against 8 % (+0.04), AME 3 % against 1 % (+0.02): uplift 0.06;
        // 45,150 € × 1.06 = 47,859 €.
        c.precarity = Some(shares("0.12", "0.08", "0.03", "0.01"));
        let e = estimate(book, &c, &mut NoTrace).expect("estimates");
        assert_eq!((e.uplift, e.full_year_amount), (euros("0.06"), euros("47859")));
        // An uplift of exactly the 25 % cap is applied whole, and not said to be capped:
        // 45,150 € × 1.25 = 56,437.50 €.
        c.precarity = Some(Precarity::Uplift { rate: euros("0.25") });
        let e = estimate(book, &c, &mut NoTrace).expect("estimates");
        assert_eq!((e.uplift, e.full_year_amount), (euros("0.25"), euros("56437.50")));
        assert_eq!(trace(&c, RuleId::AciPrecarity, None).1, "precarity uplift of the whole remuneration");
    }

    #[test]
    fn without_a_floor_on_each_share_a_share_below_its_rate_reduces_the_other() {
        let over = r#"family = "aci"
[parameters."aci.precarity.floor_each_share"]
description = "test override"
series = [ { from = 2017-01-01, value = false, reference = "test", source = "https://example.org", confidence = "assumption", checked_on = 2026-12-01 } ]
"#;
        let book =
            RuleBook::load(crate::rules::params::EMBEDDED_FILES, &[("local.toml", over)]).expect("valid override");
        let mut c = case(2024, 4_000);
        // C2S +0.04, AME 0.5 % against 1 % (−0.005): 0.04 − 0.005 = 0.035;
        // 45,150 € × 1.035 = 46,730.25 €.
        c.precarity = Some(Precarity::Shares {
            c2s: euros("0.12"),
            c2s_national: euros("0.08"),
            ame: euros("0.005"),
            ame_national: euros("0.01"),
        });
        let e = estimate(&book, &c, &mut NoTrace).expect("estimates");
        assert_eq!((e.uplift, e.full_year_amount), (euros("0.035"), euros("46730.25")));
        // Both below: −0.03 − 0.005 < 0, no uplift.
        c.precarity = Some(Precarity::Shares {
            c2s: euros("0.05"),
            c2s_national: euros("0.08"),
            ame: euros("0.005"),
            ame_national: euros("0.01"),
        });
        let e = estimate(&book, &c, &mut NoTrace).expect("estimates");
        assert_eq!((e.uplift, e.full_year_amount), (Decimal::ZERO, euros("45150")));
    }
}
