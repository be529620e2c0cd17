//! The centre's participations in other servers' events, for all staff: join an event by its
//! address (a `Join` to its organiser) and see the answers.

use super::{Staff, StaffCtx, page};
use crate::{actions::participations, db, error::AppError, http::web::forms::Fields};
use askama::Template;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

pub struct ParticipationLine {
    pub event: String,
    pub state: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "console/participations.html")]
struct ParticipationsPage<'a> {
    s: StaffCtx<'a>,
    participations: Vec<ParticipationLine>,
    event: String,
}

async fn render_page(
    staff: &Staff,
    status: StatusCode,
    event: String,
    error: Option<String>,
) -> Response {
    let t = staff.web.t();
    match db::participations::list(staff.web.data.db.read(), 500).await {
        Ok(rows) => {
            let mut s = staff.ctx().await;
            s.error = error;
            let participations = rows
                .iter()
                .map(|p| ParticipationLine {
                    event: p.event_ap_id.clone(),
                    state: t.get(match p.state.as_str() {
                        "accepted" => "participants-accepted",
                        "pending" => "participants-pending",
                        _ => "participants-rejected",
                    }),
                    created: crate::http::web::views::datetime(t.lang, p.created_at),
                })
                .collect();
            page(
                status,
                &ParticipationsPage {
                    s,
                    participations,
                    event,
                },
            )
        }
        Err(e) => AppError::Internal(e).into_response(),
    }
}

pub async fn view(staff: Staff) -> Response {
    render_page(&staff, StatusCode::OK, String::new(), None).await
}

pub async fn join(staff: Staff, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    let event = fields.get("event").trim().to_string();
    match participations::join(&staff.web.data, &event).await {
        Ok(_) => Redirect::to("/console/participations").into_response(),
        Err(e) if e.status().is_client_error() || e.status() == StatusCode::BAD_GATEWAY => {
            let status = e.status();
            render_page(&staff, status, event, Some(e.to_string())).await
        }
        Err(e) => e.into_response(),
    }
}
