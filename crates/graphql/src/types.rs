//! Output types. Each wraps a domain value; nothing here is derived from database rows.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Interface, Object, OutputType};
use chrono::{DateTime, Utc};
use domain::{ContractTerms, Employer};
use persistence::Page;
use planning::cases;

use crate::access::{self, ContractsOf, CpamAciOf, CpamOf, CpamStatusOf, FiguresOf, MembershipsOf, Visible, load};
use crate::auth::store;
use crate::dashboard::{ComparisonObject, DashboardObject};
use crate::enums::*;
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, NodeType};
use crate::scalars::Date;
use crate::simulation::{
    CollectiveSimulation, IndividualSimulation, rule_book, simulate_collective, simulate_individual,
};

/// Largest page a client may ask for.
pub const MAX_PAGE_SIZE: i32 = 100;

/// Checks `first` (required, 1..=100) and decodes `after`.
pub fn page_args(first: i32, after: Option<&str>) -> ApiResult<(u64, Option<i64>)> {
    if !(1..=MAX_PAGE_SIZE).contains(&first) {
        return Err(ApiError::BadInput(format!("`first` must be between 1 and {MAX_PAGE_SIZE}")));
    }
    let after = after
        .map(|c| ids::decode_cursor(c).ok_or_else(|| ApiError::BadInput("`after` is not a cursor of this list".into())))
        .transpose()?;
    Ok((u64::try_from(first).unwrap_or(1), after))
}

/// Cost of a connection field for the complexity limit: its children once per requested row.
pub fn page_cost(first: i32, child_complexity: usize) -> usize {
    usize::try_from(first.clamp(1, MAX_PAGE_SIZE)).unwrap_or(1).saturating_mul(child_complexity)
}

/// Longest a plain list hanging off one object is expected to be (a doctor's memberships,
/// contracts or yearly figures, an assistant's assignments): its children count this often.
pub const LIST_COST_FACTOR: usize = 10;

/// Cost of a plain list field for the complexity limit.
pub fn list_cost(child_complexity: usize) -> usize {
    LIST_COST_FACTOR.saturating_mul(child_complexity)
}

/// Cost of a rules evaluation: the engine runs several passes, and its answer holds lists (rule
/// outcomes, parameters, years) whose fields count once per row.
pub fn simulation_cost(child_complexity: usize) -> usize {
    50usize.saturating_add(20usize.saturating_mul(child_complexity))
}

/// Cost of a structure-wide view (dashboard, comparison): one read of the structure's records,
/// then the rules for every doctor and contract; its lists are as long as the team.
pub fn structure_view_cost(child_complexity: usize) -> usize {
    500usize.saturating_add(20usize.saturating_mul(child_complexity))
}

/// Cost of an evaluation from stored records: the reads of the doctor's records, then the rules.
pub fn stored_simulation_cost(child_complexity: usize) -> usize {
    simulation_cost(child_complexity).saturating_add(100)
}

pub fn connection<T, N: OutputType>(
    page: Page<T>,
    had_cursor: bool,
    id_of: impl Fn(&T) -> i64,
    wrap: impl Fn(T) -> N,
) -> Connection<String, N> {
    let mut conn = Connection::new(had_cursor, page.has_next_page);
    conn.edges.extend(page.items.into_iter().map(|item| Edge::new(ids::encode_cursor(id_of(&item)), wrap(item))));
    conn
}

/// An object with a global ID, fetchable with `node(id:)`.
#[derive(Debug, Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Structure(StructureObject),
    Practitioner(PractitionerObject),
    Membership(MembershipObject),
    Assistant(AssistantObject),
    Assignment(AssignmentObject),
    AidContract(AidContractObject),
    Professional(crate::funding::ProfessionalObject),
    AciContract(crate::funding::AciContractObject),
    Grant(crate::funding::GrantObject),
}

/// A care structure: MSP, centre de santé, group practice or ESP.
#[derive(Debug, Clone)]
pub struct StructureObject(pub Visible<domain::Structure>);

#[Object(name = "Structure")]
impl StructureObject {
    async fn id(&self) -> ID {
        ids::encode(NodeType::Structure, self.0.id.0)
    }
    async fn kind(&self) -> StructureKind {
        self.0.fields.kind.into()
    }
    async fn legal_form(&self) -> LegalForm {
        self.0.fields.legal_form.into()
    }
    async fn name(&self) -> &str {
        &self.0.fields.name
    }
    async fn finess(&self) -> Option<&str> {
        self.0.fields.finess.as_ref().map(|f| f.as_str())
    }
    async fn siret(&self) -> Option<&str> {
        self.0.fields.siret.as_ref().map(|s| s.as_str())
    }
    /// INSEE code of the commune (COG), the key of zoning look-ups.
    async fn commune(&self) -> &str {
        self.0.fields.commune.as_str()
    }
    /// Date the ARS validated the projet de santé.
    async fn projet_sante_validated_on(&self) -> Option<Date> {
        self.0.fields.projet_sante_validated_on.map(Date)
    }
    /// Whether the SISA's statutes make it an employer group (ordonnance 2021-584).
    async fn sisa_employer_group(&self) -> bool {
        self.0.fields.sisa_employer_group
    }
    /// The CPAM's copy of the structure's ACI contract, as last fetched (read-only).
    async fn cpam_aci_contract(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::cpam::CpamAciContractObject>> {
        Ok(load(ctx, CpamAciOf(self.0.id)).await?.map(crate::cpam::CpamAciContractObject))
    }
    /// Approved ambulatory training site; null when not recorded.
    async fn training_site(&self) -> Option<bool> {
        self.0.fields.training_site
    }

    /// Practitioners who are or were members; `activeOn` keeps those members on that day.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: i32,
        after: Option<String>,
        active_on: Option<Date>,
    ) -> async_graphql::Result<Connection<String, MembershipObject>> {
        let (first, after) = page_args(first, after.as_deref())?;
        let page =
            access::members_page(store(ctx)?, &self.0, active_on.map(|d| d.0), after.map(domain::MembershipId), first)
                .await?;
        Ok(connection(page, after.is_some(), |m| m.id.0, MembershipObject))
    }

    /// Assistants médicaux working in the structure.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn assistants(
        &self,
        ctx: &Context<'_>,
        first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, AssistantObject>> {
        let (first, after) = page_args(first, after.as_deref())?;
        let page = access::assistants_page(store(ctx)?, &self.0, after.map(domain::AssistantId), first).await?;
        Ok(connection(page, after.is_some(), |a| a.1.id.0, AssistantObject))
    }

    /// Everything a coordinator opens every month, on `asOf`: whether the structure can sign
    /// the collective aid and employ assistants, each doctor's contracts and what they could
    /// sign, each assistant's time and checks, the team objectives, five years of money and the
    /// deadlines of the coming 12 months. Read in a fixed number of queries.
    #[graphql(complexity = "crate::types::structure_view_cost(child_complexity)")]
    async fn dashboard(&self, ctx: &Context<'_>, as_of: Date) -> async_graphql::Result<DashboardObject> {
        let store = store(ctx)?;
        let team = planning::load::team(store, &crate::auth::viewer(ctx)?.visibility, &self.0, as_of.0).await?;
        let activity = planning::activity::lines_of_team(store, &team).await?;
        let dashboard = planning::dashboard::dashboard_with_activity(rule_book(ctx)?, &team, &activity, as_of.0);
        let mut view: DashboardObject = dashboard.map_err(ApiError::from)?.into();
        view.standing.source = Some((self.0.clone().into_inner(), as_of.0));
        Ok(view)
    }

    /// The compatibility report (CMP-*, RULES.md §9.2) over the calendar year of `asOf`: how the
    /// aid combines with the ACI, its coordination function, regional and CPTS money and the
    /// demographic contracts, one finding per rule that applies, each with its severity, the
    /// records it is about, the figures, references and the confidence of the reading (most
    /// of these rules read texts that are silent). Read in a fixed number of queries.
    #[graphql(complexity = "crate::types::structure_view_cost(child_complexity)")]
    async fn compatibility(
        &self,
        ctx: &Context<'_>,
        as_of: Date,
    ) -> async_graphql::Result<crate::compatibility::CompatibilityReport> {
        let o = crate::overview::of(ctx, &self.0, as_of.0).await?;
        Ok(o.report(rule_book(ctx)?).map_err(ApiError::from)?.into())
    }

    /// All the structure's public money over five calendar years from `asOf`'s: per year,
    /// payee (each doctor, the company) and source (individual and collective aid per
    /// PAY-SCHEDULE, the ACI as recorded, regional, CPTS and other grants prorated to the
    /// year), and per employee, the employment cost against the public money attributed to it.
    #[graphql(complexity = "crate::types::structure_view_cost(child_complexity)")]
    async fn money(
        &self,
        ctx: &Context<'_>,
        as_of: Date,
    ) -> async_graphql::Result<crate::compatibility::MoneyTableObject> {
        let o = crate::overview::of(ctx, &self.0, as_of.0).await?;
        Ok(crate::compatibility::MoneyTableObject::new(o.money.clone(), &self.0.fields.name))
    }

    /// STR-COMPARISON, a what-if that writes nothing: over five years from `startOn` (today when
    /// omitted), keep the individual contracts (and sign new ones for eligible doctors without
    /// one) or sign a collective contract with `adheringDoctors` (by default every doctor the
    /// collective rules accept, their individual contracts closed on the start date) for
    /// `fundedEtp` (by default the assistants' time for the adhering doctors, within the cap).
    #[graphql(complexity = "crate::types::structure_view_cost(child_complexity)")]
    async fn comparison(
        &self,
        ctx: &Context<'_>,
        start_on: Option<Date>,
        adhering_doctors: Option<Vec<ID>>,
        funded_etp: Option<String>,
    ) -> async_graphql::Result<ComparisonObject> {
        let adhering = adhering_doctors
            .map(|ids| {
                ids.iter()
                    .map(|id| {
                        ids::decode_as(NodeType::Practitioner, id).map(|n| n.to_string()).ok_or_else(|| {
                            ApiError::BadArgument {
                                argument: "adheringDoctors",
                                why: format!("`{}` is not a practitioner id", id.as_str()),
                            }
                        })
                    })
                    .collect::<ApiResult<Vec<_>>>()
            })
            .transpose()?;
        let funded_etp = funded_etp
            .map(|e| {
                domain::Etp::parse(&e).map_err(|err| ApiError::BadArgument {
                    argument: "fundedEtp",
                    why: format!("{err}; write a number of ETP such as \"3\", \"2.5\" or \"5/2\""),
                })
            })
            .transpose()?;
        let start = start_on.map_or_else(|| chrono::Utc::now().date_naive(), |d| d.0);
        let team = planning::load::team(store(ctx)?, &crate::auth::viewer(ctx)?.visibility, &self.0, start).await?;
        let request = planning::comparison::ComparisonRequest { start, adhering, funded_etp };
        let result = planning::comparison::compare(rule_book(ctx)?, &team, &request).map_err(|e| match e {
            // A start before a regime existed is the start date's fault.
            planning::comparison::ComparisonError::Rules(r @ domain::rules::RuleError::NoRegime { date, .. })
                if date == start =>
            {
                ApiError::BadArgument { argument: "startOn", why: r.to_string() }
            }
            planning::comparison::ComparisonError::Rules(r) => ApiError::from(r),
            // The client named the doctor by a global id: answer with it.
            planning::comparison::ComparisonError::UnknownMember(n) => ApiError::BadArgument {
                argument: "adheringDoctors",
                why: format!(
                    "{} is not a doctor of the structure on the start date",
                    ids::encode(NodeType::Practitioner, n.parse().unwrap_or_default()).as_str()
                ),
            },
            planning::comparison::ComparisonError::DuplicateMember(n) => ApiError::BadArgument {
                argument: "adheringDoctors",
                why: format!(
                    "{} is named twice",
                    ids::encode(NodeType::Practitioner, n.parse().unwrap_or_default()).as_str()
                ),
            },
            planning::comparison::ComparisonError::NoEtp => ApiError::BadArgument {
                argument: "fundedEtp",
                why: "a collective contract funds at least some ETP".to_owned(),
            },
        })?;
        Ok(result.into())
    }

    /// The structure's collective contracts and its members' individual contracts.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn contracts(
        &self,
        ctx: &Context<'_>,
        first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, AidContractObject>> {
        let (first, after) = page_args(first, after.as_deref())?;
        let page = access::contracts_page(store(ctx)?, &self.0, after.map(domain::ContractId), first).await?;
        Ok(connection(page, after.is_some(), |c| c.id.0, AidContractObject))
    }

    /// Health professionals other than doctors who work or worked in the structure.
    #[graphql(complexity = "list_cost(child_complexity)")]
    async fn professionals(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::funding::ProfessionalObject>> {
        Ok(crate::funding::professionals_of(ctx, self.0.id).await?)
    }

    /// The structure's ACI MSP contracts, oldest first, with their yearly figures.
    #[graphql(complexity = "list_cost(child_complexity)")]
    async fn aci_contracts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::funding::AciContractObject>> {
        Ok(crate::funding::aci_contracts_of(ctx, self.0.id).await?)
    }

    /// Public money other than the aid and the ACI, by start date, with the employees it pays.
    #[graphql(complexity = "list_cost(child_complexity)")]
    async fn grants(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::funding::GrantObject>> {
        Ok(crate::funding::grants_of(ctx, self.0.id).await?)
    }
}

/// A doctor, identified for life by the RPPS.
#[derive(Debug, Clone)]
pub struct PractitionerObject(pub Visible<domain::Practitioner>);

#[Object(name = "Practitioner")]
impl PractitionerObject {
    async fn id(&self) -> ID {
        ids::encode(NodeType::Practitioner, self.0.id.0)
    }
    async fn rpps(&self) -> &str {
        self.0.fields.rpps.as_str()
    }
    /// False when the RPPS fails the (unconfirmed) Luhn key: worth a second look.
    async fn rpps_check_digit_verified(&self) -> bool {
        self.0.fields.rpps.warnings().is_empty()
    }
    async fn first_name(&self) -> &str {
        &self.0.fields.first_name
    }
    async fn last_name(&self) -> &str {
        &self.0.fields.last_name
    }
    async fn specialty(&self) -> Specialty {
        self.0.fields.specialty.into()
    }
    /// The specialty in French, as printed on a CPAM form.
    async fn specialty_label(&self) -> &str {
        self.0.fields.specialty.label()
    }
    async fn sector(&self) -> ConventionSector {
        self.0.fields.sector.into()
    }
    async fn optam(&self) -> Optam {
        self.0.fields.optam.into()
    }
    async fn practice_mode(&self) -> PracticeMode {
        self.0.fields.practice_mode.into()
    }
    /// Médecin à exercice particulier.
    async fn mep(&self) -> bool {
        self.0.fields.mep
    }
    async fn installed_on(&self) -> Option<Date> {
        self.0.fields.installed_on.map(Date)
    }
    /// Recognised disabled worker (RQTH); null when not recorded.
    async fn rqth(&self) -> Option<bool> {
        self.0.fields.rqth
    }
    async fn birth_year(&self) -> Option<i32> {
        self.0.fields.birth_year
    }

    /// Memberships in the structures the caller may see.
    #[graphql(complexity = "list_cost(child_complexity)")]
    async fn memberships(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<MembershipObject>> {
        let rows = load(ctx, MembershipsOf(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(MembershipObject).collect())
    }

    /// Individual contracts signed and collective contracts adhered to.
    #[graphql(complexity = "list_cost(child_complexity)")]
    async fn contracts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AidContractObject>> {
        let rows = load(ctx, ContractsOf(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(AidContractObject).collect())
    }

    /// Yearly activity figures, newest year first. Figures from the CPAM are flagged stale
    /// when a refresh failed after they were obtained.
    #[graphql(complexity = "list_cost(child_complexity)")]
    async fn activity_figures(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ActivityFiguresObject>> {
        let rows = load(ctx, FiguresOf(self.0.id)).await?.unwrap_or_default();
        let failing_since = load(ctx, CpamStatusOf(self.0.id)).await?.unwrap_or_default().failing_since;
        Ok(rows
            .into_iter()
            .map(|f| {
                let stale_since = failing_since
                    .filter(|since| f.fields.origin == domain::FiguresOrigin::Cpam && *since >= f.fields.obtained_at);
                ActivityFiguresObject { figures: f, stale_since }
            })
            .collect())
    }

    /// How the doctor's data stands with the CPAM: last refresh, last failure, staleness.
    async fn cpam_status(&self, ctx: &Context<'_>) -> async_graphql::Result<CpamStatusObject> {
        let s = load(ctx, CpamStatusOf(self.0.id)).await?.unwrap_or_default();
        Ok(CpamStatusObject {
            last_success_at: s.last_success,
            last_failure_at: s.last_failure.as_ref().map(|f| f.0),
            last_error_code: s.last_failure.as_ref().map(|f| f.1.clone()),
            stale: s.failing_since.is_some(),
            stale_since: s.failing_since,
        })
    }

    /// The individual aid this doctor would get for `option` signed on `signedOn`, from the
    /// recorded data: the figures of the year before signature as baseline, the latest figures
    /// as progress. Facts the store does not hold (zone, RQTH…) are listed in `missingInputs`.
    #[graphql(complexity = "stored_simulation_cost(child_complexity)")]
    async fn aid_simulation(
        &self,
        ctx: &Context<'_>,
        signed_on: Date,
        option: AidOption,
        as_of: Option<Date>,
    ) -> async_graphql::Result<IndividualSimulation> {
        let case = cases::practitioner_case(store(ctx)?, &self.0, signed_on.0, option.into(), as_of.map(|d| d.0))
            .await
            .map_err(ApiError::from)?;
        Ok(simulate_individual(rule_book(ctx)?, &case)?)
    }
}

/// A practitioner's membership of a structure over a period.
#[derive(Debug, Clone)]
pub struct MembershipObject(pub Visible<domain::Membership>);

#[Object(name = "Membership")]
impl MembershipObject {
    async fn id(&self) -> ID {
        ids::encode(NodeType::Membership, self.0.id.0)
    }
    async fn practitioner(&self, ctx: &Context<'_>) -> async_graphql::Result<PractitionerObject> {
        let p = load(ctx, self.0.practitioner_id).await?.ok_or(ApiError::NotFound("practitioner"))?;
        Ok(PractitionerObject(p))
    }
    async fn structure(&self, ctx: &Context<'_>) -> async_graphql::Result<StructureObject> {
        let s = load(ctx, self.0.structure_id).await?.ok_or(ApiError::NotFound("structure"))?;
        Ok(StructureObject(s))
    }
    /// Partner (associé) of the company in their own name.
    async fn partner(&self) -> bool {
        self.0.partner
    }
    async fn from(&self) -> Date {
        Date(self.0.period.from())
    }
    /// Last day of membership, if it ended.
    async fn to(&self) -> Option<Date> {
        self.0.period.to().map(Date)
    }
    /// PAMSU hosting a docteur junior during the membership; null when not recorded.
    async fn hosts_docteur_junior(&self) -> Option<bool> {
        self.0.hosts_docteur_junior
    }
}

/// Who employs an assistant: a doctor or a company.
#[derive(Debug, async_graphql::Union)]
#[graphql(name = "Employer")]
pub enum EmployerObject {
    Practitioner(PractitionerObject),
    Structure(StructureObject),
}

/// An assistant médical.
#[derive(Debug, Clone)]
pub struct AssistantObject(pub Visible<(domain::StructureId, domain::Assistant)>);

impl AssistantObject {
    fn structure_id(&self) -> domain::StructureId {
        self.0.0
    }
    fn assistant(&self) -> &domain::Assistant {
        &self.0.1
    }
}

#[Object(name = "Assistant")]
impl AssistantObject {
    async fn id(&self) -> ID {
        ids::encode(NodeType::Assistant, self.assistant().id.0)
    }
    /// The structure the assistant works in.
    async fn structure(&self, ctx: &Context<'_>) -> async_graphql::Result<StructureObject> {
        let s = load(ctx, self.structure_id()).await?.ok_or(ApiError::NotFound("structure"))?;
        Ok(StructureObject(s))
    }
    /// Null when the employer is outside your structures.
    async fn employer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<EmployerObject>> {
        Ok(match self.assistant().fields.employer {
            Employer::Practitioner(id) => {
                load(ctx, id).await?.map(|p| EmployerObject::Practitioner(PractitionerObject(p)))
            }
            Employer::Structure(id) => load(ctx, id).await?.map(|s| EmployerObject::Structure(StructureObject(s))),
        })
    }
    async fn first_name(&self) -> &str {
        &self.assistant().fields.first_name
    }
    async fn last_name(&self) -> &str {
        &self.assistant().fields.last_name
    }
    async fn qualification(&self) -> Qualification {
        self.assistant().fields.qualification.into()
    }
    async fn qualified_on(&self) -> Option<Date> {
        self.assistant().fields.qualified_on.map(Date)
    }
    async fn hired_on(&self) -> Date {
        Date(self.assistant().fields.hired_on)
    }
    /// Contractual time per week, e.g. `35h` or `17h30`.
    async fn weekly_hours(&self) -> String {
        self.assistant().fields.contractual_time.to_string()
    }
    async fn weekly_minutes(&self) -> u32 {
        self.assistant().fields.contractual_time.minutes()
    }
    /// Contractual time as an exact ETP fraction, e.g. `1`, `1/2`, `1/3`.
    async fn etp(&self) -> String {
        self.assistant().fields.contractual_time.etp().to_string()
    }
    /// Was the practice's medical secretary before becoming its assistant.
    async fn former_secretary(&self) -> bool {
        self.assistant().fields.former_secretary
    }
    #[graphql(complexity = "list_cost(child_complexity)")]
    async fn assignments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AssignmentObject>> {
        let rows = load(ctx, self.assistant().id).await?.unwrap_or_default();
        Ok(rows.into_iter().map(AssignmentObject).collect())
    }

    /// What the assistant costs the employer, year by year, oldest first.
    #[graphql(complexity = "list_cost(child_complexity)")]
    async fn employment_costs(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::funding::EmploymentCostObject>> {
        Ok(crate::funding::employment_costs_of(ctx, self.assistant().id).await?)
    }

    /// The traced activity from month `from` to month `to` (`YYYY-MM`, both included, at most
    /// 10 years): each line's current hours with its history (AM-TRACEABILITY).
    #[graphql(complexity = "list_cost(child_complexity)")]
    async fn activity(
        &self,
        ctx: &Context<'_>,
        from: String,
        to: String,
    ) -> async_graphql::Result<Vec<crate::activity::ActivityLineObject>> {
        use planning::activity::parse_month;
        let month = |name: &str, v: &str| {
            parse_month(v)
                .ok_or_else(|| ApiError::BadInput(format!("`{name}` is a month written YYYY-MM, e.g. 2026-03")))
        };
        let (from, to) = (month("from", &from)?, month("to", &to)?);
        let span = (i64::from(to.year) - i64::from(from.year)) * 12 + i64::from(to.month) - i64::from(from.month);
        if !(0..120).contains(&span) {
            return Err(ApiError::BadInput("`to` must be from `from` to 10 years after it".into()).into());
        }
        let lines = planning::activity::lines_of(store(ctx)?, self.assistant().id, Some((from, to))).await?;
        Ok(lines.into_iter().map(crate::activity::ActivityLineObject).collect())
    }
}

/// Time an assistant works for one practitioner over a period.
#[derive(Debug, Clone)]
pub struct AssignmentObject(pub Visible<domain::Assignment>);

#[Object(name = "Assignment")]
impl AssignmentObject {
    async fn id(&self) -> ID {
        ids::encode(NodeType::Assignment, self.0.id.0)
    }
    /// Null when the doctor is outside your structures.
    async fn practitioner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PractitionerObject>> {
        Ok(load(ctx, self.0.practitioner_id).await?.map(PractitionerObject))
    }
    async fn weekly_hours(&self) -> String {
        self.0.weekly_time.to_string()
    }
    async fn weekly_minutes(&self) -> u32 {
        self.0.weekly_time.minutes()
    }
    async fn etp(&self) -> String {
        self.0.weekly_time.etp().to_string()
    }
    async fn from(&self) -> Date {
        Date(self.0.period.from())
    }
    async fn to(&self) -> Option<Date> {
        self.0.period.to().map(Date)
    }
}

/// An assistant-médical aid contract with the CPAM.
#[derive(Debug, Clone)]
pub struct AidContractObject(pub Visible<domain::AidContract>);

#[Object(name = "AidContract")]
impl AidContractObject {
    async fn id(&self) -> ID {
        ids::encode(NodeType::AidContract, self.0.id.0)
    }
    async fn kind(&self) -> ContractKind {
        self.0.fields.terms.kind().into()
    }
    async fn status(&self) -> ContractStatus {
        self.0.fields.status.into()
    }
    async fn signed_on(&self) -> Date {
        Date(self.0.fields.signed_on)
    }
    async fn ends_on(&self) -> Option<Date> {
        self.0.fields.ends_on.map(Date)
    }
    /// Renewals recorded: each adds a five-year term.
    async fn renewals(&self) -> u32 {
        self.0.fields.renewals
    }
    /// Day of the CPAM's baseline snapshot, when the contract states one.
    async fn baseline_on(&self) -> Option<Date> {
        self.0.fields.baseline_on.map(Date)
    }
    /// Option of an individual contract.
    async fn option(&self) -> Option<AidOption> {
        match &self.0.fields.terms {
            ContractTerms::Individual { option, .. } => Some((*option).into()),
            ContractTerms::Collective { .. } => None,
        }
    }
    /// ETP funded: the option's for an individual contract, the chosen number for a collective one.
    async fn funded_etp(&self) -> String {
        match &self.0.fields.terms {
            ContractTerms::Individual { option, .. } => option.etp().to_string(),
            ContractTerms::Collective { funded_etp, .. } => funded_etp.to_string(),
        }
    }
    /// The doctor who signed an individual contract.
    async fn practitioner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PractitionerObject>> {
        let ContractTerms::Individual { practitioner_id, .. } = &self.0.fields.terms else { return Ok(None) };
        Ok(load(ctx, *practitioner_id).await?.map(PractitionerObject))
    }
    /// The company that signed a collective contract.
    async fn structure(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StructureObject>> {
        let ContractTerms::Collective { structure_id, .. } = &self.0.fields.terms else { return Ok(None) };
        Ok(load(ctx, *structure_id).await?.map(StructureObject))
    }
    /// The contract evaluated from the recorded data: eligibility on the signature date,
    /// schedule, objectives and progress from the latest figures, and the year running on
    /// `asOf` (today when omitted).
    #[graphql(complexity = "stored_simulation_cost(child_complexity)")]
    async fn evaluation(&self, ctx: &Context<'_>, as_of: Option<Date>) -> async_graphql::Result<ContractEvaluation> {
        let store = store(ctx)?;
        let book = rule_book(ctx)?;
        let as_of = as_of.map(|d| d.0);
        match &self.0.fields.terms {
            ContractTerms::Individual { practitioner_id, option } => {
                let p = load(ctx, *practitioner_id).await?.ok_or(ApiError::NotFound("practitioner"))?;
                let case = cases::individual_case(store, &self.0, &p, *option, as_of).await.map_err(ApiError::from)?;
                Ok(ContractEvaluation::Individual(simulate_individual(book, &case)?))
            }
            ContractTerms::Collective { structure_id, .. } => {
                let s = load(ctx, *structure_id).await?.ok_or(ApiError::NotFound("structure"))?;
                let visibility = &crate::auth::viewer(ctx)?.visibility;
                let case = cases::collective_case(store, visibility, &self.0, &s, as_of)
                    .await
                    .map_err(ApiError::from)?
                    .ok_or(ApiError::NotFound("collective contract"))?;
                Ok(ContractEvaluation::Collective(simulate_collective(book, &case)?))
            }
        }
    }

    /// The CPAM's reference of the contract, which a CPAM refresh matches it by.
    async fn cpam_reference(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(load(ctx, CpamOf(self.0.id)).await?.and_then(|link| link.reference))
    }
    /// The CPAM's own copy of the contract, with when it was fetched; null until a refresh
    /// returned it.
    async fn cpam(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::cpam::CpamContractObject>> {
        Ok(load(ctx, CpamOf(self.0.id)).await?.and_then(|link| link.copy).map(crate::cpam::CpamContractObject))
    }
    /// Where this record and the CPAM's copy disagree; both stay as they are.
    async fn discrepancies(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::cpam::ContractDiscrepancy>> {
        let copy = load(ctx, CpamOf(self.0.id)).await?.and_then(|link| link.copy);
        Ok(copy.map(|c| cases::discrepancies(&self.0, &c)).unwrap_or_default().into_iter().map(Into::into).collect())
    }
    /// Whose facts the evaluation reads: the CPAM's copy when there is one.
    async fn facts_used(&self, ctx: &Context<'_>) -> async_graphql::Result<crate::cpam::FactsUsed> {
        let copy = load(ctx, CpamOf(self.0.id)).await?.and_then(|link| link.copy);
        Ok(cases::rules_facts(&self.0, copy.as_ref()).1.into())
    }

    /// Doctors adhering to a collective contract.
    #[graphql(complexity = "list_cost(child_complexity)")]
    async fn members(&self) -> Vec<ContractMemberObject> {
        match &self.0.fields.terms {
            ContractTerms::Collective { members, .. } => members.iter().cloned().map(ContractMemberObject).collect(),
            ContractTerms::Individual { .. } => Vec::new(),
        }
    }
}

/// A stored contract's evaluation, by kind.
#[derive(Debug, async_graphql::Union)]
pub enum ContractEvaluation {
    Individual(IndividualSimulation),
    Collective(CollectiveSimulation),
}

/// A doctor's adhesion to a collective contract.
#[derive(Debug, Clone)]
pub struct ContractMemberObject(pub domain::ContractMember);

#[Object(name = "ContractMember")]
impl ContractMemberObject {
    /// Null when the doctor is outside your structures.
    async fn practitioner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PractitionerObject>> {
        Ok(load(ctx, self.0.practitioner_id).await?.map(PractitionerObject))
    }
    async fn from(&self) -> Date {
        Date(self.0.period.from())
    }
    async fn to(&self) -> Option<Date> {
        self.0.period.to().map(Date)
    }
}

/// Where a doctor's data stands with the CPAM.
#[derive(Debug, Clone, async_graphql::SimpleObject)]
#[graphql(name = "CpamStatus")]
pub struct CpamStatusObject {
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_failure_at: Option<DateTime<Utc>>,
    /// Code of the last failure, e.g. `CPAM_UNAVAILABLE`.
    pub last_error_code: Option<String>,
    /// The last refresh failed: figures from the CPAM may be out of date.
    pub stale: bool,
    /// First failed refresh since the last success.
    pub stale_since: Option<DateTime<Utc>>,
}

/// A doctor's activity over one calendar year: counts only.
#[derive(Debug, Clone)]
pub struct ActivityFiguresObject {
    pub figures: domain::ActivityFigures,
    /// Set when a CPAM refresh failed after these figures were obtained.
    pub stale_since: Option<DateTime<Utc>>,
}

#[Object(name = "ActivityFigures")]
impl ActivityFiguresObject {
    async fn year(&self) -> i32 {
        self.figures.fields.year
    }
    /// Patientèle médecin traitant, all ages.
    async fn pmt(&self) -> Option<u32> {
        self.figures.fields.pmt
    }
    /// Adult patientèle médecin traitant.
    async fn adult_pmt(&self) -> Option<u32> {
        self.figures.fields.adult_pmt
    }
    /// File active: distinct patients seen in the year.
    async fn file_active(&self) -> Option<u32> {
        self.figures.fields.file_active
    }
    /// Share of CCAM (technical) fees in total fees, in percent with two decimals, e.g. `"12.50"`.
    async fn ccam_share_percent(&self) -> Option<String> {
        self.figures.fields.ccam_share_bp.map(|bp| format!("{}.{:02}", bp / 100, bp % 100))
    }
    async fn band(&self) -> Option<ActivityBand> {
        self.figures.fields.band.map(Into::into)
    }
    async fn origin(&self) -> FiguresOrigin {
        self.figures.fields.origin.into()
    }
    /// When these figures were typed in or received from the CPAM.
    async fn obtained_at(&self) -> DateTime<Utc> {
        self.figures.fields.obtained_at
    }
    /// A CPAM refresh failed after these figures were obtained: they may be out of date.
    async fn stale(&self) -> bool {
        self.stale_since.is_some()
    }
    /// Since when they are stale: the first failed refresh after they were obtained.
    async fn stale_since(&self) -> Option<DateTime<Utc>> {
        self.stale_since
    }
}
