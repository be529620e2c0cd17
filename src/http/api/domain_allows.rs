//! `/api/v1/domain_allows`: the allowlist of `federation.mode = "allowlist"`.

use super::{ApiJson, Staff};
use crate::{
    actions::moderation, context::AppContext, db, error::AppResult, render::activitypub::time,
};
use activitypub_federation::config::Data;
use axum::{Json, extract::Path, http::StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

pub async fn list(_: Staff, data: Data<AppContext>) -> AppResult<Json<Value>> {
    let rows = db::domain_allows::list(data.db.read()).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|a| json!({ "domain": a.domain, "created_at": time(a.created_at) }))
        .collect();
    Ok(Json(json!({
        "mode": if data.blocks.allowlist_mode() { "allowlist" } else { "open" },
        "items": items,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowRequest {
    domain: String,
}

pub async fn allow(
    _: Staff,
    data: Data<AppContext>,
    ApiJson(req): ApiJson<AllowRequest>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let domain = moderation::allow(&data, &req.domain).await?;
    Ok((StatusCode::CREATED, Json(json!({ "domain": domain }))))
}

pub async fn disallow(
    _: Staff,
    data: Data<AppContext>,
    Path(domain): Path<String>,
) -> AppResult<StatusCode> {
    moderation::disallow(&data, &domain).await?;
    Ok(StatusCode::NO_CONTENT)
}
