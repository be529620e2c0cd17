//! The transactional outbox: outgoing activities and one delivery row per destination inbox.
//! Rows are written in the same transaction as the content change they announce.

use super::{Exec, affected, dialect, with_exec};
use anyhow::Context;

/// An activity the centre sent, kept so that its id stays dereferenceable.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ActivityRow {
    pub id: i64,
    pub ap_id: String,
    pub kind: String,
    pub json: String,
    pub created_at: i64,
}

/// A delivery claimed by a worker, under lease.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub activity_id: i64,
    pub inbox: String,
    pub host: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
}

/// Stores an outgoing activity and returns its row id.
pub async fn insert_activity(
    ex: Exec<'_>,
    ap_id: &str,
    kind: &str,
    json: &str,
    now: i64,
) -> anyhow::Result<i64> {
    const SQL: &str = "INSERT INTO outgoing_activities (ap_id, kind, json, created_at) \
        VALUES ($1, $2, $3, $4) RETURNING id";
    with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).bind(ap_id).bind(kind).bind(json)
        .bind(now).fetch_one(c).await)
    .context("storing outgoing activity")
}

/// Rows per INSERT when queueing deliveries (2 parameters each, far below both backends'
/// limits).
const ENQUEUE_ROWS: usize = 500;

/// Queues one delivery of `activity_id` per distinct inbox, due now, with one statement per
/// [`ENQUEUE_ROWS`] inboxes.
pub async fn enqueue(
    mut ex: Exec<'_>,
    activity_id: i64,
    inboxes: &[String],
    now: i64,
) -> anyhow::Result<usize> {
    let mut queued = 0;
    for chunk in inboxes.chunks(ENQUEUE_ROWS) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "($1, ${}, ${}, 'pending', 0, $2, $2, $2)",
                    3 + 2 * i,
                    4 + 2 * i
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO deliveries (activity_id, inbox, host, status, attempts, \
             next_attempt_at, created_at, updated_at) VALUES {} \
             ON CONFLICT (activity_id, inbox) DO NOTHING",
            rows.join(", ")
        );
        let done = affected!(ex.reborrow(), c => {
            let mut q = sqlx::query(&sql).bind(activity_id).bind(now);
            for inbox in chunk {
                q = q.bind(inbox).bind(host_of(inbox));
            }
            q.execute(c).await
        })
        .context("queueing deliveries")?;
        queued += done as usize;
    }
    Ok(queued)
}

/// `host[:port]` of an inbox URL (empty when it is not a URL).
fn host_of(inbox: &str) -> String {
    url::Url::parse(inbox)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| u.port().map_or(h.to_string(), |p| format!("{h}:{p}")))
        })
        .unwrap_or_default()
}

pub async fn find_activity(ex: Exec<'_>, id: i64) -> anyhow::Result<Option<ActivityRow>> {
    const SQL: &str = "SELECT id, ap_id, kind, json, created_at FROM outgoing_activities \
        WHERE id = $1";
    with_exec!(ex, c => sqlx::query_as::<_, ActivityRow>(SQL).bind(id).fetch_optional(c).await)
        .context("reading outgoing activity")
}

pub async fn find_activity_by_ap_id(
    ex: Exec<'_>,
    ap_id: &str,
) -> anyhow::Result<Option<ActivityRow>> {
    const SQL: &str = "SELECT id, ap_id, kind, json, created_at FROM outgoing_activities \
        WHERE ap_id = $1";
    with_exec!(ex, c => sqlx::query_as::<_, ActivityRow>(SQL).bind(ap_id).fetch_optional(c).await)
        .context("reading outgoing activity")
}

/// Claims up to `limit` due deliveries for `owner` until `lease_until`, at most `per_host`
/// leased at once per host (see [`dialect::claim_deliveries`]).
pub async fn claim_due(
    ex: Exec<'_>,
    backend: super::Backend,
    claim: &Claim<'_>,
) -> anyhow::Result<Vec<ClaimedDelivery>> {
    let sql = dialect::claim_deliveries(backend);
    with_exec!(ex, c => sqlx::query_as::<_, ClaimedDelivery>(sql).bind(claim.lease_until)
        .bind(claim.now).bind(claim.limit).bind(claim.owner).bind(claim.per_host)
        .fetch_all(c).await)
    .context("claiming deliveries")
}

/// What a worker asks for when it claims deliveries.
#[derive(Clone, Copy, Debug)]
pub struct Claim<'a> {
    pub owner: &'a str,
    pub now: i64,
    pub lease_until: i64,
    pub limit: i64,
    pub per_host: i64,
}

/// Pending deliveries due at `now`, leased or not.
pub async fn due_count(ex: Exec<'_>, now: i64) -> anyhow::Result<i64> {
    const SQL: &str =
        "SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1";
    with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).bind(now).fetch_one(c).await)
        .context("counting due deliveries")
}

/// Extends every lease `owner` holds to `lease_until` (the worker's heartbeat).
pub async fn extend_leases(ex: Exec<'_>, owner: &str, lease_until: i64) -> anyhow::Result<u64> {
    const SQL: &str = "UPDATE deliveries SET lease_until = $2 WHERE lease_owner = $1 \
        AND status = 'pending' AND lease_until IS NOT NULL";
    affected!(ex, c => sqlx::query(SQL).bind(owner).bind(lease_until).execute(c).await)
        .context("extending delivery leases")
}

/// Hands every delivery `owner` holds back to the queue, due at `now`, without counting an
/// attempt.
pub async fn release_owned(ex: Exec<'_>, owner: &str, now: i64) -> anyhow::Result<u64> {
    const SQL: &str = "UPDATE deliveries SET lease_until = NULL, lease_owner = NULL, \
        next_attempt_at = $2, updated_at = $2 WHERE lease_owner = $1 AND status = 'pending' \
        AND lease_until IS NOT NULL";
    affected!(ex, c => sqlx::query(SQL).bind(owner).bind(now).execute(c).await)
        .context("releasing deliveries")
}

/// Records successful deliveries, with one statement per 500.
pub async fn mark_done(mut ex: Exec<'_>, ids: &[i64], now: i64) -> anyhow::Result<()> {
    for chunk in ids.chunks(500) {
        let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "UPDATE deliveries SET status = 'done', attempts = attempts + 1, \
             lease_until = NULL, lease_owner = NULL, last_error = NULL, updated_at = $1 \
             WHERE id IN ({})",
            list.join(", ")
        );
        affected!(ex.reborrow(), c => {
            let mut q = sqlx::query(&sql).bind(now);
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(c).await
        })
        .context("recording deliveries")?;
    }
    Ok(())
}

/// Records a failed attempt to retry at `next_attempt_at`.
pub async fn mark_retry(
    ex: Exec<'_>,
    id: i64,
    next_attempt_at: i64,
    error: &str,
    now: i64,
) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = $2, \
        lease_until = NULL, lease_owner = NULL, last_error = $3, updated_at = $4 WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(next_attempt_at).bind(error).bind(now)
        .execute(c).await)
    .context("rescheduling delivery")?;
    Ok(())
}

/// Records a delivery that will not be retried.
pub async fn mark_failed(ex: Exec<'_>, id: i64, error: &str, now: i64) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, \
        lease_until = NULL, lease_owner = NULL, last_error = $2, updated_at = $3 WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(error).bind(now).execute(c).await)
        .context("recording failed delivery")?;
    Ok(())
}

/// Number of deliveries in `status`.
pub async fn count_by_status(ex: Exec<'_>, status: &str) -> anyhow::Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM deliveries WHERE status = $1";
    with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).bind(status).fetch_one(c).await)
        .context("counting deliveries")
}

/// Gives a claimed delivery back to the queue, due at `next_attempt_at`, without counting
/// an attempt (fairness deferral, open circuit, or shutdown).
pub async fn release(ex: Exec<'_>, id: i64, next_attempt_at: i64, now: i64) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE deliveries SET lease_until = NULL, lease_owner = NULL, \
        next_attempt_at = $2, updated_at = $3 WHERE id = $1 AND status = 'pending'";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(next_attempt_at).bind(now).execute(c).await)
        .context("releasing delivery")?;
    Ok(())
}

/// A delivery as staff see it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DeliveryView {
    pub id: i64,
    pub activity_ap_id: String,
    pub activity_kind: String,
    pub inbox: String,
    pub host: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub lease_until: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! view {
    ($where:literal) => {
        concat!(
            "SELECT d.id, a.ap_id AS activity_ap_id, a.kind AS activity_kind, d.inbox, d.host, \
             d.status, d.attempts, d.next_attempt_at, d.lease_until, d.last_error, \
             d.created_at, d.updated_at \
             FROM deliveries d JOIN outgoing_activities a ON a.id = d.activity_id ",
            $where
        )
    };
}

/// Deliveries in `status`, newest first, with ids below `before_id`.
pub async fn list(
    ex: Exec<'_>,
    status: &str,
    before_id: i64,
    limit: i64,
) -> anyhow::Result<Vec<DeliveryView>> {
    const SQL: &str = view!("WHERE d.status = $1 AND d.id < $2 ORDER BY d.id DESC LIMIT $3");
    with_exec!(ex, c => sqlx::query_as::<_, DeliveryView>(SQL).bind(status).bind(before_id)
        .bind(limit).fetch_all(c).await)
    .context("listing deliveries")
}

pub async fn find(ex: Exec<'_>, id: i64) -> anyhow::Result<Option<DeliveryView>> {
    const SQL: &str = view!("WHERE d.id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, DeliveryView>(SQL).bind(id).fetch_optional(c).await)
        .context("reading delivery")
}

/// Puts a pending or failed delivery back in the queue, due now.
pub async fn retry(ex: Exec<'_>, id: i64, now: i64) -> anyhow::Result<bool> {
    const SQL: &str = "UPDATE deliveries SET status = 'pending', next_attempt_at = $2, \
        lease_until = NULL, lease_owner = NULL, updated_at = $2 WHERE id = $1 \
        AND status IN ('pending', 'failed')";
    let n = affected!(ex, c => sqlx::query(SQL).bind(id).bind(now).execute(c).await)
        .context("retrying delivery")?;
    Ok(n > 0)
}

/// `(status, count)` for every status present.
pub async fn counts(ex: Exec<'_>) -> anyhow::Result<Vec<(String, i64)>> {
    const SQL: &str = "SELECT status, COUNT(*) FROM deliveries GROUP BY status ORDER BY status";
    with_exec!(ex, c => sqlx::query_as::<_, (String, i64)>(SQL).fetch_all(c).await)
        .context("counting deliveries")
}

/// `(host, count)` of pending deliveries.
pub async fn pending_by_host(ex: Exec<'_>) -> anyhow::Result<Vec<(String, i64)>> {
    const SQL: &str = "SELECT host, COUNT(*) FROM deliveries WHERE status = 'pending' \
        GROUP BY host ORDER BY host";
    with_exec!(ex, c => sqlx::query_as::<_, (String, i64)>(SQL).fetch_all(c).await)
        .context("counting pending deliveries by host")
}
