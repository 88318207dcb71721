//! Loading objects on behalf of a viewer: anything outside the viewer's structures is treated
//! exactly like something that does not exist, so ids reveal nothing.

use domain::{
    AidContract, Assignment, AssignmentId, Assistant, AssistantId, ContractId, ContractTerms, Membership, MembershipId,
    Practitioner, PractitionerId, Structure, StructureId,
};
use persistence::Store;

use crate::auth::Viewer;
use crate::error::ApiResult;
use crate::ids::{self, NodeType};
use crate::types::{
    AidContractObject, AssignmentObject, AssistantObject, MembershipObject, Node, PractitionerObject, StructureObject,
};

pub async fn structure(store: &Store, viewer: &Viewer, id: StructureId) -> ApiResult<Option<Structure>> {
    if !viewer.visibility.allows(id) {
        return Ok(None);
    }
    Ok(store.structure(id).await?)
}

pub async fn practitioner(store: &Store, viewer: &Viewer, id: PractitionerId) -> ApiResult<Option<Practitioner>> {
    let Some(p) = store.practitioner(id).await? else { return Ok(None) };
    Ok(store.practitioner_visible(id, &viewer.visibility).await?.then_some(p))
}

pub async fn membership(store: &Store, viewer: &Viewer, id: MembershipId) -> ApiResult<Option<Membership>> {
    Ok(store.membership(id).await?.filter(|m| viewer.visibility.allows(m.structure_id)))
}

pub async fn assistant(store: &Store, viewer: &Viewer, id: AssistantId) -> ApiResult<Option<(StructureId, Assistant)>> {
    Ok(store.assistant(id).await?.filter(|(s, _)| viewer.visibility.allows(*s)))
}

pub async fn assignment(store: &Store, viewer: &Viewer, id: AssignmentId) -> ApiResult<Option<Assignment>> {
    let Some(a) = store.assignment(id).await? else { return Ok(None) };
    Ok(assistant(store, viewer, a.assistant_id).await?.map(|_| a))
}

pub async fn contract(store: &Store, viewer: &Viewer, id: ContractId) -> ApiResult<Option<AidContract>> {
    let Some(c) = store.contract(id).await? else { return Ok(None) };
    let visible = match &c.fields.terms {
        ContractTerms::Collective { structure_id, .. } => viewer.visibility.allows(*structure_id),
        ContractTerms::Individual { practitioner_id, .. } => {
            store.practitioner_visible(*practitioner_id, &viewer.visibility).await?
        }
    };
    Ok(visible.then_some(c))
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
        NodeType::Assistant => assistant(store, viewer, AssistantId(n))
            .await?
            .map(|(structure_id, assistant)| Node::Assistant(AssistantObject { structure_id, assistant })),
        NodeType::Assignment => {
            assignment(store, viewer, AssignmentId(n)).await?.map(|a| Node::Assignment(AssignmentObject(a)))
        }
        NodeType::AidContract => {
            contract(store, viewer, ContractId(n)).await?.map(|c| Node::AidContract(AidContractObject(c)))
        }
    })
}
