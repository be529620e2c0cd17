//! Publishing: create, edit and delete the centre's own posts, each with its activity queued
//! for every follower's (shared) inbox in the same transaction.

use super::outbox;
use crate::{
    context::{AppContext, new_public_id},
    db::{self, posts::PostRow},
    error::{AppError, AppResult, invalid},
    render::{self, sanitize},
};
use serde::Deserialize;
use serde_json::json;

/// Largest accepted post body, in characters.
pub const MAX_CONTENT_CHARS: usize = 50_000;

pub const VISIBILITIES: &[&str] = &["public", "unlisted", "followers"];

/// A new post as staff submit it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub content: String,
    pub visibility: Option<String>,
}

/// An edit: only the given fields change.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostEdit {
    pub content: Option<String>,
    pub visibility: Option<String>,
}

fn check_visibility(v: &str) -> AppResult<()> {
    if VISIBILITIES.contains(&v) {
        Ok(())
    } else {
        Err(invalid(format!(
            "visibility: must be one of public, unlisted, followers (got {v:?})"
        )))
    }
}

fn clean_content(content: &str) -> AppResult<String> {
    if content.chars().count() > MAX_CONTENT_CHARS {
        return Err(invalid(format!(
            "content: at most {MAX_CONTENT_CHARS} characters"
        )));
    }
    let html = sanitize::staff_content(content);
    if sanitize::plain_text(&html).is_empty() {
        return Err(invalid("content: must not be empty"));
    }
    Ok(html)
}

/// Publishes a new post.
#[tracing::instrument(skip_all, err)]
pub async fn create(ctx: &AppContext, input: NewPost) -> AppResult<PostRow> {
    let kind = input.kind.unwrap_or_else(|| "Note".into());
    if kind != "Note" {
        return Err(invalid(format!(
            "type: only \"Note\" is supported (got {kind:?})"
        )));
    }
    let visibility = input.visibility.unwrap_or_else(|| "public".into());
    check_visibility(&visibility)?;
    let content = clean_content(&input.content)?;
    let public_id = new_public_id();
    let ap_id = ctx.urls.post(&public_id);
    let now = ctx.now();
    let ms = now.timestamp_millis();
    let mut tx = ctx.db.begin().await?;
    let row = db::posts::insert(
        tx.exec(),
        &db::posts::PostWrite {
            ap_id: ap_id.as_str(),
            public_id: Some(&public_id),
            actor_id: ctx.centre.id,
            kind: &kind,
            visibility: &visibility,
            name: None,
            summary: None,
            content: &content,
            url: Some(ap_id.as_str()),
            in_reply_to: None,
            published: ms,
            updated: ms,
            local: true,
            data: "{}",
        },
    )
    .await?;
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

/// Edits a post and sends an `Update` whose `updated` is newer than the last one.
#[tracing::instrument(skip_all, err)]
pub async fn edit(ctx: &AppContext, public_id: &str, edit: PostEdit) -> AppResult<PostRow> {
    let row = find_own(ctx, public_id).await?;
    if row.deleted_at.is_some() {
        return Err(AppError::NotFound(format!("post {public_id} was deleted")));
    }
    let visibility = edit.visibility.unwrap_or_else(|| row.visibility.clone());
    check_visibility(&visibility)?;
    let content = match &edit.content {
        Some(c) => clean_content(c)?,
        None => row.content.clone(),
    };
    let now = ctx.now();
    // Peers ignore an Update whose `updated` is not newer: never reuse a timestamp.
    let updated = now.timestamp_millis().max(row.updated + 1);
    let mut tx = ctx.db.begin().await?;
    db::posts::update_local(
        tx.exec(),
        row.id,
        &visibility,
        None,
        None,
        &content,
        updated,
    )
    .await?;
    let row = PostRow {
        visibility,
        content,
        updated,
        ..row
    };
    announce(ctx, &mut tx, "Update", &row, now).await?;
    tx.commit().await?;
    outbox::wake(ctx);
    Ok(row)
}

/// Deletes a post: its id answers 410 with a Tombstone and followers get a `Delete`.
#[tracing::instrument(skip_all, err)]
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
    json!({
        "id": row.public_id,
        "url": row.ap_id,
        "type": row.kind,
        "visibility": row.visibility,
        "content": row.content,
        "published": render::activitypub::time(row.published),
        "updated": render::activitypub::time(row.updated),
        "deleted": row.deleted_at.is_some(),
        "actor": ctx.urls.actor(),
    })
}
