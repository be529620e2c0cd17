//! The statements' periodic work (deadline reminders, the daily re-check) and where a
//! published statement shows: the feeds of its drafter and the network feed of a signatory.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use crate::statements::{draft, sign};
use maillage::actions::statement_jobs;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    a_passed_deadline_reminds_staff_once_and_publishes_nothing,
    a_published_statement_is_in_the_feeds_with_its_signatories,
);

async fn a_passed_deadline_reminds_staff_once_and_publishes_nothing(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "marseille").await;
    let created = draft(&a, &[&b]).await;
    let id = created["id"].as_str().unwrap();
    let (status, _) = a
        .patch(
            &format!("/api/v1/statements/{id}"),
            json!({ "deadline": "2020-01-31" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (reminded, _) = statement_jobs::run_once(&a.fed).await.unwrap();
    assert_eq!(reminded, 1);
    let (_, notes) = a.get("/api/v1/notifications").await;
    assert!(notes.to_string().contains("statement_deadline"), "{notes}");
    let (reminded, checked) = statement_jobs::run_once(&a.fed).await.unwrap();
    assert_eq!(
        (reminded, checked),
        (0, 0),
        "once, and the daily check ran already"
    );
    let (_, s) = a.get(&format!("/api/v1/statements/{id}")).await;
    assert_eq!(s["state"], "draft", "nothing publishes by itself");
}

async fn a_published_statement_is_in_the_feeds_with_its_signatories(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "marseille").await;
    // Centres of the network follow each other: B's network feed holds A's posts.
    b.follow_and_wait(&a).await;
    let created = draft(&a, &[&b]).await;
    let (id, url) = (
        created["id"].as_str().unwrap(),
        created["url"].as_str().unwrap(),
    );
    a.deliver_pending().await;
    sign(&b, url).await;
    b.deliver_pending().await;
    // A draft is in no feed.
    let atom = a.http.get(a.url("/feed.atom")).send().await.unwrap();
    assert!(!atom.text().await.unwrap().contains("Pour une politique"));
    a.post_empty(&format!("/api/v1/statements/{id}/publish"))
        .await;
    let atom = a.http.get(a.url("/feed.atom")).send().await.unwrap();
    let atom = atom.text().await.unwrap();
    assert!(atom.contains("Pour une politique"), "{atom}");
    assert!(atom.contains("Cosignée par : Centre marseille."), "{atom}");
    // B, a signatory that follows A, has it in its network feed.
    a.deliver_pending().await;
    let feed = b.feed().await;
    let item = feed
        .iter()
        .find(|i| i["url"] == url || i["id"] == url || i["ap_id"] == url)
        .unwrap_or_else(|| panic!("not in B's feed: {feed:?}"));
    assert!(item.to_string().contains("Cosignée par"), "{item}");
    // The daily check runs on published statements.
    let (_, checked) = statement_jobs::run_once(&a.fed).await.unwrap();
    assert_eq!(checked, 1);
}
