//! Activity ids already received, so that a repeated delivery changes nothing.

use super::{Exec, affected, with_exec};
use anyhow::Context;

/// Whether the activity `ap_id` was already processed.
pub async fn seen(ex: Exec<'_>, ap_id: &str) -> anyhow::Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM received_activities WHERE ap_id = $1";
    let n = with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).bind(ap_id).fetch_one(c).await)
        .context("looking up received activity")?;
    Ok(n > 0)
}

/// Records that `ap_id` was processed. Returns false if it already was.
pub async fn record(ex: Exec<'_>, ap_id: &str, kind: &str, now: i64) -> anyhow::Result<bool> {
    const SQL: &str = "INSERT INTO received_activities (ap_id, kind, received_at) \
        VALUES ($1, $2, $3) ON CONFLICT (ap_id) DO NOTHING";
    let done = affected!(ex, c => sqlx::query(SQL).bind(ap_id).bind(kind).bind(now)
        .execute(c).await)
    .context("recording received activity")?;
    Ok(done > 0)
}

/// How many activities were recorded (all kinds).
pub async fn count(ex: Exec<'_>) -> anyhow::Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM received_activities";
    with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).fetch_one(c).await)
        .context("counting received activities")
}
