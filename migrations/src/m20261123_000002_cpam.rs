//! What the CPAM connector needs stored: every refresh attempt (so figures can be shown as
//! stale after a failed one, and since when) and the zoning of communes with its validity.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("cpam_refreshes")
                    .col(pk_auto("id"))
                    .col(integer("practitioner_id"))
                    .col(timestamp_with_time_zone("attempted_at"))
                    .col(boolean("succeeded"))
                    .col(string_null("error_code"))
                    .col(string_null("error_message"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cpam_refreshes_practitioner_id")
                            .from("cpam_refreshes", "practitioner_id")
                            .to("practitioners", "id")
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cpam_refreshes_practitioner_id_attempted_at")
                    .table("cpam_refreshes")
                    .col("practitioner_id")
                    .col("attempted_at")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("zonings")
                    .col(pk_auto("id"))
                    .col(string("commune"))
                    .col(string("zone"))
                    .col(date("valid_from"))
                    .col(date_null("valid_to"))
                    .col(string_null("decision"))
                    .col(timestamp_with_time_zone("obtained_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_zonings_commune_valid_from")
                    .table("zonings")
                    .col("commune")
                    .col("valid_from")
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("zonings").to_owned()).await?;
        manager.drop_table(Table::drop().table("cpam_refreshes").to_owned()).await?;
        Ok(())
    }
}
