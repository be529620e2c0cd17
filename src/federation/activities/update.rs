//! `Update` of a post we hold, or of the sending actor's profile (refetched from its origin).

use super::actor_row;
use crate::{
    actions::post_writes::Writes,
    context::AppContext,
    db,
    error::AppError,
    federation::objects::actor::DbActor,
    protocol::{activity::ActivityJson, helpers::id_of, object::ObjectJson},
};
use activitypub_federation::{config::Data, fetch::object_id::ObjectId};

pub async fn receive(a: ActivityJson, data: &Data<AppContext>) -> Result<Writes, AppError> {
    if id_of(&a.object).as_ref() == Some(&a.actor) {
        // The embedded document is only a hint that the profile changed: the profile, its key
        // and its endpoints are taken from the actor's own server, never from the activity.
        if let Err(e) = ObjectId::<DbActor>::from(a.actor.clone())
            .dereference_forced(data)
            .await
        {
            tracing::info!(actor = %a.actor, error = %e, "Update of an actor: refetch failed");
        }
        return Ok(Writes::default());
    }
    let object: ObjectJson = serde_json::from_value(a.object)
        .map_err(|e| AppError::Invalid(format!("Update: object: {e}")))?;
    if !crate::protocol::object::is_content_type(&object.kind) {
        return Ok(Writes::default());
    }
    let actor = actor_row(&a.actor, data).await?;
    if crate::actions::cosign::published(data, &actor, &object).await? {
        return Ok(Writes::default());
    }
    let known = db::posts::find_by_ap_id(data.db.read(), object.id.as_str())
        .await?
        .is_some();
    let followed = crate::actions::follows::is_following(data, actor.id).await?;
    if !known && !followed {
        return Ok(Writes::default());
    }
    Ok(Writes {
        post: crate::actions::remote_posts::to_store(data, &actor, &object)?,
        ..Writes::default()
    })
}
