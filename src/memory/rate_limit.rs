//! Rate limits per remote host: a token bucket for each `host[:port]` that sends us
//! activities or signed fetches (`federation.rate_limit_per_second`, with
//! `federation.rate_limit_burst` at once). The buckets are bounded: the least recently seen
//! host is forgotten first (a forgotten host starts again with a full bucket).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Hosts remembered at most.
pub const HOSTS: usize = 10_000;

struct Bucket {
    tokens: f64,
    at: Instant,
}

pub struct HostLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl HostLimiter {
    /// `per_second == 0`: no limit.
    pub fn new(per_second: u32, burst: u32) -> HostLimiter {
        HostLimiter {
            per_second: f64::from(per_second),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.per_second > 0.0
    }

    /// Takes one token for `host` at `now`: `Ok`, or `Err(wait)` until one is available.
    pub fn admit_at(&self, host: &str, now: Instant) -> Result<(), Duration> {
        if !self.enabled() {
            return Ok(());
        }
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() >= HOSTS && !buckets.contains_key(host) {
            // Forget the host seen longest ago.
            if let Some(oldest) = buckets
                .iter()
                .min_by_key(|(_, b)| b.at)
                .map(|(h, _)| h.clone())
            {
                buckets.remove(&oldest);
            }
        }
        let b = buckets.entry(host.to_string()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.per_second).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - b.tokens) / self.per_second))
        }
    }

    pub fn admit(&self, host: &str) -> Result<(), Duration> {
        self.admit_at(host, Instant::now())
    }

    pub fn hosts(&self) -> usize {
        self.buckets.lock().map_or(0, |b| b.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_gets_its_burst_then_its_rate_and_others_are_untouched() {
        let l = HostLimiter::new(10, 5);
        let t = Instant::now();
        for _ in 0..5 {
            assert!(l.admit_at("flood.example", t).is_ok());
        }
        let wait = l.admit_at("flood.example", t).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(100),
            "{wait:?}"
        );
        assert!(
            l.admit_at("calm.example", t).is_ok(),
            "another host has its own bucket"
        );
        // 100 ms later one more token has come.
        let later = t + Duration::from_millis(100);
        assert!(l.admit_at("flood.example", later).is_ok());
        assert!(l.admit_at("flood.example", later).is_err());
        // Never more than the burst, however long the pause.
        let much_later = t + Duration::from_secs(3600);
        for _ in 0..5 {
            assert!(l.admit_at("flood.example", much_later).is_ok());
        }
        assert!(l.admit_at("flood.example", much_later).is_err());
    }

    #[test]
    fn no_limit_when_the_rate_is_zero() {
        let l = HostLimiter::new(0, 1);
        let t = Instant::now();
        for _ in 0..1000 {
            assert!(l.admit_at("a.example", t).is_ok());
        }
        assert_eq!(l.hosts(), 0);
    }

    #[test]
    fn the_buckets_never_grow_past_their_bound() {
        let l = HostLimiter::new(1, 1);
        let t = Instant::now();
        for i in 0..HOSTS + 50 {
            let _ = l.admit_at(
                &format!("h{i}.example"),
                t + Duration::from_micros(i as u64),
            );
        }
        assert_eq!(l.hosts(), HOSTS);
        // The oldest were forgotten, the newest kept (and its bucket is empty).
        assert!(
            l.admit_at(
                &format!("h{}.example", HOSTS + 49),
                t + Duration::from_millis(1)
            )
            .is_err()
        );
    }
}
