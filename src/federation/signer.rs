//! Who signed a request. The key id of a checked signature ([`httpsig::inbound::Prepared`])
//! must be the actor's own key (its stored `publicKey.id`, or `actor#…` for actors stored
//! before key ids were kept), and the actor's key must verify it. When that fails with a key
//! fetched more than [`REFETCH_AFTER_MS`] ago, the actor is fetched again from its own server
//! once, so that a peer's key rotation is followed; keys never come from anywhere else.

use crate::{
    context::AppContext,
    db,
    error::AppError,
    federation::{
        httpsig::{SigError, inbound::Prepared},
        objects::actor::DbActor,
    },
    memory::Caches,
};
use activitypub_federation::{config::Data, fetch::object_id::ObjectId};
use url::Url;

/// A stored key older than this may be refetched when a signature fails with it.
pub const REFETCH_AFTER_MS: i64 = 60_000;

fn refused(e: impl std::fmt::Display) -> AppError {
    AppError::Unauthorized(format!("HTTP signature: {e}"))
}

/// Whether `key_id` names the key of `actor`.
fn owns_key(actor: &DbActor, key_id: &str) -> bool {
    match actor.row.key_id.as_deref() {
        Some(k) => k == key_id,
        None => Url::parse(key_id).is_ok_and(|mut u| {
            u.set_fragment(None);
            u == actor.ap_id
        }),
    }
}

fn check(caches: &Caches, actor: &DbActor, sig: &Prepared) -> Result<(), SigError> {
    if !owns_key(actor, sig.key_id()) {
        return Err(SigError::Unsupported(format!(
            "key {} is not the key of {}",
            sig.key_id(),
            actor.ap_id
        )));
    }
    let key = caches.public_key(sig.key_id(), &actor.row.public_key_pem)?;
    sig.verify(&key)
}

/// Verifies that `actor_id` signed the request, and returns the actor.
pub async fn verify_actor(
    data: &Data<AppContext>,
    actor_id: &Url,
    sig: &Prepared,
) -> Result<DbActor, AppError> {
    let id = ObjectId::<DbActor>::from(actor_id.clone());
    let actor = id
        .dereference(data)
        .await
        .map_err(|e| refused(format!("cannot fetch the actor's key: {e}")))?;
    let first = match check(&data.caches, &actor, sig) {
        Ok(()) => return Ok(actor),
        Err(e) => e,
    };
    let age = data.now().timestamp_millis() - actor.row.fetched_at;
    if actor.row.local || age < REFETCH_AFTER_MS {
        return Err(refused(first));
    }
    let actor = id
        .dereference_forced(data)
        .await
        .map_err(|e| refused(format!("{first}, and refetching the actor failed: {e}")))?;
    check(&data.caches, &actor, sig).map_err(refused)?;
    tracing::info!(actor = %actor.ap_id, "the actor's key changed: refetched");
    Ok(actor)
}

/// Verifies a signature whose signer is known only by its key id (signed GETs): the actor that
/// owns this key id, or the key id without its fragment.
pub async fn verify_key_owner(
    data: &Data<AppContext>,
    sig: &Prepared,
) -> Result<DbActor, AppError> {
    let actor_id = match db::actors::find_by_key_id(data.db.read(), sig.key_id()).await? {
        Some(row) => Url::parse(&row.ap_id).map_err(|e| anyhow::anyhow!("stored actor id: {e}"))?,
        None => {
            let mut u = Url::parse(sig.key_id()).map_err(|_| refused("keyId is not a URL"))?;
            u.set_fragment(None);
            u
        }
    };
    verify_actor(data, &actor_id, sig).await
}
