//! `/api/v1/replies/{id}/…`, `/api/v1/notifications` and `/api/v1/domain_blocks`.

use super::{ApiJson, Staff};
use crate::{
    actions::moderation,
    context::AppContext,
    db::{self, posts::FeedRow},
    error::{AppResult, invalid},
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

/// A reply as staff see it (hidden ones included, flagged).
pub fn reply_json(r: &FeedRow) -> Value {
    let p = &r.post;
    json!({
        "reply_id": p.id,
        "id": p.ap_id,
        "actor": r.actor_ap_id,
        "author_name": r.author_name,
        "author_handle": format!("{}@{}", r.author_username, r.author_domain),
        "content": p.content,
        "published": time(p.published),
        "updated": time(p.updated),
        "hidden": p.hidden_at.is_some(),
    })
}

fn reply_id(id: &str) -> AppResult<i64> {
    id.parse()
        .map_err(|_| crate::error::AppError::NotFound(format!("no reply {id}")))
}

pub async fn hide(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    moderation::set_reply_hidden(&data, reply_id(&id)?, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn unhide(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    moderation::set_reply_hidden(&data, reply_id(&id)?, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    moderation::delete_reply(&data, reply_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct ListQuery {
    limit: Option<String>,
    before: Option<String>,
}

pub async fn notifications(
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
    let rows = db::notifications::list(data.db.read(), before, limit).await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    let items: Vec<Value> = rows
        .iter()
        .map(|n| {
            json!({
                "id": n.id,
                "type": n.kind,
                "actor": n.actor_ap_id,
                "author_handle": format!("{}@{}", n.actor_username, n.actor_domain),
                "object": n.object_ap_id,
                "in_reply_to": n.in_reply_to,
                "content": n.content,
                "created_at": time(n.created_at),
            })
        })
        .collect();
    Ok(Json(json!({ "items": items, "next": next })))
}

pub async fn blocks(_: Staff, data: Data<AppContext>) -> AppResult<Json<Value>> {
    let rows = db::domain_blocks::list(data.db.read()).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|b| json!({ "domain": b.domain, "created_at": time(b.created_at) }))
        .collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockRequest {
    domain: String,
}

pub async fn block(
    _: Staff,
    data: Data<AppContext>,
    ApiJson(req): ApiJson<BlockRequest>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let domain = moderation::block(&data, &req.domain).await?;
    Ok((StatusCode::CREATED, Json(json!({ "domain": domain }))))
}

pub async fn unblock(
    _: Staff,
    data: Data<AppContext>,
    Path(domain): Path<String>,
) -> AppResult<StatusCode> {
    moderation::unblock(&data, &domain).await?;
    Ok(StatusCode::NO_CONTENT)
}
