//! Row of `practitioners`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "practitioners")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub rpps: String,
    pub first_name: String,
    pub last_name: String,
    pub specialty: String,
    pub sector: String,
    pub optam: String,
    pub practice_mode: String,
    pub mep: bool,
    pub installed_on: Option<Date>,
    pub birth_year: Option<i32>,
    pub rqth: Option<bool>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
