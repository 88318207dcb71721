# Conveniences over the two README commands.

# Run the service on its embedded defaults (SQLite file, demo data).
run:
    cargo run

# Run the whole test suite (set TEST_DATABASE_URL to add PostgreSQL).
test:
    cargo test --workspace

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Regenerate the committed GraphQL schema.
schema:
    cargo run -- export-schema --output schema.graphql

# Regenerate the rules catalogue, config/rules/catalogue.md, from the code, parameters and cases.
catalogue:
    UPDATE_CATALOGUE=1 cargo test -p domain --test catalogue

# Mutation testing of the rules: each mutant caught or listed as equivalent (`--changed`: diff only).
mutants *ARGS:
    scripts/mutants {{ARGS}}
