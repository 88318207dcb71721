//! What comes back from the CPAM: profile updates and figures written together with the
//! attempt in one transaction, failed attempts recorded alone (so that stored figures stay
//! as they were and can be shown as stale), and zoning with its validity.
//!
//! The CPAM's aid contracts and ACI contract are kept as the CPAM's own copies, beside the
//! records typed in by hand: a copy is matched to the record holding its reference
//! (`aid_contracts.cpam_reference`), and only an unknown reference creates a record, so a
//! refresh never duplicates one.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::rules::individual::Zone;
use domain::{
    ActivityFiguresFields, AidContractFields, AidOption, ContractId, ContractKind, ContractMember, ContractStatus,
    ContractTerms, Etp, Finess, InseeCommune, Period, PractitionerFields, PractitionerId, Rpps, StructureId,
};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, NotSet, QueryFilter,
    QueryOrder,
};

use crate::contracts::insert_contract;
use crate::convert::RowContext;
use crate::entities::{
    aid_contract, cpam_aci_contract, cpam_aci_year, cpam_contract, cpam_refresh, practitioner, structure, zoning,
};
use crate::figures::{FiguresUpsert, upsert_one};
use crate::{Store, StoreError, StoreResult, db_id, exists};

/// A successful refresh of one practitioner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpamRefresh {
    pub practitioner_id: PractitionerId,
    /// The profile as the CPAM knows it (the RPPS never changes).
    pub fields: PractitionerFields,
    /// Yearly figures, origin CPAM.
    pub figures: Vec<ActivityFiguresFields>,
    /// The aid contracts the doctor signed, as the CPAM has them.
    pub contracts: Vec<CpamContractFacts>,
    pub at: DateTime<Utc>,
}

/// A successful refresh of a structure's own CPAM records: its aid contracts and its ACI
/// contract (none when the CPAM has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpamStructureRefresh {
    pub structure_id: StructureId,
    pub contracts: Vec<CpamContractFacts>,
    pub aci: Option<CpamAciFacts>,
    pub at: DateTime<Utc>,
}

/// An aid contract as the CPAM returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpamContractFacts {
    pub reference: String,
    pub kind: ContractKind,
    /// Signatory of an individual contract.
    pub rpps: Option<Rpps>,
    /// Signatory of a collective contract.
    pub finess: Option<Finess>,
    pub option: Option<AidOption>,
    pub funded_etp: Option<Etp>,
    /// Adherents of a collective contract.
    pub members: Vec<Rpps>,
    pub signed_on: NaiveDate,
    pub status: ContractStatus,
    pub ends_on: Option<NaiveDate>,
}

/// The CPAM's stored copy of an aid contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpamContractCopy {
    pub facts: CpamContractFacts,
    /// The record it matched or created; none when none could be stored.
    pub contract_id: Option<ContractId>,
    pub fetched_at: DateTime<Utc>,
}

/// A structure's ACI contract as the CPAM returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpamAciFacts {
    pub reference: String,
    pub signed_on: NaiveDate,
    pub years: Vec<CpamAciYear>,
    pub coordination_declared: bool,
    pub coordination_etp: Option<Etp>,
    pub coordination_holder: Option<String>,
}

/// Points of one year of an ACI contract and the euros paid for them, once paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpamAciYear {
    pub year: i32,
    pub points: u32,
    pub paid: Option<Decimal>,
}

/// The CPAM's stored copy of a structure's ACI contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpamAciCopy {
    pub structure_id: StructureId,
    pub facts: CpamAciFacts,
    pub fetched_at: DateTime<Utc>,
}

/// A contract's CPAM side: the reference it records and the CPAM's copy linked to it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpamLink {
    pub reference: Option<String>,
    pub copy: Option<CpamContractCopy>,
}

/// What storing one CPAM contract did to the records. Its copy is stored in every case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyOutcome {
    /// No record had its reference: one was created from the CPAM's facts.
    Created(ContractId),
    /// A record typed in by hand has its reference: the copy is now linked to it.
    Linked(ContractId),
    /// Already linked to this record by an earlier refresh: the copy is updated.
    Refreshed(ContractId),
    /// No record has its reference and none could be created from the CPAM's facts.
    NotStored(NotStored),
}

/// Why a CPAM contract could not become a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotStored {
    #[error("its signatory RPPS {0} is not a recorded doctor")]
    UnknownPractitioner(Rpps),
    #[error("its signatory FINESS {0} is not a recorded structure")]
    UnknownStructure(Finess),
    #[error("the CPAM gave no {0}")]
    Missing(&'static str),
    #[error("its dates do not fit: {0}")]
    Dates(String),
}

/// One CPAM contract stored: its reference, what became of it, and the adherents the CPAM
/// lists that are not recorded doctors (left out of a created record, never invented).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCopy {
    pub reference: String,
    pub outcome: CopyOutcome,
    pub unknown_members: Vec<Rpps>,
}

/// The history of CPAM refreshes of one practitioner, as far as staleness needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpamStatus {
    pub last_success: Option<DateTime<Utc>>,
    pub last_failure: Option<(DateTime<Utc>, String, String)>,
    /// The first failure after the last success: figures from the CPAM are stale since then.
    pub failing_since: Option<DateTime<Utc>>,
}

/// A commune's zone over a period, as the CPAM gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoningRecord {
    pub commune: InseeCommune,
    pub zone: Zone,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub decision: Option<String>,
    pub obtained_at: DateTime<Utc>,
}

impl Store {
    /// Writes a successful refresh in one transaction: the profile, every year's figures, the
    /// CPAM's copies of the doctor's contracts (matched to records by reference) and the
    /// attempt. On any failure nothing of it is written.
    pub async fn apply_cpam_refresh(&self, refresh: &CpamRefresh) -> StoreResult<Vec<StoredCopy>> {
        let txn = self.write_transaction().await?;
        let pid = db_id(refresh.practitioner_id.0, "practitioner")?;
        let current =
            practitioner::Entity::find_by_id(pid).one(&txn).await?.ok_or(StoreError::NotFound("practitioner"))?;
        if current.rpps != refresh.fields.rpps.as_str() {
            return Err(StoreError::CorruptRow {
                table: "practitioners",
                id: i64::from(pid),
                reason: "RPPS changed by a refresh".into(),
            });
        }
        let f = &refresh.fields;
        practitioner::ActiveModel {
            id: sea_orm::ActiveValue::Unchanged(pid),
            first_name: Set(f.first_name.clone()),
            last_name: Set(f.last_name.clone()),
            specialty: Set(f.specialty.code().to_owned()),
            sector: Set(f.sector.code().to_owned()),
            optam: Set(f.optam.code().to_owned()),
            practice_mode: Set(f.practice_mode.code().to_owned()),
            mep: Set(f.mep),
            installed_on: Set(f.installed_on),
            updated_at: Set(refresh.at),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        for fields in &refresh.figures {
            upsert_one(&txn, &FiguresUpsert { practitioner_id: refresh.practitioner_id, fields: fields.clone() })
                .await?;
        }
        let stored = store_copies(&txn, &refresh.contracts, refresh.at).await?;
        cpam_refresh::ActiveModel {
            id: NotSet,
            practitioner_id: Set(pid),
            attempted_at: Set(refresh.at),
            succeeded: Set(true),
            error_code: Set(None),
            error_message: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(stored)
    }

    /// Writes a structure's CPAM contracts and ACI contract in one transaction: each contract's
    /// copy, matched to the record holding its reference or creating one, and the ACI copy,
    /// updated in place for the same reference. On any failure nothing of it is written.
    pub async fn apply_cpam_structure_refresh(&self, refresh: &CpamStructureRefresh) -> StoreResult<Vec<StoredCopy>> {
        let txn = self.write_transaction().await?;
        let sid = db_id(refresh.structure_id.0, "structure")?;
        if !exists(&txn, "structures", sid).await? {
            return Err(StoreError::NotFound("structure"));
        }
        let stored = store_copies(&txn, &refresh.contracts, refresh.at).await?;
        if let Some(aci) = &refresh.aci {
            store_aci_copy(&txn, sid, aci, refresh.at).await?;
        }
        txn.commit().await?;
        Ok(stored)
    }

    /// The CPAM's copies linked to some contracts, in one query.
    pub async fn cpam_copies_of(&self, ids: &[ContractId]) -> StoreResult<HashMap<ContractId, CpamContractCopy>> {
        let keys: Vec<i32> = ids.iter().filter_map(|id| i32::try_from(id.0).ok()).collect();
        let rows = cpam_contract::Entity::find()
            .filter(cpam_contract::Column::AidContractId.is_in(keys))
            .all(self.db())
            .await?;
        rows.into_iter()
            .map(copy_from_row)
            .filter_map(|copy| copy.map(|c| c.contract_id.map(|id| (id, c))).transpose())
            .collect()
    }

    /// The CPAM side of some contracts, in two queries; every asked contract has an entry.
    pub async fn cpam_links(&self, ids: &[ContractId]) -> StoreResult<HashMap<ContractId, CpamLink>> {
        let mut references = self.contract_cpam_references(ids).await?;
        let mut copies = self.cpam_copies_of(ids).await?;
        Ok(ids.iter().map(|id| (*id, CpamLink { reference: references.remove(id), copy: copies.remove(id) })).collect())
    }

    /// The CPAM's copy of a contract by its reference, linked or not.
    pub async fn cpam_copy(&self, reference: &str) -> StoreResult<Option<CpamContractCopy>> {
        let row =
            cpam_contract::Entity::find().filter(cpam_contract::Column::Reference.eq(reference)).one(self.db()).await?;
        row.map(copy_from_row).transpose()
    }

    /// The CPAM's copy of a structure's ACI contract, the most recently fetched when the CPAM
    /// gave more than one reference over time.
    pub async fn cpam_aci_copy(&self, structure_id: StructureId) -> StoreResult<Option<CpamAciCopy>> {
        Ok(self.cpam_aci_copies(&[structure_id]).await?.remove(&structure_id))
    }

    /// [`Store::cpam_aci_copy`] of several structures, in two queries.
    pub async fn cpam_aci_copies(
        &self,
        structure_ids: &[StructureId],
    ) -> StoreResult<HashMap<StructureId, CpamAciCopy>> {
        let keys: Vec<i32> = structure_ids.iter().filter_map(|id| i32::try_from(id.0).ok()).collect();
        let rows = cpam_aci_contract::Entity::find()
            .filter(cpam_aci_contract::Column::StructureId.is_in(keys))
            .order_by_asc(cpam_aci_contract::Column::FetchedAt)
            .order_by_asc(cpam_aci_contract::Column::Id)
            .all(self.db())
            .await?;
        // Ordered oldest first: the latest of each structure is the one kept.
        let mut latest: HashMap<i32, cpam_aci_contract::Model> = HashMap::new();
        for row in rows {
            latest.insert(row.structure_id, row);
        }
        let mut years: HashMap<i32, Vec<cpam_aci_year::Model>> = HashMap::new();
        for y in cpam_aci_year::Entity::find()
            .filter(cpam_aci_year::Column::AciContractId.is_in(latest.values().map(|r| r.id)))
            .order_by_asc(cpam_aci_year::Column::Year)
            .all(self.db())
            .await?
        {
            years.entry(y.aci_contract_id).or_default().push(y);
        }
        latest
            .into_values()
            .map(|row| {
                let own = years.remove(&row.id).unwrap_or_default();
                aci_from_rows(row, own).map(|copy| (copy.structure_id, copy))
            })
            .collect()
    }

    /// Records a failed attempt; nothing else changes.
    pub async fn record_cpam_failure(
        &self,
        practitioner_id: PractitionerId,
        at: DateTime<Utc>,
        code: &str,
        message: &str,
    ) -> StoreResult<()> {
        let pid = db_id(practitioner_id.0, "practitioner")?;
        if !exists(self.db(), "practitioners", pid).await? {
            return Err(StoreError::NotFound("practitioner"));
        }
        cpam_refresh::ActiveModel {
            id: NotSet,
            practitioner_id: Set(pid),
            attempted_at: Set(at),
            succeeded: Set(false),
            error_code: Set(Some(code.to_owned())),
            error_message: Set(Some(message.chars().take(500).collect())),
        }
        .insert(self.writer()?)
        .await?;
        Ok(())
    }

    pub async fn cpam_status(&self, practitioner_id: PractitionerId) -> StoreResult<CpamStatus> {
        Ok(self.cpam_statuses(&[practitioner_id]).await?.remove(&practitioner_id).unwrap_or_default())
    }

    /// The CPAM status of several practitioners in one query; absent ones have no attempt.
    pub async fn cpam_statuses(
        &self,
        practitioner_ids: &[PractitionerId],
    ) -> StoreResult<HashMap<PractitionerId, CpamStatus>> {
        let keys: Vec<i32> = practitioner_ids.iter().filter_map(|id| i32::try_from(id.0).ok()).collect();
        let rows = cpam_refresh::Entity::find()
            .filter(cpam_refresh::Column::PractitionerId.is_in(keys))
            .order_by_asc(cpam_refresh::Column::AttemptedAt)
            .all(self.db())
            .await?;
        let mut statuses: HashMap<PractitionerId, CpamStatus> = HashMap::new();
        for r in rows {
            let status = statuses.entry(PractitionerId(i64::from(r.practitioner_id))).or_default();
            if r.succeeded {
                status.last_success = Some(r.attempted_at);
                status.failing_since = None;
            } else {
                status.failing_since.get_or_insert(r.attempted_at);
                status.last_failure =
                    Some((r.attempted_at, r.error_code.unwrap_or_default(), r.error_message.unwrap_or_default()));
            }
        }
        Ok(statuses)
    }

    /// Inserts or replaces the zoning of a commune from a date.
    pub async fn save_zoning(&self, record: &ZoningRecord) -> StoreResult<()> {
        let existing = zoning::Entity::find()
            .filter(zoning::Column::Commune.eq(record.commune.as_str()))
            .filter(zoning::Column::ValidFrom.eq(record.valid_from))
            .one(self.db())
            .await?;
        let am = zoning::ActiveModel {
            id: existing.as_ref().map_or(NotSet, |e| sea_orm::ActiveValue::Unchanged(e.id)),
            commune: Set(record.commune.as_str().to_owned()),
            zone: Set(record.zone.code().to_owned()),
            valid_from: Set(record.valid_from),
            valid_to: Set(record.valid_to),
            decision: Set(record.decision.clone()),
            obtained_at: Set(record.obtained_at),
        };
        if existing.is_some() {
            am.update(self.writer()?).await?;
        } else {
            am.insert(self.writer()?).await?;
        }
        Ok(())
    }

    /// The stored zone of a commune on a day.
    pub async fn zoning_on(&self, commune: &InseeCommune, day: NaiveDate) -> StoreResult<Option<ZoningRecord>> {
        let row = zoning::Entity::find()
            .filter(zoning::Column::Commune.eq(commune.as_str()))
            .filter(zoning::Column::ValidFrom.lte(day))
            .filter(Condition::any().add(zoning::Column::ValidTo.is_null()).add(zoning::Column::ValidTo.gte(day)))
            .order_by_desc(zoning::Column::ValidFrom)
            .one(self.db())
            .await?;
        row.map(zoning_from_row).transpose()
    }

    /// Every stored zoning period of some communes, newest first: their zone on any day in one
    /// query.
    pub async fn zonings_of(&self, communes: &[&InseeCommune]) -> StoreResult<Vec<ZoningRecord>> {
        let codes: Vec<&str> = communes.iter().map(|c| c.as_str()).collect();
        let rows = zoning::Entity::find()
            .filter(zoning::Column::Commune.is_in(codes))
            .order_by_desc(zoning::Column::ValidFrom)
            .all(self.db())
            .await?;
        rows.into_iter().map(zoning_from_row).collect()
    }
}

fn zoning_from_row(r: zoning::Model) -> StoreResult<ZoningRecord> {
    let zone = Zone::from_code(&r.zone).map_err(|_| StoreError::CorruptRow {
        table: "zonings",
        id: i64::from(r.id),
        reason: format!("zone {}", r.zone),
    })?;
    let commune = InseeCommune::parse(&r.commune).map_err(|e| StoreError::CorruptRow {
        table: "zonings",
        id: i64::from(r.id),
        reason: e.reason,
    })?;
    Ok(ZoningRecord {
        commune,
        zone,
        valid_from: r.valid_from,
        valid_to: r.valid_to,
        decision: r.decision,
        obtained_at: r.obtained_at,
    })
}

/// Stores each CPAM contract's copy and links it to the record holding its reference, or
/// creates that record from the CPAM's facts when none does.
async fn store_copies<C: ConnectionTrait>(
    conn: &C,
    contracts: &[CpamContractFacts],
    at: DateTime<Utc>,
) -> StoreResult<Vec<StoredCopy>> {
    let mut stored = Vec::with_capacity(contracts.len());
    for facts in contracts {
        let existing = cpam_contract::Entity::find()
            .filter(cpam_contract::Column::Reference.eq(facts.reference.as_str()))
            .one(conn)
            .await?;
        let recorded = aid_contract::Entity::find()
            .filter(aid_contract::Column::CpamReference.eq(facts.reference.as_str()))
            .one(conn)
            .await?;
        let mut unknown_members = Vec::new();
        let outcome = match recorded {
            Some(row) if existing.as_ref().and_then(|e| e.aid_contract_id) == Some(row.id) => {
                CopyOutcome::Refreshed(ContractId(i64::from(row.id)))
            }
            Some(row) => CopyOutcome::Linked(ContractId(i64::from(row.id))),
            None => match record_from_facts(conn, facts).await? {
                Ok((fields, unknown)) => {
                    unknown_members = unknown;
                    CopyOutcome::Created(insert_contract(conn, &fields, Some(&facts.reference)).await?.id)
                }
                Err(why) => CopyOutcome::NotStored(why),
            },
        };
        let linked = match &outcome {
            CopyOutcome::Created(id) | CopyOutcome::Linked(id) | CopyOutcome::Refreshed(id) => {
                Some(db_id(id.0, "contract")?)
            }
            CopyOutcome::NotStored(_) => None,
        };
        let rpps_list: Vec<&str> = facts.members.iter().map(Rpps::as_str).collect();
        let am = cpam_contract::ActiveModel {
            id: existing.as_ref().map_or(NotSet, |e| sea_orm::ActiveValue::Unchanged(e.id)),
            reference: Set(facts.reference.clone()),
            kind: Set(facts.kind.code().to_owned()),
            rpps: Set(facts.rpps.as_ref().map(|r| r.as_str().to_owned())),
            finess: Set(facts.finess.as_ref().map(|f| f.as_str().to_owned())),
            option: Set(facts.option.map(|o| o.code().to_owned())),
            funded_etp: Set(facts.funded_etp.map(|e| e.to_string())),
            signed_on: Set(facts.signed_on),
            status: Set(facts.status.code().to_owned()),
            ends_on: Set(facts.ends_on),
            member_rpps: Set(rpps_list.join(",")),
            aid_contract_id: Set(linked),
            fetched_at: Set(at),
        };
        if existing.is_some() {
            am.update(conn).await?;
        } else {
            am.insert(conn).await?;
        }
        stored.push(StoredCopy { reference: facts.reference.clone(), outcome, unknown_members });
    }
    Ok(stored)
}

/// The record a CPAM contract becomes, with the adherents the store does not know; or why it
/// cannot become one.
async fn record_from_facts<C: ConnectionTrait>(
    conn: &C,
    facts: &CpamContractFacts,
) -> StoreResult<Result<(AidContractFields, Vec<Rpps>), NotStored>> {
    let mut unknown = Vec::new();
    let terms = match facts.kind {
        ContractKind::Individual => {
            let Some(rpps) = &facts.rpps else { return Ok(Err(NotStored::Missing("signatory RPPS"))) };
            let Some(option) = facts.option else { return Ok(Err(NotStored::Missing("option"))) };
            let Some(signer) = practitioner_ids(conn, std::slice::from_ref(rpps)).await?.remove(rpps) else {
                return Ok(Err(NotStored::UnknownPractitioner(rpps.clone())));
            };
            ContractTerms::Individual { practitioner_id: signer, option }
        }
        ContractKind::Collective => {
            let Some(finess) = &facts.finess else { return Ok(Err(NotStored::Missing("signatory FINESS"))) };
            let Some(funded_etp) = facts.funded_etp else { return Ok(Err(NotStored::Missing("funded ETP"))) };
            let Some(company) =
                structure::Entity::find().filter(structure::Column::Finess.eq(finess.as_str())).one(conn).await?
            else {
                return Ok(Err(NotStored::UnknownStructure(finess.clone())));
            };
            // The CPAM lists adherents without dates: each adheres over the contract's term.
            let period = match Period::new(facts.signed_on, facts.ends_on) {
                Ok(p) => p,
                Err(e) => return Ok(Err(NotStored::Dates(e.to_string()))),
            };
            let known = practitioner_ids(conn, &facts.members).await?;
            let mut members = Vec::with_capacity(facts.members.len());
            for rpps in &facts.members {
                match known.get(rpps) {
                    Some(id) if !members.iter().any(|m: &ContractMember| m.practitioner_id == *id) => {
                        members.push(ContractMember { practitioner_id: *id, period });
                    }
                    Some(_) => {}
                    None => unknown.push(rpps.clone()),
                }
            }
            ContractTerms::Collective { structure_id: StructureId(i64::from(company.id)), funded_etp, members }
        }
    };
    let fields = AidContractFields {
        terms,
        signed_on: facts.signed_on,
        status: facts.status,
        ends_on: facts.ends_on,
        renewals: 0,
        baseline_on: None,
    };
    if let Err(e) = fields.check_dates() {
        return Ok(Err(NotStored::Dates(e.to_string())));
    }
    Ok(Ok((fields, unknown)))
}

/// The recorded doctors among some RPPS, in one query.
async fn practitioner_ids<C: ConnectionTrait>(conn: &C, rpps: &[Rpps]) -> StoreResult<HashMap<Rpps, PractitionerId>> {
    let rows = practitioner::Entity::find()
        .filter(practitioner::Column::Rpps.is_in(rpps.iter().map(Rpps::as_str)))
        .all(conn)
        .await?;
    Ok(rpps
        .iter()
        .filter_map(|r| {
            rows.iter().find(|row| row.rpps == r.as_str()).map(|row| (r.clone(), PractitionerId(i64::from(row.id))))
        })
        .collect())
}

/// Inserts or updates in place the ACI copy of `reference` for the structure, with its years.
async fn store_aci_copy<C: ConnectionTrait>(
    conn: &C,
    structure_id: i32,
    aci: &CpamAciFacts,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let existing = cpam_aci_contract::Entity::find()
        .filter(cpam_aci_contract::Column::StructureId.eq(structure_id))
        .filter(cpam_aci_contract::Column::Reference.eq(aci.reference.as_str()))
        .one(conn)
        .await?;
    let am = cpam_aci_contract::ActiveModel {
        id: existing.as_ref().map_or(NotSet, |e| sea_orm::ActiveValue::Unchanged(e.id)),
        structure_id: Set(structure_id),
        reference: Set(aci.reference.clone()),
        signed_on: Set(aci.signed_on),
        coordination_declared: Set(aci.coordination_declared),
        coordination_etp: Set(aci.coordination_etp.map(|e| e.to_string())),
        coordination_holder: Set(aci.coordination_holder.clone()),
        fetched_at: Set(at),
    };
    let id = if existing.is_some() { am.update(conn).await?.id } else { am.insert(conn).await?.id };
    cpam_aci_year::Entity::delete_many().filter(cpam_aci_year::Column::AciContractId.eq(id)).exec(conn).await?;
    for y in &aci.years {
        let points = i32::try_from(y.points)
            .map_err(|_| StoreError::Database(sea_orm::DbErr::Custom(format!("{} ACI points", y.points))))?;
        cpam_aci_year::ActiveModel {
            id: NotSet,
            aci_contract_id: Set(id),
            year: Set(y.year),
            points: Set(points),
            paid: Set(y.paid.map(|p| p.to_string())),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

fn copy_from_row(r: cpam_contract::Model) -> StoreResult<CpamContractCopy> {
    let cx = RowContext::new("cpam_contracts", r.id);
    let rpps = |v: &str| cx.parse(Rpps::parse, v);
    Ok(CpamContractCopy {
        facts: CpamContractFacts {
            kind: cx.code(ContractKind::from_code, &r.kind)?,
            rpps: r.rpps.as_deref().map(rpps).transpose()?,
            finess: r.finess.as_deref().map(|v| cx.parse(Finess::parse, v)).transpose()?,
            option: r.option.as_deref().map(|v| cx.code(AidOption::from_code, v)).transpose()?,
            funded_etp: r.funded_etp.as_deref().map(|v| cx.etp(v)).transpose()?,
            members: r.member_rpps.split(',').filter(|m| !m.is_empty()).map(rpps).collect::<StoreResult<_>>()?,
            signed_on: r.signed_on,
            status: cx.code(ContractStatus::from_code, &r.status)?,
            ends_on: r.ends_on,
            reference: r.reference,
        },
        contract_id: r.aid_contract_id.map(|id| ContractId(i64::from(id))),
        fetched_at: r.fetched_at,
    })
}

fn aci_from_rows(r: cpam_aci_contract::Model, years: Vec<cpam_aci_year::Model>) -> StoreResult<CpamAciCopy> {
    let cx = RowContext::new("cpam_aci_contracts", r.id);
    let years = years
        .into_iter()
        .map(|y| {
            let cy = RowContext::new("cpam_aci_years", y.id);
            Ok(CpamAciYear {
                year: y.year,
                points: u32::try_from(y.points).map_err(|e| cy.corrupt(e))?,
                paid: y.paid.as_deref().map(|p| p.parse::<Decimal>().map_err(|e| cy.corrupt(e))).transpose()?,
            })
        })
        .collect::<StoreResult<_>>()?;
    Ok(CpamAciCopy {
        structure_id: StructureId(i64::from(r.structure_id)),
        facts: CpamAciFacts {
            reference: r.reference,
            signed_on: r.signed_on,
            years,
            coordination_declared: r.coordination_declared,
            coordination_etp: r.coordination_etp.as_deref().map(|v| cx.etp(v)).transpose()?,
            coordination_holder: r.coordination_holder,
        },
        fetched_at: r.fetched_at,
    })
}
