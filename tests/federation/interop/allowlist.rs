//! Allowlist mode against the Fedify peer: while its domain is not listed, its Follow and its
//! Create are refused with 403 and nothing is stored; once listed, its Follow is accepted.

use super::{Peer, eventually};
use crate::harness::{Backend, Options, TestInstance};
use maillage::db;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fedify_peer_off_the_allowlist_is_refused_then_accepted_once_listed() {
    let Some(peer) =
        Peer::start("a_fedify_peer_off_the_allowlist_is_refused_then_accepted_once_listed").await
    else {
        return;
    };
    let us = TestInstance::spawn_with(
        Backend::Sqlite,
        Options {
            env: vec![("MAILLAGE_FEDERATION_MODE", "allowlist".into())],
            ..Options::named("centre")
        },
    )
    .await;
    let inbox = format!("{}/inbox", us.base);
    let follow = |n: &str| {
        json!({"@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/activities/follow-{n}", peer.base), "type": "Follow",
            "actor": peer.actor, "object": us.actor_id()})
    };
    let refused = peer
        .post(
            "/control/send-raw",
            json!({"inbox": inbox, "body": follow("1")}),
        )
        .await;
    assert_eq!(refused["status"], 403, "{refused}");
    let create = peer
        .post(
            "/control/send-raw",
            json!({"inbox": inbox, "content": "<p>hors liste</p>"}),
        )
        .await;
    assert_eq!(create["status"], 403, "{create}");
    for id in [&refused["activity_id"], &create["activity_id"]] {
        assert!(
            !db::inbox::seen(us.ctx.db.read(), id.as_str().unwrap())
                .await
                .unwrap()
        );
    }
    let (_, followers) = us.get("/api/v1/followers").await;
    assert_eq!(followers["items"], json!([]));

    let domain = url::Url::parse(&peer.actor).unwrap();
    let domain = format!("{}:{}", domain.host_str().unwrap(), domain.port().unwrap());
    let (status, allowed) = us
        .post("/api/v1/domain_allows", json!({"domain": domain}))
        .await;
    assert!(status.is_success(), "{allowed}");
    let accepted = peer
        .post(
            "/control/send-raw",
            json!({"inbox": inbox, "body": follow("2")}),
        )
        .await;
    assert_eq!(accepted["status"], 202, "{accepted}");
    eventually("the Fedify follower listed", || async {
        let (_, f) = us.get("/api/v1/followers").await;
        (f["items"][0]["actor"] == peer.actor.as_str()).then_some(())
    })
    .await;
}
