//! Posts received from other servers: stored sanitised, edited only by a newer version,
//! removed with their author.

use crate::{
    context::AppContext,
    db::{self, actors::ActorRow},
    error::AppResult,
    federation::{PUBLIC, protocol::object::ObjectJson},
    render::sanitize,
};

/// Visibility from addressing: Public in `to` is public, in `cc` unlisted, else followers.
pub fn visibility_of(o: &ObjectJson) -> &'static str {
    let public = |v: &Vec<url::Url>| v.iter().any(|u| u.as_str() == PUBLIC);
    if public(&o.to) {
        "public"
    } else if public(&o.cc) {
        "unlisted"
    } else {
        "followers"
    }
}

/// Stores a verified remote post (or applies an edit of it). Idempotent.
pub async fn store(ctx: &AppContext, actor: &ActorRow, o: &ObjectJson) -> AppResult<()> {
    let content = o
        .content
        .clone()
        .or_else(|| {
            o.content_map
                .as_ref()
                .and_then(|m| m.values().next())
                .and_then(|v| v.as_str().map(str::to_string))
        })
        .unwrap_or_default();
    let content = sanitize::html(&content);
    let name = o.name.as_deref().map(sanitize::plain_text);
    let summary = o.summary.as_deref().map(sanitize::plain_text);
    let now = ctx.now().timestamp_millis();
    let published = o.published.map(|t| t.timestamp_millis()).unwrap_or(now);
    let updated = o
        .updated
        .map(|t| t.timestamp_millis())
        .unwrap_or(published)
        .max(published);
    db::posts::upsert_remote(
        ctx.db.write(),
        &db::posts::PostWrite {
            ap_id: o.id.as_str(),
            public_id: None,
            actor_id: actor.id,
            kind: &o.kind,
            visibility: visibility_of(o),
            name: name.as_deref(),
            summary: summary.as_deref(),
            content: &content,
            url: o.url.as_ref().map(url::Url::as_str),
            in_reply_to: o.in_reply_to.as_ref().map(url::Url::as_str),
            published,
            updated,
            local: false,
            data: "{}",
        },
    )
    .await?;
    Ok(())
}

/// The actor was deleted on its server: drop it as a follower and remove its posts.
pub async fn forget_actor(ctx: &AppContext, actor: &ActorRow, now: i64) -> AppResult<()> {
    let mut tx = ctx.db.begin().await?;
    db::followers::remove_actor(tx.exec(), actor.id).await?;
    db::posts::delete_all_of_actor(tx.exec(), actor.id, now).await?;
    tx.commit().await?;
    Ok(())
}
