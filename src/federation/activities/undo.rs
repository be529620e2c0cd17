//! `Undo` of a Follow of our centre, of a Like or a boost of one of our posts, or of a Join
//! of one of our events. Other undone activities are ignored.

use crate::{
    context::AppContext,
    db,
    error::AppError,
    protocol::{activity::ActivityJson, helpers::id_of},
};
use activitypub_federation::config::Data;

pub async fn receive(a: ActivityJson, data: &Data<AppContext>) -> Result<(), AppError> {
    if super::reaction::undo(&a, data).await? || super::join::undo(&a, data).await? {
        return Ok(());
    }
    let Some(actor) = db::actors::find_by_ap_id(data.db.read(), a.actor.as_str()).await? else {
        return Ok(());
    };
    let Some(follower) = db::followers::find_by_actor(data.db.read(), actor.id).await? else {
        return Ok(());
    };
    let object_type = a.object.get("type").and_then(|t| t.as_str());
    let object_id = id_of(&a.object);
    let undoes_follow = object_type == Some("Follow")
        || object_id.as_ref().map(|u| u.as_str()) == Some(follower.follow_ap_id.as_str());
    if undoes_follow {
        db::followers::remove_actor(data.db.write(), actor.id).await?;
    }
    Ok(())
}
