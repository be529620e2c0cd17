//! Authorized fetch: with `authorized_fetch` on, ActivityPub GETs of our objects and
//! collections must carry a valid HTTP signature (draft-cavage or RFC 9421) from a domain that
//! is not blocked. The actor document, WebFinger and NodeInfo stay public.

use crate::{
    actions::moderation,
    context::AppContext,
    error::{AppError, AppResult},
    federation::{
        httpsig::inbound::{self, Request as SignedRequest},
        objects::actor::{DbActor, authority},
        signer,
    },
};
use activitypub_federation::config::Data;
use axum::http::{HeaderMap, Method, Uri};

fn refused(why: impl std::fmt::Display) -> AppError {
    AppError::Unauthorized(format!("signed fetch required: {why}"))
}

/// Checks the signature of a GET when authorized fetch is on.
pub async fn require_signature(
    data: &Data<AppContext>,
    headers: &HeaderMap,
    method: &Method,
    uri: &Uri,
) -> AppResult<()> {
    if !data.config.authorized_fetch {
        return Ok(());
    }
    signer_of(data, headers, method, uri).await.map(|_| ())
}

/// The actor whose valid HTTP signature the request carries (whatever `authorized_fetch`
/// says): for objects only some actors may read, such as a statement's draft.
pub async fn signer_of(
    data: &Data<AppContext>,
    headers: &HeaderMap,
    method: &Method,
    uri: &Uri,
) -> AppResult<DbActor> {
    if !headers.contains_key("signature") {
        return Err(refused("this server requires signed requests"));
    }
    let mut target = data.config.base_url.clone();
    target.set_path(uri.path());
    target.set_query(uri.query());
    let sig = inbound::prepare(
        &SignedRequest {
            method: method.as_str(),
            target: &target,
            headers,
            body: None,
            domain: &data.config.domain,
        },
        data.now().timestamp(),
    )
    .map_err(refused)?;
    let mut owner = url::Url::parse(sig.key_id()).map_err(|_| refused("keyId is not a URL"))?;
    owner.set_fragment(None);
    if moderation::is_blocked(data, &authority(&owner)).await? {
        return Err(AppError::Forbidden(format!(
            "{} is blocked here",
            authority(&owner)
        )));
    }
    let actor = signer::verify_key_owner(data, &sig)
        .await
        .map_err(refused)?;
    crate::http::rate_limit::admit(data, &authority(&owner), "fetch")?;
    Ok(actor)
}
