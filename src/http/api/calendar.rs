//! `/api/v1/calendar`: the network calendar, the centre's events and those of every centre it
//! follows, by start time. Past events stay; cancelled ones are flagged.

use super::Staff;
use crate::{
    context::AppContext,
    db::{self, posts::Scope},
    error::{AppResult, invalid},
};
use activitypub_federation::config::Data;
use axum::{Json, extract::Query};
use chrono::{DateTime, NaiveDate};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct CalendarQuery {
    from: Option<String>,
    to: Option<String>,
    centre: Option<String>,
    tag: Option<String>,
}

/// Reads `from`/`to`: RFC 3339, or a date (midnight UTC).
fn instant(field: &str, v: &str) -> AppResult<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.timestamp_millis());
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp_millis())
        .ok_or_else(|| {
            invalid(format!(
                "{field}: {v:?} is not a date (2026-02-12) or an RFC 3339 time"
            ))
        })
}

pub async fn calendar(
    _: Staff,
    data: Data<AppContext>,
    Query(q): Query<CalendarQuery>,
) -> AppResult<Json<Value>> {
    let from = match q.from.as_deref().filter(|s| !s.is_empty()) {
        Some(f) => instant("from", f)?,
        None => i64::MIN,
    };
    let to = match q.to.as_deref().filter(|s| !s.is_empty()) {
        Some(t) => instant("to", t)?,
        None => i64::MAX,
    };
    if from > to {
        return Err(invalid("to: must not be before from"));
    }
    let (tag, centre) =
        crate::http::feeds::filters(&data, q.tag.as_deref(), q.centre.as_deref()).await?;
    let scope = Scope {
        local_only: false,
        centre: centre.as_deref(),
        tag: tag.as_deref(),
        public_only: false,
    };
    let rows = db::posts::calendar(data.db.read(), scope, from, to, 500).await?;
    let items: Vec<Value> = rows.iter().map(super::feed::item_json).collect();
    Ok(Json(json!({ "items": items })))
}
