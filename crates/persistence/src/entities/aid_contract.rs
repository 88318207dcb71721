//! Row of `aid_contracts`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "aid_contracts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kind: String,
    pub practitioner_id: Option<i32>,
    pub structure_id: Option<i32>,
    pub option: Option<String>,
    pub funded_etp: Option<String>,
    pub signed_on: Date,
    pub status: String,
    pub ends_on: Option<Date>,
    pub renewals: i32,
    pub baseline_on: Option<Date>,
    pub cpam_reference: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
