//! What receiving a post writes, as owned data that the group-commit writer
//! ([`crate::db::batch`]) runs inside its batch: the activity's id (recorded first, so that a
//! repeated delivery writes nothing more), the post and its tags, and its notifications. One
//! job, so the activity is stored whole or not at all, and answered once it is on disk.

use super::remote_posts::RemotePost;
use crate::{
    context::AppContext,
    db::{self, Exec},
    error::{AppError, AppResult},
};
use std::sync::Arc;

/// A post to store, owned.
#[derive(Debug, Clone)]
pub struct PostToStore {
    pub ap_id: String,
    pub actor_id: i64,
    pub post: RemotePost,
    pub url: Option<String>,
    pub in_reply_to: Option<String>,
    pub published: i64,
    pub updated: i64,
    pub data: String,
}

/// A notification to record.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: &'static str,
    pub actor_id: i64,
    pub object: String,
    pub parent: Option<String>,
    pub excerpt: String,
}

/// Everything one received activity writes.
#[derive(Debug, Clone, Default)]
pub struct Writes {
    /// The activity's id and type, when it came through the inbox.
    pub activity: Option<(String, String)>,
    pub post: Option<PostToStore>,
    pub notices: Vec<Notice>,
    pub now: i64,
}

impl Writes {
    pub fn is_empty(&self) -> bool {
        self.activity.is_none() && self.post.is_none() && self.notices.is_empty()
    }
}

/// Writes `w` in the writer's next batch; returns once it is committed.
pub async fn commit(ctx: &AppContext, w: Writes) -> AppResult<()> {
    if w.is_empty() {
        return Ok(());
    }
    let w = Arc::new(w);
    ctx.batch
        .run(Arc::new(move |ex| {
            let w = w.clone();
            Box::pin(async move { write(ex, &w).await })
        }))
        .await
        .map_err(crate::error::recover)
}

async fn write(mut ex: Exec<'_>, w: &Writes) -> anyhow::Result<()> {
    if let Some((id, kind)) = &w.activity
        && !db::inbox::record(ex.reborrow(), id, kind, w.now).await?
    {
        tracing::debug!(%id, "activity already received");
        return Ok(());
    }
    if let Some(p) = &w.post {
        store(ex.reborrow(), p).await?;
    }
    for n in &w.notices {
        db::notifications::insert(
            ex.reborrow(),
            n.kind,
            n.actor_id,
            &n.object,
            n.parent.as_deref(),
            &n.excerpt,
            w.now,
        )
        .await?;
    }
    Ok(())
}

async fn store(mut ex: Exec<'_>, p: &PostToStore) -> anyhow::Result<()> {
    let post = &p.post;
    let written = db::posts::upsert_remote(
        ex.reborrow(),
        &db::posts::PostWrite {
            ap_id: &p.ap_id,
            public_id: None,
            actor_id: p.actor_id,
            kind: &post.kind,
            visibility: post.visibility,
            name: post.name.as_deref(),
            summary: post.summary.as_deref(),
            content: &post.content,
            url: p.url.as_deref(),
            in_reply_to: p.in_reply_to.as_deref(),
            published: p.published,
            updated: p.updated,
            local: false,
            data: &p.data,
            start_at: post.start_at,
            end_at: post.end_at,
            timezone: post.timezone.as_deref(),
            event_status: post.event_status.as_deref(),
        },
    )
    .await?;
    match written {
        // A new post has no tags to clear.
        Some((id, true)) => db::post_tags::add(ex, id, &post.data.tags).await,
        Some((id, false)) => db::post_tags::set(ex, id, &post.data.tags).await,
        None => match db::posts::find_by_ap_id(ex, &p.ap_id).await? {
            // Written by another actor (of the same server), or one of ours: refused.
            Some(existing) if existing.local || existing.actor_id != p.actor_id => {
                Err(anyhow::Error::new(AppError::Forbidden(format!(
                    "{} belongs to another actor",
                    p.ap_id
                ))))
            }
            // A newer version is stored already, or the post was deleted: nothing to do.
            _ => Ok(()),
        },
    }
}
