//! The remote side of the inbox benchmarks: sender key pairs, the stub that serves their actor
//! documents, pre-signed `Create{Note}` requests, the prepared Maillage database, and the load
//! generator.

use super::common::{AP_JSON, PUBLIC, now_ms};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use bytes::Bytes;
use maillage::{actions, config::Config, db, db::Db, integrity::keys::PrivateKey};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::{
    collections::{BTreeMap, HashMap},
    future::Future,
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

pub const CENTRE: &str = "bench";

/// The senders' key pairs (`KEYPAIRS` of them, shared round-robin by the senders).
pub struct Keys {
    pub private: Vec<PrivateKey>,
    pub public: Vec<String>,
}

pub fn keys(n: usize) -> Keys {
    let pairs: Vec<(String, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|_| s.spawn(|| PrivateKey::generate().unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    Keys {
        private: pairs
            .iter()
            .map(|(p, _)| PrivateKey::from_pem(p).unwrap())
            .collect(),
        public: pairs.into_iter().map(|(_, p)| p).collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// The stub serving the senders' actor documents

pub struct Stub {
    pub origin: String,
    pems: Vec<String>,
    pub hits: AtomicU64,
}

async fn stub_actor(
    axum::extract::State(s): axum::extract::State<Arc<Stub>>,
    axum::extract::Path(n): axum::extract::Path<usize>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    s.hits.fetch_add(1, Ordering::Relaxed);
    let id = format!("{}/actors/{n}", s.origin);
    let doc = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "type": "Person",
        "id": id,
        "preferredUsername": format!("sender{n}"),
        "name": format!("Centre émetteur {n}"),
        "inbox": format!("{id}/inbox"),
        "publicKey": {
            "id": format!("{id}#main-key"),
            "owner": id,
            "publicKeyPem": s.pems[n % s.pems.len()],
        },
    });
    (
        [(axum::http::header::CONTENT_TYPE, AP_JSON)],
        doc.to_string(),
    )
        .into_response()
}

pub async fn start_stub(pems: Vec<String>) -> Arc<Stub> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let stub = Arc::new(Stub {
        origin: format!("http://localhost:{port}"),
        pems,
        hits: AtomicU64::new(0),
    });
    let app = axum::Router::new()
        .route("/actors/{n}", axum::routing::get(stub_actor))
        .with_state(stub.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    stub
}

// ---------------------------------------------------------------------------------------------
// Pre-signed requests (draft-cavage, as Mastodon sends them)

pub struct Signed {
    pub date: String,
    pub digest: String,
    pub signature: String,
    pub body: Bytes,
}

impl Signed {
    /// The request as an in-process `http::Request` (for the handler called without HTTP).
    pub fn request(&self, host: &str) -> axum::http::Request<axum::body::Body> {
        axum::http::Request::post("/inbox")
            .header("host", host)
            .header("content-type", AP_JSON)
            .header("date", &self.date)
            .header("digest", &self.digest)
            .header("signature", &self.signature)
            .body(axum::body::Body::from(self.body.clone()))
            .unwrap()
    }
}

fn sign(key: &PrivateKey, key_id: &str, host: &str, date: &str, body: Vec<u8>) -> Signed {
    let digest = format!("SHA-256={}", B64.encode(Sha256::digest(&body)));
    let signing_string = format!(
        "(request-target): post /inbox\nhost: {host}\ndate: {date}\ndigest: {digest}\n\
         content-type: {AP_JSON}"
    );
    let sig = key.sign(signing_string.as_bytes()).unwrap();
    let signature = format!(
        "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",\
         headers=\"(request-target) host date digest content-type\",signature=\"{}\"",
        B64.encode(sig)
    );
    Signed {
        date: date.to_string(),
        digest,
        signature,
        body: Bytes::from(body),
    }
}

/// The body of the `i`-th `Create{Note}` from sender `n`.
fn create_note(origin: &str, n: usize, i: usize, run: &str) -> Vec<u8> {
    let actor = format!("{origin}/actors/{n}");
    let published = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}/activities/{run}-{i}"),
        "type": "Create",
        "actor": actor,
        "to": [PUBLIC],
        "published": published,
        "object": {
            "id": format!("{actor}/notes/{run}-{i}"),
            "type": "Note",
            "attributedTo": actor,
            "to": [PUBLIC],
            "published": published,
            "content": format!(
                "<p>Note {i} du centre {n} : retour d’expérience sur la politique de la ville, \
                 les quartiers prioritaires et le contrat de ville. <a href=\"{origin}/x\">Lien</a></p>"
            ),
        },
    })
    .to_string()
    .into_bytes()
}

/// `total` requests for `host`, request `i` from sender `sender(i)`, signed on every core.
pub fn presign(
    keys: &Keys,
    origin: &str,
    host: &str,
    total: usize,
    sender: impl Fn(usize) -> usize + Sync,
) -> Vec<Signed> {
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let threads = std::thread::available_parallelism().map_or(2, |c| c.get());
    std::thread::scope(|scope| {
        let chunk = total.div_ceil(threads);
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (run, date, sender) = (&run, &date, &sender);
                scope.spawn(move || {
                    (t * chunk..((t + 1) * chunk).min(total))
                        .map(|i| {
                            let n = sender(i);
                            let key_id = format!("{origin}/actors/{n}#main-key");
                            let body = create_note(origin, n, i, run);
                            let key = &keys.private[n % keys.private.len()];
                            sign(key, &key_id, host, date, body)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

// ---------------------------------------------------------------------------------------------
// The Maillage instance's database

/// The environment of one instance, also used to build its `Config` in-process.
pub fn instance_env(port: u16, database_url: &str) -> HashMap<String, String> {
    HashMap::from([
        ("MAILLAGE_LISTEN".into(), format!("127.0.0.1:{port}")),
        ("MAILLAGE_DOMAIN".into(), format!("localhost:{port}")),
        ("MAILLAGE_DATABASE_URL".into(), database_url.into()),
        ("MAILLAGE_CENTRE_USERNAME".into(), CENTRE.into()),
        ("MAILLAGE_DEV".into(), "true".into()),
        ("MAILLAGE_LOG".into(), "warn".into()),
        ("MAILLAGE_DELIVERY_ENABLED".into(), "false".into()),
    ])
}

pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Creates the database: the centre, `senders` remote actors at `origin`, an accepted follow
/// of each, and an API token. Returns the open database, the actors' row ids and the token.
pub async fn prepare_db(
    env: &HashMap<String, String>,
    origin: &str,
    pems: &[String],
    senders: usize,
) -> (Db, Vec<i64>, String) {
    let config = Config::from_sources("", |k| env.get(k).cloned()).unwrap();
    let db = Db::connect(&config.database_url).await.unwrap();
    db.migrate().await.unwrap();
    let now = now_ms();
    actions::centre::ensure(&db, &config, now).await.unwrap();
    let domain = origin.trim_start_matches("http://");
    let mut tx = db.begin().await.unwrap();
    let mut ids = Vec::with_capacity(senders);
    for n in 0..senders {
        let ap_id = format!("{origin}/actors/{n}");
        let inbox = format!("{ap_id}/inbox");
        let username = format!("sender{n}");
        let name = format!("Centre émetteur {n}");
        let row = db::actors::upsert_remote(
            tx.exec(),
            &db::actors::ActorUpsert {
                ap_id: &ap_id,
                kind: "Person",
                username: &username,
                domain,
                name: Some(&name),
                summary: None,
                url: Some(&ap_id),
                inbox: &inbox,
                shared_inbox: None,
                outbox: None,
                followers_url: None,
                public_key_pem: &pems[n % pems.len()],
                manually_approves_followers: false,
                published: Some(now),
                fetched_at: now,
                data: "{}",
                key_id: None,
                assertion_keys: "[]",
            },
        )
        .await
        .unwrap();
        let public_id = uuid::Uuid::new_v4().simple().to_string();
        let follow_ap_id = format!("{}activities/{public_id}", config.base_url);
        db::follows::insert(tx.exec(), &public_id, &follow_ap_id, row.id, now)
            .await
            .unwrap();
        let follow = db::follows::find_by_target(tx.exec(), row.id)
            .await
            .unwrap()
            .unwrap();
        db::follows::set_state(tx.exec(), follow.id, "accepted", now)
            .await
            .unwrap();
        ids.push(row.id);
    }
    tx.commit().await.unwrap();
    let token = actions::tokens::create(&db, "bench", now).await.unwrap();
    (db, ids, token)
}

// ---------------------------------------------------------------------------------------------
// The load generator

/// The answers of one run: latencies, and the non-202 answers by status with one sample text.
pub struct Run {
    pub wall: Duration,
    pub latencies: Vec<Duration>,
    pub bad: BTreeMap<u16, (usize, String)>,
}

impl Run {
    pub fn non202(&self) -> usize {
        self.bad.values().map(|(c, _)| c).sum()
    }

    pub fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64()
    }

    pub fn bad_lines(&self) -> String {
        self.bad
            .iter()
            .map(|(status, (count, text))| {
                let text: String = text.chars().take(160).collect();
                format!("{count} × {status}: {text}")
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Sends requests `range` with `concurrency` tasks, each taking the next index; `send(i)`
/// answers `(status, text)`.
pub async fn drive<F, Fut>(range: std::ops::Range<usize>, concurrency: usize, send: F) -> Run
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = (u16, String)> + Send,
{
    let next = Arc::new(AtomicUsize::new(range.start));
    let end = range.end;
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (send, next) = (send.clone(), next.clone());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut bad: BTreeMap<u16, (usize, String)> = BTreeMap::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= end {
                        break;
                    }
                    let t = Instant::now();
                    let (status, text) = send(i).await;
                    lat.push(t.elapsed());
                    if status != 202 {
                        bad.entry(status).or_insert((0, text)).0 += 1;
                    }
                }
                (lat, bad)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(range.len());
    let mut bad: BTreeMap<u16, (usize, String)> = BTreeMap::new();
    for task in tasks {
        let (l, b) = task.await.unwrap();
        latencies.extend(l);
        for (status, (count, text)) in b {
            bad.entry(status).or_insert((0, text)).0 += count;
        }
    }
    Run {
        wall: started.elapsed(),
        latencies,
        bad,
    }
}

/// One signed POST over HTTP.
pub async fn post(client: &reqwest::Client, url: &str, s: &Signed) -> (u16, String) {
    let res = client
        .post(url)
        .header("content-type", AP_JSON)
        .header("date", &s.date)
        .header("digest", &s.digest)
        .header("signature", &s.signature)
        .body(s.body.clone())
        .send()
        .await;
    match res {
        Ok(r) => {
            let status = r.status().as_u16();
            // Read to the end, so the connection is kept for the next request.
            let text = r.text().await.unwrap_or_default();
            (status, text)
        }
        Err(e) => (0, e.to_string()),
    }
}
