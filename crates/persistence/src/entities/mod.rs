//! sea-orm entities, one per table. Internal to this crate: callers see domain types only.

pub mod activity_figures;
pub mod activity_record;
pub mod aid_contract;
pub mod assignment;
pub mod assistant;
pub mod contract_member;
pub mod cpam_refresh;
pub mod membership;
pub mod practitioner;
pub mod structure;
pub mod zoning;
