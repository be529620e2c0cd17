//! Per-host delivery health (the circuit breaker's memory).

use super::{Exec, affected, with_exec};
use anyhow::Context;

#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct HostRow {
    pub host: String,
    pub state: String,
    pub consecutive_failures: i64,
    pub first_failure_at: Option<i64>,
    pub last_failure_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub next_probe_at: Option<i64>,
    pub last_error: Option<String>,
    pub updated_at: i64,
    /// `rfc9421` once the host refused draft-cavage and accepted RFC 9421.
    pub signature_scheme: Option<String>,
}

pub async fn find(ex: Exec<'_>, host: &str) -> anyhow::Result<Option<HostRow>> {
    const SQL: &str = "SELECT host, state, consecutive_failures, first_failure_at, \
        last_failure_at, last_success_at, next_probe_at, last_error, updated_at, \
        signature_scheme FROM hosts WHERE host = $1";
    with_exec!(ex, c => sqlx::query_as::<_, HostRow>(SQL).bind(host).fetch_optional(c).await)
        .context("reading host health")
}

pub async fn upsert(ex: Exec<'_>, h: &HostRow) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO hosts (host, state, consecutive_failures, first_failure_at, \
        last_failure_at, last_success_at, next_probe_at, last_error, updated_at, \
        signature_scheme) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
        ON CONFLICT (host) DO UPDATE SET state = excluded.state, \
        consecutive_failures = excluded.consecutive_failures, \
        first_failure_at = excluded.first_failure_at, last_failure_at = excluded.last_failure_at, \
        last_success_at = excluded.last_success_at, next_probe_at = excluded.next_probe_at, \
        last_error = excluded.last_error, updated_at = excluded.updated_at, \
        signature_scheme = excluded.signature_scheme";
    affected!(ex, c => sqlx::query(SQL).bind(&h.host).bind(&h.state).bind(h.consecutive_failures)
        .bind(h.first_failure_at).bind(h.last_failure_at).bind(h.last_success_at)
        .bind(h.next_probe_at).bind(&h.last_error).bind(h.updated_at).bind(&h.signature_scheme)
        .execute(c).await)
    .context("storing host health")?;
    Ok(())
}

/// Every host we have delivered to, unreachable ones first.
pub async fn list(ex: Exec<'_>) -> anyhow::Result<Vec<HostRow>> {
    const SQL: &str = "SELECT host, state, consecutive_failures, first_failure_at, \
        last_failure_at, last_success_at, next_probe_at, last_error, updated_at, \
        signature_scheme FROM hosts ORDER BY CASE WHEN state = 'unreachable' THEN 0 ELSE 1 END, host";
    with_exec!(ex, c => sqlx::query_as::<_, HostRow>(SQL).fetch_all(c).await)
        .context("listing hosts")
}

/// Lets the next delivery to `host` through at once (staff asked for a retry).
pub async fn probe_now(ex: Exec<'_>, host: &str, now: i64) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE hosts SET next_probe_at = $2, updated_at = $2 WHERE host = $1";
    affected!(ex, c => sqlx::query(SQL).bind(host).bind(now).execute(c).await)
        .context("scheduling a probe")?;
    Ok(())
}
