//! Write entry points. Each mutation checks its whole input first and returns every problem in
//! `userErrors`; when there is one, nothing is written.

mod activity;
mod assistants;
mod contracts;
mod cpam;
mod funding;
mod practitioners;
mod structures;

use async_graphql::{Context, ID, MergedObject};

use crate::access::Visible;
use crate::auth::{Viewer, store, viewer};
use crate::error::UserErrorCode as Code;
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, NodeType};
use crate::validate::Checker;
use persistence::Store;

#[derive(Debug, Default, MergedObject)]
pub struct MutationRoot(
    structures::StructureMutations,
    practitioners::PractitionerMutations,
    assistants::AssistantMutations,
    contracts::ContractMutations,
    cpam::CpamMutations,
    funding::FundingMutations,
    activity::ActivityMutations,
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
    let found = crate::access::practitioner(store, viewer, domain::PractitionerId(n)).await?.map(Visible::into_inner);
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
    let found = crate::access::structure(store, viewer, domain::StructureId(n)).await?.map(Visible::into_inner);
    if found.is_none() {
        not_found(c, field, NodeType::Structure);
    }
    Ok(found)
}

pub(crate) fn not_found(checker: &mut Checker, field: &[&str], kind: NodeType) {
    let (code, what) = match kind {
        NodeType::Structure => (Code::StructureNotFound, "structure"),
        NodeType::Practitioner => (Code::PractitionerNotFound, "practitioner"),
        NodeType::Membership => (Code::MembershipNotFound, "membership"),
        NodeType::Assistant => (Code::AssistantNotFound, "assistant"),
        NodeType::Assignment => (Code::AssignmentNotFound, "assignment"),
        NodeType::AidContract => (Code::ContractNotFound, "contract"),
        NodeType::Professional => (Code::ProfessionalNotFound, "professional"),
        NodeType::AciContract => (Code::AciContractNotFound, "ACI contract"),
        NodeType::Grant => (Code::GrantNotFound, "grant"),
    };
    checker.error(field, code, format!("no {what} with this id among your structures"));
}

/// Maps a storage failure during a write: duplicates, overlaps and vanished references become
/// user errors (the write was rolled back); anything else is internal.
pub(crate) fn write_failed(checker: &mut Checker, err: persistence::StoreError) -> ApiResult<()> {
    use persistence::{DuplicateKey, StoreError};
    match err {
        StoreError::Duplicate(key) => {
            let (field, code, message): (&[&str], _, _) = match key {
                DuplicateKey::Rpps => {
                    (&["rpps"], Code::RppsAlreadyExists, "this doctor is already recorded in your structures")
                }
                DuplicateKey::Finess => {
                    (&["finess"], Code::FinessAlreadyExists, "a structure with this FINESS is already recorded")
                }
                DuplicateKey::ContractMember => (&["members"], Code::DuplicateMember, "this doctor is already listed"),
                DuplicateKey::CpamReference => (
                    &["cpamReference"],
                    Code::CpamReferenceAlreadyExists,
                    "another contract already has this CPAM reference",
                ),
                DuplicateKey::FiguresYear => {
                    (&["year"], Code::FiguresAlreadyExist, "figures for this year are already recorded")
                }
                DuplicateKey::Other => (&[], Code::AlreadyExists, "a record with the same key already exists"),
            };
            checker.error(field, code, message);
            Ok(())
        }
        StoreError::OverlappingMembership => {
            checker.error(&["from"], Code::MembershipOverlaps, err.to_string());
            Ok(())
        }
        StoreError::NotFound(what) => {
            checker.error(&[], Code::ReferenceNotFound, format!("the {what} no longer exists"));
            Ok(())
        }
        StoreError::MissingReference => {
            checker.error(&[], Code::ReferenceNotFound, "a referenced record no longer exists");
            Ok(())
        }
        other => Err(ApiError::from(other)),
    }
}

/// An RPPS the write found taken. Unless the doctor is in the coordinator's own structures,
/// the answer shows nothing of the record (it is the same whatever the record holds or where):
/// it only says an administrator must attach the doctor, which does tell that the RPPS is
/// recorded somewhere; with one global RPPS key that cannot be hidden from a create.
pub(crate) async fn rpps_taken(c: &mut Checker, store: &Store, viewer: &Viewer, rpps: &domain::Rpps) -> ApiResult<()> {
    if viewer.is_admin() || crate::access::practitioner_by_rpps(store, viewer, rpps).await?.is_some() {
        c.error(&["rpps"], Code::RppsAlreadyExists, "this doctor is already recorded in your structures");
    } else {
        tracing::info!(caller = %viewer.name, "RPPS recorded outside the caller's structures: routed to an administrator");
        c.error(
            &["rpps"],
            Code::RppsRequiresAdministrator,
            "this RPPS cannot be recorded from a coordinator's account: ask an administrator to add the doctor to your structure",
        );
    }
    Ok(())
}
