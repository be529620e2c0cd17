//! The personal and shared inbox. The federation library checks the digest and the
//! signature; before it, we answer 413 for a body over 1 MB, 400 for malformed JSON and 401
//! for a missing signature, and store nothing in any of these cases.

use crate::{
    context::AppContext,
    db,
    error::AppError,
    federation::{
        activities::InboxActivity,
        objects::actor::DbActor,
        protocol::{activity::ActivityJson, helpers::id_of},
    },
    http::MAX_BODY,
};
use activitypub_federation::{
    axum::inbox::{ActivityData, receive_activity},
    config::Data,
};
use axum::{
    Json,
    body::Body,
    extract::{FromRequest, Request},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

pub async fn inbox(data: Data<AppContext>, request: Request) -> Response {
    match receive(&data, request).await {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(e) => {
            let status = inbox_status(&e);
            if status.is_server_error() {
                tracing::error!(error = ?e, "inbox failure");
                return (status, Json(json!({"error": "internal error"}))).into_response();
            }
            tracing::info!(%status, error = %e, "inbox refused an activity");
            (status, Json(json!({ "error": e.to_string() }))).into_response()
        }
    }
}

/// Statuses as peers expect them from an inbox: a signature we cannot check (bad, missing,
/// expired, or its key unreachable) is 401, so that peers trying another scheme fall back.
fn inbox_status(e: &AppError) -> StatusCode {
    use activitypub_federation::error::Error as E;
    match e {
        AppError::Federation(E::Other(_)) => StatusCode::UNAUTHORIZED,
        other => match other.status() {
            StatusCode::BAD_GATEWAY | StatusCode::GONE | StatusCode::NOT_FOUND => {
                StatusCode::UNAUTHORIZED
            }
            s => s,
        },
    }
}

async fn receive(data: &Data<AppContext>, request: Request) -> Result<(), AppError> {
    let (parts, body) = request.into_parts();
    let too_large = || AppError::TooLarge(format!("request body over {MAX_BODY} bytes"));
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| too_large())?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| AppError::Invalid(format!("malformed JSON: {e}")))?;
    let activity: ActivityJson = serde_json::from_value(value)
        .map_err(|e| AppError::Invalid(format!("not an activity: {e}")))?;
    let origin = crate::federation::objects::actor::authority(&activity.actor);
    if crate::actions::moderation::is_blocked(&data.db, &origin).await? {
        return Err(AppError::Forbidden(format!("{origin} is blocked here")));
    }
    for header in ["signature", "digest"] {
        if !parts.headers.contains_key(header) {
            return Err(AppError::Unauthorized(format!(
                "missing {header} header: activities must carry an HTTP signature"
            )));
        }
    }
    // A deleted actor announcing its own deletion: its key is gone with it, and we have
    // nothing of it to remove unless we know it.
    if activity.kind == "Delete"
        && id_of(&activity.object).as_ref() == Some(&activity.actor)
        && db::actors::find_by_ap_id(data.db.read(), activity.actor.as_str())
            .await?
            .is_none()
    {
        return Ok(());
    }
    let request = Request::from_parts(parts, Body::from(bytes));
    let activity_data = ActivityData::from_request(request, &())
        .await
        .map_err(|_| AppError::Invalid("could not read the request".into()))?;
    receive_activity::<InboxActivity, DbActor, AppContext>(activity_data, data).await
}
