//! Joins we refuse: of something that is not one of our events (400, nothing stored), not
//! signed (401), of a cancelled event (a Reject); and a message over the limit is cut.

use super::{event, join, participants, sent};
use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    joins_of_what_is_not_our_event_store_nothing,
    long_message_is_cut_and_cancelled_event_refuses
);

async fn joins_of_what_is_not_our_event_store_nothing(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let (_, url) = event(&a, json!({})).await;
    let (_, b_event) = event(&b, json!({})).await;
    let (_, note) = a
        .post("/api/v1/posts", json!({"content": "Une note."}))
        .await;
    let note = note["url"].as_str().unwrap().to_string();
    let received = a.count("received_activities").await;
    for (n, object) in [
        ("theirs", json!(b_event)),
        ("note", json!(note)),
        ("unknown", json!(a.url("/posts/nope"))),
        ("none", json!({"type": "Event"})),
    ] {
        let status = b.deliver_to(&a, &join(&b, n, object.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{n}: {object}");
    }
    // The message says why.
    let body = serde_json::to_vec(&join(&b, "theirs-2", json!(b_event))).unwrap();
    let req = b.signed_post(&a.url("/inbox"), body).await;
    let res = b.http.execute(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let text = res.text().await.unwrap();
    assert!(text.contains("not an event of this server"), "{text}");

    let unsigned = a
        .http
        .post(a.url("/inbox"))
        .header("content-type", "application/activity+json")
        .body(serde_json::to_vec(&join(&b, "unsigned", json!(url))).unwrap())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(unsigned, StatusCode::UNAUTHORIZED);

    assert_eq!(a.count("participants").await, 0);
    assert!(sent(&a, "Accept").await.is_empty());
    assert!(sent(&a, "Reject").await.is_empty());
    assert_eq!(a.count("received_activities").await, received);
}

async fn long_message_is_cut_and_cancelled_event_refuses(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let (id, url) = event(&a, json!({"join_mode": "restricted"})).await;
    let mut j = join(&b, "long", json!(url));
    j["participationMessage"] = json!("é".repeat(10_000));
    assert_eq!(b.deliver_to(&a, &j).await, StatusCode::ACCEPTED);
    let list = participants(&a, &id).await;
    assert_eq!(list.len(), 1);
    let message = list[0]["message"].as_str().unwrap();
    assert_eq!(message.chars().count(), 1000, "cut to 1,000 characters");
    assert!(message.ends_with('…'));

    let (cancelled_id, cancelled) = event(&a, json!({})).await;
    let (status, body) = a
        .patch(
            &format!("/api/v1/posts/{cancelled_id}"),
            json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let jc = join(&b, "cancelled", json!(cancelled));
    assert_eq!(b.deliver_to(&a, &jc).await, StatusCode::ACCEPTED);
    assert!(participants(&a, &cancelled_id).await.is_empty());
    let rejects = sent(&a, "Reject").await;
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["object"]["id"], jc["id"]);
    assert!(
        rejects[0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("cancelled")
    );
}
