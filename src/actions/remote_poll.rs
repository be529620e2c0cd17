//! A received poll (`Question`): its options (`oneOf` or `anyOf`, each a `Note` whose `name`
//! is the option and whose `replies.totalItems` its votes), voters, end and whether it closed.

use crate::{
    model::{Poll, PollOption},
    protocol::object::ObjectJson,
    render::sanitize,
};
use serde_json::Value;

/// Most options we keep (Mastodon allows 4, some servers more).
pub const MAX_OPTIONS: usize = 20;
const MAX_OPTION_LEN: usize = 200;

fn option(v: &Value) -> Option<PollOption> {
    let name = sanitize::plain_text(v.get("name")?.as_str()?);
    let votes = v
        .get("replies")
        .and_then(|r| r.get("totalItems"))
        .and_then(Value::as_i64)
        .filter(|n| *n >= 0)
        .unwrap_or(0);
    (!name.is_empty()).then(|| PollOption {
        name: name.chars().take(MAX_OPTION_LEN).collect(),
        votes,
    })
}

/// The poll of `o`, or `None` when it has no readable option. Whether its end time has
/// passed is for the reader to see (it is not `closed` until its server says so).
pub fn of(o: &ObjectJson) -> Option<Poll> {
    let (multiple, raw) = match (o.one_of.is_empty(), o.any_of.is_empty()) {
        (false, _) => (false, &o.one_of),
        (true, false) => (true, &o.any_of),
        (true, true) => return None,
    };
    let options: Vec<PollOption> = raw.iter().filter_map(option).take(MAX_OPTIONS).collect();
    if options.len() < raw.len() {
        tracing::info!(object = %o.id, "poll options without a name, or over {MAX_OPTIONS}, not kept");
    }
    let end_time = o.event.end_time.map(|t| t.timestamp_millis());
    let closed_at = match &o.closed {
        Some(Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.timestamp_millis()),
        _ => None,
    };
    let closed = o.closed.as_ref().and_then(Value::as_bool) == Some(true) || closed_at.is_some();
    (!options.is_empty()).then(|| Poll {
        multiple,
        options,
        voters: o.voters_count.filter(|n| *n >= 0),
        end_time: closed_at.or(end_time),
        closed,
    })
}
