//! The built-in CPAM stub: a wiremock server, started in-process, answering the contract's
//! endpoints from the fixture file (`config/cpam/fixtures.json`). The contract tests load the
//! same file, so the stub and the tests cannot drift.

use std::collections::HashMap;
use std::time::Duration;

use chrono::NaiveDate;
use serde::Deserialize;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::method};

use crate::dto::*;

/// The fixture file compiled into the binary.
pub const EMBEDDED_FIXTURES: &str = include_str!("../../../config/cpam/fixtures.json");

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoningFixture {
    pub commune: String,
    pub periods: Vec<ZonePeriod>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZonePeriod {
    pub zone: String,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    #[serde(default)]
    pub decision: Option<String>,
}

/// Everything the stub serves.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fixtures {
    #[serde(default)]
    pub comment: String,
    pub practitioners: Vec<PractitionerDto>,
    pub activity: Vec<ActivityDto>,
    pub distributions: Vec<DistributionDto>,
    pub zoning: Vec<ZoningFixture>,
    pub practitioner_contracts: HashMap<String, Vec<ContractDto>>,
    pub structure_contracts: HashMap<String, Vec<ContractDto>>,
    pub aci_contracts: Vec<AciContractDto>,
}

impl Fixtures {
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn embedded() -> Result<Self, serde_json::Error> {
        Self::parse(EMBEDDED_FIXTURES)
    }

    pub fn practitioner(&self, rpps: &str) -> Option<&PractitionerDto> {
        self.practitioners.iter().find(|p| p.rpps == rpps)
    }

    pub fn activity(&self, rpps: &str, year: i32) -> Option<&ActivityDto> {
        self.activity.iter().find(|a| a.rpps == rpps && a.year == year)
    }

    pub fn zoning_on(&self, commune: &str, date: NaiveDate) -> Option<ZoningDto> {
        let z = self.zoning.iter().find(|z| z.commune == commune)?;
        let p = z.periods.iter().find(|p| p.valid_from <= date && p.valid_to.is_none_or(|to| date <= to))?;
        Some(ZoningDto {
            commune: commune.to_owned(),
            date,
            zone: p.zone.clone(),
            valid_from: p.valid_from,
            valid_to: p.valid_to,
            decision: p.decision.clone(),
        })
    }

    /// The answer to a GET on `path` with `query`, as the contract defines it.
    pub fn answer(
        &self,
        path: &str,
        query: &HashMap<String, String>,
    ) -> Result<serde_json::Value, (u16, &'static str)> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let year = || query.get("year").and_then(|y| y.parse::<i32>().ok()).ok_or((400, "year is required"));
        let json = |v: Result<serde_json::Value, serde_json::Error>| v.map_err(|_| (500, "fixture does not serialise"));
        match parts.as_slice() {
            ["v1", "practitioners", rpps] => {
                json(serde_json::to_value(self.practitioner(rpps).ok_or((404, "no practitioner with this RPPS"))?))
            }
            ["v1", "practitioners", rpps, "activity"] => json(serde_json::to_value(
                self.activity(rpps, year()?).ok_or((404, "no figures for this practitioner and year"))?,
            )),
            ["v1", "practitioners", rpps, "aid-contracts"] => {
                self.practitioner(rpps).ok_or((404, "no practitioner with this RPPS"))?;
                let contracts = self.practitioner_contracts.get(*rpps).cloned().unwrap_or_default();
                json(serde_json::to_value(ContractListDto { contracts }))
            }
            ["v1", "specialties", specialty, "distribution"] => {
                let y = year()?;
                let d = self.distributions.iter().find(|d| d.specialty == *specialty && d.year == y);
                json(serde_json::to_value(d.ok_or((404, "no distribution for this specialty and year"))?))
            }
            ["v1", "zoning", commune] => {
                let date =
                    query.get("date").and_then(|d| d.parse::<NaiveDate>().ok()).ok_or((400, "date is required"))?;
                json(serde_json::to_value(
                    self.zoning_on(commune, date).ok_or((404, "no zoning for this commune and date"))?,
                ))
            }
            ["v1", "structures", finess, "aid-contracts"] => {
                let contracts =
                    self.structure_contracts.get(*finess).ok_or((404, "no structure with this FINESS"))?.clone();
                json(serde_json::to_value(ContractListDto { contracts }))
            }
            ["v1", "structures", finess, "aci-contract"] => {
                let aci = self.aci_contracts.iter().find(|a| a.finess == *finess);
                json(serde_json::to_value(aci.ok_or((404, "no ACI contract for this FINESS"))?))
            }
            _ => Err((404, "no such endpoint")),
        }
    }
}

/// How the stub behaves.
#[derive(Debug, Clone)]
pub struct StubOptions {
    /// Token the stub expects in `Authorization: Bearer …`.
    pub token: String,
    /// Delay before every answer (to measure concurrency).
    pub delay: Duration,
    /// Answer every call with 503, as a CPAM outage would.
    pub fail: bool,
}

struct FixtureResponder {
    fixtures: Fixtures,
    options: StubOptions,
}

fn error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(ErrorDto { code: code.to_owned(), message: message.to_owned() })
}

impl Respond for FixtureResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let expected = format!("Bearer {}", self.options.token);
        let template = if request.headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str())
        {
            error(401, "UNAUTHORIZED", "missing or invalid token")
        } else if self.options.fail {
            error(503, "UNAVAILABLE", "the stub is switched to fail")
        } else {
            let query: HashMap<String, String> =
                request.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            match self.fixtures.answer(request.url.path(), &query) {
                Ok(body) => ResponseTemplate::new(200).set_body_json(body),
                Err((404, message)) => error(404, "NOT_FOUND", message),
                Err((status, message)) => error(status, "BAD_REQUEST", message),
            }
        };
        template.set_delay(self.options.delay)
    }
}

/// A running stub; stops when dropped.
#[derive(Debug)]
pub struct CpamStub {
    server: MockServer,
}

impl CpamStub {
    pub async fn start(fixtures: Fixtures, options: StubOptions) -> Self {
        let server = MockServer::builder().start().await;
        Mock::given(method("GET")).respond_with(FixtureResponder { fixtures, options }).mount(&server).await;
        Self { server }
    }

    pub fn base_url(&self) -> String {
        self.server.uri()
    }

    /// Requests the stub received, for tests and diagnostics.
    pub async fn received(&self) -> usize {
        self.server.received_requests().await.map_or(0, |r| r.len())
    }
}
