//! Followers of the centre: recording a Follow, approving or rejecting held requests.

use super::outbox;
use crate::{
    context::{AppContext, new_public_id},
    db::{self, actors::ActorRow, followers::FollowerRow},
    error::{AppError, AppResult},
    render,
};
use serde_json::json;

/// Records a Follow from `actor` in `state` (`accepted` or `pending`); an accepted one gets
/// its `Accept` queued in the same transaction.
pub async fn record_follow(
    ctx: &AppContext,
    actor: &ActorRow,
    follow_ap_id: &str,
    state: &str,
) -> AppResult<()> {
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let follower = db::followers::upsert(
        tx.exec(),
        &new_public_id(),
        actor.id,
        follow_ap_id,
        state,
        now.timestamp_millis(),
    )
    .await?;
    if follower.state == "accepted" {
        answer(ctx, &mut tx, "Accept", &follower, now).await?;
    }
    tx.commit().await?;
    outbox::wake(ctx);
    Ok(())
}

async fn find(ctx: &AppContext, public_id: &str) -> AppResult<FollowerRow> {
    db::followers::find_by_public_id(ctx.db.read(), public_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no follower {public_id}")))
}

/// Approves a held follow request.
pub async fn approve(ctx: &AppContext, public_id: &str) -> AppResult<FollowerRow> {
    let follower = find(ctx, public_id).await?;
    if follower.state == "accepted" {
        return Ok(follower);
    }
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    db::followers::set_state(tx.exec(), follower.id, "accepted", now.timestamp_millis()).await?;
    answer(ctx, &mut tx, "Accept", &follower, now).await?;
    tx.commit().await?;
    outbox::wake(ctx);
    Ok(FollowerRow {
        state: "accepted".into(),
        ..follower
    })
}

/// Rejects a follow request (or removes an existing follower) and tells its server.
pub async fn reject(ctx: &AppContext, public_id: &str) -> AppResult<()> {
    let follower = find(ctx, public_id).await?;
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    db::followers::remove_actor(tx.exec(), follower.actor_id).await?;
    answer(ctx, &mut tx, "Reject", &follower, now).await?;
    tx.commit().await?;
    outbox::wake(ctx);
    Ok(())
}

/// Queues `Accept` or `Reject` of the follower's Follow to its inbox.
async fn answer(
    ctx: &AppContext,
    tx: &mut db::Tx,
    kind: &str,
    follower: &FollowerRow,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let follow = json!({
        "id": follower.follow_ap_id,
        "type": "Follow",
        "actor": follower.actor_ap_id,
        "object": ctx.urls.actor(),
    });
    let to = [url::Url::parse(&follower.actor_ap_id)?];
    let activity = render::activitypub::activity(
        kind,
        &ctx.urls.activity(&new_public_id()),
        &ctx.urls.actor(),
        follow,
        &to,
        &[],
        now,
    );
    outbox::queue(
        tx,
        ctx,
        &activity,
        std::slice::from_ref(&follower.actor_inbox),
        now.timestamp_millis(),
    )
    .await?;
    Ok(())
}

/// The JSON an API client gets for a follower.
pub fn api_json(f: &FollowerRow) -> serde_json::Value {
    json!({
        "id": f.public_id,
        "actor": f.actor_ap_id,
        "handle": format!("{}@{}", f.actor_username, f.actor_domain),
        "state": f.state,
        "created_at": render::activitypub::time(f.created_at),
    })
}
