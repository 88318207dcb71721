//! Turns on `cfg(test_database)` when `TEST_DATABASE_URL` is set and non-empty. The macros of
//! `src/testing.rs` read it, so the PostgreSQL tests of every crate that expands them show as
//! ignored without a database instead of passing vacuously; this one build script serves them
//! all (the macro is chosen when this crate is compiled, not where it is expanded).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(test_database)");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    if std::env::var_os("TEST_DATABASE_URL").is_some_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=test_database");
    }
}
