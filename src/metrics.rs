//! In-process counters exposed at `/metrics` in the Prometheus text format. One `Metrics` per
//! instance (in `AppContext`), no global registry.

use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

/// Upper bounds (seconds) of the delivery attempt latency histogram.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
pub struct Metrics {
    deliveries: Mutex<BTreeMap<&'static str, u64>>,
    inbox: Mutex<BTreeMap<String, u64>>,
    inbox_refused: Mutex<BTreeMap<u16, u64>>,
    rate_limited: Mutex<BTreeMap<&'static str, u64>>,
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
}

impl Metrics {
    /// Counts one delivery outcome: `delivered`, `retried`, `failed` or `deferred`.
    pub fn delivery(&self, outcome: &'static str) {
        if let Ok(mut m) = self.deliveries.lock() {
            *m.entry(outcome).or_default() += 1;
        }
    }

    /// Records the duration of one delivery attempt.
    pub fn attempt(&self, seconds: f64) {
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// Counts one activity received (after its signature was verified).
    pub fn inbox(&self, kind: &str) {
        if let Ok(mut m) = self.inbox.lock() {
            *m.entry(kind.to_string()).or_default() += 1;
        }
    }

    /// Counts one refused inbox POST by the status we answered.
    pub fn inbox_refused(&self, status: u16) {
        if let Ok(mut m) = self.inbox_refused.lock() {
            *m.entry(status).or_default() += 1;
        }
    }

    /// Counts one request refused by the per-host rate limit: `inbox` or `fetch`.
    pub fn rate_limited(&self, what: &'static str) {
        if let Ok(mut m) = self.rate_limited.lock() {
            *m.entry(what).or_default() += 1;
        }
    }

    /// The text exposition; `queue` is the current number of deliveries by state.
    pub fn render(&self, queue: &[(String, i64)]) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP maillage_delivery_queue Deliveries in the queue by state."
        );
        let _ = writeln!(out, "# TYPE maillage_delivery_queue gauge");
        for state in ["pending", "done", "failed"] {
            let n = queue
                .iter()
                .find(|(s, _)| s == state)
                .map_or(0, |(_, n)| *n);
            let _ = writeln!(out, "maillage_delivery_queue{{state=\"{state}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP maillage_deliveries_total Delivery attempts by outcome since start."
        );
        let _ = writeln!(out, "# TYPE maillage_deliveries_total counter");
        let deliveries = self
            .deliveries
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default();
        for outcome in ["delivered", "retried", "failed", "deferred"] {
            let n = deliveries.get(outcome).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "maillage_deliveries_total{{outcome=\"{outcome}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP maillage_delivery_attempt_seconds Duration of delivery attempts."
        );
        let _ = writeln!(out, "# TYPE maillage_delivery_attempt_seconds histogram");
        for (i, bound) in BUCKETS.iter().enumerate() {
            let n = self.latency_buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "maillage_delivery_attempt_seconds_bucket{{le=\"{bound}\"}} {n}"
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "maillage_delivery_attempt_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(out, "maillage_delivery_attempt_seconds_sum {sum}");
        let _ = writeln!(out, "maillage_delivery_attempt_seconds_count {count}");
        let _ = writeln!(
            out,
            "# HELP maillage_inbox_activities_total Activities received by type since start."
        );
        let _ = writeln!(out, "# TYPE maillage_inbox_activities_total counter");
        let inbox = self.inbox.lock().map(|m| m.clone()).unwrap_or_default();
        for (kind, n) in inbox {
            let _ = writeln!(
                out,
                "maillage_inbox_activities_total{{type=\"{kind}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP maillage_inbox_refused_total Inbox POSTs refused, by HTTP status, since start."
        );
        let _ = writeln!(out, "# TYPE maillage_inbox_refused_total counter");
        let refused = self
            .inbox_refused
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default();
        for (status, n) in refused {
            let _ = writeln!(
                out,
                "maillage_inbox_refused_total{{status=\"{status}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP maillage_rate_limited_total Requests refused with 429 by the per-host rate \
             limit, by kind (inbox, fetch), since start."
        );
        let _ = writeln!(out, "# TYPE maillage_rate_limited_total counter");
        let limited = self
            .rate_limited
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default();
        for (what, n) in limited {
            let _ = writeln!(out, "maillage_rate_limited_total{{kind=\"{what}\"}} {n}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.delivery("delivered");
        m.delivery("delivered");
        m.delivery("failed");
        m.attempt(0.004);
        m.attempt(0.3);
        m.inbox("Create");
        let text = m.render(&[("pending".into(), 3)]);
        assert!(text.contains("maillage_delivery_queue{state=\"pending\"} 3"));
        assert!(text.contains("maillage_delivery_queue{state=\"failed\"} 0"));
        assert!(text.contains("maillage_deliveries_total{outcome=\"delivered\"} 2"));
        assert!(text.contains("maillage_delivery_attempt_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("maillage_delivery_attempt_seconds_bucket{le=\"0.5\"} 2"));
        assert!(text.contains("maillage_delivery_attempt_seconds_count 2"));
        assert!(text.contains("maillage_inbox_activities_total{type=\"Create\"} 1"));
    }
}
