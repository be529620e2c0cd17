//! Our centre's participations in other servers' events (the `Join`s we send).

use super::{Exec, affected, with_exec};
use anyhow::Context;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ParticipationRow {
    pub id: i64,
    pub public_id: String,
    pub event_ap_id: String,
    pub organiser_id: i64,
    pub join_ap_id: String,
    pub state: String,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

/// The columns of a participation, then `$rest`.
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, public_id, event_ap_id, organiser_id, join_ap_id, state, ",
            "created_at, decided_at FROM participations ",
            $rest
        )
    };
}

/// The fields of a new participation.
#[derive(Clone, Debug)]
pub struct ParticipationWrite<'a> {
    pub public_id: &'a str,
    pub event_ap_id: &'a str,
    pub organiser_id: i64,
    pub join_ap_id: &'a str,
    pub now: i64,
}

/// Records a pending participation. Returns false when we already take part in the event.
pub async fn insert(ex: Exec<'_>, p: &ParticipationWrite<'_>) -> anyhow::Result<bool> {
    const SQL: &str = "INSERT INTO participations \
        (public_id, event_ap_id, organiser_id, join_ap_id, state, created_at) \
        VALUES ($1, $2, $3, $4, 'pending', $5) ON CONFLICT DO NOTHING";
    let n = affected!(ex, c => sqlx::query(SQL)
        .bind(p.public_id)
        .bind(p.event_ap_id)
        .bind(p.organiser_id)
        .bind(p.join_ap_id)
        .bind(p.now)
        .execute(c)
        .await)
    .context("recording a participation of ours")?;
    Ok(n > 0)
}

/// Our participation in the event `event_ap_id`.
pub async fn find_by_event(
    ex: Exec<'_>,
    event_ap_id: &str,
) -> anyhow::Result<Option<ParticipationRow>> {
    const SQL: &str = select!("WHERE event_ap_id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, ParticipationRow>(SQL)
        .bind(event_ap_id)
        .fetch_optional(c)
        .await)
    .context("reading a participation of ours")
}

/// Sets the state of our Join `join_ap_id`, answered by `organiser_id`. Returns the rows
/// changed (0 when the Join is not ours or the organiser is another actor).
pub async fn answer(
    ex: Exec<'_>,
    join_ap_id: &str,
    organiser_id: i64,
    state: &str,
    now: i64,
) -> anyhow::Result<u64> {
    const SQL: &str = "UPDATE participations SET state = $1, decided_at = $2 \
        WHERE join_ap_id = $3 AND organiser_id = $4";
    affected!(ex, c => sqlx::query(SQL)
        .bind(state)
        .bind(now)
        .bind(join_ap_id)
        .bind(organiser_id)
        .execute(c)
        .await)
    .context("answering a participation of ours")
}

/// Our participations, newest first (at most `limit`).
pub async fn list(ex: Exec<'_>, limit: i64) -> anyhow::Result<Vec<ParticipationRow>> {
    const SQL: &str = select!("ORDER BY created_at DESC, id DESC LIMIT $1");
    with_exec!(ex, c => sqlx::query_as::<_, ParticipationRow>(SQL)
        .bind(limit)
        .fetch_all(c)
        .await)
    .context("listing participations of ours")
}
