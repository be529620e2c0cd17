//! Boosts (`Announce`): rows of `posts` of kind `Announce` whose `boost_of` is the id of the
//! post shared. Ours are local, with a public id, and listed in the outbox; those of followed
//! centres come into the network feed. Deleting one marks it deleted (an `Undo`).

use super::posts::{PostRow, columns};
use super::{Exec, affected, with_exec};
use anyhow::Context;

/// A boost to store.
pub struct BoostWrite<'a> {
    /// The `Announce`'s id.
    pub ap_id: &'a str,
    pub public_id: Option<&'a str>,
    pub actor_id: i64,
    pub boost_of: &'a str,
    pub published: i64,
    pub local: bool,
}

/// Stores a boost; `None` when its id was stored already (a repeated delivery).
pub async fn insert(ex: Exec<'_>, b: &BoostWrite<'_>) -> anyhow::Result<Option<i64>> {
    const SQL: &str = "INSERT INTO posts (ap_id, public_id, actor_id, kind, visibility, content, \
        published, updated, local, data, boost_of) \
        VALUES ($1, $2, $3, 'Announce', 'public', '', $4, $4, $5, '{}', $6) \
        ON CONFLICT (ap_id) DO NOTHING RETURNING id";
    with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).bind(b.ap_id).bind(b.public_id)
        .bind(b.actor_id).bind(b.published).bind(b.local).bind(b.boost_of)
        .fetch_optional(c).await)
    .context("storing a boost")
}

/// Our live boost of `boost_of`, if any.
pub async fn ours_of(ex: Exec<'_>, boost_of: &str) -> anyhow::Result<Option<PostRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM posts p WHERE p.boost_of = $1 AND p.local = $2 AND p.kind = 'Announce' \
         AND p.deleted_at IS NULL"
    );
    with_exec!(ex, c => sqlx::query_as::<_, PostRow>(SQL).bind(boost_of).bind(true)
        .fetch_optional(c).await)
    .context("reading our boost")
}

/// Our boosts, newest first (live ones only).
pub async fn ours(ex: Exec<'_>, limit: i64) -> anyhow::Result<Vec<PostRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM posts p WHERE p.local = $1 AND p.kind = 'Announce' AND p.deleted_at IS NULL \
         ORDER BY p.published DESC, p.id DESC LIMIT $2"
    );
    with_exec!(ex, c => sqlx::query_as::<_, PostRow>(SQL).bind(true).bind(limit)
        .fetch_all(c).await)
    .context("listing our boosts")
}

/// Marks the boost `ap_id` of `actor_id` undone; returns how many rows changed.
pub async fn undo(ex: Exec<'_>, actor_id: i64, ap_id: &str, now: i64) -> anyhow::Result<u64> {
    const SQL: &str = "UPDATE posts SET deleted_at = $3 WHERE ap_id = $1 AND actor_id = $2 \
        AND kind = 'Announce' AND deleted_at IS NULL";
    affected!(ex, c => sqlx::query(SQL).bind(ap_id).bind(actor_id).bind(now).execute(c).await)
        .context("undoing a boost")
}
