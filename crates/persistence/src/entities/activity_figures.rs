//! Row of `activity_figures`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_figures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub practitioner_id: i32,
    pub year: i32,
    pub pmt: Option<i32>,
    pub adult_pmt: Option<i32>,
    pub file_active: Option<i32>,
    pub ccam_share_bp: Option<i32>,
    pub band: Option<String>,
    pub origin: String,
    pub obtained_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
