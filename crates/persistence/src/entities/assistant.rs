//! Row of `assistants`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assistants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub structure_id: i32,
    pub employer_structure_id: Option<i32>,
    pub employer_practitioner_id: Option<i32>,
    pub first_name: String,
    pub last_name: String,
    pub qualification: String,
    pub qualified_on: Option<Date>,
    pub hired_on: Date,
    pub weekly_minutes: i32,
    pub former_secretary: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
