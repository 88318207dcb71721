//! The CPAM (Assurance Maladie) connector.
//!
//! The CPAM holds what the rules need and a coordinator cannot type in reliably: each doctor's
//! sector and OPTAM status, yearly figures and band, the zoning of a commune, existing aid
//! contracts, a structure's ACI contract. No public API exists, so this crate defines the
//! contract (`contract/openapi.json`), a client that survives a slow or failing CPAM
//! ([`CpamClient`]), and a wiremock stub serving fixtures ([`stub::CpamStub`]).

pub mod client;
pub mod dto;
pub mod stub;

pub use client::{BreakerState, CpamClient, CpamConfig};
pub use dto::{CpamAciContract, CpamAciYear, CpamActivity, CpamContract, CpamPractitioner, CpamZoning};

/// The contract document.
pub const OPENAPI: &str = include_str!("../contract/openapi.json");

/// What a CPAM call can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CpamError {
    #[error("not known to the CPAM")]
    NotFound,
    #[error("the CPAM refused our credentials")]
    Unauthorized,
    /// Timeouts, outages, rate limits and an open circuit: retrying later may succeed.
    #[error("the CPAM is unavailable: {0}")]
    Unavailable(String),
    /// The answer does not follow the contract.
    #[error("the CPAM answered something unexpected: {0}")]
    InvalidResponse(String),
}
