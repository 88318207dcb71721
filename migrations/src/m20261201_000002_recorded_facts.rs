//! Facts the rules need that were not recorded, so far read as unknown: a doctor's RQTH, a
//! member hosting a docteur junior (COL-ETP-CAP), a structure approved as a training site, and
//! a contract's recorded renewals (IND-LEGACY-RENEWAL) and CPAM baseline date
//! (OBJ-BASELINE-DATE). A null stays "not known", never false.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// (table, column) pairs this migration adds, in order.
const COLUMNS: [(&str, &str); 5] = [
    ("practitioners", "rqth"),
    ("memberships", "hosts_docteur_junior"),
    ("structures", "training_site"),
    ("aid_contracts", "renewals"),
    ("aid_contracts", "baseline_on"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        for (table, column) in COLUMNS {
            let def = match column {
                "renewals" => integer(column).default(0).to_owned(),
                "baseline_on" => date_null(column),
                _ => boolean_null(column),
            };
            manager.alter_table(Table::alter().table(table).add_column(def).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in COLUMNS.iter().rev() {
            manager.alter_table(Table::alter().table(*table).drop_column(*column).to_owned()).await?;
        }
        Ok(())
    }
}
