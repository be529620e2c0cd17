//! Fedify replies to our Note with a mention of our centre, then deletes its reply.

use super::{Peer, centre, eventually, fedify_follows};
use reqwest::StatusCode;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// 4. Fedify replies to our Note with inReplyTo and a Mention of our centre; then deletes it.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_reply_with_mention_reaches_our_post_and_notifications() {
    let Some(peer) =
        Peer::start("fedify_reply_with_mention_reaches_our_post_and_notifications").await
    else {
        return;
    };
    let us = centre().await;
    // Fedify follows us (so it has our Note); we do not follow it: replies come from anyone.
    fedify_follows(&peer, &us).await;
    let (status, post) = us
        .post(
            "/api/v1/posts",
            json!({"content": "Une question au réseau"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let post_url = post["url"].as_str().unwrap().to_string();
    let post_id = post["id"].as_str().unwrap().to_string();
    us.deliver_pending().await;
    peer.received("our Note", |a| a["object"]["id"] == post_url.as_str())
        .await;

    let reply = peer
        .post(
            "/control/reply",
            json!({"in_reply_to": post_url, "mention_actor": us.actor_id()}),
        )
        .await;
    let reply_id = reply["id"].as_str().unwrap().to_string();
    let handle = format!("fedi@{}", peer.base.trim_start_matches("http://"));
    // Sent to our personal inbox, and accepted there.
    let sent = peer
        .attempts(|r| r["activity_id"] == reply["activity"])
        .await
        .pop()
        .unwrap();
    assert_eq!(sent["url"], format!("{}/inbox", us.actor_id()).as_str());
    assert_eq!(sent["status"], 202, "{sent}");

    // Listed under our post.
    let stored = eventually("the reply under our post", || async {
        let (status, p) = us.get(&format!("/api/v1/posts/{post_id}")).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        p["replies"]
            .as_array()
            .and_then(|r| r.iter().find(|x| x["id"] == reply_id.as_str()).cloned())
    })
    .await;
    assert_eq!(stored["actor"], peer.actor.as_str(), "{stored}");
    assert_eq!(stored["author_handle"], handle.as_str(), "{stored}");
    assert_eq!(stored["hidden"], false, "{stored}");
    let content = stored["content"].as_str().unwrap();
    assert!(content.contains("Merci"), "{stored}");
    assert!(
        content.contains(&us.actor_id()),
        "the mention link: {stored}"
    );

    // Notified, as a reply and as a mention.
    let notifications = eventually("the reply and mention notifications", || async {
        let (status, n) = us.get("/api/v1/notifications").await;
        assert_eq!(status, StatusCode::OK, "{n}");
        let ours: Vec<Value> = n["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["object"] == reply_id.as_str())
            .cloned()
            .collect();
        (ours.len() >= 2).then_some(ours)
    })
    .await;
    let mut kinds: Vec<&str> = notifications
        .iter()
        .map(|n| n["type"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["mention", "reply"], "{notifications:#?}");
    for n in &notifications {
        assert_eq!(n["actor"], peer.actor.as_str(), "{n}");
        assert_eq!(n["author_handle"], handle.as_str(), "{n}");
        assert_eq!(n["in_reply_to"], post_url.as_str(), "{n}");
        assert!(n["content"].as_str().unwrap().contains("Merci"), "{n}");
    }

    // Fedify deletes its reply: it goes from under our post.
    peer.post(
        "/control/delete",
        json!({"id": reply_id, "to": us.actor_id()}),
    )
    .await;
    eventually("the reply's deletion", || async {
        let (_, p) = us.get(&format!("/api/v1/posts/{post_id}")).await;
        let left = p["replies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == reply_id.as_str());
        (!left).then_some(())
    })
    .await;
    peer.assert_clean().await;
}
