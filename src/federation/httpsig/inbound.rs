//! Checks of a received signed request that need no key: one value per security header, the
//! covered components, the signed time and the body digest. What remains, the signature over
//! the signing string or signature base, is verified with the signer's key by
//! [`Prepared::verify`].

use super::{MAX_SKEW_SECS, SigError, cavage, headers::single, rfc9421};
use crate::integrity::keys::PublicKey;
use http::HeaderMap;
use url::Url;

/// A received request as the signature checks see it.
pub struct Request<'a> {
    pub method: &'a str,
    /// The URL the request was sent to (our base URL with the request's path and query).
    pub target: &'a Url,
    pub headers: &'a HeaderMap,
    /// The body, for requests that carry one (an inbox POST): its digest must be signed and
    /// must match.
    pub body: Option<&'a [u8]>,
    /// Our own `host[:port]`, used when a signature covers `host` and the request has none
    /// (HTTP/2, or a proxy that drops it).
    pub domain: &'a str,
}

/// A signature whose framing, time and digest have been checked.
#[derive(Debug)]
pub enum Prepared {
    Cavage {
        sig: cavage::Signature,
        signing_string: String,
        /// For a target with a query: the signing string over the path alone, as Fedify signs
        /// `(request-target)`; tried when the first does not verify.
        without_query: Option<String>,
    },
    Rfc9421 {
        sig: rfc9421::Signature,
        base: String,
    },
}

impl Prepared {
    /// The key id the signer names.
    pub fn key_id(&self) -> &str {
        match self {
            Prepared::Cavage { sig, .. } => &sig.key_id,
            Prepared::Rfc9421 { sig, .. } => sig.keyid.as_deref().unwrap_or_default(),
        }
    }

    /// `draft-cavage` or `rfc9421`, for logs.
    pub fn scheme(&self) -> &'static str {
        match self {
            Prepared::Cavage { .. } => "draft-cavage",
            Prepared::Rfc9421 { .. } => "rfc9421",
        }
    }

    /// Verifies the signature with the signer's public key.
    pub fn verify(&self, key: &PublicKey) -> Result<(), SigError> {
        match self {
            Prepared::Cavage {
                sig,
                signing_string,
                without_query,
            } => match (cavage::verify(sig, signing_string, key), without_query) {
                (Err(SigError::Invalid), Some(alt)) => cavage::verify(sig, alt, key),
                (result, _) => result,
            },
            Prepared::Rfc9421 { sig, base } => rfc9421::verify(sig, base, key),
        }
    }
}

/// Checks everything about the request's signature that needs no key, at `now` (seconds).
pub fn prepare(req: &Request<'_>, now: i64) -> Result<Prepared, SigError> {
    let h = req.headers;
    // Read each security header once; a duplicate fails here too, not only in the router.
    for name in super::headers::SINGLE {
        single(h, name)?;
    }
    let header = |name: &str| -> Option<String> {
        let value = h.get(name)?.to_str().ok()?.to_string();
        Some(value)
    };
    if h.contains_key("signature-input") {
        return prepare_rfc9421(req, now, header);
    }
    let signature = single(h, "signature")?.ok_or(SigError::Missing("Signature"))?;
    let sig = cavage::parse(signature)
        .ok_or_else(|| SigError::Malformed("Signature is not key=\"value\" pairs".into()))?;
    if !sig.covers("(request-target)") {
        return Err(SigError::Uncovered("(request-target)"));
    }
    sig.check_time(single(h, "date")?, now, MAX_SKEW_SECS)?;
    if let Some(body) = req.body {
        if !sig.covers("digest") {
            return Err(SigError::Uncovered("digest"));
        }
        let digest = single(h, "digest")?.ok_or(SigError::Missing("Digest"))?;
        cavage::check_digest(digest, body)?;
    } else if !sig.covers("host") {
        return Err(SigError::Uncovered("host"));
    }
    let path_and_query = match req.target.query() {
        Some(q) => format!("{}?{q}", req.target.path()),
        None => req.target.path().to_string(),
    };
    let string_for = |target: &str| {
        cavage::signing_string(&sig, req.method, target, |name| match header(name) {
            None if name == "host" => Some(req.domain.to_string()),
            v => v,
        })
        .ok_or_else(|| SigError::Malformed("a signed header is missing".into()))
    };
    let signing_string = string_for(&path_and_query)?;
    let without_query = match req.target.query() {
        Some(_) => Some(string_for(req.target.path())?),
        None => None,
    };
    Ok(Prepared::Cavage {
        sig,
        signing_string,
        without_query,
    })
}

fn prepare_rfc9421(
    req: &Request<'_>,
    now: i64,
    header: impl Fn(&str) -> Option<String>,
) -> Result<Prepared, SigError> {
    let h = req.headers;
    let sigs = rfc9421::parse(
        single(h, "signature-input")?.unwrap_or_default(),
        single(h, "signature")?.ok_or(SigError::Missing("Signature"))?,
    )?;
    let sig = sigs
        .into_iter()
        .find(|s| s.keyid.is_some())
        .ok_or_else(|| SigError::Malformed("no signature with a keyid".into()))?;
    let covers = |c: &str| sig.components.iter().any(|x| x == c);
    if !covers("@method") {
        return Err(SigError::Uncovered("@method"));
    }
    if !(covers("@target-uri") || (covers("@path") && covers("@authority"))) {
        return Err(SigError::Uncovered("the target URI"));
    }
    rfc9421::check_time_now(&sig, now)?;
    if let Some(body) = req.body {
        if !covers("content-digest") {
            return Err(SigError::Uncovered("content-digest"));
        }
        let digest = single(h, "content-digest")?.ok_or(SigError::Missing("Content-Digest"))?;
        rfc9421::check_content_digest(digest, body)?;
    }
    let base = rfc9421::signature_base(&sig, req.method, req.target, header)?;
    Ok(Prepared::Rfc9421 { sig, base })
}
