//! Row of `zonings`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "zonings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub commune: String,
    pub zone: String,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub decision: Option<String>,
    pub obtained_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
