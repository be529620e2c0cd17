//! `/api/v1/settings/…`: instance settings staff choose.

use super::{ApiJson, Staff};
use crate::{actions::network_replies, context::AppContext, error::AppResult};
use activitypub_federation::config::Data;
use axum::Json;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepliesSetting {
    shown: bool,
}

/// `GET /api/v1/settings/network_replies`: `{"shown": bool}`.
pub async fn get_network_replies(_: Staff, data: Data<AppContext>) -> AppResult<Json<Value>> {
    Ok(Json(json!({"shown": network_replies::shown(&data).await?})))
}

/// `PUT /api/v1/settings/network_replies` with `{"shown": bool}`.
pub async fn put_network_replies(
    _: Staff,
    data: Data<AppContext>,
    ApiJson(s): ApiJson<RepliesSetting>,
) -> AppResult<Json<Value>> {
    network_replies::set(&data, s.shown).await?;
    Ok(Json(json!({"shown": s.shown})))
}
