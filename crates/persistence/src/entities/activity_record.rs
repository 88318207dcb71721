//! Row of `activity_records` (append-only: inserted, never updated).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub assistant_id: i32,
    pub month: Date,
    pub practitioner_id: Option<i32>,
    pub family: String,
    pub label: Option<String>,
    pub hours: String,
    pub corrects: Option<i32>,
    pub reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
