//! The CPAM's own copies of the contracts it returns, kept beside what was typed in by hand:
//! `aid_contracts.cpam_reference` matches a record to the CPAM's contract (so that a refresh
//! links instead of duplicating), `cpam_contracts` holds the CPAM's facts of each aid
//! contract, and `cpam_aci_contracts` (with its years) the CPAM's copy of a structure's ACI
//! contract. Both facts stay visible when they disagree.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

fn fk(from: &str, column: &str, to: &str, on_delete: ForeignKeyAction) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from}_{column}"))
        .from(from.to_owned(), column.to_owned())
        .to(to.to_owned(), "id")
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Restrict)
        .to_owned()
}

fn unique_index(table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(format!("idx_{table}_{}", cols.join("_"))).table(table.to_owned()).unique();
    for c in cols {
        idx.col(String::from(*c));
    }
    idx.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite cannot add a UNIQUE column: the column, then its index (NULLs never collide).
        manager
            .alter_table(Table::alter().table("aid_contracts").add_column(string_null("cpam_reference")).to_owned())
            .await?;
        manager.create_index(unique_index("aid_contracts", &["cpam_reference"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("cpam_contracts")
                    .col(pk_auto("id"))
                    .col(string("reference"))
                    .col(string("kind"))
                    .col(string_null("rpps"))
                    .col(string_null("finess"))
                    .col(string_null("option"))
                    .col(string_null("funded_etp"))
                    .col(date("signed_on"))
                    .col(string("status"))
                    .col(date_null("ends_on"))
                    // The members' RPPS, comma-separated, as the CPAM listed them.
                    .col(text("member_rpps"))
                    // The record it matched or created; none when it could not be stored.
                    .col(integer_null("aid_contract_id"))
                    .col(timestamp_with_time_zone("fetched_at"))
                    .foreign_key(&mut fk(
                        "cpam_contracts",
                        "aid_contract_id",
                        "aid_contracts",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique_index("cpam_contracts", &["reference"])).await?;
        manager.create_index(unique_index("cpam_contracts", &["aid_contract_id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("cpam_aci_contracts")
                    .col(pk_auto("id"))
                    .col(integer("structure_id"))
                    .col(string("reference"))
                    .col(date("signed_on"))
                    .col(boolean("coordination_declared"))
                    .col(string_null("coordination_etp"))
                    .col(string_null("coordination_holder"))
                    .col(timestamp_with_time_zone("fetched_at"))
                    .foreign_key(&mut fk(
                        "cpam_aci_contracts",
                        "structure_id",
                        "structures",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique_index("cpam_aci_contracts", &["structure_id", "reference"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("cpam_aci_years")
                    .col(pk_auto("id"))
                    .col(integer("aci_contract_id"))
                    .col(integer("year"))
                    .col(integer("points"))
                    // Euros, as an exact decimal string; none until paid.
                    .col(string_null("paid"))
                    .foreign_key(&mut fk(
                        "cpam_aci_years",
                        "aci_contract_id",
                        "cpam_aci_contracts",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(unique_index("cpam_aci_years", &["aci_contract_id", "year"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["cpam_aci_years", "cpam_aci_contracts", "cpam_contracts"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager
            .drop_index(Index::drop().name("idx_aid_contracts_cpam_reference").table("aid_contracts").to_owned())
            .await?;
        manager.alter_table(Table::alter().table("aid_contracts").drop_column("cpam_reference").to_owned()).await?;
        Ok(())
    }
}
