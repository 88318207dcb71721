//! refreshPractitionerFromCpam, refreshStructureFromCpam: the resolvers of
//! [`planning::cpam`], which fetches what the CPAM knows and stores it with the time it was
//! obtained; failures are recorded there and come back here as typed codes.

use ameli_connector::CpamClient;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use persistence::{CopyOutcome, Store, StoredCopy};
use planning::cpam::{self, CpamGateway, StructureRecords};
use tokio::time::Instant;

use super::{find_practitioner, find_structure, session};
use crate::access::{self, Visible};
use crate::auth::Viewer;
use crate::cpam::{CpamAciContractObject, CpamContractStored};
use crate::error::UserErrorCode as Code;
use crate::error::{ApiError, ApiResult};
use crate::types::{AidContractObject, PractitionerObject, StructureObject};
use crate::validate::Checker;

/// Result of refreshPractitionerFromCpam.
#[derive(Debug, SimpleObject)]
pub struct RefreshPractitionerPayload {
    pub practitioner: Option<PractitionerObject>,
    /// The aid contracts the CPAM has the doctor signing, and what the refresh did with each.
    pub contracts: Vec<CpamContractStored>,
    /// Problems with the input; when present, nothing was written.
    pub user_errors: Vec<crate::error::UserError>,
    /// Accepted input that deserves a second look.
    pub warnings: Vec<crate::error::UserWarning>,
}

impl RefreshPractitionerPayload {
    fn rejected(c: Checker) -> Self {
        let (user_errors, warnings) = c.into_parts();
        Self { practitioner: None, contracts: Vec::new(), user_errors, warnings }
    }
}

/// What a refresh did with each CPAM contract, with its record as the viewer may see it.
async fn stored_contracts(
    store: &Store,
    viewer: &Viewer,
    stored: Vec<StoredCopy>,
) -> ApiResult<Vec<CpamContractStored>> {
    let mut out = Vec::with_capacity(stored.len());
    for s in stored {
        let contract = match s.outcome {
            CopyOutcome::Created(id) | CopyOutcome::Linked(id) | CopyOutcome::Refreshed(id) => {
                access::contract(store, viewer, id).await?.map(AidContractObject)
            }
            CopyOutcome::NotStored(_) => None,
        };
        out.push(CpamContractStored::new(s, contract));
    }
    Ok(out)
}

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
    /// The CPAM's aid contracts of the refreshed doctors and of the structure, and what the
    /// refresh did with each.
    pub contracts: Vec<CpamContractStored>,
    /// The CPAM's copy of the structure's ACI contract, when it gave one.
    pub cpam_aci_contract: Option<CpamAciContractObject>,
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
    /// Fetches a doctor's profile, last two years of figures and the aid contracts they signed
    /// from the CPAM and stores them; a contract is matched to the record with its CPAM
    /// reference, and created only when none has it.
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
            Ok(done) => {
                let contracts = stored_contracts(store, viewer, done.contracts).await?;
                let (user_errors, warnings) = c.into_parts();
                Ok(RefreshPractitionerPayload {
                    practitioner: Some(PractitionerObject(Visible::written(done.practitioner))),
                    contracts,
                    user_errors,
                    warnings,
                })
            }
            Err(e) => {
                c.error(&[], Code::of_refresh(&e), format!("{e}; the stored figures are unchanged and shown as stale"));
                Ok(RefreshPractitionerPayload::rejected(c))
            }
        }
    }

    /// Refreshes every current member of a structure from the CPAM, concurrently within the
    /// client's limit, the structure's aid contracts and ACI contract (in one transaction:
    /// all or, on a CPAM failure, nothing), and the zoning of its commune.
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
                contracts: vec![],
                cpam_aci_contract: None,
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
        match &done.structure_records {
            StructureRecords::Stored { .. } => {}
            StructureRecords::NoFiness => c.warn(
                &["structureId"],
                Code::FinessRequired,
                "the structure has no FINESS: its aid contracts and ACI contract were not asked of the CPAM",
            ),
            StructureRecords::Failed(e) => c.warn(
                &["structureId"],
                Code::of_refresh(e),
                format!("the structure's aid contracts and ACI contract: {e}; their stored copies are unchanged"),
            ),
        }
        let cpam_aci_contract = match &done.structure_records {
            StructureRecords::Stored { aci_reference: Some(_) } => {
                store.cpam_aci_copy(structure.id).await.map_err(ApiError::from)?.map(CpamAciContractObject)
            }
            _ => None,
        };
        let contracts = stored_contracts(store, viewer, done.contracts).await?;
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
            contracts,
            cpam_aci_contract,
            user_errors,
            warnings,
        })
    }
}
