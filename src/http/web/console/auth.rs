//! Sign-in, sign-out and the one-time setup link.

use super::{CSRF_COOKIE, SESSION_COOKIE, Staff, StaffCtx, page};
use crate::{
    actions::{accounts, centre},
    error::AppError,
    http::web::{
        Web, cookie,
        forms::{Fields, same},
        public, set_cookie,
    },
};
use askama::Template;
use axum::{
    extract::Query,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage<'a> {
    s: StaffCtx<'a>,
    email: String,
}

#[derive(Template)]
#[template(path = "console/setup.html")]
struct SetupPage<'a> {
    s: StaffCtx<'a>,
    token: String,
    name: String,
    summary: String,
    email: String,
}

/// A context for pages shown before sign-in, with a fresh double-submit CSRF token.
async fn anonymous(web: &Web, csrf: String, error: Option<String>) -> StaffCtx<'_> {
    let p = web.page().await;
    StaffCtx {
        t: web.t(),
        centre_name: p.centre_name,
        email: String::new(),
        is_admin: false,
        csrf,
        error,
        notice: None,
    }
}

/// Responds with `body` and the CSRF cookie that its form carries.
fn with_csrf_cookie(web: &Web, csrf: &str, body: Response) -> Response {
    let mut r = body;
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&web.data, CSRF_COOKIE, csrf, 3600),
    );
    r
}

fn csrf_ok(headers: &HeaderMap, fields: &Fields) -> bool {
    cookie(headers, CSRF_COOKIE).is_some_and(|c| !c.is_empty() && same(&c, fields.get("csrf")))
}

async fn csrf_refused(web: &Web) -> Response {
    let t = web.t();
    public::message(
        web,
        StatusCode::FORBIDDEN,
        t.get("forbidden-title"),
        t.get("form-csrf"),
    )
    .await
}

pub async fn login_form(web: Web) -> Response {
    if let Some(tok) = cookie(&web.headers, SESSION_COOKIE)
        && matches!(accounts::session(&web.data, &tok).await, Ok(Some(_)))
    {
        return Redirect::to("/console").into_response();
    }
    let csrf = accounts::random_token();
    let s = anonymous(&web, csrf.clone(), None).await;
    let body = page(
        StatusCode::OK,
        &LoginPage {
            s,
            email: String::new(),
        },
    );
    with_csrf_cookie(&web, &csrf, body)
}

pub async fn login(web: Web, fields: Fields) -> Response {
    if !csrf_ok(&web.headers, &fields) {
        return csrf_refused(&web).await;
    }
    let client = web.client.clone();
    let email = fields.get("email").to_string();
    match accounts::login(&web.data, &email, fields.get("password"), &client).await {
        Ok(session) => signed_in(&web, &session),
        Err(e) => {
            let t = web.t();
            let (status, message, wait) = match e {
                accounts::LoginFailure::Wait(ms) => {
                    let secs = ((ms + 999) / 1000).max(1);
                    let message = if secs >= 60 {
                        t.count("login-rate-limited-minutes", "n", (secs + 59) / 60)
                    } else {
                        t.count("login-rate-limited-seconds", "n", secs)
                    };
                    (StatusCode::TOO_MANY_REQUESTS, message, Some(secs))
                }
                accounts::LoginFailure::Wrong => {
                    (StatusCode::UNAUTHORIZED, t.get("login-failed"), None)
                }
                accounts::LoginFailure::Error(other) => return other.into_response(),
            };
            let csrf = accounts::random_token();
            let s = anonymous(&web, csrf.clone(), Some(message)).await;
            let mut r = with_csrf_cookie(&web, &csrf, page(status, &LoginPage { s, email }));
            if let Some(secs) = wait
                && let Ok(v) = secs.to_string().parse()
            {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
    }
}

pub async fn logout(staff: Staff, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    if let Err(e) = accounts::logout(&staff.web.data, &staff.session).await {
        return e.into_response();
    }
    let mut r = Redirect::to("/console/login").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&staff.web.data, SESSION_COOKIE, "", 0),
    );
    r
}

#[derive(Deserialize)]
pub struct SetupQuery {
    token: Option<String>,
}

async fn setup_invalid(web: &Web) -> Response {
    let t = web.t();
    public::message(
        web,
        StatusCode::FORBIDDEN,
        t.get("forbidden-title"),
        t.get("setup-invalid"),
    )
    .await
}

pub async fn setup_form(web: Web, Query(q): Query<SetupQuery>) -> Response {
    let token = q.token.unwrap_or_default();
    match accounts::setup_token_valid(&web.data.db, &token).await {
        Ok(true) => {}
        Ok(false) => return setup_invalid(&web).await,
        Err(e) => return AppError::Internal(e).into_response(),
    }
    let csrf = accounts::random_token();
    let name = web.page().await.centre_name;
    let s = anonymous(&web, csrf.clone(), None).await;
    let body = page(
        StatusCode::OK,
        &SetupPage {
            s,
            token,
            name,
            summary: String::new(),
            email: String::new(),
        },
    );
    with_csrf_cookie(&web, &csrf, body)
}

pub async fn setup(web: Web, fields: Fields) -> Response {
    if !csrf_ok(&web.headers, &fields) {
        return csrf_refused(&web).await;
    }
    let token = fields.get("token").to_string();
    let name = fields.get("name").trim().to_string();
    let summary = fields.get("summary").to_string();
    let email = fields.get("email").to_string();
    let invalid = |message: String| async {
        let csrf = accounts::random_token();
        let s = anonymous(&web, csrf.clone(), Some(message)).await;
        let body = page(
            StatusCode::BAD_REQUEST,
            &SetupPage {
                s,
                token: token.clone(),
                name: name.clone(),
                summary: summary.clone(),
                email: email.clone(),
            },
        );
        with_csrf_cookie(&web, &csrf, body)
    };
    match accounts::setup_token_valid(&web.data.db, &token).await {
        Ok(true) => {}
        Ok(false) => return setup_invalid(&web).await,
        Err(e) => return AppError::Internal(e).into_response(),
    }
    if let Err(e) = centre::check_name(&name) {
        return invalid(e.to_string()).await;
    }
    let session =
        match accounts::complete_setup(&web.data, &token, &email, fields.get("password")).await {
            Ok(s) => s,
            Err(AppError::Forbidden(_)) => return setup_invalid(&web).await,
            Err(AppError::Invalid(m)) | Err(AppError::Conflict(m)) => return invalid(m).await,
            Err(e) => return e.into_response(),
        };
    let profile = centre::ProfileInput {
        name,
        summary,
        ..centre::ProfileInput::from_current(&web.data)
            .await
            .unwrap_or_default()
    };
    if let Err(e) = centre::update_profile(&web.data, profile).await {
        return e.into_response();
    }
    signed_in(&web, &session)
}

/// Sends a newly signed-in member to the dashboard with their session cookie.
fn signed_in(web: &Web, session: &accounts::NewSession) -> Response {
    let mut r = Redirect::to("/console").into_response();
    let h = r.headers_mut();
    h.append(
        header::SET_COOKIE,
        set_cookie(
            &web.data,
            SESSION_COOKIE,
            &session.token,
            accounts::SESSION_MS / 1000,
        ),
    );
    h.append(
        header::SET_COOKIE,
        set_cookie(&web.data, CSRF_COOKIE, "", 0),
    );
    r
}
