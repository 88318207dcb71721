//! The structure's funding records beyond the aid contracts, read together: its other health
//! professionals, ACI contracts, grants and its employees' costs.

use domain::funding::{AciContract, EmploymentCost, Grant, Professional};
use domain::{AssistantId, StructureId};
use persistence::Store;

use crate::Result;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Funding {
    pub professionals: Vec<Professional>,
    pub aci: Vec<AciContract>,
    pub grants: Vec<Grant>,
    pub costs: Vec<EmploymentCost>,
}

/// Reads a structure's funding records and its employees' costs, in six statements whatever
/// their number.
pub async fn read(store: &Store, structure: StructureId, assistants: &[AssistantId]) -> Result<Funding> {
    let only = [structure];
    Ok(Funding {
        professionals: store.professionals_of(&only).await?.into_iter().map(|(_, p)| p).collect(),
        aci: store.aci_contracts_of(&only).await?.into_iter().map(|(_, c)| c).collect(),
        grants: store.grants_of(&only).await?.into_iter().map(|(_, g)| g).collect(),
        costs: store.employment_costs_of(assistants).await?,
    })
}
