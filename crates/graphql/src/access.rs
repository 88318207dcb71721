//! The one place objects are loaded on behalf of a viewer. Anything outside the viewer's
//! structures is treated exactly like something that does not exist, so ids reveal nothing.
//!
//! Every output object wraps a [`Visible`] value, and only this module makes one (plus
//! [`Visible::written`] for what a mutation has just written after checking its scope): a
//! resolver, present or future, cannot hand out an object that did not go through the check.
//! Relations reached from a list go through the per-request [`ScopedLoader`], which batches
//! them (one query per relation per page, not per row) and applies the same scope.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use chrono::NaiveDate;
use domain::funding::{AciContract, AciContractId, EmploymentCost, Grant, GrantId, Professional, ProfessionalId};
use domain::{
    ActivityFigures, AidContract, Assignment, AssignmentId, Assistant, AssistantId, ContractId, ContractTerms,
    Membership, MembershipId, Practitioner, PractitionerId, Rpps, Structure, StructureId,
};
use persistence::{CpamAciCopy, CpamLink, CpamStatus, Page, Store, StoreError, Visibility};

use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::funding::{AciContractObject, GrantObject, ProfessionalObject};
use crate::ids::{self, NodeType};
use crate::types::{
    AidContractObject, AssignmentObject, AssistantObject, MembershipObject, Node, PractitionerObject, StructureObject,
};

/// A value the viewer may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visible<T>(T);

impl<T> Deref for Visible<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Visible<T> {
    /// What a mutation of this request has just written, within a scope it checked first.
    pub(crate) fn written(value: T) -> Self {
        Visible(value)
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

fn visible_if<T>(allowed: bool, value: T) -> Option<Visible<T>> {
    allowed.then_some(Visible(value))
}

/// A collective contract is visible with its company; an individual one with its doctor.
fn contract_allowed(c: &AidContract, visibility: &Visibility, signer_visible: bool) -> bool {
    match &c.fields.terms {
        ContractTerms::Collective { structure_id, .. } => visibility.allows(*structure_id),
        ContractTerms::Individual { .. } => signer_visible,
    }
}

pub async fn structure(store: &Store, viewer: &Viewer, id: StructureId) -> ApiResult<Option<Visible<Structure>>> {
    // Decided before any query, so an id outside the scope costs the same whether it exists.
    if !viewer.visibility.allows(id) {
        return Ok(None);
    }
    Ok(store.structure(id).await?.map(Visible))
}

pub async fn practitioner(
    store: &Store,
    viewer: &Viewer,
    id: PractitionerId,
) -> ApiResult<Option<Visible<Practitioner>>> {
    // Scope first: the same one query for a doctor of another structure and an absent one.
    if !store.practitioner_visible(id, &viewer.visibility).await? {
        return Ok(None);
    }
    Ok(store.practitioner(id).await?.map(Visible))
}

/// A practitioner by RPPS, in one query whether the doctor is absent or recorded elsewhere.
pub async fn practitioner_by_rpps(
    store: &Store,
    viewer: &Viewer,
    rpps: &Rpps,
) -> ApiResult<Option<Visible<Practitioner>>> {
    Ok(store.practitioner_by_rpps_within(rpps, &viewer.visibility).await?.map(Visible))
}

pub async fn membership(store: &Store, viewer: &Viewer, id: MembershipId) -> ApiResult<Option<Visible<Membership>>> {
    Ok(store.membership(id).await?.and_then(|m| visible_if(viewer.visibility.allows(m.structure_id), m)))
}

pub async fn assistant(
    store: &Store,
    viewer: &Viewer,
    id: AssistantId,
) -> ApiResult<Option<Visible<(StructureId, Assistant)>>> {
    Ok(store.assistant(id).await?.and_then(|a| visible_if(viewer.visibility.allows(a.0), a)))
}

pub async fn assignment(store: &Store, viewer: &Viewer, id: AssignmentId) -> ApiResult<Option<Visible<Assignment>>> {
    let Some(a) = store.assignment(id).await? else { return Ok(None) };
    Ok(assistant(store, viewer, a.assistant_id).await?.map(|_| Visible(a)))
}

pub async fn contract(store: &Store, viewer: &Viewer, id: ContractId) -> ApiResult<Option<Visible<AidContract>>> {
    let Some(c) = store.contract(id).await? else { return Ok(None) };
    let signer_visible = match &c.fields.terms {
        ContractTerms::Individual { practitioner_id, .. } => {
            store.practitioner_visible(*practitioner_id, &viewer.visibility).await?
        }
        ContractTerms::Collective { .. } => false,
    };
    Ok(visible_if(contract_allowed(&c, &viewer.visibility, signer_visible), c))
}

/// Resolves a global ID to a visible node.
pub async fn node(store: &Store, viewer: &Viewer, id: &str) -> ApiResult<Option<Node>> {
    let Some((kind, n)) = ids::decode(id) else { return Ok(None) };
    Ok(match kind {
        NodeType::Structure => {
            structure(store, viewer, StructureId(n)).await?.map(|s| Node::Structure(StructureObject(s)))
        }
        NodeType::Practitioner => {
            practitioner(store, viewer, PractitionerId(n)).await?.map(|p| Node::Practitioner(PractitionerObject(p)))
        }
        NodeType::Membership => {
            membership(store, viewer, MembershipId(n)).await?.map(|m| Node::Membership(MembershipObject(m)))
        }
        NodeType::Assistant => {
            assistant(store, viewer, AssistantId(n)).await?.map(|a| Node::Assistant(AssistantObject(a)))
        }
        NodeType::Assignment => {
            assignment(store, viewer, AssignmentId(n)).await?.map(|a| Node::Assignment(AssignmentObject(a)))
        }
        NodeType::AidContract => {
            contract(store, viewer, ContractId(n)).await?.map(|c| Node::AidContract(AidContractObject(c)))
        }
        NodeType::Professional => {
            professional(store, viewer, ProfessionalId(n)).await?.map(|p| Node::Professional(ProfessionalObject(p)))
        }
        NodeType::AciContract => {
            aci_contract(store, viewer, AciContractId(n)).await?.map(|c| Node::AciContract(AciContractObject(c)))
        }
        NodeType::Grant => grant(store, viewer, GrantId(n)).await?.map(|g| Node::Grant(GrantObject(g))),
    })
}

/// The structures the viewer may see, a page at a time (the store filters by visibility).
pub async fn structures_page(
    store: &Store,
    viewer: &Viewer,
    after: Option<StructureId>,
    first: u64,
) -> ApiResult<Page<Visible<Structure>>> {
    let page = store.list_structures(&viewer.visibility, after, first).await?;
    Ok(page.map(|rows| rows.into_iter().map(Visible).collect()))
}

// The lists below hang off a visible structure, and their rows belong to it, so they share
// its scope; objects they link to go through the scoped loader.

pub async fn members_page(
    store: &Store,
    structure: &Visible<Structure>,
    active_on: Option<NaiveDate>,
    after: Option<MembershipId>,
    first: u64,
) -> ApiResult<Page<Visible<Membership>>> {
    let page = store.list_members(structure.id, active_on, after, first).await?;
    Ok(page.map(|rows| rows.into_iter().map(|m| Visible(m.membership)).collect()))
}

pub async fn assistants_page(
    store: &Store,
    structure: &Visible<Structure>,
    after: Option<AssistantId>,
    first: u64,
) -> ApiResult<Page<Visible<(StructureId, Assistant)>>> {
    let page = store.list_assistants(structure.id, after, first).await?;
    Ok(page.map(|rows| rows.into_iter().map(|a| Visible((structure.id, a))).collect()))
}

pub async fn contracts_page(
    store: &Store,
    structure: &Visible<Structure>,
    after: Option<ContractId>,
    first: u64,
) -> ApiResult<Page<Visible<AidContract>>> {
    let page = store.list_structure_contracts(structure.id, after, first).await?;
    Ok(page.map(|rows| rows.into_iter().map(Visible).collect()))
}

/// Relations of one practitioner, batched by the loader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MembershipsOf(pub PractitionerId);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContractsOf(pub PractitionerId);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FiguresOf(pub PractitionerId);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CpamStatusOf(pub PractitionerId);
/// The CPAM side (reference and copy) of a contract the caller already sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CpamOf(pub ContractId);
/// The CPAM's copy of a visible structure's ACI contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CpamAciOf(pub StructureId);

/// Per-request loader: the store seen through the viewer's scope.
#[derive(Debug)]
pub struct ScopedLoader {
    store: Store,
    visibility: Visibility,
}

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<StoreError>>;

impl Loader<StructureId> for ScopedLoader {
    type Value = Visible<Structure>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[StructureId]) -> LoadResult<StructureId, Self::Value> {
        let allowed: Vec<StructureId> = keys.iter().copied().filter(|id| self.visibility.allows(*id)).collect();
        if allowed.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = self.store.structures_by_ids(&allowed).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|s| (s.id, Visible(s))).collect())
    }
}

impl Loader<PractitionerId> for ScopedLoader {
    type Value = Visible<Practitioner>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[PractitionerId]) -> LoadResult<PractitionerId, Self::Value> {
        let allowed: Vec<PractitionerId> =
            self.store.visible_practitioners(keys, &self.visibility).await.map_err(Arc::new)?.into_iter().collect();
        if allowed.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = self.store.practitioners_by_ids(&allowed).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|p| (p.id, Visible(p))).collect())
    }
}

impl Loader<AssistantId> for ScopedLoader {
    type Value = Vec<Visible<Assignment>>;
    type Error = Arc<StoreError>;

    /// Assignments of assistants the caller already sees (keys come from visible assistants).
    async fn load(&self, keys: &[AssistantId]) -> LoadResult<AssistantId, Self::Value> {
        let rows = self.store.assignments_of(keys).await.map_err(Arc::new)?;
        let mut grouped: HashMap<AssistantId, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            grouped.entry(row.assistant_id).or_default().push(Visible(row));
        }
        Ok(grouped)
    }
}

impl Loader<MembershipsOf> for ScopedLoader {
    type Value = Vec<Visible<Membership>>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[MembershipsOf]) -> LoadResult<MembershipsOf, Self::Value> {
        let ids: Vec<PractitionerId> = keys.iter().map(|k| k.0).collect();
        let rows = self.store.memberships_of_many(&ids).await.map_err(Arc::new)?;
        let mut grouped: HashMap<MembershipsOf, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for m in rows.into_iter().filter(|m| self.visibility.allows(m.structure_id)) {
            grouped.entry(MembershipsOf(m.practitioner_id)).or_default().push(Visible(m));
        }
        Ok(grouped)
    }
}

impl Loader<ContractsOf> for ScopedLoader {
    type Value = Vec<Visible<AidContract>>;
    type Error = Arc<StoreError>;

    /// Contracts of doctors the caller already sees (keys come from visible practitioners):
    /// their individual contracts are visible with them, collective ones with the company.
    async fn load(&self, keys: &[ContractsOf]) -> LoadResult<ContractsOf, Self::Value> {
        let ids: Vec<PractitionerId> = keys.iter().map(|k| k.0).collect();
        let pairs = self.store.practitioner_contracts_many(&ids).await.map_err(Arc::new)?;
        let mut grouped: HashMap<ContractsOf, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for (p, c) in pairs.into_iter().filter(|(_, c)| contract_allowed(c, &self.visibility, true)) {
            grouped.entry(ContractsOf(p)).or_default().push(Visible(c));
        }
        Ok(grouped)
    }
}

impl Loader<FiguresOf> for ScopedLoader {
    type Value = Vec<ActivityFigures>;
    type Error = Arc<StoreError>;

    /// Figures of doctors the caller already sees (keys come from visible practitioners).
    async fn load(&self, keys: &[FiguresOf]) -> LoadResult<FiguresOf, Self::Value> {
        let ids: Vec<PractitionerId> = keys.iter().map(|k| k.0).collect();
        let rows = self.store.figures_of_many(&ids).await.map_err(Arc::new)?;
        let mut grouped: HashMap<FiguresOf, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for f in rows {
            grouped.entry(FiguresOf(f.practitioner_id)).or_default().push(f);
        }
        Ok(grouped)
    }
}

impl Loader<CpamStatusOf> for ScopedLoader {
    type Value = CpamStatus;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[CpamStatusOf]) -> LoadResult<CpamStatusOf, Self::Value> {
        let ids: Vec<PractitionerId> = keys.iter().map(|k| k.0).collect();
        let mut statuses = self.store.cpam_statuses(&ids).await.map_err(Arc::new)?;
        Ok(keys.iter().map(|k| (*k, statuses.remove(&k.0).unwrap_or_default())).collect())
    }
}

impl Loader<CpamOf> for ScopedLoader {
    type Value = CpamLink;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[CpamOf]) -> LoadResult<CpamOf, Self::Value> {
        let ids: Vec<ContractId> = keys.iter().map(|k| k.0).collect();
        let links = self.store.cpam_links(&ids).await.map_err(Arc::new)?;
        Ok(links.into_iter().map(|(id, link)| (CpamOf(id), link)).collect())
    }
}

impl Loader<CpamAciOf> for ScopedLoader {
    type Value = CpamAciCopy;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[CpamAciOf]) -> LoadResult<CpamAciOf, Self::Value> {
        let ids: Vec<StructureId> = keys.iter().map(|k| k.0).collect();
        let copies = self.store.cpam_aci_copies(&ids).await.map_err(Arc::new)?;
        Ok(copies.into_iter().map(|(id, copy)| (CpamAciOf(id), copy)).collect())
    }
}

pub type Loaders = DataLoader<ScopedLoader>;

/// The loaders of one request, for one viewer. DataLoader does not cache by default, so a
/// mutation's later reads see its writes.
pub fn new_loaders(store: Store, viewer: &Viewer) -> Loaders {
    DataLoader::new(ScopedLoader { store, visibility: viewer.visibility.clone() }, tokio::spawn)
}

fn loaders<'a>(ctx: &Context<'a>) -> ApiResult<&'a Loaders> {
    ctx.data_opt::<Loaders>().ok_or_else(|| ApiError::internal(&"loaders missing from the request data"))
}

/// One key through the scoped loader: `None` when absent or outside the viewer's structures.
pub async fn load<K>(ctx: &Context<'_>, key: K) -> ApiResult<Option<<ScopedLoader as Loader<K>>::Value>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    ScopedLoader: Loader<K, Error = Arc<StoreError>>,
{
    loaders(ctx)?.load_one(key).await.map_err(|e| ApiError::internal(&e))
}

// ---------------------------------------------------------------- funding records (RULES.md §9)
// Each belongs to one structure and is visible with it.

pub async fn professional(
    store: &Store,
    viewer: &Viewer,
    id: ProfessionalId,
) -> ApiResult<Option<Visible<(StructureId, Professional)>>> {
    Ok(store.professional(id).await?.and_then(|p| visible_if(viewer.visibility.allows(p.0), p)))
}

pub async fn aci_contract(
    store: &Store,
    viewer: &Viewer,
    id: AciContractId,
) -> ApiResult<Option<Visible<(StructureId, AciContract)>>> {
    Ok(store.aci_contract(id).await?.and_then(|c| visible_if(viewer.visibility.allows(c.0), c)))
}

pub async fn grant(store: &Store, viewer: &Viewer, id: GrantId) -> ApiResult<Option<Visible<(StructureId, Grant)>>> {
    Ok(store.grant(id).await?.and_then(|g| visible_if(viewer.visibility.allows(g.0), g)))
}

/// Lists of one structure, batched by the loader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProfessionalsOf(pub StructureId);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AciContractsOf(pub StructureId);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GrantsOf(pub StructureId);
/// One employee's yearly costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CostsOf(pub AssistantId);
/// One assistant by id (a grant's employee, an ACI coordinator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AssistantById(pub AssistantId);

/// Groups rows of the visible structures among `keys` by structure, each key present.
fn by_structure<K: Copy + Eq + std::hash::Hash, T>(
    visibility: &Visibility,
    keys: &[K],
    structure_of: impl Fn(K) -> StructureId,
    key_of: impl Fn(StructureId) -> K,
    rows: Vec<(StructureId, T)>,
) -> HashMap<K, Vec<Visible<(StructureId, T)>>> {
    let mut grouped: HashMap<K, Vec<_>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for row in rows.into_iter().filter(|r| visibility.allows(r.0)) {
        grouped.entry(key_of(row.0)).or_default().push(Visible(row));
    }
    grouped.retain(|k, _| visibility.allows(structure_of(*k)));
    grouped
}

impl ScopedLoader {
    fn visible_structures<K: Copy>(&self, keys: &[K], structure_of: impl Fn(K) -> StructureId) -> Vec<StructureId> {
        keys.iter().map(|k| structure_of(*k)).filter(|s| self.visibility.allows(*s)).collect()
    }
}

impl Loader<ProfessionalsOf> for ScopedLoader {
    type Value = Vec<Visible<(StructureId, Professional)>>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[ProfessionalsOf]) -> LoadResult<ProfessionalsOf, Self::Value> {
        let rows = self.store.professionals_of(&self.visible_structures(keys, |k| k.0)).await.map_err(Arc::new)?;
        Ok(by_structure(&self.visibility, keys, |k| k.0, ProfessionalsOf, rows))
    }
}

impl Loader<AciContractsOf> for ScopedLoader {
    type Value = Vec<Visible<(StructureId, AciContract)>>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[AciContractsOf]) -> LoadResult<AciContractsOf, Self::Value> {
        let rows = self.store.aci_contracts_of(&self.visible_structures(keys, |k| k.0)).await.map_err(Arc::new)?;
        Ok(by_structure(&self.visibility, keys, |k| k.0, AciContractsOf, rows))
    }
}

impl Loader<GrantsOf> for ScopedLoader {
    type Value = Vec<Visible<(StructureId, Grant)>>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[GrantsOf]) -> LoadResult<GrantsOf, Self::Value> {
        let rows = self.store.grants_of(&self.visible_structures(keys, |k| k.0)).await.map_err(Arc::new)?;
        Ok(by_structure(&self.visibility, keys, |k| k.0, GrantsOf, rows))
    }
}

impl Loader<CostsOf> for ScopedLoader {
    type Value = Vec<EmploymentCost>;
    type Error = Arc<StoreError>;

    /// Costs of assistants the caller already sees (keys come from visible assistants).
    async fn load(&self, keys: &[CostsOf]) -> LoadResult<CostsOf, Self::Value> {
        let ids: Vec<AssistantId> = keys.iter().map(|k| k.0).collect();
        let rows = self.store.employment_costs_of(&ids).await.map_err(Arc::new)?;
        let mut grouped: HashMap<CostsOf, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for cost in rows {
            grouped.entry(CostsOf(cost.assistant_id)).or_default().push(cost);
        }
        Ok(grouped)
    }
}

impl Loader<AssistantById> for ScopedLoader {
    type Value = Visible<(StructureId, Assistant)>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[AssistantById]) -> LoadResult<AssistantById, Self::Value> {
        let ids: Vec<AssistantId> = keys.iter().map(|k| k.0).collect();
        let rows = self.store.assistants_by_ids(&ids).await.map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .filter(|(s, _)| self.visibility.allows(*s))
            .map(|a| (AssistantById(a.1.id), Visible(a)))
            .collect())
    }
}
