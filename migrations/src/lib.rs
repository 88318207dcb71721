//! The database schema. Migrations are the schema's only source; once landed, a migration file
//! is never edited: changes come as new files.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_foundation;
mod m20261123_000002_cpam;
mod m20261201_000001_health;
mod m20261201_000002_recorded_facts;
mod m20261201_000003_funding;
mod m20261201_000004_activity;
mod m20261201_000005_cpam_copies;

#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_foundation::Migration),
            Box::new(m20261123_000002_cpam::Migration),
            Box::new(m20261201_000001_health::Migration),
            Box::new(m20261201_000002_recorded_facts::Migration),
            Box::new(m20261201_000003_funding::Migration),
            Box::new(m20261201_000004_activity::Migration),
            Box::new(m20261201_000005_cpam_copies::Migration),
        ]
    }
}
