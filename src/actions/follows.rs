//! Following other centres: resolve a handle or actor URL, record the follow and queue a
//! signed `Follow`; unfollow with `Undo{Follow}`.

use super::outbox;
use crate::{
    context::{AppContext, new_public_id},
    db::{self, follows::FollowRow},
    error::{AppError, AppResult, invalid},
    federation::objects::actor::DbActor,
    render,
};
use activitypub_federation::{
    config::Data, fetch::object_id::ObjectId, fetch::webfinger::webfinger_resolve_actor,
};
use serde_json::json;

/// Resolves `target` (`user@host[:port]`, `@user@host`, or an actor URL) to a stored actor.
pub async fn resolve(data: &Data<AppContext>, target: &str) -> AppResult<DbActor> {
    let target = target.trim();
    if target.is_empty() || target.len() > 2048 {
        return Err(invalid(
            "target: give a handle such as centre@example.org or an actor URL",
        ));
    }
    if target.starts_with("https://") || target.starts_with("http://") {
        let id: ObjectId<DbActor> = ObjectId::parse(target)
            .map_err(|e| invalid(format!("target: not a valid URL: {e}")))?;
        return id.dereference(data).await.map_err(|e| remote(target, e));
    }
    let handle = target.trim_start_matches('@');
    let valid = handle.split_once('@').is_some_and(|(u, h)| {
        !u.is_empty() && !h.is_empty() && !h.contains('@') && !h.contains('/')
    });
    if !valid {
        return Err(invalid(format!(
            "target: {target:?} is neither a handle (centre@example.org) nor an actor URL"
        )));
    }
    webfinger_resolve_actor::<AppContext, DbActor>(handle, data)
        .await
        .map_err(|e| remote(target, e))
}

/// The `host[:port]` a follow target names: a URL's, or a handle's (`@name@host`).
fn named_origin(target: &str) -> Option<String> {
    let target = target.trim();
    if let Ok(url) = url::Url::parse(target)
        && matches!(url.scheme(), "http" | "https")
    {
        return Some(crate::federation::objects::actor::authority(&url));
    }
    let handle = target.strip_prefix('@').unwrap_or(target);
    let (_, host) = handle.split_once('@')?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

async fn refuse_blocked(data: &Data<AppContext>, origin: &str) -> AppResult<()> {
    if crate::actions::moderation::is_blocked(data, origin).await? {
        return Err(invalid(format!("target: {}", data.blocks.refusal(origin))));
    }
    Ok(())
}

fn remote(target: &str, e: AppError) -> AppError {
    match e {
        AppError::Invalid(m) => AppError::Invalid(format!("target: {m}")),
        AppError::Internal(e) => AppError::Internal(e),
        other => AppError::Remote(format!("could not resolve {target}: {other}")),
    }
}

/// Follows `target`. Idempotent: an existing pending or accepted follow is returned as is.
#[tracing::instrument(skip(data), err(level = "debug"))]
pub async fn follow(data: &Data<AppContext>, target: &str) -> AppResult<FollowRow> {
    // Nothing is fetched from a refused domain: check the one the target names first.
    if let Some(origin) = named_origin(target) {
        refuse_blocked(data, &origin).await?;
    }
    let actor = resolve(data, target).await?;
    let origin = crate::federation::objects::actor::authority(&actor.ap_id);
    refuse_blocked(data, &origin).await?;
    if actor.row.local {
        return Err(invalid("target: a centre cannot follow itself"));
    }
    if let Some(existing) = db::follows::find_by_target(data.db.read(), actor.row.id).await? {
        if existing.state != "rejected" {
            return Ok(existing);
        }
        db::follows::delete(data.db.write(), existing.id).await?;
        data.caches.set_follow(actor.row.id, None);
    }
    let public_id = new_public_id();
    let follow_id = data.urls.activity(&public_id);
    let now = data.now();
    let mut tx = data.db.begin().await?;
    db::follows::insert(
        tx.exec(),
        &public_id,
        follow_id.as_str(),
        actor.row.id,
        now.timestamp_millis(),
    )
    .await?;
    let activity = render::activitypub::activity(
        "Follow",
        &follow_id,
        &data.urls.actor(),
        json!(actor.ap_id),
        std::slice::from_ref(&actor.ap_id),
        &[],
        now,
    );
    outbox::queue(
        &mut tx,
        data,
        &activity,
        std::slice::from_ref(&actor.row.inbox),
        now.timestamp_millis(),
    )
    .await?;
    tx.commit().await?;
    outbox::wake(data);
    db::follows::find_by_public_id(data.db.read(), &public_id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("follow vanished after insert")))
}

/// Whether our follow of the actor with row id `actor_id` is accepted (an accepted follow is
/// remembered in memory; any other answer is read again next time).
pub async fn is_following(ctx: &AppContext, actor_id: i64) -> AppResult<bool> {
    if ctx.caches.follow_accepted(actor_id) {
        return Ok(true);
    }
    let state = db::follows::find_by_target(ctx.db.read(), actor_id)
        .await?
        .map(|f| f.state);
    ctx.caches.set_follow(actor_id, state.as_deref());
    Ok(state.as_deref() == Some("accepted"))
}

/// Stops following: removes the follow and sends `Undo{Follow}`.
#[tracing::instrument(skip(ctx), err(level = "debug"))]
pub async fn unfollow(ctx: &AppContext, public_id: &str) -> AppResult<()> {
    let follow = db::follows::find_by_public_id(ctx.db.read(), public_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no follow {public_id}")))?;
    let target = db::actors::find_by_id(ctx.db.read(), follow.target_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no follow {public_id}")))?;
    let now = ctx.now();
    let target_url = url::Url::parse(&target.ap_id).map_err(|e| anyhow::anyhow!(e))?;
    let undo = render::activitypub::activity(
        "Undo",
        &ctx.urls.activity(&new_public_id()),
        &ctx.urls.actor(),
        json!({
            "id": follow.ap_id,
            "type": "Follow",
            "actor": ctx.urls.actor(),
            "object": target.ap_id,
        }),
        std::slice::from_ref(&target_url),
        &[],
        now,
    );
    let mut tx = ctx.db.begin().await?;
    db::follows::delete(tx.exec(), follow.id).await?;
    ctx.caches.set_follow(follow.target_id, None);
    outbox::queue(
        &mut tx,
        ctx,
        &undo,
        std::slice::from_ref(&target.inbox),
        now.timestamp_millis(),
    )
    .await?;
    tx.commit().await?;
    outbox::wake(ctx);
    Ok(())
}

/// The JSON an API client gets for a follow.
pub fn api_json(ctx: &AppContext, f: &FollowRow) -> serde_json::Value {
    json!({
        "id": f.public_id,
        "target": format!("{}@{}", f.target_username, f.target_domain),
        "target_url": f.target_ap_id,
        "actor": ctx.urls.actor(),
        "state": f.state,
        "created_at": render::activitypub::time(f.created_at),
    })
}
