//! The GraphQL API of the product: types, queries, mutations, loaders, guards and errors.
//!
//! The server builds one [`AppSchema`] at start-up and, per request, adds the caller's
//! [`Viewer`] and fresh DataLoaders with [`request_data`].

pub mod access;
pub mod aci;
pub mod activity;
pub mod auth;
pub mod compatibility;
pub mod cpam;
pub mod dashboard;
pub mod enums;
pub mod error;
pub mod funding;
pub mod guard;
pub mod ids;
pub mod mutation;
pub mod overview;
pub mod query;
pub mod scalars;
pub mod simulation;
pub mod types;
pub mod validate;

use std::sync::Arc;

use async_graphql::{EmptySubscription, MergedObject, Request, Schema};
use domain::rules::RuleBook;
use persistence::Store;

pub use auth::{AuthFailure, Principal, Role, TokenEntry, TokenTable, Viewer};
pub use error::codes;

/// Every read entry point: stored data, and the rules.
#[derive(Debug, Default, MergedObject)]
pub struct Query(query::QueryRoot, simulation::RulesQuery, aci::AciQuery);

pub type AppSchema = Schema<Query, mutation::MutationRoot, EmptySubscription>;

/// Limits that keep one request from exhausting the server.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
    /// Fields per operation, fragments expanded and aliases counted.
    pub max_fields: usize,
    /// Root fields per operation (aliases of one root field count each).
    pub max_root_fields: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_depth: 16, max_complexity: 20_000, max_fields: 1_000, max_root_fields: 20 }
    }
}

pub use planning::cpam::CpamGateway;

/// The schema over a store, the rule parameters and the CPAM gateway.
pub fn build_schema(store: Store, rules: Arc<RuleBook>, cpam: CpamGateway, limits: Limits) -> AppSchema {
    Schema::build(Query::default(), mutation::MutationRoot::default(), EmptySubscription)
        .data(store)
        .data(rules)
        .data(cpam)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_directives(8)
        .extension(guard::RequestGuard(guard::FieldLimits {
            max_fields: limits.max_fields,
            max_root_fields: limits.max_root_fields,
        }))
        .finish()
}

/// The schema as SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query::default(), mutation::MutationRoot::default(), EmptySubscription).finish().sdl()
}

/// Adds what one request needs: the authenticated viewer and per-request DataLoaders.
pub fn request_data(request: Request, store: &Store, viewer: Viewer) -> Request {
    let loaders = access::new_loaders(store.clone(), &viewer);
    // The request's store (a query's read snapshot) before the schema's.
    request.data(store.clone()).data(viewer).data(loaders).data(overview::Overviews::default())
}
