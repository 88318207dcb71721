//! Where a [`Store`](crate::Store)'s statements go: the pool, or one read transaction.

use std::sync::Arc;

use tokio::sync::OnceCell;

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult, IsolationLevel,
    QueryResult, Statement, TransactionOptions, TransactionTrait,
};

#[derive(Debug, Clone)]
pub(crate) enum Connection {
    /// Each statement on whichever pooled connection is free.
    Pool(DatabaseConnection),
    /// Every statement on one connection, in one read transaction: they all see the same
    /// committed state, and the connection is taken from the pool (and checked on its way
    /// back) once instead of once per statement.
    Snapshot(Arc<Snapshot>),
}

/// A read transaction begun on the first read: a snapshot nothing reads through costs nothing.
/// Ends (rolled back: it wrote nothing) when its last handle is dropped.
#[derive(Debug)]
pub(crate) struct Snapshot {
    pool: DatabaseConnection,
    transaction: OnceCell<DatabaseTransaction>,
}

impl Snapshot {
    pub(crate) fn new(pool: DatabaseConnection) -> Self {
        Self { pool, transaction: OnceCell::new() }
    }

    /// On PostgreSQL `REPEATABLE READ` and `READ ONLY`; on SQLite a deferred transaction,
    /// whose first read fixes the state it sees.
    async fn transaction(&self) -> Result<&DatabaseTransaction, DbErr> {
        self.transaction
            .get_or_try_init(|| {
                let options = match self.pool.get_database_backend() {
                    DbBackend::Postgres => TransactionOptions {
                        isolation_level: Some(IsolationLevel::RepeatableRead),
                        access_mode: Some(AccessMode::ReadOnly),
                        ..TransactionOptions::default()
                    },
                    _ => TransactionOptions::default(),
                };
                self.pool.begin_with_options(options)
            })
            .await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Connection {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            Self::Pool(db) => db.get_database_backend(),
            Self::Snapshot(snapshot) => snapshot.pool.get_database_backend(),
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Self::Pool(db) => db.execute_raw(stmt).await,
            Self::Snapshot(_) => Err(read_only()),
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Self::Pool(db) => db.execute_unprepared(sql).await,
            Self::Snapshot(_) => Err(read_only()),
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Self::Pool(db) => db.query_one_raw(stmt).await,
            Self::Snapshot(snapshot) => snapshot.transaction().await?.query_one_raw(reading(stmt)?).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Self::Pool(db) => db.query_all_raw(stmt).await,
            Self::Snapshot(snapshot) => snapshot.transaction().await?.query_all_raw(reading(stmt)?).await,
        }
    }
}

/// `stmt` when it only reads: an insert or update with `RETURNING` also comes as a query.
fn reading(stmt: Statement) -> Result<Statement, DbErr> {
    let head = stmt.sql.trim_start().get(..6).unwrap_or_default();
    if head.eq_ignore_ascii_case("SELECT") { Ok(stmt) } else { Err(read_only()) }
}

/// A write attempted through a snapshot: a bug of the caller, refused before it reaches the
/// database (on SQLite the transaction would otherwise take the write lock).
pub(crate) fn read_only() -> DbErr {
    DbErr::Custom("a read snapshot does not write".to_owned())
}
