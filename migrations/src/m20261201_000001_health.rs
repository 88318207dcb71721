//! One row the readiness check writes, so that `/healthz` fails when the database can be read
//! but not written (read-only file or replica, full disk).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create().table("health_checks").col(pk_auto("id")).col(big_integer("checks")).to_owned(),
            )
            .await?;
        let insert = Query::insert()
            .into_table("health_checks")
            .columns(["id", "checks"])
            .values_panic([1.into(), 0i64.into()])
            .to_owned();
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("health_checks").to_owned()).await
    }
}
