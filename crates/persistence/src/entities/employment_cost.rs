//! Row of `employment_costs`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employment_costs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub assistant_id: i32,
    pub year: i32,
    pub salary: String,
    pub employer_charges: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
