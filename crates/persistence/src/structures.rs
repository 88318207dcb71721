//! Structures: create, update, read, list.

use chrono::Utc;
use domain::{Finess, Structure, StructureFields, StructureId};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::convert::structure_from_row;
use crate::entities::structure::{self, ActiveModel, Column, Entity};
use crate::{Page, Store, StoreResult, Visibility, db_id, updated};

fn active_model(fields: &StructureFields) -> ActiveModel {
    ActiveModel {
        id: NotSet,
        kind: Set(fields.kind.code().to_owned()),
        legal_form: Set(fields.legal_form.code().to_owned()),
        name: Set(fields.name.clone()),
        finess: Set(fields.finess.as_ref().map(|f| f.as_str().to_owned())),
        siret: Set(fields.siret.as_ref().map(|s| s.as_str().to_owned())),
        commune: Set(fields.commune.as_str().to_owned()),
        projet_sante_validated_on: Set(fields.projet_sante_validated_on),
        sisa_employer_group: Set(fields.sisa_employer_group),
        training_site: Set(fields.training_site),
        created_at: NotSet,
        updated_at: Set(Utc::now()),
    }
}

pub(crate) async fn insert_structure<C: ConnectionTrait>(conn: &C, fields: &StructureFields) -> StoreResult<Structure> {
    let mut am = active_model(fields);
    am.created_at = Set(Utc::now());
    structure_from_row(am.insert(conn).await?)
}

impl Store {
    pub async fn create_structure(&self, fields: &StructureFields) -> StoreResult<Structure> {
        insert_structure(self.writer()?, fields).await
    }

    pub async fn update_structure(&self, id: StructureId, fields: &StructureFields) -> StoreResult<Structure> {
        let mut am = active_model(fields);
        am.id = sea_orm::ActiveValue::Unchanged(db_id(id.0, "structure")?);
        structure_from_row(updated(am.update(self.writer()?).await, "structure")?)
    }

    pub async fn structure(&self, id: StructureId) -> StoreResult<Option<Structure>> {
        let row = Entity::find_by_id(db_id(id.0, "structure")?).one(self.db()).await?;
        row.map(structure_from_row).transpose()
    }

    pub async fn structures_by_ids(&self, ids: &[StructureId]) -> StoreResult<Vec<Structure>> {
        let ids: Vec<i32> = ids.iter().filter_map(|id| i32::try_from(id.0).ok()).collect();
        let rows = Entity::find().filter(Column::Id.is_in(ids)).all(self.db()).await?;
        rows.into_iter().map(structure_from_row).collect()
    }

    /// Structures visible to the caller, ordered by id, after the cursor.
    pub async fn list_structures(
        &self,
        visibility: &Visibility,
        after: Option<StructureId>,
        first: u64,
    ) -> StoreResult<Page<Structure>> {
        let mut query = Entity::find().order_by_asc(Column::Id).limit(first + 1);
        if let Some(after) = after {
            query = query.filter(Column::Id.gt(after.0));
        }
        if let Visibility::Structures(ids) = visibility {
            query = query.filter(Column::Id.is_in(ids.iter().map(|id| id.0)));
        }
        let rows = query.all(self.db()).await?;
        let items = rows.into_iter().map(structure_from_row).collect::<StoreResult<Vec<_>>>()?;
        Ok(Page::from_overfetch(items, first))
    }

    /// Ids of the structures with these FINESS numbers (those that exist).
    pub async fn structure_ids_by_finess(&self, finess: &[Finess]) -> StoreResult<Vec<StructureId>> {
        let rows = Entity::find()
            .filter(Column::Finess.is_in(finess.iter().map(|f| f.as_str().to_owned())))
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(|r: structure::Model| StructureId(i64::from(r.id))).collect())
    }
}
