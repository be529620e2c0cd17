//! Form input for the console: fields read leniently (a malformed field never gives a bare
//! 422), and Markdown turned into HTML (then sanitised like any staff HTML).

use axum::{
    extract::{FromRequest, Request},
    response::{IntoResponse, Response},
};
use std::collections::HashMap;

/// The fields of a submitted form: `application/x-www-form-urlencoded`, or
/// `multipart/form-data` whose non-empty files are kept apart.
#[derive(Debug, Default)]
pub struct Fields(
    pub HashMap<String, String>,
    pub HashMap<String, bytes::Bytes>,
);

impl Fields {
    /// A field's value, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }

    /// A trimmed field, `None` when empty.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_string()).filter(|v| !v.is_empty())
    }

    /// An uploaded file, when one was chosen.
    pub fn file(&self, name: &str) -> Option<&bytes::Bytes> {
        self.1.get(name)
    }
}

fn too_large(limit: &str) -> Response {
    (
        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        format!("form over {limit}"),
    )
        .into_response()
}

async fn multipart<S: Send + Sync>(req: Request, state: &S) -> Result<Fields, Response> {
    let mut form = axum::extract::Multipart::from_request(req, state)
        .await
        .map_err(IntoResponse::into_response)?;
    let mut fields = Fields::default();
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let is_file = field.file_name().is_some();
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        too_large("its limit")
                    } else {
                        (axum::http::StatusCode::BAD_REQUEST, e.body_text()).into_response()
                    }
                })?;
                if is_file {
                    if !bytes.is_empty() {
                        fields.1.insert(name, bytes);
                    }
                } else {
                    fields
                        .0
                        .insert(name, String::from_utf8_lossy(&bytes).into_owned());
                }
            }
            Ok(None) => return Ok(fields),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large("its limit"));
            }
            Err(e) => {
                return Err((axum::http::StatusCode::BAD_REQUEST, e.body_text()).into_response());
            }
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for Fields {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let is_multipart = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if is_multipart {
            return multipart(req, state).await;
        }
        let bytes = axum::body::to_bytes(req.into_body(), crate::http::MAX_BODY)
            .await
            .map_err(|_| too_large("1 MB"))?;
        Ok(Fields(
            url::form_urlencoded::parse(&bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            HashMap::new(),
        ))
    }
}

pub use crate::render::sanitize::markdown;

/// Compares two secrets in constant time.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html() {
        assert_eq!(
            markdown("**gras** et *italique*"),
            "<p><strong>gras</strong> et <em>italique</em></p>"
        );
    }

    #[test]
    fn secrets_compare() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
