//! Boosts both ways: our staff boost a post of another centre (fetched, signed, when we do not
//! hold it); the `Announce` reaches our followers, whose network feed shows the post "boosted
//! by" us after fetching it, and the post's author, who counts it; our outbox lists it; `Undo`
//! takes it back everywhere. Bad objects get a clear error and nothing is sent.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use crate::remote::{article_with, page};
use crate::stub::Stub;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

both_backends!(
    a_boost_reaches_followers_as_boosted_by_and_the_author_counts_it_until_undone,
    boosts_of_what_cannot_be_boosted_are_refused_and_nothing_is_sent,
    staff_boost_and_undo_from_the_console,
);

async fn staff_boost_and_undo_from_the_console(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let c = TestInstance::spawn(backend, "grenoble").await;
    let (_, post) = c
        .post("/api/v1/posts", json!({"content": "À partager"}))
        .await;
    let url = post["url"].as_str().unwrap();
    let mut b = crate::console::admin(&a).await;
    let form = b.get(&format!("/console/boosts?object={url}")).await;
    assert!(
        form.body.contains(&format!(r#"value="{url}""#)),
        "{}",
        form.body
    );
    let csrf = form.csrf();
    let bad = b
        .post(
            "/console/boosts",
            &[("csrf", &csrf), ("object", "pas une adresse")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("object:"), "{}", bad.body);
    let done = b
        .post("/console/boosts", &[("csrf", &csrf), ("object", url)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let list = b.get("/console/boosts").await;
    assert!(
        list.body.contains(&format!(r#"<a href="{url}""#)),
        "{}",
        list.body
    );
    let (_, boosts) = a.get("/api/v1/boosts").await;
    let id = boosts["items"][0]["id"].as_str().unwrap().to_string();
    let undone = b
        .post(&format!("/console/boosts/{id}/undo"), &[("csrf", &csrf)])
        .await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER);
    assert!(
        b.get("/console/boosts")
            .await
            .body
            .contains("Aucun partage")
    );
}

async fn boosts_count(i: &TestInstance, post_id: &str) -> i64 {
    let (_, post) = i.get(&format!("/api/v1/posts/{post_id}")).await;
    post["boosts"].as_i64().unwrap()
}

async fn a_boost_reaches_followers_as_boosted_by_and_the_author_counts_it_until_undone(
    backend: Backend,
) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    let c = TestInstance::spawn(backend, "grenoble").await;
    b.follow_and_wait(&a).await;
    // C is followed by nobody: A fetches its post to boost it, B to show it.
    let (_, post) = c
        .post(
            "/api/v1/posts",
            json!({"content": "Note de Grenoble sur la rénovation urbaine"}),
        )
        .await;
    let url = post["url"].as_str().unwrap().to_string();

    let (status, boost) = a.post("/api/v1/boosts", json!({"object": url})).await;
    assert_eq!(status, StatusCode::CREATED, "{boost}");
    assert_eq!(boost["object"], url.as_str());
    let (status, again) = a.post("/api/v1/boosts", json!({"object": url})).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a second boost is the same one: {again}"
    );
    assert_eq!(again["id"], boost["id"]);
    let (_, list) = a.get("/api/v1/boosts").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");

    let sent = a.deliver_pending().await;
    assert_eq!(
        sent.delivered, 2,
        "to the follower and to the author: {sent:?}"
    );

    // The author counts it.
    assert_eq!(boosts_count(&c, post["id"].as_str().unwrap()).await, 1);

    // The follower's feed: the post, boosted by A, once B has fetched it.
    let mut item = Value::Null;
    for _ in 0..100 {
        item = b
            .feed()
            .await
            .into_iter()
            .find(|i| i["type"] == "Announce")
            .unwrap_or(Value::Null);
        if !item["boosted"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(item["actor"], a.actor_id().as_str(), "{item}");
    assert_eq!(item["object"], url.as_str());
    assert_eq!(item["boosted"]["id"], url.as_str(), "{item}");
    assert!(
        item["boosted"]["content"]
            .as_str()
            .unwrap()
            .contains("rénovation urbaine")
    );
    let html = page(&b, "/network", None).await;
    let shown = article_with(&html, "rénovation urbaine");
    assert!(
        shown.contains(&format!(
            r#"Partagé par <a href="{}">Centre lyon</a>"#,
            a.actor_id()
        )),
        "{shown}"
    );
    assert!(
        shown.contains("Centre grenoble"),
        "the author is shown: {shown}"
    );

    // Our outbox lists the Announce.
    let (_, outbox) = a
        .get_ap(&format!("{}/u/lyon/outbox?page=true", a.base))
        .await;
    let announce = outbox["orderedItems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["type"] == "Announce")
        .cloned()
        .expect("the outbox lists the boost");
    assert_eq!(announce["object"], url.as_str());
    assert_eq!(announce["id"], boost["url"]);

    // Undo.
    let (status, _) = a
        .delete(&format!("/api/v1/boosts/{}", boost["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = a
        .delete(&format!("/api/v1/boosts/{}", boost["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "undone once");
    let sent = a.deliver_pending().await;
    assert_eq!(sent.delivered, 2, "{sent:?}");
    assert!(!b.feed().await.iter().any(|i| i["type"] == "Announce"));
    assert!(
        !page(&b, "/network", None)
            .await
            .contains("rénovation urbaine")
    );
    assert_eq!(boosts_count(&c, post["id"].as_str().unwrap()).await, 0);
    let (_, outbox) = a
        .get_ap(&format!("{}/u/lyon/outbox?page=true", a.base))
        .await;
    assert!(
        !outbox["orderedItems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["type"] == "Announce")
    );
}

async fn boosts_of_what_cannot_be_boosted_are_refused_and_nothing_is_sent(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    b.follow_and_wait(&a).await;
    let (_, private) = a
        .post(
            "/api/v1/posts",
            json!({"content": "Entre nous", "visibility": "followers"}),
        )
        .await;
    let gone = Stub::start().await;
    let not_a_post = gone.serve("actor", gone.actor("actor", &a.ctx.centre.public_key_pem));
    for (object, expected, needle) in [
        (
            json!("javascript:alert(1)"),
            StatusCode::BAD_REQUEST,
            "object:",
        ),
        (json!("/posts/relative"), StatusCode::BAD_REQUEST, "object:"),
        (
            json!(format!("{}/posts/inconnu", a.base)),
            StatusCode::NOT_FOUND,
            "object:",
        ),
        (
            private["url"].clone(),
            StatusCode::BAD_REQUEST,
            "only public posts",
        ),
        (json!(not_a_post), StatusCode::BAD_REQUEST, "object:"),
        (
            json!(format!("{}/actors/missing", gone.base)),
            StatusCode::BAD_GATEWAY,
            "object:",
        ),
    ] {
        let (status, body) = a.post("/api/v1/boosts", json!({"object": object})).await;
        assert_eq!(status, expected, "{object}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains(needle),
            "{object}: {body}"
        );
    }
    let (status, _) = a.post("/api/v1/boosts", json!({"url": "x"})).await;
    assert!(status.is_client_error());
    let (status, _) = a.delete("/api/v1/boosts/inconnu").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A post's id is not a boost's.
    let (status, _) = a
        .delete(&format!(
            "/api/v1/boosts/{}",
            private["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = a.get("/api/v1/boosts").await;
    assert_eq!(list["items"], json!([]));
    let sent = a.deliver_pending().await;
    assert_eq!(
        sent.attempted, 1,
        "only the followers-only post's Create: {sent:?}"
    );
}
