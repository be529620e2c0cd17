//! Reports we send: a report of another centre's post (known, or fetched first) from the API
//! and the console form reaches that centre's inbox as a `Flag` from our centre and is listed
//! there; bad targets are refused with 400 and nothing is queued.

use super::reports;
use crate::both_backends;
use crate::console::admin;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(a_report_sent_about_another_centres_post_is_listed_there);

async fn a_report_sent_about_another_centres_post_is_listed_there(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let c = TestInstance::spawn(backend, "nantes").await;
    a.follow_and_wait(&b).await;
    let (_, post) = b
        .post("/api/v1/posts", json!({"content": "Un message injurieux"}))
        .await;
    let b_post = post["url"].as_str().unwrap().to_string();
    b.deliver_pending().await;

    let (status, sent) = a
        .post(
            "/api/v1/reports",
            json!({"object": b_post, "comment": "Propos injurieux envers un habitant"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
    assert_eq!(sent["object"], json!([b.actor_id(), b_post]));
    let flag_id = sent["id"].as_str().unwrap().to_string();
    assert_eq!(
        a.get_ap(&flag_id).await.0,
        StatusCode::NOT_FOUND,
        "a report is not public"
    );
    assert_eq!(a.deliver_pending().await.delivered, 1);
    let listed = reports(&b).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        listed[0]["reporter"]["id"],
        a.actor_id(),
        "from the centre, not a person"
    );
    assert_eq!(listed[0]["activity_id"], flag_id);
    assert_eq!(listed[0]["comment"], "Propos injurieux envers un habitant");
    assert_eq!(listed[0]["objects"][0]["type"], "actor");
    assert_eq!(listed[0]["objects"][1]["type"], "post");
    assert_eq!(listed[0]["objects"][1]["excerpt"], "Un message injurieux");

    // A post A never saw is fetched first; the console form sends it too.
    let (_, other) = c
        .post("/api/v1/posts", json!({"content": "Inconnu ici"}))
        .await;
    let c_post = other["url"].as_str().unwrap().to_string();
    let mut browser = admin(&a).await;
    let form = browser
        .get(&format!("/console/reports/new?object={c_post}"))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(&c_post), "the object is filled in");
    let csrf = form.csrf();
    let sent = browser
        .post(
            "/console/reports/new",
            &[("csrf", &csrf), ("object", &c_post), ("comment", "")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("Signalement envoyé"), "{}", sent.body);
    assert_eq!(a.deliver_pending().await.delivered, 1);
    let there = reports(&c).await;
    assert_eq!(there.len(), 1);
    assert_eq!(there[0]["objects"][1]["id"], c_post);
    assert_eq!(there[0]["comment"], "");

    // Bad input: a clear 400 and nothing queued.
    for (object, why) in [
        ("ftp://example.org/x".to_string(), "not http(s)"),
        ("pas une adresse".into(), "not a URL"),
        (a.actor_id(), "our own actor"),
        (format!("{}/posts/absent", c.base), "not found there"),
    ] {
        let (status, body) = a.post("/api/v1/reports", json!({"object": object})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {body}");
        assert!(
            body["error"].as_str().unwrap().starts_with("object:"),
            "{body}"
        );
    }
    let (status, body) = a
        .post(
            "/api/v1/reports",
            json!({"object": b_post, "comment": "x".repeat(5_001)}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let bad = browser
        .post(
            "/console/reports/new",
            &[("csrf", &csrf), ("object", "pas une adresse")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("object:"), "the error is shown");
    assert_eq!(a.deliver_pending().await.delivered, 0, "nothing queued");
}
