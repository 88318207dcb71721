//! The committed rules catalogue, `config/rules/catalogue.md`, is the one the code generates.
//! `UPDATE_CATALOGUE=1 cargo test -p domain --test catalogue` (`just catalogue`) rewrites it.

use domain::rules::{RuleBook, catalogue};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/rules/catalogue.md");

#[test]
fn the_committed_catalogue_is_the_generated_one() {
    let book = RuleBook::embedded().expect("embedded parameters load");
    let rendered = catalogue::render(&book, include_str!("cases/rules.toml")).expect("catalogue renders");
    if std::env::var_os("UPDATE_CATALOGUE").is_some() {
        std::fs::write(PATH, &rendered).expect("catalogue written");
        return;
    }
    let committed = std::fs::read_to_string(PATH).unwrap_or_default();
    if committed != rendered {
        let line = committed.lines().zip(rendered.lines()).position(|(a, b)| a != b);
        let line = line.unwrap_or_else(|| committed.lines().count().min(rendered.lines().count()));
        panic!(
            "config/rules/catalogue.md is out of date (first difference at line {}):\n  committed: {}\n  generated: {}\n\
             regenerate it with `just catalogue` (UPDATE_CATALOGUE=1 cargo test -p domain --test catalogue) and commit it",
            line + 1,
            committed.lines().nth(line).unwrap_or("(end of file)"),
            rendered.lines().nth(line).unwrap_or("(end of file)"),
        );
    }
}
