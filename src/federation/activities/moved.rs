//! `Move` of an actor to another (Mastodon's account migration): `actor` and `object` are the
//! old actor, `target` the new one, which must list the old one in `alsoKnownAs`.

use super::actor_row;
use crate::{
    context::AppContext,
    error::AppError,
    protocol::{activity::ActivityJson, helpers::id_of},
};
use activitypub_federation::config::Data;

pub async fn receive(a: ActivityJson, data: &Data<AppContext>) -> Result<(), AppError> {
    let object = id_of(&a.object).ok_or_else(|| AppError::Invalid("Move: no object".into()))?;
    if object != a.actor {
        return Err(AppError::Invalid(
            "Move: an actor can only move itself (object must be the actor)".into(),
        ));
    }
    let target = id_of(&a.target).ok_or_else(|| AppError::Invalid("Move: no target".into()))?;
    let source = actor_row(&a.actor, data).await?;
    crate::actions::moves::received(data, &source, &target).await?;
    Ok(())
}
