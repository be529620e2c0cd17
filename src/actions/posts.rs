//! Publishing: create, edit and delete the centre's own posts, each with its activity queued
//! for every follower's (shared) inbox in the same transaction.

use super::outbox;
use crate::{
    context::{AppContext, new_public_id},
    db::{self, posts::PostRow},
    error::{AppError, AppResult},
    model::PostData,
    render,
};
use serde_json::json;

pub use super::post_input::{PostInput, ValidPost};

/// The stored form of a post, as the base an edit applies to.
pub fn current(row: &PostRow) -> ValidPost {
    ValidPost {
        kind: row.kind.clone(),
        visibility: row.visibility.clone(),
        name: row.name.clone(),
        summary: row.summary.clone(),
        content: row.content.clone(),
        start_at: row.start_at,
        end_at: row.end_at,
        timezone: row.timezone.clone(),
        event_status: row.event_status.clone(),
        data: PostData::parse(&row.data),
    }
}

fn write<'a>(
    v: &'a ValidPost,
    data: &'a str,
    ap_id: &'a str,
    public_id: &'a str,
    actor_id: i64,
    published: i64,
    updated: i64,
) -> db::posts::PostWrite<'a> {
    db::posts::PostWrite {
        ap_id,
        public_id: Some(public_id),
        actor_id,
        kind: &v.kind,
        visibility: &v.visibility,
        name: v.name.as_deref(),
        summary: v.summary.as_deref(),
        content: &v.content,
        url: Some(ap_id),
        in_reply_to: None,
        published,
        updated,
        local: true,
        data,
        start_at: v.start_at,
        end_at: v.end_at,
        timezone: v.timezone.as_deref(),
        event_status: v.event_status.as_deref(),
    }
}

/// Publishes a new note, article or event.
#[tracing::instrument(skip_all, err(level = "debug"))]
pub async fn create(ctx: &AppContext, input: PostInput) -> AppResult<PostRow> {
    let mut valid = input.validate_new()?;
    if let Some(images) = &input.images {
        valid.data.attachments = super::media::attachments(ctx, images).await?;
    }
    let public_id = new_public_id();
    let ap_id = ctx.urls.post(&public_id);
    let now = ctx.now();
    let ms = now.timestamp_millis();
    let data = valid.data.to_json();
    let mut tx = ctx.db.begin().await?;
    let row = db::posts::insert(
        tx.exec(),
        &write(
            &valid,
            &data,
            ap_id.as_str(),
            &public_id,
            ctx.centre.id,
            ms,
            ms,
        ),
    )
    .await?;
    db::post_tags::set(tx.exec(), row.id, &valid.data.tags).await?;
    announce(ctx, &mut tx, "Create", &row, now).await?;
    tx.commit().await?;
    outbox::wake(ctx);
    Ok(row)
}

/// The centre's own post with this public id (deleted ones included).
pub async fn find_own(ctx: &AppContext, public_id: &str) -> AppResult<PostRow> {
    db::posts::find_by_public_id(ctx.db.read(), public_id)
        .await?
        .filter(|p| p.local)
        .ok_or_else(|| AppError::NotFound(format!("no post {public_id}")))
}

/// Edits a post and sends an `Update` whose `updated` is newer than the last one. Moving,
/// cancelling or otherwise changing an event is an edit too.
#[tracing::instrument(skip_all, err(level = "debug"))]
pub async fn edit(ctx: &AppContext, public_id: &str, input: PostInput) -> AppResult<PostRow> {
    let row = find_own(ctx, public_id).await?;
    if row.deleted_at.is_some() {
        return Err(AppError::NotFound(format!("post {public_id} was deleted")));
    }
    let mut valid = input.validate_edit(&current(&row))?;
    if let Some(images) = &input.images {
        valid.data.attachments = super::media::attachments(ctx, images).await?;
    }
    let now = ctx.now();
    // Peers ignore an Update whose `updated` is not newer: never reuse a timestamp.
    let updated = now.timestamp_millis().max(row.updated + 1);
    let data = valid.data.to_json();
    let mut tx = ctx.db.begin().await?;
    db::posts::update_local(
        tx.exec(),
        row.id,
        &write(
            &valid,
            &data,
            &row.ap_id,
            public_id,
            row.actor_id,
            row.published,
            updated,
        ),
    )
    .await?;
    db::post_tags::set(tx.exec(), row.id, &valid.data.tags).await?;
    let row = PostRow {
        visibility: valid.visibility,
        name: valid.name,
        summary: valid.summary,
        content: valid.content,
        updated,
        data,
        start_at: valid.start_at,
        end_at: valid.end_at,
        timezone: valid.timezone,
        event_status: valid.event_status,
        sequence: row.sequence + 1,
        ..row
    };
    announce(ctx, &mut tx, "Update", &row, now).await?;
    tx.commit().await?;
    outbox::wake(ctx);
    Ok(row)
}

/// Deletes a post: its id answers 410 with a Tombstone and followers get a `Delete`.
#[tracing::instrument(skip_all, err(level = "debug"))]
pub async fn delete(ctx: &AppContext, public_id: &str) -> AppResult<()> {
    let row = find_own(ctx, public_id).await?;
    if row.deleted_at.is_some() {
        return Ok(());
    }
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    db::posts::mark_deleted(tx.exec(), row.id, now.timestamp_millis()).await?;
    let row = PostRow {
        deleted_at: Some(now.timestamp_millis()),
        ..row
    };
    announce(ctx, &mut tx, "Delete", &row, now).await?;
    tx.commit().await?;
    outbox::wake(ctx);
    Ok(())
}

/// Builds the activity about `row` and queues it for every follower inbox.
async fn announce(
    ctx: &AppContext,
    tx: &mut db::Tx,
    kind: &str,
    row: &PostRow,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let (to, cc) = render::activitypub::addressing(&row.visibility, &ctx.urls.followers());
    let object = if kind == "Delete" {
        serde_json::to_value(render::activitypub::tombstone(row)?)?
    } else {
        serde_json::to_value(render::activitypub::post(ctx, row)?)?
    };
    let activity = render::activitypub::activity(
        kind,
        &ctx.urls.activity(&new_public_id()),
        &ctx.urls.actor(),
        object,
        &to,
        &cc,
        now,
    );
    let inboxes = db::followers::delivery_inboxes(tx.exec()).await?;
    outbox::queue(tx, ctx, &activity, &inboxes, now.timestamp_millis()).await?;
    Ok(())
}

/// The JSON an API client gets for a post.
pub fn api_json(ctx: &AppContext, row: &PostRow) -> serde_json::Value {
    let mut v = json!({
        "id": row.public_id,
        "url": row.ap_id,
        "type": row.kind,
        "visibility": row.visibility,
        "title": row.name,
        "summary": row.summary,
        "content": row.content,
        "published": render::activitypub::time(row.published),
        "updated": render::activitypub::time(row.updated),
        "deleted": row.deleted_at.is_some(),
        "actor": ctx.urls.actor(),
    });
    let data = PostData::parse(&row.data);
    v["tags"] = json!(data.tags);
    v["images"] = data
        .attachments
        .iter()
        .filter(|a| a.kind == "Image")
        .map(|a| json!({"url": a.url, "type": a.media_type, "alt": a.name}))
        .collect();
    if row.kind == "Event" {
        event_fields(&mut v, row, &data);
    }
    v
}

/// Adds the event fields to an API item (shared by posts, the feed and the calendar).
pub fn event_fields(v: &mut serde_json::Value, row: &PostRow, data: &PostData) {
    let tz = row.timezone.as_deref();
    v["start"] = json!(row.start_at.map(|s| render::activitypub::event_time(s, tz)));
    v["end"] = json!(row.end_at.map(|e| render::activitypub::event_time(e, tz)));
    v["timezone"] = json!(row.timezone);
    v["status"] = json!(row.event_status);
    v["cancelled"] = json!(row.event_status.as_deref() == Some("cancelled"));
    v["location"] = json!(data.location);
    let web = |u: &Option<String>| {
        u.as_deref()
            .and_then(crate::render::links::web_url)
            .map(str::to_string)
    };
    v["online_url"] = json!(web(&data.online_url));
    v["join_mode"] = json!(data.join_mode);
    v["registration_url"] = json!(web(&data.registration_url));
    v["capacity"] = json!(data.capacity);
    v["category"] = json!(data.category);
    v["when"] = json!(render::activitypub::event_summary(row, data));
    v["sequence"] = json!(row.sequence);
}
