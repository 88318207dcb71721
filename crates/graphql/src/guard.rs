//! What every request goes through before and after execution: a bound on the number of
//! fields (aliases included) and root fields of an operation, and a stable `extensions.code`
//! on every error, including those the GraphQL library raises itself (parse, validation,
//! complexity, depth, argument coercion), so that clients can switch on the code.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_graphql::Name;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest, NextRequest, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, Request, Response, ServerError, ServerResult, ValidationResult, Variables};

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
    if !has_code(&error) {
        error.extensions.get_or_insert_with(ErrorExtensionValues::default).set("code", code);
    }
    error
}

fn has_code(error: &ServerError) -> bool {
    error.extensions.as_ref().is_some_and(|e| e.get("code").is_some())
}

/// What is counted in an operation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Count {
    /// Every field, fragment spread and inline fragment, fragments expanded: what walking the
    /// document costs.
    Selections,
    /// The fields of the root selection set, fragments expanded.
    Roots,
}

/// Counts fields with fragments expanded, each fragment counted once and remembered, so that
/// counting is linear in the document's length: without the memory, 40 fragments that each
/// spread the next one twice would take 2^40 steps. Counts stop at `cap + 1`; a fragment cycle
/// (refused later by validation) counts as over the cap.
struct Counter<'a> {
    doc: &'a ExecutableDocument,
    cap: usize,
    known: HashMap<(Count, &'a Name), usize>,
    open: HashSet<&'a Name>,
}

impl<'a> Counter<'a> {
    fn new(doc: &'a ExecutableDocument, cap: usize) -> Self {
        Self { doc, cap, known: HashMap::new(), open: HashSet::new() }
    }

    fn count(&mut self, what: Count, set: &'a SelectionSet) -> usize {
        let mut total = 0usize;
        for item in &set.items {
            let n = match &item.node {
                Selection::Field(f) => match what {
                    Count::Roots => 1,
                    Count::Selections => 1usize.saturating_add(self.count(what, &f.node.selection_set.node)),
                },
                Selection::InlineFragment(f) => {
                    self.count(what, &f.node.selection_set.node).saturating_add(usize::from(what == Count::Selections))
                }
                Selection::FragmentSpread(s) => self
                    .fragment(what, &s.node.fragment_name.node)
                    .saturating_add(usize::from(what == Count::Selections)),
            };
            total = total.saturating_add(n);
            if total > self.cap {
                return self.cap + 1;
            }
        }
        total
    }

    fn fragment(&mut self, what: Count, name: &'a Name) -> usize {
        if let Some(n) = self.known.get(&(what, name)) {
            return *n;
        }
        let Some(fragment) = self.doc.fragments.get(name) else { return 0 };
        if !self.open.insert(name) {
            return self.cap + 1;
        }
        let n = self.count(what, &fragment.node.selection_set.node);
        self.open.remove(name);
        self.known.insert((what, name), n);
        n
    }
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
    let mut replaced = ServerError::new(ApiError::internal(&error.message).message(), None);
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

    /// Parses the document here, before the library walks it (its recursion-depth check
    /// expands every fragment spread, which is exponential in a document of fragments that
    /// spread each other twice), bounds its size, and hands the parsed document on.
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let doc = request.parsed_query().map_err(|e| with_code(e, codes::GRAPHQL_PARSE_FAILED))?;
        let FieldLimits { max_fields, max_root_fields } = self.0;
        for (_, operation) in doc.operations.iter() {
            let set = &operation.node.selection_set.node;
            if Counter::new(doc, max_root_fields).count(Count::Roots, set) > max_root_fields {
                let message =
                    format!("an operation may select at most {max_root_fields} root fields (aliases included)");
                return Err(with_code(ServerError::new(message, None), codes::QUERY_TOO_LARGE));
            }
            if Counter::new(doc, max_fields).count(Count::Selections, set) > max_fields {
                let message = format!(
                    "an operation may hold at most {max_fields} fields and fragment spreads, fragments expanded"
                );
                return Err(with_code(ServerError::new(message, None), codes::QUERY_TOO_LARGE));
            }
        }
        next.run(ctx, request).await
    }

    /// Errors of the library's own checks of the parsed document (recursion, directives).
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(|e| with_code(e, codes::GRAPHQL_PARSE_FAILED))
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
