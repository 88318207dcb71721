//! The rest of the structure's funding and team (RULES.md §9): other health professionals, the
//! ACI MSP contract and its yearly figures, other public money with the employees it pays for,
//! and each employee's yearly employment cost. Amounts are exact decimals stored as text.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

fn timestamps(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table.col(timestamp_with_time_zone("created_at")).col(timestamp_with_time_zone("updated_at"))
}

fn fk(from_table: &str, from_col: &str, to_table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from_table}_{from_col}"))
        .from(from_table.to_owned(), from_col.to_owned())
        .to(to_table.to_owned(), "id")
        .on_delete(ForeignKeyAction::Restrict)
        .on_update(ForeignKeyAction::Restrict)
        .to_owned()
}

fn index(table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(format!("idx_{table}_{}", cols.join("_"))).table(table.to_owned());
    for c in cols {
        idx.col(String::from(*c));
    }
    if unique {
        idx.unique();
    }
    idx.to_owned()
}

const TABLES: [&str; 6] = ["professionals", "aci_contracts", "aci_years", "grants", "grant_shares", "employment_costs"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table("professionals")
                        .col(pk_auto("id"))
                        .col(integer("structure_id"))
                        .col(string("profession"))
                        .col(string("first_name"))
                        .col(string("last_name"))
                        .col(string_null("rpps"))
                        .col(string_null("adeli"))
                        .col(boolean("partner"))
                        .col(date("valid_from"))
                        .col(date_null("valid_to"))
                        .foreign_key(&mut fk("professionals", "structure_id", "structures")),
                )
                .to_owned(),
            )
            .await?;
        manager.create_index(index("professionals", &["structure_id"], false)).await?;

        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table("aci_contracts")
                        .col(pk_auto("id"))
                        .col(integer("structure_id"))
                        .col(string_null("cpam_reference"))
                        .col(date("signed_on"))
                        .col(string("status"))
                        .col(date_null("ends_on"))
                        .col(date_null("sisa_on"))
                        .col(boolean("coordination_declared"))
                        .col(integer_null("coordinator_assistant_id"))
                        .col(string_null("coordinator_name"))
                        .col(string_null("coordination_etp"))
                        .foreign_key(&mut fk("aci_contracts", "structure_id", "structures"))
                        .foreign_key(&mut fk("aci_contracts", "coordinator_assistant_id", "assistants")),
                )
                .to_owned(),
            )
            .await?;
        manager.create_index(index("aci_contracts", &["structure_id"], false)).await?;
        manager.create_index(index("aci_contracts", &["cpam_reference"], true)).await?;

        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table("aci_years")
                        .col(pk_auto("id"))
                        .col(integer("aci_contract_id"))
                        .col(integer("year"))
                        .col(integer_null("points"))
                        .col(string_null("paid"))
                        .col(string_null("coordination_paid"))
                        .foreign_key(&mut fk("aci_years", "aci_contract_id", "aci_contracts")),
                )
                .to_owned(),
            )
            .await?;
        manager.create_index(index("aci_years", &["aci_contract_id", "year"], true)).await?;

        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table("grants")
                        .col(pk_auto("id"))
                        .col(integer("structure_id"))
                        .col(string("scheme"))
                        .col(string("payer"))
                        .col(string("purpose"))
                        .col(boolean("pays_salaries"))
                        .col(date("valid_from"))
                        .col(date_null("valid_to"))
                        .col(string("amount"))
                        .col(integer_null("practitioner_id"))
                        .foreign_key(&mut fk("grants", "structure_id", "structures"))
                        .foreign_key(&mut fk("grants", "practitioner_id", "practitioners")),
                )
                .to_owned(),
            )
            .await?;
        manager.create_index(index("grants", &["structure_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("grant_shares")
                    .col(pk_auto("id"))
                    .col(integer("grant_id"))
                    .col(integer("assistant_id"))
                    .col(string("amount"))
                    .col(string_null("hours"))
                    .foreign_key(&mut fk("grant_shares", "grant_id", "grants"))
                    .foreign_key(&mut fk("grant_shares", "assistant_id", "assistants"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("grant_shares", &["grant_id", "assistant_id"], true)).await?;

        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table("employment_costs")
                        .col(pk_auto("id"))
                        .col(integer("assistant_id"))
                        .col(integer("year"))
                        .col(string("salary"))
                        .col(string("employer_charges"))
                        .foreign_key(&mut fk("employment_costs", "assistant_id", "assistants")),
                )
                .to_owned(),
            )
            .await?;
        manager.create_index(index("employment_costs", &["assistant_id", "year"], true)).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager.drop_table(Table::drop().table(*table).to_owned()).await?;
        }
        Ok(())
    }
}
