//! `Invite` to co-sign a joint statement (see `actions::cosign`).

use super::actor_row;
use crate::{context::AppContext, error::AppError, protocol::activity::ActivityJson};
use activitypub_federation::config::Data;

pub async fn receive(a: ActivityJson, data: &Data<AppContext>) -> Result<(), AppError> {
    let actor = actor_row(&a.actor, data).await?;
    crate::actions::cosign::invited(data, &actor, &a).await
}
