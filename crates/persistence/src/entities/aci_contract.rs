//! Row of `aci_contracts`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "aci_contracts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub structure_id: i32,
    pub cpam_reference: Option<String>,
    pub signed_on: Date,
    pub status: String,
    pub ends_on: Option<Date>,
    pub sisa_on: Option<Date>,
    pub coordination_declared: bool,
    pub coordinator_assistant_id: Option<i32>,
    pub coordinator_name: Option<String>,
    pub coordination_etp: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
