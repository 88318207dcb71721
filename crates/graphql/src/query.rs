//! Read entry points. Everything is scoped to the caller's structures.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use domain::{Rpps, StructureId};

use crate::access;
use crate::auth::{Viewer, store, viewer};
use crate::error::ApiError;
use crate::ids::{self, NodeType};
use crate::types::{Node, PractitionerObject, StructureObject, connection, page_args, page_cost};

#[derive(Debug, Default)]
pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// Who the token belongs to.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Viewer> {
        Ok(viewer(ctx)?.clone())
    }

    /// Any object by its global ID; null when it does not exist or is outside your structures.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        Ok(access::node(store(ctx)?, viewer(ctx)?, &id).await?)
    }

    /// The structures you may see, by creation order.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn structures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100.")] first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, StructureObject>> {
        let (first, after) = page_args(first, after.as_deref())?;
        let page = access::structures_page(store(ctx)?, viewer(ctx)?, after.map(StructureId), first).await?;
        Ok(connection(page, after.is_some(), |s| s.id.0, StructureObject))
    }

    /// One structure by global ID.
    async fn structure(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<StructureObject>> {
        let Some(n) = ids::decode_as(NodeType::Structure, &id) else { return Ok(None) };
        Ok(access::structure(store(ctx)?, viewer(ctx)?, StructureId(n)).await?.map(StructureObject))
    }

    /// A practitioner by RPPS number, if they belong to one of your structures.
    async fn practitioner(&self, ctx: &Context<'_>, rpps: String) -> async_graphql::Result<Option<PractitionerObject>> {
        let rpps = Rpps::parse(&rpps).map_err(|e| ApiError::BadInput(format!("rpps: {}", e.reason)))?;
        Ok(access::practitioner_by_rpps(store(ctx)?, viewer(ctx)?, &rpps).await?.map(PractitionerObject))
    }
}
