//! `/api/v1/participations`: our centre joins other servers' events.

use super::{ApiJson, Staff};
use crate::{actions::participations, context::AppContext, db, error::AppResult};
use activitypub_federation::config::Data;
use axum::{Json, http::StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinInput {
    pub event: String,
}

/// `POST`: sends a `Join`; `201` when new, `200` with the existing participation.
pub async fn create(
    _: Staff,
    data: Data<AppContext>,
    ApiJson(input): ApiJson<JoinInput>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let (p, new) = participations::join(&data, &input.event).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(participations::api_json(&p))))
}

pub async fn list(_: Staff, data: Data<AppContext>) -> AppResult<Json<Value>> {
    let rows = db::participations::list(data.db.read(), 500).await?;
    Ok(Json(json!(
        rows.iter()
            .map(participations::api_json)
            .collect::<Vec<_>>()
    )))
}
