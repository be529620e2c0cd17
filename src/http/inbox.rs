//! The personal and shared inbox: 413 for a body over 1 MB, 400 for malformed JSON or a
//! duplicated security header, 401 for a signature we cannot check (missing, malformed, stale,
//! covering too little, or not the actor's), 403 for a blocked domain; then the activity's own
//! checks ([`InboxActivity::verify`]) and its effect ([`InboxActivity::receive`]). Nothing is
//! stored before every check passed.

use crate::{
    context::AppContext,
    db,
    error::AppError,
    federation::{
        activities::InboxActivity,
        httpsig::inbound::{self, Request as SignedRequest},
        objects::actor::authority,
        signer,
    },
    http::MAX_BODY,
    protocol::{activity::ActivityJson, helpers::id_of},
};
use activitypub_federation::{config::Data, traits::Activity};
use axum::{
    Json,
    extract::Request,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

pub async fn inbox(data: Data<AppContext>, request: Request) -> Response {
    let mut host = String::new();
    match receive(&data, request, &mut host).await {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(e) => {
            let status = inbox_status(&e);
            if status == StatusCode::SERVICE_UNAVAILABLE {
                tracing::error!(error = ?e, "inbox: storage full");
                let body = Json(json!({"error": crate::error::STORAGE_FULL}));
                return (status, [("retry-after", "600")], body).into_response();
            }
            if status.is_server_error() {
                tracing::error!(error = ?e, "inbox failure");
                return (status, Json(json!({"error": "internal error"}))).into_response();
            }
            data.metrics.inbox_refused(status.as_u16());
            data.refusals.refused(
                data.now().timestamp_millis(),
                status.as_u16(),
                &host,
                &e.to_string(),
            );
            if let AppError::TooManyRequests(..) = e {
                return e.into_response();
            }
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

/// `host` is set to the sender's host as soon as it is known, for the refusal log.
async fn receive(
    data: &Data<AppContext>,
    request: Request,
    host: &mut String,
) -> Result<(), AppError> {
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
    if let Some(name) = crate::federation::httpsig::headers::duplicated(&parts.headers) {
        return Err(AppError::Invalid(format!("more than one {name} header")));
    }
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| too_large())?;
    let activity: ActivityJson = serde_json::from_slice(&bytes).map_err(|e| {
        AppError::Invalid(if e.is_syntax() || e.is_eof() {
            format!("malformed JSON: {e}")
        } else {
            format!("not an activity: {e}")
        })
    })?;
    let origin = authority(&activity.actor);
    host.clone_from(&origin);
    if crate::actions::moderation::is_blocked(data, &origin).await? {
        return Err(AppError::Forbidden(data.blocks.refusal(&origin)));
    }
    let mut target = data.config.base_url.clone();
    target.set_path(parts.uri.path());
    target.set_query(parts.uri.query());
    let now = data.now().timestamp();
    let signature = inbound::prepare(
        &SignedRequest {
            method: parts.method.as_str(),
            target: &target,
            headers: &parts.headers,
            body: Some(&bytes),
            domain: &data.config.domain,
        },
        now,
    )
    .map_err(|e| match e {
        crate::federation::httpsig::SigError::Duplicate(_) => AppError::Invalid(e.to_string()),
        e => AppError::Unauthorized(format!("HTTP signature: {e}")),
    })?;
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
    signer::verify_actor(data, &activity.actor, &signature).await?;
    // Counted once the signature is checked, so that nobody can spend another host's budget.
    crate::http::rate_limit::admit(data, &origin, "inbox")?;
    if authority(&activity.id) == data.config.domain {
        return Err(AppError::Invalid(
            "activity was sent from this instance".into(),
        ));
    }
    tracing::debug!(scheme = signature.scheme(), id = %activity.id, "signature verified");
    let activity = InboxActivity(activity);
    activity.verify(data).await?;
    activity.receive(data).await
}
