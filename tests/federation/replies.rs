//! Replies and mentions from anyone on the fediverse, their moderation, and domain blocks.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    a_reply_from_a_stranger_is_stored_sanitised_notified_and_moderated,
    a_mention_from_a_stranger_is_only_a_notification,
    a_blocked_domain_is_refused_forgotten_and_never_fetched,
);

fn reply(
    from: &TestInstance,
    id: &str,
    in_reply_to: &str,
    to: &TestInstance,
    content: &str,
) -> Value {
    json!({
        "id": format!("{}/activities/{id}", from.base), "type": "Create", "actor": from.actor_id(),
        "to": [to.actor_id()],
        "object": {
            "id": format!("{}/posts/{id}", from.base), "type": "Note", "attributedTo": from.actor_id(),
            "inReplyTo": in_reply_to, "to": [to.actor_id()], "content": content,
            "published": "2026-11-26T10:00:00Z",
            "tag": [{"type": "Mention", "href": to.actor_id(), "name": format!("@{}", to.handle())}]
        }
    })
}

async fn send(from: &TestInstance, to: &TestInstance, activity: &Value) -> StatusCode {
    let req = from
        .signed_post(
            &format!("{}/inbox", to.base),
            serde_json::to_vec(activity).unwrap(),
        )
        .await;
    to.http.execute(req).await.unwrap().status()
}

async fn a_reply_from_a_stranger_is_stored_sanitised_notified_and_moderated(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let stranger = TestInstance::spawn(backend, "ailleurs").await;
    let (_, post) = a
        .post(
            "/api/v1/posts",
            json!({"content": "Votre avis sur le rapport ?"}),
        )
        .await;
    let url = post["url"].as_str().unwrap();
    let id = post["id"].as_str().unwrap();
    let hostile = r#"<p onclick="steal()">Très bien <script>alert(1)</script><style>body{display:none}</style><a href="javascript:alert(2)">ici</a> <a href="https://ok.example/">source</a></p>"#;
    assert_eq!(
        send(&stranger, &a, &reply(&stranger, "r1", url, &a, hostile)).await,
        StatusCode::ACCEPTED
    );

    let (_, got) = a.get(&format!("/api/v1/posts/{id}")).await;
    let replies = got["replies"].as_array().unwrap();
    assert_eq!(
        replies.len(),
        1,
        "stored although A does not follow the author"
    );
    let content = replies[0]["content"].as_str().unwrap();
    for bad in ["script", "style", "onclick", "javascript:", "alert"] {
        assert!(!content.contains(bad), "{bad} survived: {content}");
    }
    assert!(content.contains("Très bien") && content.contains("https://ok.example/"));
    assert_eq!(replies[0]["author_handle"], stranger.handle());
    assert!(
        a.feed()
            .await
            .iter()
            .all(|i| i["id"] != format!("{}/posts/r1", stranger.base)),
        "not in the feed"
    );

    let (_, notes) = a.get("/api/v1/notifications").await;
    let kinds: Vec<&str> = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"reply") && kinds.contains(&"mention"),
        "{kinds:?}"
    );
    assert_eq!(notes["items"][0]["in_reply_to"], url);

    let page = a
        .http
        .get(url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Réponses") && page.contains("Très bien"),
        "shown under the post"
    );
    assert!(!page.contains("<script>alert"));

    let reply_id = replies[0]["reply_id"].as_i64().unwrap();
    assert_eq!(
        a.post_empty(&format!("/api/v1/replies/{reply_id}/hide"))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let page = a
        .http
        .get(url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Très bien"), "a hidden reply is not shown");
    let (_, got) = a.get(&format!("/api/v1/posts/{id}")).await;
    assert_eq!(
        got["replies"][0]["hidden"], true,
        "staff still see it, flagged"
    );
    assert_eq!(
        a.post_empty(&format!("/api/v1/replies/{reply_id}/unhide"))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        a.delete(&format!("/api/v1/replies/{reply_id}")).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, got) = a.get(&format!("/api/v1/posts/{id}")).await;
    assert!(got["replies"].as_array().unwrap().is_empty());
    for path in ["/api/v1/replies/999999/hide", "/api/v1/replies/abc/hide"] {
        assert_eq!(a.post_empty(path).await.0, StatusCode::NOT_FOUND);
    }

    // The author deletes a second reply: it is gone, and its notifications with it.
    assert_eq!(
        send(
            &stranger,
            &a,
            &reply(&stranger, "r2", url, &a, "<p>Deuxième</p>")
        )
        .await,
        StatusCode::ACCEPTED
    );
    let delete = json!({"id": format!("{}/activities/del-r2", stranger.base), "type": "Delete",
        "actor": stranger.actor_id(), "object": {"id": format!("{}/posts/r2", stranger.base), "type": "Tombstone"}});
    assert_eq!(send(&stranger, &a, &delete).await, StatusCode::ACCEPTED);
    let (_, got) = a.get(&format!("/api/v1/posts/{id}")).await;
    assert!(got["replies"].as_array().unwrap().is_empty());
    let (_, notes) = a.get("/api/v1/notifications").await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["object"] != format!("{}/posts/r2", stranger.base))
    );

    // Oversized content is refused and nothing is stored.
    let huge = format!("<p>{}</p>", "x".repeat(100_001));
    assert_eq!(
        send(&stranger, &a, &reply(&stranger, "r3", url, &a, &huge)).await,
        StatusCode::BAD_REQUEST
    );
    let (_, got) = a.get(&format!("/api/v1/posts/{id}")).await;
    assert!(got["replies"].as_array().unwrap().is_empty());
}

async fn a_mention_from_a_stranger_is_only_a_notification(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let stranger = TestInstance::spawn(backend, "ailleurs").await;
    let mut mention = reply(
        &stranger,
        "m1",
        "https://elsewhere.example/posts/1",
        &a,
        "<p>Bonjour @lyon</p>",
    );
    mention["object"]["inReplyTo"] = Value::Null;
    assert_eq!(send(&stranger, &a, &mention).await, StatusCode::ACCEPTED);
    let (_, notes) = a.get("/api/v1/notifications").await;
    let items = notes["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["type"], "mention");
    assert_eq!(items[0]["content"], "Bonjour @lyon");
    assert!(a.feed().await.is_empty(), "the post itself is not stored");
    let (status, _) = a.get("/api/v1/notifications?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn a_blocked_domain_is_refused_forgotten_and_never_fetched(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let bad = TestInstance::spawn(backend, "spam").await;
    bad.follow_and_wait(&a).await;
    let (_, post) = a.post("/api/v1/posts", json!({"content": "x"})).await;
    let url = post["url"].as_str().unwrap();
    let id = post["id"].as_str().unwrap();
    assert_eq!(
        send(&bad, &a, &reply(&bad, "r1", url, &a, "<p>spam</p>")).await,
        StatusCode::ACCEPTED
    );

    for (body, status) in [
        (json!({"domain": "not a domain"}), StatusCode::BAD_REQUEST),
        (json!({"domain": a.domain}), StatusCode::BAD_REQUEST),
        (json!({"domain": bad.domain}), StatusCode::CREATED),
        (json!({"domain": bad.domain}), StatusCode::CONFLICT),
    ] {
        let (got, res) = a.post("/api/v1/domain_blocks", body.clone()).await;
        assert_eq!(got, status, "{body}: {res}");
    }
    let (_, blocks) = a.get("/api/v1/domain_blocks").await;
    assert_eq!(blocks["items"][0]["domain"], bad.domain);
    let (_, followers) = a.get("/api/v1/followers").await;
    assert!(
        followers["items"].as_array().unwrap().is_empty(),
        "its followers are removed"
    );
    let (_, got) = a.get(&format!("/api/v1/posts/{id}")).await;
    assert!(
        got["replies"].as_array().unwrap().is_empty(),
        "its replies are removed"
    );

    let before = maillage::db::inbox::count(a.ctx.db.read()).await.unwrap();
    assert_eq!(
        send(&bad, &a, &reply(&bad, "r2", url, &a, "<p>encore</p>")).await,
        StatusCode::FORBIDDEN
    );
    let follow = json!({"id": format!("{}/activities/f2", bad.base), "type": "Follow", "actor": bad.actor_id(), "object": a.actor_id()});
    assert_eq!(send(&bad, &a, &follow).await, StatusCode::FORBIDDEN);
    assert_eq!(
        maillage::db::inbox::count(a.ctx.db.read()).await.unwrap(),
        before,
        "nothing stored"
    );
    let (status, err) = a
        .post("/api/v1/follows", json!({"target": bad.actor_id()}))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "nothing is fetched from it: {err}"
    );
    assert!(err["error"].as_str().unwrap().contains("blocked"), "{err}");

    assert_eq!(
        a.delete(&format!("/api/v1/domain_blocks/{}", bad.domain))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        a.delete(&format!("/api/v1/domain_blocks/{}", bad.domain))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&bad, &a, &reply(&bad, "r3", url, &a, "<p>pardon</p>")).await,
        StatusCode::ACCEPTED
    );
}
