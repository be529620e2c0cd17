//! The JSON admin API under `/api/v1`, authenticated with bearer tokens. Errors are
//! `{"error": "…"}` with the matching status.

pub mod boosts;
pub mod calendar;
pub mod deliveries;
pub mod domain_allows;
pub mod feed;
pub mod follows;
pub mod invitations;
pub mod media;
pub mod moderation;
pub mod participants;
pub mod participations;
pub mod posts;
pub mod reports;
pub mod settings;
pub mod signatures;
pub mod statements;

use crate::{actions, context::AppContext, error::AppError};
use activitypub_federation::config::Data;
use axum::{
    Router,
    extract::{FromRequest, FromRequestParts, Request, rejection::JsonRejection},
    http::{StatusCode, request::Parts},
    routing::{get, post},
};
use serde::de::DeserializeOwned;

pub fn router() -> Router {
    Router::new()
        .route("/follows", post(follows::create).get(follows::list))
        .route("/follows/{id}", axum::routing::delete(follows::delete))
        .route("/followers", get(follows::followers))
        .route("/followers/{id}/approve", post(follows::approve))
        .route("/followers/{id}/reject", post(follows::reject))
        .route("/posts", post(posts::create))
        .route("/boosts", post(boosts::create).get(boosts::list))
        .route("/boosts/{id}", axum::routing::delete(boosts::delete))
        .route(
            "/media",
            post(media::upload).layer(axum::extract::DefaultBodyLimit::max(media::BODY_LIMIT)),
        )
        .route(
            "/posts/{id}",
            get(posts::get).patch(posts::edit).delete(posts::delete),
        )
        .route(
            "/participations",
            post(participations::create).get(participations::list),
        )
        .route("/posts/{id}/participants", get(participants::list))
        .route("/posts/{id}/participants.csv", get(participants::csv))
        .route(
            "/posts/{id}/participants/{pid}/accept",
            post(participants::accept),
        )
        .route(
            "/posts/{id}/participants/{pid}/reject",
            post(participants::reject),
        )
        .route(
            "/statements",
            post(statements::create).get(statements::list),
        )
        .route("/statements/verify", get(statements::verify))
        .route(
            "/statements/{id}",
            get(statements::get).patch(statements::edit),
        )
        .route("/statements/{id}/invite", post(statements::invite))
        .route("/statements/{id}/publish", post(statements::publish))
        .route("/statements/{id}/verify", post(statements::reverify))
        .route("/invitations", get(invitations::list))
        .route("/invitations/{id}", get(invitations::get))
        .route("/invitations/{id}/sign", post(invitations::sign))
        .route("/invitations/{id}/decline", post(invitations::decline))
        .route("/signatures", get(signatures::list))
        .route(
            "/signatures/{id}",
            axum::routing::delete(signatures::withdraw),
        )
        .route("/feed", get(feed::feed))
        .route("/calendar", get(calendar::calendar))
        .route("/deliveries", get(deliveries::list))
        .route("/deliveries/{id}/retry", post(deliveries::retry))
        .route("/hosts", get(deliveries::hosts))
        .route("/replies/{id}", axum::routing::delete(moderation::delete))
        .route("/replies/{id}/hide", post(moderation::hide))
        .route("/replies/{id}/unhide", post(moderation::unhide))
        .route("/notifications", get(moderation::notifications))
        .route("/reports", get(reports::list).post(reports::send))
        .route("/reports/{id}", get(reports::get))
        .route("/reports/{id}/resolve", post(reports::resolve))
        .route(
            "/settings/network_replies",
            get(settings::get_network_replies).put(settings::put_network_replies),
        )
        .route(
            "/domain_blocks",
            get(moderation::blocks).post(moderation::block),
        )
        .route(
            "/domain_blocks/{domain}",
            axum::routing::delete(moderation::unblock),
        )
        .route(
            "/domain_allows",
            get(domain_allows::list).post(domain_allows::allow),
        )
        .route(
            "/domain_allows/{domain}",
            axum::routing::delete(domain_allows::disallow),
        )
        .fallback(|| async { AppError::NotFound("no such API route".into()) })
}

/// Proof that the request carried a valid, unrevoked API token. Tokens are created by
/// administrators (console or command line) and act with an administrator's rights.
pub struct Staff {
    /// The token's name, recorded as `token:NAME` where an action keeps who did it.
    pub token_name: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let data = Data::<AppContext>::from_request_parts(parts, state)
            .await
            .map_err(|(_, m)| AppError::Internal(anyhow::anyhow!(m)))?;
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                AppError::Unauthorized("missing bearer token (Authorization: Bearer …)".into())
            })?;
        match actions::tokens::name_of(&data.db, token).await? {
            Some(token_name) => Ok(Staff { token_name }),
            None => Err(AppError::Unauthorized("invalid or revoked token".into())),
        }
    }
}

/// A JSON body whose rejections are JSON errors with a message: 400 for syntax or shape,
/// 413 over the body limit, 415 without a JSON content type.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = axum::response::Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => {
                let status = rejection.status();
                let message = match &rejection {
                    JsonRejection::MissingJsonContentType(_) => {
                        "expected Content-Type: application/json".to_string()
                    }
                    _ if status == StatusCode::PAYLOAD_TOO_LARGE => {
                        format!("request body over {} bytes", super::MAX_BODY)
                    }
                    r => r.body_text(),
                };
                Err((status, axum::Json(serde_json::json!({ "error": message }))).into_response())
            }
        }
    }
}
