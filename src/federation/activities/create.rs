//! `Create` of a post by a centre we follow.

use super::actor_row;
use crate::{
    context::AppContext,
    db,
    error::AppError,
    federation::protocol::{activity::ActivityJson, object::ObjectJson},
};
use activitypub_federation::config::Data;

pub async fn receive(a: ActivityJson, data: &Data<AppContext>) -> Result<(), AppError> {
    let object: ObjectJson = serde_json::from_value(a.object.clone())
        .map_err(|e| AppError::Invalid(format!("Create: object: {e}")))?;
    if !crate::federation::protocol::object::is_content_type(&object.kind) {
        tracing::debug!(kind = %object.kind, "Create of an object type we do not store");
        return Ok(());
    }
    let actor = actor_row(&a, data).await?;
    let followed = db::follows::find_by_target(data.db.read(), actor.id)
        .await?
        .is_some_and(|f| f.state == "accepted");
    if !followed {
        tracing::debug!("Create from an actor we do not follow, ignored");
        return Ok(());
    }
    crate::actions::remote_posts::store(data, &actor, &object).await
}
