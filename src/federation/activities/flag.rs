//! `Flag`: a report from another server about our centre, our posts or the replies we hold
//! under them, in Mastodon's form (often sent by its instance actor, an `Application`).
//! `verify` bounds the object list; `receive` keeps the objects that are ours and refuses a
//! report that names none of them (400, nothing stored).

use super::actor_row;
use crate::{
    context::AppContext,
    error::AppError,
    protocol::{activity::ActivityJson, flag},
};
use activitypub_federation::config::Data;
use url::Url;

fn objects(a: &ActivityJson) -> Result<Vec<Url>, AppError> {
    let ids = flag::objects(&a.object).map_err(|n| {
        AppError::Invalid(format!(
            "Flag: {n} objects, more than the {} a report may name",
            flag::MAX_OBJECTS
        ))
    })?;
    if ids.is_empty() {
        return Err(AppError::Invalid("Flag: object names nothing".into()));
    }
    Ok(ids)
}

/// Checks the shape before anything is read or written.
pub fn verify(a: &ActivityJson) -> Result<(), AppError> {
    objects(a).map(|_| ())
}

pub async fn receive(a: ActivityJson, data: &Data<AppContext>) -> Result<(), AppError> {
    let ids = objects(&a)?;
    let reporter = actor_row(&a.actor, data).await?;
    crate::actions::reports::record(data, &reporter, &a.id, &ids, a.content.as_deref()).await
}
