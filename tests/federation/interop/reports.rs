//! Our report (`Flag`) of a Fedify post reaches Fedify's inbox and verifies there: signed by
//! our centre (draft-cavage, our key), naming Fedify's actor and its post, with our comment.

use super::{Peer, centre, eventually, feed_item, we_follow_fedify};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_report_of_a_fedify_post_reaches_fedify_and_verifies() {
    let Some(peer) = Peer::start("our_report_of_a_fedify_post_reaches_fedify_and_verifies").await
    else {
        return;
    };
    let us = centre().await;
    we_follow_fedify(&peer, &us).await;
    let published = peer
        .post(
            "/control/publish",
            json!({"content": "<p>Message douteux</p>"}),
        )
        .await;
    let note_id = published["id"].as_str().unwrap().to_string();
    eventually("Fedify's Note in our feed", || async {
        feed_item(&us, &note_id).await
    })
    .await;

    let (status, sent) = us
        .post(
            "/api/v1/reports",
            json!({"object": note_id, "comment": "Contenu trompeur"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
    let report = us.deliver_pending().await;
    assert_eq!(report.delivered, 1, "{report:?}");
    let flag_id = sent["id"].as_str().unwrap().to_string();
    let received = peer
        .received("our Flag", |a| a["id"] == flag_id.as_str())
        .await;
    assert_eq!(received["type"], "Flag");
    assert_eq!(received["actor"], us.actor_id().as_str());
    assert_eq!(received["signature"], "draft-cavage");
    assert_eq!(
        received["key_id"],
        format!("{}#main-key", us.actor_id()).as_str()
    );
    assert_eq!(
        received["object_id"],
        peer.actor.as_str(),
        "the author first"
    );
    assert_eq!(received["raw"]["object"], json!([peer.actor, note_id]));
    assert_eq!(received["raw"]["content"], "Contenu trompeur");
    peer.assert_clean().await;
}
