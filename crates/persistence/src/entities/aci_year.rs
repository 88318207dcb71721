//! Row of `aci_years`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "aci_years")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub aci_contract_id: i32,
    pub year: i32,
    pub points: Option<i32>,
    pub paid: Option<String>,
    pub coordination_paid: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
