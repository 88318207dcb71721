//! Practitioners and their memberships of structures.

use std::collections::HashSet;

use chrono::{NaiveDate, Utc};
use domain::{Membership, MembershipId, Period, Practitioner, PractitionerFields, PractitionerId, Rpps, StructureId};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, NotSet, QueryFilter,
    QueryOrder, QuerySelect,
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
    pub hosts_docteur_junior: Option<bool>,
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
        rqth: Set(fields.rqth),
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
        hosts_docteur_junior: row.hosts_docteur_junior,
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

/// A doctor is a member of a structure once at a time: two memberships of the same pair whose
/// periods share a day would count the doctor twice (in the team, its ETP, its objectives).
async fn ensure_no_overlap<C: ConnectionTrait>(
    conn: &C,
    practitioner_id: i32,
    structure_id: i32,
    period: Period,
    except: Option<i32>,
) -> StoreResult<()> {
    let mut query = membership::Entity::find()
        .filter(membership::Column::PractitionerId.eq(practitioner_id))
        .filter(membership::Column::StructureId.eq(structure_id));
    if let Some(id) = except {
        query = query.filter(membership::Column::Id.ne(id));
    }
    for row in query.all(conn).await? {
        let other = membership_from_row(row)?;
        if other.period.overlaps(&period) {
            return Err(StoreError::OverlappingMembership);
        }
    }
    Ok(())
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
    ensure_no_overlap(conn, practitioner_id, structure_id, new.period, None).await?;
    let now = Utc::now();
    let row = membership::ActiveModel {
        id: NotSet,
        structure_id: Set(structure_id),
        practitioner_id: Set(practitioner_id),
        partner: Set(new.partner),
        valid_from: Set(new.period.from()),
        valid_to: Set(new.period.to()),
        hosts_docteur_junior: Set(new.hosts_docteur_junior),
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
        let txn = self.write_transaction().await?;
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
        practitioner_from_row(updated(am.update(self.writer()?).await, "practitioner")?)
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

    /// A practitioner by RPPS if they are or were a member of a structure the caller may see,
    /// in one query: a doctor recorded elsewhere costs the same as an absent one.
    pub async fn practitioner_by_rpps_within(
        &self,
        rpps: &Rpps,
        visibility: &Visibility,
    ) -> StoreResult<Option<Practitioner>> {
        let mut query = practitioner::Entity::find().filter(practitioner::Column::Rpps.eq(rpps.as_str()));
        if let Visibility::Structures(structures) = visibility {
            let members = sea_orm::sea_query::Query::select()
                .column(membership::Column::PractitionerId)
                .from(membership::Entity)
                .and_where(membership::Column::StructureId.is_in(structures.iter().map(|s| s.0)))
                .to_owned();
            query = query.filter(practitioner::Column::Id.in_subquery(members));
        }
        query.one(self.db()).await?.map(practitioner_from_row).transpose()
    }

    pub async fn practitioners_by_ids(&self, ids: &[PractitionerId]) -> StoreResult<Vec<Practitioner>> {
        let ids: Vec<i32> = ids.iter().filter_map(|id| i32::try_from(id.0).ok()).collect();
        let rows = practitioner::Entity::find().filter(practitioner::Column::Id.is_in(ids)).all(self.db()).await?;
        rows.into_iter().map(practitioner_from_row).collect()
    }

    /// Whether the practitioner is or was a member of a structure the caller may see.
    pub async fn practitioner_visible(&self, id: PractitionerId, visibility: &Visibility) -> StoreResult<bool> {
        Ok(self.visible_practitioners(&[id], visibility).await?.contains(&id))
    }

    /// Those of `ids` who are or were members of a structure the caller may see, in one query.
    pub async fn visible_practitioners(
        &self,
        ids: &[PractitionerId],
        visibility: &Visibility,
    ) -> StoreResult<HashSet<PractitionerId>> {
        let Visibility::Structures(structures) = visibility else { return Ok(ids.iter().copied().collect()) };
        let keys: Vec<i32> = ids.iter().filter_map(|id| i32::try_from(id.0).ok()).collect();
        let rows = membership::Entity::find()
            .filter(membership::Column::PractitionerId.is_in(keys))
            .filter(membership::Column::StructureId.is_in(structures.iter().map(|s| s.0)))
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(|m| PractitionerId(i64::from(m.practitioner_id))).collect())
    }

    pub async fn create_membership(
        &self,
        practitioner_id: PractitionerId,
        new: &NewMembership,
    ) -> StoreResult<Membership> {
        let txn = self.write_transaction().await?;
        let pid = db_id(practitioner_id.0, "practitioner")?;
        if !exists(&txn, "practitioners", pid).await? {
            return Err(StoreError::NotFound("practitioner"));
        }
        let membership = insert_membership(&txn, practitioner_id, new).await?;
        txn.commit().await?;
        Ok(membership)
    }

    /// Changes a membership's partner flag and period (e.g. records the day a doctor left).
    /// Replaces a membership's partnership, period and docteur-junior hosting.
    pub async fn update_membership(
        &self,
        id: MembershipId,
        partner: bool,
        period: Period,
        hosts_docteur_junior: Option<bool>,
    ) -> StoreResult<Membership> {
        let key = db_id(id.0, "membership")?;
        let txn = self.write_transaction().await?;
        let current = membership::Entity::find_by_id(key).one(&txn).await?.ok_or(StoreError::NotFound("membership"))?;
        ensure_no_overlap(&txn, current.practitioner_id, current.structure_id, period, Some(key)).await?;
        let am = membership::ActiveModel {
            id: sea_orm::ActiveValue::Unchanged(key),
            partner: Set(partner),
            valid_from: Set(period.from()),
            valid_to: Set(period.to()),
            hosts_docteur_junior: Set(hosts_docteur_junior),
            updated_at: Set(Utc::now()),
            ..Default::default()
        };
        let saved = membership_from_row(updated(am.update(&txn).await, "membership")?)?;
        txn.commit().await?;
        Ok(saved)
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
        self.memberships_of_many(&[practitioner_id]).await
    }

    /// Memberships of several practitioners, all structures, by id, in one query.
    pub async fn memberships_of_many(&self, practitioner_ids: &[PractitionerId]) -> StoreResult<Vec<Membership>> {
        let keys: Vec<i32> = practitioner_ids.iter().filter_map(|id| i32::try_from(id.0).ok()).collect();
        let rows = membership::Entity::find()
            .filter(membership::Column::PractitionerId.is_in(keys))
            .order_by_asc(membership::Column::Id)
            .all(self.db())
            .await?;
        rows.into_iter().map(membership_from_row).collect()
    }

    /// Memberships of several structures, all periods, by id, in one query.
    pub async fn memberships_in(&self, structure_ids: &[StructureId]) -> StoreResult<Vec<Membership>> {
        let keys: Vec<i32> = structure_ids.iter().filter_map(|id| i32::try_from(id.0).ok()).collect();
        let rows = membership::Entity::find()
            .filter(membership::Column::StructureId.is_in(keys))
            .order_by_asc(membership::Column::Id)
            .all(self.db())
            .await?;
        rows.into_iter().map(membership_from_row).collect()
    }
}
