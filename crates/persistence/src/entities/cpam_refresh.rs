//! Row of `cpam_refreshes`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cpam_refreshes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub practitioner_id: i32,
    pub attempted_at: DateTimeUtc,
    pub succeeded: bool,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
