//! The staff console: sign-in, first-run setup, writing, follows, delivery health, API tokens,
//! the centre's profile and accounts, reports. Sessions are `HttpOnly` cookies (`Secure` outside
//! development mode); every form carries a CSRF token; admins can do everything, editors write
//! and publish.

pub mod admin;
pub mod auth;
pub mod boosts;
pub mod cosign;
pub mod domains;
pub mod own_signatures;
pub mod participants;
pub mod participations;
pub mod post_form;
pub mod posts;
pub mod reports;
pub mod statement_form;
#[cfg(test)]
mod statement_keys;
pub mod statements;

use super::{Web, forms::same, render};
use crate::{actions::accounts, db::users::SessionRow, i18n::Tr};
use askama::Template;
use axum::{
    extract::FromRequestParts,
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Redirect, Response},
};

pub const SESSION_COOKIE: &str = "maillage_session";
pub const CSRF_COOKIE: &str = "maillage_csrf";

/// What the console layout needs.
pub struct StaffCtx<'a> {
    pub t: Tr<'a>,
    pub centre_name: String,
    pub email: String,
    pub is_admin: bool,
    pub csrf: String,
    pub error: Option<String>,
    pub notice: Option<String>,
}

/// A signed-in staff member. Without a valid session the request is sent to the login page.
pub struct Staff {
    pub web: Web,
    pub session: SessionRow,
}

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let web = Web::from_request_parts(parts, state).await?;
        let token = super::cookie(&parts.headers, SESSION_COOKIE);
        let session = match token {
            Some(t) => accounts::session(&web.data, &t)
                .await
                .map_err(IntoResponse::into_response)?,
            None => None,
        };
        match session {
            Some(session) => Ok(Staff { web, session }),
            None => Err(Redirect::to("/console/login").into_response()),
        }
    }
}

/// An administrator; editors get a 403 page.
pub struct Admin(pub Staff);

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let staff = Staff::from_request_parts(parts, state).await?;
        if staff.session.role == "admin" {
            return Ok(Admin(staff));
        }
        let t = staff.web.t();
        Err(super::public::message(
            &staff.web,
            StatusCode::FORBIDDEN,
            t.get("forbidden-title"),
            t.get("forbidden-admin"),
        )
        .await)
    }
}

impl Staff {
    pub async fn ctx(&self) -> StaffCtx<'_> {
        let page = self.web.page().await;
        StaffCtx {
            t: self.web.t(),
            centre_name: page.centre_name,
            email: self.session.email.clone(),
            is_admin: self.session.role == "admin",
            csrf: self.session.csrf_token.clone(),
            error: None,
            notice: None,
        }
    }

    /// Refuses a form whose CSRF token is missing or wrong (403).
    pub async fn check_csrf(&self, submitted: &str) -> Result<(), Response> {
        if same(submitted, &self.session.csrf_token) {
            return Ok(());
        }
        let t = self.web.t();
        Err(super::public::message(
            &self.web,
            StatusCode::FORBIDDEN,
            t.get("forbidden-title"),
            t.get("form-csrf"),
        )
        .await)
    }
}

/// Renders a console page; `Err` already holds a response.
pub fn page(status: StatusCode, template: &impl Template) -> Response {
    render(status, template)
}
