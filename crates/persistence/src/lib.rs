//! Storage of structures, practitioners, assistants, contracts and activity figures.
//!
//! sea-orm over SQLite (the embedded default, one file) or PostgreSQL (production). Callers see
//! domain types only; rows are parsed back into domain types on the way out, so a corrupted row
//! is an error, never a silently wrong value. Writes that span rows run in one transaction.

mod activity;
mod assistants;
mod connection;
mod contracts;
mod convert;
mod cpam;
mod entities;
mod figures;
mod funding;
pub mod import;
mod practitioners;
mod structures;
pub mod testing;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use connection::Connection;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::SqliteJournalMode;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqlErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

pub use activity::{
    ActivityLine, ActivityRecord, ActivityRecordId, ActivityWrite, Correction, MissionFamily, NewActivityLine, line_key,
};
pub use assistants::NewAssignment;
pub use cpam::{
    CopyOutcome, CpamAciCopy, CpamAciFacts, CpamAciYear, CpamContractCopy, CpamContractFacts, CpamLink, CpamRefresh,
    CpamStatus, CpamStructureRefresh, NotStored, StoredCopy, ZoningRecord,
};
pub use figures::FiguresUpsert;
pub use practitioners::{MemberRow, NewMembership};

/// What a storage operation can fail with, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A unique constraint refused the write.
    #[error("a record with this {0} already exists")]
    Duplicate(DuplicateKey),
    /// The doctor is already a member of that structure over part of the period.
    #[error("the doctor is already a member of this structure over part of this period")]
    OverlappingMembership,
    /// A foreign key refused the write: the referenced record does not exist.
    #[error("a referenced record does not exist")]
    MissingReference,
    /// A stored row no longer parses into a domain value (manual edit, bad migration…).
    #[error("stored {table} row {id} is invalid: {reason}")]
    CorruptRow { table: &'static str, id: i64, reason: String },
    /// An imported assistant's assignments do not fit the assistant: the import wrote nothing.
    #[error("assistant {index} of the dataset ({name}): {error}")]
    ImportedAssignments { index: usize, name: String, error: domain::AssignmentError },
    /// An imported aid contract's end date does not fit: the import wrote nothing.
    #[error("contract {index} of the dataset (signed on {signed_on}): {error}")]
    ImportedContractDates { index: usize, signed_on: chrono::NaiveDate, error: domain::ContractDatesError },
    #[error("database error: {0}")]
    Database(#[source] DbErr),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(msg)) => StoreError::Duplicate(duplicated_key(&msg)),
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => StoreError::MissingReference,
            _ => StoreError::Database(err),
        }
    }
}

/// The unique key a refused write collided with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DuplicateKey {
    #[error("RPPS")]
    Rpps,
    #[error("FINESS")]
    Finess,
    /// The same doctor twice in one collective contract.
    #[error("contract member")]
    ContractMember,
    /// Two contracts with one CPAM reference.
    #[error("CPAM reference")]
    CpamReference,
    /// Two sets of figures for one doctor and year.
    #[error("figures year")]
    FiguresYear,
    #[error("key")]
    Other,
}

/// Which unique key a constraint message is about. Messages differ between SQLite
/// (`UNIQUE constraint failed: practitioners.rpps`) and PostgreSQL (index name).
fn duplicated_key(message: &str) -> DuplicateKey {
    const KEYS: &[(&str, DuplicateKey)] = &[
        ("cpam_reference", DuplicateKey::CpamReference),
        ("rpps", DuplicateKey::Rpps),
        ("finess", DuplicateKey::Finess),
        ("contract_id", DuplicateKey::ContractMember),
        ("year", DuplicateKey::FiguresYear),
    ];
    KEYS.iter().find(|(needle, _)| message.contains(needle)).map_or(DuplicateKey::Other, |(_, key)| *key)
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A page of a list ordered by id, for Relay connections.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next_page: bool,
}

impl<T> Page<T> {
    /// Builds a page from rows fetched with `limit + 1`.
    fn from_overfetch(mut items: Vec<T>, limit: u64) -> Self {
        let has_next_page = items.len() as u64 > limit;
        items.truncate(limit as usize);
        Self { items, has_next_page }
    }

    /// The same page with its rows transformed as a whole.
    pub fn map<U>(self, f: impl FnOnce(Vec<T>) -> Vec<U>) -> Page<U> {
        Page { items: f(self.items), has_next_page: self.has_next_page }
    }
}

/// Which structures the caller may see. Every list and read of structure-owned data takes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    All,
    Structures(Vec<domain::StructureId>),
}

impl Visibility {
    pub fn allows(&self, id: domain::StructureId) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Structures(ids) => ids.contains(&id),
        }
    }
}

/// How long a pooled connection may sit idle before it is checked on checkout.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(30);
/// Connections to a SQLite file: a few readers beside the writer are what 2 to 4 cores use.
const SQLITE_FILE_CONNECTIONS: u32 = 4;
/// How long a SQLite write waits for another to finish before it fails.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Handle on the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    db: Connection,
    statements: Arc<AtomicU64>,
}

impl Store {
    /// Connects to `url` (`sqlite://path?mode=rwc`, `sqlite::memory:` or `postgres://…`).
    /// For a SQLite file, the parent directory is created if missing.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let mut options = ConnectOptions::new(url.to_owned());
        // A connection is pinged before use only once it has been idle for a while (a server or
        // a firewall may have dropped it): pinging on every checkout, sqlx's default, doubled
        // the round trips of a dashboard's reads.
        options
            .connect_timeout(Duration::from_secs(10))
            .sqlx_logging(false)
            .test_before_acquire_if_idle_for(IDLE_BEFORE_PING);
        if url.starts_with("sqlite:") {
            if let Some(path) = sqlite_file_path(url) {
                if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::Database(DbErr::Custom(format!("cannot create {}: {e}", dir.display())))
                    })?;
                }
                // Write-ahead logging lets readers run beside the one writer, so requests read
                // on several connections instead of queueing on one (sea-orm's default for
                // SQLite). Writers wait for each other up to the busy timeout; every write
                // transaction takes the write lock when it begins (`write_transaction`), so
                // none can fail on upgrading a read lock.
                options
                    .max_connections(SQLITE_FILE_CONNECTIONS)
                    .map_sqlx_sqlite_opts(|o| o.journal_mode(SqliteJournalMode::Wal).busy_timeout(SQLITE_BUSY_TIMEOUT));
            } else {
                // An in-memory database lives as long as its one connection.
                options
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None::<Duration>)
                    .max_lifetime(None::<Duration>);
            }
        }
        let mut db = Database::connect(options).await?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&statements);
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        Ok(Self { db: Connection::Pool(db), statements })
    }

    /// The same store, reading through one read transaction, begun on its first read: what it
    /// reads is one consistent state of the database, however many statements it takes, and
    /// the statements share one pooled connection (on SQLite each checkout and return of a
    /// connection is a round trip to its thread, as dear as a statement). It refuses every
    /// write. The transaction ends when the last clone is dropped; on a snapshot, it is the
    /// snapshot itself.
    pub fn read_snapshot(&self) -> Store {
        match &self.db {
            Connection::Pool(pool) => Store {
                db: Connection::Snapshot(Arc::new(connection::Snapshot::new(pool.clone()))),
                statements: Arc::clone(&self.statements),
            },
            Connection::Snapshot(_) => self.clone(),
        }
    }

    /// Whether this handle is a read snapshot.
    pub fn is_snapshot(&self) -> bool {
        matches!(self.db, Connection::Snapshot(_))
    }

    /// The pool, for writes and maintenance; refused on a read snapshot.
    pub(crate) fn writer(&self) -> StoreResult<&DatabaseConnection> {
        match &self.db {
            Connection::Pool(pool) => Ok(pool),
            Connection::Snapshot(_) => Err(StoreError::Database(connection::read_only())),
        }
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> StoreResult<()> {
        Migrator::up(self.writer()?, None).await?;
        Ok(())
    }

    /// Round trip to the database, for health checks.
    pub async fn ping(&self) -> StoreResult<()> {
        self.writer()?.ping().await?;
        Ok(())
    }

    /// SQL statements executed through this handle (and its clones) since it connected: how
    /// the cost of a request is measured in tests and load tests.
    pub fn statements_executed(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// A write to the database, for readiness checks: fails when the database answers reads but
    /// refuses writes (read-only file or replica, full disk).
    pub async fn check_writable(&self) -> StoreResult<()> {
        let backend = self.db.get_database_backend();
        let sql = "UPDATE health_checks SET checks = checks + 1 WHERE id = 1";
        let result = self.writer()?.execute_raw(sea_orm::Statement::from_string(backend, sql)).await?;
        if result.rows_affected() != 1 {
            return Err(StoreError::NotFound("health check row"));
        }
        Ok(())
    }

    pub fn backend_name(&self) -> &'static str {
        match self.db.get_database_backend() {
            DbBackend::Sqlite => "sqlite",
            DbBackend::Postgres => "postgresql",
            _ => "other",
        }
    }

    /// Number of rows in a table; for tests and diagnostics.
    pub async fn count_rows(&self, table: &str) -> StoreResult<u64> {
        const TABLES: &[&str] = &[
            "structures",
            "practitioners",
            "memberships",
            "assistants",
            "assistant_assignments",
            "aid_contracts",
            "contract_members",
            "activity_figures",
            "cpam_refreshes",
            "zonings",
            "health_checks",
            "professionals",
            "aci_contracts",
            "aci_years",
            "grants",
            "grant_shares",
            "employment_costs",
            "cpam_contracts",
            "cpam_aci_contracts",
            "cpam_aci_years",
            "activity_records",
        ];
        let table = TABLES.iter().find(|t| **t == table).ok_or(StoreError::NotFound("table"))?;
        let backend = self.db.get_database_backend();
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(backend, format!("SELECT COUNT(*) AS n FROM {table}")))
            .await?
            .ok_or(StoreError::NotFound("count"))?;
        let n: i64 = row.try_get("", "n")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Where reads go: the pool, or the snapshot.
    pub(crate) fn db(&self) -> &Connection {
        &self.db
    }

    /// A transaction that writes. On SQLite it takes the write lock at `BEGIN` (`IMMEDIATE`),
    /// waiting for another writer up to the busy timeout: a transaction that read first and
    /// wrote later could otherwise fail at once when another connection wrote in between.
    pub(crate) async fn write_transaction(&self) -> StoreResult<DatabaseTransaction> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        Ok(self.writer()?.begin_with_options(options).await?)
    }

    /// Whether the database holds no structure yet (first start).
    pub async fn is_empty(&self) -> StoreResult<bool> {
        Ok(self.count_rows("structures").await? == 0)
    }
}

/// `sqlite://data/app.db?mode=rwc` → `data/app.db`; `None` for in-memory databases.
fn sqlite_file_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:" && !rest.contains("mode=memory")).then_some(path)
}

/// An update's result: no row updated means the record does not exist.
pub(crate) fn updated<T>(result: Result<T, DbErr>, what: &'static str) -> StoreResult<T> {
    match result {
        Err(DbErr::RecordNotUpdated) => Err(StoreError::NotFound(what)),
        other => Ok(other?),
    }
}

/// Converts a domain id to the database's 32-bit key; out-of-range ids cannot exist.
pub(crate) fn db_id(id: i64, what: &'static str) -> StoreResult<i32> {
    i32::try_from(id).map_err(|_| StoreError::NotFound(what))
}

pub(crate) async fn exists<C: ConnectionTrait>(conn: &C, table: &'static str, id: i32) -> StoreResult<bool> {
    let backend = conn.get_database_backend();
    let sql = format!("SELECT 1 AS one FROM {table} WHERE id = $1");
    let stmt = match backend {
        DbBackend::Postgres => sea_orm::Statement::from_sql_and_values(backend, sql, [id.into()]),
        _ => sea_orm::Statement::from_sql_and_values(backend, sql.replace("$1", "?"), [id.into()]),
    };
    Ok(conn.query_one_raw(stmt).await?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        assert_eq!(sqlite_file_path("sqlite://data/am.db?mode=rwc"), Some("data/am.db"));
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
        assert_eq!(sqlite_file_path("sqlite://file::memory:?mode=memory"), None);
    }

    #[test]
    fn duplicate_messages() {
        assert_eq!(duplicated_key("UNIQUE constraint failed: practitioners.rpps"), DuplicateKey::Rpps);
        assert_eq!(
            duplicated_key("duplicate key value violates unique constraint \"idx_structures_finess\""),
            DuplicateKey::Finess
        );
        assert_eq!(duplicated_key("UNIQUE constraint failed: t.other"), DuplicateKey::Other);
        assert_eq!(
            duplicated_key("UNIQUE constraint failed: aid_contracts.cpam_reference"),
            DuplicateKey::CpamReference
        );
    }
}
