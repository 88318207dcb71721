//! The am-planner service: settings, start-up (migrations, demo data), the HTTP router with
//! GraphQL, GraphiQL and health, and graceful shutdown. `main.rs` is only the command line.

pub mod app;
pub mod batch;
pub mod demo;
pub mod graphiql;
pub mod settings;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ameli_connector::CpamClient;
use ameli_connector::stub::{CpamStub, Fixtures, StubOptions};
use anyhow::Context;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::rules::RuleBook;
use graphql::{AppSchema, Limits, Role, TokenEntry, TokenTable, Viewer};
use persistence::Store;
use serde::Deserialize;
use serde_json::json;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use settings::CpamMode;
pub use settings::Settings;

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct App {
    schema: AppSchema,
    store: Store,
    tokens: Arc<TokenTable>,
    graphiql: graphiql::Page,
    settings: Arc<Settings>,
    /// The last readiness check and when it ran: probes within a few seconds share it, so an
    /// anonymous client hammering `/healthz` cannot take the database's write lock at will.
    readiness: Arc<tokio::sync::Mutex<Option<(std::time::Instant, bool)>>>,
    /// The in-process CPAM stub, kept alive as long as the app (cpam.mode = "stub").
    _stub: Option<Arc<CpamStub>>,
}

/// The CPAM client the settings ask for, and the stub it talks to in stub mode.
pub async fn cpam_client(settings: &Settings) -> anyhow::Result<(Option<CpamClient>, Option<Arc<CpamStub>>)> {
    let cpam = &settings.cpam;
    match cpam.mode {
        CpamMode::Off => Ok((None, None)),
        CpamMode::Remote => {
            anyhow::ensure!(
                !cpam.client.base_url.trim().is_empty(),
                "cpam.mode = \"remote\" needs cpam.client.base_url"
            );
            Ok((Some(CpamClient::new(cpam.client.clone())?), None))
        }
        CpamMode::Stub => {
            let fixtures = if cpam.fixtures_file.trim().is_empty() {
                Fixtures::embedded().context("built-in CPAM fixtures")?
            } else {
                let text = std::fs::read_to_string(&cpam.fixtures_file)
                    .with_context(|| format!("reading CPAM fixtures {}", cpam.fixtures_file))?;
                Fixtures::parse(&text).with_context(|| format!("parsing CPAM fixtures {}", cpam.fixtures_file))?
            };
            let options = StubOptions {
                token: cpam.client.token.clone(),
                delay: Duration::from_millis(cpam.stub_delay_ms),
                fail: cpam.stub_fail,
            };
            let stub = CpamStub::start(fixtures, options).await;
            tracing::info!(url = %stub.base_url(), fail = cpam.stub_fail, "CPAM stub started in-process");
            let client =
                CpamClient::new(ameli_connector::CpamConfig { base_url: stub.base_url(), ..cpam.client.clone() })?;
            Ok((Some(client), Some(Arc::new(stub))))
        }
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("backend", &self.store.backend_name()).finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokensFile {
    tokens: Vec<TokenEntry>,
}

fn load_tokens(settings: &Settings) -> anyhow::Result<TokenTable> {
    let mut entries = Vec::new();
    if settings.auth.demo_tokens {
        entries.push(TokenEntry {
            name: "demo-admin".into(),
            token: demo::DEMO_ADMIN_TOKEN.into(),
            role: Role::Admin,
            structures: Vec::new(),
        });
        entries.push(TokenEntry {
            name: "demo-coordinator".into(),
            token: demo::DEMO_COORDINATOR_TOKEN.into(),
            role: Role::Coordinator,
            structures: vec![demo::DEMO_MSP_FINESS.into()],
        });
    }
    let path = settings.auth.tokens_file.trim();
    if !path.is_empty() {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading tokens file {path}"))?;
        let file: TokensFile = toml::from_str(&text).with_context(|| format!("parsing tokens file {path}"))?;
        entries.extend(file.tokens);
    }
    let table = TokenTable::new(entries).map_err(|e| anyhow::anyhow!("auth: {e}"))?;
    if table.is_empty() {
        tracing::warn!("no API token is configured: every GraphQL request will be refused");
    }
    Ok(table)
}

/// The built-in rule parameters, with the override directory's files layered on top. A bad
/// file is refused with its path and the parameter key.
pub fn load_rules(settings: &Settings) -> anyhow::Result<RuleBook> {
    let dir = settings.rules.override_dir.trim();
    let mut files: Vec<(String, String)> = Vec::new();
    if !dir.is_empty() {
        let entries = std::fs::read_dir(dir).with_context(|| format!("reading the rules override directory {dir}"))?;
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
                files.push((path.display().to_string(), text));
            }
        }
        files.sort();
    }
    let overrides: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let book = RuleBook::load(domain::rules::params::EMBEDDED_FILES, &overrides)
        .map_err(|e| anyhow::anyhow!("invalid rule parameters: {e}"))?;
    if !overrides.is_empty() {
        tracing::info!(files = overrides.len(), dir, "rule parameter overrides loaded");
    }
    Ok(book)
}

impl App {
    /// Connects, migrates, loads the demo data on an empty database if enabled, and builds
    /// the schema.
    pub async fn prepare(settings: Settings) -> anyhow::Result<Self> {
        // Parameters first: a bad override stops the start before anything is touched.
        let rules = load_rules(&settings)?;
        let store = Store::connect(&settings.database.url)
            .await
            .with_context(|| format!("connecting to the database {}", redact(&settings.database.url)))?;
        store.migrate().await.context("applying migrations")?;
        if settings.demo.load_on_empty_database && store.is_empty().await? {
            let summary = store.import(&demo::dataset()).await.context("loading the demo data")?;
            demo::seed_funding(&store).await.context("loading the demo's funding records")?;
            tracing::info!(?summary, "empty database: demo MSP loaded");
        }
        Self::with_store(settings, store, rules).await
    }

    /// Builds the app over an already-prepared store and rule parameters.
    pub async fn with_store(settings: Settings, store: Store, rules: RuleBook) -> anyhow::Result<Self> {
        let tokens = load_tokens(&settings)?;
        let (cpam, stub) = cpam_client(&settings).await?;
        let g = &settings.graphql;
        let limits = Limits {
            max_depth: g.max_depth,
            max_complexity: g.max_complexity,
            max_fields: g.max_fields,
            max_root_fields: g.max_root_fields,
        };
        let gateway = graphql::CpamGateway {
            client: cpam,
            refresh_budget: Duration::from_secs(settings.cpam.refresh_budget_seconds),
        };
        let schema = graphql::build_schema(store.clone(), Arc::new(rules), gateway, limits);
        let graphiql = graphiql::Page::new(&settings);
        Ok(Self {
            schema,
            store,
            tokens: Arc::new(tokens),
            graphiql,
            settings: Arc::new(settings),
            readiness: Arc::default(),
            _stub: stub,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn router(&self) -> Router {
        let mut graphql_route = axum::routing::post(graphql_handler);
        let mut router = Router::new();
        if self.settings.graphql.graphiql {
            graphql_route = graphql_route.get(graphiql::page);
            router = router.route(graphiql::ASSETS_ROUTE, get(graphiql::asset));
        }
        router
            // The coordinator's page; GraphiQL stays on `GET /graphql`.
            .route("/", get(|| async { Redirect::temporary(app::PAGE_ROUTE) }))
            .route(app::PAGE_ROUTE, get(app::page))
            .route("/app/", get(|| async { Redirect::permanent(app::PAGE_ROUTE) }))
            .route(app::ASSETS_ROUTE, get(app::asset))
            .route("/graphql", graphql_route)
            .route("/healthz", get(ready))
            .route("/readyz", get(ready))
            .route("/livez", get(|| async { Json(json!({ "status": "ok" })) }))
            .layer(axum::middleware::from_fn_with_state(self.clone(), time_limit))
            .layer(TraceLayer::new_for_http())
            .with_state(self.clone())
    }

    /// Serves on `listener` until `shutdown` completes, then lets running requests finish.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        axum::serve(listener, self.router()).with_graceful_shutdown(shutdown).await.context("HTTP server")
    }
}

/// Hides the password of a database URL before it is logged.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn graphql_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }))).into_response()
}

/// `POST /graphql`. The caller is authenticated before the body is read, so an anonymous
/// client learns nothing from how its body is judged; every refusal is a GraphQL error with
/// an `extensions.code`, never plain text.
async fn graphql_handler(State(app): State<App>, headers: HeaderMap, body: axum::body::Body) -> Response {
    // A header that is not visible ASCII cannot hold a Bearer token: refused as a wrong scheme.
    let authorization = headers.get(header::AUTHORIZATION).map(|v| v.to_str().unwrap_or("\u{FFFD}"));
    let principal = match app.tokens.authenticate(authorization) {
        Ok(p) => p,
        Err(failure) => {
            let mut response =
                graphql_error(StatusCode::UNAUTHORIZED, graphql::codes::UNAUTHENTICATED, failure.message());
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static(failure.challenge()));
            return response;
        }
    };
    let mut request = match read_request(&app, &headers, body).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    let viewer = match Viewer::resolve(principal, &app.store).await {
        Ok(v) => v,
        Err(e) => return graphql_error(StatusCode::SERVICE_UNAVAILABLE, e.code(), &e.message()),
    };
    // Also kept to tell, should the answer be too large, whether writes already took effect.
    let mutation = is_mutation(&mut request);
    // A query answers from one state of the database, read on one connection (begun on its
    // first read: `{ __typename }` reads nothing); a mutation writes through the pool.
    let store = if mutation { app.store.clone() } else { app.store.read_snapshot() };
    tracing::debug!(caller = %viewer.name, "GraphQL request");
    let request = graphql::request_data(request, &store, viewer);
    let response = app.schema.execute(request).await;
    drop(store);
    let body = match serde_json::to_vec(&response) {
        Ok(b) => b,
        Err(e) => {
            let err = graphql::error::ApiError::internal(&e);
            return graphql_error(StatusCode::INTERNAL_SERVER_ERROR, err.code(), &err.message());
        }
    };
    drop(response);
    let limit = app.settings.graphql.max_response_bytes;
    if body.len() > limit {
        if mutation {
            // Its writes are committed: withholding the answer would make the client retry them.
            tracing::warn!(bytes = body.len(), limit, "mutation answer over the response size limit, sent anyway");
            return ([(header::CONTENT_TYPE, "application/json")], body).into_response();
        }
        tracing::warn!(bytes = body.len(), limit, "GraphQL answer over the response size limit");
        let message = format!(
            "the answer would be {} bytes, over the limit of {limit}: ask for fewer rows or fields",
            body.len()
        );
        return graphql_error(StatusCode::OK, graphql::codes::RESPONSE_TOO_LARGE, &message);
    }
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The request in the body: one JSON object `{query, operationName?, variables?}`, within the
/// body limit whether or not the client announced its length.
async fn read_request(
    app: &App,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<async_graphql::Request, Response> {
    let limit = app.settings.server.body_limit_bytes;
    let too_large = || {
        let message = format!("the request body is over the limit of {limit} bytes");
        graphql_error(StatusCode::PAYLOAD_TOO_LARGE, graphql::codes::PAYLOAD_TOO_LARGE, &message)
    };
    let announced =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(e) if is_length_limit(&e) => return Err(too_large()),
        Err(_) => {
            return Err(graphql_error(
                StatusCode::BAD_REQUEST,
                graphql::codes::BAD_REQUEST,
                "the request body could not be read",
            ));
        }
    };
    let bad = |message: String| graphql_error(StatusCode::BAD_REQUEST, graphql::codes::BAD_REQUEST, &message);
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("the body is not JSON: {e}")))?;
    if value.is_array() {
        return Err(graphql_error(
            StatusCode::BAD_REQUEST,
            graphql::codes::BATCH_NOT_SUPPORTED,
            "batched requests are not supported: send one operation per request",
        ));
    }
    serde_json::from_value(value).map_err(|e| bad(format!("the body is not a GraphQL request: {e}")))
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// Readiness (`/healthz`, `/readyz`): the database answers and accepts a write. `/livez`
/// only says the process serves HTTP.
async fn ready(State(app): State<App>) -> Response {
    const FRESH_FOR: Duration = Duration::from_secs(2);
    let ok = {
        let mut last = app.readiness.lock().await;
        match *last {
            Some((at, ok)) if at.elapsed() < FRESH_FOR => ok,
            _ => {
                let ok = match app.store.check_writable().await {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::error!(error = %e, "readiness check: the database cannot be written");
                        false
                    }
                };
                *last = Some((std::time::Instant::now(), ok));
                ok
            }
        }
    };
    if ok {
        Json(json!({ "status": "ok", "database": app.store.backend_name() })).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" }))).into_response()
    }
}

/// Whether the request's operation is a mutation. The document is parsed here once, and kept in
/// the request for its execution; one that does not parse is refused there.
fn is_mutation(request: &mut async_graphql::Request) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let operation = request.operation_name.clone();
    let Ok(doc) = request.parsed_query() else { return false };
    let ty = match (&doc.operations, operation.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) => ops.values().next().map(|op| op.node.ty),
    };
    ty == Some(OperationType::Mutation)
}

/// Every request within `server.request_timeout_seconds`; past it, a typed 503 rather than an
/// empty answer (the request body was read in time: it is the server that was slow).
async fn time_limit(State(app): State<App>, request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let seconds = app.settings.server.request_timeout_seconds;
    match tokio::time::timeout(Duration::from_secs(seconds), next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(seconds, "request over the time limit");
            let message = format!("the request took longer than {seconds} s and was stopped; try again later");
            graphql_error(StatusCode::SERVICE_UNAVAILABLE, graphql::codes::TIMEOUT, &message)
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing running requests");
}

/// Binds the configured address, logs where GraphiQL is, and serves until a signal.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let bind = settings.server.bind.clone();
    let graphiql = settings.graphql.graphiql;
    let demo_tokens = settings.auth.demo_tokens;
    let app = App::prepare(settings).await?;
    let listener = TcpListener::bind(&bind).await.with_context(|| format!("binding {bind}"))?;
    let addr: SocketAddr = listener.local_addr()?;
    tracing::info!(%addr, database = app.store.backend_name(), "am-planner listening");
    tracing::info!("coordinator's page: http://{addr}{}", app::PAGE_ROUTE);
    if graphiql {
        tracing::info!("GraphiQL: http://{addr}/graphql");
    }
    if demo_tokens {
        tracing::warn!(
            admin = demo::DEMO_ADMIN_TOKEN,
            coordinator = demo::DEMO_COORDINATOR_TOKEN,
            "demo tokens are enabled (AMP_AUTH__DEMO_TOKENS=false turns them off)"
        );
    }
    app.serve(listener, shutdown_signal()).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords_only() {
        assert_eq!(super::redact("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://data/x.db?mode=rwc"), "sqlite://data/x.db?mode=rwc");
    }
}
