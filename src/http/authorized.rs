//! Authorized fetch: with `authorized_fetch` on, ActivityPub GETs of our objects and
//! collections must carry a valid HTTP signature (draft-cavage or RFC 9421) from a domain that
//! is not blocked. The actor document, WebFinger and NodeInfo stay public.

use crate::{
    actions::moderation,
    context::AppContext,
    error::{AppError, AppResult},
    federation::{cavage, objects::actor::DbActor, objects::actor::authority, rfc9421},
};
use activitypub_federation::{config::Data, fetch::object_id::ObjectId};
use axum::http::{HeaderMap, Method, Uri};

/// Verifies the signature with the signer's public key (PEM).
type KeyCheck = Box<dyn Fn(&str) -> Result<(), AppError> + Send + Sync>;

/// How far a signed GET's `Date` may be from our clock.
const SKEW_SECS: i64 = 3600;

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
    let header = |name: &str| {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    };
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let (key_id, check): (String, KeyCheck) = match (header("signature-input"), header("signature"))
    {
        (Some(input), Some(signature)) => {
            let sig = rfc9421::parse(&input, &signature)
                .map_err(refused)?
                .into_iter()
                .find(|s| s.keyid.is_some())
                .ok_or_else(|| refused("no keyid"))?;
            let covers = |c: &str| sig.components.iter().any(|x| x == c);
            if !covers("@method") || !(covers("@target-uri") || covers("@path")) {
                return Err(refused(
                    "the signature must cover the method and the target",
                ));
            }
            rfc9421::check_time(&sig, data.now().timestamp(), 300).map_err(refused)?;
            let mut target = data.config.base_url.clone();
            target.set_path(uri.path());
            target.set_query(uri.query());
            let base =
                rfc9421::signature_base(&sig, method.as_str(), &target, header).map_err(refused)?;
            let key_id = sig.keyid.clone().unwrap_or_default();
            (
                key_id,
                Box::new(move |pem: &str| {
                    let key = rfc9421::public_key(pem).map_err(refused)?;
                    rfc9421::verify(&sig, &base, &key).map_err(refused)
                }),
            )
        }
        (None, Some(signature)) => {
            let sig = cavage::parse(&signature).ok_or_else(|| refused("malformed Signature"))?;
            if !sig.headers.iter().any(|h| h == "(request-target)")
                || !sig.headers.iter().any(|h| h == "host")
            {
                return Err(refused(
                    "the signature must cover (request-target) and host",
                ));
            }
            // The signed time: `(created)`, or the `Date` header.
            let now = data.now().timestamp();
            let signed_at = if sig.headers.iter().any(|h| h == "(created)") {
                sig.created.as_deref().and_then(|c| c.parse::<i64>().ok())
            } else if sig.headers.iter().any(|h| h == "date") {
                header("date")
                    .and_then(|d| httpdate::parse_http_date(&d).ok())
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_secs() as i64)
            } else {
                None
            };
            if signed_at.is_none_or(|t| (now - t).abs() > SKEW_SECS) {
                return Err(refused("the signed time is missing or too far from now"));
            }
            if sig
                .expires
                .as_deref()
                .and_then(|e| e.parse::<i64>().ok())
                .is_some_and(|e| e < now)
            {
                return Err(refused("the signature has expired"));
            }
            let string = cavage::signing_string(&sig, method.as_str(), path_and_query, header)
                .ok_or_else(|| refused("a signed header is missing"))?;
            let key_id = sig.key_id.clone();
            (
                key_id,
                Box::new(move |pem: &str| {
                    use rsa::pkcs8::DecodePublicKey;
                    let key = rsa::RsaPublicKey::from_public_key_pem(pem)
                        .map_err(|_| refused("the key is not an RSA key"))?;
                    if cavage::verify(&sig, &string, &key) {
                        Ok(())
                    } else {
                        Err(refused("the signature does not verify"))
                    }
                }),
            )
        }
        _ => return Err(refused("this server requires signed requests")),
    };
    let mut owner = url::Url::parse(&key_id).map_err(|_| refused("keyId is not a URL"))?;
    owner.set_fragment(None);
    if moderation::is_blocked(data, &authority(&owner)).await? {
        return Err(AppError::Forbidden(format!(
            "{} is blocked here",
            authority(&owner)
        )));
    }
    let actor = ObjectId::<DbActor>::from(owner)
        .dereference(data)
        .await
        .map_err(|e| refused(format!("cannot fetch the key: {e}")))?;
    check(&actor.row.public_key_pem)
}
