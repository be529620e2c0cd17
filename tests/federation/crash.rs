//! A `maillage serve` killed with SIGKILL in the middle of a fan-out: it held only what it
//! could send, under a short lease, so another worker takes every delivery up within
//! seconds, not minutes.

use crate::stub::{Answer, Stub};
use chrono::Utc;
use maillage::{config::Config, db, startup::Instance};
use reqwest::StatusCode;
use std::{
    collections::HashMap,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

async fn add_follower(db: &db::Db, actor_id: &str, inbox: &str, key: &str) {
    let now = Utc::now().timestamp_millis();
    let u = url::Url::parse(actor_id).unwrap();
    let domain = format!("{}:{}", u.host_str().unwrap(), u.port().unwrap());
    let row = db::actors::upsert_remote(
        db.write(),
        &db::actors::ActorUpsert {
            ap_id: actor_id,
            kind: "Person",
            username: "x",
            domain: &domain,
            name: None,
            summary: None,
            url: None,
            inbox,
            shared_inbox: None,
            outbox: None,
            followers_url: None,
            public_key_pem: key,
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
    db::followers::upsert(
        db.write(),
        &uuid::Uuid::new_v4().simple().to_string(),
        row.id,
        &format!("{actor_id}#follow"),
        "accepted",
        now,
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_fanout_holds_no_delivery_longer_than_a_short_lease() {
    maillage::telemetry::init_for_tests();
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let env: Vec<(&str, String)> = vec![
        ("MAILLAGE_LISTEN", format!("127.0.0.1:{port}")),
        ("MAILLAGE_DOMAIN", format!("localhost:{port}")),
        (
            "MAILLAGE_DATABASE_URL",
            format!("sqlite://{}/maillage.db", dir.path().display()),
        ),
        ("MAILLAGE_LOG", "warn".into()),
    ];
    let lookup: HashMap<&str, String> = env.iter().cloned().collect();
    let config = Config::from_sources("", |k| lookup.get(k).cloned()).unwrap();

    // Forty followers on ten slow hosts (three seconds per answer).
    let instance = Instance::build(config.clone()).await.unwrap();
    let key = instance.ctx.centre.public_key_pem.clone();
    let mut stubs = Vec::new();
    for h in 0..10 {
        let stub = Stub::start().await;
        for f in 0..4 {
            stub.answer(&format!("f{f}"), Answer::Delay(Duration::from_secs(3)));
            add_follower(
                &instance.ctx.db,
                &format!("{}/actors/f{f}", stub.base),
                &stub.inbox(&format!("f{f}")),
                &key,
            )
            .await;
        }
        stubs.push(stub);
        let _ = h;
    }
    let token =
        maillage::actions::tokens::create(&instance.ctx.db, "crash", Utc::now().timestamp_millis())
            .await
            .unwrap();
    instance.ctx.db.close().await;
    drop(instance);

    let mut child = Command::new(env!("CARGO_BIN_EXE_maillage"))
        .arg("serve")
        .current_dir(dir.path())
        .envs(env.iter().cloned())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://localhost:{port}");
    let started = Instant::now();
    while !http
        .get(format!("{base}/healthz"))
        .send()
        .await
        .is_ok_and(|r| r.status() == StatusCode::OK)
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "serve did not come up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let res = http
        .post(format!("{base}/api/v1/posts"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"content": "à tous"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    // Requests are in flight (the hosts take three seconds): kill the process now.
    let sent = Instant::now();
    while stubs.iter().all(|s| s.schemes.lock().unwrap().is_empty()) {
        assert!(sent.elapsed() < Duration::from_secs(10), "nothing was sent");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let killed_at = Utc::now().timestamp_millis();

    let db = db::Db::connect(&config.database_url).await.unwrap();
    let leases: Vec<Option<i64>> =
        sqlx::query_scalar("SELECT lease_until FROM deliveries WHERE status = 'pending'")
            .fetch_all(match &db {
                db::Db::Sqlite { reader, .. } => reader,
                db::Db::Postgres(_) => unreachable!(),
            })
            .await
            .unwrap();
    assert_eq!(leases.len(), 40, "nothing was acknowledged yet");
    let leased: Vec<i64> = leases.iter().flatten().copied().collect();
    let concurrency = config.delivery.concurrency;
    eprintln!(
        "at the kill: {} of 40 deliveries leased, the last lease ends {} ms after the kill",
        leased.len(),
        leased.iter().max().unwrap_or(&killed_at) - killed_at
    );
    assert!(
        leased.len() <= concurrency,
        "claimed {} rows, more than the {concurrency} it can send at once",
        leased.len()
    );
    let lease = maillage::delivery::worker::LEASE.as_millis() as i64;
    assert!(
        leased.iter().all(|l| *l <= killed_at + lease),
        "a lease outlives the short lease: {leased:?} (killed at {killed_at})"
    );
    db.close().await;

    // Another worker, one lease later, takes every delivery up.
    for stub in &stubs {
        for f in 0..4 {
            stub.answer(&format!("f{f}"), Answer::Status(202));
        }
    }
    let instance = Instance::build(config).await.unwrap();
    let later = chrono::DateTime::from_timestamp_millis(killed_at + lease + 1000).unwrap();
    let report = instance.deliverer.drain(later).await.unwrap();
    assert_eq!(report.delivered, 40, "{report:?}");
}
