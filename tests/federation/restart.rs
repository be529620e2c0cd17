//! Restarts and outages: the key is kept, and no accepted post or pending delivery is lost.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use chrono::{Duration, Utc};
use serde_json::json;

both_backends!(
    the_key_survives_a_restart_and_pending_deliveries_are_sent_after_it,
    a_post_published_while_a_follower_is_down_arrives_after_a_retry,
);

async fn the_key_survives_a_restart_and_pending_deliveries_are_sent_after_it(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "paris").await;
    a.follow_and_wait(&b).await;
    let (_, before) = b.get_ap(&b.actor_id()).await;
    let (_, post) = b
        .post("/api/v1/posts", json!({"content": "avant le redémarrage"}))
        .await;

    // B stops with the delivery still queued, and comes back on the same database and port.
    let (storage, options, port) = b.stop().await;
    let b = TestInstance::start(storage, options, Some(port)).await;
    let (_, after) = b.get_ap(&b.actor_id()).await;
    assert_eq!(
        after["publicKey"], before["publicKey"],
        "the key never changes"
    );
    assert_eq!(b.deliver_pending().await.delivered, 1);
    assert_eq!(a.feed().await[0]["id"], post["url"]);
}

async fn a_post_published_while_a_follower_is_down_arrives_after_a_retry(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "rouen").await;
    a.follow_and_wait(&b).await;
    let (a_storage, a_options, a_port) = a.stop().await;

    let (_, post) = b
        .post("/api/v1/posts", json!({"content": "pendant la panne"}))
        .await;
    let first = b.deliver_pending().await;
    assert_eq!(
        (first.attempted, first.retried),
        (1, 1),
        "A is down: retry later"
    );
    assert_eq!(b.deliver_pending().await.attempted, 0, "not due again yet");

    let a = TestInstance::start(a_storage, a_options, Some(a_port)).await;
    let later = b.deliver_at(Utc::now() + Duration::minutes(2)).await;
    assert_eq!(later.delivered, 1);
    assert_eq!(a.feed().await[0]["id"], post["url"]);
}
