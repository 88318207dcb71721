//! The GraphQL API of the product: types, queries, mutations, loaders, guards and errors.
//!
//! The server builds one [`AppSchema`] at start-up and, per request, adds the caller's
//! [`Viewer`] and fresh DataLoaders with [`request_data`].

pub mod access;
pub mod auth;
pub mod enums;
pub mod error;
pub mod ids;
pub mod loaders;
pub mod mutation;
pub mod query;
pub mod scalars;
pub mod simulation;
pub mod stored;
pub mod types;
pub mod validate;

use std::sync::Arc;

use async_graphql::{EmptySubscription, MergedObject, Request, Schema};
use domain::rules::RuleBook;
use persistence::Store;

pub use auth::{Principal, Role, TokenEntry, TokenTable, Viewer};
pub use error::codes;

/// Every read entry point: stored data, and the rules.
#[derive(Debug, Default, MergedObject)]
pub struct Query(query::QueryRoot, simulation::RulesQuery);

pub type AppSchema = Schema<Query, mutation::MutationRoot, EmptySubscription>;

/// Limits that keep one request from exhausting the server.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_depth: 12, max_complexity: 20_000 }
    }
}

/// The schema over a store, the rule parameters and, when the service has one, a CPAM client.
pub fn build_schema(
    store: Store,
    rules: Arc<RuleBook>,
    cpam: Option<ameli_connector::CpamClient>,
    limits: Limits,
) -> AppSchema {
    Schema::build(Query::default(), mutation::MutationRoot::default(), EmptySubscription)
        .data(store)
        .data(rules)
        .data(mutation::CpamGateway(cpam))
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .finish()
}

/// The schema as SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query::default(), mutation::MutationRoot::default(), EmptySubscription).finish().sdl()
}

/// Adds what one request needs: the authenticated viewer and per-request DataLoaders.
pub fn request_data(request: Request, store: &Store, viewer: Viewer) -> Request {
    request.data(viewer).data(loaders::new_loaders(store.clone()))
}
