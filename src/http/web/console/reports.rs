//! Reports in the console. Administrators see the reports other servers sent us (who, why,
//! and the reported content as it is now) and resolve them or act on them: hide a reported
//! reply, block the reporter's or a reply author's domain. Every staff member can report a
//! remote post or actor to its server (`/console/reports/new`).

use super::{Admin, Staff, StaffCtx, page};
use crate::{
    actions::{report_send, reports},
    error::{AppError, AppResult},
    http::web::{forms::Fields, query_param, views},
    render::links::web_url,
};
use askama::Template;
use axum::{
    extract::Path,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

/// `?done=` values and the notice each shows.
const NOTICES: &[(&str, &str)] = &[
    ("resolved", "reports-notice-resolved"),
    ("hidden", "reports-notice-hidden"),
    ("blocked", "reports-notice-blocked"),
];

pub struct ObjectLine {
    pub id: String,
    /// The id as a link, when it is http(s).
    pub url: Option<String>,
    pub kind: String,
    pub excerpt: String,
    pub author: Option<String>,
    pub reply_id: Option<i64>,
    pub hidden: bool,
}

pub struct ReportLine {
    pub id: i64,
    pub reporter: String,
    pub reporter_url: Option<String>,
    pub comment: String,
    pub received: String,
    /// "date · who" once resolved.
    pub resolved: Option<String>,
    pub objects: Vec<ObjectLine>,
    pub domains: Vec<String>,
}

#[derive(Template)]
#[template(path = "console/reports.html")]
struct ReportsPage<'a> {
    s: StaffCtx<'a>,
    reports: Vec<ReportLine>,
}

#[derive(Template)]
#[template(path = "console/report_new.html")]
struct NewReportPage<'a> {
    s: StaffCtx<'a>,
    object: String,
    comment: String,
}

fn line(staff: &Staff, r: reports::ReportView) -> ReportLine {
    let t = staff.web.t();
    let domains = r.domains();
    let row = r.row;
    ReportLine {
        id: row.id,
        reporter: match &row.reporter_name {
            Some(n) if !n.is_empty() => {
                format!("{n} (@{}@{})", row.reporter_username, row.reporter_domain)
            }
            _ => format!("@{}@{}", row.reporter_username, row.reporter_domain),
        },
        reporter_url: web_url(&row.reporter_ap_id).map(str::to_string),
        comment: row.comment,
        received: views::datetime(t.lang, row.received_at),
        resolved: row.resolved_at.map(|at| {
            format!(
                "{} · {}",
                views::datetime(t.lang, at),
                row.resolved_by.unwrap_or_default()
            )
        }),
        objects: r
            .objects
            .into_iter()
            .map(|o| ObjectLine {
                url: web_url(&o.id).map(str::to_string),
                kind: t.get(&format!("reports-kind-{}", o.kind)),
                id: o.id,
                excerpt: o.excerpt,
                author: o.author_handle.map(|h| format!("@{h}")),
                reply_id: o.reply_id,
                hidden: o.hidden,
            })
            .collect(),
        domains,
    }
}

async fn reports_page(staff: &Staff, status: StatusCode, error: Option<String>) -> Response {
    let data = &staff.web.data;
    match reports::list(data, true, i64::MAX, 100).await {
        Ok(views) => {
            let mut s = staff.ctx().await;
            s.error = error;
            let done = query_param(&staff.web.uri, "done");
            s.notice = NOTICES
                .iter()
                .find(|(k, _)| Some(*k) == done.as_deref())
                .map(|(_, key)| s.t.get(key));
            let reports = views.into_iter().map(|v| line(staff, v)).collect();
            page(status, &ReportsPage { s, reports })
        }
        Err(e) => e.into_response(),
    }
}

pub async fn list(Admin(staff): Admin) -> Response {
    reports_page(&staff, StatusCode::OK, None).await
}

/// Runs an action on report `id` after the CSRF check: back to the list with a notice, or the
/// list with the error.
async fn act<F, Fut, T>(staff: &Staff, id: &str, fields: &Fields, done: &str, act: F) -> Response
where
    F: FnOnce(i64) -> Fut,
    Fut: std::future::Future<Output = AppResult<T>>,
{
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return AppError::NotFound(format!("no report {id}")).into_response();
    };
    match act(id).await {
        Ok(_) => Redirect::to(&format!("/console/reports?done={done}")).into_response(),
        Err(AppError::Internal(e)) => AppError::Internal(e).into_response(),
        Err(e) => reports_page(staff, e.status(), Some(e.to_string())).await,
    }
}

pub async fn resolve(Admin(staff): Admin, Path(id): Path<String>, fields: Fields) -> Response {
    let data = staff.web.data.clone();
    let by = staff.session.email.clone();
    act(&staff, &id, &fields, "resolved", |id| async move {
        reports::resolve(&data, id, &by).await
    })
    .await
}

pub async fn hide(Admin(staff): Admin, Path(id): Path<String>, fields: Fields) -> Response {
    let data = staff.web.data.clone();
    let reply = fields.get("reply").trim().parse::<i64>().ok();
    act(&staff, &id, &fields, "hidden", |id| async move {
        let reply = reply.ok_or_else(|| crate::error::invalid("reply: not a reply id"))?;
        reports::hide_reply(&data, id, reply).await
    })
    .await
}

pub async fn block(Admin(staff): Admin, Path(id): Path<String>, fields: Fields) -> Response {
    let data = staff.web.data.clone();
    let domain = fields.get("domain").to_string();
    act(&staff, &id, &fields, "blocked", |id| async move {
        reports::block_domain(&data, id, &domain).await
    })
    .await
}

async fn new_page(
    staff: &Staff,
    status: StatusCode,
    object: String,
    comment: String,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let mut s = staff.ctx().await;
    s.error = error;
    s.notice = notice;
    page(status, &NewReportPage { s, object, comment })
}

/// The form, with `?object=URL` filled in.
pub async fn new_form(staff: Staff) -> Response {
    let object = query_param(&staff.web.uri, "object").unwrap_or_default();
    new_page(&staff, StatusCode::OK, object, String::new(), None, None).await
}

pub async fn send(staff: Staff, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    let object = fields.get("object").trim().to_string();
    let comment = fields.get("comment").to_string();
    match report_send::send(&staff.web.data, &object, fields.opt("comment").as_deref()).await {
        Ok(sent) => {
            let notice = staff.web.t().with("reports-sent", "inbox", &sent.inbox);
            new_page(
                &staff,
                StatusCode::OK,
                String::new(),
                String::new(),
                None,
                Some(notice),
            )
            .await
        }
        Err(AppError::Internal(e)) => AppError::Internal(e).into_response(),
        Err(e) => {
            // A server that could not be reached is bad input here: the form is shown again.
            let status = match e.status() {
                s if s.is_server_error() => StatusCode::BAD_REQUEST,
                s => s,
            };
            new_page(&staff, status, object, comment, Some(e.to_string()), None).await
        }
    }
}
