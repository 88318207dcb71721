//! Refreshing doctors and a commune's zoning from the CPAM. Everything for one doctor is
//! fetched first and written in one transaction; when the CPAM fails, a failed attempt is
//! recorded, stored figures stay as they were, and they read as stale from then on.

use std::time::Duration;

use ameli_connector::{CpamActivity, CpamClient, CpamError, CpamZoning};
use chrono::{Datelike, Utc};
use domain::rules::individual::Zone;
use domain::{ActivityFiguresFields, FiguresOrigin, Practitioner, PractitionerFields, Structure};
use persistence::{CpamRefresh, Store, ZoningRecord};
use tokio::time::Instant;

use crate::Error;

/// The CPAM client, when the service has one (`cpam.mode` other than `off`), and how long a
/// refresh may take: less than the HTTP request timeout, so that a slow CPAM still gets a typed
/// answer with the outcome recorded for every doctor.
#[derive(Debug, Clone)]
pub struct CpamGateway {
    pub client: Option<CpamClient>,
    pub refresh_budget: Duration,
}

impl CpamGateway {
    /// No CPAM: refreshes are refused.
    pub fn off() -> Self {
        Self { client: None, refresh_budget: Duration::from_secs(20) }
    }
}

/// Why a doctor, or a commune's zoning, was not refreshed.
#[derive(Debug, thiserror::Error)]
pub enum Unrefreshed {
    #[error(transparent)]
    Cpam(CpamError),
    #[error("the CPAM did not answer within the refresh budget")]
    TimedOut,
}

impl Unrefreshed {
    /// The code recorded with a failed attempt and shown as the doctor's last error; the API's
    /// codes of refresh failures spell the same.
    pub fn code(&self) -> &'static str {
        match self {
            Unrefreshed::Cpam(CpamError::NotFound) => "CPAM_NOT_FOUND",
            Unrefreshed::Cpam(CpamError::Unauthorized) => "CPAM_UNAUTHORIZED",
            Unrefreshed::Cpam(CpamError::Unavailable(_)) => "CPAM_UNAVAILABLE",
            Unrefreshed::Cpam(CpamError::InvalidResponse(_)) => "CPAM_INVALID_RESPONSE",
            Unrefreshed::TimedOut => "CPAM_TIMEOUT",
        }
    }
}

/// What a structure's refresh did.
#[derive(Debug)]
pub struct StructureRefresh {
    /// Doctors refreshed.
    pub refreshed: u32,
    /// Doctors not refreshed, with why; their stored figures are unchanged (and now stale).
    pub failures: Vec<(Practitioner, Unrefreshed)>,
    /// The commune's zone today, stored, or why the CPAM did not give it.
    pub zone: Result<Zone, Unrefreshed>,
}

/// Years of figures fetched: the two calendar years before the current one.
fn years() -> [i32; 2] {
    let y = Utc::now().year();
    [y - 1, y - 2]
}

/// Refreshes one doctor by `deadline`. The outer error is ours (the store); the inner one the
/// CPAM's, already recorded. On success, the doctor as now stored.
pub async fn refresh_practitioner(
    store: &Store,
    client: &CpamClient,
    p: &Practitioner,
    deadline: Instant,
) -> Result<Result<Practitioner, Unrefreshed>, Error> {
    if let Err(e) = refresh_within(store, client, p, deadline).await? {
        return Ok(Err(e));
    }
    let fresh = store.practitioner(p.id).await?.ok_or(persistence::StoreError::NotFound("practitioner"))?;
    Ok(Ok(fresh))
}

/// Refreshes every current member of a structure, concurrently within the client's limit, and
/// the zoning of its commune, by `deadline`.
pub async fn refresh_structure(
    store: &Store,
    client: &CpamClient,
    structure: &Structure,
    deadline: Instant,
) -> Result<StructureRefresh, Error> {
    let today = Utc::now().date_naive();
    let mut members = Vec::new();
    let mut after = None;
    loop {
        let page = store.list_members(structure.id, Some(today), after, 100).await?;
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
    let zone = match tokio::time::timeout_at(deadline, client.zoning(&structure.fields.commune, today)).await {
        Ok(Ok(z)) => {
            let record = zone_record(z);
            store.save_zoning(&record).await?;
            Ok(record.zone)
        }
        Ok(Err(e)) => Err(Unrefreshed::Cpam(e)),
        Err(_) => Err(Unrefreshed::TimedOut),
    };
    let mut refreshed = 0;
    let mut failures = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (p, outcome) = joined?;
        match outcome? {
            Ok(()) => refreshed += 1,
            Err(e) => failures.push((p, e)),
        }
    }
    tracing::info!(
        structure = structure.id.0,
        refreshed,
        failed = failures.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "structure refreshed from the CPAM"
    );
    Ok(StructureRefresh { refreshed, failures, zone })
}

/// `refresh_one` within the budget. When the budget runs out, the unfinished refresh is
/// dropped (its transaction, if one was open, rolls back) and the attempt is recorded as
/// failed, so that the doctor's figures show as stale rather than silently old.
async fn refresh_within(
    store: &Store,
    client: &CpamClient,
    p: &Practitioner,
    deadline: Instant,
) -> Result<Result<(), Unrefreshed>, Error> {
    match tokio::time::timeout_at(deadline, refresh_one(store, client, p)).await {
        Ok(outcome) => outcome,
        Err(_) => {
            tracing::warn!(rpps = %p.fields.rpps, "CPAM refresh over budget; stored figures kept");
            Ok(Err(record_failure(store, p, Unrefreshed::TimedOut).await?))
        }
    }
}

/// Records a failed attempt, after which the doctor's CPAM figures read as stale.
async fn record_failure(store: &Store, p: &Practitioner, e: Unrefreshed) -> Result<Unrefreshed, Error> {
    store.record_cpam_failure(p.id, Utc::now(), e.code(), &e.to_string()).await?;
    Ok(e)
}

/// Fetches a doctor's profile and figures, then stores them in one transaction; on a CPAM
/// failure records the failed attempt instead.
async fn refresh_one(store: &Store, client: &CpamClient, p: &Practitioner) -> Result<Result<(), Unrefreshed>, Error> {
    let rpps = &p.fields.rpps;
    let [last, before] = years();
    let (profile, a1, a2) =
        tokio::join!(client.practitioner(rpps), client.activity(rpps, last), client.activity(rpps, before));
    // A year the CPAM has no figures for is simply absent; anything else fails the refresh.
    let year = |r: Result<CpamActivity, CpamError>| match r {
        Ok(a) => Ok(Some(a)),
        Err(CpamError::NotFound) => Ok(None),
        Err(e) => Err(e),
    };
    let now = Utc::now();
    let (profile, a1, a2) = match profile.and_then(|profile| Ok((profile, year(a1)?, year(a2)?))) {
        Ok(fetched) => fetched,
        Err(e) => {
            tracing::warn!(rpps = %rpps, error = %e, "CPAM refresh failed; stored figures kept");
            return Ok(Err(record_failure(store, p, Unrefreshed::Cpam(e)).await?));
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
        // The CPAM does not say: what the structure recorded stays.
        rqth: p.fields.rqth,
    };
    store.apply_cpam_refresh(&CpamRefresh { practitioner_id: p.id, fields, figures, at: now }).await?;
    Ok(Ok(()))
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
