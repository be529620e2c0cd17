//! Co-signatures of our statements, listed only after each was fetched from its signer's own
//! server and checked (see `actions::statement_signatures`). One per statement and signer:
//! the latest.

use super::{Exec, affected, with_exec};
use anyhow::Context;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SignatureRow {
    pub id: i64,
    pub statement_id: i64,
    pub actor_id: i64,
    pub signature_url: String,
    pub version: i64,
    pub digest: String,
    /// `valid` (this version), `stale` (an older version), `withdrawn`, `invalid`.
    pub state: String,
    /// The co-signature document as fetched.
    pub json: String,
    pub error: Option<String>,
    pub verified_at: i64,
    pub created_at: i64,
    pub actor_ap_id: String,
    pub actor_username: String,
    pub actor_domain: String,
    pub actor_name: Option<String>,
    /// The signer's actor `data` (its logo).
    pub actor_data: String,
}

macro_rules! select {
    ($where:literal) => {
        concat!(
            "SELECT s.id, s.statement_id, s.actor_id, s.signature_url, s.version, s.digest, \
             s.state, s.json, s.error, s.verified_at, s.created_at, a.ap_id AS actor_ap_id, \
             a.username AS actor_username, a.domain AS actor_domain, a.name AS actor_name, \
             a.data AS actor_data \
             FROM statement_signatures s JOIN actors a ON a.id = s.actor_id ",
            $where
        )
    };
}

/// What a verified signature records.
pub struct SignatureWrite<'a> {
    pub statement_id: i64,
    pub actor_id: i64,
    pub signature_url: &'a str,
    pub version: i64,
    pub digest: &'a str,
    pub state: &'a str,
    pub json: &'a str,
    pub verified_at: i64,
}

/// Stores the signer's latest verified signature (replacing an older one).
pub async fn upsert(ex: Exec<'_>, s: &SignatureWrite<'_>) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO statement_signatures (statement_id, actor_id, signature_url, \
        version, digest, state, json, verified_at, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
        ON CONFLICT (statement_id, actor_id) DO UPDATE SET signature_url = excluded.signature_url, \
        version = excluded.version, digest = excluded.digest, state = excluded.state, \
        json = excluded.json, error = NULL, verified_at = excluded.verified_at";
    affected!(ex, c => sqlx::query(SQL).bind(s.statement_id).bind(s.actor_id)
        .bind(s.signature_url).bind(s.version).bind(s.digest).bind(s.state).bind(s.json)
        .bind(s.verified_at).execute(c).await)
    .context("storing signature")?;
    Ok(())
}

pub async fn list(ex: Exec<'_>, statement_id: i64) -> anyhow::Result<Vec<SignatureRow>> {
    const SQL: &str = select!("WHERE s.statement_id = $1 ORDER BY s.created_at, s.id");
    with_exec!(ex, c => sqlx::query_as::<_, SignatureRow>(SQL).bind(statement_id)
        .fetch_all(c).await)
    .context("listing signatures")
}

pub async fn find_by_url(ex: Exec<'_>, url: &str) -> anyhow::Result<Option<SignatureRow>> {
    const SQL: &str = select!("WHERE s.signature_url = $1");
    with_exec!(ex, c => sqlx::query_as::<_, SignatureRow>(SQL).bind(url).fetch_optional(c).await)
        .context("reading signature")
}

/// Records the outcome of a re-verification.
pub async fn set_state(
    ex: Exec<'_>,
    id: i64,
    state: &str,
    error: Option<&str>,
    now: i64,
) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE statement_signatures SET state = $2, error = $3, verified_at = $4 \
        WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(state).bind(error).bind(now).execute(c).await)
        .context("updating signature")?;
    Ok(())
}

/// Marks every valid signature of an older version than `version` stale.
pub async fn mark_stale(ex: Exec<'_>, statement_id: i64, version: i64) -> anyhow::Result<u64> {
    const SQL: &str = "UPDATE statement_signatures SET state = 'stale' WHERE statement_id = $1 \
        AND version < $2 AND state = 'valid'";
    affected!(ex, c => sqlx::query(SQL).bind(statement_id).bind(version).execute(c).await)
        .context("marking signatures stale")
}
