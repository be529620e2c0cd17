//! The durable delivery queue: exactly-once with several workers, status handling, the
//! circuit breaker, hand-back on shutdown, and what staff and Prometheus see.

use crate::both_backends;
use crate::harness::{Backend, Options, TestInstance};
use crate::stub::{Answer, Stub};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;

both_backends!(
    two_workers_on_one_database_deliver_each_pair_exactly_once,
    gone_bad_and_busy_inboxes_are_handled_as_mastodon_does,
    a_host_that_keeps_failing_is_marked_unreachable_then_restored,
    a_cancelled_round_hands_its_deliveries_back_to_the_queue,
    a_host_that_refuses_draft_cavage_gets_rfc9421_and_it_is_remembered,
    staff_see_and_retry_deliveries_and_prometheus_sees_the_queue,
);

async fn two_workers_on_one_database_deliver_each_pair_exactly_once(backend: Backend) {
    // Eight hosts × 100 activities = 800 deliveries. A worker claims no more than it can send
    // at once (16 here) and at most `per_host_concurrency` (4) are leased per host across
    // workers, so the first worker leaves half of the 32 host slots to the second and both
    // take part. With the default budget (256) one worker takes every slot at once and the
    // other may find nothing to claim.
    let b = TestInstance::spawn_with(
        backend,
        Options {
            env: vec![("MAILLAGE_DELIVERY_CONCURRENCY", "16".into())],
            ..Options::named("lyon")
        },
    )
    .await;
    let mut stubs = Vec::new();
    for i in 0..8 {
        let stub = Stub::start().await;
        b.add_remote_follower(&format!("{}/actors/n{i}", stub.base), &stub.inbox("in"))
            .await;
        stubs.push(stub);
    }
    let mut activities = Vec::new();
    for i in 0..100 {
        let (status, post) = b
            .post("/api/v1/posts", json!({"content": format!("n° {i}")}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        activities.push(post["url"].as_str().unwrap().to_string());
    }
    let other = b.second_worker().await;
    let now = Utc::now();
    let (r1, r2) = tokio::join!(b.deliverer.drain(now), other.drain(now));
    let (r1, r2) = (r1.unwrap(), r2.unwrap());
    assert_eq!(r1.delivered + r2.delivered, 800);
    assert!(
        r1.delivered > 0 && r2.delivered > 0,
        "both workers took part: {r1:?} {r2:?}"
    );

    let mut pairs: HashMap<(String, String), usize> = HashMap::new();
    for (i, stub) in stubs.iter().enumerate() {
        for (_, activity) in stub.received.lock().unwrap().clone() {
            *pairs.entry((i.to_string(), activity)).or_default() += 1;
        }
    }
    assert_eq!(pairs.len(), 800, "every (activity, inbox) pair arrived");
    assert!(pairs.values().all(|n| *n == 1), "and each exactly once");
    assert_eq!(b.deliver_pending().await.attempted, 0, "nothing left");
}

async fn gone_bad_and_busy_inboxes_are_handled_as_mastodon_does(backend: Backend) {
    let b = TestInstance::spawn(backend, "lyon").await;
    let stub = Stub::start().await;
    for name in ["gone", "bad", "busy", "ok"] {
        b.add_remote_follower(&format!("{}/actors/{name}", stub.base), &stub.inbox(name))
            .await;
    }
    stub.answer("gone", Answer::Status(410));
    stub.answer("bad", Answer::Status(400));
    stub.answer("busy", Answer::RetryAfter(429, 600));
    b.post("/api/v1/posts", json!({"content": "Bonjour"})).await;
    let t0 = Utc::now();
    let first = b.deliver_at(t0).await;
    assert_eq!((first.delivered, first.failed, first.retried), (1, 2, 1));

    let (_, followers) = b.get("/api/v1/followers").await;
    let handles: Vec<&str> = followers["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["actor"].as_str().unwrap())
        .collect();
    assert!(
        !handles.iter().any(|a| a.ends_with("/gone")),
        "410 removes the follower"
    );
    assert!(handles.iter().any(|a| a.ends_with("/bad")), "400 does not");

    let (_, failed) = b.get("/api/v1/deliveries?state=failed").await;
    let failed = failed["items"].as_array().unwrap();
    assert_eq!(failed.len(), 2);
    assert!(
        failed
            .iter()
            .any(|d| d["last_error"] == "HTTP 400" && d["attempts"] == 1)
    );

    let (_, pending) = b.get("/api/v1/deliveries?state=pending").await;
    let busy = &pending["items"][0];
    assert_eq!(busy["inbox"], stub.inbox("busy"));
    assert_eq!(busy["last_error"], "HTTP 429");
    let next: chrono::DateTime<Utc> = busy["next_attempt_at"].as_str().unwrap().parse().unwrap();
    assert!(
        next >= t0 + Duration::seconds(599),
        "Retry-After: 600 is honoured ({next})"
    );

    assert_eq!(
        b.deliver_at(t0 + Duration::minutes(5)).await.attempted,
        0,
        "not before"
    );
    stub.answer("busy", Answer::Status(202));
    assert_eq!(b.deliver_at(t0 + Duration::minutes(11)).await.delivered, 1);
    assert_eq!(stub.received_by("busy"), 2);
    assert_eq!(
        stub.received_by("bad"),
        2,
        "a 400 is tried once more with the other signature scheme, then never again"
    );
}

async fn a_host_that_keeps_failing_is_marked_unreachable_then_restored(backend: Backend) {
    let b = TestInstance::spawn(backend, "lyon").await;
    let down = Stub::start().await;
    let fine = Stub::start().await;
    b.add_remote_follower(&format!("{}/actors/x", down.base), &down.inbox("x"))
        .await;
    b.add_remote_follower(&format!("{}/actors/y", fine.base), &fine.inbox("y"))
        .await;
    down.answer("x", Answer::Status(503));
    for i in 0..5 {
        b.post("/api/v1/posts", json!({"content": format!("{i}")}))
            .await;
    }
    let t0 = Utc::now();
    let r = b.deliver_at(t0).await;
    assert_eq!(
        (r.delivered, r.retried),
        (5, 5),
        "the healthy host is not held up"
    );
    let down_host = down.base.trim_start_matches("http://").to_string();
    let state =
        |items: &[Value]| items.iter().find(|h| h["host"] == down_host).unwrap()["state"].clone();
    assert_eq!(
        state(&hosts(&b).await),
        "ok",
        "five failures within a minute are not an outage"
    );

    // An hour later it still fails: unreachable. The host is declared unreachable by the
    // first failure of this hour; what was not sent yet is held from then on.
    let r = b.deliver_at(t0 + Duration::minutes(61)).await;
    assert!(r.retried >= 1, "{r:?}");
    assert_eq!(r.retried + r.deferred, 5, "{r:?}");
    let retried = r.retried;
    let items = hosts(&b).await;
    assert_eq!(state(&items), "unreachable");
    let h = items.iter().find(|h| h["host"] == down_host).unwrap();
    assert_eq!(h["pending"], 5);
    assert!(h["next_probe_at"].is_string());

    // While unreachable, due deliveries are held, not attempted.
    let before = down.received_by("x");
    let r = b.deliver_at(t0 + Duration::hours(3)).await;
    assert_eq!(
        (r.attempted, r.deferred),
        (0, retried),
        "the retries that fell due are held"
    );
    assert_eq!(down.received_by("x"), before);

    // At the probe time one delivery tests the host; it is back, so the rest follow.
    down.answer("x", Answer::Status(202));
    let r = b.deliver_at(t0 + Duration::hours(8)).await;
    assert_eq!(r.delivered, 5);
    assert_eq!(state(&hosts(&b).await), "ok");
}

async fn hosts(b: &TestInstance) -> Vec<Value> {
    let (_, h) = b.get("/api/v1/hosts").await;
    h["items"].as_array().unwrap().clone()
}

async fn a_cancelled_round_hands_its_deliveries_back_to_the_queue(backend: Backend) {
    let b = TestInstance::spawn(backend, "lyon").await;
    let stub = Stub::start().await;
    b.add_remote_follower(&format!("{}/actors/slow", stub.base), &stub.inbox("slow"))
        .await;
    stub.answer("slow", Answer::Hang);
    b.post("/api/v1/posts", json!({"content": "x"})).await;
    // A round that is still waiting on the peer is stopped, as on shutdown.
    let round = b.deliverer.drain(Utc::now());
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(500), round)
            .await
            .is_err()
    );
    let (_, pending) = b.get("/api/v1/deliveries?state=pending").await;
    assert_eq!(
        pending["items"][0]["in_flight"], true,
        "leased while in flight"
    );
    assert_eq!(b.deliverer.release_in_flight().await.unwrap(), 1);
    let (_, pending) = b.get("/api/v1/deliveries?state=pending").await;
    assert_eq!(pending["items"][0]["in_flight"], false);
    assert_eq!(
        pending["items"][0]["attempts"], 0,
        "an interrupted attempt is not counted"
    );
    stub.answer("slow", Answer::Status(202));
    assert_eq!(
        b.deliver_pending().await.delivered,
        1,
        "taken up again at once"
    );

    // A worker that dies mid-round releases nothing: its lease expires and another worker
    // takes the delivery up.
    stub.answer("slow", Answer::Hang);
    b.post("/api/v1/posts", json!({"content": "y"})).await;
    let crashed = b.second_worker().await;
    let t0 = Utc::now();
    let round = crashed.drain(t0);
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(500), round)
            .await
            .is_err()
    );
    drop(crashed);
    stub.answer("slow", Answer::Status(202));
    assert_eq!(
        b.deliver_at(t0).await.attempted,
        0,
        "still leased to the dead worker"
    );
    let later = b.deliver_at(t0 + Duration::minutes(3)).await;
    assert_eq!(
        later.delivered, 1,
        "the lease expired and the row was taken up"
    );
}

async fn staff_see_and_retry_deliveries_and_prometheus_sees_the_queue(backend: Backend) {
    let b = TestInstance::spawn(backend, "lyon").await;
    let a = TestInstance::spawn(backend, "paris").await;
    let stub = Stub::start().await;
    a.follow_and_wait(&b).await;
    b.add_remote_follower(&format!("{}/actors/z", stub.base), &stub.inbox("z"))
        .await;
    stub.answer("z", Answer::Status(403));
    b.post("/api/v1/posts", json!({"content": "x"})).await;
    b.deliver_pending().await;

    let (_, failed) = b.get("/api/v1/deliveries?state=failed").await;
    let id = failed["items"][0]["id"].as_i64().unwrap();
    assert_eq!(failed["items"][0]["activity_type"], "Create");
    let (_, done) = b.get("/api/v1/deliveries?state=done").await;
    let done_id = done["items"][0]["id"].as_i64().unwrap();

    stub.answer("z", Answer::Status(202));
    let (status, retried) = b
        .post_empty(&format!("/api/v1/deliveries/{id}/retry"))
        .await;
    assert_eq!(status, StatusCode::OK, "{retried}");
    assert_eq!(retried["state"], "pending");
    assert_eq!(b.deliver_pending().await.delivered, 1);
    let (status, _) = b
        .post_empty(&format!("/api/v1/deliveries/{done_id}/retry"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    for path in [
        "/api/v1/deliveries/999999/retry",
        "/api/v1/deliveries/abc/retry",
    ] {
        let (status, _) = b.post_empty(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    for q in ["state=lost", "limit=0", "before=x"] {
        let (status, _) = b.get(&format!("/api/v1/deliveries?{q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
    }

    let metrics = b.metrics().await;
    assert!(
        metrics.contains("maillage_delivery_queue{state=\"done\"} 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("maillage_delivery_queue{state=\"failed\"} 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains("maillage_deliveries_total{outcome=\"delivered\"} 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("maillage_deliveries_total{outcome=\"failed\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("maillage_delivery_attempt_seconds_count 4"),
        "{metrics}"
    );
    assert!(
        metrics.contains("maillage_inbox_activities_total{type=\"Follow\"} 1"),
        "{metrics}"
    );
    let health = b.http.get(b.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

async fn a_host_that_refuses_draft_cavage_gets_rfc9421_and_it_is_remembered(backend: Backend) {
    let b = TestInstance::spawn(backend, "lyon").await;
    let stub = Stub::start().await;
    b.add_remote_follower(
        &format!("{}/actors/strict", stub.base),
        &stub.inbox("strict"),
    )
    .await;
    stub.answer(
        "strict",
        Answer::Rfc9421Only(b.ctx.centre.public_key_pem.clone()),
    );
    b.post("/api/v1/posts", json!({"content": "un"})).await;
    assert_eq!(
        b.deliver_pending().await.delivered,
        1,
        "delivered on the RFC 9421 retry"
    );
    assert_eq!(
        stub.schemes.lock().unwrap().clone(),
        vec!["cavage", "rfc9421"]
    );
    b.post("/api/v1/posts", json!({"content": "deux"})).await;
    assert_eq!(b.deliver_pending().await.delivered, 1);
    assert_eq!(
        stub.schemes.lock().unwrap().clone(),
        vec!["cavage", "rfc9421", "rfc9421"],
        "the host's scheme is remembered: RFC 9421 first"
    );
    // A host that refuses both schemes is retried later, as Mastodon retries a 401 (it may
    // still hold a key we have rotated).
    stub.answer("strict", Answer::Status(401));
    b.post("/api/v1/posts", json!({"content": "trois"})).await;
    let r = b.deliver_pending().await;
    assert_eq!((r.failed, r.retried), (0, 1), "{r:?}");
}
