//! Baseline A: the federation library's default path. A minimal axum server that hands every
//! inbox POST to the library's `receive_activity` (its digest check, its actor dereference,
//! its draft-cavage verification with the `rsa` crate) and stores the note with one INSERT on
//! SQLite. The bench binary runs it as a separate process (`MAILLAGE_BENCH_ROLE=baseline-a`),
//! so that its CPU and memory are read from /proc exactly as Maillage's.

use activitypub_federation::{
    axum::inbox::{ActivityData, receive_activity},
    config::{Data, FederationConfig, FederationMiddleware},
    protocol::public_key::PublicKey,
    traits::{Activity, Actor, Object},
};
use axum::{Router, http::StatusCode, routing::get, routing::post};
use serde::Deserialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqliteSynchronous};
use std::{
    collections::HashMap,
    str::FromStr,
    sync::{Arc, Mutex},
    time::Duration,
};
use url::Url;

#[derive(Clone)]
struct State {
    pool: SqlitePool,
    /// Actors fetched once, kept in memory (the cheapest `read_from_id` an app can have).
    actors: Arc<Mutex<HashMap<Url, BenchActor>>>,
}

#[derive(Debug, Clone)]
struct BenchActor {
    id: Url,
    inbox: Url,
    public_key_pem: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersonJson {
    id: Url,
    inbox: Url,
    public_key: PublicKey,
}

#[async_trait::async_trait]
impl Object for BenchActor {
    type DataType = State;
    type Kind = PersonJson;
    type Error = anyhow::Error;

    fn id(&self) -> &Url {
        &self.id
    }

    async fn read_from_id(id: Url, data: &Data<State>) -> anyhow::Result<Option<Self>> {
        Ok(data.actors.lock().unwrap().get(&id).cloned())
    }

    async fn into_json(self, _: &Data<State>) -> anyhow::Result<PersonJson> {
        anyhow::bail!("not served")
    }

    async fn verify(json: &PersonJson, expected: &Url, _: &Data<State>) -> anyhow::Result<()> {
        anyhow::ensure!(json.id.domain() == expected.domain(), "foreign actor");
        Ok(())
    }

    async fn from_json(json: PersonJson, data: &Data<State>) -> anyhow::Result<Self> {
        let actor = BenchActor {
            id: json.id,
            inbox: json.inbox,
            public_key_pem: json.public_key.public_key_pem,
        };
        data.actors
            .lock()
            .unwrap()
            .insert(actor.id.clone(), actor.clone());
        Ok(actor)
    }
}

impl Actor for BenchActor {
    fn public_key_pem(&self) -> &str {
        &self.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        None
    }

    fn inbox(&self) -> Url {
        self.inbox.clone()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NoteJson {
    id: Url,
    content: String,
    published: String,
}

#[derive(Deserialize)]
struct Create {
    id: Url,
    actor: Url,
    object: NoteJson,
}

#[async_trait::async_trait]
impl Activity for Create {
    type DataType = State;
    type Error = anyhow::Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    async fn verify(&self, _: &Data<State>) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.object.id.domain() == self.actor.domain(),
            "object of another origin"
        );
        Ok(())
    }

    async fn receive(self, data: &Data<State>) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO notes (ap_id, actor, content, published) VALUES (?, ?, ?, ?)")
            .bind(self.object.id.as_str())
            .bind(self.actor.as_str())
            .bind(&self.object.content)
            .bind(&self.object.published)
            .execute(&data.pool)
            .await?;
        Ok(())
    }
}

async fn inbox(data: Data<State>, activity: ActivityData) -> (StatusCode, String) {
    match receive_activity::<Create, BenchActor, State>(activity, &data).await {
        Ok(()) => (StatusCode::ACCEPTED, String::new()),
        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()),
    }
}

pub fn schema() -> &'static str {
    "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, ap_id TEXT NOT NULL UNIQUE, \
     actor TEXT NOT NULL, content TEXT NOT NULL, published TEXT NOT NULL)"
}

/// The process's main: serves `MAILLAGE_BENCH_PORT` on the database `MAILLAGE_BENCH_DB`.
pub fn main() {
    let port: u16 = std::env::var("MAILLAGE_BENCH_PORT")
        .unwrap()
        .parse()
        .unwrap();
    let db = std::env::var("MAILLAGE_BENCH_DB").unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{db}"))
            .unwrap()
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePool::connect_with(options).await.unwrap();
        sqlx::query(schema()).execute(&pool).await.unwrap();
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let config = FederationConfig::builder()
            .domain(format!("localhost:{port}"))
            .app_data(State {
                pool,
                actors: Arc::default(),
            })
            .client(client.into())
            .debug(true)
            .build()
            .await
            .unwrap();
        let app = Router::new()
            .route("/inbox", post(inbox))
            .route("/healthz", get(|| async { "ok" }))
            .layer(FederationMiddleware::new(config));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        axum::serve(listener, app).await.unwrap();
    });
}

/// Notes stored by a baseline-A run.
pub async fn count(db: &std::path::Path) -> i64 {
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))
        .unwrap()
        .read_only(true);
    let pool = SqlitePool::connect_with(options).await.unwrap();
    let n = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM notes")
        .fetch_one(&pool)
        .await
        .unwrap_or(-1);
    pool.close().await;
    n
}
