//! Incoming activities. The library checks the digest and the signature and fetches the
//! actor; then [`InboxActivity::verify`] checks that the activity may do what it says (no
//! write), and [`InboxActivity::receive`] applies it. One file per activity type.
//!
//! A repeated activity id changes nothing; unknown types are accepted and ignored.

mod accept;
mod create;
mod delete;
mod flag;
mod follow;
mod invite;
mod join;
mod moved;
mod reaction;
mod undo;
mod update;

use crate::federation::verify_same_origin;
use crate::{
    actions::post_writes::Writes,
    context::AppContext,
    db,
    error::AppError,
    protocol::{activity::ActivityJson, helpers::id_of},
};
use activitypub_federation::{config::Data, traits::Activity};
use serde::Deserialize;
use url::Url;

/// Any activity received in an inbox. Only `type`, `id` and `actor` are required to parse;
/// each type reads the rest leniently.
#[derive(Clone, Debug, Deserialize)]
#[serde(transparent)]
pub struct InboxActivity(pub ActivityJson);

/// Activity types we act on.
pub const HANDLED: &[&str] = &[
    "Follow", "Accept", "Reject", "Undo", "Create", "Update", "Delete", "Invite", "Like",
    "Announce", "Move", "Flag", "Join", "Leave",
];

#[async_trait::async_trait]
impl Activity for InboxActivity {
    type DataType = AppContext;
    type Error = AppError;

    fn id(&self) -> &Url {
        &self.0.id
    }

    fn actor(&self) -> &Url {
        &self.0.actor
    }

    async fn verify(&self, _data: &Data<AppContext>) -> Result<(), AppError> {
        let a = &self.0;
        verify_same_origin(&a.id, &a.actor)?;
        match a.kind.as_str() {
            "Create" | "Update" | "Delete" => {
                let object_id = id_of(&a.object)
                    .ok_or_else(|| AppError::Invalid(format!("{}: object has no id", a.kind)))?;
                verify_same_origin(&object_id, &a.actor)?;
                if let Some(attributed) = a.object.get("attributedTo") {
                    let authors: Vec<Url> = match attributed {
                        serde_json::Value::Array(v) => v.iter().filter_map(id_of).collect(),
                        v => id_of(v).into_iter().collect(),
                    };
                    if !authors.is_empty() && !authors.contains(&a.actor) {
                        return Err(AppError::Invalid(format!(
                            "{}: object is not attributed to the actor",
                            a.kind
                        )));
                    }
                }
                Ok(())
            }
            "Flag" => flag::verify(a),
            "Join" | "Leave" => join::verify(a),
            _ => Ok(()),
        }
    }

    #[tracing::instrument(level = "debug", skip_all, fields(kind = %self.0.kind, id = %self.0.id, actor = %self.0.actor))]
    async fn receive(self, data: &Data<AppContext>) -> Result<(), AppError> {
        let a = self.0;
        let label = if HANDLED.contains(&a.kind.as_str()) {
            a.kind.as_str()
        } else {
            "other"
        };
        data.metrics.inbox(label);
        if !HANDLED.contains(&a.kind.as_str()) {
            tracing::debug!("ignoring unhandled activity type");
            return Ok(());
        }
        let id = a.id.to_string();
        let kind = a.kind.clone();
        // A post's writes carry the activity's id: a repeated one is found by its insert, in
        // the same job. Other activities act first, so they look it up before.
        let mut writes = match kind.as_str() {
            "Create" => create::receive(a, data).await?,
            "Update" => update::receive(a, data).await?,
            // Mobilizon may give a Leave the id of the Join it ends: never skip one as seen
            // (leaving twice changes nothing).
            "Leave" => {
                join::leave(a, data).await?;
                Writes::default()
            }
            _ => {
                if db::inbox::seen(data.db.read(), a.id.as_str()).await? {
                    tracing::debug!("activity already received");
                    return Ok(());
                }
                match kind.as_str() {
                    "Follow" => follow::receive(a, data).await?,
                    "Accept" => accept::receive(a, data, "accepted").await?,
                    "Reject" => accept::receive(a, data, "rejected").await?,
                    "Undo" => undo::receive(a, data).await?,
                    "Delete" => delete::receive(a, data).await?,
                    "Invite" => invite::receive(a, data).await?,
                    "Like" | "Announce" => reaction::receive(a, data).await?,
                    "Move" => moved::receive(a, data).await?,
                    "Flag" => flag::receive(a, data).await?,
                    "Join" => join::receive(a, data).await?,
                    _ => {}
                }
                Writes::default()
            }
        };
        writes.activity = Some((id, kind));
        writes.now = data.now().timestamp_millis();
        crate::actions::post_writes::commit(data, writes).await
    }
}

/// The stored row of the activity's actor (the signature check fetched and stored it).
async fn actor_row(actor: &Url, data: &Data<AppContext>) -> Result<db::actors::ActorRow, AppError> {
    if let Some(row) = data.caches.actor(actor.as_str()) {
        return Ok((*row).clone());
    }
    let row = db::actors::find_by_ap_id(data.db.read(), actor.as_str())
        .await?
        .ok_or_else(|| AppError::Unauthorized(format!("unknown actor {actor}")))?;
    data.caches.put_actor(&row);
    Ok(row)
}
