//! Signatures on the requests we send, with the centre's key parsed once ([`PrivateKey`]):
//! draft-cavage as Mastodon sends it (`(request-target) host date`, plus `digest` on a POST;
//! `algorithm="rsa-sha256"`), and RFC 9421 as Mastodon 4.5 sends it (`@method`,
//! `@target-uri`, `content-digest`). [`inbound`](super::inbound) verifies exactly these.

use super::{SigError, rfc9421};
use crate::integrity::keys::PrivateKey;
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use sha2::{Digest, Sha256};
use url::Url;

/// `host[:port]` of a URL, as the `Host` header carries it.
pub fn host_of(url: &Url) -> String {
    match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    }
}

/// The `Digest` header of a body (`SHA-256=…`).
pub fn digest(body: &[u8]) -> String {
    format!("SHA-256={}", B64.encode(Sha256::digest(body)))
}

/// The headers of a draft-cavage signed request, besides the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CavageHeaders {
    pub host: String,
    pub date: String,
    /// Set for a request with a body.
    pub digest: Option<String>,
    pub signature: String,
}

/// Signs `method url` at `date` (an HTTP date) with draft-cavage, covering the body's digest
/// when there is a body.
pub fn sign_cavage(
    key: &PrivateKey,
    key_id: &str,
    method: &str,
    url: &Url,
    date: String,
    body: Option<&[u8]>,
) -> Result<CavageHeaders, SigError> {
    let host = host_of(url);
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let digest = body.map(digest);
    let mut signing = format!(
        "(request-target): {} {target}\nhost: {host}\ndate: {date}",
        method.to_ascii_lowercase()
    );
    let mut covered = "(request-target) host date".to_string();
    if let Some(d) = &digest {
        signing.push_str(&format!("\ndigest: {d}"));
        covered.push_str(" digest");
    }
    let sig = B64.encode(key.sign(signing.as_bytes()).map_err(SigError::from)?);
    Ok(CavageHeaders {
        host,
        date,
        digest,
        signature: format!(
            "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{covered}\",signature=\"{sig}\""
        ),
    })
}

/// The headers of an RFC 9421 signed POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rfc9421Headers {
    pub content_digest: String,
    pub signature_input: String,
    pub signature: String,
}

/// Signs a POST of `body` to `target`, created at `created` (seconds).
pub fn sign_rfc9421_post(
    key: &PrivateKey,
    key_id: &str,
    target: &Url,
    body: &[u8],
    created: i64,
) -> Result<Rfc9421Headers, SigError> {
    let content_digest = format!("sha-256=:{}:", B64.encode(Sha256::digest(body)));
    let params = format!(
        "(\"@method\" \"@target-uri\" \"content-digest\");created={created};keyid=\"{key_id}\";alg=\"rsa-v1_5-sha256\""
    );
    let sig = rfc9421::Signature {
        label: "sig1".into(),
        components: vec![
            "@method".into(),
            "@target-uri".into(),
            "content-digest".into(),
        ],
        params: params.clone(),
        created: Some(created),
        expires: None,
        keyid: Some(key_id.to_string()),
        alg: Some("rsa-v1_5-sha256".into()),
        bytes: vec![],
    };
    let base = rfc9421::signature_base(&sig, "POST", target, |n| {
        (n == "content-digest").then(|| content_digest.clone())
    })?;
    let bytes = key.sign(base.as_bytes()).map_err(SigError::from)?;
    Ok(Rfc9421Headers {
        content_digest,
        signature_input: format!("sig1={params}"),
        signature: format!("sig1=:{}:", B64.encode(bytes)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::federation::httpsig::inbound::{self, Request};
    use crate::integrity::keys::PublicKey;
    use http::{HeaderMap, HeaderValue};

    fn keys() -> (PrivateKey, PublicKey) {
        let (private, public) = PrivateKey::generate().unwrap();
        (
            PrivateKey::from_pem(&private).unwrap(),
            PublicKey::from_pem(&public).unwrap(),
        )
    }

    fn header(map: &mut HeaderMap, name: &'static str, value: &str) {
        map.insert(name, HeaderValue::from_str(value).unwrap());
    }

    #[test]
    fn what_we_sign_our_inbound_checks_verify_in_both_schemes() {
        let (key, public) = keys();
        let url = Url::parse("https://peer.example:8443/inbox?x=1").unwrap();
        let now = 1_800_000_000;
        let body = br#"{"type":"Create"}"#;
        let date = httpdate::fmt_http_date(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(now as u64),
        );
        let c = sign_cavage(
            &key,
            "https://us.example/a#main-key",
            "POST",
            &url,
            date,
            Some(body),
        )
        .unwrap();
        let mut h = HeaderMap::new();
        header(&mut h, "host", &c.host);
        header(&mut h, "date", &c.date);
        header(&mut h, "digest", c.digest.as_deref().unwrap());
        header(&mut h, "signature", &c.signature);
        let req = Request {
            method: "POST",
            target: &url,
            headers: &h,
            body: Some(body),
            domain: "peer.example:8443",
        };
        let prepared = inbound::prepare(&req, now).unwrap();
        assert_eq!(prepared.key_id(), "https://us.example/a#main-key");
        assert_eq!(prepared.verify(&public), Ok(()));
        let req = Request {
            body: Some(b"{}"),
            ..req
        };
        assert!(inbound::prepare(&req, now).is_err(), "another body");

        let r = sign_rfc9421_post(&key, "https://us.example/a#main-key", &url, body, now).unwrap();
        let mut h = HeaderMap::new();
        header(&mut h, "content-digest", &r.content_digest);
        header(&mut h, "signature-input", &r.signature_input);
        header(&mut h, "signature", &r.signature);
        let req = Request {
            method: "POST",
            target: &url,
            headers: &h,
            body: Some(body),
            domain: "peer.example:8443",
        };
        let prepared = inbound::prepare(&req, now).unwrap();
        assert_eq!(prepared.verify(&public), Ok(()));
        let (_, other) = keys();
        assert_eq!(prepared.verify(&other), Err(SigError::Invalid));
    }
}
