//! Centres that move to another instance. Ours: `maillage alias add HANDLE` lists an actor in
//! our `alsoKnownAs` (the new instance does this for the old one before a move), and
//! `maillage move --to HANDLE` sets our `movedTo` and sends `Move` to our followers, once the
//! target lists us. Theirs: a `Move` from an actor we follow, whose target lists it in
//! `alsoKnownAs` (fetched from the target's own server), moves our follow to the target.

use super::{follows, outbox};
use crate::{
    context::{AppContext, new_public_id},
    db::{self, actors::ActorRow},
    error::{AppError, AppResult, invalid},
    protocol::PUBLIC,
    render,
};
use activitypub_federation::config::Data;
use serde_json::json;
use url::Url;

/// Most aliases we list.
const MAX_ALIASES: usize = 20;

async fn own_row(ctx: &AppContext) -> AppResult<ActorRow> {
    Ok(db::actors::find_by_id(ctx.db.read(), ctx.centre.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the local centre is missing"))?)
}

/// Lists `target` (a handle or an actor URL) in our `alsoKnownAs`, and tells our followers.
/// Returns the alias's actor id.
pub async fn add_alias(data: &Data<AppContext>, target: &str) -> AppResult<String> {
    let alias = follows::resolve(data, target).await?;
    let row = own_row(data).await?;
    let mut aliases = row.aliases();
    let id = alias.ap_id.to_string();
    if id == row.ap_id {
        return Err(invalid("alias: that is this centre itself"));
    }
    if !aliases.contains(&id) {
        if aliases.len() >= MAX_ALIASES {
            return Err(invalid(format!("alias: at most {MAX_ALIASES}")));
        }
        aliases.push(id.clone());
    }
    set_and_announce(data, &aliases, row.moved_to.as_deref()).await?;
    Ok(id)
}

/// Removes an alias (an actor id or handle as listed).
pub async fn remove_alias(data: &Data<AppContext>, target: &str) -> AppResult<()> {
    let row = own_row(data).await?;
    let before = row.aliases();
    let id = match follows::resolve(data, target).await {
        Ok(a) => a.ap_id.to_string(),
        Err(_) => target.to_string(),
    };
    let aliases: Vec<String> = before.iter().filter(|a| **a != id).cloned().collect();
    if aliases.len() == before.len() {
        return Err(AppError::NotFound(format!("alias: {target} is not listed")));
    }
    set_and_announce(data, &aliases, row.moved_to.as_deref()).await
}

async fn set_and_announce(
    ctx: &AppContext,
    aliases: &[String],
    moved_to: Option<&str>,
) -> AppResult<()> {
    let json = serde_json::to_string(aliases).map_err(anyhow::Error::from)?;
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    db::actors::set_moves(tx.exec(), ctx.centre.id, &json, moved_to).await?;
    super::centre::queue_actor_update(ctx, &mut tx, now).await?;
    tx.commit().await?;
    outbox::wake(ctx);
    Ok(())
}

/// Moves this centre to `target`, which must list us in its `alsoKnownAs` (fetched fresh):
/// sets `movedTo` and sends `Move` to our followers. Returns the target's id.
pub async fn move_to(data: &Data<AppContext>, target: &str) -> AppResult<String> {
    let found = follows::resolve(data, target).await?;
    let fresh = activitypub_federation::fetch::object_id::ObjectId::<
        crate::federation::objects::actor::DbActor,
    >::from(found.ap_id.clone())
    .dereference_forced(data)
    .await
    .map_err(|e| AppError::Remote(format!("to: could not fetch {}: {e}", found.ap_id)))?;
    let me = data.urls.actor().to_string();
    if fresh.row.ap_id == me {
        return Err(invalid("to: that is this centre itself"));
    }
    if !fresh.row.aliases().contains(&me) {
        return Err(invalid(format!(
            "to: {} does not list this centre in alsoKnownAs; on the new instance run \
             `maillage alias add {me}` first",
            fresh.row.ap_id
        )));
    }
    let row = own_row(data).await?;
    let now = data.now();
    let target_url = Url::parse(&fresh.row.ap_id).map_err(anyhow::Error::from)?;
    let mut activity = render::activitypub::activity(
        "Move",
        &data.urls.activity(&new_public_id()),
        &data.urls.actor(),
        json!(me),
        &[Url::parse(PUBLIC).map_err(anyhow::Error::from)?],
        &[data.urls.followers()],
        now,
    );
    activity["target"] = json!(target_url);
    let json = serde_json::to_string(&row.aliases()).map_err(anyhow::Error::from)?;
    let mut tx = data.db.begin().await?;
    db::actors::set_moves(tx.exec(), data.centre.id, &json, Some(target_url.as_str())).await?;
    super::centre::queue_actor_update(data, &mut tx, now).await?;
    let inboxes = db::followers::delivery_inboxes(tx.exec()).await?;
    outbox::queue(&mut tx, data, &activity, &inboxes, now.timestamp_millis()).await?;
    tx.commit().await?;
    outbox::wake(data);
    Ok(fresh.row.ap_id)
}

/// A `Move` from `source` (an actor we know) to `target`: checked against the target's own
/// document, then our follow of the source, if any, becomes a follow of the target.
/// Returns whether a follow was moved.
pub async fn received(data: &Data<AppContext>, source: &ActorRow, target: &Url) -> AppResult<bool> {
    if crate::render::links::remote_url(target.as_str(), data.config.dev).is_none() {
        return Err(invalid("Move: target is not an https URL"));
    }
    if target.as_str() == source.ap_id {
        return Err(invalid("Move: the target is the source itself"));
    }
    let fresh = activitypub_federation::fetch::object_id::ObjectId::<
        crate::federation::objects::actor::DbActor,
    >::from(target.clone())
    .dereference_forced(data)
    .await
    .map_err(|e| AppError::Invalid(format!("Move: could not fetch the target {target}: {e}")))?;
    if !fresh.row.aliases().contains(&source.ap_id) {
        return Err(invalid(format!(
            "Move: {target} does not list {} in alsoKnownAs",
            source.ap_id
        )));
    }
    let Some(old) = db::follows::find_by_target(data.db.read(), source.id).await? else {
        return Ok(false);
    };
    follows::follow(data, target.as_str()).await?;
    follows::unfollow(data, &old.public_id).await?;
    tracing::info!(from = %source.ap_id, to = %target, "a followed centre moved: follow moved");
    Ok(true)
}
