//! Row of `cpam_aci_contracts`: the CPAM's copy of a structure's ACI contract.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cpam_aci_contracts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub structure_id: i32,
    pub reference: String,
    pub signed_on: Date,
    pub coordination_declared: bool,
    pub coordination_etp: Option<String>,
    pub coordination_holder: Option<String>,
    pub fetched_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
