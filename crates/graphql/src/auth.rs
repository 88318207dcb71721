//! Who is calling, and which structures they may see.
//!
//! Callers present a bearer token. Each token belongs to a principal: an `ADMIN` (operators,
//! CPAM staff: every structure) or a `COORDINATOR` scoped to the structures whose FINESS
//! numbers the token lists. Scope is enforced on every read and write of structure data.

use async_graphql::{Context, Enum, SimpleObject};
use domain::Finess;
use persistence::{Store, Visibility};
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Enum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Every structure.
    Admin,
    /// The structures listed for the token.
    Coordinator,
}

/// A token as written in the configuration or a tokens file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenEntry {
    /// Who holds the token; shown in logs, never the token itself.
    pub name: String,
    pub token: String,
    pub role: Role,
    /// FINESS numbers of the structures a coordinator may see.
    #[serde(default)]
    pub structures: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub name: String,
    pub role: Role,
    pub structures: Vec<Finess>,
}

/// Tokens are compared in constant time; shorter than this is refused as guessable.
pub const MIN_TOKEN_LENGTH: usize = 16;

#[derive(Debug, Clone, Default)]
pub struct TokenTable {
    entries: Vec<(Vec<u8>, Principal)>,
}

impl TokenTable {
    /// Validates entries: unique tokens of at least 16 characters, valid FINESS scopes.
    pub fn new(entries: Vec<TokenEntry>) -> Result<Self, String> {
        let mut table = Vec::with_capacity(entries.len());
        for entry in entries {
            if entry.token.len() < MIN_TOKEN_LENGTH {
                return Err(format!("token `{}` is shorter than {MIN_TOKEN_LENGTH} characters", entry.name));
            }
            if table.iter().any(|(t, _): &(Vec<u8>, Principal)| t.as_slice() == entry.token.as_bytes()) {
                return Err(format!("token `{}` is listed twice", entry.name));
            }
            let structures = entry
                .structures
                .iter()
                .map(|f| Finess::parse(f).map_err(|e| format!("token `{}`: structure {f}: {}", entry.name, e.reason)))
                .collect::<Result<Vec<_>, _>>()?;
            if entry.role == Role::Coordinator && structures.is_empty() {
                return Err(format!("coordinator token `{}` lists no structure", entry.name));
            }
            table.push((entry.token.into_bytes(), Principal { name: entry.name, role: entry.role, structures }));
        }
        Ok(Self { entries: table })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The principal holding the token of an `Authorization` header (absent: `None`). The
    /// scheme is case-insensitive and may be followed by spaces or tabs (RFC 7235, RFC 6750).
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<&Principal, AuthFailure> {
        let header = authorization.map(|h| h.trim_matches([' ', '\t'])).filter(|h| !h.is_empty());
        let Some(header) = header else { return Err(AuthFailure::Missing) };
        let (scheme, token) = header.split_once([' ', '\t']).ok_or(AuthFailure::NotBearer)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(AuthFailure::NotBearer);
        }
        self.find(token.trim_matches([' ', '\t'])).ok_or(AuthFailure::UnknownToken)
    }

    fn find(&self, token: &str) -> Option<&Principal> {
        let mut found = None;
        for (candidate, principal) in &self.entries {
            // Visit every entry and compare every byte so timing says nothing about the token.
            if constant_time_eq(candidate, token.as_bytes()) {
                found = Some(principal);
            }
        }
        found
    }
}

/// Why a request is not authenticated; each says what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    Missing,
    NotBearer,
    UnknownToken,
}

impl AuthFailure {
    pub fn message(self) -> &'static str {
        match self {
            AuthFailure::Missing => "authentication required: send `Authorization: Bearer <token>`",
            AuthFailure::NotBearer => "unsupported authorization scheme: send `Authorization: Bearer <token>`",
            AuthFailure::UnknownToken => {
                "the token is not recognised: it is wrong, revoked or meant for another server"
            }
        }
    }

    /// The RFC 6750 error of the `WWW-Authenticate` challenge, when there is one.
    pub fn challenge(self) -> &'static str {
        match self {
            AuthFailure::Missing => "Bearer",
            AuthFailure::NotBearer => "Bearer error=\"invalid_request\"",
            AuthFailure::UnknownToken => "Bearer error=\"invalid_token\"",
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..a.len().max(b.len()) {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0);
    }
    diff == 0
}

/// The authenticated caller of one request, with their structure scope resolved to ids.
#[derive(Debug, Clone, SimpleObject)]
pub struct Viewer {
    pub name: String,
    pub role: Role,
    #[graphql(skip)]
    pub visibility: Visibility,
}

impl Viewer {
    pub async fn resolve(principal: &Principal, store: &Store) -> ApiResult<Self> {
        let visibility = match principal.role {
            Role::Admin => Visibility::All,
            Role::Coordinator => Visibility::Structures(store.structure_ids_by_finess(&principal.structures).await?),
        };
        Ok(Self { name: principal.name.clone(), role: principal.role, visibility })
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// The caller, or `UNAUTHENTICATED`.
pub fn viewer<'a>(ctx: &Context<'a>) -> ApiResult<&'a Viewer> {
    ctx.data_opt::<Viewer>().ok_or(ApiError::Unauthenticated)
}

pub fn store<'a>(ctx: &Context<'a>) -> ApiResult<&'a Store> {
    ctx.data_opt::<Store>().ok_or_else(|| ApiError::internal(&"store missing from the schema data"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, token: &str, role: Role, structures: &[&str]) -> TokenEntry {
        TokenEntry {
            name: name.into(),
            token: token.into(),
            role,
            structures: structures.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn authenticates_bearer_tokens() {
        let table = TokenTable::new(vec![
            entry("ops", "admin-token-0123456789", Role::Admin, &[]),
            entry("msp", "coord-token-0123456789", Role::Coordinator, &["010780914"]),
        ])
        .expect("valid table");
        let auth = |h: &str| table.authenticate(Some(h)).map(|p| p.role);
        assert_eq!(auth("Bearer admin-token-0123456789"), Ok(Role::Admin));
        let coordinator = table.authenticate(Some("Bearer coord-token-0123456789")).expect("known");
        assert_eq!(coordinator.structures[0].as_str(), "010780914");
        for spelling in [
            "bearer admin-token-0123456789",
            "BEARER admin-token-0123456789",
            "Bearer\tadmin-token-0123456789",
            "Bearer   admin-token-0123456789 ",
            " BeArEr \t admin-token-0123456789",
        ] {
            assert_eq!(auth(spelling), Ok(Role::Admin), "{spelling:?}");
        }
        assert_eq!(auth("Bearer admin-token-012345678"), Err(AuthFailure::UnknownToken));
        assert_eq!(auth("admin-token-0123456789"), Err(AuthFailure::NotBearer), "scheme is required");
        assert_eq!(auth("Basic YWRtaW46eA=="), Err(AuthFailure::NotBearer));
        assert_eq!(auth("Bearer"), Err(AuthFailure::NotBearer));
        assert_eq!(auth("   "), Err(AuthFailure::Missing));
        assert_eq!(table.authenticate(None).map(|p| p.role), Err(AuthFailure::Missing));
    }

    #[test]
    fn refuses_weak_or_inconsistent_entries() {
        assert!(TokenTable::new(vec![entry("a", "short", Role::Admin, &[])]).is_err());
        assert!(TokenTable::new(vec![entry("c", "coord-token-0123456789", Role::Coordinator, &[])]).is_err());
        assert!(TokenTable::new(vec![entry("c", "coord-token-0123456789", Role::Coordinator, &["123"])]).is_err());
        let twice = vec![
            entry("a", "same-token-0123456789", Role::Admin, &[]),
            entry("b", "same-token-0123456789", Role::Admin, &[]),
        ];
        assert!(TokenTable::new(twice).is_err());
    }
}
