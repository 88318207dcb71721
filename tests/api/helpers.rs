//! Starts the service on 127.0.0.1:0 with its own database and stops it at the end.

use std::net::SocketAddr;

use persistence::Store;
use serde_json::{Value, json};
use server::{App, Settings, demo};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestApp {
    pub addr: SocketAddr,
    store: Store,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

pub fn settings(database_url: &str) -> Settings {
    let env = [("AMP_DATABASE__URL", database_url), ("AMP_SERVER__BIND", "127.0.0.1:0")];
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    Settings::load_from(None, &env).expect("test settings are valid")
}

impl TestApp {
    /// The full start-up path: connect, migrate, load the demo data, serve.
    pub async fn start(settings: Settings) -> Self {
        Self::serve(App::prepare(settings).await.expect("app starts")).await
    }

    /// Over an existing store (e.g. a fresh PostgreSQL database), with the demo data loaded.
    pub async fn start_with_store(store: Store) -> Self {
        store.import(&demo::dataset()).await.expect("demo data loads");
        let settings = settings("sqlite::memory:");
        let rules = server::load_rules(&settings).expect("rules load");
        Self::serve(App::with_store(settings, store, rules).await.expect("app builds")).await
    }

    /// Over an existing store as it is (no demo data).
    pub async fn over_store(store: Store) -> Self {
        let settings = settings("sqlite::memory:");
        let rules = server::load_rules(&settings).expect("rules load");
        Self::serve(App::with_store(settings, store, rules).await.expect("app builds")).await
    }

    async fn serve(app: App) -> Self {
        let store = app.store().clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("port 0 binds");
        let addr = listener.local_addr().expect("bound address");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.serve(listener, async {
            stopped.await.ok();
        }));
        Self { addr, store, client: reqwest::Client::new(), stop: Some(stop), task: Some(task) }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// POSTs a GraphQL request with a token; returns the status and the JSON body.
    pub async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
        let mut request =
            self.client.post(self.url("/graphql")).json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("server answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    pub async fn as_coordinator(&self, query: &str) -> Value {
        let (status, body) = self.graphql(Some(demo::DEMO_COORDINATOR_TOKEN), query, json!({})).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task joins").expect("server stops cleanly");
        }
    }
}
