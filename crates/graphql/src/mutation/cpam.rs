//! refreshPractitionerFromCpam, refreshStructureFromCpam: fetch what the CPAM knows and store
//! it with the time it was obtained. Everything for one doctor is fetched first and written in
//! one transaction; when the CPAM fails, a failed attempt is recorded, stored figures stay as
//! they were, and the API shows them as stale.

use ameli_connector::{CpamClient, CpamError, CpamZoning};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{Datelike, Utc};
use domain::{ActivityFiguresFields, FiguresOrigin, Practitioner, PractitionerFields};
use persistence::{CpamRefresh, Store, ZoningRecord};
use std::time::Duration;
use tokio::time::Instant;

use super::{find_practitioner, find_structure, payload, session};
use crate::access::Visible;
use crate::error::ApiError;
use crate::error::UserErrorCode as Code;
use crate::types::{PractitionerObject, StructureObject};
use crate::validate::Checker;

/// The CPAM client, when the service has one (`cpam.mode` other than `off`), and how long a
/// refresh may take: less than the HTTP request timeout, so that a slow CPAM still gets a typed
/// answer with the outcome recorded for every doctor.
#[derive(Debug, Clone)]
pub struct CpamGateway {
    pub client: Option<CpamClient>,
    pub refresh_budget: Duration,
}

impl CpamGateway {
    /// No CPAM: the refresh mutations answer `CPAM_DISABLED`.
    pub fn off() -> Self {
        Self { client: None, refresh_budget: Duration::from_secs(20) }
    }
}

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

/// Years of figures fetched: the two calendar years before the current one.
fn years() -> [i32; 2] {
    let y = Utc::now().year();
    [y - 1, y - 2]
}

/// Why a doctor was not refreshed: what the client is told, and what is recorded.
enum Unrefreshed {
    Cpam(CpamError),
    /// The CPAM did not answer within the refresh budget.
    TimedOut,
}

impl Unrefreshed {
    fn code(&self) -> Code {
        match self {
            Unrefreshed::Cpam(e) => Code::of_cpam(e),
            Unrefreshed::TimedOut => Code::CpamTimeout,
        }
    }

    fn message(&self) -> String {
        match self {
            Unrefreshed::Cpam(e) => e.to_string(),
            Unrefreshed::TimedOut => "the CPAM did not answer within the refresh budget".to_owned(),
        }
    }
}

/// A refresh that did not happen: the CPAM's side (recorded, shown stale) or ours.
enum RefreshError {
    Unrefreshed(Unrefreshed),
    Store(persistence::StoreError),
}

/// `refresh_one` within the budget. When the budget runs out, the unfinished refresh is
/// dropped (its transaction, if one was open, rolls back) and the attempt is recorded as
/// failed, so that the doctor's figures show as stale rather than silently old.
async fn refresh_within(
    store: &Store,
    client: &CpamClient,
    p: &Practitioner,
    deadline: Instant,
) -> Result<usize, RefreshError> {
    match tokio::time::timeout_at(deadline, refresh_one(store, client, p)).await {
        Ok(outcome) => outcome,
        Err(_) => {
            let e = Unrefreshed::TimedOut;
            tracing::warn!(rpps = %p.fields.rpps, "CPAM refresh over budget; stored figures kept");
            store
                .record_cpam_failure(p.id, Utc::now(), e.code().as_str(), &e.message())
                .await
                .map_err(RefreshError::Store)?;
            Err(RefreshError::Unrefreshed(e))
        }
    }
}

/// Fetches a doctor's profile and figures, then stores them in one transaction; on a CPAM
/// failure records the failed attempt instead. Returns the number of years of figures stored.
async fn refresh_one(store: &Store, client: &CpamClient, p: &Practitioner) -> Result<usize, RefreshError> {
    let rpps = &p.fields.rpps;
    let [last, before] = years();
    let (profile, a1, a2) =
        tokio::join!(client.practitioner(rpps), client.activity(rpps, last), client.activity(rpps, before));
    // A year the CPAM has no figures for is simply absent; anything else fails the refresh.
    let year = |r: Result<ameli_connector::CpamActivity, CpamError>| match r {
        Ok(a) => Ok(Some(a)),
        Err(CpamError::NotFound) => Ok(None),
        Err(e) => Err(e),
    };
    let fetched = profile.and_then(|profile| Ok((profile, year(a1)?, year(a2)?)));
    let now = Utc::now();
    let (profile, a1, a2) = match fetched {
        Ok(x) => x,
        Err(e) => {
            tracing::warn!(rpps = %rpps, error = %e, "CPAM refresh failed; stored figures kept");
            let code = Code::of_cpam(&e).as_str();
            store.record_cpam_failure(p.id, now, code, &e.to_string()).await.map_err(RefreshError::Store)?;
            return Err(RefreshError::Unrefreshed(Unrefreshed::Cpam(e)));
        }
    };
    let figures: Vec<ActivityFiguresFields> = [a1, a2]
        .into_iter()
        .flatten()
        .map(|a| ActivityFiguresFields {
            year: a.year,
            pmt: a.pmt,
            adult_pmt: a.adult_pmt,
            file_active: a.file_active,
            ccam_share_bp: a.ccam_share_bp,
            band: a.band,
            origin: FiguresOrigin::Cpam,
            obtained_at: now,
        })
        .collect();
    let count = figures.len();
    let fields = PractitionerFields {
        rpps: profile.rpps,
        first_name: profile.first_name,
        last_name: profile.last_name,
        specialty: profile.specialty,
        sector: profile.sector,
        optam: profile.optam,
        practice_mode: profile.practice_mode,
        mep: profile.mep,
        installed_on: profile.installed_on,
        birth_year: p.fields.birth_year,
    };
    store
        .apply_cpam_refresh(&CpamRefresh { practitioner_id: p.id, fields, figures, at: now })
        .await
        .map_err(RefreshError::Store)?;
    Ok(count)
}

/// The client and the deadline of this refresh.
fn gateway<'a>(ctx: &Context<'a>, c: &mut Checker) -> Option<(&'a CpamClient, Instant)> {
    let found = ctx.data_opt::<CpamGateway>().and_then(|g| g.client.as_ref().map(|client| (client, g.refresh_budget)));
    if found.is_none() {
        c.error(&[], Code::CpamDisabled, "this service has no CPAM connection (cpam.mode = \"off\")");
    }
    found.map(|(client, budget)| (client, Instant::now() + budget))
}

fn zone_record(z: CpamZoning) -> ZoningRecord {
    ZoningRecord {
        commune: z.commune,
        zone: z.zone,
        valid_from: z.valid_from,
        valid_to: z.valid_to,
        decision: z.decision,
        obtained_at: Utc::now(),
    }
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
        match refresh_within(store, client, &p, deadline).await {
            Ok(_) => {
                let fresh = store
                    .practitioner(p.id)
                    .await
                    .map_err(ApiError::from)?
                    .ok_or(ApiError::NotFound("practitioner"))?;
                Ok(RefreshPractitionerPayload::done(PractitionerObject(Visible::written(fresh)), c))
            }
            Err(RefreshError::Store(e)) => Err(ApiError::from(e).into()),
            Err(RefreshError::Unrefreshed(e)) => {
                let message = format!("{}; the stored figures are unchanged and shown as stale", e.message());
                c.error(&[], e.code(), message);
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
        let today = Utc::now().date_naive();
        let mut members = Vec::new();
        let mut after = None;
        loop {
            let page = store.list_members(structure.id, Some(today), after, 100).await.map_err(ApiError::from)?;
            after = page.items.last().map(|m| m.membership.id);
            members.extend(page.items.into_iter().map(|m| m.practitioner));
            if !page.has_next_page {
                break;
            }
        }
        let started = std::time::Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for p in members {
            let (store, client) = (store.clone(), client.clone());
            tasks.spawn(async move {
                let outcome = refresh_within(&store, &client, &p, deadline).await;
                (p, outcome)
            });
        }
        let commune = structure.fields.commune.clone();
        let zoning = tokio::time::timeout_at(deadline, client.zoning(&commune, today)).await;
        let zone = match zoning {
            Ok(Ok(z)) => {
                let record = zone_record(z);
                let code = record.zone.code().to_owned();
                store.save_zoning(&record).await.map_err(ApiError::from)?;
                Some(code)
            }
            Ok(Err(e)) => {
                c.warn(&["structureId"], Code::of_cpam(&e), format!("zoning of commune {commune}: {e}"));
                None
            }
            Err(_) => {
                let e = Unrefreshed::TimedOut;
                c.warn(&["structureId"], e.code(), format!("zoning of commune {commune}: {}", e.message()));
                None
            }
        };
        let mut refreshed = 0;
        let mut failures = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            let (p, outcome) = joined.map_err(|e| ApiError::internal(&e))?;
            match outcome {
                Ok(_) => refreshed += 1,
                Err(RefreshError::Store(e)) => return Err(ApiError::from(e).into()),
                Err(RefreshError::Unrefreshed(e)) => failures.push(RefreshFailure {
                    practitioner: PractitionerObject(Visible::written(p)),
                    code: e.code(),
                    message: e.message(),
                }),
            }
        }
        tracing::info!(
            structure = structure.id.0,
            refreshed,
            failed = failures.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "structure refreshed from the CPAM"
        );
        let (user_errors, warnings) = c.into_parts();
        Ok(RefreshStructurePayload {
            structure: Some(StructureObject(Visible::written(structure))),
            refreshed,
            failures,
            zone,
            user_errors,
            warnings,
        })
    }
}
