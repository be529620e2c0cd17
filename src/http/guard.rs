//! Layers every request and response goes through: a request with a duplicated security
//! header is refused (400) before any handler reads it, and every HTML page carries a strict
//! `Content-Security-Policy` (no script at all, styles and forms from this site only, images
//! from this site or over http(s)) with the usual companion headers.

use crate::federation::httpsig::headers::duplicated;
use axum::{
    Json,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde_json::json;

/// The policy of every HTML page. `form-action` allows other servers because the "follow from
/// your account" form redirects to the visitor's own server.
pub const CSP: &str = "default-src 'none'; img-src 'self' https: http:; style-src 'self'; \
    form-action 'self' https: http:; frame-ancestors 'none'; base-uri 'none'";

pub async fn security_headers(request: Request, next: Next) -> Response {
    if let Some(name) = duplicated(request.headers()) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": format!("more than one {name} header") })),
        )
            .into_response();
    }
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if html {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}
