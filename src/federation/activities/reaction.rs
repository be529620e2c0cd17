//! `Like` and `Announce` (a boost) of one of our posts, and their `Undo`. A followed centre's
//! boost of another post comes into the network feed ([`crate::actions::boosts`]); any other
//! reaction to something that is not a live public post of ours is accepted and ignored, as
//! Mastodon does.

use super::actor_row;
use crate::{
    context::AppContext,
    db,
    error::AppError,
    protocol::{activity::ActivityJson, helpers::id_of},
};
use activitypub_federation::config::Data;

/// `like` or `boost`, for an activity type.
pub fn kind_of(activity_type: &str) -> Option<&'static str> {
    match activity_type {
        "Like" => Some("like"),
        "Announce" => Some("boost"),
        _ => None,
    }
}

/// Our live public post that `object` (an id, or an object with one) names.
async fn our_post(
    object: &serde_json::Value,
    data: &Data<AppContext>,
) -> Result<Option<db::posts::PostRow>, AppError> {
    let Some(id) = id_of(object) else {
        return Err(AppError::Invalid("object has no id".into()));
    };
    if crate::federation::objects::actor::authority(&id) != data.config.domain {
        return Ok(None);
    }
    Ok(db::posts::find_by_ap_id(data.db.read(), id.as_str())
        .await?
        .filter(|p| p.local && p.deleted_at.is_none() && p.visibility == "public"))
}

pub async fn receive(a: ActivityJson, data: &Data<AppContext>) -> Result<(), AppError> {
    let Some(kind) = kind_of(&a.kind) else {
        return Ok(());
    };
    let Some(post) = our_post(&a.object, data).await? else {
        if kind == "boost" {
            let actor = actor_row(&a.actor, data).await?;
            if crate::actions::follows::is_following(data, actor.id).await?
                && let Some(object) = id_of(&a.object)
            {
                return crate::actions::boosts::received(data, &actor, &a.id, &object).await;
            }
        }
        tracing::debug!(kind, "reaction to something that is not ours: ignored");
        return Ok(());
    };
    let actor = actor_row(&a.actor, data).await?;
    let now = data.now().timestamp_millis();
    db::reactions::insert(data.db.write(), post.id, actor.id, kind, a.id.as_str(), now).await?;
    Ok(())
}

/// `Undo` of a `Like` or an `Announce` (the object is the undone activity, or its id).
/// Returns whether the undone activity was one.
pub async fn undo(a: &ActivityJson, data: &Data<AppContext>) -> Result<bool, AppError> {
    let undone_type = a.object.get("type").and_then(|t| t.as_str()).unwrap_or("");
    let undone_id = id_of(&a.object);
    let Some(actor) = db::actors::find_by_ap_id(data.db.read(), a.actor.as_str()).await? else {
        return Ok(false);
    };
    let post = a.object.get("object").and_then(id_of);
    let mut removed = 0;
    if let Some(id) = &undone_id
        && undone_type != "Like"
    {
        let now = data.now().timestamp_millis();
        removed += db::boosts::undo(data.db.write(), actor.id, id.as_str(), now).await?;
    }
    for kind in match kind_of(undone_type) {
        Some(k) => vec![k],
        // An undo that names the activity by id only: whichever it was.
        None if undone_type.is_empty() => vec!["like", "boost"],
        None => return Ok(false),
    } {
        removed += db::reactions::remove(
            data.db.write(),
            actor.id,
            kind,
            undone_id.as_ref().map(|u| u.as_str()),
            post.as_ref().map(|u| u.as_str()),
        )
        .await?;
    }
    Ok(removed > 0 || kind_of(undone_type).is_some())
}
