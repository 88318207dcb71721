//! Row of `structures`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "structures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kind: String,
    pub legal_form: String,
    pub name: String,
    pub finess: Option<String>,
    pub siret: Option<String>,
    pub commune: String,
    pub projet_sante_validated_on: Option<Date>,
    pub sisa_employer_group: bool,
    pub training_site: Option<bool>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
