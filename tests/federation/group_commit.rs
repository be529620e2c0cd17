//! The inbox's group commit: a 202 means the activity is on disk (a `maillage serve` killed
//! with SIGKILL right after its answers loses none of them), an activity that fails inside a
//! batch fails alone with its own status, and a peer's rotated key is followed after one
//! refetch.

use crate::both_backends;
use crate::harness::{Backend, Options, TestInstance};
use crate::harness_db::execute;
use futures::future::join_all;
use maillage::db;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{
    process::{Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

both_backends!(
    an_activity_that_fails_inside_a_batch_fails_alone,
    a_rotated_peer_key_is_accepted_after_one_refetch,
    concurrent_batches_writing_the_same_posts_all_succeed,
);

fn create(from: &TestInstance, id: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/{id}", from.base),
        "type": "Create",
        "actor": from.actor_id(),
        "object": {"id": format!("{}/posts/{id}", from.base), "type": "Note",
            "attributedTo": from.actor_id(), "content": format!("<p>note {id}</p>"),
            "to": ["https://www.w3.org/ns/activitystreams#Public"]}
    })
}

async fn send(from: &TestInstance, inbox: &str, body: &Value) -> StatusCode {
    let req = from
        .signed_post(inbox, serde_json::to_vec(body).unwrap())
        .await;
    match from.http.execute(req).await {
        Ok(r) => r.status(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// Activity `n` rewrites one of a few posts, with hashtags, so that concurrent batches (several
/// writers on PostgreSQL) lock the same post and tag rows in different orders.
fn rewrite(from: &TestInstance, n: usize) -> Value {
    let post = format!("{}/posts/shared-{}", from.base, (n * 7) % 3);
    let tags: Vec<Value> = (0..3)
        .map(|t| {
            let name = format!("theme{}", (n + t) % 5);
            json!({"type": "Hashtag", "name": format!("#{name}"),
                "href": format!("{}/tags/{name}", from.base)})
        })
        .collect();
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/rewrite-{n}", from.base),
        "type": if n < 3 { "Create" } else { "Update" },
        "actor": from.actor_id(),
        "object": {"id": post, "type": "Note", "attributedTo": from.actor_id(),
            "content": format!("<p>version {n}</p>"), "tag": tags,
            "to": ["https://www.w3.org/ns/activitystreams#Public"]}
    })
}

async fn concurrent_batches_writing_the_same_posts_all_succeed(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    a.follow_and_wait(&b).await;
    let inbox = format!("{}/inbox", a.base);
    // The three posts exist first, then 120 rewrites arrive at once.
    for n in 0..3 {
        assert_eq!(
            send(&b, &inbox, &rewrite(&b, n)).await,
            StatusCode::ACCEPTED
        );
    }
    let bodies: Vec<Value> = (3..123).map(|n| rewrite(&b, n)).collect();
    let statuses = join_all(bodies.iter().map(|body| send(&b, &inbox, body))).await;
    let refused: Vec<_> = statuses
        .iter()
        .filter(|s| **s != StatusCode::ACCEPTED)
        .collect();
    assert!(refused.is_empty(), "every rewrite is accepted: {refused:?}");
    for n in 3..123 {
        let id = format!("{}/activities/rewrite-{n}", b.base);
        assert!(db::inbox::seen(a.ctx.db.read(), &id).await.unwrap(), "{id}");
    }
}

/// Runs one statement with text parameters and a final boolean one.
async fn stored(i: &TestInstance, ap_id: &str) -> bool {
    db::posts::find_by_ap_id(i.ctx.db.read(), ap_id)
        .await
        .unwrap()
        .is_some()
}

async fn an_activity_that_fails_inside_a_batch_fails_alone(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    a.follow_and_wait(&b).await;
    // A post of another actor of b's server is already stored here: b cannot overwrite it.
    let other = format!("{}/u/other", b.base);
    a.add_remote_follower(&other, &format!("{other}/inbox"))
        .await;
    let other_row = db::actors::find_by_ap_id(a.ctx.db.read(), &other)
        .await
        .unwrap()
        .unwrap();
    let taken = format!("{}/posts/taken", b.base);
    db::posts::upsert_remote(
        a.ctx.db.write(),
        &db::posts::PostWrite {
            ap_id: &taken,
            public_id: None,
            actor_id: other_row.id,
            kind: "Note",
            visibility: "public",
            name: None,
            summary: None,
            content: "<p>theirs</p>",
            url: None,
            in_reply_to: None,
            published: 1,
            updated: 1,
            local: false,
            data: "{}",
            start_at: None,
            end_at: None,
            timezone: None,
            event_status: None,
        },
    )
    .await
    .unwrap();
    let batches_before = a
        .ctx
        .batch
        .stats()
        .batches
        .load(std::sync::atomic::Ordering::Relaxed);
    let jobs_before = a
        .ctx
        .batch
        .stats()
        .jobs
        .load(std::sync::atomic::Ordering::Relaxed);

    let inbox = format!("{}/inbox", a.base);
    let mut bodies: Vec<Value> = (0..40).map(|i| create(&b, &format!("n{i}"))).collect();
    bodies.insert(20, create(&b, "taken"));
    let statuses = join_all(bodies.iter().map(|body| send(&b, &inbox, body))).await;
    for (body, status) in bodies.iter().zip(&statuses) {
        let id = body["object"]["id"].as_str().unwrap();
        if id == taken {
            assert_eq!(*status, StatusCode::FORBIDDEN, "{id}");
        } else {
            assert_eq!(*status, StatusCode::ACCEPTED, "{id}");
            assert!(stored(&a, id).await, "{id} acknowledged but not stored");
        }
    }
    let theirs = db::posts::find_by_ap_id(a.ctx.db.read(), &taken)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(theirs.actor_id, other_row.id);
    assert_eq!(theirs.content, "<p>theirs</p>");
    let refused_id = format!("{}/activities/taken", b.base);
    assert!(
        !db::inbox::seen(a.ctx.db.read(), &refused_id).await.unwrap(),
        "the refused activity is not recorded as received"
    );
    let batches = a
        .ctx
        .batch
        .stats()
        .batches
        .load(std::sync::atomic::Ordering::Relaxed)
        - batches_before;
    let jobs = a
        .ctx
        .batch
        .stats()
        .jobs
        .load(std::sync::atomic::Ordering::Relaxed)
        - jobs_before;
    eprintln!("{jobs} jobs in {batches} batches");
    assert!(
        jobs >= 41,
        "every activity went through the writer ({jobs})"
    );
}

async fn a_rotated_peer_key_is_accepted_after_one_refetch(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    a.follow_and_wait(&b).await;
    let inbox = format!("{}/inbox", a.base);
    assert_eq!(
        send(&b, &inbox, &create(&b, "before")).await,
        StatusCode::ACCEPTED
    );

    // b rotates its key (a restart with a new key pair in its database).
    let (storage, options, port) = b.stop().await;
    let (private, public) = maillage::integrity::keys::PrivateKey::generate().unwrap();
    let bdb = db::Db::connect(&storage.url()).await.unwrap();
    execute(
        &bdb,
        "UPDATE actors SET public_key_pem = $1, private_key_pem = $2 WHERE local = $3",
        &[&public, &private],
        true,
    )
    .await;
    bdb.close().await;
    let b = TestInstance::start(storage, options, Some(port)).await;
    // As if a minute had passed since a last fetched b's key (and its caches expired).
    execute(
        &a.ctx.db,
        "UPDATE actors SET fetched_at = 0 WHERE ap_id = $1 AND local = $2",
        &[&b.actor_id()],
        false,
    )
    .await;
    a.ctx.caches.forget_actor(&b.actor_id());

    assert_eq!(
        send(&b, &inbox, &create(&b, "after")).await,
        StatusCode::ACCEPTED
    );
    let row = db::actors::find_by_ap_id(a.ctx.db.read(), &b.actor_id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.public_key_pem, public, "the new key was fetched");
    let refetched_at = row.fetched_at;
    assert!(refetched_at > 0);
    assert_eq!(
        send(&b, &inbox, &create(&b, "again")).await,
        StatusCode::ACCEPTED
    );
    let row = db::actors::find_by_ap_id(a.ctx.db.read(), &b.actor_id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.fetched_at, refetched_at, "one refetch only");
    assert!(stored(&a, &format!("{}/posts/after", b.base)).await);
    assert!(stored(&a, &format!("{}/posts/again", b.base)).await);

    // A signature by a key that is not the actor's is still refused after the refetch.
    let mallory = TestInstance::spawn(backend, "mallory").await;
    let mut forged = create(&b, "forged");
    forged["id"] = json!(format!("{}/activities/forged", b.base));
    let req = mallory
        .signed_post(&inbox, serde_json::to_vec(&forged).unwrap())
        .await;
    let mut req = req;
    let sig = req.headers()["signature"]
        .to_str()
        .unwrap()
        .replace(&mallory.actor_id(), &b.actor_id());
    req.headers_mut().insert("signature", sig.parse().unwrap());
    let status = a.http.execute(req).await.unwrap().status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// A `maillage serve` process killed with SIGKILL while a peer's activities pour in: every
/// activity it answered 202 is in the database afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_right_after_202_loses_no_acknowledged_activity() {
    let a = TestInstance::spawn_with(Backend::Sqlite, Options::named("lyon")).await;
    let b = TestInstance::spawn(Backend::Sqlite, "bordeaux").await;
    a.follow_and_wait(&b).await;
    let (storage, options, port) = a.stop().await;

    let mut child = Command::new(env!("CARGO_BIN_EXE_maillage"))
        .arg("serve")
        .env("MAILLAGE_LISTEN", format!("127.0.0.1:{port}"))
        .env("MAILLAGE_DOMAIN", format!("localhost:{port}"))
        .env("MAILLAGE_DATABASE_URL", storage.url())
        .env("MAILLAGE_CENTRE_USERNAME", &options.username)
        .env("MAILLAGE_CENTRE_NAME", &options.name)
        .env("MAILLAGE_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://localhost:{port}");
    let started = Instant::now();
    while !b
        .http
        .get(format!("{base}/healthz"))
        .send()
        .await
        .is_ok_and(|r| r.status() == StatusCode::OK)
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "serve did not come up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // 600 activities from 32 concurrent senders; the process is killed once 150 are answered.
    let inbox = format!("{base}/inbox");
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let b = Arc::new(b);
    let mut requests = Vec::new();
    for i in 0..600 {
        let body = create(&b, &format!("k{i}"));
        requests.push(
            b.signed_post(&inbox, serde_json::to_vec(&body).unwrap())
                .await,
        );
    }
    let queue = Arc::new(Mutex::new(requests));
    let mut senders = Vec::new();
    for _ in 0..32 {
        let (queue, acked, b) = (queue.clone(), acked.clone(), b.clone());
        senders.push(tokio::spawn(async move {
            loop {
                let Some(req) = queue.lock().unwrap().pop() else {
                    return;
                };
                let body: Value =
                    serde_json::from_slice(req.body().unwrap().as_bytes().unwrap()).unwrap();
                match b.http.execute(req).await {
                    Ok(r) if r.status() == StatusCode::ACCEPTED => acked
                        .lock()
                        .unwrap()
                        .push(body["id"].as_str().unwrap().to_string()),
                    Ok(r) => assert!(r.status().is_success(), "unexpected answer {}", r.status()),
                    // The process is gone.
                    Err(_) => return,
                }
            }
        }));
    }
    while acked.lock().unwrap().len() < 150 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    child.kill().unwrap();
    let killed_at = acked.lock().unwrap().len();
    child.wait().unwrap();
    for s in senders {
        s.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() < 600, "the kill came before the end");

    let dbh = db::Db::connect(&storage.url()).await.unwrap();
    let mut missing = Vec::new();
    for id in &acked {
        if !db::inbox::seen(dbh.read(), id).await.unwrap() {
            missing.push(id.clone());
            continue;
        }
        let post = id.replace("/activities/", "/posts/");
        if db::posts::find_by_ap_id(dbh.read(), &post)
            .await
            .unwrap()
            .is_none()
        {
            missing.push(post);
        }
    }
    eprintln!(
        "{} acknowledged ({killed_at} when the kill was sent), {} lost",
        acked.len(),
        missing.len()
    );
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    dbh.close().await;
}
