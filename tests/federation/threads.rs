//! Replies of followed centres to posts on other servers: shown on the network feed with a
//! link to what they answer (only an http(s) link), in the API with `in_reply_to`, and kept
//! out of the feed when staff choose.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use crate::remote::{article_with, deliver, page};
use serde_json::json;

both_backends!(a_followed_centres_reply_is_shown_with_what_it_answers_unless_staff_hide_replies);

async fn a_followed_centres_reply_is_shown_with_what_it_answers_unless_staff_hide_replies(
    backend: Backend,
) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    let parent = "https://mastodon.example/@quelquun/1234";
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
    assert_eq!(reply["in_reply_to"], parent, "{reply}");
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
