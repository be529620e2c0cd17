//! `/api/v1/boosts`: boost a public post (`Announce`), list our boosts, undo one.

use super::{ApiJson, Staff};
use crate::{actions::boosts, context::AppContext, db, error::AppResult};
use activitypub_federation::config::Data;
use axum::{Json, extract::Path, http::StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoostInput {
    object: String,
}

pub async fn create(
    _: Staff,
    data: Data<AppContext>,
    ApiJson(input): ApiJson<BoostInput>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let (row, new) = boosts::boost(&data, &input.object).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(boosts::api_json(&row))))
}

pub async fn list(_: Staff, data: Data<AppContext>) -> AppResult<Json<Value>> {
    let rows = db::boosts::ours(data.db.read(), 200).await?;
    Ok(Json(
        json!({"items": rows.iter().map(boosts::api_json).collect::<Vec<_>>()}),
    ))
}

pub async fn delete(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    boosts::unboost(&data, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
