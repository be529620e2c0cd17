//! The few statements whose text differs between SQLite and PostgreSQL. Everything else is
//! portable SQL next to its function.

use super::Backend;

/// Claims due deliveries by setting a lease. PostgreSQL skips rows that another worker has
/// locked, so several processes sharing one database never claim the same row; SQLite has one
/// writer, so the plain subquery is already exclusive.
pub fn claim_deliveries(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "UPDATE deliveries SET lease_until = $1, updated_at = $2 WHERE id IN \
             (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $2 \
              AND (lease_until IS NULL OR lease_until < $2) \
              ORDER BY next_attempt_at, id LIMIT $3) \
             RETURNING id, activity_id, inbox, host, attempts, next_attempt_at"
        }
        Backend::Postgres => {
            "UPDATE deliveries SET lease_until = $1, updated_at = $2 WHERE id IN \
             (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $2 \
              AND (lease_until IS NULL OR lease_until < $2) \
              ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING id, activity_id, inbox, host, attempts, next_attempt_at"
        }
    }
}
