//! Rotating the centre's own keys (`maillage keys rotate`): the RSA key of HTTP signatures, or
//! the Ed25519 key of co-signature proofs. Each rotation is stored with an `Update` of the
//! actor queued for every follower server, in one transaction.
//!
//! What peers see: an HTTP key is replaced under the same key id; a peer that still holds the
//! old key refetches our actor when a signature fails (Mastodon, Fedify and Maillage do) and
//! then accepts us. An Ed25519 key gets a new id and the old public key stays listed in
//! `assertionMethod`, so that the co-signatures it made stay provable on our server.

use crate::{context::AppContext, db, error::AppResult, protocol::actor::AssertionKey};
use anyhow::Context;

/// What `maillage keys rotate` prints before it is confirmed with `--force`.
pub const HTTP_WARNING: &str = "Rotating the centre's HTTP signature key replaces it under \
the same key id and sends an Update of the centre to every follower server. Servers that \
still hold the old key refetch the centre when a signature fails, then accept it. Every \
running node keeps signing with the old key until it restarts: restart them all right \
after (deliveries refused meanwhile are retried). Run it again with --force to rotate.";

pub const ASSERTION_WARNING: &str = "Rotating the centre's Ed25519 key gives new \
co-signatures a new key id; the old public key stays listed so that the co-signatures it \
made can still be checked on this server. An Update of the centre goes to every follower \
server. Restart every running node right after. Run it again with --force to rotate.";

/// Replaces the HTTP signature key pair. Returns the new public key (PEM).
pub async fn rotate_http(ctx: &AppContext) -> AppResult<String> {
    let (private_key, public_key) =
        tokio::task::spawn_blocking(crate::integrity::keys::PrivateKey::generate)
            .await
            .context("generating a key pair")?
            .context("generating a key pair")?;
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    db::actors::set_local_http_key(tx.exec(), ctx.centre.id, &public_key, &private_key).await?;
    super::centre::queue_actor_update(ctx, &mut tx, now).await?;
    tx.commit().await?;
    super::outbox::wake(ctx);
    Ok(public_key)
}

/// Replaces the Ed25519 key; the old public keys stay listed. Returns the new key's id.
pub async fn rotate_assertion(ctx: &AppContext) -> AppResult<String> {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    let row = db::actors::find_by_id(ctx.db.read(), ctx.centre.id)
        .await?
        .context("the local centre is missing")?;
    let mut keys: Vec<AssertionKey> = serde_json::from_str(&row.assertion_keys).unwrap_or_default();
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let pem = key
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("encoding the Ed25519 key: {e}"))?;
    let now = ctx.now();
    let mut id = ctx.urls.actor();
    id.set_fragment(Some(&format!("ed25519-key-{}", now.timestamp_millis())));
    keys.push(AssertionKey {
        id: id.to_string(),
        multibase: crate::integrity::multikey::encode(&key.verifying_key()),
    });
    let keys = serde_json::to_string(&keys).context("listing the keys")?;
    let mut tx = ctx.db.begin().await?;
    db::actors::replace_local_assertion_key(tx.exec(), ctx.centre.id, &pem, &keys).await?;
    super::centre::queue_actor_update(ctx, &mut tx, now).await?;
    tx.commit().await?;
    super::outbox::wake(ctx);
    Ok(id.to_string())
}
