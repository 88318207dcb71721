//! Row of `grant_shares`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "grant_shares")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub grant_id: i32,
    pub assistant_id: i32,
    pub amount: String,
    pub hours: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
