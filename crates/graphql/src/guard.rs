//! What every request goes through before and after execution: a bound on the number of
//! fields (aliases included) and root fields of an operation, and a stable `extensions.code`
//! on every error, including those the GraphQL library raises itself (parse, validation,
//! complexity, depth, argument coercion), so that clients can switch on the code.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, Response, ServerError, ServerResult, ValidationResult, Variables};

use crate::error::{ApiError, codes};

/// Fields one operation may select, fragments expanded and aliases counted, and how many of
/// them may sit at the root. Complexity weighs fields by cost; these stop documents that are
/// cheap per field but huge in number (1,800 aliases of one field).
#[derive(Debug, Clone, Copy)]
pub struct FieldLimits {
    pub max_fields: usize,
    pub max_root_fields: usize,
}

#[derive(Debug)]
pub struct RequestGuard(pub FieldLimits);

impl ExtensionFactory for RequestGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Guard(self.0))
    }
}

struct Guard(FieldLimits);

fn with_code(mut error: ServerError, code: &str) -> ServerError {
    if error.extensions.as_ref().is_none_or(|e| e.get("code").is_none()) {
        error.extensions.get_or_insert_with(ErrorExtensionValues::default).set("code", code);
    }
    error
}

fn has_code(error: &ServerError) -> bool {
    error.extensions.as_ref().is_some_and(|e| e.get("code").is_some())
}

/// Counts the fields of a selection set with fragments expanded, stopping once over `cap`
/// (fragment cycles are refused later by validation; the cap and `depth` keep this finite).
fn count_fields(doc: &ExecutableDocument, set: &SelectionSet, cap: usize, depth: usize) -> usize {
    if depth > 64 {
        return cap + 1;
    }
    let mut total = 0usize;
    for item in &set.items {
        total += match &item.node {
            Selection::Field(f) => 1 + count_fields(doc, &f.node.selection_set.node, cap, depth + 1),
            Selection::InlineFragment(f) => count_fields(doc, &f.node.selection_set.node, cap, depth + 1),
            Selection::FragmentSpread(s) => doc
                .fragments
                .get(&s.node.fragment_name.node)
                .map_or(0, |f| count_fields(doc, &f.node.selection_set.node, cap, depth + 1)),
        };
        if total > cap {
            return total;
        }
    }
    total
}

/// Root fields of a selection set, fragments expanded (one level).
fn count_root_fields(doc: &ExecutableDocument, set: &SelectionSet, depth: usize) -> usize {
    if depth > 64 {
        return usize::MAX;
    }
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(f) => count_root_fields(doc, &f.node.selection_set.node, depth + 1),
            Selection::FragmentSpread(s) => doc
                .fragments
                .get(&s.node.fragment_name.node)
                .map_or(0, |f| count_root_fields(doc, &f.node.selection_set.node, depth + 1)),
        })
        .fold(0usize, usize::saturating_add)
}

/// The code of an error the GraphQL library raised during validation.
fn validation_code(error: &ServerError) -> &'static str {
    match error.message.as_str() {
        "Query is too complex." => codes::QUERY_TOO_COMPLEX,
        "Query is nested too deep." => codes::QUERY_TOO_DEEP,
        _ => codes::GRAPHQL_VALIDATION_FAILED,
    }
}

/// Errors left without a code after execution come from the library's argument coercion
/// (`Failed to parse "Int"`, an unknown enum value in a variable…): bad input. Anything else
/// is unexpected: logged, and sent as an internal error with no internal text.
fn execution_error(error: ServerError) -> ServerError {
    if has_code(&error) {
        return error;
    }
    let input = ["Failed to parse", "Invalid value for argument", "Invalid value for variable", "Variable"]
        .iter()
        .any(|prefix| error.message.starts_with(prefix));
    if input {
        return with_code(error, codes::BAD_USER_INPUT);
    }
    let ApiError::Internal(reference) = ApiError::internal(&error.message) else { return error };
    let mut replaced = ServerError::new(ApiError::Internal(reference).message(), None);
    replaced.path = error.path;
    replaced.locations = error.locations;
    with_code(replaced, codes::INTERNAL)
}

#[async_graphql::async_trait::async_trait]
impl Extension for Guard {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        response.errors = std::mem::take(&mut response.errors).into_iter().map(execution_error).collect();
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await.map_err(|e| with_code(e, codes::GRAPHQL_PARSE_FAILED))?;
        let FieldLimits { max_fields, max_root_fields } = self.0;
        for (_, operation) in doc.operations.iter() {
            let set = &operation.node.selection_set.node;
            let roots = count_root_fields(&doc, set, 0);
            if roots > max_root_fields {
                let message =
                    format!("an operation may select at most {max_root_fields} root fields (aliases included)");
                return Err(with_code(ServerError::new(message, None), codes::QUERY_TOO_LARGE));
            }
            if count_fields(&doc, set, max_fields, 0) > max_fields {
                let message =
                    format!("an operation may select at most {max_fields} fields (aliases and fragments included)");
                return Err(with_code(ServerError::new(message, None), codes::QUERY_TOO_LARGE));
            }
        }
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| {
                    let code = validation_code(&e);
                    with_code(e, code)
                })
                .collect()
        })
    }
}
