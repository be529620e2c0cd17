//! Refused remote input is logged at INFO (signatures, blocks) or WARN (malformed input), with
//! the reason and the remote host, and rate-limited: at most [`PER_WINDOW`] lines per
//! [`WINDOW_MS`], then one line saying how many were left out. Any peer can send us garbage,
//! so refusals must never flood the log; ERROR is kept for our own faults.

use std::sync::Mutex;

/// Lines logged per window.
pub const PER_WINDOW: u32 = 20;
/// The window, in milliseconds.
pub const WINDOW_MS: i64 = 10_000;

#[derive(Default)]
struct State {
    window_start: i64,
    logged: u32,
    suppressed: u64,
}

/// One per instance (in `AppContext`).
#[derive(Default)]
pub struct RefusalLog {
    state: Mutex<State>,
}

/// Whether a refusal at `now` may be logged, and how many were left out before it.
fn admit(s: &mut State, now: i64) -> Option<u64> {
    if now - s.window_start >= WINDOW_MS {
        s.window_start = now;
        s.logged = 0;
    }
    if s.logged >= PER_WINDOW {
        s.suppressed += 1;
        return None;
    }
    s.logged += 1;
    Some(std::mem::take(&mut s.suppressed))
}

impl RefusalLog {
    /// Logs one refusal (`status` is what we answered) unless the window is full.
    pub fn refused(&self, now: i64, status: u16, host: &str, reason: &str) {
        let Ok(mut s) = self.state.lock() else { return };
        let Some(left_out) = admit(&mut s, now) else {
            return;
        };
        drop(s);
        if left_out > 0 {
            tracing::info!(left_out, "refusals not logged (rate limit)");
        }
        match status {
            400 | 413 | 422 => tracing::warn!(status, host, reason, "refused remote input"),
            _ => tracing::info!(status, host, reason, "refused remote input"),
        }
    }

    /// Lines logged and left out in the current window (for tests).
    pub fn counts(&self) -> (u32, u64) {
        self.state
            .lock()
            .map(|s| (s.logged, s.suppressed))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_is_cut_to_a_few_lines_per_window() {
        let log = RefusalLog::default();
        for i in 0..1000 {
            log.refused(1_000_000 + i, 401, "evil.example", "bad signature");
        }
        assert_eq!(log.counts(), (PER_WINDOW, 1000 - u64::from(PER_WINDOW)));
        let mut s = State::default();
        for _ in 0..PER_WINDOW {
            assert!(admit(&mut s, 1).is_some());
        }
        assert_eq!(admit(&mut s, 2), None);
        assert_eq!(
            admit(&mut s, WINDOW_MS + 1),
            Some(1),
            "the next window says what was left out"
        );
    }
}
