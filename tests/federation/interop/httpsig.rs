//! HTTP signatures from Fedify: RFC 9421 first (with its draft-cavage fallback), and tampered
//! bodies or wrong keys refused whichever scheme signs them.

use super::{Peer, centre, eventually, fedify_follows, feed_item, we_follow_fedify};
use maillage::db;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// 5. Fedify knocks first with RFC 9421 (then falls back to draft-cavage on a 400 or 401).
//    Since the inbox verifies RFC 9421 the first knock is accepted; before, it got 401 (never
//    a 5xx) and the draft-cavage retry was accepted and stored. Both outcomes are checked, as
//    is that Fedify then remembers what worked and knocks once.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_rfc9421_first_knock_is_stored_directly_or_after_draft_cavage_fallback() {
    let Some(peer) =
        Peer::start("fedify_rfc9421_first_knock_is_stored_directly_or_after_draft_cavage_fallback")
            .await
    else {
        return;
    };
    let us = centre().await;
    let follow_id = fedify_follows(&peer, &us).await;

    let posts = peer
        .attempts(|r| r["method"] == "POST" && r["url"].as_str().unwrap().starts_with(&us.base))
        .await;
    // No 5xx, ever.
    assert!(
        posts
            .iter()
            .all(|r| r["status"].as_u64().is_some_and(|s| s < 500)),
        "{posts:#?}"
    );
    let attempts: Vec<&Value> = posts
        .iter()
        .filter(|r| r["activity_id"] == follow_id.as_str())
        .collect();
    assert_eq!(attempts[0]["spec"], "rfc9421", "{posts:#?}");
    match attempts[0]["status"].as_u64() {
        Some(401) => {
            eprintln!("Fedify's RFC 9421 first knock got 401; its draft-cavage retry follows");
            let refusal: Value =
                serde_json::from_str(attempts[0]["response_body"].as_str().unwrap()).unwrap();
            assert!(
                refusal["error"].as_str().is_some_and(|e| !e.is_empty()),
                "{refusal}"
            );
            assert_eq!(attempts.len(), 2, "{posts:#?}");
            assert_eq!(attempts[1]["url"], attempts[0]["url"]);
            assert_eq!(attempts[1]["spec"], "draft-cavage", "{posts:#?}");
            assert_eq!(attempts[1]["status"], 202, "{posts:#?}");
        }
        Some(202) => {
            eprintln!("Fedify's RFC 9421 first knock was accepted");
            assert_eq!(attempts.len(), 1, "{posts:#?}");
        }
        other => panic!("the RFC 9421 knock got {other:?}: 401 or 202 expected\n{posts:#?}"),
    }
    let worked = attempts.last().unwrap()["spec"].clone();
    // Stored: the Follow is recorded and Fedify is an accepted follower.
    assert!(db::inbox::seen(us.ctx.db.read(), &follow_id).await.unwrap());
    let (_, followers) = us.get("/api/v1/followers?state=accepted").await;
    assert_eq!(followers["items"][0]["actor"], peer.actor.as_str());

    // Fedify remembers what our origin takes: its next POST knocks once.
    let again = peer
        .post("/control/follow", json!({ "actor_url": us.actor_id() }))
        .await;
    let attempts = peer.attempts(|r| r["activity_id"] == again["id"]).await;
    assert_eq!(attempts.len(), 1, "{attempts:#?}");
    assert_eq!(attempts[0]["spec"], worked);
    assert_eq!(attempts[0]["status"], 202);
    peer.assert_clean().await;
}

// ---------------------------------------------------------------------------------------------
// 6. A tampered body and a wrong key are refused with 401, and nothing is stored, whichever
//    signature scheme Fedify signs with.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_body_and_wrong_key_from_fedify_are_refused() {
    let Some(peer) = Peer::start("tampered_body_and_wrong_key_from_fedify_are_refused").await
    else {
        return;
    };
    let us = centre().await;
    // We follow Fedify, so a genuine Create from it would be stored.
    we_follow_fedify(&peer, &us).await;

    for inbox in [
        format!("{}/inbox", us.base),
        format!("{}/inbox", us.actor_id()),
    ] {
        for spec in ["draft-cavage", "rfc9421"] {
            for tamper in ["body", "key"] {
                let sent = peer
                    .post(
                        "/control/send-raw",
                        json!({"inbox": inbox, "tamper": tamper, "spec": spec,
                               "content": format!("<p>{tamper} {spec} via {inbox}</p>")}),
                    )
                    .await;
                assert_eq!(
                    sent["status"], 401,
                    "{spec} signature, tampered {tamper}, at {inbox}: {sent}"
                );
                let activity = sent["activity_id"].as_str().unwrap();
                let object = sent["object_id"].as_str().unwrap();
                assert!(
                    !db::inbox::seen(us.ctx.db.read(), activity).await.unwrap(),
                    "{activity} was recorded"
                );
                assert!(
                    feed_item(&us, object).await.is_none(),
                    "{object} was stored"
                );
            }
        }
        // The same request untampered, draft-cavage, is accepted and stored: the refusals
        // above are the signature's doing.
        let sent = peer
            .post(
                "/control/send-raw",
                json!({"inbox": inbox, "tamper": "none", "content": "<p>genuine</p>"}),
            )
            .await;
        assert_eq!(sent["status"], 202, "{sent}");
        let object = sent["object_id"].as_str().unwrap().to_string();
        eventually("the genuine note in our feed", || async {
            feed_item(&us, &object).await
        })
        .await;
        // Untampered RFC 9421: 401 while we verify only draft-cavage, then 202 and stored.
        let sent = peer
            .post(
                "/control/send-raw",
                json!({"inbox": inbox, "tamper": "none", "spec": "rfc9421",
                       "content": "<p>genuine 9421</p>"}),
            )
            .await;
        let object = sent["object_id"].as_str().unwrap().to_string();
        match sent["status"].as_u64() {
            Some(202) => {
                eventually("the genuine RFC 9421 note in our feed", || async {
                    feed_item(&us, &object).await
                })
                .await;
            }
            Some(401) => assert!(feed_item(&us, &object).await.is_none()),
            other => panic!("untampered RFC 9421 POST got {other:?}: {sent}"),
        }
    }
    peer.assert_clean().await;
}
