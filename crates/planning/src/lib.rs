//! The use cases, between the API and the crates that store, fetch and decide: stored records
//! as rules cases, the coordinator's dashboard of a structure, the individual-vs-collective
//! comparison, and the CPAM refresh. Async, and nothing of GraphQL: the API maps what these
//! functions return.

pub mod activity;
pub mod assessed;
pub mod cases;
pub mod comparison;
pub mod compatibility;
pub mod cpam;
pub mod dashboard;
pub mod forecast;
pub mod funding;
pub mod load;
pub mod money;
pub mod team;

use persistence::StoreError;

/// Why a use case could not be carried out. None of it is the caller's input: the API logs it
/// and answers with a reference (a record gone missing in between reads as not found).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A refresh task panicked or was cancelled.
    #[error("CPAM refresh task failed: {0}")]
    RefreshTask(#[from] tokio::task::JoinError),
    /// The stored records make a case the rules refuse.
    #[error(transparent)]
    Rules(#[from] domain::rules::RuleError),
}

pub type Result<T> = std::result::Result<T, Error>;
