//! Likes and boosts with Fedify, both ways: Fedify likes and boosts our Note, we count them,
//! its `Undo`s take them back; we boost a Fedify Note (fetched, signed), Fedify receives the
//! `Announce` and verifies it, and our follower's feed shows the Note "boosted by" us.

use super::{Peer, centre, eventually, fedify_follows};
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn counts(us: &TestInstance, id: &str) -> (i64, i64) {
    let (_, p) = us.get(&format!("/api/v1/posts/{id}")).await;
    (p["likes"].as_i64().unwrap(), p["boosts"].as_i64().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_likes_and_boosts_our_note_and_undoes_them() {
    let Some(peer) = Peer::start("fedify_likes_and_boosts_our_note_and_undoes_them").await else {
        return;
    };
    let us = centre().await;
    fedify_follows(&peer, &us).await;
    let (_, post) = us
        .post("/api/v1/posts", json!({"content": "À aimer et partager"}))
        .await;
    let (url, id) = (
        post["url"].as_str().unwrap().to_string(),
        post["id"].as_str().unwrap().to_string(),
    );
    us.deliver_pending().await;
    let mut reactions = Vec::new();
    for kind in ["Like", "Announce"] {
        let sent = peer
            .post(
                "/control/react",
                json!({"type": kind, "object": url, "actor_url": us.actor_id()}),
            )
            .await;
        reactions.push((kind, sent["id"].as_str().unwrap().to_string()));
    }
    eventually("Fedify's like and boost counted", || async {
        (counts(&us, &id).await == (1, 1)).then_some(())
    })
    .await;
    let (_, p) = us.get(&format!("/api/v1/posts/{id}")).await;
    assert!(
        p["reactions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["actor"] == peer.actor.as_str()),
        "{p}"
    );
    for (kind, reaction) in &reactions {
        peer.post(
            "/control/react",
            json!({"type": kind, "object": url, "actor_url": us.actor_id(), "undo": reaction}),
        )
        .await;
    }
    eventually("Fedify's Undos applied", || async {
        (counts(&us, &id).await == (0, 0)).then_some(())
    })
    .await;
    peer.assert_clean().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn we_boost_a_fedify_note_and_our_follower_sees_it_boosted_by_us() {
    let Some(peer) =
        Peer::start("we_boost_a_fedify_note_and_our_follower_sees_it_boosted_by_us").await
    else {
        return;
    };
    let us = centre().await;
    let follower = TestInstance::spawn(Backend::Sqlite, "lille").await;
    follower.follow_and_wait(&us).await;
    let published = peer
        .post(
            "/control/publish",
            json!({"content": "<p>Une note de Fedify à relayer</p>"}),
        )
        .await;
    let note = published["id"].as_str().unwrap().to_string();

    let (status, boost) = us.post("/api/v1/boosts", json!({"object": note})).await;
    assert_eq!(status, StatusCode::CREATED, "{boost}");
    let sent = us.deliver_pending().await;
    assert_eq!(sent.delivered, 2, "to our follower and to Fedify: {sent:?}");
    let received = peer
        .received("our Announce", |a| a["id"] == boost["url"])
        .await;
    assert_eq!(received["type"], "Announce");
    assert_eq!(received["signature"], "draft-cavage");
    assert_eq!(received["object_id"], note.as_str());

    let item: Value = eventually("the boosted Note in our follower's feed", || async {
        follower
            .feed()
            .await
            .into_iter()
            .find(|i| i["type"] == "Announce" && !i["boosted"].is_null())
    })
    .await;
    assert_eq!(item["actor"], us.actor_id().as_str());
    assert_eq!(item["boosted"]["id"], note.as_str());
    assert_eq!(item["boosted"]["actor"], peer.actor.as_str());
    let html = follower
        .http
        .get(follower.url("/network"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Une note de Fedify à relayer"), "{html}");
    assert!(html.contains("Partagé par"), "{html}");
    peer.assert_clean().await;
}
