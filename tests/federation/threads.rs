//! Replies of followed centres to posts on other servers: shown on the network feed with
//! what they answer (fetched, signed, at most three posts up the thread; else an http(s) link
//! only), in the API with `in_reply_to`, and kept out of the feed when staff choose.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use crate::remote::{PUBLIC, article_with, deliver, page};
use crate::stub::Stub;
use serde_json::json;
use std::time::Duration;

both_backends!(
    a_followed_centres_reply_is_shown_with_what_it_answers_unless_staff_hide_replies,
    what_a_reply_answers_is_fetched_signed_three_posts_up_the_thread_at_most,
);

/// Polls `/network` of `i` until it contains `text` (the fetch runs in the background).
async fn network_with(i: &TestInstance, text: &str) -> String {
    for _ in 0..100 {
        let html = page(i, "/network", None).await;
        if html.contains(text) {
            return html;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("/network never showed {text:?}");
}

async fn what_a_reply_answers_is_fetched_signed_three_posts_up_the_thread_at_most(
    backend: Backend,
) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    // A thread of five posts on a server A does not follow: t1 ← t2 ← … ← t5.
    let other = Stub::start().await;
    let ana = other.serve("ana", {
        let mut doc = other.actor("ana", &b.ctx.centre.public_key_pem);
        doc["name"] = json!("Ana de Roubaix");
        doc
    });
    for i in 1..=5 {
        let id = format!("{}/actors/t{i}", other.base);
        let mut note = json!({"@context": "https://www.w3.org/ns/activitystreams",
            "id": id, "type": "Note", "attributedTo": ana, "to": [PUBLIC],
            "published": format!("2026-11-0{i}T10:00:00Z"),
            "content": format!("<p>Message {i} du fil sur le <b>contrat de ville</b></p>")});
        if i > 1 {
            note["inReplyTo"] = json!(format!("{}/actors/t{}", other.base, i - 1));
        }
        other.serve(&format!("t{i}"), note);
    }
    // A followers-only post and one that claims another server's id are not kept.
    other.serve(
        "private",
        json!({"id": format!("{}/actors/private", other.base), "type": "Note",
        "attributedTo": ana, "to": [format!("{ana}/followers")], "content": "<p>Entre nous</p>"}),
    );
    other.serve(
        "elsewhere",
        json!({"id": format!("{}/posts/1", b.base), "type": "Note",
        "attributedTo": ana, "to": [PUBLIC], "content": "<p>Pas d'ici</p>"}),
    );

    deliver(
        &b,
        &a,
        "answer",
        json!({"type": "Note", "inReplyTo": format!("{}/actors/t5", other.base),
        "content": "<p>Nous partageons cette analyse</p>"}),
    )
    .await;
    let html = network_with(&a, "Message 5 du fil").await;
    let post = article_with(&html, "Nous partageons cette analyse");
    assert!(
        post.contains(&format!(
            r#"<a href="{}/actors/t5" rel="nofollow noopener noreferrer">Ana de Roubaix</a>"#,
            other.base
        )),
        "{post}"
    );
    assert!(
        post.contains("<q>Message 5 du fil sur le contrat de ville</q>"),
        "the excerpt is plain text: {post}"
    );
    // The thread is fetched up to t3 and no further, each GET signed; the answered posts are
    // context, not network posts.
    for _ in 0..100 {
        if other.fetched.lock().unwrap().iter().any(|(n, _)| n == "t3") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let fetched = other.fetched.lock().unwrap().clone();
    let posts: Vec<&str> = fetched
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| n.starts_with('t'))
        .collect();
    assert_eq!(posts, ["t5", "t4", "t3"], "{fetched:?}");
    assert!(fetched.iter().all(|(_, signed)| *signed), "{fetched:?}");
    assert!(
        !a.feed()
            .await
            .iter()
            .any(|p| p["content"].as_str().is_some_and(|c| c.contains("Message")))
    );

    // A second reply to the same post fetches nothing more.
    deliver(
        &b,
        &a,
        "again",
        json!({"type": "Note", "inReplyTo": format!("{}/actors/t5", other.base),
        "content": "<p>Encore d'accord</p>"}),
    )
    .await;
    let html = network_with(&a, "Encore d").await;
    assert!(article_with(&html, "Encore d").contains("<q>Message 5"));
    for (id, text) in [
        ("private", "Réponse privée"),
        ("elsewhere", "Réponse ailleurs"),
    ] {
        deliver(
            &b,
            &a,
            id,
            json!({"type": "Note", "inReplyTo": format!("{}/actors/{id}", other.base),
            "content": format!("<p>{text}</p>")}),
        )
        .await;
    }
    for _ in 0..100 {
        let n = other.fetched.lock().unwrap().len();
        if n >= fetched.len() + 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let html = page(&a, "/network", None).await;
    assert!(
        !html.contains("Entre nous")
            && !html.contains("Pas d&#x27;ici")
            && !html.contains("Pas d'ici"),
        "{html}"
    );
    assert!(
        article_with(&html, "Réponse privée")
            .contains(&format!(r#"<a href="{}/actors/private""#, other.base)),
        "the plain link stays"
    );
    assert_eq!(
        other
            .fetched
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, _)| n == "t5")
            .count(),
        1,
        "t5 is held: not fetched again"
    );
}

async fn a_followed_centres_reply_is_shown_with_what_it_answers_unless_staff_hide_replies(
    backend: Backend,
) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    // A post we cannot fetch (404): the reply keeps a plain link to it.
    let other = Stub::start().await;
    let parent = format!("{}/actors/gone", other.base);
    deliver(
        &b,
        &a,
        "reply",
        json!({"type": "Note", "inReplyTo": parent,
        "content": "<p>Tout à fait d'accord</p>"}),
    )
    .await;
    for (i, hostile) in ["javascript:alert(1)", "data:text/html,x", "/relative/1"]
        .iter()
        .enumerate()
    {
        deliver(
            &b,
            &a,
            &format!("bad{i}"),
            json!({"type": "Note", "inReplyTo": hostile,
            "content": format!("<p>Réponse piégée {i}</p>")}),
        )
        .await;
    }

    let items = a.feed().await;
    let reply = items
        .iter()
        .find(|p| p["id"] == format!("{}/posts/reply", b.base))
        .expect("the reply is in the feed");
    assert_eq!(reply["in_reply_to"], parent.as_str(), "{reply}");
    let html = page(&a, "/network", None).await;
    let post = article_with(&html, "Tout à fait d");
    assert!(
        post.contains(&format!(
            r#"<a href="{parent}" rel="nofollow noopener noreferrer">"#
        )),
        "{post}"
    );
    let lower = html.to_lowercase();
    for bad in ["javascript:", "data:text", "href=\"/relative"] {
        assert!(!lower.contains(bad), "{bad}: {html}");
    }

    // Staff keep replies out of the feed.
    let (status, body) = a
        .put("/api/v1/settings/network_replies", json!({"shown": false}))
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let (_, got) = a.get("/api/v1/settings/network_replies").await;
    assert_eq!(got, json!({"shown": false}));
    assert!(
        !a.feed()
            .await
            .iter()
            .any(|p| p["id"] == format!("{}/posts/reply", b.base)),
        "hidden from the API feed"
    );
    assert!(!page(&a, "/network", None).await.contains("Tout à fait d"));
    let (status, _) = a
        .put("/api/v1/settings/network_replies", json!({"shown": "yes"}))
        .await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
}
