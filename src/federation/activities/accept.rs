//! `Accept` and `Reject` of a Follow we sent, of an invitation to co-sign a statement, or of a
//! Join we sent to another server's event.

use super::actor_row;
use crate::{
    context::AppContext,
    db,
    error::AppError,
    protocol::{activity::ActivityJson, helpers::id_of},
};
use activitypub_federation::config::Data;

pub async fn receive(
    a: ActivityJson,
    data: &Data<AppContext>,
    state: &str,
) -> Result<(), AppError> {
    let actor = actor_row(&a.actor, data).await?;
    // What we answered is one of our own activities (kept for good): an Invite is an
    // invitation to co-sign one of our statements; any other kind than Follow (or an embedded
    // object that is not a Follow) concerns no follow, so never fall back to our follow of the
    // sender.
    if let Some(id) = id_of(&a.object) {
        let ours = db::deliveries::find_activity_by_ap_id(data.db.read(), id.as_str()).await?;
        let kind = ours.as_ref().map(|o| o.kind.as_str());
        if kind == Some("Invite") {
            return if state == "accepted" {
                let result = id_of(&a.result);
                crate::actions::statement_signatures::accepted(data, &actor, &id, result).await
            } else {
                crate::actions::statement_signatures::declined(data, &actor, &id)
                    .await
                    .map(|_| ())
            };
        }
        let embedded_kind = a.object.get("type").and_then(serde_json::Value::as_str);
        // An answer to a Join we sent to an event elsewhere.
        if kind == Some("Join") {
            return crate::actions::participations::answered(data, &actor, &id, state).await;
        }
        if kind.is_some_and(|k| k != "Follow") || embedded_kind.is_some_and(|k| k != "Follow") {
            tracing::debug!(object = %id, "{} of an activity that is not a Follow, ignored", a.kind);
            return Ok(());
        }
    }
    let by_id = match id_of(&a.object) {
        Some(id) => db::follows::find_by_ap_id(data.db.read(), id.as_str()).await?,
        None => None,
    };
    // Some servers answer with an object id of their own: fall back to our follow of them.
    let follow = match by_id {
        Some(f) => Some(f),
        None => db::follows::find_by_target(data.db.read(), actor.id).await?,
    };
    let Some(follow) = follow else {
        tracing::debug!("{} of no follow of ours, ignored", a.kind);
        return Ok(());
    };
    if follow.target_id != actor.id {
        return Err(AppError::Forbidden(format!(
            "{} of a follow addressed to another actor",
            a.kind
        )));
    }
    db::follows::set_state(
        data.db.write(),
        follow.id,
        state,
        data.now().timestamp_millis(),
    )
    .await?;
    data.caches.set_follow(follow.target_id, Some(state));
    if state == "accepted" && follow.state != "accepted" {
        crate::actions::backfill::after_accept(data, &actor).await;
    }
    Ok(())
}
