//! DataLoaders for every relation a list can reach, so a page of N rows costs one query per
//! relation, not N.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use domain::{Assignment, AssistantId, Practitioner, PractitionerId, Structure, StructureId};
use persistence::{Store, StoreError};

use crate::error::{ApiError, ApiResult};

#[derive(Debug)]
pub struct StoreLoader(pub Store);

impl Loader<PractitionerId> for StoreLoader {
    type Value = Practitioner;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[PractitionerId]) -> Result<HashMap<PractitionerId, Practitioner>, Self::Error> {
        let rows = self.0.practitioners_by_ids(keys).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|p| (p.id, p)).collect())
    }
}

impl Loader<StructureId> for StoreLoader {
    type Value = Structure;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[StructureId]) -> Result<HashMap<StructureId, Structure>, Self::Error> {
        let rows = self.0.structures_by_ids(keys).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|s| (s.id, s)).collect())
    }
}

impl Loader<AssistantId> for StoreLoader {
    type Value = Vec<Assignment>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[AssistantId]) -> Result<HashMap<AssistantId, Vec<Assignment>>, Self::Error> {
        let rows = self.0.assignments_of(keys).await.map_err(Arc::new)?;
        let mut grouped: HashMap<AssistantId, Vec<Assignment>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            grouped.entry(row.assistant_id).or_default().push(row);
        }
        Ok(grouped)
    }
}

pub type Loaders = DataLoader<StoreLoader>;

pub fn new_loaders(store: Store) -> Loaders {
    DataLoader::new(StoreLoader(store), tokio::spawn)
}

fn loaders<'a>(ctx: &Context<'a>) -> ApiResult<&'a Loaders> {
    ctx.data_opt::<Loaders>().ok_or_else(|| ApiError::internal(&"loaders missing from the request data"))
}

pub async fn load<K>(ctx: &Context<'_>, key: K) -> ApiResult<Option<<StoreLoader as Loader<K>>::Value>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    StoreLoader: Loader<K, Error = Arc<StoreError>>,
{
    loaders(ctx)?.load_one(key).await.map_err(|e| ApiError::internal(&e))
}
