//! refreshPractitionerFromCpam, refreshStructureFromCpam: the resolvers of
//! [`planning::cpam`], which fetches what the CPAM knows and stores it with the time it was
//! obtained; failures are recorded there and come back here as typed codes.

use ameli_connector::CpamClient;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use planning::cpam::{self, CpamGateway};
use tokio::time::Instant;

use super::{find_practitioner, find_structure, payload, session};
use crate::access::Visible;
use crate::error::ApiError;
use crate::error::UserErrorCode as Code;
use crate::types::{PractitionerObject, StructureObject};
use crate::validate::Checker;

payload!(
    /// Result of refreshPractitionerFromCpam.
    RefreshPractitionerPayload { practitioner: PractitionerObject }
);

/// A doctor whose refresh failed; their stored figures are unchanged (and now stale).
#[derive(Debug, Clone, SimpleObject)]
pub struct RefreshFailure {
    pub practitioner: PractitionerObject,
    pub code: Code,
    pub message: String,
}

/// Result of refreshStructureFromCpam.
#[derive(Debug, SimpleObject)]
pub struct RefreshStructurePayload {
    pub structure: Option<StructureObject>,
    /// Doctors refreshed.
    pub refreshed: u32,
    /// Doctors whose refresh failed, with why.
    pub failures: Vec<RefreshFailure>,
    /// The commune's zone today, when the CPAM gave it.
    pub zone: Option<String>,
    pub user_errors: Vec<crate::error::UserError>,
    pub warnings: Vec<crate::error::UserWarning>,
}

#[derive(Debug, InputObject)]
pub struct RefreshPractitionerInput {
    pub practitioner_id: ID,
}

#[derive(Debug, InputObject)]
pub struct RefreshStructureInput {
    pub structure_id: ID,
}

/// The client and the deadline of this refresh.
fn gateway<'a>(ctx: &Context<'a>, c: &mut Checker) -> Option<(&'a CpamClient, Instant)> {
    let found = ctx.data_opt::<CpamGateway>().and_then(|g| g.client.as_ref().map(|client| (client, g.refresh_budget)));
    if found.is_none() {
        c.error(&[], Code::CpamDisabled, "this service has no CPAM connection (cpam.mode = \"off\")");
    }
    found.map(|(client, budget)| (client, Instant::now() + budget))
}

#[derive(Debug, Default)]
pub struct CpamMutations;

#[Object]
impl CpamMutations {
    /// Fetches a doctor's profile and last two years of figures from the CPAM and stores them.
    async fn refresh_practitioner_from_cpam(
        &self,
        ctx: &Context<'_>,
        input: RefreshPractitionerInput,
    ) -> async_graphql::Result<RefreshPractitionerPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let client = gateway(ctx, &mut c);
        let practitioner =
            find_practitioner(&mut c, store, viewer, &["practitionerId"], &input.practitioner_id).await?;
        let (Some((client, deadline)), Some(p)) = (client, practitioner) else {
            return Ok(RefreshPractitionerPayload::rejected(c));
        };
        match cpam::refresh_practitioner(store, client, &p, deadline).await.map_err(ApiError::from)? {
            Ok(fresh) => Ok(RefreshPractitionerPayload::done(PractitionerObject(Visible::written(fresh)), c)),
            Err(e) => {
                c.error(&[], Code::of_refresh(&e), format!("{e}; the stored figures are unchanged and shown as stale"));
                Ok(RefreshPractitionerPayload::rejected(c))
            }
        }
    }

    /// Refreshes every current member of a structure from the CPAM, concurrently within the
    /// client's limit, and the zoning of its commune.
    async fn refresh_structure_from_cpam(
        &self,
        ctx: &Context<'_>,
        input: RefreshStructureInput,
    ) -> async_graphql::Result<RefreshStructurePayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let client = gateway(ctx, &mut c);
        let structure = find_structure(&mut c, store, viewer, &["structureId"], &input.structure_id).await?;
        let (Some((client, deadline)), Some(structure)) = (client, structure) else {
            let (user_errors, warnings) = c.into_parts();
            return Ok(RefreshStructurePayload {
                structure: None,
                refreshed: 0,
                failures: vec![],
                zone: None,
                user_errors,
                warnings,
            });
        };
        let done = cpam::refresh_structure(store, client, &structure, deadline).await.map_err(ApiError::from)?;
        let zone = match done.zone {
            Ok(zone) => Some(zone.code().to_owned()),
            Err(e) => {
                let commune = &structure.fields.commune;
                c.warn(&["structureId"], Code::of_refresh(&e), format!("zoning of commune {commune}: {e}"));
                None
            }
        };
        let failures = done
            .failures
            .into_iter()
            .map(|(p, e)| RefreshFailure {
                practitioner: PractitionerObject(Visible::written(p)),
                code: Code::of_refresh(&e),
                message: e.to_string(),
            })
            .collect();
        let (user_errors, warnings) = c.into_parts();
        Ok(RefreshStructurePayload {
            structure: Some(StructureObject(Visible::written(structure))),
            refreshed: done.refreshed,
            failures,
            zone,
            user_errors,
            warnings,
        })
    }
}
