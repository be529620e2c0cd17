//! Content negotiation: ActivityPub clients get JSON, browsers get HTML, at the same URL.

use axum::{
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;

/// Whether the request asks for ActivityStreams JSON.
pub fn wants_activity_json(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("application/activity+json") || v.contains("application/ld+json")
        })
}

/// An ActivityStreams document with our content type.
pub fn activity_json<T: Serialize>(status: StatusCode, doc: &T) -> Response {
    match serde_json::to_vec(doc) {
        Ok(body) => (
            status,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(crate::protocol::AP_CONTENT_TYPE),
                ),
                (header::VARY, HeaderValue::from_static("Accept")),
            ],
            body,
        )
            .into_response(),
        Err(e) => crate::error::AppError::Internal(e.into()).into_response(),
    }
}

/// An HTML page.
pub fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::VARY, HeaderValue::from_static("Accept")),
        ],
        body,
    )
        .into_response()
}
