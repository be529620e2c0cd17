//! A centre deleted on its server: everything we hold of it goes (its posts, our follow of it,
//! its follow of us, and the notifications it caused).

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use crate::remote::{deliver, send};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(a_deleted_actor_leaves_no_follow_notification_or_post_behind);

async fn a_deleted_actor_leaves_no_follow_notification_or_post_behind(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    b.follow_and_wait(&a).await;
    deliver(
        &b,
        &a,
        "hello",
        json!({"type": "Note", "content": "<p>Bonjour @lyon</p>",
        "tag": [{"type": "Mention", "href": a.actor_id(), "name": format!("@{}", a.handle())}]}),
    )
    .await;
    let (_, notes) = a.get("/api/v1/notifications").await;
    assert_eq!(notes["items"].as_array().unwrap().len(), 1, "{notes}");
    let (_, follows) = a.get("/api/v1/follows").await;
    assert_eq!(follows["items"].as_array().unwrap().len(), 1, "{follows}");

    let delete = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}#delete", b.actor_id()), "type": "Delete", "actor": b.actor_id(),
        "object": b.actor_id(), "to": ["https://www.w3.org/ns/activitystreams#Public"]});
    assert_eq!(send(&b, &a, &delete).await, StatusCode::ACCEPTED);

    assert!(a.feed().await.is_empty(), "its posts are gone");
    let (_, notes) = a.get("/api/v1/notifications").await;
    assert_eq!(notes["items"], json!([]), "its notifications are gone");
    let (_, follows) = a.get("/api/v1/follows").await;
    assert_eq!(follows["items"], json!([]), "our follow of it is gone");
    let followers = maillage::db::followers::list(a.ctx.db.read(), None)
        .await
        .unwrap();
    assert!(followers.is_empty(), "it no longer follows us");
}
