//! `/api/v1/follows` and `/api/v1/followers`.

use super::{ApiJson, Staff};
use crate::{
    actions::{followers, follows},
    context::AppContext,
    db,
    error::{AppResult, invalid},
};
use activitypub_federation::config::Data;
use axum::{
    Json,
    extract::{Path, Query},
    http::StatusCode,
};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowRequest {
    target: String,
}

pub async fn create(
    _: Staff,
    data: Data<AppContext>,
    ApiJson(req): ApiJson<FollowRequest>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let follow = follows::follow(&data, &req.target).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(follows::api_json(&data, &follow)),
    ))
}

pub async fn list(_: Staff, data: Data<AppContext>) -> AppResult<Json<Value>> {
    let rows = db::follows::list(data.db.read()).await?;
    let items: Vec<Value> = rows.iter().map(|f| follows::api_json(&data, f)).collect();
    Ok(Json(json!({ "items": items })))
}

pub async fn delete(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    follows::unfollow(&data, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct FollowersQuery {
    state: Option<String>,
}

pub async fn followers(
    _: Staff,
    data: Data<AppContext>,
    Query(q): Query<FollowersQuery>,
) -> AppResult<Json<Value>> {
    if let Some(s) = &q.state
        && s != "pending"
        && s != "accepted"
    {
        return Err(invalid(format!(
            "state: must be pending or accepted (got {s:?})"
        )));
    }
    let rows = db::followers::list(data.db.read(), q.state.as_deref()).await?;
    let items: Vec<Value> = rows.iter().map(followers::api_json).collect();
    Ok(Json(json!({ "items": items })))
}

pub async fn approve(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let f = followers::approve(&data, &id).await?;
    Ok(Json(followers::api_json(&f)))
}

pub async fn reject(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    followers::reject(&data, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
