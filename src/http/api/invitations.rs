//! `/api/v1/invitations`: invitations other centres sent us to co-sign their statements.

use super::Staff;
use crate::{actions::cosign, context::AppContext, db, error::AppResult};
use activitypub_federation::config::Data;
use axum::{Json, extract::Path, http::StatusCode};
use serde_json::{Value, json};

pub async fn list(_: Staff, data: Data<AppContext>) -> AppResult<Json<Value>> {
    let rows = db::invitations::list(data.db.read(), 200).await?;
    let items: Vec<Value> = rows.iter().map(cosign::invitation_json).collect();
    Ok(Json(json!({ "items": items })))
}

pub async fn get(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    Ok(Json(cosign::invitation_json(
        &cosign::find(&data, &id).await?,
    )))
}

/// Signs the invited version: `201 {"id", "url"}` of our co-signature.
pub async fn sign(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let sig = cosign::sign(&data, &id).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": sig.public_id, "url": sig.ap_id })),
    ))
}

pub async fn decline(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    Ok(Json(cosign::invitation_json(
        &cosign::decline(&data, &id).await?,
    )))
}
