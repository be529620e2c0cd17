//! Publishing notes: create, edit and delete reach followers; the feed shows the network.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    b_publishes_edits_and_deletes_and_a_sees_each_change,
    visibilities_are_addressed_as_mastodon_expects,
    one_post_per_shared_inbox,
    the_feed_merges_own_and_followed_posts_newest_first_with_a_cursor,
    the_same_activity_delivered_twice_changes_nothing,
    an_older_update_does_not_overwrite_a_newer_one,
    posts_from_centres_we_do_not_follow_are_not_stored,
);

fn find<'a>(feed: &'a [Value], url: &str) -> Option<&'a Value> {
    feed.iter().find(|i| i["id"] == url)
}

async fn b_publishes_edits_and_deletes_and_a_sees_each_change(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "marseille").await;
    a.follow_and_wait(&b).await;

    let (status, post) = b
        .post(
            "/api/v1/posts",
            json!({"type": "Note", "content": "Rencontre des centres le 12 février", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let url = post["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&b.base), "{url}");
    assert_eq!(b.deliver_pending().await.delivered, 1);
    let feed = a.feed().await;
    let item = find(&feed, &url).expect("A's feed shows B's post");
    assert_eq!(
        item["content"],
        "<p>Rencontre des centres le 12 février</p>"
    );
    assert_eq!(item["actor"], b.actor_id());
    assert_eq!(item["author_name"], "Centre marseille");
    assert_eq!(item["type"], "Note");

    let id = post["id"].as_str().unwrap();
    let (status, edited) = b
        .patch(
            &format!("/api/v1/posts/{id}"),
            json!({"content": "Rencontre reportée au 19 février"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(b.deliver_pending().await.delivered, 1);
    let feed = a.feed().await;
    let item = find(&feed, &url).unwrap();
    assert_eq!(item["content"], "<p>Rencontre reportée au 19 février</p>");
    assert!(item["updated"].as_str().unwrap() > item["published"].as_str().unwrap());
    let (_, object) = b.get_ap(&url).await;
    assert!(
        object["updated"].is_string(),
        "an edited Note carries updated: {object}"
    );

    let (status, _) = b.delete(&format!("/api/v1/posts/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(b.deliver_pending().await.delivered, 1);
    assert!(
        find(&a.feed().await, &url).is_none(),
        "the deleted post is gone"
    );
    let (status, tombstone) = b.get_ap(&url).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(tombstone["type"], "Tombstone");
    let (status, _) = b
        .patch(&format!("/api/v1/posts/{id}"), json!({"content": "x"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn visibilities_are_addressed_as_mastodon_expects(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "nice").await;
    a.follow_and_wait(&b).await;
    let public = "https://www.w3.org/ns/activitystreams#Public";
    let followers = format!("{}/followers", b.actor_id());
    for (visibility, to, cc) in [
        ("public", json!([public]), json!([followers])),
        ("unlisted", json!([followers]), json!([public])),
        ("followers", json!([followers]), json!([])),
    ] {
        let (_, post) = b
            .post(
                "/api/v1/posts",
                json!({"content": visibility, "visibility": visibility}),
            )
            .await;
        let url = post["url"].as_str().unwrap();
        let (status, object) = b.get_ap(url).await;
        if visibility == "followers" {
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "followers-only posts are not public"
            );
        } else {
            assert_eq!(object["to"], to, "{visibility}");
            assert_eq!(object["cc"], cc, "{visibility}");
            assert_eq!(object["type"], "Note");
            assert_eq!(object["contentMap"]["fr"], object["content"]);
            assert!(
                object.get("summary").is_none(),
                "a Note's summary is a content warning"
            );
        }
        b.deliver_pending().await;
        let feed = a.feed().await;
        let item = find(&feed, url).unwrap_or_else(|| panic!("{visibility} post reaches A"));
        assert_eq!(item["visibility"], visibility);
    }
    let (_, outbox) = b.get_ap(&format!("{}/outbox", b.actor_id())).await;
    assert_eq!(
        outbox["totalItems"], 2,
        "the outbox lists public and unlisted posts only"
    );
}

async fn one_post_per_shared_inbox(backend: Backend) {
    let b = TestInstance::spawn(backend, "nancy").await;
    let a = TestInstance::spawn(backend, "lyon").await;
    let c = TestInstance::spawn(backend, "dijon").await;
    a.follow_and_wait(&b).await;
    c.follow_and_wait(&b).await;
    b.post("/api/v1/posts", json!({"content": "Bonjour"})).await;
    let report = b.deliver_pending().await;
    assert_eq!(report.delivered, 2, "one POST per follower server");
    assert_eq!(a.feed().await.len(), 1);
    assert_eq!(c.feed().await.len(), 1);
}

async fn the_feed_merges_own_and_followed_posts_newest_first_with_a_cursor(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "tours").await;
    a.follow_and_wait(&b).await;
    let mut expected = Vec::new();
    for i in 0..5 {
        let who = if i % 2 == 0 { &a } else { &b };
        let (_, p) = who
            .post("/api/v1/posts", json!({"content": format!("post {i}")}))
            .await;
        expected.push(p["url"].as_str().unwrap().to_string());
        b.deliver_pending().await;
    }
    expected.reverse();
    let mut seen = Vec::new();
    let mut path = "/api/v1/feed?limit=2".to_string();
    loop {
        let (status, page) = a.get(&path).await;
        assert_eq!(status, StatusCode::OK);
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_string());
        }
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/feed?limit=2&before={next}"),
            None => break,
        }
    }
    assert_eq!(seen, expected, "newest first, every post once across pages");
}

async fn the_same_activity_delivered_twice_changes_nothing(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "brest").await;
    a.follow_and_wait(&b).await;
    let note = format!("{}/posts/replayed", b.base);
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/replayed-create", b.base),
        "type": "Create",
        "actor": b.actor_id(),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": note, "type": "Note", "attributedTo": b.actor_id(),
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "content": "<p>Une fois</p>", "published": "2026-01-01T10:00:00Z"
        }
    });
    let body = serde_json::to_vec(&create).unwrap();
    for _ in 0..2 {
        let req = b
            .signed_post(&format!("{}/inbox", a.base), body.clone())
            .await;
        let res = a.http.execute(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::ACCEPTED);
    }
    // A different activity id carrying an edit with the same `updated` is ignored too.
    let mut same_time = create.clone();
    same_time["id"] = json!(format!("{}/activities/replayed-update", b.base));
    same_time["type"] = json!("Update");
    same_time["object"]["content"] = json!("<p>Modifié sans date</p>");
    let req = b
        .signed_post(
            &format!("{}/inbox", a.base),
            serde_json::to_vec(&same_time).unwrap(),
        )
        .await;
    assert_eq!(
        a.http.execute(req).await.unwrap().status(),
        StatusCode::ACCEPTED
    );
    let feed = a.feed().await;
    assert_eq!(feed.len(), 1);
    assert_eq!(feed[0]["content"], "<p>Une fois</p>");
}

async fn an_older_update_does_not_overwrite_a_newer_one(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "pau").await;
    a.follow_and_wait(&b).await;
    let note = format!("{}/posts/versions", b.base);
    let send = |id: &str, kind: &str, content: &str, updated: &str| {
        json!({
            "id": format!("{}/activities/{id}", b.base), "type": kind, "actor": b.actor_id(),
            "object": {"id": note, "type": "Note", "attributedTo": b.actor_id(),
                "to": ["https://www.w3.org/ns/activitystreams#Public"], "content": content,
                "published": "2026-01-01T10:00:00Z", "updated": updated}
        })
    };
    for activity in [
        send("v1", "Create", "<p>v1</p>", "2026-01-01T10:00:00Z"),
        send("v3", "Update", "<p>v3</p>", "2026-01-03T10:00:00Z"),
        send("v2", "Update", "<p>v2</p>", "2026-01-02T10:00:00Z"),
    ] {
        let req = b
            .signed_post(
                &format!("{}/inbox", a.base),
                serde_json::to_vec(&activity).unwrap(),
            )
            .await;
        assert_eq!(
            a.http.execute(req).await.unwrap().status(),
            StatusCode::ACCEPTED
        );
    }
    assert_eq!(a.feed().await[0]["content"], "<p>v3</p>");
}

async fn posts_from_centres_we_do_not_follow_are_not_stored(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "amiens").await;
    // B follows A (A does not follow B), then B's Create reaches A anyway.
    b.follow_and_wait(&a).await;
    let create = json!({
        "id": format!("{}/activities/unsolicited", b.base), "type": "Create", "actor": b.actor_id(),
        "object": {"id": format!("{}/posts/unsolicited", b.base), "type": "Note",
            "attributedTo": b.actor_id(), "content": "<p>spam</p>"}
    });
    let req = b
        .signed_post(
            &format!("{}/inbox", a.base),
            serde_json::to_vec(&create).unwrap(),
        )
        .await;
    assert_eq!(
        a.http.execute(req).await.unwrap().status(),
        StatusCode::ACCEPTED
    );
    assert!(a.feed().await.is_empty());
}
