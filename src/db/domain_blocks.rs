//! Blocked domains: nothing from them is accepted, fetched or delivered.

use super::{Exec, affected, with_exec};
use anyhow::Context;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DomainBlockRow {
    pub domain: String,
    pub created_at: i64,
}

/// Blocks a domain. Returns false if it was already blocked.
pub async fn insert(ex: Exec<'_>, domain: &str, now: i64) -> anyhow::Result<bool> {
    const SQL: &str = "INSERT INTO domain_blocks (domain, created_at) VALUES ($1, $2) \
        ON CONFLICT (domain) DO NOTHING";
    let n = affected!(ex, c => sqlx::query(SQL).bind(domain).bind(now).execute(c).await)
        .context("blocking domain")?;
    Ok(n > 0)
}

/// Unblocks a domain. Returns whether it was blocked.
pub async fn delete(ex: Exec<'_>, domain: &str) -> anyhow::Result<bool> {
    const SQL: &str = "DELETE FROM domain_blocks WHERE domain = $1";
    let n = affected!(ex, c => sqlx::query(SQL).bind(domain).execute(c).await)
        .context("unblocking domain")?;
    Ok(n > 0)
}

pub async fn list(ex: Exec<'_>) -> anyhow::Result<Vec<DomainBlockRow>> {
    const SQL: &str = "SELECT domain, created_at FROM domain_blocks ORDER BY domain";
    with_exec!(ex, c => sqlx::query_as::<_, DomainBlockRow>(SQL).fetch_all(c).await)
        .context("listing domain blocks")
}
