//! The assistant's traced monthly activity (AM-TRACEABILITY): per assistant and month, hours per
//! doctor (none for hours not spent for a doctor) and per mission family, with an optional label.
//!
//! Append-only: a correction is a new row whose `corrects` names the row it replaces, so the
//! history stays readable; triggers refuse every UPDATE and DELETE, whoever issues them. A row is
//! corrected at most once (unique `corrects`): the chain of a line is linear and its last row
//! is the line's current value.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "activity_records";

fn fk(column: &str, to_table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{TABLE}_{column}"))
        .from(TABLE.to_owned(), column.to_owned())
        .to(to_table.to_owned(), "id")
        .on_delete(ForeignKeyAction::Restrict)
        .on_update(ForeignKeyAction::Restrict)
        .to_owned()
}

/// Statements that make the table append-only, per backend.
fn append_only(backend: sea_orm_migration::sea_orm::DbBackend) -> Vec<String> {
    const MESSAGE: &str = "activity_records are append-only: record a correction instead";
    match backend {
        sea_orm_migration::sea_orm::DbBackend::Postgres => vec![
            format!(
                "CREATE FUNCTION activity_records_append_only() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
            ),
            "CREATE TRIGGER activity_records_append_only BEFORE UPDATE OR DELETE ON activity_records \
             FOR EACH ROW EXECUTE FUNCTION activity_records_append_only()"
                .to_owned(),
        ],
        _ => ["UPDATE", "DELETE"]
            .iter()
            .map(|event| {
                format!(
                    "CREATE TRIGGER activity_records_no_{} BEFORE {event} ON activity_records \
                     BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
                    event.to_lowercase()
                )
            })
            .collect(),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TABLE)
                    .col(pk_auto("id"))
                    .col(integer("assistant_id"))
                    // First day of the month.
                    .col(date("month"))
                    .col(integer_null("practitioner_id"))
                    .col(string("family"))
                    .col(string_null("label"))
                    // Exact decimal as text, like every decimal of the store.
                    .col(string("hours"))
                    .col(integer_null("corrects"))
                    .col(string_null("reason"))
                    .col(string("recorded_by"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .foreign_key(&mut fk("assistant_id", "assistants"))
                    .foreign_key(&mut fk("practitioner_id", "practitioners"))
                    .foreign_key(&mut fk("corrects", TABLE))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_activity_records_assistant_id_month")
                    .table(TABLE)
                    .col("assistant_id")
                    .col("month")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_activity_records_corrects").table(TABLE).col("corrects").unique().to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for sql in append_only(manager.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(TABLE).to_owned()).await?;
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            manager.get_connection().execute_unprepared("DROP FUNCTION activity_records_append_only()").await?;
        }
        Ok(())
    }
}
