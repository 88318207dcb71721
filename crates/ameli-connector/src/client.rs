//! The CPAM client: timeouts, bounded retries with jittered exponential backoff (honouring
//! `Retry-After` up to a cap) on connection errors, 408, 429 and 5xx only, a circuit breaker,
//! a concurrency limit, an in-memory cache with a TTL, typed errors and a tracing span per call.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use domain::{Finess, InseeCommune, Rpps, Specialty};
use reqwest::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;
use tracing::Instrument;

use crate::CpamError;
use crate::dto::*;

/// Every knob of the client, in configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpamConfig {
    /// Base URL of the CPAM API, without the `/v1` prefix.
    pub base_url: String,
    /// Bearer token issued by the CPAM.
    pub token: String,
    pub connect_timeout_ms: u64,
    /// Limit for one attempt, connection included.
    pub request_timeout_ms: u64,
    /// Retries after the first attempt, for retryable failures only.
    pub max_retries: u32,
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    /// Longest `Retry-After` honoured; a longer one gives up at once.
    pub retry_after_max_ms: u64,
    /// Consecutive failed calls that open the circuit.
    pub breaker_failures: u32,
    /// Time the circuit stays open before one trial call is let through.
    pub breaker_cooldown_ms: u64,
    /// Calls in flight at once.
    pub max_concurrency: usize,
    /// How long a successful answer is served from memory; 0 disables the cache.
    pub cache_ttl_seconds: u64,
}

impl CpamConfig {
    /// Sensible defaults for a given base URL and token.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            token: token.into(),
            connect_timeout_ms: 2_000,
            request_timeout_ms: 5_000,
            max_retries: 3,
            backoff_base_ms: 100,
            backoff_max_ms: 2_000,
            retry_after_max_ms: 10_000,
            breaker_failures: 5,
            breaker_cooldown_ms: 30_000,
            max_concurrency: 8,
            cache_ttl_seconds: 300,
        }
    }
}

/// State of the circuit breaker, for health and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    /// Cool-down over: the next call is a trial.
    HalfOpen,
}

#[derive(Debug, Default)]
struct Breaker {
    consecutive_failures: u32,
    open_until: Option<Instant>,
    trial_in_flight: bool,
}

impl Breaker {
    fn admit(&mut self, now: Instant) -> Result<(), CpamError> {
        match self.open_until {
            None => Ok(()),
            Some(until) if now < until => Err(CpamError::Unavailable("circuit open after repeated failures".into())),
            Some(_) if self.trial_in_flight => {
                Err(CpamError::Unavailable("circuit half-open: a trial call is running".into()))
            }
            Some(_) => {
                self.trial_in_flight = true;
                Ok(())
            }
        }
    }

    fn success(&mut self) {
        *self = Breaker::default();
    }

    fn failure(&mut self, now: Instant, threshold: u32, cooldown: Duration) {
        self.consecutive_failures += 1;
        if self.trial_in_flight || self.consecutive_failures >= threshold {
            self.open_until = Some(now + cooldown);
            self.trial_in_flight = false;
        }
    }

    fn state(&self, now: Instant) -> BreakerState {
        match self.open_until {
            None => BreakerState::Closed,
            Some(until) if now < until => BreakerState::Open,
            Some(_) => BreakerState::HalfOpen,
        }
    }
}

struct Inner {
    http: reqwest::Client,
    config: CpamConfig,
    breaker: Mutex<Breaker>,
    limit: Semaphore,
    cache: Mutex<HashMap<String, (Instant, String)>>,
    jitter: AtomicU64,
}

/// A cheap-to-clone handle on the CPAM API.
#[derive(Clone)]
pub struct CpamClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for CpamClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CpamClient").field("base_url", &self.inner.config.base_url).finish_non_exhaustive()
    }
}

enum Attempt {
    Done(String),
    Fatal(CpamError),
    Retry(CpamError, Option<Duration>),
}

impl CpamClient {
    pub fn new(config: CpamConfig) -> Result<Self, CpamError> {
        // One process-wide TLS provider (ring); a second install is a no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
            .timeout(Duration::from_millis(config.request_timeout_ms))
            .user_agent(concat!("am-planner/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CpamError::Unavailable(format!("cannot build the HTTP client: {e}")))?;
        let seed =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                limit: Semaphore::new(config.max_concurrency.max(1)),
                config,
                breaker: Mutex::new(Breaker::default()),
                cache: Mutex::new(HashMap::new()),
                jitter: AtomicU64::new(seed),
            }),
        })
    }

    pub fn breaker_state(&self) -> BreakerState {
        self.inner.breaker.lock().map_or(BreakerState::Open, |b| b.state(Instant::now()))
    }

    /// Forgets every cached answer (e.g. before an explicit refresh).
    pub fn clear_cache(&self) {
        if let Ok(mut c) = self.inner.cache.lock() {
            c.clear();
        }
    }

    pub async fn practitioner(&self, rpps: &Rpps) -> Result<CpamPractitioner, CpamError> {
        let dto: PractitionerDto = self.get("getPractitioner", format!("/v1/practitioners/{rpps}")).await?;
        dto.into_domain(rpps)
    }

    pub async fn activity(&self, rpps: &Rpps, year: i32) -> Result<CpamActivity, CpamError> {
        let dto: ActivityDto =
            self.get("getActivity", format!("/v1/practitioners/{rpps}/activity?year={year}")).await?;
        dto.into_domain(rpps, year)
    }

    pub async fn distribution(&self, specialty: Specialty, year: i32) -> Result<CpamDistribution, CpamError> {
        let path = format!("/v1/specialties/{}/distribution?year={year}", specialty.code());
        let dto: DistributionDto = self.get("getDistribution", path).await?;
        dto.into_domain()
    }

    pub async fn zoning(&self, commune: &InseeCommune, date: NaiveDate) -> Result<CpamZoning, CpamError> {
        let dto: ZoningDto = self.get("getZoning", format!("/v1/zoning/{commune}?date={date}")).await?;
        let zoning = dto.into_domain()?;
        if &zoning.commune != commune {
            return Err(CpamError::InvalidResponse(format!(
                "commune: asked for {commune}, the answer is about {}",
                zoning.commune
            )));
        }
        Ok(zoning)
    }

    pub async fn practitioner_contracts(&self, rpps: &Rpps) -> Result<Vec<CpamContract>, CpamError> {
        let dto: ContractListDto =
            self.get("getPractitionerContracts", format!("/v1/practitioners/{rpps}/aid-contracts")).await?;
        dto.contracts.into_iter().map(ContractDto::into_domain).collect()
    }

    pub async fn structure_contracts(&self, finess: &Finess) -> Result<Vec<CpamContract>, CpamError> {
        let dto: ContractListDto =
            self.get("getStructureContracts", format!("/v1/structures/{finess}/aid-contracts")).await?;
        dto.contracts.into_iter().map(ContractDto::into_domain).collect()
    }

    pub async fn aci_contract(&self, finess: &Finess) -> Result<CpamAciContract, CpamError> {
        let dto: AciContractDto = self.get("getAciContract", format!("/v1/structures/{finess}/aci-contract")).await?;
        dto.into_domain(finess)
    }

    /// GET `path`, from the cache or through the breaker, the limit and the retry loop.
    async fn get<T: DeserializeOwned>(&self, endpoint: &'static str, path: String) -> Result<T, CpamError> {
        let span = tracing::info_span!("cpam", endpoint, path = %path);
        async move {
            let body = match self.cached(&path) {
                Some(body) => {
                    tracing::debug!("served from cache");
                    body
                }
                None => {
                    let body = self.fetch(&path).await?;
                    self.remember(&path, &body);
                    body
                }
            };
            serde_json::from_str(&body).map_err(|e| CpamError::InvalidResponse(format!("malformed JSON: {e}")))
        }
        .instrument(span)
        .await
    }

    fn cached(&self, path: &str) -> Option<String> {
        let ttl = Duration::from_secs(self.inner.config.cache_ttl_seconds);
        let cache = self.inner.cache.lock().ok()?;
        cache.get(path).filter(|(at, _)| at.elapsed() < ttl).map(|(_, body)| body.clone())
    }

    fn remember(&self, path: &str, body: &str) {
        if self.inner.config.cache_ttl_seconds > 0
            && let Ok(mut cache) = self.inner.cache.lock()
        {
            cache.insert(path.to_owned(), (Instant::now(), body.to_owned()));
        }
    }

    async fn fetch(&self, path: &str) -> Result<String, CpamError> {
        let config = &self.inner.config;
        self.inner
            .breaker
            .lock()
            .map_err(|_| CpamError::Unavailable("breaker poisoned".into()))?
            .admit(Instant::now())?;
        let _permit = self.inner.limit.acquire().await.map_err(|_| CpamError::Unavailable("client closed".into()))?;
        let url = format!("{}{path}", config.base_url.trim_end_matches('/'));
        let mut attempt = 0u32;
        let outcome = loop {
            match self.attempt(&url).await {
                Attempt::Done(body) => break Ok(body),
                Attempt::Fatal(e) => break Err(e),
                Attempt::Retry(e, _) if attempt >= config.max_retries => break Err(e),
                Attempt::Retry(e, retry_after) => {
                    let delay = match retry_after {
                        Some(wait) if wait > Duration::from_millis(config.retry_after_max_ms) => {
                            break Err(CpamError::Unavailable(format!("rate limited for {} s", wait.as_secs())));
                        }
                        Some(wait) => wait,
                        None => self.backoff(attempt),
                    };
                    tracing::warn!(attempt = attempt + 1, error = %e, delay_ms = delay.as_millis() as u64, "CPAM call failed, retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        };
        let mut breaker = self.inner.breaker.lock().map_err(|_| CpamError::Unavailable("breaker poisoned".into()))?;
        match &outcome {
            Ok(_) | Err(CpamError::NotFound | CpamError::InvalidResponse(_)) => breaker.success(),
            Err(_) => breaker.failure(
                Instant::now(),
                config.breaker_failures,
                Duration::from_millis(config.breaker_cooldown_ms),
            ),
        }
        outcome
    }

    async fn attempt(&self, url: &str) -> Attempt {
        let response = match self.inner.http.get(url).bearer_auth(&self.inner.config.token).send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Attempt::Retry(CpamError::Unavailable("timed out".into()), None),
            Err(e) => return Attempt::Retry(CpamError::Unavailable(format!("connection failed: {e}")), None),
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = match response.text().await {
            Ok(b) => b,
            Err(e) if e.is_timeout() => {
                return Attempt::Retry(CpamError::Unavailable("timed out reading the answer".into()), None);
            }
            Err(e) => return Attempt::Retry(CpamError::Unavailable(format!("answer cut off: {e}")), None),
        };
        let detail = || {
            serde_json::from_str::<ErrorDto>(&body).map(|e| format!("{}: {}", e.code, e.message)).unwrap_or_default()
        };
        match status {
            StatusCode::OK => Attempt::Done(body),
            StatusCode::NOT_FOUND => Attempt::Fatal(CpamError::NotFound),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Attempt::Fatal(CpamError::Unauthorized),
            StatusCode::TOO_MANY_REQUESTS => {
                Attempt::Retry(CpamError::Unavailable(format!("rate limited {}", detail())), retry_after)
            }
            StatusCode::REQUEST_TIMEOUT => Attempt::Retry(CpamError::Unavailable("request timeout (408)".into()), None),
            s if s.is_server_error() => {
                Attempt::Retry(CpamError::Unavailable(format!("CPAM error {} {}", s.as_u16(), detail())), None)
            }
            s => Attempt::Fatal(CpamError::InvalidResponse(format!("unexpected status {}", s.as_u16()))),
        }
    }

    /// Full jitter: a random delay up to `base × 2^attempt`, capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let config = &self.inner.config;
        let ceiling = config.backoff_base_ms.saturating_mul(1u64 << attempt.min(20)).min(config.backoff_max_ms);
        let mut x = self.inner.jitter.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.inner.jitter.store(x, Ordering::Relaxed);
        Duration::from_millis(if ceiling == 0 { 0 } else { x % (ceiling + 1) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaker_opens_then_lets_one_trial_through() {
        let mut b = Breaker::default();
        let t0 = Instant::now();
        let cool = Duration::from_millis(100);
        for _ in 0..2 {
            b.failure(t0, 3, cool);
        }
        assert_eq!(b.state(t0), BreakerState::Closed);
        b.failure(t0, 3, cool);
        assert_eq!(b.state(t0), BreakerState::Open);
        assert!(b.admit(t0).is_err());
        let later = t0 + cool;
        assert_eq!(b.state(later), BreakerState::HalfOpen);
        assert!(b.admit(later).is_ok(), "one trial");
        assert!(b.admit(later).is_err(), "only one");
        b.failure(later, 3, cool);
        assert_eq!(b.state(later), BreakerState::Open, "a failed trial reopens");
        b.success();
        assert_eq!(b.state(later), BreakerState::Closed);
    }
}
