//! Our centre joins another server's event: a `Join` from the centre's actor to the event's
//! organiser, recorded as pending until its `Accept` or `Reject` arrives
//! ([`crate::federation::activities::accept`]).

use super::outbox;
use crate::{
    context::{AppContext, new_public_id},
    db::{self, actors::ActorRow, participations::ParticipationRow},
    error::{AppError, AppResult, invalid},
    render,
};
use activitypub_federation::config::Data;
use serde_json::{Value, json};
use url::Url;

/// Sends a `Join` of the event at `event` (fetched signed when we do not hold it). Returns
/// our participation and whether it is new (joining twice gives the existing one).
pub async fn join(data: &Data<AppContext>, event: &str) -> AppResult<(ParticipationRow, bool)> {
    let url = render::links::remote_url(event.trim(), data.config.dev)
        .and_then(|u| Url::parse(u).ok())
        .ok_or_else(|| invalid(format!("event: {event:?} is not an https URL")))?;
    if crate::federation::objects::actor::authority(&url) == data.config.domain {
        return Err(invalid("event: this is one of our own events"));
    }
    if let Some(p) = db::participations::find_by_event(data.db.read(), url.as_str()).await? {
        return Ok((p, false));
    }
    let held = db::posts::find_by_ap_id(data.db.read(), url.as_str())
        .await?
        .filter(|p| p.deleted_at.is_none());
    let post = match held {
        Some(p) => p,
        None => {
            super::remote_fetch::post(data, &url)
                .await
                .map_err(|e| match e {
                    AppError::Invalid(m) => invalid(format!("event: {m}")),
                    AppError::Internal(e) => AppError::Internal(e),
                    other => AppError::Remote(format!("event: could not fetch {url}: {other}")),
                })?;
            db::posts::find_by_ap_id(data.db.read(), url.as_str())
                .await?
                .ok_or_else(|| invalid(format!("event: {url} is not a post we can show")))?
        }
    };
    if post.kind != "Event" {
        return Err(invalid(format!(
            "event: {url} is a {}, not an Event",
            post.kind
        )));
    }
    let organiser: ActorRow = db::actors::find_by_id(data.db.read(), post.actor_id)
        .await?
        .ok_or_else(|| invalid(format!("event: {url} has no known organiser")))?;
    let public_id = new_public_id();
    let join_id = data.urls.activity(&public_id);
    let now = data.now();
    let mut tx = data.db.begin().await?;
    let write = db::participations::ParticipationWrite {
        public_id: &public_id,
        event_ap_id: url.as_str(),
        organiser_id: organiser.id,
        join_ap_id: join_id.as_str(),
        now: now.timestamp_millis(),
    };
    if !db::participations::insert(tx.exec(), &write).await? {
        drop(tx);
        let p = db::participations::find_by_event(data.db.read(), url.as_str())
            .await?
            .ok_or_else(|| anyhow::anyhow!("a participation just refused as a duplicate"))?;
        return Ok((p, false));
    }
    let to = [Url::parse(&organiser.ap_id).map_err(anyhow::Error::from)?];
    let activity = render::activitypub::activity(
        "Join",
        &join_id,
        &data.urls.actor(),
        json!(url),
        &to,
        &[],
        now,
    );
    outbox::queue(
        &mut tx,
        data,
        &activity,
        std::slice::from_ref(&organiser.inbox),
        now.timestamp_millis(),
    )
    .await?;
    tx.commit().await?;
    outbox::wake(data);
    let p = db::participations::find_by_event(data.db.read(), url.as_str())
        .await?
        .ok_or_else(|| anyhow::anyhow!("the participation just stored is missing"))?;
    Ok((p, true))
}

/// An `Accept` or `Reject` from `organiser` of our Join `join_id`.
pub async fn answered(
    ctx: &AppContext,
    organiser: &ActorRow,
    join_id: &Url,
    state: &str,
) -> AppResult<()> {
    let now = ctx.now().timestamp_millis();
    let n = db::participations::answer(ctx.db.write(), join_id.as_str(), organiser.id, state, now)
        .await?;
    if n == 0 {
        return Err(AppError::Forbidden(format!(
            "{join_id}: not a Join of ours addressed to {}",
            organiser.ap_id
        )));
    }
    Ok(())
}

/// The JSON an API client gets for one of our participations.
pub fn api_json(p: &ParticipationRow) -> Value {
    json!({
        "id": p.public_id,
        "event": p.event_ap_id,
        "join": p.join_ap_id,
        "state": p.state,
        "created_at": render::activitypub::time(p.created_at),
        "decided_at": p.decided_at.map(render::activitypub::time),
    })
}
