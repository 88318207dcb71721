//! The use cases between the API and the stores: a structure's records gathered as rules
//! cases, the coordinator's dashboard and the individual-vs-collective comparison.

pub mod assessed;
pub mod comparison;
pub mod dashboard;
pub mod forecast;
pub mod load;
pub mod team;
