//! API tokens, stored as SHA-256 hashes (the tokens are 256 random bits, so a fast hash is
//! enough: there is nothing to brute-force).

use super::{Exec, affected, with_exec};
use anyhow::Context;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub async fn insert(ex: Exec<'_>, name: &str, token_hash: &str, now: i64) -> anyhow::Result<i64> {
    const SQL: &str = "INSERT INTO api_tokens (name, token_hash, created_at) VALUES ($1, $2, $3) \
        RETURNING id";
    with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).bind(name).bind(token_hash).bind(now)
        .fetch_one(c).await)
    .context("storing API token")
}

/// The token with this hash, if it exists and is not revoked.
pub async fn find_active(ex: Exec<'_>, token_hash: &str) -> anyhow::Result<Option<TokenRow>> {
    const SQL: &str = "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens \
        WHERE token_hash = $1 AND revoked_at IS NULL";
    with_exec!(ex, c => sqlx::query_as::<_, TokenRow>(SQL).bind(token_hash).fetch_optional(c).await)
        .context("checking API token")
}

pub async fn list(ex: Exec<'_>) -> anyhow::Result<Vec<TokenRow>> {
    const SQL: &str = "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens \
        ORDER BY id";
    with_exec!(ex, c => sqlx::query_as::<_, TokenRow>(SQL).fetch_all(c).await)
        .context("listing API tokens")
}

/// Revokes the active tokens named `name`. Returns how many were revoked.
pub async fn revoke_by_name(ex: Exec<'_>, name: &str, now: i64) -> anyhow::Result<u64> {
    const SQL: &str = "UPDATE api_tokens SET revoked_at = $2 WHERE name = $1 \
        AND revoked_at IS NULL";
    let done = affected!(ex, c => sqlx::query(SQL).bind(name).bind(now).execute(c).await)
        .context("revoking API token")?;
    Ok(done)
}

/// Revokes one token. Returns whether it was active.
pub async fn revoke_by_id(ex: Exec<'_>, id: i64, now: i64) -> anyhow::Result<bool> {
    const SQL: &str = "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";
    let n = affected!(ex, c => sqlx::query(SQL).bind(id).bind(now).execute(c).await)
        .context("revoking API token")?;
    Ok(n > 0)
}
