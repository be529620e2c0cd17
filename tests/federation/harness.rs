//! `TestInstance`: a real Maillage instance on a loopback port, with its own SQLite file or
//! PostgreSQL database, whose deliveries run only when the test asks (no sleeps).

use chrono::{DateTime, Utc};
use maillage::{
    actions,
    config::Config,
    context::AppContext,
    delivery::{Deliverer, RoundReport},
    startup::Instance,
};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashMap;
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};

pub use crate::backends::{Backend, Storage, postgres_server};

/// Options of a test instance.
/// The `metrics.token` of every test instance.
pub const METRICS_TOKEN: &str = "metrics-token-of-the-tests";

#[derive(Clone, Debug)]
pub struct Options {
    pub username: String,
    pub name: String,
    pub manually_approves_followers: bool,
    pub authorized_fetch: bool,
    /// `dev` (`None`: the default, on for `localhost` domains).
    pub dev: Option<bool>,
    /// `http.trusted_proxies`, comma-separated.
    pub trusted_proxies: Option<String>,
    /// Any other `MAILLAGE_…` variables.
    pub env: Vec<(&'static str, String)>,
}

impl Options {
    pub fn named(username: &str) -> Options {
        Options {
            username: username.into(),
            name: format!("Centre {username}"),
            manually_approves_followers: false,
            authorized_fetch: false,
            dev: None,
            trusted_proxies: None,
            env: Vec::new(),
        }
    }
}

pub struct TestInstance {
    pub ctx: AppContext,
    pub deliverer: Deliverer,
    pub fed: activitypub_federation::config::FederationConfig<AppContext>,
    pub base: String,
    pub domain: String,
    pub token: String,
    pub http: reqwest::Client,
    pub options: Options,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    pub storage: std::sync::Arc<Storage>,
}

impl TestInstance {
    pub async fn spawn(backend: Backend, username: &str) -> TestInstance {
        Self::spawn_with(backend, Options::named(username)).await
    }

    pub async fn spawn_with(backend: Backend, options: Options) -> TestInstance {
        let storage = std::sync::Arc::new(Storage::new(backend).await);
        Self::start(storage, options, None).await
    }

    /// Starts an instance on `storage` (a new one, or the storage of a stopped instance).
    pub async fn start(
        storage: std::sync::Arc<Storage>,
        options: Options,
        port: Option<u16>,
    ) -> TestInstance {
        maillage::telemetry::init_for_tests();
        let listener = TcpListener::bind(("127.0.0.1", port.unwrap_or(0)))
            .await
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let domain = format!("localhost:{port}");
        let mut env: HashMap<&str, String> = HashMap::from([
            ("MAILLAGE_LISTEN", format!("127.0.0.1:{port}")),
            ("MAILLAGE_DOMAIN", domain.clone()),
            ("MAILLAGE_DATABASE_URL", storage.url()),
            ("MAILLAGE_CENTRE_USERNAME", options.username.clone()),
            ("MAILLAGE_CENTRE_NAME", options.name.clone()),
            (
                "MAILLAGE_CENTRE_MANUALLY_APPROVES_FOLLOWERS",
                options.manually_approves_followers.to_string(),
            ),
            (
                "MAILLAGE_AUTHORIZED_FETCH",
                options.authorized_fetch.to_string(),
            ),
        ]);
        env.insert("MAILLAGE_METRICS_TOKEN", METRICS_TOKEN.into());
        if let Some(dev) = options.dev {
            env.insert("MAILLAGE_DEV", dev.to_string());
        }
        if let Some(p) = &options.trusted_proxies {
            env.insert("MAILLAGE_HTTP_TRUSTED_PROXIES", p.clone());
        }
        for (k, v) in &options.env {
            env.insert(k, v.clone());
        }
        let config = Config::from_sources("", |k| env.get(k).cloned()).unwrap();
        let instance = Instance::build(config).await.unwrap();
        let ctx = instance.ctx.clone();
        let deliverer = instance.deliverer.clone();
        let fed = instance.fed.clone();
        let token = actions::tokens::create(&ctx.db, "test", Utc::now().timestamp_millis())
            .await
            .unwrap();
        let (shutdown, rx) = watch::channel(false);
        let server = tokio::spawn(async move {
            instance.serve(listener, rx, false).await.unwrap();
        });
        TestInstance {
            ctx,
            deliverer,
            fed,
            base: format!("http://{domain}"),
            domain,
            token,
            http: reqwest::Client::new(),
            options,
            shutdown,
            server: Some(server),
            storage,
        }
    }

    /// Stops the server and closes the database; the storage stays for a restart.
    pub async fn stop(mut self) -> (std::sync::Arc<Storage>, Options, u16) {
        let _ = self.shutdown.send(true);
        if let Some(s) = self.server.take() {
            s.await.unwrap();
        }
        let port: u16 = self.domain.rsplit(':').next().unwrap().parse().unwrap();
        (self.storage.clone(), self.options.clone(), port)
    }

    /// Runs every delivery due now.
    pub async fn deliver_pending(&self) -> RoundReport {
        self.deliver_at(Utc::now()).await
    }

    /// Runs every delivery due at `now` (time is injected, not slept).
    pub async fn deliver_at(&self, now: DateTime<Utc>) -> RoundReport {
        self.deliverer.drain(now).await.unwrap()
    }

    pub fn handle(&self) -> String {
        format!("{}@{}", self.options.username, self.domain)
    }

    pub fn actor_id(&self) -> String {
        format!("{}/u/{}", self.base, self.options.username)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.api(reqwest::Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.api(reqwest::Method::POST, path, Some(body)).await
    }
    pub async fn post_empty(&self, path: &str) -> (StatusCode, Value) {
        self.api(reqwest::Method::POST, path, None).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.api(reqwest::Method::PATCH, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.api(reqwest::Method::PUT, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.api(reqwest::Method::DELETE, path, None).await
    }

    /// GETs an ActivityPub document (unsigned).
    pub async fn get_ap(&self, url: &str) -> (StatusCode, Value) {
        let res = self
            .http
            .get(url)
            .header("accept", "application/activity+json")
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// The network feed items.
    /// The text of `/metrics`, with the token.
    pub async fn metrics(&self) -> String {
        self.http
            .get(self.url("/metrics"))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn feed(&self) -> Vec<Value> {
        let (status, body) = self.get("/api/v1/feed?limit=100").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["items"].as_array().unwrap().clone()
    }

    /// A POST to `inbox` signed with this instance's key, as its delivery worker would send.
    pub async fn signed_post(&self, inbox: &str, body: Vec<u8>) -> reqwest::Request {
        let url = url::Url::parse(inbox).unwrap();
        let data = self.fed.to_request_data();
        let date = httpdate::fmt_http_date(std::time::SystemTime::now());
        let h = maillage::federation::httpsig::outbound::sign_cavage(
            &data.centre.http_key,
            data.urls.key_id().as_str(),
            "POST",
            &url,
            date,
            Some(&body),
        )
        .unwrap();
        reqwest::Client::new()
            .post(inbox)
            .header("content-type", "application/activity+json")
            .header("host", h.host)
            .header("date", h.date)
            .header("digest", h.digest.unwrap())
            .header("signature", h.signature)
            .body(body)
            .build()
            .unwrap()
    }

    /// A GET of `url` signed by this instance's key (draft-cavage); its status.
    pub async fn signed_get(&self, url: &str) -> StatusCode {
        let u = url::Url::parse(url).unwrap();
        let data = self.fed.to_request_data();
        let h = maillage::federation::httpsig::outbound::sign_cavage(
            &data.centre.http_key,
            data.urls.key_id().as_str(),
            "GET",
            &u,
            httpdate::fmt_http_date(std::time::SystemTime::now()),
            None,
        )
        .unwrap();
        let req = self
            .http
            .get(url)
            .header("accept", "application/activity+json")
            .header("host", h.host)
            .header("date", h.date)
            .header("signature", h.signature)
            .build()
            .unwrap();
        self.http.execute(req).await.unwrap().status()
    }

    /// Sends `body` signed by this instance to `to`'s shared inbox; the status.
    pub async fn deliver_to(&self, to: &TestInstance, body: &Value) -> StatusCode {
        let req = self
            .signed_post(
                &format!("{}/inbox", to.base),
                serde_json::to_vec(body).unwrap(),
            )
            .await;
        self.http.execute(req).await.unwrap().status()
    }

    /// Makes a remote actor with this inbox an accepted follower, as if its Follow had arrived.
    pub async fn add_remote_follower(&self, actor_id: &str, inbox: &str) {
        let now = Utc::now().timestamp_millis();
        let domain = url::Url::parse(actor_id).unwrap();
        let domain = format!(
            "{}:{}",
            domain.host_str().unwrap(),
            domain.port().unwrap_or(80)
        );
        // Not used to verify anything here: any valid public key will do.
        let key = self.ctx.centre.public_key_pem.clone();
        let row = maillage::db::actors::upsert_remote(
            self.ctx.db.write(),
            &maillage::db::actors::ActorUpsert {
                ap_id: actor_id,
                kind: "Person",
                username: actor_id.rsplit('/').next().unwrap(),
                domain: &domain,
                name: None,
                summary: None,
                url: None,
                inbox,
                shared_inbox: None,
                outbox: None,
                followers_url: None,
                public_key_pem: &key,
                manually_approves_followers: false,
                published: None,
                fetched_at: now,
                data: "{}",
                key_id: None,
                assertion_keys: "[]",
            },
        )
        .await
        .unwrap();
        maillage::db::followers::upsert(
            self.ctx.db.write(),
            &uuid::Uuid::new_v4().simple().to_string(),
            row.id,
            &format!("{actor_id}#follow"),
            "accepted",
            now,
        )
        .await
        .unwrap();
    }

    /// Another worker on the same database, as a second `serve` process would run.
    pub async fn second_worker(&self) -> Deliverer {
        let config = (*self.ctx.config).clone();
        Instance::build(config).await.unwrap().deliverer
    }

    /// Follows `other` and runs deliveries until the Accept has arrived.
    pub async fn follow_and_wait(&self, other: &TestInstance) -> Value {
        let (status, follow) = self
            .post(
                "/api/v1/follows",
                serde_json::json!({ "target": other.handle() }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{follow}");
        self.deliver_pending().await;
        other.deliver_pending().await;
        let (_, follows) = self.get("/api/v1/follows").await;
        follows["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == follow["id"])
            .cloned()
            .unwrap()
    }
}
