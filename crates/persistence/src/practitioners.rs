//! Practitioners and their memberships of structures.

use chrono::{NaiveDate, Utc};
use domain::{Membership, MembershipId, Period, Practitioner, PractitionerFields, PractitionerId, Rpps, StructureId};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, NotSet, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};

use crate::convert::{RowContext, practitioner_from_row};
use crate::entities::{membership, practitioner};
use crate::{Page, Store, StoreError, StoreResult, Visibility, db_id, exists, updated};

/// A membership to create with, or for, a practitioner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMembership {
    pub structure_id: StructureId,
    pub partner: bool,
    pub period: Period,
}

/// A structure's member: the membership and the practitioner it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    pub membership: Membership,
    pub practitioner: Practitioner,
}

fn practitioner_active_model(fields: &PractitionerFields) -> practitioner::ActiveModel {
    practitioner::ActiveModel {
        id: NotSet,
        rpps: Set(fields.rpps.as_str().to_owned()),
        first_name: Set(fields.first_name.clone()),
        last_name: Set(fields.last_name.clone()),
        specialty: Set(fields.specialty.code().to_owned()),
        sector: Set(fields.sector.code().to_owned()),
        optam: Set(fields.optam.code().to_owned()),
        practice_mode: Set(fields.practice_mode.code().to_owned()),
        mep: Set(fields.mep),
        installed_on: Set(fields.installed_on),
        birth_year: Set(fields.birth_year),
        created_at: NotSet,
        updated_at: Set(Utc::now()),
    }
}

pub(crate) fn membership_from_row(row: membership::Model) -> StoreResult<Membership> {
    let cx = RowContext::new("memberships", row.id);
    Ok(Membership {
        id: MembershipId(i64::from(row.id)),
        structure_id: StructureId(i64::from(row.structure_id)),
        practitioner_id: PractitionerId(i64::from(row.practitioner_id)),
        partner: row.partner,
        period: cx.period(row.valid_from, row.valid_to)?,
    })
}

pub(crate) async fn insert_practitioner<C: ConnectionTrait>(
    conn: &C,
    fields: &PractitionerFields,
) -> StoreResult<Practitioner> {
    let mut am = practitioner_active_model(fields);
    am.created_at = Set(Utc::now());
    practitioner_from_row(am.insert(conn).await?)
}

pub(crate) async fn insert_membership<C: ConnectionTrait>(
    conn: &C,
    practitioner_id: PractitionerId,
    new: &NewMembership,
) -> StoreResult<Membership> {
    let practitioner_id = db_id(practitioner_id.0, "practitioner")?;
    let structure_id = db_id(new.structure_id.0, "structure")?;
    if !exists(conn, "structures", structure_id).await? {
        return Err(StoreError::NotFound("structure"));
    }
    let now = Utc::now();
    let row = membership::ActiveModel {
        id: NotSet,
        structure_id: Set(structure_id),
        practitioner_id: Set(practitioner_id),
        partner: Set(new.partner),
        valid_from: Set(new.period.from()),
        valid_to: Set(new.period.to()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    membership_from_row(row)
}

impl Store {
    /// Creates a practitioner and, if given, their membership of a structure, in one
    /// transaction: either both exist afterwards or neither does.
    pub async fn create_practitioner(
        &self,
        fields: &PractitionerFields,
        membership: Option<&NewMembership>,
    ) -> StoreResult<(Practitioner, Option<Membership>)> {
        let txn = self.db().begin().await?;
        let practitioner = insert_practitioner(&txn, fields).await?;
        let membership = match membership {
            Some(new) => Some(insert_membership(&txn, practitioner.id, new).await?),
            None => None,
        };
        txn.commit().await?;
        Ok((practitioner, membership))
    }

    pub async fn update_practitioner(
        &self,
        id: PractitionerId,
        fields: &PractitionerFields,
    ) -> StoreResult<Practitioner> {
        let mut am = practitioner_active_model(fields);
        am.id = sea_orm::ActiveValue::Unchanged(db_id(id.0, "practitioner")?);
        practitioner_from_row(updated(am.update(self.db()).await, "practitioner")?)
    }

    pub async fn practitioner(&self, id: PractitionerId) -> StoreResult<Option<Practitioner>> {
        let row = practitioner::Entity::find_by_id(db_id(id.0, "practitioner")?).one(self.db()).await?;
        row.map(practitioner_from_row).transpose()
    }

    pub async fn practitioner_by_rpps(&self, rpps: &Rpps) -> StoreResult<Option<Practitioner>> {
        let row =
            practitioner::Entity::find().filter(practitioner::Column::Rpps.eq(rpps.as_str())).one(self.db()).await?;
        row.map(practitioner_from_row).transpose()
    }

    pub async fn practitioners_by_ids(&self, ids: &[PractitionerId]) -> StoreResult<Vec<Practitioner>> {
        let ids: Vec<i32> = ids.iter().filter_map(|id| i32::try_from(id.0).ok()).collect();
        let rows = practitioner::Entity::find().filter(practitioner::Column::Id.is_in(ids)).all(self.db()).await?;
        rows.into_iter().map(practitioner_from_row).collect()
    }

    /// Whether the practitioner is or was a member of a structure the caller may see.
    pub async fn practitioner_visible(&self, id: PractitionerId, visibility: &Visibility) -> StoreResult<bool> {
        let Visibility::Structures(ids) = visibility else { return Ok(true) };
        let found = membership::Entity::find()
            .filter(membership::Column::PractitionerId.eq(db_id(id.0, "practitioner")?))
            .filter(membership::Column::StructureId.is_in(ids.iter().map(|s| s.0)))
            .one(self.db())
            .await?;
        Ok(found.is_some())
    }

    pub async fn create_membership(
        &self,
        practitioner_id: PractitionerId,
        new: &NewMembership,
    ) -> StoreResult<Membership> {
        let txn = self.db().begin().await?;
        let pid = db_id(practitioner_id.0, "practitioner")?;
        if !exists(&txn, "practitioners", pid).await? {
            return Err(StoreError::NotFound("practitioner"));
        }
        let membership = insert_membership(&txn, practitioner_id, new).await?;
        txn.commit().await?;
        Ok(membership)
    }

    /// Changes a membership's partner flag and period (e.g. records the day a doctor left).
    pub async fn update_membership(&self, id: MembershipId, partner: bool, period: Period) -> StoreResult<Membership> {
        let am = membership::ActiveModel {
            id: sea_orm::ActiveValue::Unchanged(db_id(id.0, "membership")?),
            partner: Set(partner),
            valid_from: Set(period.from()),
            valid_to: Set(period.to()),
            updated_at: Set(Utc::now()),
            ..Default::default()
        };
        membership_from_row(updated(am.update(self.db()).await, "membership")?)
    }

    pub async fn membership(&self, id: MembershipId) -> StoreResult<Option<Membership>> {
        let row = membership::Entity::find_by_id(db_id(id.0, "membership")?).one(self.db()).await?;
        row.map(membership_from_row).transpose()
    }

    /// A structure's members with their practitioner, ordered by membership id; `active_on`
    /// keeps only memberships whose period contains that day.
    pub async fn list_members(
        &self,
        structure_id: StructureId,
        active_on: Option<NaiveDate>,
        after: Option<MembershipId>,
        first: u64,
    ) -> StoreResult<Page<MemberRow>> {
        let mut query = membership::Entity::find()
            .filter(membership::Column::StructureId.eq(db_id(structure_id.0, "structure")?))
            .order_by_asc(membership::Column::Id)
            .limit(first + 1);
        if let Some(after) = after {
            query = query.filter(membership::Column::Id.gt(after.0));
        }
        if let Some(day) = active_on {
            query = query.filter(membership::Column::ValidFrom.lte(day)).filter(
                Condition::any().add(membership::Column::ValidTo.is_null()).add(membership::Column::ValidTo.gte(day)),
            );
        }
        let memberships = query.all(self.db()).await?;
        let ids: Vec<i32> = memberships.iter().map(|m| m.practitioner_id).collect();
        let practitioners =
            practitioner::Entity::find().filter(practitioner::Column::Id.is_in(ids)).all(self.db()).await?;
        let items = memberships
            .into_iter()
            .map(|m| {
                let cx = RowContext::new("memberships", m.id);
                let row = practitioners.iter().find(|p| p.id == m.practitioner_id).cloned();
                let practitioner = practitioner_from_row(row.ok_or_else(|| cx.corrupt("practitioner missing"))?)?;
                Ok(MemberRow { membership: membership_from_row(m)?, practitioner })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Page::from_overfetch(items, first))
    }

    /// Memberships of one practitioner, all structures.
    pub async fn memberships_of(&self, practitioner_id: PractitionerId) -> StoreResult<Vec<Membership>> {
        let rows = membership::Entity::find()
            .filter(membership::Column::PractitionerId.eq(db_id(practitioner_id.0, "practitioner")?))
            .order_by_asc(membership::Column::Id)
            .all(self.db())
            .await?;
        rows.into_iter().map(membership_from_row).collect()
    }
}
