//! The co-signatures this centre made: each a signed document served at its id until it is
//! withdrawn (then a Tombstone, 410).

use super::{Exec, affected, with_exec};
use anyhow::Context;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OwnSignatureRow {
    pub id: i64,
    pub public_id: String,
    pub ap_id: String,
    pub invitation_id: i64,
    pub statement_ap_id: String,
    pub version: i64,
    pub digest: String,
    /// The signed document, with its proof, exactly as served.
    pub json: String,
    /// `active` or `withdrawn`.
    pub state: String,
    /// Our `Announce` of the published statement, when we relayed it.
    pub announce_ap_id: Option<String>,
    pub created_at: i64,
    pub withdrawn_at: Option<i64>,
    pub statement_title: String,
    pub statement_from: String,
}

macro_rules! select {
    ($where:literal) => {
        concat!(
            "SELECT s.id, s.public_id, s.ap_id, s.invitation_id, s.statement_ap_id, s.version, \
             s.digest, s.json, s.state, s.announce_ap_id, s.created_at, s.withdrawn_at, \
             i.title AS statement_title, a.ap_id AS statement_from \
             FROM signatures s JOIN invitations i ON i.id = s.invitation_id \
             JOIN actors a ON a.id = i.from_actor_id ",
            $where
        )
    };
}

pub struct OwnSignatureWrite<'a> {
    pub public_id: &'a str,
    pub ap_id: &'a str,
    pub invitation_id: i64,
    pub statement_ap_id: &'a str,
    pub version: i64,
    pub digest: &'a str,
    pub json: &'a str,
}

pub async fn insert(ex: Exec<'_>, w: &OwnSignatureWrite<'_>, now: i64) -> anyhow::Result<i64> {
    const SQL: &str = "INSERT INTO signatures (public_id, ap_id, invitation_id, statement_ap_id, \
        version, digest, json, state, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8) RETURNING id";
    with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).bind(w.public_id).bind(w.ap_id)
        .bind(w.invitation_id).bind(w.statement_ap_id).bind(w.version).bind(w.digest)
        .bind(w.json).bind(now).fetch_one(c).await)
    .context("storing our signature")
}

pub async fn list(ex: Exec<'_>, limit: i64) -> anyhow::Result<Vec<OwnSignatureRow>> {
    const SQL: &str = select!("ORDER BY s.id DESC LIMIT $1");
    with_exec!(ex, c => sqlx::query_as::<_, OwnSignatureRow>(SQL).bind(limit).fetch_all(c).await)
        .context("listing our signatures")
}

/// Our signatures not withdrawn, newest first.
pub async fn list_active(ex: Exec<'_>, limit: i64) -> anyhow::Result<Vec<OwnSignatureRow>> {
    const SQL: &str = select!("WHERE s.state = 'active' ORDER BY s.id DESC LIMIT $1");
    with_exec!(ex, c => sqlx::query_as::<_, OwnSignatureRow>(SQL).bind(limit).fetch_all(c).await)
        .context("listing our active signatures")
}

pub async fn find_by_public_id(
    ex: Exec<'_>,
    public_id: &str,
) -> anyhow::Result<Option<OwnSignatureRow>> {
    const SQL: &str = select!("WHERE s.public_id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, OwnSignatureRow>(SQL).bind(public_id)
        .fetch_optional(c).await)
    .context("reading our signature")
}

pub async fn find_by_ap_id(ex: Exec<'_>, ap_id: &str) -> anyhow::Result<Option<OwnSignatureRow>> {
    const SQL: &str = select!("WHERE s.ap_id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, OwnSignatureRow>(SQL).bind(ap_id)
        .fetch_optional(c).await)
    .context("reading our signature")
}

/// Our latest active signature of a statement.
pub async fn active_for(
    ex: Exec<'_>,
    statement_ap_id: &str,
) -> anyhow::Result<Option<OwnSignatureRow>> {
    const SQL: &str =
        select!("WHERE s.statement_ap_id = $1 AND s.state = 'active' ORDER BY s.id DESC LIMIT 1");
    with_exec!(ex, c => sqlx::query_as::<_, OwnSignatureRow>(SQL).bind(statement_ap_id)
        .fetch_optional(c).await)
    .context("reading our signature")
}

/// Every active signature of a statement (older versions included).
pub async fn all_active_for(
    ex: Exec<'_>,
    statement_ap_id: &str,
) -> anyhow::Result<Vec<OwnSignatureRow>> {
    const SQL: &str = select!("WHERE s.statement_ap_id = $1 AND s.state = 'active' ORDER BY s.id");
    with_exec!(ex, c => sqlx::query_as::<_, OwnSignatureRow>(SQL).bind(statement_ap_id)
        .fetch_all(c).await)
    .context("reading our signatures")
}

pub async fn withdraw(ex: Exec<'_>, id: i64, now: i64) -> anyhow::Result<bool> {
    const SQL: &str = "UPDATE signatures SET state = 'withdrawn', withdrawn_at = $2 \
        WHERE id = $1 AND state = 'active'";
    let n = affected!(ex, c => sqlx::query(SQL).bind(id).bind(now).execute(c).await)
        .context("withdrawing our signature")?;
    Ok(n > 0)
}

pub async fn set_announce(ex: Exec<'_>, id: i64, announce: Option<&str>) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE signatures SET announce_ap_id = $2 WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(announce).execute(c).await)
        .context("recording our announce")?;
    Ok(())
}
