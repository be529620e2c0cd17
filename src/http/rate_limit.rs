//! The per-host rate limit at the HTTP edge: a host over its budget gets `429 Too Many
//! Requests` with `Retry-After`, and the refusal is counted.

use crate::{context::AppContext, error::AppError};

/// Takes one request of `host`'s budget for `what` (`inbox` or `fetch`).
pub fn admit(ctx: &AppContext, host: &str, what: &'static str) -> Result<(), AppError> {
    match ctx.host_limits.admit(host) {
        Ok(()) => Ok(()),
        Err(wait) => {
            ctx.metrics.rate_limited(what);
            let secs = (wait.as_secs_f64().ceil() as u64).max(1);
            tracing::info!(%host, what, retry_after = secs, "rate limited");
            Err(AppError::TooManyRequests(
                format!("{host} is over its rate limit; retry in {secs} s"),
                secs,
            ))
        }
    }
}
