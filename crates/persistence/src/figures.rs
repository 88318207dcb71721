//! Yearly activity figures per practitioner: counts only, with their origin and the time they
//! were obtained, so that stale figures can be shown as stale.

use domain::{ActivityFigures, ActivityFiguresFields, FiguresId, FiguresOrigin, PractitionerId};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder,
};

use crate::convert::{RowContext, count_to_db};
use crate::entities::activity_figures::{ActiveModel, Column, Entity, Model};
use crate::{Store, StoreError, StoreResult, db_id, exists};

/// Figures of one practitioner for one year, to insert or replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiguresUpsert {
    pub practitioner_id: PractitionerId,
    pub fields: ActivityFiguresFields,
}

fn figures_from_row(row: Model) -> StoreResult<ActivityFigures> {
    let cx = RowContext::new("activity_figures", row.id);
    Ok(ActivityFigures {
        id: FiguresId(i64::from(row.id)),
        practitioner_id: PractitionerId(i64::from(row.practitioner_id)),
        fields: ActivityFiguresFields {
            year: row.year,
            pmt: cx.count(row.pmt)?,
            adult_pmt: cx.count(row.adult_pmt)?,
            file_active: cx.count(row.file_active)?,
            ccam_share_bp: cx.count(row.ccam_share_bp)?,
            band: cx.band(row.band.as_deref())?,
            origin: cx.code(FiguresOrigin::from_code, &row.origin)?,
            obtained_at: row.obtained_at,
        },
    })
}

pub(crate) async fn upsert_one<C: ConnectionTrait>(conn: &C, upsert: &FiguresUpsert) -> StoreResult<ActivityFigures> {
    let pid = db_id(upsert.practitioner_id.0, "practitioner")?;
    if !exists(conn, "practitioners", pid).await? {
        return Err(StoreError::NotFound("practitioner"));
    }
    let f = &upsert.fields;
    let existing =
        Entity::find().filter(Column::PractitionerId.eq(pid)).filter(Column::Year.eq(f.year)).one(conn).await?;
    let am = ActiveModel {
        id: existing.as_ref().map_or(NotSet, |e| sea_orm::ActiveValue::Unchanged(e.id)),
        practitioner_id: Set(pid),
        year: Set(f.year),
        pmt: Set(count_to_db(f.pmt)?),
        adult_pmt: Set(count_to_db(f.adult_pmt)?),
        file_active: Set(count_to_db(f.file_active)?),
        ccam_share_bp: Set(count_to_db(f.ccam_share_bp)?),
        band: Set(f.band.map(|b| b.code().to_owned())),
        origin: Set(f.origin.code().to_owned()),
        obtained_at: Set(f.obtained_at),
    };
    let row = if existing.is_some() { am.update(conn).await? } else { am.insert(conn).await? };
    figures_from_row(row)
}

impl Store {
    /// Inserts or replaces the figures of each (practitioner, year), all in one transaction:
    /// a failure on any of them leaves every stored figure as it was.
    pub async fn upsert_figures(&self, upserts: &[FiguresUpsert]) -> StoreResult<Vec<ActivityFigures>> {
        let txn = self.write_transaction().await?;
        let mut saved = Vec::with_capacity(upserts.len());
        for upsert in upserts {
            saved.push(upsert_one(&txn, upsert).await?);
        }
        txn.commit().await?;
        Ok(saved)
    }

    /// A practitioner's figures, newest year first.
    pub async fn figures_of(&self, practitioner_id: PractitionerId) -> StoreResult<Vec<ActivityFigures>> {
        self.figures_of_many(&[practitioner_id]).await
    }

    /// Figures of several practitioners in one query, each one's newest year first.
    pub async fn figures_of_many(&self, practitioner_ids: &[PractitionerId]) -> StoreResult<Vec<ActivityFigures>> {
        let keys: Vec<i32> = practitioner_ids.iter().filter_map(|id| i32::try_from(id.0).ok()).collect();
        let rows = Entity::find()
            .filter(Column::PractitionerId.is_in(keys))
            .order_by_asc(Column::PractitionerId)
            .order_by_desc(Column::Year)
            .all(self.db())
            .await?;
        rows.into_iter().map(figures_from_row).collect()
    }
}
