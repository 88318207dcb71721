//! Errors as clients see them.
//!
//! Two channels, as in mature GraphQL APIs: problems with the *input* of a mutation come back
//! in the payload's `userErrors { field message code }` and change nothing; problems with the
//! *request* (authentication, authorisation, a missing object, a fault) are GraphQL errors with
//! a stable `extensions.code`. Internal details are logged, never sent.

use std::sync::atomic::{AtomicU64, Ordering};

use async_graphql::{ErrorExtensions, SimpleObject};
use domain::rules::RuleError;
use domain::{IdentifierError, IdentifierKind, IdentifierProblem};
use persistence::StoreError;
use planning::cpam::Unrefreshed;

/// Stable `extensions.code` values.
pub mod codes {
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const INTERNAL: &str = "INTERNAL";
    /// The document is not GraphQL.
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The document does not fit the schema (unknown field, unused variable, wrong literal…).
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
    pub const QUERY_TOO_DEEP: &str = "QUERY_TOO_DEEP";
    /// Too many fields or root fields in one operation.
    pub const QUERY_TOO_LARGE: &str = "QUERY_TOO_LARGE";
    /// The answer would exceed the response size limit.
    pub const RESPONSE_TOO_LARGE: &str = "RESPONSE_TOO_LARGE";
    /// The HTTP body is not a GraphQL request (malformed JSON, a batch…).
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    pub const BATCH_NOT_SUPPORTED: &str = "BATCH_NOT_SUPPORTED";
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    pub const TIMEOUT: &str = "TIMEOUT";
}

/// A request-level failure. Deliberately not `Display`: async-graphql converts any `Display`
/// error into a GraphQL error *without* an `extensions.code`, and every error we send has one.
#[derive(Debug)]
pub enum ApiError {
    Unauthenticated,
    Forbidden(&'static str),
    NotFound(&'static str),
    BadInput(String),
    /// A refused argument of a query field, named in `extensions.argument` so that a client
    /// can show the reason next to the control that set it.
    BadArgument {
        argument: &'static str,
        why: String,
    },
    Internal(u64),
}

impl ApiError {
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthenticated => "authentication required: send `Authorization: Bearer <token>`".into(),
            ApiError::Forbidden(why) => (*why).to_owned(),
            ApiError::NotFound(what) => format!("{what} not found"),
            ApiError::BadInput(why) => why.clone(),
            ApiError::BadArgument { argument, why } => format!("{argument}: {why}"),
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
            ApiError::BadInput(_) | ApiError::BadArgument { .. } => codes::BAD_USER_INPUT,
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

/// A rule error is the caller's: a date without regime, an evaluation date before signing…
impl From<RuleError> for ApiError {
    fn from(err: RuleError) -> Self {
        ApiError::BadInput(err.to_string())
    }
}

impl From<planning::Error> for ApiError {
    fn from(err: planning::Error) -> Self {
        match err {
            planning::Error::Store(e) => e.into(),
            planning::Error::Rules(e) => e.into(),
            other => ApiError::internal(&other),
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.message()).extend_with(|_, e| {
            e.set("code", self.code());
            if let ApiError::BadArgument { argument, .. } = self {
                e.set("argument", *argument);
            }
        })
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        err.extend()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Stable machine-readable codes of `userErrors`, `warnings` and CPAM refresh failures.
/// One enum, exposed in the schema, so clients can switch on it and a typo cannot ship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum UserErrorCode {
    AciContractNotFound,
    AdeliMalformed,
    ActivityLineExists,
    ActivityMonthBeforeHire,
    ActivityMonthInFuture,
    ActivityRecordNotFound,
    ActivityRecordSuperseded,
    AdultPmtExceedsPmt,
    AlreadyExists,
    AmNumberBadCheckDigit,
    AmNumberMalformed,
    AmountNotPositive,
    AmountOutOfRange,
    AssignmentsExceedContract,
    AssignmentBeforeHire,
    AssignmentNotFound,
    AssistantAmbiguous,
    AssistantNotFound,
    AssistantNotInStructure,
    BaselineAfterSignature,
    BirthYearOutOfRange,
    CcamShareInvalid,
    ContractNotFound,
    CoordinationEtpInvalid,
    CoordinationHolderAmbiguous,
    CoordinationNotDeclared,
    CoordinationPaidExceedsPaid,
    CountOutOfRange,
    CpamDisabled,
    CpamInvalidResponse,
    CpamNotFound,
    CpamReferenceAlreadyExists,
    CpamTimeout,
    CpamUnauthorized,
    CpamUnavailable,
    DuplicateEmployee,
    CsvEmpty,
    CsvHeaderInvalid,
    CsvLineMalformed,
    CsvTooManyLines,
    DoctorNotMember,
    DuplicateMember,
    EmployeesWithoutSalaries,
    EmployerAmbiguous,
    EmployerGroupRequiresSisa,
    EmployerRequired,
    EndBeforeStart,
    EndDateRequired,
    FieldsNotForCollective,
    FieldsNotForIndividual,
    FiguresAlreadyExist,
    FinessAlreadyExists,
    FinessBadCheckDigit,
    FinessLocked,
    FinessMalformed,
    FinessRequired,
    FundedEtpInvalid,
    GrantNotFound,
    GrantSharesExceedAmount,
    HoursInvalid,
    HoursMalformed,
    HoursNotPositive,
    HoursOverCeiling,
    HoursTooPrecise,
    InseeCommuneBadCheckDigit,
    InseeCommuneMalformed,
    MembershipNotFound,
    MembershipOverlaps,
    MembershipRequired,
    MembersRequired,
    MemberBeforeSignature,
    MissionFamilyUnknown,
    MonthMalformed,
    NameInvalidCharacters,
    NoFigures,
    #[graphql(name = "OPTAM_REQUIRES_SECTOR_2")]
    OptamRequiresSector2,
    PractitionerNotForScheme,
    PractitionerNotFound,
    PractitionerNotInStructure,
    ProfessionalNotFound,
    QualifiedOnRequired,
    QualifiedOnWithoutQualification,
    ReferenceNotFound,
    Required,
    RppsAlreadyExists,
    RppsBadCheckDigit,
    RppsCheckDigitUnverified,
    RppsMalformed,
    RppsRequiresAdministrator,
    SirenBadCheckDigit,
    SirenMalformed,
    SiretBadCheckDigit,
    SiretMalformed,
    SisaNotEmployerGroup,
    SisaOnTooEarly,
    StructureNotFound,
    StructureNotSisa,
    TextInvalid,
    TooLong,
    WeeklyHoursMalformed,
    WeeklyHoursNotWholeMinutes,
    WeeklyHoursOverFullTime,
    WeeklyHoursZero,
    YearOutOfRange,
}

impl UserErrorCode {
    /// The code of a rejected identifier, e.g. `FINESS_MALFORMED` or `SIRET_BAD_CHECK_DIGIT`.
    pub fn of_identifier(e: &IdentifierError) -> Self {
        use IdentifierKind as K;
        use IdentifierProblem::{BadCheckDigit as Bad, Malformed as Mal};
        match (e.kind, e.problem) {
            (K::Rpps, Mal) => Self::RppsMalformed,
            (K::Rpps, Bad) => Self::RppsBadCheckDigit,
            (K::Finess, Mal) => Self::FinessMalformed,
            (K::Finess, Bad) => Self::FinessBadCheckDigit,
            (K::Siren, Mal) => Self::SirenMalformed,
            (K::Siren, Bad) => Self::SirenBadCheckDigit,
            (K::Siret, Mal) => Self::SiretMalformed,
            (K::Siret, Bad) => Self::SiretBadCheckDigit,
            (K::InseeCommune, Mal) => Self::InseeCommuneMalformed,
            (K::InseeCommune, Bad) => Self::InseeCommuneBadCheckDigit,
            (K::AmNumber, Mal) => Self::AmNumberMalformed,
            (K::AmNumber, Bad) => Self::AmNumberBadCheckDigit,
        }
    }

    /// The code of a refresh that did not happen, as [`Unrefreshed::code`] records it.
    pub fn of_refresh(e: &Unrefreshed) -> Self {
        use ameli_connector::CpamError as E;
        match e {
            Unrefreshed::Cpam(E::NotFound) => Self::CpamNotFound,
            Unrefreshed::Cpam(E::Unauthorized) => Self::CpamUnauthorized,
            Unrefreshed::Cpam(E::Unavailable(_)) => Self::CpamUnavailable,
            Unrefreshed::Cpam(E::InvalidResponse(_)) => Self::CpamInvalidResponse,
            Unrefreshed::TimedOut => Self::CpamTimeout,
        }
    }

    /// The code named `name` (e.g. a domain warning's `RPPS_CHECK_DIGIT_UNVERIFIED`).
    pub fn from_name(name: &str) -> Option<Self> {
        <Self as async_graphql::resolver_utils::EnumType>::items().iter().find(|i| i.name == name).map(|i| i.value)
    }

    /// The code as sent to clients, e.g. `"FINESS_MALFORMED"`.
    pub fn as_str(self) -> &'static str {
        <Self as async_graphql::resolver_utils::EnumType>::items()
            .iter()
            .find(|i| i.value == self)
            .map_or("UNKNOWN", |i| i.name)
    }
}

/// Something wrong with a mutation's input. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct UserError {
    /// Path to the input field, e.g. `["input", "finess"]`.
    pub field: Vec<String>,
    /// Human-readable explanation.
    pub message: String,
    /// Stable machine-readable code, e.g. `FINESS_MALFORMED` or `END_BEFORE_START`.
    pub code: UserErrorCode,
}

/// Accepted input that deserves a second look (e.g. an RPPS failing the unconfirmed key).
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct UserWarning {
    pub field: Vec<String>,
    pub message: String,
    pub code: UserErrorCode,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema's codes are the ones the domain gives its identifier errors.
    #[test]
    fn identifier_codes_match_the_domain() {
        use IdentifierKind as K;
        for kind in [K::Rpps, K::Finess, K::Siren, K::Siret, K::InseeCommune, K::AmNumber] {
            for problem in [IdentifierProblem::Malformed, IdentifierProblem::BadCheckDigit] {
                let e = IdentifierError { kind, problem, reason: String::new() };
                assert_eq!(UserErrorCode::of_identifier(&e).as_str(), e.code(), "{kind:?} {problem:?}");
            }
        }
        let rpps = domain::Rpps::parse("10101201234").expect("well-formed, failing the key");
        assert!(!rpps.warnings().is_empty());
        for w in rpps.warnings() {
            assert!(UserErrorCode::from_name(w.code).is_some(), "{} has no code in the schema", w.code);
        }
        assert_eq!(UserErrorCode::from_name("NOT_A_CODE"), None);
    }

    /// A refresh failure reads with the code recorded for the doctor's last error.
    #[test]
    fn refresh_codes_match_the_recorded_ones() {
        use ameli_connector::CpamError as E;
        let failures = [
            Unrefreshed::Cpam(E::NotFound),
            Unrefreshed::Cpam(E::Unauthorized),
            Unrefreshed::Cpam(E::Unavailable(String::new())),
            Unrefreshed::Cpam(E::InvalidResponse(String::new())),
            Unrefreshed::TimedOut,
        ];
        for e in &failures {
            assert_eq!(UserErrorCode::of_refresh(e).as_str(), e.code(), "{e:?}");
        }
    }
}
