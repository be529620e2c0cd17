//! Participants of our events (incoming `Join`/`Leave`). `state` is `accepted`, `pending`
//! (a restricted event, waiting for staff) or `rejected` (by staff).

use super::{Exec, affected, with_exec};
use anyhow::Context;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ParticipantRow {
    pub id: i64,
    pub post_id: i64,
    pub actor_id: i64,
    pub state: String,
    pub join_ap_id: String,
    pub message: String,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub actor_ap_id: String,
    pub actor_username: String,
    pub actor_domain: String,
    pub actor_name: Option<String>,
    pub actor_inbox: String,
}

/// The participant columns with the actor's, then `$where`.
macro_rules! select {
    ($where:literal) => {
        concat!(
            "SELECT p.id, p.post_id, p.actor_id, p.state, p.join_ap_id, p.message, ",
            "p.created_at, p.decided_at, a.ap_id AS actor_ap_id, a.username AS actor_username, ",
            "a.domain AS actor_domain, a.name AS actor_name, a.inbox AS actor_inbox ",
            "FROM participants p JOIN actors a ON a.id = p.actor_id ",
            $where
        )
    };
}

/// Serialises decisions on one event: a no-op write on its row, which takes the row lock on
/// PostgreSQL and the write lock on SQLite, so that two Joins cannot both take the last seat.
pub async fn lock_event(ex: Exec<'_>, post_id: i64) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE posts SET sequence = sequence WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(post_id).execute(c).await)
        .context("locking an event")?;
    Ok(())
}

/// The actor's participation in the event, if any.
pub async fn find(
    ex: Exec<'_>,
    post_id: i64,
    actor_id: i64,
) -> anyhow::Result<Option<ParticipantRow>> {
    const SQL: &str = select!("WHERE p.post_id = $1 AND p.actor_id = $2");
    with_exec!(ex, c => sqlx::query_as::<_, ParticipantRow>(SQL)
        .bind(post_id)
        .bind(actor_id)
        .fetch_optional(c)
        .await)
    .context("reading a participation")
}

/// A participation by its id, within the event `post_id`.
pub async fn find_by_id(
    ex: Exec<'_>,
    post_id: i64,
    id: i64,
) -> anyhow::Result<Option<ParticipantRow>> {
    const SQL: &str = select!("WHERE p.post_id = $1 AND p.id = $2");
    with_exec!(ex, c => sqlx::query_as::<_, ParticipantRow>(SQL)
        .bind(post_id)
        .bind(id)
        .fetch_optional(c)
        .await)
    .context("reading a participation")
}

/// The actor's participation recorded under the Join `join_ap_id`.
pub async fn find_by_join(
    ex: Exec<'_>,
    actor_id: i64,
    join_ap_id: &str,
) -> anyhow::Result<Option<ParticipantRow>> {
    const SQL: &str = select!("WHERE p.actor_id = $1 AND p.join_ap_id = $2");
    with_exec!(ex, c => sqlx::query_as::<_, ParticipantRow>(SQL)
        .bind(actor_id)
        .bind(join_ap_id)
        .fetch_optional(c)
        .await)
    .context("reading a participation")
}

/// The fields of a new participation.
#[derive(Clone, Debug)]
pub struct ParticipantWrite<'a> {
    pub post_id: i64,
    pub actor_id: i64,
    pub state: &'a str,
    pub join_ap_id: &'a str,
    pub message: &'a str,
    pub now: i64,
}

/// Records a participation. Returns false when the actor already has one in this event, or
/// the Join id is known.
pub async fn insert(ex: Exec<'_>, p: &ParticipantWrite<'_>) -> anyhow::Result<bool> {
    const SQL: &str = "INSERT INTO participants \
        (post_id, actor_id, state, join_ap_id, message, created_at, decided_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING";
    let decided = (p.state != "pending").then_some(p.now);
    let n = affected!(ex, c => sqlx::query(SQL)
        .bind(p.post_id)
        .bind(p.actor_id)
        .bind(p.state)
        .bind(p.join_ap_id)
        .bind(p.message)
        .bind(p.now)
        .bind(decided)
        .execute(c)
        .await)
    .context("recording a participation")?;
    Ok(n > 0)
}

/// Sets the state of a participation (a staff decision).
pub async fn set_state(ex: Exec<'_>, id: i64, state: &str, now: i64) -> anyhow::Result<u64> {
    const SQL: &str = "UPDATE participants SET state = $1, decided_at = $2 WHERE id = $3";
    affected!(ex, c => sqlx::query(SQL).bind(state).bind(now).bind(id).execute(c).await)
        .context("deciding a participation")
}

/// Removes a participation (a Leave, or before a new Join replaces a rejected one).
pub async fn remove(ex: Exec<'_>, id: i64) -> anyhow::Result<u64> {
    const SQL: &str = "DELETE FROM participants WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).execute(c).await)
        .context("removing a participation")
}

/// Accepted participants of an event.
pub async fn accepted_count(ex: Exec<'_>, post_id: i64) -> anyhow::Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM participants WHERE post_id = $1 AND state = 'accepted'";
    with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).bind(post_id).fetch_one(c).await)
        .context("counting participants")
}

/// Every participation in an event, oldest first (at most `limit`).
pub async fn list(ex: Exec<'_>, post_id: i64, limit: i64) -> anyhow::Result<Vec<ParticipantRow>> {
    const SQL: &str = select!("WHERE p.post_id = $1 ORDER BY p.created_at, p.id LIMIT $2");
    with_exec!(ex, c => sqlx::query_as::<_, ParticipantRow>(SQL)
        .bind(post_id)
        .bind(limit)
        .fetch_all(c)
        .await)
    .context("listing participants")
}
