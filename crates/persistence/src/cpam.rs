//! What comes back from the CPAM: profile updates and figures written together with the
//! attempt in one transaction, failed attempts recorded alone (so that stored figures stay
//! as they were and can be shown as stale), and zoning with its validity.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::rules::individual::Zone;
use domain::{ActivityFiguresFields, InseeCommune, PractitionerFields, PractitionerId};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, NotSet, QueryFilter, QueryOrder,
    TransactionTrait,
};

use crate::entities::{cpam_refresh, practitioner, zoning};
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
    pub at: DateTime<Utc>,
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
    /// Writes a successful refresh in one transaction: the profile, every year's figures and
    /// the attempt. On any failure nothing of it is written.
    pub async fn apply_cpam_refresh(&self, refresh: &CpamRefresh) -> StoreResult<()> {
        let txn = self.db().begin().await?;
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
        Ok(())
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
        .insert(self.db())
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
            am.update(self.db()).await?;
        } else {
            am.insert(self.db()).await?;
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
