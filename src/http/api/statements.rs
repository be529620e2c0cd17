//! `/api/v1/statements`: joint statements we draft. Draft, read, edit, invite more centres,
//! publish, check the signatures again; and `verify?url=` checks anyone's statement.

use super::{ApiJson, Staff};
use crate::{
    actions::{
        statement_publish, statement_signatures, statement_verify,
        statements::{self, StatementInput},
    },
    context::AppContext,
    db,
    error::{AppError, AppResult},
};
use activitypub_federation::config::Data;
use axum::{
    Json,
    extract::{Path, Query},
    http::StatusCode,
};
use serde::Deserialize;
use serde_json::{Value, json};

pub async fn create(
    _: Staff,
    data: Data<AppContext>,
    ApiJson(input): ApiJson<StatementInput>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let row = statements::create(&data, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(statements::api_json(&data, &row).await?),
    ))
}

pub async fn list(_: Staff, data: Data<AppContext>) -> AppResult<Json<Value>> {
    let rows = db::statements::list(data.db.read(), 200).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        items.push(statements::api_json(&data, row).await?);
    }
    Ok(Json(json!({ "items": items })))
}

pub async fn get(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let row = statements::find(&data, &id).await?;
    Ok(Json(statements::api_json(&data, &row).await?))
}

pub async fn edit(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<StatementInput>,
) -> AppResult<Json<Value>> {
    let row = statements::edit(&data, &id, input).await?;
    Ok(Json(statements::api_json(&data, &row).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteInput {
    targets: Vec<String>,
}

pub async fn invite(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<InviteInput>,
) -> AppResult<Json<Value>> {
    let row = statements::invite(&data, &id, &input.targets).await?;
    Ok(Json(statements::api_json(&data, &row).await?))
}

pub async fn publish(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let row = statement_publish::publish(&data, &id).await?;
    Ok(Json(statements::api_json(&data, &row).await?))
}

/// Checks every listed signature again on its signer's server.
pub async fn reverify(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let row = statements::find(&data, &id).await?;
    statement_signatures::reverify(&data, &row).await?;
    let row = statements::find(&data, &id).await?;
    Ok(Json(statements::api_json(&data, &row).await?))
}

#[derive(Deserialize)]
pub struct VerifyQuery {
    url: Option<String>,
}

/// `GET /api/v1/statements/verify?url=…`: the third-party check of any published statement.
pub async fn verify(
    _: Staff,
    data: Data<AppContext>,
    Query(q): Query<VerifyQuery>,
) -> AppResult<Json<Value>> {
    let raw = q
        .url
        .ok_or_else(|| AppError::Invalid("url: the statement's URL is required".into()))?;
    let url = url::Url::parse(raw.trim())
        .map_err(|_| AppError::Invalid(format!("url: {raw:?} is not a URL")))?;
    let report = statement_verify::verify(&data, &url).await?;
    Ok(Json(report.json()))
}
