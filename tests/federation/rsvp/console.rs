//! The console's participants page: linked from the posts list for events, lists held
//! requests with their message, accepts one through its CSRF-protected form, and downloads
//! the CSV with the staff session.

use super::{count, event, join, participants, sent};
use crate::both_backends;
use crate::console::admin;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(console_lists_accepts_and_exports);

async fn console_lists_accepts_and_exports(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let (id, url) = event(&a, json!({"join_mode": "restricted"})).await;
    let mut j = join(&b, "j", json!(url));
    j["participationMessage"] = json!("Nous serons trois.");
    assert_eq!(b.deliver_to(&a, &j).await, StatusCode::ACCEPTED);
    let pid = participants(&a, &id).await[0]["id"].as_i64().unwrap();

    let mut browser = admin(&a).await;
    let list = browser.get("/console/posts").await;
    let link = format!("/console/posts/{id}/participants");
    assert!(list.body.contains(&link), "{}", list.body);
    let page = browser.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Nous serons trois."), "{}", page.body);
    assert!(page.body.contains("en attente"));
    assert!(page.body.contains(&format!("{link}.csv")));

    let accept = format!("{link}/{pid}/accept");
    let refused = browser.post(&accept, &[("csrf", "wrong")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(count(&a, &id).await, 0);
    let csrf = page.csrf();
    let done = browser.post(&accept, &[("csrf", &csrf)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(count(&a, &id).await, 1);
    assert_eq!(sent(&a, "Accept").await.len(), 1);
    assert!(browser.get(&link).await.body.contains("1 participant"));

    let csv = browser.get(&format!("{link}.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.contains("\"accepted\",\"Nous serons trois.\""),
        "{}",
        csv.body
    );

    // Not for a note.
    let (_, note) = a.post("/api/v1/posts", json!({"content": "x"})).await;
    let note_page = browser
        .get(&format!(
            "/console/posts/{}/participants",
            note["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(note_page.status, StatusCode::NOT_FOUND);
}
