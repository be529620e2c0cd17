//! Error pages for browsers: a response of 400 or more that is not already a page (JSON from a
//! handler, or the router's empty 404) becomes an HTML page in the reader's language with a
//! way back, when the request came from a browser. ActivityPub and API clients, feeds and the
//! inbox keep their JSON.

use super::{PageCtx, cookie, page_ctx, query_param, render};
use crate::{context::AppContext, i18n::Lang, i18n::Tr};
use activitypub_federation::config::FederationConfig;
use askama::Template;
use axum::{
    extract::Request,
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::Response,
};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    p: PageCtx<'a>,
    status: u16,
    title: String,
    message: String,
}

/// Whether the request is a browser's asking for a page (not the API, the inbox, a feed or an
/// ActivityPub client).
fn wants_page(path: &str, headers: &HeaderMap) -> bool {
    let machine = [
        "/api/",
        "/inbox",
        "/.well-known/",
        "/nodeinfo",
        "/metrics",
        "/healthz",
    ];
    if machine.iter().any(|p| path.starts_with(p)) || path.ends_with("/inbox") {
        return false;
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("text/html") && !crate::http::negotiate::wants_activity_json(headers)
}

/// The catalogue key of a status's title and message.
fn key(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "error-400",
        401 | 403 => "error-403",
        404 | 405 => "error-404",
        410 => "error-410",
        413 => "error-413",
        429 => "error-429",
        500..=599 => "error-500",
        _ => "error-other",
    }
}

pub async fn html_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let page = wants_page(&path, request.headers()).then(|| {
        let choice =
            query_param(request.uri(), "lang").or_else(|| cookie(request.headers(), "lang"));
        let accept = request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let ctx = request
            .extensions()
            .get::<FederationConfig<AppContext>>()
            .map(|f| f.to_request_data().app_data().clone());
        (Lang::negotiate(choice.as_deref(), accept.as_deref()), ctx)
    });
    let response = next.run(request).await;
    let status = response.status();
    let Some((lang, Some(ctx))) = page else {
        return response;
    };
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if status.as_u16() < 400 || is_page {
        return response;
    }
    let t = Tr {
        catalogs: &ctx.i18n,
        lang,
    };
    let k = key(status);
    let page = ErrorPage {
        p: page_ctx(&ctx, t, path).await,
        status: status.as_u16(),
        title: t.get(k),
        message: t.get(&format!("{k}-help")),
    };
    let mut html = render(status, &page);
    if let Some(retry) = response.headers().get(header::RETRY_AFTER) {
        html.headers_mut()
            .insert(header::RETRY_AFTER, retry.clone());
    }
    html
}
