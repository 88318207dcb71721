//! Fresh, migrated databases for tests, on SQLite (always) and PostgreSQL (when
//! `TEST_DATABASE_URL` is set). Shared by this crate's tests, the API tests and the end-to-end
//! tests so that every layer runs the same suite on both backends.

use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Database, Statement};

use crate::Store;

/// A general practitioner, sector 1, with nothing else recorded: the doctor a test needs when
/// only their existence matters.
///
/// # Panics
/// When `rpps` is not a valid RPPS number.
pub fn general_practitioner(rpps: &str) -> domain::PractitionerFields {
    use domain::{ConventionSector, Optam, PracticeMode, PractitionerFields, Rpps, Specialty};
    PractitionerFields {
        rpps: Rpps::parse(rpps).expect("valid RPPS"),
        first_name: "Claire".into(),
        last_name: "Martin".into(),
        specialty: Specialty::GeneralPractice,
        sector: ConventionSector::Sector1,
        optam: Optam::None,
        practice_mode: PracticeMode::Liberal,
        mep: false,
        installed_on: None,
        birth_year: None,
        rqth: None,
    }
}

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
/// with the schema applied. Tests call it through [`postgres_tests!`](crate::postgres_tests) or
/// [`backend_tests!`](crate::backend_tests), which mark them ignored when the variable was not
/// set at build time.
///
/// # Panics
/// When the variable is unset or empty at run time (the test was built to run, or was run with
/// `--ignored`: it must not pass vacuously), or when the server cannot be used.
pub async fn postgres(test: &str) -> Store {
    let base_url = match std::env::var(TEST_DATABASE_URL) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "PostgreSQL test `{test}` cannot run: {TEST_DATABASE_URL} is not set now (it was at build time, \
             or the test was run with --ignored). Set it to a PostgreSQL database, e.g. \
             {TEST_DATABASE_URL}=postgres://postgres@127.0.0.1:5432/postgres"
        ),
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
    store
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

/// Declares each listed `async fn(Store)` as two tests, `sqlite::name` (always run) and
/// `postgres::name` (see [`postgres_tests!`](crate::postgres_tests)).
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
        $crate::postgres_tests!($($name),+);
    };
}

/// Declares each listed `async fn(Store)` as a test `postgres::name` on a fresh PostgreSQL
/// database. Without `TEST_DATABASE_URL` when this crate was built, the tests are
/// `#[ignore = "needs TEST_DATABASE_URL"]`: the summary counts them as ignored, not passed.
/// (`build.rs` sets `cfg(test_database)`; the attribute is chosen here, when this crate is
/// compiled, so the crates expanding the macro need no build script of their own.)
#[cfg(test_database)]
#[macro_export]
macro_rules! postgres_tests {
    ($($name:ident),+ $(,)?) => {
        $crate::__postgres_tests!([] $($name),+);
    };
}

/// Declares each listed `async fn(Store)` as a test `postgres::name` on a fresh PostgreSQL
/// database. Without `TEST_DATABASE_URL` when this crate was built, the tests are
/// `#[ignore = "needs TEST_DATABASE_URL"]`: the summary counts them as ignored, not passed.
/// (`build.rs` sets `cfg(test_database)`; the attribute is chosen here, when this crate is
/// compiled, so the crates expanding the macro need no build script of their own.)
#[cfg(not(test_database))]
#[macro_export]
macro_rules! postgres_tests {
    ($($name:ident),+ $(,)?) => {
        $crate::__postgres_tests!([ignore = "needs TEST_DATABASE_URL"] $($name),+);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __postgres_tests {
    ($attrs:tt $($name:ident),+) => {
        mod postgres {
            $( $crate::__postgres_test!($attrs $name); )+
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __postgres_test {
    ([$($attr:meta)?] $name:ident) => {
        #[tokio::test]
        $(#[$attr])?
        async fn $name() {
            super::$name($crate::testing::postgres(stringify!($name)).await).await;
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
