//! Fresh, migrated databases for tests, on SQLite (always) and PostgreSQL (when
//! `TEST_DATABASE_URL` is set). Shared by this crate's tests, the API tests and the end-to-end
//! tests so that every layer runs the same suite on both backends.

use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Database, Statement};

use crate::Store;

/// Environment variable naming an existing PostgreSQL database the tests may create siblings of.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// A fresh in-memory SQLite database with the schema applied.
///
/// # Panics
/// When the database cannot be created: a test-environment failure.
pub async fn sqlite() -> Store {
    let store = Store::connect("sqlite::memory:").await.expect("in-memory SQLite opens");
    store.migrate().await.expect("migrations apply on SQLite");
    store
}

/// A fresh PostgreSQL database (a new database next to the one `TEST_DATABASE_URL` names)
/// with the schema applied, or `None` with a printed notice when the variable is absent.
///
/// # Panics
/// When the variable is set but the server cannot be used: the PostgreSQL leg must not pass
/// silently when it was asked for.
pub async fn postgres(test: &str) -> Option<Store> {
    let Ok(base_url) = std::env::var(TEST_DATABASE_URL) else {
        static NOTICE: Once = Once::new();
        NOTICE.call_once(|| {
            eprintln!("notice: {TEST_DATABASE_URL} is not set: PostgreSQL tests are skipped (they pass vacuously)");
        });
        eprintln!("skipped on PostgreSQL: {test} ({TEST_DATABASE_URL} not set)");
        return None;
    };
    let name = unique_database_name();
    let admin = Database::connect(base_url.as_str()).await.expect("TEST_DATABASE_URL is reachable");
    admin
        .execute_raw(Statement::from_string(admin.get_database_backend(), format!("CREATE DATABASE {name}")))
        .await
        .expect("test database can be created");
    admin.close().await.ok();
    let store = Store::connect(&with_database(&base_url, &name)).await.expect("fresh test database opens");
    store.migrate().await.expect("migrations apply on PostgreSQL");
    Some(store)
}

fn unique_database_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("amp_test_{}_{}_{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Replaces the database name (the last path segment) of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

/// Declares each listed `async fn(Store)` as two tests, `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::testing::sqlite().await).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(store) = $crate::testing::postgres(stringify!($name)).await {
                        super::$name(store).await;
                    }
                }
            )+
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_replacement() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/ci_db", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(super::with_database("postgres://h/db?sslmode=disable", "y"), "postgres://h/y?sslmode=disable");
    }
}
