//! `Delete` of a post (id or Tombstone), of a co-signature of one of our statements, or of the
//! sending actor itself.

use crate::{
    context::AppContext,
    db,
    error::AppError,
    protocol::{activity::ActivityJson, helpers::id_of},
};
use activitypub_federation::config::Data;

pub async fn receive(a: ActivityJson, data: &Data<AppContext>) -> Result<(), AppError> {
    let Some(object_id) = id_of(&a.object) else {
        return Err(AppError::Invalid("Delete: object has no id".into()));
    };
    let Some(actor) = db::actors::find_by_ap_id(data.db.read(), a.actor.as_str()).await? else {
        return Ok(());
    };
    let now = data.now().timestamp_millis();
    if object_id == a.actor {
        crate::actions::remote_posts::forget_actor(data, &actor, now).await?;
    } else if crate::actions::statement_signatures::withdrawn(data, &actor, &object_id).await? {
        tracing::info!(signature = %object_id, "co-signature withdrawn");
    } else {
        if db::posts::delete_remote(data.db.write(), object_id.as_str(), actor.id, now).await? {
            db::notifications::delete_for_object(data.db.write(), object_id.as_str()).await?;
        }
    }
    Ok(())
}
