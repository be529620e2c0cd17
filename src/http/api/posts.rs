//! `/api/v1/posts`: publish, read, edit and delete the centre's posts.

use super::{ApiJson, Staff};
use crate::{
    actions::posts::{self, PostInput},
    context::AppContext,
    error::AppResult,
};
use activitypub_federation::config::Data;
use axum::{Json, extract::Path, http::StatusCode};
use serde_json::{Value, json};

pub async fn create(
    _: Staff,
    data: Data<AppContext>,
    ApiJson(input): ApiJson<PostInput>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let row = posts::create(&data, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": row.public_id, "url": row.ap_id })),
    ))
}

pub async fn get(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let row = posts::find_own(&data, &id).await?;
    let mut v = posts::api_json(&data, &row);
    let replies = crate::db::post_threads::replies(data.db.read(), &row.ap_id, true).await?;
    v["replies"] = Value::Array(replies.iter().map(super::moderation::reply_json).collect());
    let (likes, boosts) = crate::db::reactions::counts(data.db.read(), row.id).await?;
    v["likes"] = json!(likes);
    v["boosts"] = json!(boosts);
    if row.kind == "Event" {
        v["participants"] = json!(crate::actions::participants::count(&data, &row).await?);
    }
    let who = crate::db::reactions::list(data.db.read(), row.id, 200).await?;
    v["reactions"] = who
        .iter()
        .map(|r| {
            json!({
                "kind": r.kind,
                "actor": r.actor_ap_id,
                "handle": format!("@{}@{}", r.actor_username, r.actor_domain),
                "name": r.actor_name,
                "created_at": crate::render::activitypub::time(r.created_at),
            })
        })
        .collect();
    Ok(Json(v))
}

pub async fn edit(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
    ApiJson(edit): ApiJson<PostInput>,
) -> AppResult<Json<Value>> {
    let row = posts::edit(&data, &id, edit).await?;
    Ok(Json(posts::api_json(&data, &row)))
}

pub async fn delete(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    posts::delete(&data, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
