//! Invitations this centre received to co-sign another centre's statement: the text of the
//! version it was invited to sign, as fetched from the drafting centre.

use super::{Exec, affected, with_exec};
use anyhow::Context;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReceivedRow {
    pub id: i64,
    pub public_id: String,
    pub statement_ap_id: String,
    pub from_actor_id: i64,
    pub invite_ap_id: String,
    pub version: i64,
    pub digest: String,
    pub title: String,
    pub summary: String,
    /// Sanitised HTML.
    pub content: String,
    pub language: Option<String>,
    /// JSON arrays of actor ids.
    pub invitees: String,
    pub signatories: String,
    pub deadline: Option<i64>,
    /// `pending`, `signed` or `declined`.
    pub state: String,
    pub received_at: i64,
    pub updated_at: i64,
    pub from_ap_id: String,
    pub from_username: String,
    pub from_domain: String,
    pub from_name: Option<String>,
    pub from_inbox: String,
}

macro_rules! select {
    ($where:literal) => {
        concat!(
            "SELECT i.id, i.public_id, i.statement_ap_id, i.from_actor_id, i.invite_ap_id, \
             i.version, i.digest, i.title, i.summary, i.content, i.language, i.invitees, \
             i.signatories, i.deadline, i.state, i.received_at, i.updated_at, \
             a.ap_id AS from_ap_id, a.username AS from_username, a.domain AS from_domain, \
             a.name AS from_name, a.inbox AS from_inbox \
             FROM invitations i JOIN actors a ON a.id = i.from_actor_id ",
            $where
        )
    };
}

/// A received invitation, as written.
pub struct ReceivedWrite<'a> {
    pub public_id: &'a str,
    pub statement_ap_id: &'a str,
    pub from_actor_id: i64,
    pub invite_ap_id: &'a str,
    pub version: i64,
    pub digest: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub content: &'a str,
    pub language: Option<&'a str>,
    pub invitees: &'a str,
    pub signatories: &'a str,
    pub deadline: Option<i64>,
}

/// Stores an invitation; an invitation to a newer version of the same statement replaces the
/// older one and is pending again.
pub async fn upsert(ex: Exec<'_>, w: &ReceivedWrite<'_>, now: i64) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO invitations (public_id, statement_ap_id, from_actor_id, \
        invite_ap_id, version, digest, title, summary, content, language, invitees, signatories, \
        deadline, state, received_at, updated_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'pending', $14, $14) \
        ON CONFLICT (statement_ap_id) DO UPDATE SET invite_ap_id = excluded.invite_ap_id, \
        version = excluded.version, digest = excluded.digest, title = excluded.title, \
        summary = excluded.summary, content = excluded.content, language = excluded.language, \
        invitees = excluded.invitees, signatories = excluded.signatories, \
        deadline = excluded.deadline, updated_at = excluded.updated_at, \
        state = CASE WHEN invitations.version = excluded.version THEN invitations.state \
        ELSE 'pending' END \
        WHERE invitations.from_actor_id = excluded.from_actor_id \
        AND invitations.version <= excluded.version";
    affected!(ex, c => sqlx::query(SQL).bind(w.public_id).bind(w.statement_ap_id)
        .bind(w.from_actor_id).bind(w.invite_ap_id).bind(w.version).bind(w.digest).bind(w.title)
        .bind(w.summary).bind(w.content).bind(w.language).bind(w.invitees).bind(w.signatories)
        .bind(w.deadline).bind(now).execute(c).await)
    .context("storing invitation")?;
    Ok(())
}

pub async fn list(ex: Exec<'_>, limit: i64) -> anyhow::Result<Vec<ReceivedRow>> {
    const SQL: &str = select!("ORDER BY i.updated_at DESC, i.id DESC LIMIT $1");
    with_exec!(ex, c => sqlx::query_as::<_, ReceivedRow>(SQL).bind(limit).fetch_all(c).await)
        .context("listing invitations")
}

pub async fn find_by_public_id(
    ex: Exec<'_>,
    public_id: &str,
) -> anyhow::Result<Option<ReceivedRow>> {
    const SQL: &str = select!("WHERE i.public_id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, ReceivedRow>(SQL).bind(public_id)
        .fetch_optional(c).await)
    .context("reading invitation")
}

pub async fn find_by_statement(ex: Exec<'_>, ap_id: &str) -> anyhow::Result<Option<ReceivedRow>> {
    const SQL: &str = select!("WHERE i.statement_ap_id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, ReceivedRow>(SQL).bind(ap_id).fetch_optional(c).await)
        .context("reading invitation")
}

pub async fn find_by_id(ex: Exec<'_>, id: i64) -> anyhow::Result<Option<ReceivedRow>> {
    const SQL: &str = select!("WHERE i.id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, ReceivedRow>(SQL).bind(id).fetch_optional(c).await)
        .context("reading invitation")
}

pub async fn set_state(ex: Exec<'_>, id: i64, state: &str, now: i64) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE invitations SET state = $2, updated_at = $3 WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(state).bind(now).execute(c).await)
        .context("updating invitation")?;
    Ok(())
}
