//! The participants of one of our events, for all staff: the list with each request's
//! message, accept and reject buttons for held requests, and the CSV export.

use super::{Staff, page};
use crate::{
    actions::{participants, posts},
    db,
    error::{AppError, invalid},
    http::web::forms::Fields,
};
use askama::Template;
use axum::{
    extract::Path,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

pub struct ParticipantLine {
    pub id: i64,
    pub handle: String,
    pub name: String,
    pub actor: String,
    pub state: String,
    pub message: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "console/participants.html")]
struct ParticipantsPage<'a> {
    s: super::StaffCtx<'a>,
    post_id: String,
    title: String,
    count: String,
    participants: Vec<ParticipantLine>,
}

async fn event(staff: &Staff, id: &str) -> Result<db::posts::PostRow, AppError> {
    let post = posts::find_own(&staff.web.data, id).await?;
    if post.kind != "Event" || post.deleted_at.is_some() {
        return Err(AppError::NotFound(format!("no event {id}")));
    }
    Ok(post)
}

async fn render_page(staff: &Staff, id: &str) -> Result<Response, AppError> {
    let post = event(staff, id).await?;
    let t = staff.web.t();
    let rows = db::participants::list(
        staff.web.data.db.read(),
        post.id,
        crate::http::api::participants::LIMIT,
    )
    .await?;
    let n = participants::count(&staff.web.data, &post).await?;
    let lines = rows
        .iter()
        .map(|p| ParticipantLine {
            id: p.id,
            handle: format!("@{}@{}", p.actor_username, p.actor_domain),
            name: p.actor_name.clone().unwrap_or_default(),
            actor: p.actor_ap_id.clone(),
            state: t.get(match p.state.as_str() {
                "accepted" => "participants-accepted",
                "pending" => "participants-pending",
                _ => "participants-rejected",
            }),
            message: p.message.clone(),
            created: crate::http::web::views::datetime(t.lang, p.created_at),
        })
        .collect();
    let s = staff.ctx().await;
    Ok(page(
        StatusCode::OK,
        &ParticipantsPage {
            count: t.count("event-participants", "count", n),
            s,
            post_id: id.to_string(),
            title: post.name.clone().unwrap_or_default(),
            participants: lines,
        },
    ))
}

pub async fn view(staff: Staff, Path(id): Path<String>) -> Response {
    render_page(&staff, &id)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// The CSV export, as the API gives it.
pub async fn csv(staff: Staff, Path(id): Path<String>) -> Response {
    crate::http::api::participants::export(&staff.web.data, &id)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn decide(staff: Staff, id: String, pid: String, fields: Fields, accept: bool) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    let result = async {
        let post = event(&staff, &id).await?;
        let pid: i64 = pid
            .parse()
            .map_err(|_| invalid(format!("participant id {pid:?} is not a number")))?;
        participants::decide(&staff.web.data, &post, pid, accept).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/console/posts/{id}/participants")).into_response(),
        Err(e) => e.into_response(),
    }
}

pub async fn accept(
    staff: Staff,
    Path((id, pid)): Path<(String, String)>,
    fields: Fields,
) -> Response {
    decide(staff, id, pid, fields, true).await
}

pub async fn reject(
    staff: Staff,
    Path((id, pid)): Path<(String, String)>,
    fields: Fields,
) -> Response {
    decide(staff, id, pid, fields, false).await
}
