//! The assistant-médical aid as pure data and rules: identifiers, vocabularies, exact time,
//! and the records a structure manages. No I/O, no async, no storage types.
//!
//! Adapters parse their inputs into these types at the edge ("parse, don't validate"), so a
//! value of a domain type is always valid.

pub mod codes;
pub mod funding;
pub mod identifiers;
pub mod model;
pub mod options;
pub mod time;
pub mod validate;

pub use codes::*;
pub use identifiers::*;
pub use model::*;
pub use options::AidOption;
pub use time::{Etp, FULL_TIME_WEEKLY_MINUTES, TimeError, WeeklyTime};
pub use validate::{AssignmentError, ContractDatesError};
pub mod rules;
