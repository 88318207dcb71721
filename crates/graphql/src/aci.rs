//! The ACI MSP estimate over GraphQL: a what-if that needs no stored data, so that the ACI and
//! the assistant aid can be seen side by side.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use domain::rules::aci::{self, AciCase, AciCommitment, AciEstimate, AciLine, Precarity};

use crate::error::{ApiError, ApiResult};
use crate::scalars::{Date, Money};
use crate::simulation::{Assessment, Verdict, ratio, rule_book};

/// An ACI indicator (Cnam, guide des indicateurs ACI, avenant 1, 2022).
#[derive(Debug, Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::rules::aci::AciIndicator")]
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

/// One indicator the structure commits to and what it achieved. Which fields apply depends on
/// the indicator; a field it does not take is refused.
#[derive(Debug, InputObject)]
pub struct AciCommitmentInput {
    pub indicator: AciIndicator,
    /// Yes/no indicators, the coordination function, the information system.
    pub met: Option<bool>,
    /// Concertation only: share achieved, "0" to "1".
    pub achievement: Option<String>,
    /// Diversity, second-line consultations, user involvement, SAS, quality.
    pub level: Option<u32>,
    /// Protocols, public-health missions, trainee placements, cooperation protocols.
    pub count: Option<u32>,
    /// Concertation, public-health missions.
    pub with_ipa: Option<bool>,
    /// Protocols involving an IPA.
    pub count_with_ipa: Option<u32>,
    /// Information system: the standard level is prorated from this day.
    pub software_acquired_on: Option<Date>,
}

/// The precarity uplift: the rate the CPAM computed, or the shares it is derived from.
#[derive(Debug, InputObject)]
pub struct PrecarityInput {
    /// The uplift rate, e.g. "0.12" for +12 %, before the 25 % cap.
    pub uplift: Option<String>,
    /// Shares of the patientèle (C2S, AME) and the national rates, "0" to "1".
    pub c2s: Option<String>,
    pub c2s_national: Option<String>,
    pub ame: Option<String>,
    pub ame_national: Option<String>,
}

#[derive(Debug, InputObject)]
pub struct AciSimulationInput {
    /// Calendar year of the remuneration.
    pub year: i32,
    pub signed_on: Date,
    /// Médecin-traitant patientèle of the doctors associated in the SISA.
    pub patientele: u32,
    /// Health professionals associated in the SISA.
    pub associated_professionals: u32,
    pub indicators: Vec<AciCommitmentInput>,
    pub precarity: Option<PrecarityInput>,
}

fn precarity(p: PrecarityInput) -> ApiResult<Precarity> {
    let share = |field: &str, v: Option<String>| -> ApiResult<rust_decimal::Decimal> {
        ratio(field, v.as_deref())?.ok_or_else(|| ApiError::BadInput(format!("precarity.{field} is required")))
    };
    match p.uplift {
        Some(rate) => {
            if p.c2s.is_some() || p.c2s_national.is_some() || p.ame.is_some() || p.ame_national.is_some() {
                return Err(ApiError::BadInput("precarity: give the uplift or the shares, not both".into()));
            }
            Ok(Precarity::Uplift { rate: share("uplift", Some(rate))? })
        }
        None => Ok(Precarity::Shares {
            c2s: share("c2s", p.c2s)?,
            c2s_national: share("c2sNational", p.c2s_national)?,
            ame: share("ame", p.ame)?,
            ame_national: share("ameNational", p.ame_national)?,
        }),
    }
}

impl AciSimulationInput {
    fn into_case(self) -> ApiResult<AciCase> {
        let indicators = self
            .indicators
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                Ok(AciCommitment {
                    indicator: c.indicator.into(),
                    met: c.met,
                    achievement: ratio(&format!("indicators.{i}.achievement"), c.achievement.as_deref())?,
                    level: c.level,
                    count: c.count,
                    with_ipa: c.with_ipa,
                    count_with_ipa: c.count_with_ipa,
                    software_acquired_on: c.software_acquired_on.map(|d| d.0),
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(AciCase {
            year: self.year,
            signed_on: self.signed_on.0,
            patientele: self.patientele,
            associated_professionals: self.associated_professionals,
            indicators,
            precarity: self.precarity.map(precarity).transpose()?,
        })
    }
}

/// One indicator's points and their worth, before the precarity uplift.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "AciLine")]
pub struct AciLineObject {
    pub indicator: AciIndicator,
    /// PREREQUISITE, SOCLE or OPTIONAL; null when the indicator is not in the ACI that year.
    pub kind: Option<String>,
    pub met: bool,
    pub fixed_points: String,
    pub variable_points: String,
    pub points: String,
    pub euros: Money,
}

impl From<AciLine> for AciLineObject {
    fn from(l: AciLine) -> Self {
        Self {
            indicator: l.indicator.into(),
            kind: l.kind.map(|k| format!("{k:?}").to_uppercase()),
            met: l.met,
            fixed_points: l.fixed_points.normalize().to_string(),
            variable_points: l.variable_points.normalize().to_string(),
            points: l.points.normalize().to_string(),
            euros: Money(l.euros),
        }
    }
}

/// The ACI remuneration of a year: points, amount, advance and balance, with the explanation.
#[derive(Debug, Clone, SimpleObject)]
pub struct AciSimulation {
    pub year: i32,
    /// Eligible when every prerequisite is met; otherwise nothing is paid.
    pub verdict: Verdict,
    pub unmet_prerequisites: Vec<AciIndicator>,
    pub lines: Vec<AciLineObject>,
    pub total_points: String,
    /// Precarity uplift applied, after the 25 % cap.
    pub uplift: String,
    pub full_year_amount: Money,
    pub amount: Money,
    /// 60 % of the amount at full achievement of the socle and prerequisites.
    pub advance: Money,
    pub advance_due_on: Date,
    /// Negative when the advance exceeds what was earned (recovered).
    pub balance: Money,
    pub balance_due_on: Date,
    pub assessment: Assessment,
}

fn simulation(r: AciEstimate, assessment: Assessment) -> AciSimulation {
    AciSimulation {
        year: r.year,
        verdict: r.verdict.into(),
        unmet_prerequisites: r.unmet_prerequisites.into_iter().map(Into::into).collect(),
        lines: r.lines.into_iter().map(Into::into).collect(),
        total_points: r.total_points.normalize().to_string(),
        uplift: r.uplift.normalize().to_string(),
        full_year_amount: Money(r.full_year_amount),
        amount: Money(r.amount),
        advance: Money(r.advance),
        advance_due_on: Date(r.advance_due_on),
        balance: Money(r.balance),
        balance_due_on: Date(r.balance_due_on),
        assessment,
    }
}

#[derive(Debug, Default)]
pub struct AciQuery;

#[Object]
impl AciQuery {
    /// What-if for a structure's ACI MSP remuneration (RULES.md §9.1): each committed
    /// indicator's points (1 point = 7 €, variable points on the patientèle / 4,000, not
    /// capped), the prerequisites, the precarity uplift (capped at 25 %), the advance (60 % by
    /// 30 April) and the balance (30 April of the next year). Needs no stored data.
    #[graphql(complexity = "crate::types::simulation_cost(child_complexity)")]
    async fn simulate_aci(&self, ctx: &Context<'_>, input: AciSimulationInput) -> async_graphql::Result<AciSimulation> {
        crate::auth::viewer(ctx)?;
        let book = rule_book(ctx)?;
        let case = input.into_case()?;
        let (r, e) = aci::explain(book, &case).map_err(ApiError::from)?;
        let assessed = planning::assessed::Assessed::from_traces(&e);
        Ok(simulation(r, assessed.into()))
    }
}
