//! Centres follow each other: by handle or URL, automatically or after approval, and unfollow.

use crate::both_backends;
use crate::harness::{Backend, Options, TestInstance};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    centre_a_follows_centre_b_by_handle_and_b_accepts,
    centre_a_follows_by_actor_url,
    a_follow_stays_pending_until_b_approves_it,
    a_rejected_follow_request_is_reported_as_rejected,
    centre_a_unfollows_and_disappears_from_b_followers,
    a_follower_that_undoes_its_follow_is_removed,
    following_an_unknown_centre_gives_a_clear_error,
);

async fn follower_ids(b: &TestInstance) -> Vec<String> {
    let (status, page) = b
        .get_ap(&format!("{}/followers?page=true", b.actor_id()))
        .await;
    assert_eq!(status, StatusCode::OK);
    page["orderedItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

async fn centre_a_follows_centre_b_by_handle_and_b_accepts(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "marseille").await;
    let (status, follow) = a
        .post("/api/v1/follows", json!({ "target": b.handle() }))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{follow}");
    assert_eq!(follow["state"], "pending");
    assert_eq!(follow["actor"], a.actor_id());
    assert_eq!(follow["target"], b.handle());

    let sent = a.deliver_pending().await;
    assert_eq!(sent.delivered, 1, "the Follow reaches B");
    assert_eq!(follower_ids(&b).await, vec![a.actor_id()]);

    let accepted = b.deliver_pending().await;
    assert_eq!(accepted.delivered, 1, "the Accept reaches A");
    let (_, follows) = a.get("/api/v1/follows").await;
    assert_eq!(follows["items"][0]["state"], "accepted");

    let (_, following) = a
        .get_ap(&format!("{}/following?page=true", a.actor_id()))
        .await;
    assert_eq!(following["orderedItems"], json!([b.actor_id()]));
    let (_, collection) = a.get_ap(&format!("{}/following", a.actor_id())).await;
    assert_eq!(collection["type"], "OrderedCollection");
    assert_eq!(collection["totalItems"], 1);
}

async fn centre_a_follows_by_actor_url(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    let (status, follow) = a
        .post("/api/v1/follows", json!({ "target": b.actor_id() }))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{follow}");
    // Asking again returns the same follow rather than a second one.
    let (status, again) = a
        .post("/api/v1/follows", json!({ "target": b.handle() }))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(again["id"], follow["id"]);
    a.deliver_pending().await;
    b.deliver_pending().await;
    let (_, follows) = a.get("/api/v1/follows").await;
    assert_eq!(follows["items"].as_array().unwrap().len(), 1);
    assert_eq!(follows["items"][0]["state"], "accepted");
}

async fn a_follow_stays_pending_until_b_approves_it(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn_with(
        backend,
        Options {
            manually_approves_followers: true,
            ..Options::named("grenoble")
        },
    )
    .await;
    let (_, actor) = a.get_ap(&b.actor_id()).await;
    assert_eq!(actor["manuallyApprovesFollowers"], true);

    a.post("/api/v1/follows", json!({ "target": b.handle() }))
        .await;
    a.deliver_pending().await;
    assert_eq!(
        b.deliver_pending().await.attempted,
        0,
        "no Accept is sent yet"
    );
    let (_, pending) = b.get("/api/v1/followers?state=pending").await;
    let pending = pending["items"].as_array().unwrap().clone();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["actor"], a.actor_id());
    assert!(
        follower_ids(&b).await.is_empty(),
        "held followers are not listed"
    );
    let (_, follows) = a.get("/api/v1/follows").await;
    assert_eq!(follows["items"][0]["state"], "pending");

    let id = pending[0]["id"].as_str().unwrap();
    let (status, approved) = b
        .post_empty(&format!("/api/v1/followers/{id}/approve"))
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["state"], "accepted");
    assert_eq!(b.deliver_pending().await.delivered, 1);
    let (_, follows) = a.get("/api/v1/follows").await;
    assert_eq!(follows["items"][0]["state"], "accepted");
    assert_eq!(follower_ids(&b).await, vec![a.actor_id()]);
}

async fn a_rejected_follow_request_is_reported_as_rejected(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn_with(
        backend,
        Options {
            manually_approves_followers: true,
            ..Options::named("nantes")
        },
    )
    .await;
    a.post("/api/v1/follows", json!({ "target": b.handle() }))
        .await;
    a.deliver_pending().await;
    let (_, pending) = b.get("/api/v1/followers?state=pending").await;
    let id = pending["items"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = b
        .post_empty(&format!("/api/v1/followers/{id}/reject"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(b.deliver_pending().await.delivered, 1);
    let (_, follows) = a.get("/api/v1/follows").await;
    assert_eq!(follows["items"][0]["state"], "rejected");
    let (_, all) = b.get("/api/v1/followers").await;
    assert!(all["items"].as_array().unwrap().is_empty());
    let (status, _) = b
        .post_empty(&format!("/api/v1/followers/{id}/approve"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn centre_a_unfollows_and_disappears_from_b_followers(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "rennes").await;
    let follow = a.follow_and_wait(&b).await;
    assert_eq!(follower_ids(&b).await, vec![a.actor_id()]);
    let id = follow["id"].as_str().unwrap();
    let (status, _) = a.delete(&format!("/api/v1/follows/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(a.deliver_pending().await.delivered, 1, "the Undo reaches B");
    assert!(follower_ids(&b).await.is_empty());
    let (_, follows) = a.get("/api/v1/follows").await;
    assert!(follows["items"].as_array().unwrap().is_empty());
    let (status, _) = a.delete(&format!("/api/v1/follows/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_follower_that_undoes_its_follow_is_removed(backend: Backend) {
    // The other direction of Undo{Follow}: B follows A, then B unfollows; A forgets B.
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "metz").await;
    let follow = b.follow_and_wait(&a).await;
    assert_eq!(follower_ids(&a).await, vec![b.actor_id()]);
    b.delete(&format!(
        "/api/v1/follows/{}",
        follow["id"].as_str().unwrap()
    ))
    .await;
    b.deliver_pending().await;
    assert!(follower_ids(&a).await.is_empty());
}

async fn following_an_unknown_centre_gives_a_clear_error(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "caen").await;
    for (target, status) in [
        ("", StatusCode::BAD_REQUEST),
        ("not a handle", StatusCode::BAD_REQUEST),
        ("a@b@c", StatusCode::BAD_REQUEST),
        (&format!("nobody@{}", b.domain), StatusCode::BAD_GATEWAY),
        (&a.handle(), StatusCode::BAD_REQUEST),
    ] {
        let (got, body) = a.post("/api/v1/follows", json!({ "target": target })).await;
        assert_eq!(got, status, "{target}: {body}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}"
        );
    }
    let (_, follows) = a.get("/api/v1/follows").await;
    assert!(follows["items"].as_array().unwrap().is_empty());
}
