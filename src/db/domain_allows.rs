//! Allowed domains: in allowlist mode, the only ones we accept, fetch from and deliver to.

use super::{Exec, affected, with_exec};
use anyhow::Context;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DomainAllowRow {
    pub domain: String,
    pub created_at: i64,
}

/// Allows a domain. Returns false if it was already allowed.
pub async fn insert(ex: Exec<'_>, domain: &str, now: i64) -> anyhow::Result<bool> {
    const SQL: &str = "INSERT INTO domain_allows (domain, created_at) VALUES ($1, $2) \
        ON CONFLICT (domain) DO NOTHING";
    let n = affected!(ex, c => sqlx::query(SQL).bind(domain).bind(now).execute(c).await)
        .context("allowing domain")?;
    Ok(n > 0)
}

/// Removes a domain from the allowlist. Returns whether it was there.
pub async fn delete(ex: Exec<'_>, domain: &str) -> anyhow::Result<bool> {
    const SQL: &str = "DELETE FROM domain_allows WHERE domain = $1";
    let n = affected!(ex, c => sqlx::query(SQL).bind(domain).execute(c).await)
        .context("removing an allowed domain")?;
    Ok(n > 0)
}

pub async fn list(ex: Exec<'_>) -> anyhow::Result<Vec<DomainAllowRow>> {
    const SQL: &str = "SELECT domain, created_at FROM domain_allows ORDER BY domain";
    with_exec!(ex, c => sqlx::query_as::<_, DomainAllowRow>(SQL).fetch_all(c).await)
        .context("listing allowed domains")
}
