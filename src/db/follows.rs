//! Follows the centre makes (outgoing): one row per followed actor.

use super::{Exec, affected, with_exec};
use anyhow::Context;

/// One follow of ours, with the followed actor's ids.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FollowRow {
    pub id: i64,
    pub public_id: String,
    pub ap_id: String,
    pub target_id: i64,
    pub state: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub target_ap_id: String,
    pub target_username: String,
    pub target_domain: String,
}

macro_rules! select {
    ($where:literal) => {
        concat!(
            "SELECT f.id, f.public_id, f.ap_id, f.target_id, f.state, f.created_at, f.updated_at, \
             a.ap_id AS target_ap_id, a.username AS target_username, a.domain AS target_domain \
             FROM follows f JOIN actors a ON a.id = f.target_id ",
            $where
        )
    };
}

/// Records a new pending follow of `target_id`.
pub async fn insert(
    ex: Exec<'_>,
    public_id: &str,
    ap_id: &str,
    target_id: i64,
    now: i64,
) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO follows (public_id, ap_id, target_id, state, created_at, \
        updated_at) VALUES ($1, $2, $3, 'pending', $4, $4)";
    affected!(ex, c => sqlx::query(SQL).bind(public_id).bind(ap_id).bind(target_id).bind(now)
        .execute(c).await)
    .context("recording follow")?;
    Ok(())
}

pub async fn find_by_target(ex: Exec<'_>, target_id: i64) -> anyhow::Result<Option<FollowRow>> {
    const SQL: &str = select!("WHERE f.target_id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, FollowRow>(SQL).bind(target_id).fetch_optional(c).await)
        .context("reading follow")
}

pub async fn find_by_public_id(ex: Exec<'_>, public_id: &str) -> anyhow::Result<Option<FollowRow>> {
    const SQL: &str = select!("WHERE f.public_id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, FollowRow>(SQL).bind(public_id).fetch_optional(c).await)
        .context("reading follow")
}

pub async fn find_by_ap_id(ex: Exec<'_>, ap_id: &str) -> anyhow::Result<Option<FollowRow>> {
    const SQL: &str = select!("WHERE f.ap_id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, FollowRow>(SQL).bind(ap_id).fetch_optional(c).await)
        .context("reading follow")
}

/// Sets the state of a follow (`pending`, `accepted`, `rejected`).
pub async fn set_state(ex: Exec<'_>, id: i64, state: &str, now: i64) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE follows SET state = $2, updated_at = $3 WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(state).bind(now).execute(c).await)
        .context("updating follow")?;
    Ok(())
}

/// Forgets our follow of an actor, whatever its state (the actor was deleted).
pub async fn delete_of_target(ex: Exec<'_>, target_id: i64) -> anyhow::Result<u64> {
    const SQL: &str = "DELETE FROM follows WHERE target_id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(target_id).execute(c).await)
        .context("deleting follows of an actor")
}

pub async fn delete(ex: Exec<'_>, id: i64) -> anyhow::Result<()> {
    const SQL: &str = "DELETE FROM follows WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).execute(c).await).context("deleting follow")?;
    Ok(())
}

/// Every follow, newest first.
pub async fn list(ex: Exec<'_>) -> anyhow::Result<Vec<FollowRow>> {
    const SQL: &str = select!("ORDER BY f.id DESC");
    with_exec!(ex, c => sqlx::query_as::<_, FollowRow>(SQL).fetch_all(c).await)
        .context("listing follows")
}

/// A page of accepted follows by descending id, for the `following` collection.
pub async fn accepted_page(
    ex: Exec<'_>,
    before_id: i64,
    limit: i64,
) -> anyhow::Result<Vec<FollowRow>> {
    const SQL: &str =
        select!("WHERE f.state = 'accepted' AND f.id < $1 ORDER BY f.id DESC LIMIT $2");
    with_exec!(ex, c => sqlx::query_as::<_, FollowRow>(SQL).bind(before_id).bind(limit)
        .fetch_all(c).await)
    .context("listing following")
}

pub async fn accepted_count(ex: Exec<'_>) -> anyhow::Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM follows WHERE state = 'accepted'";
    with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).fetch_one(c).await)
        .context("counting following")
}
