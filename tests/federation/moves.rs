//! A centre moves between two of our instances: the new one lists the old in `alsoKnownAs`,
//! the old one sends `Move`, and a follower's server moves its follow to the new actor. A
//! `Move` whose target does not list its source, or that moves someone else, changes nothing.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use maillage::actions::moves;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    a_move_between_two_instances_moves_the_followers_follow,
    a_move_the_target_does_not_confirm_is_refused,
);

async fn follows_of(i: &TestInstance) -> Vec<(String, String)> {
    let (_, f) = i.get("/api/v1/follows").await;
    f["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["target_url"].as_str().unwrap_or_default().to_string(),
                f["state"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn a_move_between_two_instances_moves_the_followers_follow(backend: Backend) {
    let old = TestInstance::spawn(backend, "lyon").await;
    let new = TestInstance::spawn(backend, "lyon2").await;
    let follower = TestInstance::spawn(backend, "lille").await;
    follower.follow_and_wait(&old).await;
    assert_eq!(
        follows_of(&follower).await,
        [(old.actor_id(), "accepted".into())]
    );

    // Without the alias on the new instance, the move is refused and nothing is sent.
    let err = moves::move_to(&old.fed.to_request_data(), &new.handle())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("alias add"), "{err}");
    assert_eq!(old.deliver_pending().await.attempted, 0);

    let alias = moves::add_alias(&new.fed.to_request_data(), &old.handle())
        .await
        .unwrap();
    assert_eq!(alias, old.actor_id());
    let (_, doc) = new.get_ap(&new.actor_id()).await;
    assert_eq!(doc["alsoKnownAs"], json!([old.actor_id()]));

    let target = moves::move_to(&old.fed.to_request_data(), &new.handle())
        .await
        .unwrap();
    assert_eq!(target, new.actor_id());
    let (_, doc) = old.get_ap(&old.actor_id()).await;
    assert_eq!(doc["movedTo"], new.actor_id().as_str());
    let sent = old.deliver_pending().await;
    assert_eq!(sent.failed, 0, "{sent:?}");
    // The follower's server follows the new actor and leaves the old one.
    follower.deliver_pending().await;
    new.deliver_pending().await;
    old.deliver_pending().await;
    assert_eq!(
        follows_of(&follower).await,
        [(new.actor_id(), "accepted".into())]
    );
    let (_, followers) = new.get("/api/v1/followers").await;
    assert_eq!(followers["items"][0]["actor"], follower.actor_id().as_str());
    let (_, followers) = old.get("/api/v1/followers").await;
    assert_eq!(
        followers["items"],
        json!([]),
        "the old actor lost its follower"
    );
}

async fn a_move_the_target_does_not_confirm_is_refused(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    let c = TestInstance::spawn(backend, "grenoble").await;
    a.follow_and_wait(&b).await;
    let moved = |from: &TestInstance, object: &str, target: &str, n: &str| {
        json!({"@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/activities/move-{n}", from.base), "type": "Move",
            "actor": from.actor_id(), "object": object, "target": target})
    };
    // c does not list b: refused, the follow stays.
    let status = b
        .deliver_to(&a, &moved(&b, &b.actor_id(), &c.actor_id(), "1"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // b cannot move c.
    let status = b
        .deliver_to(&a, &moved(&b, &c.actor_id(), &c.actor_id(), "2"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for target in ["javascript:alert(1)", "/u/relative"] {
        let status = b
            .deliver_to(&a, &moved(&b, &b.actor_id(), target, "3"))
            .await;
        assert!(status.is_client_error(), "{target}: {status}");
    }
    assert_eq!(follows_of(&a).await, [(b.actor_id(), "accepted".into())]);
    assert_eq!(a.deliver_pending().await.attempted, 0, "nothing was sent");
}
