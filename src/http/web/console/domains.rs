//! The administrators' domain lists: blocked domains, and the allowlist of
//! `federation.mode = "allowlist"`.

use super::{Admin, Staff, StaffCtx, page};
use crate::{actions::moderation, db, error::AppError, http::web::forms::Fields};
use askama::Template;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

#[derive(Template)]
#[template(path = "console/domains.html")]
struct DomainsPage<'a> {
    s: StaffCtx<'a>,
    allowlist_mode: bool,
    blocked: Vec<String>,
    allowed: Vec<String>,
}

async fn domains_page(staff: &Staff, status: StatusCode, error: Option<String>) -> Response {
    let data = &staff.web.data;
    let lists = async {
        let blocked = db::domain_blocks::list(data.db.read()).await?;
        let allowed = db::domain_allows::list(data.db.read()).await?;
        anyhow::Ok((blocked, allowed))
    };
    match lists.await {
        Ok((blocked, allowed)) => {
            let mut s = staff.ctx().await;
            s.error = error;
            page(
                status,
                &DomainsPage {
                    s,
                    allowlist_mode: data.blocks.allowlist_mode(),
                    blocked: blocked.into_iter().map(|b| b.domain).collect(),
                    allowed: allowed.into_iter().map(|a| a.domain).collect(),
                },
            )
        }
        Err(e) => AppError::Internal(e).into_response(),
    }
}

pub async fn view(Admin(staff): Admin) -> Response {
    domains_page(&staff, StatusCode::OK, None).await
}

/// A change to one of the lists: on success back to the page, otherwise the page with the
/// error.
async fn change<F, Fut, T>(staff: &Staff, fields: &Fields, act: F) -> Response
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = crate::error::AppResult<T>>,
{
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    match act(fields.get("domain").to_string()).await {
        Ok(_) => Redirect::to("/console/domains").into_response(),
        Err(AppError::Internal(e)) => AppError::Internal(e).into_response(),
        Err(e) => domains_page(staff, e.status(), Some(e.to_string())).await,
    }
}

pub async fn block(Admin(staff): Admin, fields: Fields) -> Response {
    let data = staff.web.data.clone();
    change(&staff, &fields, |d| async move {
        moderation::block(&data, &d).await
    })
    .await
}

pub async fn unblock(Admin(staff): Admin, fields: Fields) -> Response {
    let data = staff.web.data.clone();
    change(&staff, &fields, |d| async move {
        moderation::unblock(&data, &d).await
    })
    .await
}

pub async fn allow(Admin(staff): Admin, fields: Fields) -> Response {
    let data = staff.web.data.clone();
    change(&staff, &fields, |d| async move {
        moderation::allow(&data, &d).await
    })
    .await
}

pub async fn disallow(Admin(staff): Admin, fields: Fields) -> Response {
    let data = staff.web.data.clone();
    change(&staff, &fields, |d| async move {
        moderation::disallow(&data, &d).await
    })
    .await
}
