//! The few statements whose text differs between SQLite and PostgreSQL. Everything else is
//! portable SQL next to its function.

use super::Backend;

/// The ids a claim may take: due, not leased, ranked per host, within the per-host bound.
macro_rules! claim_candidates {
    () => {
        "SELECT due.id FROM (SELECT id, host, next_attempt_at, ROW_NUMBER() OVER \
         (PARTITION BY host ORDER BY next_attempt_at, id) AS rank FROM deliveries \
         WHERE status = 'pending' AND next_attempt_at <= $2 \
         AND (lease_until IS NULL OR lease_until < $2)) due \
         LEFT JOIN (SELECT host, COUNT(*) AS n FROM deliveries \
         WHERE status = 'pending' AND lease_until >= $2 GROUP BY host) busy \
         ON busy.host = due.host \
         WHERE due.rank + COALESCE(busy.n, 0) <= $5 \
         ORDER BY due.next_attempt_at, due.id LIMIT $3"
    };
}

/// Claims due deliveries for worker `$4` by setting a lease until `$1`, at most `$3` rows
/// and at most `$5` per host counting the rows already leased for that host by any worker
/// (so the per-host bound holds across processes, and one host with a backlog never fills a
/// claim). PostgreSQL locks the chosen rows with `SKIP LOCKED` and re-checks their lease, so
/// two processes never claim the same row; SQLite has one writer, so the statement is already
/// exclusive.
pub fn claim_deliveries(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => concat!(
            "UPDATE deliveries SET lease_until = $1, lease_owner = $4, updated_at = $2 \
             WHERE id IN (",
            claim_candidates!(),
            ") RETURNING id, activity_id, inbox, host, attempts, next_attempt_at"
        ),
        Backend::Postgres => concat!(
            "UPDATE deliveries SET lease_until = $1, lease_owner = $4, updated_at = $2 \
             WHERE id IN (SELECT id FROM deliveries WHERE id IN (",
            claim_candidates!(),
            ") AND status = 'pending' AND (lease_until IS NULL OR lease_until < $2) \
             FOR UPDATE SKIP LOCKED) \
             RETURNING id, activity_id, inbox, host, attempts, next_attempt_at"
        ),
    }
}
