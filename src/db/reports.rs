//! Reports (`Flag`) received from other servers: who reported what of ours, with what
//! comment, and whether an administrator resolved it.

use super::{Exec, affected, with_exec};
use anyhow::Context;

/// A report with its reporter, as staff see it. `objects` is a JSON array of ids.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub ap_id: String,
    pub objects: String,
    pub comment: String,
    pub received_at: i64,
    pub resolved_at: Option<i64>,
    pub resolved_by: Option<String>,
    pub reporter_ap_id: String,
    pub reporter_kind: String,
    pub reporter_username: String,
    pub reporter_domain: String,
    pub reporter_name: Option<String>,
}

impl ReportRow {
    /// The reported ids (an unreadable column reads as none).
    pub fn object_ids(&self) -> Vec<String> {
        serde_json::from_str(&self.objects).unwrap_or_default()
    }
}

/// The fields of a report to store.
pub struct ReportWrite<'a> {
    pub ap_id: &'a str,
    pub reporter_id: i64,
    pub objects: &'a [String],
    pub comment: &'a str,
    pub received_at: i64,
}

/// Stores a report. Returns false when a report with this activity id is already stored
/// (a re-delivery), in which case nothing changes.
pub async fn insert(ex: Exec<'_>, r: &ReportWrite<'_>) -> anyhow::Result<bool> {
    const SQL: &str = "INSERT INTO reports (ap_id, reporter_id, objects, comment, received_at) \
        VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ap_id) DO NOTHING";
    let objects = serde_json::to_string(r.objects).context("encoding reported objects")?;
    let n = affected!(ex, c => sqlx::query(SQL)
        .bind(r.ap_id)
        .bind(r.reporter_id)
        .bind(&objects)
        .bind(r.comment)
        .bind(r.received_at)
        .execute(c)
        .await)
    .context("storing a report")?;
    Ok(n > 0)
}

/// The columns of a [`ReportRow`], for `concat!`.
macro_rules! select {
    () => {
        "SELECT r.id, r.ap_id, r.objects, r.comment, r.received_at, r.resolved_at, \
         r.resolved_by, a.ap_id AS reporter_ap_id, a.kind AS reporter_kind, \
         a.username AS reporter_username, a.domain AS reporter_domain, \
         a.name AS reporter_name FROM reports r JOIN actors a ON a.id = r.reporter_id"
    };
}

/// Reports below `before_id`, newest first; resolved ones too when `include_resolved`.
pub async fn list(
    ex: Exec<'_>,
    include_resolved: bool,
    before_id: i64,
    limit: i64,
) -> anyhow::Result<Vec<ReportRow>> {
    const SQL: &str = concat!(
        select!(),
        " WHERE r.id < $1 AND (r.resolved_at IS NULL OR $2) ORDER BY r.id DESC LIMIT $3"
    );
    with_exec!(ex, c => sqlx::query_as::<_, ReportRow>(SQL)
        .bind(before_id)
        .bind(include_resolved)
        .bind(limit)
        .fetch_all(c)
        .await)
    .context("listing reports")
}

pub async fn find(ex: Exec<'_>, id: i64) -> anyhow::Result<Option<ReportRow>> {
    const SQL: &str = concat!(select!(), " WHERE r.id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, ReportRow>(SQL).bind(id).fetch_optional(c).await)
        .context("reading a report")
}

/// Marks an open report resolved. Returns false when it was already resolved (or is unknown).
pub async fn resolve(ex: Exec<'_>, id: i64, by: &str, now: i64) -> anyhow::Result<bool> {
    const SQL: &str = "UPDATE reports SET resolved_at = $2, resolved_by = $3 \
        WHERE id = $1 AND resolved_at IS NULL";
    let n = affected!(ex, c => sqlx::query(SQL).bind(id).bind(now).bind(by).execute(c).await)
        .context("resolving a report")?;
    Ok(n > 0)
}
