//! Our centre joins another centre's event: `POST /api/v1/participations` sends a `Join` to
//! the organiser, whose `Accept` (free event) or `Reject` (external) sets its state; a Note
//! or one of our own events is refused. The console's form does the same.

use super::{count, event};
use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(we_join_a_peer_event_and_get_its_answer);

async fn participation(a: &TestInstance, event: &str) -> Value {
    let (status, list) = a.get("/api/v1/participations").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| p["event"] == event)
        .cloned()
        .unwrap()
}

async fn we_join_a_peer_event_and_get_its_answer(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let (free_id, free) = event(&b, json!({"join_mode": "free"})).await;
    let (_, external) = event(
        &b,
        json!({"join_mode": "external", "registration_url": "https://billetterie.example/x"}),
    )
    .await;

    let (status, p) = a
        .post("/api/v1/participations", json!({"event": free}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    assert_eq!(p["state"], "pending");
    let (status, again) = a
        .post("/api/v1/participations", json!({"event": free}))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "joining twice gives the same: {again}"
    );
    assert_eq!(again["id"], p["id"]);
    let (status, _) = a
        .post("/api/v1/participations", json!({"event": external}))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    assert_eq!(a.deliver_pending().await.delivered, 2, "two Joins reach B");
    assert_eq!(count(&b, &free_id).await, 1, "B counts our centre");
    assert_eq!(
        b.deliver_pending().await.delivered,
        2,
        "B's answers reach A"
    );
    assert_eq!(participation(&a, &free).await["state"], "accepted");
    assert_eq!(participation(&a, &external).await["state"], "rejected");

    // Follows still work beside it.
    a.follow_and_wait(&b).await;

    let (_, note) = b
        .post("/api/v1/posts", json!({"content": "Une note."}))
        .await;
    let (status, body) = a
        .post(
            "/api/v1/participations",
            json!({"event": note["url"].as_str().unwrap()}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"].as_str().unwrap().contains("not an Event"));
    let (_, ours) = event(&a, json!({})).await;
    let (status, _) = a
        .post("/api/v1/participations", json!({"event": ours}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = a
        .post(
            "/api/v1/participations",
            json!({"event": "pas une adresse"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
