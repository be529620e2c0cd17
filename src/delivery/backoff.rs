//! Pure rules: how an answer is classified and when the next attempt is due.

use std::time::Duration;

/// What to do with a delivery after one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Try again later; `retry_after` is the server's `Retry-After`, if any.
    Retry {
        retry_after: Option<Duration>,
    },
    /// Never try again.
    Permanent,
}

/// Classifies an HTTP status: 2xx delivered; 4xx other than 401, 408 and 429 permanent (the
/// receiver will never accept it); everything else (5xx, 401, 408, 429, redirects) retried.
/// A 401 is retried as Mastodon retries it: a receiver that still holds our previous key
/// refuses us until it refetches our actor, which it may do only a while later.
pub fn classify(status: u16, retry_after: Option<Duration>) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        401 | 408 | 429 => Outcome::Retry { retry_after },
        400..=499 => Outcome::Permanent,
        503 => Outcome::Retry { retry_after },
        _ => Outcome::Retry { retry_after: None },
    }
}

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// Delay before the next attempt after `failures` failed attempts (1 = the first failure):
/// 1 min, 5 min, 30 min, 2 h, 12 h, then daily. `None` once a week of retries is used up.
pub fn next_delay(failures: i64) -> Option<Duration> {
    let secs = match failures {
        i64::MIN..=1 => MINUTE,
        2 => 5 * MINUTE,
        3 => 30 * MINUTE,
        4 => 2 * HOUR,
        5 => 12 * HOUR,
        // 1 + 5 + 30 min + 2 h + 12 h ≈ 14.6 h, then six daily attempts: just under 7 days.
        6..=11 => DAY,
        _ => return None,
    };
    Some(Duration::from_secs(secs))
}

/// The delay to use: the backoff, or the server's `Retry-After` when it asks for longer,
/// capped at one day.
pub fn retry_delay(failures: i64, retry_after: Option<Duration>) -> Option<Duration> {
    let base = next_delay(failures)?;
    Some(match retry_after {
        Some(r) if r > base => r.min(Duration::from_secs(DAY)),
        _ => base,
    })
}

/// Parses `Retry-After` in its delay-seconds or HTTP-date form.
pub fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified_like_mastodon() {
        assert_eq!(classify(202, None), Outcome::Delivered);
        assert_eq!(classify(400, None), Outcome::Permanent);
        assert_eq!(classify(401, None), Outcome::Retry { retry_after: None });
        assert_eq!(classify(410, None), Outcome::Permanent);
        assert_eq!(classify(408, None), Outcome::Retry { retry_after: None });
        let ra = Some(Duration::from_secs(90));
        assert_eq!(classify(429, ra), Outcome::Retry { retry_after: ra });
        assert_eq!(classify(503, ra), Outcome::Retry { retry_after: ra });
        assert_eq!(classify(500, ra), Outcome::Retry { retry_after: None });
        assert_eq!(classify(301, None), Outcome::Retry { retry_after: None });
    }

    #[test]
    fn backoff_grows_then_gives_up_within_a_week() {
        let delays: Vec<u64> = (1..=11)
            .map(|n| next_delay(n).map(|d| d.as_secs()).unwrap_or(0))
            .collect();
        assert_eq!(
            delays[..5],
            [60, 300, 1800, 7200, 43200],
            "1 min, 5 min, 30 min, 2 h, 12 h"
        );
        assert!(delays[5..].iter().all(|d| *d == 86400));
        assert_eq!(next_delay(12), None);
        let total: u64 = delays.iter().sum();
        assert!(total <= 7 * 86400 && total > 6 * 86400, "{total}");
    }

    #[test]
    fn retry_after_wins_when_longer_and_is_capped() {
        assert_eq!(
            retry_delay(1, Some(Duration::from_secs(600))),
            Some(Duration::from_secs(600))
        );
        assert_eq!(
            retry_delay(1, Some(Duration::from_secs(5))),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            retry_delay(1, Some(Duration::from_secs(10 * 86400))),
            Some(Duration::from_secs(86400))
        );
        assert_eq!(retry_delay(12, Some(Duration::from_secs(5))), None);
    }

    #[test]
    fn retry_after_parses_both_forms() {
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(300));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(300))
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
