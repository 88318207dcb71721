//! sea-orm entities, one per table. Internal to this crate: callers see domain types only.

pub mod aci_contract;
pub mod aci_year;
pub mod activity_figures;
pub mod activity_record;
pub mod aid_contract;
pub mod assignment;
pub mod assistant;
pub mod contract_member;
pub mod cpam_aci_contract;
pub mod cpam_aci_year;
pub mod cpam_contract;
pub mod cpam_refresh;
pub mod employment_cost;
pub mod grant;
pub mod grant_share;
pub mod membership;
pub mod practitioner;
pub mod professional;
pub mod structure;
pub mod zoning;
