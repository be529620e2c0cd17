//! Where our requests go: no actor document can point them at another server or inside the
//! network, outside development mode the worker refuses loopback and IP-literal targets, and
//! a black-holed host never delays deliveries to a healthy one.

use crate::both_backends;
use crate::harness::{Backend, Options, TestInstance};
use crate::stub::{Answer, Stub};
use activitypub_federation::fetch::object_id::ObjectId;
use maillage::{db, federation::objects::actor::DbActor};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

both_backends!(
    an_actor_document_cannot_point_our_requests_at_another_server,
    outside_dev_mode_the_worker_never_posts_to_loopback_or_ip_literals,
    a_black_holed_host_does_not_delay_a_healthy_one,
);

async fn an_actor_document_cannot_point_our_requests_at_another_server(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let evil = Stub::start().await;
    let elsewhere = Stub::start().await;
    let key = a.ctx.centre.public_key_pem.clone();
    let mut doc = evil.actor("evil", &key);
    doc["endpoints"] = json!({"sharedInbox": format!("{}/internal-admin", elsewhere.base)});
    doc["outbox"] = json!(format!("{}/outbox", elsewhere.base));
    doc["followers"] = json!("http://127.0.0.1:9/followers");
    doc["url"] = json!("javascript:alert(1)");
    doc["icon"] = json!({"type": "Image", "url": "javascript:alert(2)"});
    doc["image"] = json!({"type": "Image", "url": "data:image/svg+xml,<svg onload=alert(3)>"});
    let url = evil.serve("evil", doc);
    let data = a.fed.to_request_data();
    let fetched = ObjectId::<DbActor>::parse(&url)
        .unwrap()
        .dereference(&data)
        .await
        .unwrap();
    let row = &fetched.row;
    assert_eq!(row.inbox, format!("{url}/inbox"));
    assert_eq!(
        row.shared_inbox, None,
        "a shared inbox elsewhere is dropped"
    );
    assert_eq!(row.outbox, None);
    assert_eq!(row.followers_url, None);
    assert_eq!(row.url, None, "javascript: is not a profile page");
    let extra: Value = serde_json::from_str(&row.data).unwrap();
    assert!(
        extra["icon"].is_null() && extra["image"].is_null(),
        "{extra}"
    );

    // An inbox or a key on another server makes the whole document unusable.
    let mut doc = evil.actor("evil2", &key);
    doc["inbox"] = json!(format!("{}/inbox", elsewhere.base));
    let url = evil.serve("evil2", doc);
    assert!(
        ObjectId::<DbActor>::parse(&url)
            .unwrap()
            .dereference(&data)
            .await
            .is_err()
    );
    let mut doc = evil.actor("evil3", &key);
    doc["publicKey"]["id"] = json!(format!("{}/key", elsewhere.base));
    let url = evil.serve("evil3", doc);
    assert!(
        ObjectId::<DbActor>::parse(&url)
            .unwrap()
            .dereference(&data)
            .await
            .is_err()
    );
    assert!(
        db::actors::find_by_ap_id(a.ctx.db.read(), &url)
            .await
            .unwrap()
            .is_none()
    );
}

async fn outside_dev_mode_the_worker_never_posts_to_loopback_or_ip_literals(backend: Backend) {
    let mut options = Options::named("lyon");
    options.dev = Some(false);
    let b = TestInstance::spawn_with(backend, options).await;
    let stub = Stub::start().await;
    let port = stub.base.rsplit(':').next().unwrap().to_string();
    let targets = [
        format!("http://127.0.0.1:{port}/inbox/plain"),
        format!("https://127.0.0.1:{port}/inbox/literal"),
        format!("https://[::1]:{port}/inbox/v6"),
        format!("https://localhost:{port}/inbox/name"),
    ];
    for (i, inbox) in targets.iter().enumerate() {
        b.add_remote_follower(&format!("https://peer{i}.example/actors/x"), inbox)
            .await;
    }
    let (status, _) = b.post("/api/v1/posts", json!({"content": "x"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let r = b.deliver_pending().await;
    assert_eq!((r.attempted, r.failed), (4, 4), "{r:?}");
    assert!(stub.received.lock().unwrap().is_empty(), "nothing was sent");
    let (_, failed) = b.get("/api/v1/deliveries?state=failed").await;
    for d in failed["items"].as_array().unwrap() {
        assert!(
            d["last_error"].as_str().unwrap().contains("refused target"),
            "{d}"
        );
    }
}

/// Starts the worker of `b`, publishes one post and returns how long `healthy` waited for it.
async fn healthy_delivery_time(b: &TestInstance, healthy: &Stub, name: &str) -> Duration {
    b.add_remote_follower(
        &format!("{}/actors/{name}", healthy.base),
        &healthy.inbox(name),
    )
    .await;
    let started = Instant::now();
    b.post("/api/v1/posts", json!({"content": "pour tous"}))
        .await;
    while healthy.received_by(name) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the healthy host waited on the black hole"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    started.elapsed()
}

async fn a_black_holed_host_does_not_delay_a_healthy_one(backend: Backend) {
    // Baseline, in the same run: a healthy host alone.
    let b = TestInstance::spawn(backend, "lyon").await;
    let (stop, rx) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(b.deliverer.clone().run(rx));
    let healthy = Stub::start().await;
    let alone = healthy_delivery_time(&b, &healthy, "y").await;
    let _ = stop.send(true);
    worker.await.unwrap();

    // A black-holed host (it accepts and never answers) with 100 posts queued for it.
    let hole = Stub::start().await;
    hole.answer("x", Answer::Hang);
    b.add_remote_follower(&format!("{}/actors/x", hole.base), &hole.inbox("x"))
        .await;
    for i in 0..100 {
        b.post("/api/v1/posts", json!({"content": format!("{i}")}))
            .await;
    }
    let (stop, rx) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(b.deliverer.clone().run(rx));
    // The worker is now stuck on the black hole, as far as that host goes.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let other = Stub::start().await;
    let beside = healthy_delivery_time(&b, &other, "z").await;
    eprintln!("healthy host delivered in {alone:?} alone, {beside:?} beside a black-holed one");
    // A round that waits on the black hole costs at least the request timeout (10 s).
    assert!(
        beside < alone + Duration::from_secs(2) && beside < Duration::from_secs(8),
        "alone {alone:?}, beside a black hole {beside:?}"
    );
    let _ = stop.send(true);
    worker.await.unwrap();
}
