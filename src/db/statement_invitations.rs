//! Invitations this centre sent to co-sign its statements: one row per statement and invited
//! actor, with the `Invite` activity of the latest version.

use super::{Exec, affected, with_exec};
use anyhow::Context;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: i64,
    pub statement_id: i64,
    pub actor_id: i64,
    pub invite_ap_id: String,
    pub version: i64,
    /// `pending`, `signed` or `declined`.
    pub state: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub actor_ap_id: String,
    pub actor_username: String,
    pub actor_domain: String,
    pub actor_name: Option<String>,
}

macro_rules! select {
    ($where:literal) => {
        concat!(
            "SELECT i.id, i.statement_id, i.actor_id, i.invite_ap_id, i.version, i.state, \
             i.created_at, i.updated_at, a.ap_id AS actor_ap_id, a.username AS actor_username, \
             a.domain AS actor_domain, a.name AS actor_name \
             FROM statement_invitations i JOIN actors a ON a.id = i.actor_id ",
            $where
        )
    };
}

/// Records (or renews, for a new version) the invitation of `actor_id`, pending.
pub async fn upsert(
    ex: Exec<'_>,
    statement_id: i64,
    actor_id: i64,
    invite_ap_id: &str,
    version: i64,
    now: i64,
) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO statement_invitations (statement_id, actor_id, invite_ap_id, \
        version, state, created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', $5, $5) \
        ON CONFLICT (statement_id, actor_id) DO UPDATE SET invite_ap_id = excluded.invite_ap_id, \
        version = excluded.version, state = 'pending', updated_at = excluded.updated_at";
    affected!(ex, c => sqlx::query(SQL).bind(statement_id).bind(actor_id).bind(invite_ap_id)
        .bind(version).bind(now).execute(c).await)
    .context("recording invitation")?;
    Ok(())
}

pub async fn list(ex: Exec<'_>, statement_id: i64) -> anyhow::Result<Vec<InvitationRow>> {
    const SQL: &str = select!("WHERE i.statement_id = $1 ORDER BY i.id");
    with_exec!(ex, c => sqlx::query_as::<_, InvitationRow>(SQL).bind(statement_id)
        .fetch_all(c).await)
    .context("listing invitations")
}

/// The invitation whose latest `Invite` has this id.
pub async fn find_by_invite(
    ex: Exec<'_>,
    invite_ap_id: &str,
) -> anyhow::Result<Option<InvitationRow>> {
    const SQL: &str = select!("WHERE i.invite_ap_id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, InvitationRow>(SQL).bind(invite_ap_id)
        .fetch_optional(c).await)
    .context("reading invitation")
}

pub async fn find(
    ex: Exec<'_>,
    statement_id: i64,
    actor_id: i64,
) -> anyhow::Result<Option<InvitationRow>> {
    const SQL: &str = select!("WHERE i.statement_id = $1 AND i.actor_id = $2");
    with_exec!(ex, c => sqlx::query_as::<_, InvitationRow>(SQL).bind(statement_id)
        .bind(actor_id).fetch_optional(c).await)
    .context("reading invitation")
}

pub async fn set_state(ex: Exec<'_>, id: i64, state: &str, now: i64) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE statement_invitations SET state = $2, updated_at = $3 WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(state).bind(now).execute(c).await)
        .context("updating invitation")?;
    Ok(())
}
