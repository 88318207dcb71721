//! Refreshing doctors, a structure's contracts and a commune's zoning from the CPAM.
//! Everything for one subject (a doctor: profile, figures, the contracts they signed; a
//! structure: its contracts and ACI contract) is fetched first and written in one
//! transaction; when the CPAM fails, nothing of it is written (for a doctor, a failed attempt
//! is recorded, and stored figures read as stale from then on).
//!
//! The CPAM's contracts are stored as its own copies, matched by reference to the records
//! typed in by hand (persistence's `store_copies`): a refresh never duplicates a contract.

use std::time::Duration;

use ameli_connector::{CpamAciContract, CpamActivity, CpamClient, CpamContract, CpamError, CpamZoning};
use chrono::{Datelike, Utc};
use domain::rules::individual::Zone;
use domain::{ActivityFiguresFields, ContractKind, FiguresOrigin, Practitioner, PractitionerFields, Rpps, Structure};
use persistence::{
    CpamAciFacts, CpamAciYear, CpamContractFacts, CpamRefresh, CpamStructureRefresh, Store, StoredCopy, ZoningRecord,
};
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

/// What a doctor's refresh did.
#[derive(Debug)]
pub struct PractitionerRefresh {
    /// The doctor as now stored.
    pub practitioner: Practitioner,
    /// The CPAM's contracts signed by the doctor, each created, linked or not stored.
    pub contracts: Vec<StoredCopy>,
}

/// What became of a structure's own CPAM records (its contracts and ACI contract).
#[derive(Debug)]
pub enum StructureRecords {
    /// Stored in one transaction; the ACI contract's reference when the CPAM has one.
    Stored { aci_reference: Option<String> },
    /// The structure has no FINESS: the CPAM cannot be asked.
    NoFiness,
    /// The CPAM failed: nothing of them changed.
    Failed(Unrefreshed),
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
    /// The CPAM's contracts stored: the refreshed doctors' own, then the structure's.
    pub contracts: Vec<StoredCopy>,
    pub structure_records: StructureRecords,
}

/// Years of figures fetched: the two calendar years before the current one.
fn years() -> [i32; 2] {
    let y = Utc::now().year();
    [y - 1, y - 2]
}

/// Refreshes one doctor by `deadline`. The outer error is ours (the store); the inner one the
/// CPAM's, already recorded. On success, the doctor as now stored and their CPAM contracts.
pub async fn refresh_practitioner(
    store: &Store,
    client: &CpamClient,
    p: &Practitioner,
    deadline: Instant,
) -> Result<Result<PractitionerRefresh, Unrefreshed>, Error> {
    let contracts = match refresh_within(store, client, p, deadline).await? {
        Ok(contracts) => contracts,
        Err(e) => return Ok(Err(e)),
    };
    let fresh = store.practitioner(p.id).await?.ok_or(persistence::StoreError::NotFound("practitioner"))?;
    Ok(Ok(PractitionerRefresh { practitioner: fresh, contracts }))
}

/// Refreshes every current member of a structure, concurrently within the client's limit, the
/// structure's contracts and ACI contract, and the zoning of its commune, by `deadline`.
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
    let zone = async {
        match tokio::time::timeout_at(deadline, client.zoning(&structure.fields.commune, today)).await {
            Ok(Ok(z)) => {
                let record = zone_record(z);
                store.save_zoning(&record).await?;
                Ok::<_, Error>(Ok(record.zone))
            }
            Ok(Err(e)) => Ok(Err(Unrefreshed::Cpam(e))),
            Err(_) => Ok(Err(Unrefreshed::TimedOut)),
        }
    };
    let (zone, records) = tokio::join!(zone, refresh_structure_records(store, client, structure, deadline));
    let zone = zone?;
    let (mut structure_contracts, structure_records) = records?;
    let mut refreshed = 0;
    let mut failures = Vec::new();
    let mut contracts = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (p, outcome) = joined?;
        match outcome? {
            Ok(stored) => {
                refreshed += 1;
                contracts.extend(stored);
            }
            Err(e) => failures.push((p, e)),
        }
    }
    contracts.append(&mut structure_contracts);
    tracing::info!(
        structure = structure.id.0,
        refreshed,
        failed = failures.len(),
        contracts = contracts.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "structure refreshed from the CPAM"
    );
    Ok(StructureRefresh { refreshed, failures, zone, contracts, structure_records })
}

/// Fetches a structure's contracts and ACI contract, then stores them in one transaction; on
/// a CPAM failure or past `deadline`, stores nothing of them.
async fn refresh_structure_records(
    store: &Store,
    client: &CpamClient,
    structure: &Structure,
    deadline: Instant,
) -> Result<(Vec<StoredCopy>, StructureRecords), Error> {
    let Some(finess) = &structure.fields.finess else { return Ok((Vec::new(), StructureRecords::NoFiness)) };
    let fetched = tokio::time::timeout_at(deadline, async {
        let (contracts, aci) = tokio::join!(client.structure_contracts(finess), client.aci_contract(finess));
        // A structure the CPAM has no contract or no ACI contract for has none.
        let contracts = match contracts {
            Ok(c) => c,
            Err(CpamError::NotFound) => Vec::new(),
            Err(e) => return Err(e),
        };
        let aci = match aci {
            Ok(a) => Some(a),
            Err(CpamError::NotFound) => None,
            Err(e) => return Err(e),
        };
        Ok((contracts, aci))
    })
    .await;
    let (contracts, aci) = match fetched {
        Ok(Ok(fetched)) => fetched,
        Ok(Err(e)) => return Ok((Vec::new(), failed(structure, Unrefreshed::Cpam(e)))),
        Err(_) => return Ok((Vec::new(), failed(structure, Unrefreshed::TimedOut))),
    };
    let aci = aci.map(aci_facts);
    let aci_reference = aci.as_ref().map(|a| a.reference.clone());
    let refresh = CpamStructureRefresh {
        structure_id: structure.id,
        contracts: contracts.into_iter().map(contract_facts).collect(),
        aci,
        at: Utc::now(),
    };
    let stored = store.apply_cpam_structure_refresh(&refresh).await?;
    Ok((stored, StructureRecords::Stored { aci_reference }))
}

fn failed(structure: &Structure, e: Unrefreshed) -> StructureRecords {
    tracing::warn!(structure = structure.id.0, error = %e, "CPAM contracts of the structure not refreshed; stored copies kept");
    StructureRecords::Failed(e)
}

/// `refresh_one` within the budget. When the budget runs out, the unfinished refresh is
/// dropped (its transaction, if one was open, rolls back) and the attempt is recorded as
/// failed, so that the doctor's figures show as stale rather than silently old.
async fn refresh_within(
    store: &Store,
    client: &CpamClient,
    p: &Practitioner,
    deadline: Instant,
) -> Result<Result<Vec<StoredCopy>, Unrefreshed>, Error> {
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

/// Fetches a doctor's profile, figures and contracts, then stores them in one transaction; on
/// a CPAM failure records the failed attempt instead.
async fn refresh_one(
    store: &Store,
    client: &CpamClient,
    p: &Practitioner,
) -> Result<Result<Vec<StoredCopy>, Unrefreshed>, Error> {
    let rpps = &p.fields.rpps;
    let [last, before] = years();
    let (profile, a1, a2, contracts) = tokio::join!(
        client.practitioner(rpps),
        client.activity(rpps, last),
        client.activity(rpps, before),
        client.practitioner_contracts(rpps)
    );
    // A year the CPAM has no figures for is simply absent; anything else fails the refresh.
    let year = |r: Result<CpamActivity, CpamError>| match r {
        Ok(a) => Ok(Some(a)),
        Err(CpamError::NotFound) => Ok(None),
        Err(e) => Err(e),
    };
    let now = Utc::now();
    // A doctor the CPAM lists no contract for has none.
    let contracts = match contracts {
        Err(CpamError::NotFound) => Ok(Vec::new()),
        other => other,
    };
    let fetched = profile.and_then(|profile| Ok((profile, year(a1)?, year(a2)?, contracts?)));
    let (profile, a1, a2, contracts) = match fetched {
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
    let contracts = signed_by(contracts, rpps).into_iter().map(contract_facts).collect();
    let stored =
        store.apply_cpam_refresh(&CpamRefresh { practitioner_id: p.id, fields, figures, contracts, at: now }).await?;
    Ok(Ok(stored))
}

/// The individual contracts `rpps` signed. The collective contracts the CPAM lists for an
/// adherent are the signing structure's, stored by its own refresh: storing them with each
/// adherent would race between adherents refreshed concurrently.
fn signed_by(contracts: Vec<CpamContract>, rpps: &Rpps) -> Vec<CpamContract> {
    contracts.into_iter().filter(|c| c.kind == ContractKind::Individual && c.rpps.as_ref() == Some(rpps)).collect()
}

fn contract_facts(c: CpamContract) -> CpamContractFacts {
    CpamContractFacts {
        reference: c.reference,
        kind: c.kind,
        rpps: c.rpps,
        finess: c.finess,
        option: c.option,
        funded_etp: c.funded_etp,
        members: c.members,
        signed_on: c.signed_on,
        status: c.status,
        ends_on: c.ends_on,
    }
}

fn aci_facts(a: CpamAciContract) -> CpamAciFacts {
    CpamAciFacts {
        reference: a.reference,
        signed_on: a.signed_on,
        years: a.years.into_iter().map(|y| CpamAciYear { year: y.year, points: y.points, paid: y.paid }).collect(),
        coordination_declared: a.coordination_declared,
        coordination_etp: a.coordination_etp,
        coordination_holder: a.coordination_holder,
    }
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
