//! A bound on the background fetches of one kind (the posts that replies answer): at most a
//! few at once, each URL once while it is being fetched, and a bounded number waiting.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Fetches running at once.
pub const CONCURRENT: usize = 4;
/// URLs being fetched or waiting; more are dropped (the reply keeps its plain link).
pub const PENDING: usize = 256;

pub struct FetchGate {
    running: Arc<Semaphore>,
    pending: Mutex<HashSet<String>>,
}

impl Default for FetchGate {
    fn default() -> Self {
        FetchGate {
            running: Arc::new(Semaphore::new(CONCURRENT)),
            pending: Mutex::new(HashSet::new()),
        }
    }
}

/// A claim on one URL; the URL is free again when it is dropped.
pub struct Ticket<'a> {
    gate: &'a FetchGate,
    url: String,
}

impl FetchGate {
    /// Claims `url`, or `None` when it is being fetched already or too many are waiting.
    pub fn claim(&self, url: &str) -> Option<Ticket<'_>> {
        let mut pending = self.pending.lock().ok()?;
        if pending.len() >= PENDING || !pending.insert(url.to_string()) {
            return None;
        }
        Some(Ticket {
            gate: self,
            url: url.to_string(),
        })
    }

    /// Waits for a running slot.
    pub async fn run_slot(&self) -> Option<OwnedSemaphorePermit> {
        self.running.clone().acquire_owned().await.ok()
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if let Ok(mut pending) = self.gate.pending.lock() {
            pending.remove(&self.url);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_claimed_once_until_released_and_the_waiting_list_is_bounded() {
        let gate = FetchGate::default();
        let first = gate.claim("https://a.example/1");
        assert!(first.is_some());
        assert!(gate.claim("https://a.example/1").is_none());
        drop(first);
        assert!(gate.claim("https://a.example/1").is_some());
        let held: Vec<_> = (0..PENDING)
            .filter_map(|i| gate.claim(&format!("https://a.example/n{i}")))
            .collect();
        assert_eq!(held.len(), PENDING);
        assert!(gate.claim("https://a.example/more").is_none());
    }
}
