//! Output types of the structure's other funding and whole team (RULES.md §9): other health
//! professionals, the ACI MSP contract and its years, other public money with the employees it
//! pays, employment costs. What the compatibility rules (CMP-*) will read.

use async_graphql::{Context, ID, Object};
use domain::StructureId;
use domain::funding::{
    AciContract, AciYear, Coordination, CoordinationHolder, EmploymentCost, Grant, GrantShare, Professional,
};

use crate::access::{AciContractsOf, AssistantById, CostsOf, GrantsOf, ProfessionalsOf, Visible, load};
use crate::enums::{ContractStatus, FundingScheme, Profession};
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, NodeType};
use crate::scalars::{Date, Money};
use crate::types::{AssistantObject, PractitionerObject, StructureObject};

async fn structure(ctx: &Context<'_>, id: StructureId) -> ApiResult<StructureObject> {
    Ok(StructureObject(load(ctx, id).await?.ok_or(ApiError::NotFound("structure"))?))
}

/// Null when the assistant is outside your structures.
async fn assistant(ctx: &Context<'_>, id: domain::AssistantId) -> ApiResult<Option<AssistantObject>> {
    Ok(load(ctx, AssistantById(id)).await?.map(AssistantObject))
}

// The lists below are read through the scoped loader: one query per list per request.

pub async fn professionals_of(ctx: &Context<'_>, id: StructureId) -> ApiResult<Vec<ProfessionalObject>> {
    Ok(load(ctx, ProfessionalsOf(id)).await?.unwrap_or_default().into_iter().map(ProfessionalObject).collect())
}

pub async fn aci_contracts_of(ctx: &Context<'_>, id: StructureId) -> ApiResult<Vec<AciContractObject>> {
    Ok(load(ctx, AciContractsOf(id)).await?.unwrap_or_default().into_iter().map(AciContractObject).collect())
}

pub async fn grants_of(ctx: &Context<'_>, id: StructureId) -> ApiResult<Vec<GrantObject>> {
    Ok(load(ctx, GrantsOf(id)).await?.unwrap_or_default().into_iter().map(GrantObject).collect())
}

pub async fn employment_costs_of(ctx: &Context<'_>, id: domain::AssistantId) -> ApiResult<Vec<EmploymentCostObject>> {
    Ok(load(ctx, CostsOf(id)).await?.unwrap_or_default().into_iter().map(EmploymentCostObject).collect())
}

/// A health professional of the structure other than a doctor: nurse, physiotherapist,
/// pharmacist… (the ACI's team needs at least one auxiliaire médical).
#[derive(Debug, Clone)]
pub struct ProfessionalObject(pub Visible<(StructureId, Professional)>);

#[Object(name = "Professional")]
impl ProfessionalObject {
    /// Global ID (the Node interface reads it from another module).
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeType::Professional, self.0.1.id.0)
    }
    async fn structure(&self, ctx: &Context<'_>) -> async_graphql::Result<StructureObject> {
        Ok(structure(ctx, self.0.0).await?)
    }
    async fn profession(&self) -> Profession {
        self.0.1.fields.profession.into()
    }
    /// The profession in French.
    async fn profession_label(&self) -> &str {
        self.0.1.fields.profession.label()
    }
    /// Whether the profession is an auxiliaire médical (Code de la santé publique, 4th part,
    /// book III), the kind the ACI's minimum team and a SISA need.
    async fn auxiliaire_medical(&self) -> bool {
        self.0.1.fields.profession.is_auxiliaire_medical()
    }
    async fn first_name(&self) -> &str {
        &self.0.1.fields.first_name
    }
    async fn last_name(&self) -> &str {
        &self.0.1.fields.last_name
    }
    async fn rpps(&self) -> Option<&str> {
        self.0.1.fields.rpps.as_ref().map(|r| r.as_str())
    }
    /// ADELI number, for professionals not yet in the RPPS.
    async fn adeli(&self) -> Option<&str> {
        self.0.1.fields.adeli.as_ref().map(|a| a.as_str())
    }
    /// Partner (associé) of the structure's company.
    async fn partner(&self) -> bool {
        self.0.1.fields.partner
    }
    /// First day in the structure.
    async fn from(&self) -> Date {
        Date(self.0.1.fields.period.from())
    }
    /// Last day in the structure, if they left.
    async fn to(&self) -> Option<Date> {
        self.0.1.fields.period.to().map(Date)
    }
}

/// The structure's ACI MSP contract (accord conventionnel interprofessionnel, with the CPAM and
/// the ARS): paid to the SISA, in points.
#[derive(Debug, Clone)]
pub struct AciContractObject(pub Visible<(StructureId, AciContract)>);

impl AciContractObject {
    fn contract(&self) -> &AciContract {
        &self.0.1
    }
}

#[Object(name = "AciContract")]
impl AciContractObject {
    /// Global ID (the Node interface reads it from another module).
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeType::AciContract, self.contract().id.0)
    }
    async fn structure(&self, ctx: &Context<'_>) -> async_graphql::Result<StructureObject> {
        Ok(structure(ctx, self.0.0).await?)
    }
    /// The CPAM's reference of the contract.
    async fn cpam_reference(&self) -> Option<&str> {
        self.contract().fields.cpam_reference.as_deref()
    }
    async fn signed_on(&self) -> Date {
        Date(self.contract().fields.signed_on)
    }
    async fn status(&self) -> ContractStatus {
        self.contract().fields.status.into()
    }
    async fn ends_on(&self) -> Option<Date> {
        self.contract().fields.ends_on.map(Date)
    }
    /// Day the structure became a SISA (the ACI requires it within 6 months of signing).
    async fn sisa_on(&self) -> Option<Date> {
        self.contract().fields.sisa_on.map(Date)
    }
    /// The coordination function declared under the contract.
    async fn coordination(&self) -> CoordinationObject {
        CoordinationObject(self.contract().fields.coordination.clone())
    }
    /// What was earned and paid, one entry per calendar year, oldest first, as recorded.
    #[graphql(complexity = "crate::types::list_cost(child_complexity)")]
    async fn years(&self) -> Vec<AciYearObject> {
        self.contract().years.iter().cloned().map(AciYearObject).collect()
    }
    /// The CPAM's copy of this contract (same CPAM reference), as last fetched.
    async fn cpam(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::cpam::CpamAciContractObject>> {
        Ok(self.copy(ctx).await?.map(crate::cpam::CpamAciContractObject))
    }
    /// Whose facts the compatibility report and the money table read: the CPAM's signature
    /// date, coordination and yearly points and amounts when it has a copy of this contract.
    async fn facts_used(&self, ctx: &Context<'_>) -> async_graphql::Result<crate::cpam::FactsUsed> {
        let copy = self.copy(ctx).await?;
        Ok(planning::funding::aci_facts(self.contract(), copy.as_ref()).1.into())
    }
    /// Where this record and the CPAM's copy disagree, both facts as written.
    async fn discrepancies(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AciDiscrepancyObject>> {
        let Some(copy) = self.copy(ctx).await? else { return Ok(Vec::new()) };
        Ok(planning::funding::aci_discrepancies(self.contract(), &copy).into_iter().map(Into::into).collect())
    }
}

impl AciContractObject {
    async fn copy(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<persistence::CpamAciCopy>> {
        let copy = load(ctx, crate::access::CpamAciOf(self.0.0)).await?;
        Ok(copy.filter(|c| self.contract().fields.cpam_reference.as_deref() == Some(c.facts.reference.as_str())))
    }
}

/// A fact on which an ACI record and the CPAM's copy disagree.
#[derive(Debug, Clone, async_graphql::SimpleObject)]
#[graphql(name = "AciDiscrepancy")]
pub struct AciDiscrepancyObject {
    /// SIGNED_ON, POINTS, PAID, COORDINATION_DECLARED or COORDINATION_ETP.
    pub field: String,
    /// The calendar year, for POINTS and PAID.
    pub year: Option<i32>,
    pub recorded: Option<String>,
    pub cpam: Option<String>,
}

impl From<planning::funding::AciDiscrepancy> for AciDiscrepancyObject {
    fn from(d: planning::funding::AciDiscrepancy) -> Self {
        use planning::funding::AciFact;
        let (field, year) = match d.fact {
            AciFact::SignedOn => ("SIGNED_ON", None),
            AciFact::Points(y) => ("POINTS", Some(y)),
            AciFact::Paid(y) => ("PAID", Some(y)),
            AciFact::CoordinationDeclared => ("COORDINATION_DECLARED", None),
            AciFact::CoordinationEtp => ("COORDINATION_ETP", None),
        };
        Self { field: field.to_owned(), year, recorded: d.recorded, cpam: d.cpam }
    }
}

/// The ACI's coordination function: who holds it and the time dedicated to it.
#[derive(Debug, Clone)]
pub struct CoordinationObject(pub Coordination);

#[Object(name = "Coordination")]
impl CoordinationObject {
    async fn declared(&self) -> bool {
        self.0.declared
    }
    /// The holder when they are one of the structure's assistants; null otherwise (or when the
    /// assistant is outside your structures).
    async fn holder_assistant(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AssistantObject>> {
        let Some(CoordinationHolder::Assistant(id)) = &self.0.holder else { return Ok(None) };
        Ok(assistant(ctx, *id).await?)
    }
    /// The holder's name when they are not recorded as an assistant (a partner, an outside
    /// coordinator).
    async fn holder_name(&self) -> Option<&str> {
        match &self.0.holder {
            Some(CoordinationHolder::Named(name)) => Some(name),
            _ => None,
        }
    }
    /// Time dedicated to the function, as an exact ETP fraction, e.g. `1/2`.
    async fn etp(&self) -> Option<String> {
        self.0.etp.map(|e| e.to_string())
    }
}

/// One calendar year of an ACI contract.
#[derive(Debug, Clone)]
pub struct AciYearObject(pub AciYear);

#[Object(name = "AciYear")]
impl AciYearObject {
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// Points earned (1 point = 7 €).
    async fn points(&self) -> Option<u32> {
        self.0.points
    }
    /// Amount paid for the year (advance and balance).
    async fn paid(&self) -> Option<Money> {
        self.0.paid.map(Money)
    }
    /// Part of the amount paid that funds the coordination function.
    async fn coordination_paid(&self) -> Option<Money> {
        self.0.coordination_paid.map(Money)
    }
}

/// Public money other than the aid and the ACI: a regional grant, CPTS payments, a demographic
/// contract…, with the employees it pays for.
#[derive(Debug, Clone)]
pub struct GrantObject(pub Visible<(StructureId, Grant)>);

impl GrantObject {
    fn grant(&self) -> &Grant {
        &self.0.1
    }
}

#[Object(name = "Grant")]
impl GrantObject {
    /// Global ID (the Node interface reads it from another module).
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeType::Grant, self.grant().id.0)
    }
    async fn structure(&self, ctx: &Context<'_>) -> async_graphql::Result<StructureObject> {
        Ok(structure(ctx, self.0.0).await?)
    }
    async fn scheme(&self) -> FundingScheme {
        self.grant().fields.scheme.into()
    }
    /// The scheme in French.
    async fn scheme_label(&self) -> &str {
        self.grant().fields.scheme.label()
    }
    /// Who pays, as the decision names it.
    async fn payer(&self) -> &str {
        &self.grant().fields.payer
    }
    async fn purpose(&self) -> &str {
        &self.grant().fields.purpose
    }
    /// Whether the money pays staff salaries.
    async fn pays_salaries(&self) -> bool {
        self.grant().fields.pays_salaries
    }
    async fn from(&self) -> Date {
        Date(self.grant().fields.period.from())
    }
    async fn to(&self) -> Option<Date> {
        self.grant().fields.period.to().map(Date)
    }
    /// Amount over the whole period.
    async fn amount(&self) -> Money {
        Money(self.grant().fields.amount)
    }
    /// The doctor a demographic contract is paid to; null otherwise (or when the doctor is
    /// outside your structures).
    async fn practitioner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PractitionerObject>> {
        let Some(id) = self.grant().fields.practitioner_id else { return Ok(None) };
        Ok(load(ctx, id).await?.map(PractitionerObject))
    }
    /// The employees it pays for, with their share.
    #[graphql(complexity = "crate::types::list_cost(child_complexity)")]
    async fn employees(&self) -> Vec<GrantEmployeeObject> {
        self.grant().fields.employees.iter().cloned().map(GrantEmployeeObject).collect()
    }
}

/// The part of a grant that pays one employee.
#[derive(Debug, Clone)]
pub struct GrantEmployeeObject(pub GrantShare);

#[Object(name = "GrantEmployee")]
impl GrantEmployeeObject {
    /// Null when the assistant is outside your structures.
    async fn assistant(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AssistantObject>> {
        Ok(assistant(ctx, self.0.assistant_id).await?)
    }
    /// Amount over the grant's period.
    async fn amount(&self) -> Money {
        Money(self.0.amount)
    }
    /// Hours paid over the period, when the decision says, e.g. `"120.5"`.
    async fn hours(&self) -> Option<String> {
        self.0.hours.map(|h| h.normalize().to_string())
    }
}

/// What one employee costs the employer over a calendar year.
#[derive(Debug, Clone)]
pub struct EmploymentCostObject(pub EmploymentCost);

#[Object(name = "EmploymentCost")]
impl EmploymentCostObject {
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// Gross salary.
    async fn salary(&self) -> Money {
        Money(self.0.salary)
    }
    /// Employer's social charges.
    async fn employer_charges(&self) -> Money {
        Money(self.0.employer_charges)
    }
    /// Salary plus employer's charges: the cap of public money on this employee (CMP-COST-CAP).
    async fn total(&self) -> Money {
        Money(self.0.total())
    }
}
