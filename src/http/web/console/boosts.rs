//! Boosts from the console, for all staff: boost a public post by its address, see our
//! boosts, undo one.

use super::{Staff, StaffCtx, page};
use crate::{actions::boosts, db, error::AppError, http::web::forms::Fields};
use askama::Template;
use axum::{
    extract::{Path, Query},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

pub struct BoostLine {
    pub id: String,
    pub object: String,
    pub published: String,
}

#[derive(Template)]
#[template(path = "console/boosts.html")]
struct BoostsPage<'a> {
    s: StaffCtx<'a>,
    boosts: Vec<BoostLine>,
    object: String,
}

async fn boosts_page(
    staff: &Staff,
    status: StatusCode,
    object: String,
    error: Option<String>,
) -> Response {
    let t = staff.web.t();
    match db::boosts::ours(staff.web.data.db.read(), 200).await {
        Ok(rows) => {
            let mut s = staff.ctx().await;
            s.error = error;
            let boosts = rows
                .iter()
                .map(|r| BoostLine {
                    id: r.public_id.clone().unwrap_or_default(),
                    object: r.boost_of.clone().unwrap_or_default(),
                    published: crate::http::web::views::datetime(t.lang, r.published),
                })
                .collect();
            page(status, &BoostsPage { s, boosts, object })
        }
        Err(e) => AppError::Internal(e).into_response(),
    }
}

#[derive(serde::Deserialize)]
pub struct ObjectQuery {
    object: Option<String>,
}

/// `?object=URL` fills the form (a link "boost this" elsewhere can point here).
pub async fn view(staff: Staff, Query(q): Query<ObjectQuery>) -> Response {
    boosts_page(&staff, StatusCode::OK, q.object.unwrap_or_default(), None).await
}

pub async fn boost(staff: Staff, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    let object = fields.get("object").trim().to_string();
    match boosts::boost(&staff.web.data, &object).await {
        Ok(_) => Redirect::to("/console/boosts").into_response(),
        Err(e) if e.status().is_client_error() || e.status() == StatusCode::BAD_GATEWAY => {
            let status = e.status();
            boosts_page(&staff, status, object, Some(e.to_string())).await
        }
        Err(e) => e.into_response(),
    }
}

pub async fn undo(staff: Staff, Path(id): Path<String>, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    match boosts::unboost(&staff.web.data, &id).await {
        Ok(()) => Redirect::to("/console/boosts").into_response(),
        Err(e) => e.into_response(),
    }
}
