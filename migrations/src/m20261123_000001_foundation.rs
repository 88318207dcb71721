//! Structures, practitioners, memberships, assistants and their assignments, aid contracts with
//! their adhering members, and yearly activity figures (counts only, never patient data).

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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table("structures")
                        .col(pk_auto("id"))
                        .col(string("kind"))
                        .col(string("legal_form"))
                        .col(string("name"))
                        .col(string_null("finess"))
                        .col(string_null("siret"))
                        .col(string("commune"))
                        .col(date_null("projet_sante_validated_on"))
                        .col(boolean("sisa_employer_group")),
                )
                .to_owned(),
            )
            .await?;
        manager.create_index(index("structures", &["finess"], true)).await?;

        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table("practitioners")
                        .col(pk_auto("id"))
                        .col(string_uniq("rpps"))
                        .col(string("first_name"))
                        .col(string("last_name"))
                        .col(string("specialty"))
                        .col(string("sector"))
                        .col(string("optam"))
                        .col(string("practice_mode"))
                        .col(boolean("mep"))
                        .col(date_null("installed_on"))
                        .col(integer_null("birth_year")),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table("memberships")
                        .col(pk_auto("id"))
                        .col(integer("structure_id"))
                        .col(integer("practitioner_id"))
                        .col(boolean("partner"))
                        .col(date("valid_from"))
                        .col(date_null("valid_to"))
                        .foreign_key(&mut fk("memberships", "structure_id", "structures"))
                        .foreign_key(&mut fk("memberships", "practitioner_id", "practitioners")),
                )
                .to_owned(),
            )
            .await?;
        manager.create_index(index("memberships", &["structure_id"], false)).await?;
        manager.create_index(index("memberships", &["practitioner_id"], false)).await?;

        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table("assistants")
                        .col(pk_auto("id"))
                        .col(integer("structure_id"))
                        .col(integer_null("employer_structure_id"))
                        .col(integer_null("employer_practitioner_id"))
                        .col(string("first_name"))
                        .col(string("last_name"))
                        .col(string("qualification"))
                        .col(date_null("qualified_on"))
                        .col(date("hired_on"))
                        .col(integer("weekly_minutes"))
                        .col(boolean("former_secretary"))
                        .foreign_key(&mut fk("assistants", "structure_id", "structures"))
                        .foreign_key(&mut fk("assistants", "employer_structure_id", "structures"))
                        .foreign_key(&mut fk("assistants", "employer_practitioner_id", "practitioners")),
                )
                .to_owned(),
            )
            .await?;
        manager.create_index(index("assistants", &["structure_id"], false)).await?;

        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table("assistant_assignments")
                        .col(pk_auto("id"))
                        .col(integer("assistant_id"))
                        .col(integer("practitioner_id"))
                        .col(integer("weekly_minutes"))
                        .col(date("valid_from"))
                        .col(date_null("valid_to"))
                        .foreign_key(&mut fk("assistant_assignments", "assistant_id", "assistants"))
                        .foreign_key(&mut fk("assistant_assignments", "practitioner_id", "practitioners")),
                )
                .to_owned(),
            )
            .await?;
        manager.create_index(index("assistant_assignments", &["assistant_id"], false)).await?;

        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table("aid_contracts")
                        .col(pk_auto("id"))
                        .col(string("kind"))
                        .col(integer_null("practitioner_id"))
                        .col(integer_null("structure_id"))
                        .col(string_null("option"))
                        .col(string_null("funded_etp"))
                        .col(date("signed_on"))
                        .col(string("status"))
                        .col(date_null("ends_on"))
                        .foreign_key(&mut fk("aid_contracts", "practitioner_id", "practitioners"))
                        .foreign_key(&mut fk("aid_contracts", "structure_id", "structures")),
                )
                .to_owned(),
            )
            .await?;
        manager.create_index(index("aid_contracts", &["practitioner_id"], false)).await?;
        manager.create_index(index("aid_contracts", &["structure_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("contract_members")
                    .col(pk_auto("id"))
                    .col(integer("contract_id"))
                    .col(integer("practitioner_id"))
                    .col(date("valid_from"))
                    .col(date_null("valid_to"))
                    .foreign_key(&mut fk("contract_members", "contract_id", "aid_contracts"))
                    .foreign_key(&mut fk("contract_members", "practitioner_id", "practitioners"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("contract_members", &["contract_id", "practitioner_id"], true)).await?;

        manager
            .create_table(
                Table::create()
                    .table("activity_figures")
                    .col(pk_auto("id"))
                    .col(integer("practitioner_id"))
                    .col(integer("year"))
                    .col(integer_null("pmt"))
                    .col(integer_null("adult_pmt"))
                    .col(integer_null("file_active"))
                    .col(integer_null("ccam_share_bp"))
                    .col(string_null("band"))
                    .col(string("origin"))
                    .col(timestamp_with_time_zone("obtained_at"))
                    .foreign_key(&mut fk("activity_figures", "practitioner_id", "practitioners"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("activity_figures", &["practitioner_id", "year"], true)).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "activity_figures",
            "contract_members",
            "aid_contracts",
            "assistant_assignments",
            "assistants",
            "memberships",
            "practitioners",
            "structures",
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
