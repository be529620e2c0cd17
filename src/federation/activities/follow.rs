//! `Follow` of our centre: accepted at once, or held when the centre approves followers.

use super::actor_row;
use crate::{
    actions,
    context::AppContext,
    db,
    error::AppError,
    protocol::{activity::ActivityJson, helpers::id_of},
};
use activitypub_federation::config::Data;

pub async fn receive(a: ActivityJson, data: &Data<AppContext>) -> Result<(), AppError> {
    if id_of(&a.object).as_ref() != Some(&data.centre.ap_id) {
        tracing::debug!("Follow of another actor, ignored");
        return Ok(());
    }
    let actor = actor_row(&a.actor, data).await?;
    let centre = db::actors::find_by_id(data.db.read(), data.centre.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("local centre missing"))?;
    let state = if centre.manually_approves_followers {
        "pending"
    } else {
        "accepted"
    };
    actions::followers::record_follow(data, &actor, a.id.as_str(), state).await
}
