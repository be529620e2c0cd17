//! Likes and boosts of our posts by remote actors (`kind` is `like` or `boost`).

use super::{Exec, affected, with_exec};
use anyhow::Context;

/// Records a reaction. Returns false if the actor had already reacted so (or the activity id
/// is known).
pub async fn insert(
    ex: Exec<'_>,
    post_id: i64,
    actor_id: i64,
    kind: &str,
    ap_id: &str,
    now: i64,
) -> anyhow::Result<bool> {
    const SQL: &str = "INSERT INTO reactions (post_id, actor_id, kind, ap_id, created_at) \
        VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
    let n = affected!(ex, c => sqlx::query(SQL)
        .bind(post_id)
        .bind(actor_id)
        .bind(kind)
        .bind(ap_id)
        .bind(now)
        .execute(c)
        .await)
    .context("recording a reaction")?;
    Ok(n > 0)
}

/// Removes the actor's reaction recorded under the activity id `ap_id`, or, when the undo
/// names no id we know, the actor's reaction of `kind` to the post `post_ap_id`.
pub async fn remove(
    ex: Exec<'_>,
    actor_id: i64,
    kind: &str,
    ap_id: Option<&str>,
    post_ap_id: Option<&str>,
) -> anyhow::Result<u64> {
    const SQL: &str = "DELETE FROM reactions WHERE actor_id = $1 AND kind = $2 AND \
        (ap_id = $3 OR post_id IN (SELECT id FROM posts WHERE ap_id = $4 AND local = $5))";
    affected!(ex, c => sqlx::query(SQL)
        .bind(actor_id)
        .bind(kind)
        .bind(ap_id.unwrap_or(""))
        .bind(post_ap_id.unwrap_or(""))
        .bind(true)
        .execute(c)
        .await)
    .context("removing a reaction")
}

/// `(likes, boosts)` of a post.
pub async fn counts(ex: Exec<'_>, post_id: i64) -> anyhow::Result<(i64, i64)> {
    const SQL: &str = "SELECT \
        COALESCE(SUM(CASE WHEN kind = 'like' THEN 1 ELSE 0 END), 0), \
        COALESCE(SUM(CASE WHEN kind = 'boost' THEN 1 ELSE 0 END), 0) \
        FROM reactions WHERE post_id = $1";
    with_exec!(ex, c => sqlx::query_as::<_, (i64, i64)>(SQL).bind(post_id).fetch_one(c).await)
        .context("counting reactions")
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReactionRow {
    pub kind: String,
    pub created_at: i64,
    pub actor_ap_id: String,
    pub actor_username: String,
    pub actor_domain: String,
    pub actor_name: Option<String>,
}

/// Who liked and boosted a post, newest first (at most `limit`).
pub async fn list(ex: Exec<'_>, post_id: i64, limit: i64) -> anyhow::Result<Vec<ReactionRow>> {
    const SQL: &str = "SELECT r.kind, r.created_at, a.ap_id AS actor_ap_id, \
        a.username AS actor_username, a.domain AS actor_domain, a.name AS actor_name \
        FROM reactions r JOIN actors a ON a.id = r.actor_id \
        WHERE r.post_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT $2";
    with_exec!(ex, c => sqlx::query_as::<_, ReactionRow>(SQL)
        .bind(post_id)
        .bind(limit)
        .fetch_all(c)
        .await)
    .context("listing reactions")
}
