//! `Join` of one of our events (Mobilizon's RSVP) and `Leave` (or `Undo{Join}`) of it. The
//! decision and the answer (`Accept` or `Reject` of the Join) are in
//! [`crate::actions::participants`]. A Join of anything that is not one of our live events is
//! refused with 400 and nothing is stored.

use super::actor_row;
use crate::{
    actions::participants,
    context::AppContext,
    db,
    error::{AppError, invalid},
    protocol::{activity::ActivityJson, helpers::id_of},
};
use activitypub_federation::config::Data;

/// Checks the shape before anything is read or written.
pub fn verify(a: &ActivityJson) -> Result<(), AppError> {
    id_of(&a.object)
        .map(|_| ())
        .ok_or_else(|| invalid(format!("{}: object names no event", a.kind)))
}

pub async fn receive(a: ActivityJson, data: &Data<AppContext>) -> Result<(), AppError> {
    let event = id_of(&a.object).ok_or_else(|| invalid("Join: object names no event"))?;
    let post = participants::our_event(data, &event).await?;
    let actor = actor_row(&a.actor, data).await?;
    // Mobilizon puts the message on the Join; accept it on an embedded object too.
    let message = a.participation_message.clone().or_else(|| {
        a.object
            .get("participationMessage")
            .and_then(|m| m.as_str())
            .map(str::to_string)
    });
    participants::join(data, &actor, &post, &a.id, message.as_deref()).await?;
    Ok(())
}

/// `Leave` of one of our events: frees the actor's seat. Leaving what one never joined
/// changes nothing.
pub async fn leave(a: ActivityJson, data: &Data<AppContext>) -> Result<(), AppError> {
    let event = id_of(&a.object);
    let actor = actor_row(&a.actor, data).await?;
    participants::leave(data, &actor, event.as_ref(), None).await?;
    Ok(())
}

/// `Undo` of a `Join` (the object is the Join, or its id). Returns whether it was one.
pub async fn undo(a: &ActivityJson, data: &Data<AppContext>) -> Result<bool, AppError> {
    let undone_type = a.object.get("type").and_then(|t| t.as_str());
    if undone_type.is_some_and(|t| t != "Join") {
        return Ok(false);
    }
    let Some(join_id) = id_of(&a.object) else {
        return Ok(false);
    };
    let event = a.object.get("object").and_then(id_of);
    let Some(actor) = db::actors::find_by_ap_id(data.db.read(), a.actor.as_str()).await? else {
        return Ok(false);
    };
    let removed = participants::leave(data, &actor, event.as_ref(), Some(join_id.as_str())).await?;
    Ok(removed || undone_type == Some("Join"))
}
