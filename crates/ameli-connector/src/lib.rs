//! The CPAM (Assurance Maladie) connector.
//!
//! The CPAM holds what the rules need and a coordinator cannot type in reliably: sector and
//! OPTAM status, yearly patientèle figures and percentile bands, zoning, existing contracts.
//! No public API exists, so this crate will define the contract (OpenAPI), a resilient HTTP
//! client and a wiremock stub serving fixtures. Until then it only reserves its place in the
//! dependency graph (`ameli-connector -> domain`); figures are typed in through the API.
