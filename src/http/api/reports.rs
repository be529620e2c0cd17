//! `/api/v1/reports`: reports received from other servers (list, one, resolve), and sending
//! a report of a remote post or actor to its server.

use super::{ApiJson, Staff};
use crate::{
    actions::{report_send, reports},
    context::AppContext,
    error::{AppError, AppResult, invalid},
    render::activitypub::time,
};
use activitypub_federation::config::Data;
use axum::{
    Json,
    extract::{Path, Query},
    http::StatusCode,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// A report as the API gives it.
pub fn report_json(r: &reports::ReportView) -> Value {
    let row = &r.row;
    let objects: Vec<Value> = r
        .objects
        .iter()
        .map(|o| {
            json!({
                "id": o.id,
                "type": o.kind,
                "excerpt": o.excerpt,
                "reply_id": o.reply_id,
                "hidden": o.hidden,
                "author_handle": o.author_handle,
            })
        })
        .collect();
    json!({
        "id": row.id,
        "activity_id": row.ap_id,
        "reporter": {
            "id": row.reporter_ap_id,
            "type": row.reporter_kind,
            "handle": format!("{}@{}", row.reporter_username, row.reporter_domain),
            "name": row.reporter_name,
        },
        "comment": row.comment,
        "objects": objects,
        "state": r.state(),
        "received_at": time(row.received_at),
        "resolved_at": row.resolved_at.map(time),
        "resolved_by": row.resolved_by,
    })
}

fn report_id(id: &str) -> AppResult<i64> {
    id.parse()
        .map_err(|_| AppError::NotFound(format!("no report {id}")))
}

#[derive(Deserialize)]
pub struct ListQuery {
    limit: Option<String>,
    before: Option<String>,
    state: Option<String>,
}

pub async fn list(
    _: Staff,
    data: Data<AppContext>,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Value>> {
    let limit = match q.limit.as_deref() {
        None | Some("") => 50,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=200).contains(l))
            .ok_or_else(|| invalid(format!("limit: must be a number from 1 to 200 (got {l:?})")))?,
    };
    let before = match q.before.as_deref() {
        None | Some("") => i64::MAX,
        Some(b) => b
            .parse()
            .map_err(|_| invalid(format!("before: not a valid cursor: {b:?}")))?,
    };
    let include_resolved = match q.state.as_deref() {
        None | Some("") | Some("all") => true,
        Some("open") => false,
        Some(s) => return Err(invalid(format!("state: must be open or all (got {s:?})"))),
    };
    let views = reports::list(&data, include_resolved, before, limit).await?;
    let next = (views.len() as i64 == limit)
        .then(|| views.last().map(|r| r.row.id.to_string()))
        .flatten();
    let items: Vec<Value> = views.iter().map(report_json).collect();
    Ok(Json(json!({ "items": items, "next": next })))
}

pub async fn get(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let view = reports::get(&data, report_id(&id)?).await?;
    Ok(Json(report_json(&view)))
}

pub async fn resolve(
    staff: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let by = format!("token:{}", staff.token_name);
    let view = reports::resolve(&data, report_id(&id)?, &by).await?;
    Ok(Json(report_json(&view)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    object: String,
    #[serde(default)]
    comment: Option<String>,
}

/// Reports a remote post or actor to its server (202: the `Flag` is queued).
pub async fn send(
    _: Staff,
    data: Data<AppContext>,
    ApiJson(req): ApiJson<SendRequest>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let sent = report_send::send(&data, &req.object, req.comment.as_deref()).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "id": sent.id,
            "object": sent.objects,
            "inbox": sent.inbox,
        })),
    ))
}
