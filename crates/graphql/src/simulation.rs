//! The rules over GraphQL: what-if simulations that need no stored data, the parameters in
//! force on a date, and the output types shared with the evaluation of stored records.

use std::sync::Arc;

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use domain::Etp;
use domain::rules::collective::{self, CollectiveCase, Member};
use domain::rules::explain::{ExplanationView, ParameterView};
use domain::rules::individual::{self, Doctor, FirstContract, IndividualCase};
use domain::rules::params::{SPECS, Spec};
use domain::rules::{self, Activity, Rate, RuleBook, RuleSet};
use planning::assessed::Assessed;
use rust_decimal::Decimal;

use crate::enums::{self, mirror};
use crate::error::{ApiError, ApiResult};
use crate::scalars::{Date, Money};

/// Access to the loaded rule parameters.
pub fn rule_book<'a>(ctx: &Context<'a>) -> ApiResult<&'a Arc<RuleBook>> {
    ctx.data_opt::<Arc<RuleBook>>().ok_or_else(|| ApiError::internal(&"rule book missing from the schema data"))
}

mirror!(
    /// Overall conclusion of an evaluation.
    Verdict = "domain::rules::Verdict" { Eligible, NotEligible, Undecided }
);
mirror!(
    /// What one rule concluded.
    Outcome = "domain::rules::Outcome" { Pass, Fail, Warn, NotApplicable, Undecided }
);
mirror!(
    /// How far a parameter can be trusted: the text's (OFFICIAL), a faithful second-hand
    /// report (SECONDARY), or the product's reading where sources are silent (ASSUMPTION).
    Confidence = "domain::rules::Confidence" { Assumption, Secondary, Official }
);
mirror!(
    /// ARS zoning of the practice's commune.
    Zone = "domain::rules::individual::Zone" { Zip, Zac, Hz }
);
mirror!(
    /// Indicator an objective is set on.
    Indicator = "domain::rules::Indicator" { Pmt, AdultPmt, FileActive }
);
mirror!(
    /// What an objective asks.
    TargetKind = "domain::rules::TargetKind" { Increase, Maintain, ReachMedian }
);
/// Row of the amounts table used for a contract year.
#[derive(Debug, Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::rules::individual::AmountRow")]
pub enum AmountRow {
    #[graphql(name = "YEAR_1")]
    Year1,
    #[graphql(name = "YEAR_2")]
    Year2,
    #[graphql(name = "YEAR_3_PLUS")]
    Year3Plus,
    #[graphql(name = "P90_P95")]
    P90P95,
    #[graphql(name = "P95_PLUS")]
    P95Plus,
}

/// Yearly activity counts.
#[derive(Debug, Clone, Copy, Default, InputObject)]
pub struct ActivityInput {
    pub pmt: Option<u32>,
    pub adult_pmt: Option<u32>,
    pub file_active: Option<u32>,
}

impl From<ActivityInput> for Activity {
    fn from(a: ActivityInput) -> Self {
        Activity { pmt: a.pmt, adult_pmt: a.adult_pmt, file_active: a.file_active }
    }
}

/// The doctor's running contract, when asking for a second assistant.
#[derive(Debug, Clone, Copy, InputObject)]
pub struct FirstContractInput {
    pub option: enums::AidOption,
    pub signed_on: Date,
    pub objectives_met: bool,
}

/// A doctor's situation at signature. Leave unknown facts out: the rules that need them say
/// so in `missingInputs`.
#[derive(Debug, Clone, InputObject)]
pub struct DoctorInput {
    pub specialty: enums::Specialty,
    pub sector: enums::ConventionSector,
    #[graphql(default_with = "enums::Optam::None")]
    pub optam: enums::Optam,
    #[graphql(default_with = "enums::PracticeMode::Liberal")]
    pub practice_mode: enums::PracticeMode,
    #[graphql(default)]
    pub mep: bool,
    pub installed_on: Option<Date>,
    pub birth_year: Option<i32>,
    /// Recognised disabled worker (RQTH). Leave it out when unknown: the derogation then
    /// answers "undecided" where it matters.
    pub rqth: Option<bool>,
    /// Share of patients under 16, as a decimal string: `"0.25"`.
    pub children_share: Option<String>,
    pub zone: Option<Zone>,
    pub grouped_practice: Option<bool>,
    pub coordinated_practice: Option<bool>,
    /// Practises in one of the 30 % most under-served départements for the specialty.
    pub underserved_departement: Option<bool>,
    /// Share of CCAM (technical) fees over the 12 months before signature: `"0.18"`.
    pub ccam_share: Option<String>,
    pub band: Option<enums::ActivityBand>,
    /// Activity at signature: the objectives' baseline.
    pub activity: Option<ActivityInput>,
    /// The specialty's median (P50), for a new install outside general practice.
    pub specialty_median: Option<ActivityInput>,
    #[graphql(default)]
    pub in_collective_contract: bool,
    pub collective_ended_on: Option<Date>,
    pub first_contract: Option<FirstContractInput>,
}

pub(crate) fn ratio(field: &str, value: Option<&str>) -> ApiResult<Option<Decimal>> {
    value
        .map(|v| {
            v.trim()
                .parse::<Decimal>()
                .ok()
                .filter(|d| *d >= Decimal::ZERO && *d <= Decimal::ONE)
                .ok_or_else(|| ApiError::BadInput(format!("{field}: a share between \"0\" and \"1\", e.g. \"0.25\"")))
        })
        .transpose()
}

impl DoctorInput {
    fn into_domain(self) -> ApiResult<Doctor> {
        Ok(Doctor {
            specialty: self.specialty.into(),
            sector: self.sector.into(),
            optam: self.optam.into(),
            practice_mode: self.practice_mode.into(),
            mep: self.mep,
            installed_on: self.installed_on.map(|d| d.0),
            birth_year: self.birth_year,
            rqth: self.rqth,
            children_share: ratio("doctor.childrenShare", self.children_share.as_deref())?,
            zone: self.zone.map(Into::into),
            grouped_practice: self.grouped_practice,
            coordinated_practice: self.coordinated_practice,
            underserved_departement: self.underserved_departement,
            ccam_share: ratio("doctor.ccamShare", self.ccam_share.as_deref())?,
            band: self.band.map(Into::into),
            activity: self.activity.map(Into::into).unwrap_or_default(),
            specialty_median: self.specialty_median.map(Into::into),
            in_collective_contract: self.in_collective_contract,
            collective_ended_on: self.collective_ended_on.map(|d| d.0),
            first_contract: self.first_contract.map(|f| FirstContract {
                option: f.option.into(),
                signed_on: f.signed_on.0,
                objectives_met: f.objectives_met,
            }),
        })
    }
}

#[derive(Debug, Clone, InputObject)]
pub struct IndividualSimulationInput {
    pub signed_on: Date,
    pub option: enums::AidOption,
    pub doctor: DoctorInput,
    /// Day whose contract year's maximum (and payable amount) you want.
    pub as_of: Option<Date>,
    /// Activity reached in that contract year.
    pub actual: Option<ActivityInput>,
}

#[derive(Debug, Clone, InputObject)]
pub struct MemberInput {
    /// How the doctor appears in the results (name or RPPS).
    pub label: String,
    pub specialty: enums::Specialty,
    pub sector: enums::ConventionSector,
    #[graphql(default_with = "enums::Optam::None")]
    pub optam: enums::Optam,
    #[graphql(default)]
    pub mep: bool,
    /// Partner of the company in their own name.
    pub partner: bool,
    pub pmt: Option<u32>,
    pub file_active: Option<u32>,
    pub installed_on: Option<Date>,
    /// PAMSU hosting a docteur junior; leave it out when unknown.
    pub hosts_docteur_junior: Option<bool>,
    #[graphql(default)]
    pub holds_individual_contract: bool,
    pub collective_ended_on: Option<Date>,
    /// Patients already gained under an earlier individual contract.
    pub gained_under_individual: Option<ActivityInput>,
}

#[derive(Debug, Clone, InputObject)]
pub struct CollectiveSimulationInput {
    pub signed_on: Date,
    pub legal_form: enums::LegalForm,
    /// An approved ambulatory training site; leave it out when unknown.
    pub training_site: Option<bool>,
    /// ETP funded: `"3"`, `"2.5"` or `"5/2"`.
    pub funded_etp: String,
    pub members: Vec<MemberInput>,
    pub as_of: Option<Date>,
    /// The group's activity in the contract year running on `asOf`.
    pub actual: Option<ActivityInput>,
}

impl CollectiveSimulationInput {
    fn into_domain(self) -> ApiResult<CollectiveCase> {
        let funded_etp = Etp::parse(&self.funded_etp).map_err(|e| {
            ApiError::BadInput(format!("fundedEtp: {e}; write a number of ETP such as \"3\", \"2.5\" or \"5/2\""))
        })?;
        Ok(CollectiveCase {
            signed_on: self.signed_on.0,
            legal_form: self.legal_form.into(),
            training_site: self.training_site,
            funded_etp,
            members: self
                .members
                .into_iter()
                .map(|m| Member {
                    label: m.label,
                    specialty: m.specialty.into(),
                    sector: m.sector.into(),
                    optam: m.optam.into(),
                    mep: m.mep,
                    partner: m.partner,
                    pmt: m.pmt,
                    file_active: m.file_active,
                    installed_on: m.installed_on.map(|d| d.0),
                    hosts_docteur_junior: m.hosts_docteur_junior,
                    holds_individual_contract: m.holds_individual_contract,
                    collective_ended_on: m.collective_ended_on.map(|d| d.0),
                    gained_under_individual: m.gained_under_individual.map(Into::into).unwrap_or_default(),
                })
                .collect(),
            as_of: self.as_of.map(|d| d.0),
            actual: self.actual.map(Into::into),
        })
    }
}

/// A parameter as a rule read it, with its provenance.
#[derive(Debug, Clone, SimpleObject)]
pub struct ParameterUse {
    pub key: String,
    pub value: String,
    /// First day of the value.
    pub effective_from: Date,
    /// Legal text and article, as a person cites it.
    pub reference: String,
    /// Where the value was read (URL).
    pub source: String,
    pub confidence: Confidence,
    /// When the value was last checked.
    pub checked_on: Date,
}

impl From<ParameterView> for ParameterUse {
    fn from(p: ParameterView) -> Self {
        Self {
            key: p.key.to_owned(),
            value: p.value,
            effective_from: Date(p.effective_from),
            reference: p.reference,
            source: p.source,
            confidence: p.confidence.into(),
            checked_on: Date(p.checked_on),
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct RuleInputValue {
    pub name: String,
    pub value: String,
}

/// One rule's trace.
#[derive(Debug, Clone, SimpleObject)]
pub struct RuleTrace {
    /// Stable rule id, e.g. `IND-SECTOR`.
    pub rule: String,
    pub title: String,
    /// The texts the rule comes from; each parameter adds its own dated reference.
    pub reference: String,
    pub outcome: Outcome,
    /// Why, in a sentence.
    pub note: String,
    /// Weakest confidence of the parameters the rule read.
    pub confidence: Confidence,
    pub inputs: Vec<RuleInputValue>,
    pub parameters: Vec<ParameterUse>,
    /// Inputs the rule needed and did not get.
    pub missing: Vec<String>,
}

/// Why a verdict is what it is: every rule evaluated, versioned.
#[derive(Debug, Clone, SimpleObject)]
pub struct Explanation {
    /// Version of this format; changes when a client could notice.
    pub format_version: String,
    pub verdict: Verdict,
    /// Weakest confidence of every parameter relied on.
    pub confidence: Confidence,
    pub rules: Vec<RuleTrace>,
}

impl From<ExplanationView> for Explanation {
    fn from(v: ExplanationView) -> Self {
        Self {
            format_version: v.format_version.to_owned(),
            verdict: v.verdict.into(),
            confidence: v.confidence.into(),
            rules: v
                .rules
                .into_iter()
                .map(|r| RuleTrace {
                    rule: r.rule.code().to_owned(),
                    title: r.title.to_owned(),
                    reference: r.reference.to_owned(),
                    outcome: r.outcome.into(),
                    note: r.note.to_owned(),
                    confidence: r.confidence.into(),
                    inputs: r
                        .inputs
                        .into_iter()
                        .map(|(n, v)| RuleInputValue { name: n.to_owned(), value: v })
                        .collect(),
                    parameters: r.parameters.into_iter().map(Into::into).collect(),
                    missing: r.missing.into_iter().map(str::to_owned).collect(),
                })
                .collect(),
        }
    }
}

/// One objective, with the progress made when the actual activity is known.
#[derive(Debug, Clone, SimpleObject)]
pub struct Target {
    pub indicator: Indicator,
    pub kind: TargetKind,
    pub baseline: u32,
    /// Whole patients, rounded up.
    pub target: u32,
    /// Activity reached, when known.
    pub actual: Option<u32>,
    /// Achievement of this indicator, from 0 to 1.
    pub rate: Option<String>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct Objectives {
    pub targets: Vec<Target>,
    /// Last day to reach the targets.
    pub due_by: Option<Date>,
}

pub(crate) fn objectives(o: &rules::Objectives, actual: Option<&Activity>) -> Objectives {
    Objectives {
        targets: o
            .iter()
            .map(|t| {
                let reached = actual.and_then(|a| t.indicator.of(a));
                Target {
                    indicator: t.indicator.into(),
                    kind: t.kind.into(),
                    baseline: t.baseline,
                    target: t.target,
                    actual: reached,
                    rate: reached.map(|a| t.rate(a).to_decimal().to_string()),
                }
            })
            .collect(),
        due_by: o.due_by.map(Date),
    }
}

/// One contract year's maximum.
#[derive(Debug, Clone, SimpleObject)]
pub struct YearAmount {
    pub contract_year: u32,
    pub starts_on: Date,
    pub row: AmountRow,
    pub maximum: Money,
    /// The table revalued in 2024 applies.
    pub revalued: bool,
}

impl From<individual::YearAmount> for YearAmount {
    fn from(y: individual::YearAmount) -> Self {
        Self {
            contract_year: y.contract_year,
            starts_on: Date(y.starts_on),
            row: y.row.into(),
            maximum: Money(y.maximum),
            revalued: y.revalued,
        }
    }
}

/// Whether an option is open to this doctor on the signature date.
#[derive(Debug, Clone, SimpleObject)]
pub struct OptionAvailability {
    pub option: enums::AidOption,
    pub outcome: Outcome,
    pub reason: String,
}

pub(crate) fn codes(set: RuleSet) -> Vec<String> {
    set.iter().map(|r| r.code().to_owned()).collect()
}

/// What every evaluation says of itself: the verdict, how far it can be trusted, what failed,
/// what is missing, and the explanation. Flattened into each simulation's fields.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Assessment {
    pub verdict: Verdict,
    /// Weakest confidence of the parameters the eligibility verdict rests on.
    pub confidence: Confidence,
    /// Weakest confidence of the parameters behind the amounts.
    pub amounts_confidence: Confidence,
    /// Weakest confidence of the parameters behind the objectives.
    pub objectives_confidence: Confidence,
    pub failing_rules: Vec<String>,
    pub undecided_rules: Vec<String>,
    /// Inputs that would let undecided rules decide.
    pub missing_inputs: Vec<String>,
    /// Mapped to the API's types only when selected: a dashboard holds one per contract,
    /// offer and assistant.
    #[graphql(skip)]
    pub view: Arc<ExplanationView>,
    #[graphql(skip)]
    pub caveat_views: Arc<Vec<ParameterView>>,
}

#[async_graphql::ComplexObject]
impl Assessment {
    /// Parameters relied on that are not the text's own (SECONDARY or ASSUMPTION).
    async fn caveats(&self) -> Vec<ParameterUse> {
        self.caveat_views.iter().cloned().map(Into::into).collect()
    }
    async fn explanation(&self) -> Explanation {
        Explanation::from((*self.view).clone())
    }
}

impl Assessment {
    fn new(verdict: rules::Verdict, failing: RuleSet, undecided: RuleSet, e: &rules::Explanation<'_>) -> Self {
        Assessed::new(verdict, failing, undecided, e).into()
    }
}

impl From<Assessed> for Assessment {
    fn from(a: Assessed) -> Self {
        Self {
            verdict: a.verdict.into(),
            confidence: a.confidence.into(),
            amounts_confidence: a.amounts_confidence.into(),
            objectives_confidence: a.objectives_confidence.into(),
            caveat_views: Arc::new(a.caveats),
            failing_rules: codes(a.failing),
            undecided_rules: codes(a.undecided),
            missing_inputs: a.missing.into_iter().map(str::to_owned).collect(),
            view: Arc::new(a.explanation),
        }
    }
}

/// The individual aid for one doctor, option and signature date.
#[derive(Debug, Clone, SimpleObject)]
pub struct IndividualSimulation {
    /// Regime of the signature date: R2019, R2020, R2023 or R2024.
    pub regime: String,
    #[graphql(flatten)]
    pub assessment: Assessment,
    /// Every option on the signature date, open or not, with the reason.
    pub options: Vec<OptionAvailability>,
    /// Maxima of contract years 1 to 5.
    pub schedule: Vec<YearAmount>,
    /// The contract year running on `asOf`.
    pub year: Option<YearAmount>,
    /// Payable amount of that year, given the actual activity.
    pub payable: Option<Money>,
    pub achievement_rate: Option<String>,
    pub objectives: Objectives,
}

/// The individual aid on a case, as the API shows it.
pub fn simulate_individual(book: &RuleBook, case: &IndividualCase) -> ApiResult<IndividualSimulation> {
    let rules::simulation::IndividualSimulation { result: r, options, schedule, explanation } =
        rules::simulation::simulate_individual(book, case)?;
    Ok(IndividualSimulation {
        regime: r.regime.to_owned(),
        assessment: Assessment::new(r.verdict, r.failing, r.undecided, &explanation),
        options: options
            .into_iter()
            .map(|o| OptionAvailability {
                option: o.option.into(),
                outcome: o.outcome.into(),
                reason: o.note.to_owned(),
            })
            .collect(),
        schedule: schedule.into_iter().map(Into::into).collect(),
        year: r.year.map(Into::into),
        payable: r.payable.map(Money),
        achievement_rate: r.achievement_rate.map(rate_text),
        objectives: objectives(&r.objectives, case.actual.as_ref()),
    })
}

fn rate_text(r: Rate) -> String {
    r.to_decimal().to_string()
}

#[derive(Debug, Clone, SimpleObject)]
pub struct MemberOutcome {
    pub label: String,
    pub eligible: bool,
    pub failing_rules: Vec<String>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct CollectiveYear {
    pub contract_year: u32,
    pub starts_on: Date,
    pub maximum: Money,
}

/// The collective aid (C2026) for a group of GPs.
#[derive(Debug, Clone, SimpleObject)]
pub struct CollectiveSimulation {
    #[graphql(flatten)]
    pub assessment: Assessment,
    pub members: Vec<MemberOutcome>,
    /// Mean PMT of the doctors who can adhere, to two decimals.
    pub mean_pmt: Option<String>,
    /// Largest ETP the group may be funded for on `asOf`.
    pub etp_cap: String,
    pub ends_on: Option<Date>,
    pub schedule: Vec<CollectiveYear>,
    pub year: Option<CollectiveYear>,
    pub payable: Option<Money>,
    pub achievement_rate: Option<String>,
    pub objectives: Objectives,
}

/// The collective aid on a case, as the API shows it.
pub fn simulate_collective(book: &RuleBook, case: &CollectiveCase) -> ApiResult<CollectiveSimulation> {
    let rules::simulation::CollectiveSimulation { result: r, explanation } =
        rules::simulation::simulate_collective(book, case)?;
    let year = |y: collective::CollectiveYear| CollectiveYear {
        contract_year: y.contract_year,
        starts_on: Date(y.starts_on),
        maximum: Money(y.maximum),
    };
    Ok(CollectiveSimulation {
        assessment: Assessment::new(r.verdict, r.failing, r.undecided, &explanation),
        members: r
            .members
            .into_iter()
            .map(|m| MemberOutcome { label: m.label, eligible: m.eligible, failing_rules: codes(m.failing) })
            .collect(),
        mean_pmt: r.mean_pmt.map(|m| m.round_dp(2).to_string()),
        etp_cap: r.etp_cap.to_string(),
        ends_on: r.ends_on.map(Date),
        schedule: r.schedule.into_iter().map(year).collect(),
        year: r.year.map(year),
        payable: r.payable.map(Money),
        achievement_rate: r.achievement_rate.map(rate_text),
        objectives: objectives(&r.objectives, case.actual.as_ref()),
    })
}

/// A rule parameter in force on a date.
#[derive(Debug, Clone, SimpleObject)]
pub struct RuleParameter {
    pub key: String,
    /// Family (file) the parameter belongs to: regimes, eligibility, options, amounts…
    pub family: String,
    pub description: String,
    pub value: String,
    pub effective_from: Date,
    pub reference: String,
    pub source: String,
    pub confidence: Confidence,
    pub checked_on: Date,
    /// File the value was read from (a built-in file or an override).
    pub origin: String,
}

fn parameter(book: &RuleBook, spec: &Spec, step: &domain::rules::Step) -> RuleParameter {
    RuleParameter {
        key: spec.key.to_owned(),
        family: spec.family.to_owned(),
        description: book.description(spec.id).to_owned(),
        value: step.value.to_string(),
        effective_from: Date(step.from),
        reference: step.provenance.reference.clone(),
        source: step.provenance.source.clone(),
        confidence: step.provenance.confidence.into(),
        checked_on: Date(step.provenance.checked_on),
        origin: book.origin(spec.id).to_owned(),
    }
}

#[derive(Debug, Default)]
pub struct RulesQuery;

#[Object]
impl RulesQuery {
    /// What-if for one doctor: eligibility rule by rule, options open with reasons, the
    /// 5-year schedule, objectives, and the explanation. Needs no stored data.
    #[graphql(complexity = "crate::types::simulation_cost(child_complexity)")]
    async fn simulate_individual_aid(
        &self,
        ctx: &Context<'_>,
        input: IndividualSimulationInput,
    ) -> async_graphql::Result<IndividualSimulation> {
        crate::auth::viewer(ctx)?;
        let case = IndividualCase {
            signed_on: input.signed_on.0,
            option: input.option.into(),
            doctor: input.doctor.into_domain()?,
            as_of: input.as_of.map(|d| d.0),
            actual: input.actual.map(Into::into),
            ended_on: None,
            renewals: 0,
        };
        Ok(simulate_individual(rule_book(ctx)?, &case)?)
    }

    /// What-if for a group of GPs under the collective aid (C2026): eligibility of the company
    /// and of each doctor, ETP cap, schedule, team objectives, explanation.
    #[graphql(complexity = "crate::types::simulation_cost(child_complexity)")]
    async fn simulate_collective_aid(
        &self,
        ctx: &Context<'_>,
        input: CollectiveSimulationInput,
    ) -> async_graphql::Result<CollectiveSimulation> {
        crate::auth::viewer(ctx)?;
        Ok(simulate_collective(rule_book(ctx)?, &input.into_domain()?)?)
    }

    /// Every rule parameter in force on `asOf`, with its reference, source and confidence.
    #[graphql(complexity = "SPECS.len().saturating_mul(child_complexity)")]
    async fn rule_parameters(&self, ctx: &Context<'_>, as_of: Date) -> async_graphql::Result<Vec<RuleParameter>> {
        crate::auth::viewer(ctx)?;
        let book = rule_book(ctx)?;
        Ok(SPECS.iter().filter_map(|spec| book.step(spec.id, as_of.0).map(|s| parameter(book, spec, s))).collect())
    }
}
