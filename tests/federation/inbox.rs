//! Hostile and malformed input at the inbox: clear statuses, and nothing stored.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use maillage::db;
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    unsigned_forged_broken_and_oversized_posts_are_refused_and_nothing_is_stored,
    unknown_activity_types_get_202_and_are_ignored,
    a_post_attributed_to_someone_else_is_refused,
);

/// What the instance holds: posts, followers, received activities.
async fn state(i: &TestInstance) -> (usize, usize, i64) {
    let feed = i.feed().await.len();
    let followers = db::followers::list(i.ctx.db.read(), None)
        .await
        .unwrap()
        .len();
    let received = db::inbox::count(i.ctx.db.read()).await.unwrap();
    (feed, followers, received)
}

fn create(from: &TestInstance, id: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/{id}", from.base),
        "type": "Create",
        "actor": from.actor_id(),
        "object": {"id": format!("{}/posts/{id}", from.base), "type": "Note",
            "attributedTo": from.actor_id(), "content": "<p>x</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public"]}
    })
}

async fn unsigned_forged_broken_and_oversized_posts_are_refused_and_nothing_is_stored(
    backend: Backend,
) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let mallory = TestInstance::spawn(backend, "mallory").await;
    a.follow_and_wait(&b).await;
    let before = state(&a).await;
    let inboxes = [
        format!("{}/inbox", a.base),
        format!("{}/inbox", a.actor_id()),
    ];
    let body = serde_json::to_vec(&create(&b, "attack")).unwrap();

    for inbox in &inboxes {
        // Unsigned.
        let res = a
            .http
            .post(inbox)
            .header("content-type", "application/activity+json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let err: Value = res.json().await.unwrap();
        assert!(
            err["error"].as_str().unwrap().contains("signature"),
            "{err}"
        );

        // Signed by Mallory's key while claiming to come from B.
        let req = mallory.signed_post(inbox, body.clone()).await;
        assert_eq!(
            a.http.execute(req).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );

        // Signed by B, then the body is tampered with.
        let mut req = b.signed_post(inbox, body.clone()).await;
        let tampered = String::from_utf8(body.clone())
            .unwrap()
            .replace("<p>x</p>", "<p>y</p>");
        *req.body_mut() = Some(tampered.into());
        assert_eq!(
            a.http.execute(req).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );

        // Signed by B with a corrupted signature value.
        let mut req = b.signed_post(inbox, body.clone()).await;
        let sig = req.headers()["signature"].to_str().unwrap().to_string();
        let forged = sig.replace("signature=\"", "signature=\"AAAA");
        req.headers_mut()
            .insert("signature", forged.parse().unwrap());
        assert_eq!(
            a.http.execute(req).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );

        // Broken JSON, even correctly signed.
        for broken in [&b"{\"type\": \"Create\","[..], b"not json", b"[]", b"{}"] {
            let req = b.signed_post(inbox, broken.to_vec()).await;
            let res = a.http.execute(req).await.unwrap();
            assert_eq!(res.status(), StatusCode::BAD_REQUEST);
            let err: Value = res.json().await.unwrap();
            assert!(!err["error"].as_str().unwrap().is_empty());
        }

        // Over 1 MB, declared or streamed.
        let mut huge = create(&b, "huge");
        huge["object"]["content"] = json!("x".repeat(1024 * 1024 + 10));
        let huge = serde_json::to_vec(&huge).unwrap();
        let req = b.signed_post(inbox, huge.clone()).await;
        assert_eq!(
            a.http.execute(req).await.unwrap().status(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let stream = futures::stream::iter(
            huge.chunks(64 * 1024)
                .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
                .collect::<Vec<_>>(),
        );
        // The server answers 413 as soon as the limit is passed and closes the connection
        // without reading the rest: the client either reads that answer or, when it was still
        // sending, sees the connection closed. Either way nothing is stored (checked below).
        let res = a
            .http
            .post(inbox)
            .header("content-type", "application/activity+json")
            .body(reqwest::Body::wrap_stream(stream))
            .send()
            .await;
        match res {
            Ok(res) => assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE),
            Err(e) => assert!(e.is_request(), "not a closed connection: {e}"),
        }
    }
    assert_eq!(state(&a).await, before, "nothing was stored");

    // The genuine activity still goes through afterwards.
    let req = b.signed_post(&inboxes[0], body).await;
    assert_eq!(
        a.http.execute(req).await.unwrap().status(),
        StatusCode::ACCEPTED
    );
    assert_eq!(state(&a).await.0, before.0 + 1);
}

async fn unknown_activity_types_get_202_and_are_ignored(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "arras").await;
    a.follow_and_wait(&b).await;
    let before = state(&a).await;
    // Like and Announce are handled now (reactions.rs).
    for kind in ["Bogus", "EmojiReact", "Add", "Block"] {
        let activity = json!({
            "id": format!("{}/activities/{kind}", b.base), "type": kind,
            "actor": b.actor_id(), "object": format!("{}/posts/x", a.base),
            "unknownField": {"nested": [1, null]}
        });
        let req = b
            .signed_post(
                &format!("{}/inbox", a.base),
                serde_json::to_vec(&activity).unwrap(),
            )
            .await;
        assert_eq!(
            a.http.execute(req).await.unwrap().status(),
            StatusCode::ACCEPTED,
            "{kind}"
        );
    }
    assert_eq!(state(&a).await, before);
}

async fn a_post_attributed_to_someone_else_is_refused(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "laval").await;
    let c = TestInstance::spawn(backend, "vannes").await;
    a.follow_and_wait(&b).await;
    let before = state(&a).await;
    // B sends a Note whose id is on C's domain: refused.
    let mut activity = create(&b, "stolen");
    activity["object"]["id"] = json!(format!("{}/posts/stolen", c.base));
    let req = b
        .signed_post(
            &format!("{}/inbox", a.base),
            serde_json::to_vec(&activity).unwrap(),
        )
        .await;
    let res = a.http.execute(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["error"]
            .as_str()
            .unwrap()
            .contains("not on the same server"),
        "{err}"
    );
    // B sends a Note on its own domain but attributed to C: refused.
    let mut activity = create(&b, "impersonated");
    activity["object"]["attributedTo"] = json!(c.actor_id());
    let req = b
        .signed_post(
            &format!("{}/inbox", a.base),
            serde_json::to_vec(&activity).unwrap(),
        )
        .await;
    let res = a.http.execute(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["error"].as_str().unwrap().contains("not attributed"),
        "{err}"
    );
    // B deletes a post of A's: nothing happens to it.
    let (_, own) = a.post("/api/v1/posts", json!({"content": "à moi"})).await;
    let delete = json!({
        "id": format!("{}/activities/del", b.base), "type": "Delete", "actor": b.actor_id(),
        "object": own["url"]
    });
    let req = b
        .signed_post(
            &format!("{}/inbox", a.base),
            serde_json::to_vec(&delete).unwrap(),
        )
        .await;
    let res = a.http.execute(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["error"]
            .as_str()
            .unwrap()
            .contains("not on the same server"),
        "{err}"
    );
    assert_eq!(
        state(&a).await.0,
        before.0 + 1,
        "A's own post is still there"
    );
}
