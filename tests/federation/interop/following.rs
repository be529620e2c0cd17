//! Following both ways: Fedify follows our centre and verifies our Accept; we follow Fedify
//! and its notes, edits and deletions reach our feed; backfill reads its outbox, signed when
//! it requires it.

use super::{Peer, centre, eventually, fedify_follows, feed_item, our_follow_of, we_follow_fedify};
use maillage::db;
use reqwest::StatusCode;
use serde_json::json;

// ---------------------------------------------------------------------------------------------
// 1. Fedify follows our centre; our Accept arrives at Fedify and verifies.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_follows_our_centre_and_verifies_our_accept() {
    let Some(peer) = Peer::start("fedify_follows_our_centre_and_verifies_our_accept").await else {
        return;
    };
    let us = centre().await;
    let follow_id = fedify_follows(&peer, &us).await;

    // Our side: Fedify's actor is an accepted follower.
    let (status, followers) = us.get("/api/v1/followers").await;
    assert_eq!(status, StatusCode::OK);
    let items = followers["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{followers}");
    assert_eq!(items[0]["actor"], peer.actor.as_str());
    assert_eq!(items[0]["state"], "accepted");
    assert!(db::inbox::seen(us.ctx.db.read(), &follow_id).await.unwrap());

    // Fedify's side: the Accept reached its inbox listener, so its signature verified.
    let accept = peer.received("our Accept", |a| a["type"] == "Accept").await;
    assert_eq!(accept["actor"], us.actor_id().as_str());
    assert_eq!(accept["object_id"], follow_id.as_str());
    assert_eq!(accept["signature"], "draft-cavage");
    assert_eq!(
        accept["key_id"],
        format!("{}#main-key", us.actor_id()).as_str()
    );
    assert_eq!(accept["raw"]["object"]["id"], follow_id.as_str());
    peer.assert_clean().await;
}

// ---------------------------------------------------------------------------------------------
// 3. We follow Fedify by URL; its notes, their edits and deletions reach our feed.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn we_follow_fedify_and_its_note_edit_and_delete_reach_our_feed() {
    let Some(peer) =
        Peer::start("we_follow_fedify_and_its_note_edit_and_delete_reach_our_feed").await
    else {
        return;
    };
    let us = centre().await;
    we_follow_fedify(&peer, &us).await;
    assert_eq!(
        peer.get("/control/followers").await,
        json!([us.actor_id()]),
        "Fedify lists us as its follower"
    );
    // Fedify's Accept got a 2xx from our inbox (after any double-knock).
    let accepts = peer.attempts(|r| r["activity_type"] == "Accept").await;
    assert!(
        accepts.last().is_some_and(|r| r["status"] == 202),
        "{accepts:#?}"
    );

    let published = peer
        .post(
            "/control/publish",
            json!({"content": "<p>Bonjour Maillage</p>"}),
        )
        .await;
    let note_id = published["id"].as_str().unwrap().to_string();
    let item = eventually("Fedify's Note in our feed", || async {
        feed_item(&us, &note_id).await
    })
    .await;
    assert_eq!(item["actor"], peer.actor.as_str());
    assert_eq!(item["local"], false);
    assert!(
        item["content"]
            .as_str()
            .unwrap()
            .contains("Bonjour Maillage"),
        "{item}"
    );
    assert!(
        db::inbox::seen(us.ctx.db.read(), published["activity"].as_str().unwrap())
            .await
            .unwrap()
    );

    peer.post(
        "/control/update",
        json!({"id": note_id, "content": "<p>Bonjour Maillage, corrigé</p>"}),
    )
    .await;
    let item = eventually("the edit in our feed", || async {
        feed_item(&us, &note_id)
            .await
            .filter(|p| p["content"].as_str().unwrap_or("").contains("corrigé"))
    })
    .await;
    assert!(!item["updated"].is_null(), "{item}");

    peer.post("/control/delete", json!({"id": note_id})).await;
    eventually("the deletion in our feed", || async {
        feed_item(&us, &note_id).await.is_none().then_some(())
    })
    .await;

    // We unfollow: Fedify receives and verifies our Undo{Follow}, and drops us.
    let follow = our_follow_of(&us, &peer.actor).await.unwrap();
    let (status, _) = us
        .delete(&format!(
            "/api/v1/follows/{}",
            follow["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    us.deliver_pending().await;
    let undo = peer.received("our Undo", |a| a["type"] == "Undo").await;
    assert_eq!(undo["actor"], us.actor_id().as_str());
    assert_eq!(undo["signature"], "draft-cavage");
    eventually("Fedify dropping us from its followers", || async {
        (peer.get("/control/followers").await == json!([])).then_some(())
    })
    .await;

    // No delivery from Fedify to us got a 5xx.
    let posts = peer
        .attempts(|r| r["method"] == "POST" && r["url"].as_str().unwrap().starts_with(&us.base))
        .await;
    for r in posts {
        assert!(r["status"].as_u64().is_some_and(|s| s < 500), "{r}");
    }
    peer.assert_clean().await;
}

// ---------------------------------------------------------------------------------------------
// 3b. Backfill: notes Fedify published before we followed come from its outbox.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_reads_fedify_outbox() {
    let Some(peer) = Peer::start("backfill_reads_fedify_outbox").await else {
        return;
    };
    let us = centre().await;
    let earlier = peer
        .post(
            "/control/publish",
            json!({"content": "<p>Avant le suivi</p>"}),
        )
        .await;
    let note_id = earlier["id"].as_str().unwrap().to_string();
    we_follow_fedify(&peer, &us).await;
    let item = eventually(
        "the earlier note, backfilled from Fedify's outbox",
        || async { feed_item(&us, &note_id).await },
    )
    .await;
    assert!(item["content"].as_str().unwrap().contains("Avant le suivi"));
    peer.assert_clean().await;
}

/// Like GoToSocial, or Mastodon in secure mode, the peer refuses unsigned GETs: we can still
/// follow it and read its outbox, because every fetch of ours is signed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fedify_peer_that_requires_signed_fetches_can_be_followed_and_backfilled() {
    let Some(peer) = Peer::start_with(
        "a_fedify_peer_that_requires_signed_fetches_can_be_followed_and_backfilled",
        true,
    )
    .await
    else {
        return;
    };
    let unsigned = peer
        .http
        .get(&peer.actor)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        unsigned.status(),
        StatusCode::UNAUTHORIZED,
        "the peer refuses unsigned GETs"
    );
    let us = centre().await;
    let earlier = peer
        .post(
            "/control/publish",
            json!({"content": "<p>Réservé aux requêtes signées</p>"}),
        )
        .await;
    let note_id = earlier["id"].as_str().unwrap().to_string();
    we_follow_fedify(&peer, &us).await;
    let item = eventually("the note, backfilled through signed GETs", || async {
        feed_item(&us, &note_id).await
    })
    .await;
    assert!(item["content"].as_str().unwrap().contains("signées"));
    peer.assert_clean().await;
}
