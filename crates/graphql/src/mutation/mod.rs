//! Write entry points. Each mutation checks its whole input first and returns every problem in
//! `userErrors`; when there is one, nothing is written.

mod assistants;
mod contracts;
mod cpam;
mod practitioners;
mod structures;

use async_graphql::{Context, ID, MergedObject};

use crate::auth::{Viewer, store, viewer};
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, NodeType};
use crate::validate::Checker;
use persistence::Store;

pub use cpam::CpamGateway;

#[derive(Debug, Default, MergedObject)]
pub struct MutationRoot(
    structures::StructureMutations,
    practitioners::PractitionerMutations,
    assistants::AssistantMutations,
    contracts::ContractMutations,
    cpam::CpamMutations,
);

/// Declares a mutation payload: the object (absent when rejected), `userErrors`, `warnings`.
macro_rules! payload {
    ($(#[$m:meta])* $name:ident { $field:ident: $ty:ty }) => {
        $(#[$m])*
        #[derive(Debug, async_graphql::SimpleObject)]
        pub struct $name {
            pub $field: Option<$ty>,
            /// Problems with the input; when present, nothing was written.
            pub user_errors: Vec<crate::error::UserError>,
            /// Accepted input that deserves a second look.
            pub warnings: Vec<crate::error::UserWarning>,
        }

        impl $name {
            pub fn done(value: $ty, checker: crate::validate::Checker) -> Self {
                let (user_errors, warnings) = checker.into_parts();
                Self { $field: Some(value), user_errors, warnings }
            }

            pub fn rejected(checker: crate::validate::Checker) -> Self {
                let (user_errors, warnings) = checker.into_parts();
                Self { $field: None, user_errors, warnings }
            }

            /// The payload of a write: its result, or the user errors a refused write means.
            #[allow(dead_code)] // not every payload is written through the store's own errors
            pub fn from_write(
                mut checker: crate::validate::Checker,
                result: Result<$ty, persistence::StoreError>,
            ) -> crate::error::ApiResult<Self> {
                match result {
                    Ok(value) => Ok(Self::done(value, checker)),
                    Err(err) => {
                        crate::mutation::write_failed(&mut checker, err)?;
                        Ok(Self::rejected(checker))
                    }
                }
            }
        }
    };
}
pub(crate) use payload;

/// What every mutation starts with: the store and an authenticated caller.
pub(crate) fn session<'a>(ctx: &Context<'a>) -> ApiResult<(&'a Store, &'a Viewer)> {
    Ok((store(ctx)?, viewer(ctx)?))
}

/// Decodes a global ID of `kind` given in `field`, or records `<KIND>_NOT_FOUND`.
pub(crate) fn decode_id(checker: &mut Checker, field: &[&str], kind: NodeType, id: &ID) -> Option<i64> {
    let decoded = ids::decode_as(kind, id);
    if decoded.is_none() {
        not_found(checker, field, kind);
    }
    decoded
}

/// A practitioner given as a global ID in `field`, within the viewer's structures; otherwise
/// records `PRACTITIONER_NOT_FOUND` on that field.
pub(crate) async fn find_practitioner(
    c: &mut Checker,
    store: &Store,
    viewer: &Viewer,
    field: &[&str],
    id: &ID,
) -> ApiResult<Option<domain::Practitioner>> {
    let Some(n) = decode_id(c, field, NodeType::Practitioner, id) else { return Ok(None) };
    let found = crate::access::practitioner(store, viewer, domain::PractitionerId(n)).await?;
    if found.is_none() {
        not_found(c, field, NodeType::Practitioner);
    }
    Ok(found)
}

/// A structure given as a global ID in `field`, within the viewer's structures; otherwise
/// records `STRUCTURE_NOT_FOUND` on that field.
pub(crate) async fn find_structure(
    c: &mut Checker,
    store: &Store,
    viewer: &Viewer,
    field: &[&str],
    id: &ID,
) -> ApiResult<Option<domain::Structure>> {
    let Some(n) = decode_id(c, field, NodeType::Structure, id) else { return Ok(None) };
    let found = crate::access::structure(store, viewer, domain::StructureId(n)).await?;
    if found.is_none() {
        not_found(c, field, NodeType::Structure);
    }
    Ok(found)
}

pub(crate) fn not_found(checker: &mut Checker, field: &[&str], kind: NodeType) {
    let (code, what) = match kind {
        NodeType::Structure => ("STRUCTURE_NOT_FOUND", "structure"),
        NodeType::Practitioner => ("PRACTITIONER_NOT_FOUND", "practitioner"),
        NodeType::Membership => ("MEMBERSHIP_NOT_FOUND", "membership"),
        NodeType::Assistant => ("ASSISTANT_NOT_FOUND", "assistant"),
        NodeType::Assignment => ("ASSIGNMENT_NOT_FOUND", "assignment"),
        NodeType::AidContract => ("CONTRACT_NOT_FOUND", "contract"),
    };
    checker.error(field, code, format!("no {what} with this id among your structures"));
}

/// Maps a storage failure during a write: duplicates and vanished references become user
/// errors (the write was rolled back); anything else is internal.
pub(crate) fn write_failed(checker: &mut Checker, err: persistence::StoreError) -> ApiResult<()> {
    use persistence::StoreError;
    match err {
        StoreError::Duplicate(what) => {
            let (field, code) = match what {
                "rpps" => ("rpps", "RPPS_ALREADY_EXISTS"),
                "finess" => ("finess", "FINESS_ALREADY_EXISTS"),
                "contract member" => ("members", "DUPLICATE_MEMBER"),
                _ => ("", "ALREADY_EXISTS"),
            };
            let fields: &[&str] = if field.is_empty() { &[] } else { &[field] };
            let message = match what {
                "rpps" => {
                    "this doctor is already recorded; if in another structure, an administrator can add them to yours"
                        .to_owned()
                }
                _ => format!("a record with this {what} already exists"),
            };
            checker.error(fields, code, message);
            Ok(())
        }
        StoreError::NotFound(what) => {
            checker.error(&[], "REFERENCE_NOT_FOUND", format!("the {what} no longer exists"));
            Ok(())
        }
        StoreError::MissingReference => {
            checker.error(&[], "REFERENCE_NOT_FOUND", "a referenced record no longer exists");
            Ok(())
        }
        other => Err(ApiError::from(other)),
    }
}
