//! Followers of the centre (incoming follows), accepted or held for approval.

use super::{Exec, affected, with_exec};
use anyhow::Context;

/// One follower, with the following actor's ids.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FollowerRow {
    pub id: i64,
    pub public_id: String,
    pub actor_id: i64,
    pub follow_ap_id: String,
    pub state: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub actor_ap_id: String,
    pub actor_username: String,
    pub actor_domain: String,
    pub actor_inbox: String,
}

macro_rules! select {
    ($where:literal) => {
        concat!(
            "SELECT r.id, r.public_id, r.actor_id, r.follow_ap_id, r.state, r.created_at, \
             r.updated_at, a.ap_id AS actor_ap_id, a.username AS actor_username, \
             a.domain AS actor_domain, a.inbox AS actor_inbox \
             FROM followers r JOIN actors a ON a.id = r.actor_id ",
            $where
        )
    };
}

/// Records a Follow received from `actor_id`. A repeated Follow refreshes the Follow id and
/// keeps an accepted follower accepted.
pub async fn upsert(
    ex: Exec<'_>,
    public_id: &str,
    actor_id: i64,
    follow_ap_id: &str,
    state: &str,
    now: i64,
) -> anyhow::Result<FollowerRow> {
    const UPSERT: &str = "INSERT INTO followers (public_id, actor_id, follow_ap_id, state, \
        created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
        ON CONFLICT (actor_id) DO UPDATE SET follow_ap_id = excluded.follow_ap_id, \
        state = CASE WHEN followers.state = 'accepted' THEN 'accepted' ELSE excluded.state END, \
        updated_at = excluded.updated_at";
    const SELECT: &str = select!("WHERE r.actor_id = $1");
    let mut ex = ex;
    affected!(ex.reborrow(), c => sqlx::query(UPSERT).bind(public_id).bind(actor_id)
        .bind(follow_ap_id).bind(state).bind(now).execute(c).await)
    .context("recording follower")?;
    with_exec!(ex, c => sqlx::query_as::<_, FollowerRow>(SELECT).bind(actor_id).fetch_one(c).await)
        .context("reading follower")
}

pub async fn find_by_public_id(
    ex: Exec<'_>,
    public_id: &str,
) -> anyhow::Result<Option<FollowerRow>> {
    const SQL: &str = select!("WHERE r.public_id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, FollowerRow>(SQL).bind(public_id).fetch_optional(c).await)
        .context("reading follower")
}

pub async fn find_by_actor(ex: Exec<'_>, actor_id: i64) -> anyhow::Result<Option<FollowerRow>> {
    const SQL: &str = select!("WHERE r.actor_id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, FollowerRow>(SQL).bind(actor_id).fetch_optional(c).await)
        .context("reading follower")
}

pub async fn set_state(ex: Exec<'_>, id: i64, state: &str, now: i64) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE followers SET state = $2, updated_at = $3 WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(state).bind(now).execute(c).await)
        .context("updating follower")?;
    Ok(())
}

/// Removes the follower row of `actor_id`. Returns whether there was one.
pub async fn remove_actor(ex: Exec<'_>, actor_id: i64) -> anyhow::Result<bool> {
    const SQL: &str = "DELETE FROM followers WHERE actor_id = $1";
    let done = affected!(ex, c => sqlx::query(SQL).bind(actor_id).execute(c).await)
        .context("removing follower")?;
    Ok(done > 0)
}

/// Every follower in `state` (or all when `None`), newest first.
pub async fn list(ex: Exec<'_>, state: Option<&str>) -> anyhow::Result<Vec<FollowerRow>> {
    const SQL: &str = select!("WHERE ($1 IS NULL OR r.state = $1) ORDER BY r.id DESC");
    with_exec!(ex, c => sqlx::query_as::<_, FollowerRow>(SQL).bind(state).fetch_all(c).await)
        .context("listing followers")
}

/// A page of accepted followers by descending id, for the `followers` collection.
pub async fn accepted_page(
    ex: Exec<'_>,
    before_id: i64,
    limit: i64,
) -> anyhow::Result<Vec<FollowerRow>> {
    const SQL: &str =
        select!("WHERE r.state = 'accepted' AND r.id < $1 ORDER BY r.id DESC LIMIT $2");
    with_exec!(ex, c => sqlx::query_as::<_, FollowerRow>(SQL).bind(before_id).bind(limit)
        .fetch_all(c).await)
    .context("listing followers")
}

pub async fn accepted_count(ex: Exec<'_>) -> anyhow::Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM followers WHERE state = 'accepted'";
    with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).fetch_one(c).await)
        .context("counting followers")
}

/// The distinct delivery inboxes of accepted followers: the shared inbox when the actor has one,
/// so each server gets one POST.
pub async fn delivery_inboxes(ex: Exec<'_>) -> anyhow::Result<Vec<String>> {
    const SQL: &str = "SELECT DISTINCT COALESCE(a.shared_inbox, a.inbox) FROM followers r \
        JOIN actors a ON a.id = r.actor_id WHERE r.state = 'accepted' ORDER BY 1";
    with_exec!(ex, c => sqlx::query_scalar::<_, String>(SQL).fetch_all(c).await)
        .context("listing follower inboxes")
}

/// Removes the followers whose personal inbox is `inbox` (it answered 410 Gone). Returns how
/// many were removed.
pub async fn remove_by_inbox(ex: Exec<'_>, inbox: &str) -> anyhow::Result<u64> {
    const SQL: &str = "DELETE FROM followers WHERE actor_id IN \
        (SELECT id FROM actors WHERE inbox = $1 AND local = $2)";
    affected!(ex, c => sqlx::query(SQL).bind(inbox).bind(false).execute(c).await)
        .context("removing gone followers")
}

/// Removes the followers on a domain (or its subdomains). Returns how many.
pub async fn remove_domain(
    ex: Exec<'_>,
    domain: &str,
    like_subdomain: &str,
) -> anyhow::Result<u64> {
    const SQL: &str = "DELETE FROM followers WHERE actor_id IN \
        (SELECT id FROM actors WHERE domain = $1 OR domain LIKE $2)";
    affected!(ex, c => sqlx::query(SQL).bind(domain).bind(like_subdomain).execute(c).await)
        .context("removing followers of a blocked domain")
}
