//! `/api/v1/deliveries` and `/api/v1/hosts`: the delivery queue as staff see it.

use super::Staff;
use crate::{
    context::AppContext,
    db::{self, deliveries::DeliveryView},
    error::{AppError, AppResult, invalid},
    render::activitypub::time,
};
use activitypub_federation::config::Data;
use axum::{
    Json,
    extract::{Path, Query},
};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct ListQuery {
    state: Option<String>,
    limit: Option<String>,
    before: Option<String>,
}

fn delivery_json(d: &DeliveryView) -> Value {
    json!({
        "id": d.id,
        "activity": d.activity_ap_id,
        "activity_type": d.activity_kind,
        "inbox": d.inbox,
        "host": d.host,
        "state": d.status,
        "attempts": d.attempts,
        "last_error": d.last_error,
        "next_attempt_at": (d.status == "pending").then(|| time(d.next_attempt_at)),
        "in_flight": d.lease_until.is_some(),
        "created_at": time(d.created_at),
        "updated_at": time(d.updated_at),
    })
}

pub async fn list(
    _: Staff,
    data: Data<AppContext>,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Value>> {
    let state = q.state.as_deref().unwrap_or("pending");
    if !matches!(state, "pending" | "failed" | "done") {
        return Err(invalid(format!(
            "state: must be pending, failed or done (got {state:?})"
        )));
    }
    let limit = match q.limit.as_deref() {
        None | Some("") => 50,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=500).contains(l))
            .ok_or_else(|| invalid(format!("limit: must be a number from 1 to 500 (got {l:?})")))?,
    };
    let before = match q.before.as_deref() {
        None | Some("") => i64::MAX,
        Some(b) => b
            .parse::<i64>()
            .map_err(|_| invalid(format!("before: not a valid cursor: {b:?}")))?,
    };
    let rows = db::deliveries::list(data.db.read(), state, before, limit).await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    let items: Vec<Value> = rows.iter().map(delivery_json).collect();
    Ok(Json(json!({ "items": items, "next": next })))
}

pub async fn retry(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::NotFound(format!("no delivery {id}")))?;
    let found = db::deliveries::find(data.db.read(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no delivery {id}")))?;
    if found.status == "done" {
        return Err(AppError::Conflict(format!(
            "delivery {id} was already delivered"
        )));
    }
    let now = data.now().timestamp_millis();
    db::deliveries::retry(data.db.write(), id, now).await?;
    // A retry asked by staff also lets the host's next delivery through an open circuit.
    db::hosts::probe_now(data.db.write(), &found.host, now).await?;
    crate::actions::outbox::wake(&data);
    let row = db::deliveries::find(data.db.read(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no delivery {id}")))?;
    Ok(Json(delivery_json(&row)))
}

pub async fn hosts(_: Staff, data: Data<AppContext>) -> AppResult<Json<Value>> {
    let hosts = db::hosts::list(data.db.read()).await?;
    let pending: std::collections::HashMap<String, i64> =
        db::deliveries::pending_by_host(data.db.read())
            .await?
            .into_iter()
            .collect();
    let items: Vec<Value> = hosts
        .iter()
        .map(|h| {
            json!({
                "host": h.host,
                "state": h.state,
                "consecutive_failures": h.consecutive_failures,
                "failing_since": h.first_failure_at.map(time),
                "last_failure_at": h.last_failure_at.map(time),
                "last_success_at": h.last_success_at.map(time),
                "next_probe_at": h.next_probe_at.map(time),
                "last_error": h.last_error,
                "pending": pending.get(&h.host).copied().unwrap_or(0),
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}
