//! Participation in our events (Mobilizon's `Join`/`Leave`): deciding a Join by the event's
//! `joinMode` and capacity, staff decisions on held requests, and the answers (`Accept` or
//! `Reject` of the Join) queued to the participant's inbox in the same transaction.

use super::outbox;
use crate::{
    context::{AppContext, new_public_id},
    db::{self, actors::ActorRow, participants::ParticipantRow, posts::PostRow},
    error::{AppError, AppResult, invalid},
    model::PostData,
    protocol::object::ObjectJson,
    render::{self, sanitize::plain_text},
};
use serde_json::{Value, json};
use url::Url;

/// Characters of a participation message we keep (longer ones are cut).
pub const MAX_MESSAGE: usize = 1000;

/// What became of a Join.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    Pending,
    /// Refused, with the reason sent in the Reject's `summary`.
    Rejected(&'static str),
    /// The actor already takes part (or waits): nothing changed.
    Already,
}

/// The message as we keep it: plain text, at most [`MAX_MESSAGE`] characters.
pub fn clean_message(message: Option<&str>) -> String {
    let text = plain_text(message.unwrap_or(""));
    if text.chars().count() <= MAX_MESSAGE {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_MESSAGE - 1).collect();
    cut.push('…');
    cut
}

/// Our live event that `id` names, or a 400 that says why not.
pub async fn our_event(ctx: &AppContext, id: &Url) -> AppResult<PostRow> {
    if crate::federation::objects::actor::authority(id) != ctx.config.domain {
        return Err(invalid(format!(
            "{id} is not an event of this server: join it on its own server"
        )));
    }
    let post = db::posts::find_by_ap_id(ctx.db.read(), id.as_str())
        .await?
        .filter(|p| p.local && p.deleted_at.is_none())
        .ok_or_else(|| invalid(format!("{id}: no such event on this server")))?;
    if post.kind != "Event" {
        return Err(invalid(format!(
            "{id} is a {}, not an Event: only events can be joined",
            post.kind
        )));
    }
    Ok(post)
}

/// Why a new participant cannot take part now, if they cannot.
fn refusal(post: &PostRow, data: &PostData, accepted: i64, now: i64) -> Option<&'static str> {
    if post.event_status.as_deref() == Some("cancelled") {
        return Some("cancelled: this event is cancelled");
    }
    if post.end_at.or(post.start_at).is_some_and(|t| t < now) {
        return Some("past: this event is over");
    }
    if data.join_mode.as_deref() == Some("external") {
        return Some("external: registration is on the organiser's site");
    }
    if data.capacity.is_some_and(|c| accepted >= c) {
        return Some("full: the event has reached its capacity");
    }
    None
}

/// Decides an incoming Join of `post` by `actor` and queues the answer.
#[tracing::instrument(skip_all, fields(join = %join_id, actor = %actor.ap_id), err(level = "debug"))]
pub async fn join(
    ctx: &AppContext,
    actor: &ActorRow,
    post: &PostRow,
    join_id: &Url,
    message: Option<&str>,
) -> AppResult<Outcome> {
    let data = PostData::parse(&post.data);
    let message = clean_message(message);
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    db::participants::lock_event(tx.exec(), post.id).await?;
    if let Some(existing) = db::participants::find(tx.exec(), post.id, actor.id).await? {
        if existing.state != "rejected" {
            return Ok(Outcome::Already);
        }
        db::participants::remove(tx.exec(), existing.id).await?;
    }
    let accepted = db::participants::accepted_count(tx.exec(), post.id).await?;
    let join = join_json(join_id.as_str(), &actor.ap_id, &post.ap_id);
    let outcome = match refusal(post, &data, accepted, now.timestamp_millis()) {
        Some(reason) => {
            let extra = reject_extra(reason, data.registration_url.as_deref());
            answer(
                ctx,
                &mut tx,
                "Reject",
                join,
                &actor.ap_id,
                &actor.inbox,
                extra,
                now,
            )
            .await?;
            Outcome::Rejected(reason)
        }
        None => {
            let state = if data.join_mode.as_deref() == Some("restricted") {
                "pending"
            } else {
                "accepted"
            };
            let write = db::participants::ParticipantWrite {
                post_id: post.id,
                actor_id: actor.id,
                state,
                join_ap_id: join_id.as_str(),
                message: &message,
                now: now.timestamp_millis(),
            };
            if !db::participants::insert(tx.exec(), &write).await? {
                return Ok(Outcome::Already);
            }
            if state == "accepted" {
                answer(
                    ctx,
                    &mut tx,
                    "Accept",
                    join,
                    &actor.ap_id,
                    &actor.inbox,
                    None,
                    now,
                )
                .await?;
                Outcome::Accepted
            } else {
                Outcome::Pending
            }
        }
    };
    tx.commit().await?;
    outbox::wake(ctx);
    tracing::info!(?outcome, "join received");
    Ok(outcome)
}

/// Removes the actor's participation in the event `event` (a `Leave`), or the one recorded
/// under the Join `join_id` (an `Undo{Join}`). Returns whether one was removed.
pub async fn leave(
    ctx: &AppContext,
    actor: &ActorRow,
    event: Option<&Url>,
    join_id: Option<&str>,
) -> AppResult<bool> {
    let mut found = None;
    if let Some(id) = join_id {
        found = db::participants::find_by_join(ctx.db.read(), actor.id, id).await?;
    }
    if found.is_none()
        && let Some(event) = event
        && let Some(post) = db::posts::find_by_ap_id(ctx.db.read(), event.as_str()).await?
    {
        found = db::participants::find(ctx.db.read(), post.id, actor.id).await?;
    }
    let Some(p) = found else {
        return Ok(false);
    };
    Ok(db::participants::remove(ctx.db.write(), p.id).await? > 0)
}

/// Staff accept (`accept` true) or reject a participation in one of our events, and tell the
/// participant. Accepting is refused (409) when the event is full.
pub async fn decide(
    ctx: &AppContext,
    post: &PostRow,
    participant_id: i64,
    accept: bool,
) -> AppResult<ParticipantRow> {
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    db::participants::lock_event(tx.exec(), post.id).await?;
    let p = db::participants::find_by_id(tx.exec(), post.id, participant_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no participant {participant_id}")))?;
    let state = if accept { "accepted" } else { "rejected" };
    if p.state == state {
        return Ok(p);
    }
    if accept {
        let data = PostData::parse(&post.data);
        let accepted = db::participants::accepted_count(tx.exec(), post.id).await?;
        if data.capacity.is_some_and(|c| accepted >= c) {
            return Err(AppError::Conflict(format!(
                "the event is full ({accepted} accepted participants)"
            )));
        }
    }
    db::participants::set_state(tx.exec(), p.id, state, now.timestamp_millis()).await?;
    let join = join_json(&p.join_ap_id, &p.actor_ap_id, &post.ap_id);
    let (kind, extra) = if accept {
        ("Accept", None)
    } else {
        (
            "Reject",
            Some(json!({"summary": "rejected: declined by the organiser"})),
        )
    };
    answer(
        ctx,
        &mut tx,
        kind,
        join,
        &p.actor_ap_id,
        &p.actor_inbox,
        extra,
        now,
    )
    .await?;
    tx.commit().await?;
    outbox::wake(ctx);
    Ok(ParticipantRow {
        state: state.into(),
        decided_at: Some(now.timestamp_millis()),
        ..p
    })
}

/// Accepted participants of an event.
pub async fn count(ctx: &AppContext, post: &PostRow) -> AppResult<i64> {
    Ok(db::participants::accepted_count(ctx.db.read(), post.id).await?)
}

/// Our post as ActivityStreams, with `participantCount` on an event.
pub async fn object_json(ctx: &AppContext, post: &PostRow) -> AppResult<ObjectJson> {
    let mut object = render::activitypub::post(ctx, post)?;
    if post.kind == "Event" {
        object.event.participant_count = Some(count(ctx, post).await?);
    }
    Ok(object)
}

fn join_json(id: &str, actor: &str, event: &str) -> Value {
    json!({ "id": id, "type": "Join", "actor": actor, "object": event })
}

/// What a Reject says besides its object: the reason, and for an external event the link.
fn reject_extra(reason: &str, registration_url: Option<&str>) -> Option<Value> {
    let mut v = json!({ "summary": reason });
    if reason.starts_with("external")
        && let Some(url) = registration_url
    {
        v["externalParticipationUrl"] = json!(url);
        v["content"] = json!(format!(
            "<p>Inscriptions / registration: <a href=\"{0}\">{0}</a></p>",
            render::sanitize::escape(url)
        ));
    }
    Some(v)
}

/// Queues `Accept` or `Reject` of the Join to the participant's inbox.
#[allow(clippy::too_many_arguments)]
async fn answer(
    ctx: &AppContext,
    tx: &mut db::Tx,
    kind: &str,
    join: Value,
    actor: &str,
    inbox: &str,
    extra: Option<Value>,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let to = [Url::parse(actor)?];
    let mut activity = render::activitypub::activity(
        kind,
        &ctx.urls.activity(&new_public_id()),
        &ctx.urls.actor(),
        join,
        &to,
        &[],
        now,
    );
    if let (Value::Object(m), Some(Value::Object(e))) = (&mut activity, extra) {
        m.extend(e);
    }
    outbox::queue(
        tx,
        ctx,
        &activity,
        &[inbox.to_string()],
        now.timestamp_millis(),
    )
    .await?;
    Ok(())
}

/// The JSON an API client gets for a participant.
pub fn api_json(p: &ParticipantRow) -> Value {
    json!({
        "id": p.id,
        "actor": p.actor_ap_id,
        "handle": format!("@{}@{}", p.actor_username, p.actor_domain),
        "name": p.actor_name,
        "state": p.state,
        "message": p.message,
        "created_at": render::activitypub::time(p.created_at),
        "decided_at": p.decided_at.map(render::activitypub::time),
    })
}
