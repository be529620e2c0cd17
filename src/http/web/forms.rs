//! Form input for the console: fields read leniently (a malformed field never gives a bare
//! 422), and Markdown turned into HTML (then sanitised like any staff HTML).

use axum::{
    extract::{FromRequest, Request},
    response::{IntoResponse, Response},
};
use std::collections::HashMap;

/// The fields of a submitted `application/x-www-form-urlencoded` form.
#[derive(Debug, Default)]
pub struct Fields(pub HashMap<String, String>);

impl Fields {
    /// A field's value, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }

    /// A trimmed field, `None` when empty.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_string()).filter(|v| !v.is_empty())
    }
}

impl<S: Send + Sync> FromRequest<S> for Fields {
    type Rejection = Response;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Response> {
        let bytes = axum::body::to_bytes(req.into_body(), crate::http::MAX_BODY)
            .await
            .map_err(|_| {
                (axum::http::StatusCode::PAYLOAD_TOO_LARGE, "form over 1 MB").into_response()
            })?;
        Ok(Fields(
            url::form_urlencoded::parse(&bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
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
