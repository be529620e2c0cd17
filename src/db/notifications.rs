//! Mentions of the centre and replies to its posts, for staff.

use super::{Exec, affected, with_exec};
use anyhow::Context;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub kind: String,
    pub object_ap_id: String,
    pub in_reply_to: Option<String>,
    pub content: String,
    pub created_at: i64,
    pub actor_ap_id: String,
    pub actor_username: String,
    pub actor_domain: String,
}

/// Records a notification once per (kind, object).
pub async fn insert(
    ex: Exec<'_>,
    kind: &str,
    actor_id: i64,
    object_ap_id: &str,
    in_reply_to: Option<&str>,
    content: &str,
    now: i64,
) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO notifications (kind, actor_id, object_ap_id, in_reply_to, \
        content, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
        ON CONFLICT (kind, object_ap_id) DO NOTHING";
    affected!(ex, c => sqlx::query(SQL).bind(kind).bind(actor_id).bind(object_ap_id)
        .bind(in_reply_to).bind(content).bind(now).execute(c).await)
    .context("recording notification")?;
    Ok(())
}

/// The newest notifications first, below `before_id`.
pub async fn list(
    ex: Exec<'_>,
    before_id: i64,
    limit: i64,
) -> anyhow::Result<Vec<NotificationRow>> {
    const SQL: &str = "SELECT n.id, n.kind, n.object_ap_id, n.in_reply_to, n.content, \
        n.created_at, a.ap_id AS actor_ap_id, a.username AS actor_username, \
        a.domain AS actor_domain \
        FROM notifications n JOIN actors a ON a.id = n.actor_id \
        WHERE n.id < $1 ORDER BY n.id DESC LIMIT $2";
    with_exec!(ex, c => sqlx::query_as::<_, NotificationRow>(SQL).bind(before_id).bind(limit)
        .fetch_all(c).await)
    .context("listing notifications")
}

/// Forgets every notification an actor caused (it was deleted).
pub async fn delete_for_actor(ex: Exec<'_>, actor_id: i64) -> anyhow::Result<u64> {
    const SQL: &str = "DELETE FROM notifications WHERE actor_id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(actor_id).execute(c).await)
        .context("removing notifications of an actor")
}

/// Forgets the notifications about an object (its author deleted it).
pub async fn delete_for_object(ex: Exec<'_>, object_ap_id: &str) -> anyhow::Result<()> {
    const SQL: &str = "DELETE FROM notifications WHERE object_ap_id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(object_ap_id).execute(c).await)
        .context("removing notifications")?;
    Ok(())
}
