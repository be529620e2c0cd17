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
    if crate::actions::moderation::is_blocked(data, &origin).await? {
        return Err(AppError::Forbidden(format!("{origin} is blocked here")));
    }
    if parts.headers.contains_key("signature-input") {
        return receive_rfc9421(data, &parts, &bytes, activity).await;
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

/// Receives an activity signed with an RFC 9421 HTTP Message Signature (as Mastodon 4.5+ and
/// Fedify send first): the signature must cover the method, the target and `Content-Digest`,
/// be recent, and verify with the key of the activity's actor; then the activity goes through
/// the same checks and handlers as a draft-cavage one.
async fn receive_rfc9421(
    data: &Data<AppContext>,
    parts: &axum::http::request::Parts,
    body: &[u8],
    activity: ActivityJson,
) -> Result<(), AppError> {
    use crate::federation::rfc9421::{self, SigError};
    use activitypub_federation::{fetch::object_id::ObjectId, traits::Activity};
    let refused = |e: SigError| AppError::Unauthorized(format!("RFC 9421 signature: {e}"));
    let header = |name: &str| {
        let values: Vec<&str> = parts
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    };
    let sigs = rfc9421::parse(
        &header("signature-input").unwrap_or_default(),
        &header("signature").unwrap_or_default(),
    )
    .map_err(refused)?;
    let sig = sigs
        .into_iter()
        .find(|s| s.keyid.is_some())
        .ok_or_else(|| refused(SigError::Malformed("no signature with a keyid".into())))?;
    let covers = |c: &str| sig.components.iter().any(|x| x == c);
    if !covers("@method") {
        return Err(refused(SigError::Uncovered("@method")));
    }
    if !(covers("@target-uri") || (covers("@path") && covers("@authority"))) {
        return Err(refused(SigError::Uncovered("the target URI")));
    }
    if !covers("content-digest") {
        return Err(refused(SigError::Uncovered("content-digest")));
    }
    rfc9421::check_content_digest(&header("content-digest").unwrap_or_default(), body)
        .map_err(refused)?;
    rfc9421::check_time(&sig, data.now().timestamp(), 300).map_err(refused)?;
    let mut owner = url::Url::parse(sig.keyid.as_deref().unwrap_or_default())
        .map_err(|_| refused(SigError::Malformed("keyid is not a URL".into())))?;
    owner.set_fragment(None);
    if owner != activity.actor {
        return Err(AppError::Unauthorized(
            "RFC 9421 signature: the key is not the actor's".into(),
        ));
    }
    let actor = ObjectId::<DbActor>::from(activity.actor.clone())
        .dereference(data)
        .await
        .map_err(|e| AppError::Unauthorized(format!("cannot fetch the actor's key: {e}")))?;
    let key = rfc9421::public_key(&actor.row.public_key_pem).map_err(refused)?;
    let mut target = data.config.base_url.clone();
    target.set_path(parts.uri.path());
    target.set_query(parts.uri.query());
    let base =
        rfc9421::signature_base(&sig, parts.method.as_str(), &target, header).map_err(refused)?;
    rfc9421::verify(&sig, &base, &key).map_err(refused)?;
    if crate::federation::objects::actor::authority(&activity.id) == data.config.domain {
        return Err(AppError::Invalid(
            "activity was sent from this instance".into(),
        ));
    }
    let activity = InboxActivity(activity);
    activity.verify(data).await?;
    activity.receive(data).await
}
