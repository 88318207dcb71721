//! Row of `cpam_aci_years`: points and payment of one year of a CPAM ACI copy.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cpam_aci_years")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub aci_contract_id: i32,
    pub year: i32,
    pub points: i32,
    pub paid: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
