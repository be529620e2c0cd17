//! Rotating our own keys: `maillage keys rotate` explains and does nothing without `--force`;
//! a rotation stores the new key and sends an `Update` of the centre, after which a follower
//! holds the new key and accepts what the restarted instance signs with it. A rotated Ed25519
//! key gets a new id and the old one stays listed, so earlier co-signatures stay provable.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::json;
use std::process::Command;

both_backends!(a_rotated_key_reaches_followers_and_the_restarted_instance_is_accepted);

#[test]
fn the_command_explains_and_does_nothing_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_maillage"))
            .args(args)
            .current_dir(dir.path())
            .env("MAILLAGE_DOMAIN", "localhost:8999")
            .output()
            .unwrap()
    };
    assert!(run(&["migrate"]).status.success());
    for args in [&["keys", "rotate"][..], &["keys", "rotate", "--assertion"]] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains("--force"), "{stderr}");
        assert!(stderr.contains("Update"), "{stderr}");
    }
    let out = run(&["keys", "rotate", "--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("new HTTP signature key"), "{stdout}");
    assert!(stdout.contains("restart every node"), "{stdout}");
    let out = run(&["keys", "rotate", "--assertion", "--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("#ed25519-key-"), "{stdout}");
}

async fn a_rotated_key_reaches_followers_and_the_restarted_instance_is_accepted(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    b.follow_and_wait(&a).await;
    let old = a.ctx.centre.public_key_pem.clone();
    let (_, before) = a.get_ap(&a.actor_id()).await;
    let old_assertion = before["assertionMethod"].clone();
    assert_eq!(old_assertion.as_array().unwrap().len(), 1);

    let new = maillage::actions::keys::rotate_http(&a.ctx).await.unwrap();
    assert_ne!(new, old);
    let id = maillage::actions::keys::rotate_assertion(&a.ctx)
        .await
        .unwrap();
    let (_, actor) = a.get_ap(&a.actor_id()).await;
    assert_eq!(actor["publicKey"]["publicKeyPem"], new.as_str());
    assert_eq!(
        actor["publicKey"]["id"], before["publicKey"]["id"],
        "same key id"
    );
    let keys = actor["assertionMethod"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "{actor}");
    assert_eq!(
        keys[0], old_assertion[0],
        "the old Ed25519 key stays listed"
    );
    assert_eq!(keys[1]["id"], id.as_str());

    // Restarted, the instance signs with the new key; its Updates told the follower.
    let (storage, options, port) = a.stop().await;
    let a = TestInstance::start(storage, options, Some(port)).await;
    assert_eq!(a.ctx.centre.public_key_pem, new);
    assert_eq!(a.ctx.centre.assertion_key_id, id);
    // The follower fetched our actor a moment ago, so it does not refetch it at once: it
    // refuses the new signature (401), and we retry later, as Mastodon does.
    let sent = a.deliver_pending().await;
    assert_eq!((sent.retried, sent.failed), (2, 0), "{sent:?}");
    // A while later (the follower's copy of our actor is old), the retry goes through.
    crate::harness_db::execute(
        &b.ctx.db,
        "UPDATE actors SET fetched_at = 0 WHERE ap_id = $1 AND local = $2",
        &[&a.actor_id()],
        false,
    )
    .await;
    b.ctx.caches.forget_actor(&a.actor_id());
    let sent = a
        .deliver_at(chrono::Utc::now() + chrono::Duration::minutes(2))
        .await;
    assert_eq!(sent.delivered, 2, "the two Updates of the centre: {sent:?}");
    let row = maillage::db::actors::find_by_ap_id(b.ctx.db.read(), &a.actor_id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.public_key_pem, new, "the follower holds the new key");
    let (status, post) = a
        .post(
            "/api/v1/posts",
            json!({"content": "Signé avec la nouvelle clé"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let sent = a.deliver_pending().await;
    assert_eq!((sent.delivered, sent.failed), (1, 0), "{sent:?}");
    assert!(b.feed().await.iter().any(|p| p["id"] == post["url"]));
}
