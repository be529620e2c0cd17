//! Server-rendered HTML: the public site (`public`) and the staff console (`console`).
//! Templates live in `templates/` and are compiled with the binary (askama); every string
//! comes from the message catalogues.

pub mod calendar_page;
pub mod console;
pub mod error_pages;
pub mod forms;
pub mod post_page;
pub mod post_parts;
pub mod public;
pub mod reply_views;
pub mod signed_statements;
pub mod views;

use crate::{
    context::AppContext,
    i18n::{Lang, Tr},
};
use activitypub_federation::config::Data;
use askama::Template;
use axum::{
    extract::{FromRequestParts, Request},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};

/// Reads a cookie from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, and `Secure` outside development mode.
pub fn set_cookie(ctx: &AppContext, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if ctx.config.dev { "" } else { "; Secure" };
    let v =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&v).unwrap_or(HeaderValue::from_static(""))
}

pub(crate) fn query_param(uri: &axum::http::Uri, name: &str) -> Option<String> {
    uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    })
}

/// What every page needs to know about the request: the language and the path.
pub struct Web {
    pub data: Data<AppContext>,
    pub lang: Lang,
    /// The reader's languages, most wanted first: the one chosen on the site (`?lang=`, the
    /// cookie), then `Accept-Language`. Picks the text of multilingual posts.
    pub readers: Vec<String>,
    pub path: String,
    pub headers: HeaderMap,
    /// The client's address, when the server knows it.
    pub client: String,
    pub uri: axum::http::Uri,
}

impl<S: Send + Sync> FromRequestParts<S> for Web {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let data = Data::<AppContext>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let choice = query_param(&parts.uri, "lang").or_else(|| cookie(&parts.headers, "lang"));
        let accept = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let client = crate::http::client_ip::client_ip(
            peer,
            &parts.headers,
            &data.config.http.trusted_proxies,
        );
        let readers = choice
            .as_deref()
            .and_then(Lang::parse)
            .map(|l| l.code().to_string())
            .into_iter()
            .chain(crate::language::accepted(accept))
            .collect();
        Ok(Web {
            readers,
            uri: parts.uri.clone(),
            client,
            lang: Lang::negotiate(choice.as_deref(), accept),
            path: parts.uri.path().to_string(),
            headers: parts.headers.clone(),
            data,
        })
    }
}

/// The part of every page that the layout uses.
pub struct PageCtx<'a> {
    pub t: Tr<'a>,
    pub centre_name: String,
    pub centre_handle: String,
    pub path: String,
}

impl Web {
    pub fn t(&self) -> Tr<'_> {
        Tr {
            catalogs: &self.data.i18n,
            lang: self.lang,
        }
    }

    pub async fn page(&self) -> PageCtx<'_> {
        page_ctx(&self.data, self.t(), self.path.clone()).await
    }
}

/// The layout's part of a page in the language of `t`.
pub async fn page_ctx<'a>(ctx: &AppContext, t: Tr<'a>, path: String) -> PageCtx<'a> {
    let cfg = &ctx.config;
    let name = crate::db::actors::find_by_id(ctx.db.read(), ctx.centre.id)
        .await
        .ok()
        .flatten()
        .and_then(|a| a.name)
        .unwrap_or_else(|| cfg.centre.name.clone());
    PageCtx {
        t,
        centre_name: name,
        centre_handle: format!("{}@{}", cfg.centre.username, cfg.domain),
        path,
    }
}

/// Renders a template with a status; a template error is an opaque 500.
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (
            status,
            [(
                header::VARY,
                HeaderValue::from_static("Accept, Accept-Language, Cookie"),
            )],
            Html(html),
        )
            .into_response(),
        Err(e) => {
            crate::error::AppError::Internal(anyhow::anyhow!("template: {e}")).into_response()
        }
    }
}

/// Remembers `?lang=` in a cookie for a year.
pub async fn remember_lang(request: Request, next: Next) -> Response {
    let chosen = query_param(request.uri(), "lang").and_then(|l| Lang::parse(&l));
    let mut response = next.run(request).await;
    if let Some(lang) = chosen
        && let Ok(v) = HeaderValue::from_str(&format!(
            "lang={}; Path=/; SameSite=Lax; Max-Age=31536000",
            lang.code()
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// The stylesheet.
pub async fn stylesheet() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        include_str!("../../../static/style.css"),
    )
        .into_response()
}
