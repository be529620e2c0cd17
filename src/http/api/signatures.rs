//! `/api/v1/signatures`: our co-signatures of other centres' statements.

use super::Staff;
use crate::{actions::cosign, context::AppContext, db, error::AppResult};
use activitypub_federation::config::Data;
use axum::{Json, extract::Path, http::StatusCode};
use serde_json::{Value, json};

pub async fn list(_: Staff, data: Data<AppContext>) -> AppResult<Json<Value>> {
    let rows = db::signatures::list(data.db.read(), 200).await?;
    let items: Vec<Value> = rows.iter().map(cosign::signature_json).collect();
    Ok(Json(json!({ "items": items })))
}

/// Withdraws a signature: its URL answers 410 and the drafting centre is told.
pub async fn withdraw(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    cosign::withdraw(&data, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
