//! One error type with explicit client statuses. `Internal` is logged with its cause chain and
//! answered with an opaque 500.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    /// Malformed or invalid input; the message names the field.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    /// Over a rate limit; the second field is the `Retry-After`, in seconds.
    #[error("{0}")]
    TooManyRequests(String, u64),
    /// Another server could not be reached or answered something unusable.
    #[error("{0}")]
    Remote(String),
    /// A federation-library error; its status depends on the kind (see [`federation_status`]).
    #[error(transparent)]
    Federation(#[from] activitypub_federation::error::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Remote(_) => StatusCode::BAD_GATEWAY,
            AppError::Federation(e) => federation_status(e),
            AppError::Internal(e) if crate::db::health::is_storage_full(e) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The status for a federation-library error.
pub fn federation_status(e: &activitypub_federation::error::Error) -> StatusCode {
    use activitypub_federation::error::Error as E;
    match e {
        E::ActivitySignatureInvalid | E::ActivityBodyDigestInvalid => StatusCode::UNAUTHORIZED,
        E::ParseReceivedActivity { .. } | E::UrlVerificationError(_) | E::UrlParse(_) => {
            StatusCode::BAD_REQUEST
        }
        E::NotFound => StatusCode::NOT_FOUND,
        E::ObjectDeleted(_) => StatusCode::GONE,
        E::WebfingerResolveFailed(_)
        | E::Reqwest(_)
        | E::ReqwestMiddleware(_)
        | E::ParseFetchedObject(..)
        | E::FetchInvalidContentType(_)
        | E::FetchWrongId(_)
        | E::ResponseBodyLimit
        | E::RequestLimit
        | E::DomainResolveError(_)
        | E::ResolveInternalIpError(..) => StatusCode::BAD_GATEWAY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::TooManyRequests(message, retry_after) = &self {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", retry_after.to_string())],
                Json(json!({ "error": message })),
            )
                .into_response();
        }
        let status = self.status();
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = ?self, "internal error");
            "internal error".to_string()
        } else if status == StatusCode::SERVICE_UNAVAILABLE {
            tracing::error!(error = ?self, "storage full");
            STORAGE_FULL.to_string()
        } else {
            self.to_string()
        };
        (status, Json(json!({ "error": message }))).into_response()
    }
}

/// What clients are told when the disk or the database is full.
pub const STORAGE_FULL: &str = "the server cannot store anything: its disk or database is \
    full; nothing was saved, and an administrator must free space";

/// An error back from an `anyhow` boundary (the group-commit writer): the [`AppError`] it
/// carries, if any, else an internal error.
pub fn recover(e: anyhow::Error) -> AppError {
    match e.downcast::<AppError>() {
        Ok(app) => app,
        Err(e) => AppError::Internal(e),
    }
}

/// Shorthand for a 400 that names the field.
pub fn invalid(message: impl Into<String>) -> AppError {
    AppError::Invalid(message.into())
}
