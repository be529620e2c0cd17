//! Login rate limits. An attempt is *reserved* before the password is checked, atomically for
//! its client address and its account, so a burst of concurrent attempts cannot get past the
//! limit while the first ones are still being hashed.
//!
//! - Per client address: at most [`MAX_FAILURES`] failures (or attempts in progress) in
//!   [`WINDOW_MS`]; then 429 until the oldest failure leaves the window.
//! - Per account: the first [`MAX_FAILURES`] failures are free; after that each further
//!   attempt waits twice as long as the previous one (1 s, 2 s, 4 s… at most
//!   [`MAX_ACCOUNT_DELAY_MS`]) and only one runs at a time. Guessing slows to a crawl, but the
//!   owner with the right password always gets in after a short wait, whoever else tried.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

pub const MAX_FAILURES: usize = 5;
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const MAX_ACCOUNT_DELAY_MS: i64 = 5 * 60 * 1000;
/// Entries kept before idle ones are pruned.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Default)]
struct Entry {
    failures: Vec<i64>,
    in_progress: usize,
}

impl Entry {
    fn trim(&mut self, now: i64) {
        self.failures.retain(|t| now - *t < WINDOW_MS);
    }
}

#[derive(Default)]
struct State {
    addresses: HashMap<String, Entry>,
    accounts: HashMap<String, Entry>,
}

/// Counts recent login failures per client address and per account (one per instance).
#[derive(Default)]
pub struct LoginLimiter {
    state: Arc<Mutex<State>>,
    evaluated: AtomicU64,
}

/// A refused attempt: how long to wait, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wait(pub i64);

/// The account delay after `failures` failures.
fn account_delay(failures: usize) -> i64 {
    if failures < MAX_FAILURES {
        return 0;
    }
    let doublings = (failures - MAX_FAILURES).min(20) as u32;
    (1000i64 << doublings).min(MAX_ACCOUNT_DELAY_MS)
}

impl LoginLimiter {
    /// Reserves an attempt for `address` and `account` at `now`, or says how long to wait.
    pub fn reserve(&self, address: &str, account: &str, now: i64) -> Result<Reservation, Wait> {
        let Ok(mut s) = self.state.lock() else {
            return Err(Wait(1000));
        };
        if s.addresses.len() + s.accounts.len() > PRUNE_ABOVE {
            let State {
                addresses,
                accounts,
            } = &mut *s;
            for map in [addresses, accounts] {
                map.retain(|_, e| {
                    e.trim(now);
                    e.in_progress > 0 || !e.failures.is_empty()
                });
            }
        }
        let a = s.addresses.entry(address.to_string()).or_default();
        a.trim(now);
        if a.failures.len() + a.in_progress >= MAX_FAILURES {
            let oldest = a.failures.first().copied().unwrap_or(now);
            return Err(Wait((oldest + WINDOW_MS - now).max(1000)));
        }
        let u = s.accounts.entry(account.to_string()).or_default();
        u.trim(now);
        let counted = u.failures.len() + u.in_progress;
        if counted >= MAX_FAILURES {
            if u.in_progress > 0 {
                return Err(Wait(1000));
            }
            let last = u.failures.last().copied().unwrap_or(now);
            let ready = last + account_delay(u.failures.len());
            if now < ready {
                return Err(Wait(ready - now));
            }
        }
        u.in_progress += 1;
        if let Some(a) = s.addresses.get_mut(address) {
            a.in_progress += 1;
        }
        Ok(Reservation {
            state: self.state.clone(),
            address: address.to_string(),
            account: account.to_string(),
            done: false,
        })
    }

    /// Counts one password check (for tests and metrics).
    pub fn evaluating(&self) {
        self.evaluated.fetch_add(1, Ordering::Relaxed);
    }

    /// Password checks made since start.
    pub fn evaluated(&self) -> u64 {
        self.evaluated.load(Ordering::Relaxed)
    }
}

/// A reserved attempt. Say how it went; dropping it unresolved frees it (an internal error).
pub struct Reservation {
    state: Arc<Mutex<State>>,
    address: String,
    account: String,
    done: bool,
}

impl Reservation {
    fn finish(&mut self, failed_at: Option<i64>) {
        if self.done {
            return;
        }
        self.done = true;
        let Ok(mut s) = self.state.lock() else { return };
        let State {
            addresses,
            accounts,
        } = &mut *s;
        for (map, key) in [(addresses, &self.address), (accounts, &self.account)] {
            if let Some(e) = map.get_mut(key) {
                e.in_progress = e.in_progress.saturating_sub(1);
                match failed_at {
                    Some(t) => e.failures.push(t),
                    None => e.failures.clear(),
                }
            }
        }
    }

    pub fn failed(mut self, now: i64) {
        self.finish(Some(now));
    }

    pub fn succeeded(mut self) {
        self.finish(None);
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.done {
            self.done = true;
            if let Ok(mut s) = self.state.lock() {
                let State {
                    addresses,
                    accounts,
                } = &mut *s;
                for (map, key) in [(addresses, &self.address), (accounts, &self.account)] {
                    if let Some(e) = map.get_mut(key) {
                        e.in_progress = e.in_progress.saturating_sub(1);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_five_failures_per_window() {
        let l = LoginLimiter::default();
        for i in 0..MAX_FAILURES as i64 {
            l.reserve("ip", &format!("acct{i}"), i).unwrap().failed(i);
        }
        assert!(l.reserve("ip", "other", 10).is_err());
        assert!(l.reserve("ip2", "other", 10).is_ok());
        assert!(
            l.reserve("ip", "other", WINDOW_MS + 10).is_ok(),
            "failures expire"
        );
    }

    #[test]
    fn attempts_in_progress_count_so_a_burst_gets_five() {
        let l = LoginLimiter::default();
        let held: Vec<_> = (0..150)
            .filter_map(|_| l.reserve("ip", "a", 0).ok())
            .collect();
        assert_eq!(held.len(), MAX_FAILURES);
        drop(held);
        assert!(
            l.reserve("ip", "a", 0).is_ok(),
            "dropped reservations are freed"
        );
    }

    #[test]
    fn an_account_is_slowed_down_never_locked() {
        let l = LoginLimiter::default();
        for i in 0..MAX_FAILURES {
            l.reserve(&format!("ip{i}"), "a", 0).unwrap().failed(0);
        }
        assert_eq!(l.reserve("new", "a", 10).err(), Some(Wait(990)));
        let r = l.reserve("new", "a", 1000).unwrap();
        assert!(l.reserve("other", "a", 1000).is_err(), "one at a time");
        r.failed(1000);
        assert_eq!(
            l.reserve("x", "a", 2000).err(),
            Some(Wait(1000)),
            "2 s after the 6th"
        );
        l.reserve("x", "a", 3000).unwrap().succeeded();
        assert!(
            l.reserve("y", "a", 3000).is_ok(),
            "a success clears the account"
        );
        assert_eq!(account_delay(100), MAX_ACCOUNT_DELAY_MS);
    }
}
