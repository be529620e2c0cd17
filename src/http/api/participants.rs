//! `/api/v1/posts/{id}/participants`: who joined one of our events (JSON or CSV), and staff
//! decisions on the requests a restricted event holds.

use super::Staff;
use crate::{
    actions::{participants, posts},
    context::AppContext,
    db,
    error::{AppResult, invalid},
    render,
};
use activitypub_federation::config::Data;
use axum::{
    Json,
    extract::{Path, Query},
    http::header,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{Value, json};

/// Participants listed or exported at most.
pub const LIMIT: i64 = 10_000;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub format: Option<String>,
}

async fn event(data: &AppContext, id: &str) -> AppResult<db::posts::PostRow> {
    let post = posts::find_own(data, id).await?;
    if post.kind != "Event" {
        return Err(invalid(format!(
            "post {id} is a {}, not an Event",
            post.kind
        )));
    }
    Ok(post)
}

/// `GET …/participants` (JSON, or CSV with `?format=csv`).
pub async fn list(
    _: Staff,
    data: Data<AppContext>,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    match q.format.as_deref() {
        None | Some("json") => {}
        Some("csv") => return export(&data, &id).await,
        Some(other) => return Err(invalid(format!("format {other:?}: use json or csv"))),
    }
    let post = event(&data, &id).await?;
    let rows = db::participants::list(data.db.read(), post.id, LIMIT).await?;
    let count = participants::count(&data, &post).await?;
    Ok(Json(json!({
        "participants": count,
        "items": rows.iter().map(participants::api_json).collect::<Vec<Value>>(),
    }))
    .into_response())
}

/// `GET …/participants.csv`.
pub async fn csv(_: Staff, data: Data<AppContext>, Path(id): Path<String>) -> AppResult<Response> {
    export(&data, &id).await
}

/// The CSV of the event's participants.
pub async fn export(data: &AppContext, id: &str) -> AppResult<Response> {
    let post = event(data, id).await?;
    let rows = db::participants::list(data.db.read(), post.id, LIMIT).await?;
    let mut out = render::csv::row(&["handle", "name", "actor", "state", "message", "created_at"]);
    for p in &rows {
        out.push_str(&render::csv::row(&[
            // Without the leading `@`, which the formula guard would otherwise quote.
            format!("{}@{}", p.actor_username, p.actor_domain),
            p.actor_name.clone().unwrap_or_default(),
            p.actor_ap_id.clone(),
            p.state.clone(),
            p.message.clone(),
            render::activitypub::time(p.created_at).to_rfc3339(),
        ]));
    }
    let filename = format!("attachment; filename=\"participants-{id}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        out,
    )
        .into_response())
}

async fn decide(data: &AppContext, id: &str, pid: &str, accept: bool) -> AppResult<Json<Value>> {
    let post = event(data, id).await?;
    let pid: i64 = pid
        .parse()
        .map_err(|_| invalid(format!("participant id {pid:?} is not a number")))?;
    let p = participants::decide(data, &post, pid, accept).await?;
    Ok(Json(participants::api_json(&p)))
}

/// `POST …/participants/{pid}/accept`.
pub async fn accept(
    _: Staff,
    data: Data<AppContext>,
    Path((id, pid)): Path<(String, String)>,
) -> AppResult<Json<Value>> {
    decide(&data, &id, &pid, true).await
}

/// `POST …/participants/{pid}/reject`.
pub async fn reject(
    _: Staff,
    data: Data<AppContext>,
    Path((id, pid)): Path<(String, String)>,
) -> AppResult<Json<Value>> {
    decide(&data, &id, &pid, false).await
}
