//! The per-host circuit breaker, as pure functions of the host's health and `now`.
//!
//! A host that keeps failing (at least [`FAILURES_TO_OPEN`] failed attempts in a row, over at
//! least [`FAILING_FOR`]) is marked unreachable; its deliveries then wait, and one of them is
//! sent as a probe every [`PROBE_EVERY`]. One success, or any answer that proves the server is
//! up (a 4xx), closes the breaker again.

use crate::db::hosts::HostRow;

const MINUTE: i64 = 60_000;
/// Consecutive failed attempts before a host may be marked unreachable.
pub const FAILURES_TO_OPEN: i64 = 5;
/// How long a host must have been failing before it is marked unreachable (ms).
pub const FAILING_FOR: i64 = 60 * MINUTE;
/// Interval between two probes of an unreachable host (ms).
pub const PROBE_EVERY: i64 = 6 * 60 * MINUTE;

pub const OK: &str = "ok";
pub const UNREACHABLE: &str = "unreachable";

/// What the worker may do with a host's due deliveries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Deliver normally.
    Open,
    /// Unreachable, and a probe is due: send one delivery to test it.
    Probe,
    /// Unreachable: hold every delivery until this time (ms).
    Closed { until: i64 },
}

/// The gate for `host` at `now`.
pub fn gate(host: &HostRow, now: i64) -> Gate {
    if host.state != UNREACHABLE {
        return Gate::Open;
    }
    match host.next_probe_at {
        Some(at) if at > now => Gate::Closed { until: at },
        _ => Gate::Probe,
    }
}

/// The health after the server answered (any HTTP status below 500 other than 408 and 429
/// proves it is up).
pub fn on_answer(host: &HostRow, now: i64) -> HostRow {
    HostRow {
        host: host.host.clone(),
        state: OK.into(),
        consecutive_failures: 0,
        first_failure_at: None,
        last_failure_at: host.last_failure_at,
        last_success_at: Some(now),
        next_probe_at: None,
        last_error: host.last_error.clone(),
        updated_at: now,
        signature_scheme: host.signature_scheme.clone(),
    }
}

/// The health after a failed attempt (no connection, timeout, 5xx, 408, 429).
pub fn on_failure(host: &HostRow, now: i64, error: &str) -> HostRow {
    let failures = host.consecutive_failures + 1;
    let first = host.first_failure_at.unwrap_or(now);
    let open =
        host.state == UNREACHABLE || (failures >= FAILURES_TO_OPEN && now - first >= FAILING_FOR);
    HostRow {
        host: host.host.clone(),
        state: if open { UNREACHABLE } else { OK }.into(),
        consecutive_failures: failures,
        first_failure_at: Some(first),
        last_failure_at: Some(now),
        last_success_at: host.last_success_at,
        next_probe_at: open.then_some(now + PROBE_EVERY),
        last_error: Some(error.to_string()),
        updated_at: now,
        signature_scheme: host.signature_scheme.clone(),
    }
}

/// A host never seen before.
pub fn new_host(host: &str, now: i64) -> HostRow {
    HostRow {
        host: host.to_string(),
        state: OK.into(),
        updated_at: now,
        ..HostRow::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_000_000_000_000;

    fn fail_n(n: i64, every: i64) -> HostRow {
        let mut h = new_host("peer.example", T0);
        for i in 0..n {
            h = on_failure(&h, T0 + i * every, "HTTP 503");
        }
        h
    }

    #[test]
    fn a_healthy_host_is_open() {
        assert_eq!(gate(&new_host("a", T0), T0), Gate::Open);
    }

    #[test]
    fn a_few_failures_or_a_short_outage_do_not_open_the_breaker() {
        assert_eq!(
            fail_n(4, 60 * MINUTE).state,
            OK,
            "four failures over four hours"
        );
        assert_eq!(fail_n(50, 1000).state, OK, "fifty failures within a minute");
    }

    #[test]
    fn a_host_that_keeps_failing_is_unreachable_and_probed_rarely() {
        let h = fail_n(5, 15 * MINUTE);
        assert_eq!(h.state, UNREACHABLE);
        let last = T0 + 4 * 15 * MINUTE;
        assert_eq!(h.next_probe_at, Some(last + PROBE_EVERY));
        assert_eq!(
            gate(&h, last + MINUTE),
            Gate::Closed {
                until: last + PROBE_EVERY
            }
        );
        assert_eq!(gate(&h, last + PROBE_EVERY), Gate::Probe);
        let probed = on_failure(&h, last + PROBE_EVERY, "timeout");
        assert_eq!(probed.state, UNREACHABLE, "a failed probe keeps it open");
        assert_eq!(probed.next_probe_at, Some(last + 2 * PROBE_EVERY));
    }

    #[test]
    fn one_success_restores_the_host() {
        let h = fail_n(8, 20 * MINUTE);
        assert_eq!(h.state, UNREACHABLE);
        let ok = on_answer(&h, T0 + 10 * 60 * MINUTE);
        assert_eq!(ok.state, OK);
        assert_eq!(ok.consecutive_failures, 0);
        assert_eq!(gate(&ok, T0), Gate::Open);
        assert_eq!(on_failure(&ok, T0, "x").state, OK, "the count starts again");
    }
}
