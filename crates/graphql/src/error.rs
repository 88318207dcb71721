//! Errors as clients see them.
//!
//! Two channels, as in mature GraphQL APIs: problems with the *input* of a mutation come back
//! in the payload's `userErrors { field message code }` and change nothing; problems with the
//! *request* (authentication, authorisation, a missing object, a fault) are GraphQL errors with
//! a stable `extensions.code`. Internal details are logged, never sent.

use std::sync::atomic::{AtomicU64, Ordering};

use async_graphql::{ErrorExtensions, SimpleObject};
use persistence::StoreError;

/// Stable `extensions.code` values.
pub mod codes {
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const INTERNAL: &str = "INTERNAL";
}

/// A request-level failure. Deliberately not `Display`: async-graphql converts any `Display`
/// error into a GraphQL error *without* an `extensions.code`, and every error we send has one.
#[derive(Debug)]
pub enum ApiError {
    Unauthenticated,
    Forbidden(&'static str),
    NotFound(&'static str),
    BadInput(String),
    Internal(u64),
}

impl ApiError {
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthenticated => "authentication required: send `Authorization: Bearer <token>`".into(),
            ApiError::Forbidden(why) => (*why).to_owned(),
            ApiError::NotFound(what) => format!("{what} not found"),
            ApiError::BadInput(why) => why.clone(),
            ApiError::Internal(reference) => {
                format!("internal error (reference {reference}); the details are in the server log")
            }
        }
    }

    /// Logs the cause with a reference number and returns an error that shows only the number.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let reference = NEXT.fetch_add(1, Ordering::Relaxed);
        tracing::error!(reference, error = %cause, "internal error while serving a GraphQL request");
        ApiError::Internal(reference)
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => codes::UNAUTHENTICATED,
            ApiError::Forbidden(_) => codes::FORBIDDEN,
            ApiError::NotFound(_) => codes::NOT_FOUND,
            ApiError::BadInput(_) => codes::BAD_USER_INPUT,
            ApiError::Internal(_) => codes::INTERNAL,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => ApiError::NotFound(what),
            other => ApiError::internal(&other),
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.message()).extend_with(|_, e| e.set("code", self.code()))
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        err.extend()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Something wrong with a mutation's input. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct UserError {
    /// Path to the input field, e.g. `["input", "finess"]`.
    pub field: Vec<String>,
    /// Human-readable explanation.
    pub message: String,
    /// Stable machine-readable code, e.g. `FINESS_MALFORMED` or `END_BEFORE_START`.
    pub code: String,
}

/// Accepted input that deserves a second look (e.g. an RPPS failing the unconfirmed key).
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct UserWarning {
    pub field: Vec<String>,
    pub message: String,
    pub code: String,
}
