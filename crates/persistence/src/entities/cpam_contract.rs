//! Row of `cpam_contracts`: the CPAM's copy of an aid contract.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cpam_contracts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub reference: String,
    pub kind: String,
    pub rpps: Option<String>,
    pub finess: Option<String>,
    pub option: Option<String>,
    pub funded_etp: Option<String>,
    pub signed_on: Date,
    pub status: String,
    pub ends_on: Option<Date>,
    pub member_rpps: String,
    pub aid_contract_id: Option<i32>,
    pub fetched_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
