//! HTTP Message Signatures (RFC 9421): parsing, signature bases, and verifying
//! `rsa-v1_5-sha256` and `ed25519` signatures, as Mastodon 4.5+ and Fedify send them first.

pub use super::SigError;
use super::{MAX_AGE_SECS, MAX_SKEW_SECS};
use crate::integrity::keys::PublicKey;
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use sha2::{Digest, Sha256, Sha512};

/// One signature of a request: what `Signature-Input` says of it and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub label: String,
    pub components: Vec<String>,
    /// The inner list and its parameters exactly as sent (the `@signature-params` value).
    pub params: String,
    pub created: Option<i64>,
    pub expires: Option<i64>,
    pub keyid: Option<String>,
    pub alg: Option<String>,
    pub bytes: Vec<u8>,
}

/// Splits a structured-field dictionary at its top-level commas.
fn members(s: &str) -> Vec<&str> {
    let (mut out, mut start, mut quoted, mut depth) = (Vec::new(), 0, false, 0i32);
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            b',' if !quoted && depth == 0 => {
                out.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(s[start..].trim());
    out.into_iter().filter(|m| !m.is_empty()).collect()
}

fn unquote(v: &str) -> Option<String> {
    let v = v.trim();
    v.strip_prefix('"')?
        .strip_suffix('"')
        .map(|s| s.replace("\\\"", "\"").replace("\\\\", "\\"))
}

/// Parses `Signature-Input` and `Signature` into the signatures they describe.
pub fn parse(signature_input: &str, signature: &str) -> Result<Vec<Signature>, SigError> {
    let mut values = std::collections::HashMap::new();
    for m in members(signature) {
        let (label, v) = m
            .split_once('=')
            .ok_or_else(|| SigError::Malformed(m.to_string()))?;
        let b64 = v
            .trim()
            .strip_prefix(':')
            .and_then(|v| v.strip_suffix(':'))
            .ok_or_else(|| SigError::Malformed(format!("{label}: not a byte sequence")))?;
        let bytes = B64
            .decode(b64)
            .map_err(|e| SigError::Malformed(format!("{label}: {e}")))?;
        values.insert(label.trim().to_string(), bytes);
    }
    let mut out = Vec::new();
    for m in members(signature_input) {
        let (label, rest) = m
            .split_once('=')
            .ok_or_else(|| SigError::Malformed(m.to_string()))?;
        let label = label.trim().to_string();
        let rest = rest.trim();
        let close = rest
            .find(')')
            .filter(|_| rest.starts_with('('))
            .ok_or_else(|| SigError::Malformed(format!("{label}: no inner list")))?;
        let components = rest[1..close]
            .split_whitespace()
            .map(|c| {
                if c.contains(';') {
                    return Err(SigError::Unsupported(format!(
                        "component parameters in {c}"
                    )));
                }
                unquote(c).ok_or_else(|| SigError::Malformed(format!("{label}: component {c}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut sig = Signature {
            components,
            params: rest.to_string(),
            created: None,
            expires: None,
            keyid: None,
            alg: None,
            bytes: values
                .get(&label)
                .cloned()
                .ok_or_else(|| SigError::Malformed(format!("{label}: no Signature value")))?,
            label,
        };
        for param in rest[close + 1..]
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (k, v) = param.split_once('=').unwrap_or((param, ""));
            match k {
                "created" => sig.created = v.parse().ok(),
                "expires" => sig.expires = v.parse().ok(),
                "keyid" => sig.keyid = unquote(v),
                "alg" => sig.alg = unquote(v),
                _ => {}
            }
        }
        out.push(sig);
    }
    Ok(out)
}

/// The signature base (RFC 9421 §2.5) of `sig` over a request.
pub fn signature_base(
    sig: &Signature,
    method: &str,
    target_uri: &url::Url,
    header: impl Fn(&str) -> Option<String>,
) -> Result<String, SigError> {
    let mut lines = Vec::with_capacity(sig.components.len() + 1);
    for c in &sig.components {
        let value = match c.as_str() {
            "@method" => method.to_ascii_uppercase(),
            "@target-uri" => target_uri.to_string(),
            "@authority" => match target_uri.port() {
                Some(p) => format!("{}:{p}", target_uri.host_str().unwrap_or_default()),
                None => target_uri.host_str().unwrap_or_default().to_string(),
            }
            .to_ascii_lowercase(),
            "@scheme" => target_uri.scheme().to_string(),
            "@path" => target_uri.path().to_string(),
            "@query" => format!("?{}", target_uri.query().unwrap_or("")),
            "@request-target" => match target_uri.query() {
                Some(q) => format!("{}?{q}", target_uri.path()),
                None => target_uri.path().to_string(),
            },
            name if name.starts_with('@') => {
                return Err(SigError::Unsupported(format!("component {name}")));
            }
            name => header(name).ok_or_else(|| SigError::Malformed(format!("no {name} header")))?,
        };
        lines.push(format!("\"{c}\": {value}"));
    }
    lines.push(format!("\"@signature-params\": {}", sig.params));
    Ok(lines.join("\n"))
}

/// Verifies `sig` over `base` with `key`, with the algorithm its `alg` names or the key's.
pub fn verify(sig: &Signature, base: &str, key: &PublicKey) -> Result<(), SigError> {
    match (sig.alg.as_deref(), key) {
        (None | Some("rsa-v1_5-sha256"), PublicKey::Rsa(_)) => {
            Ok(key.verify_rsa_sha256(base.as_bytes(), &sig.bytes)?)
        }
        (None | Some("ed25519"), PublicKey::Ed25519(_)) => {
            Ok(key.verify_ed25519(base.as_bytes(), &sig.bytes)?)
        }
        (Some(alg), _) => Err(SigError::Unsupported(format!(
            "algorithm {alg} for this key"
        ))),
    }
}

/// Checks `Content-Digest` (sha-256 or sha-512) against the body.
pub fn check_content_digest(header: &str, body: &[u8]) -> Result<(), SigError> {
    let mut checked = false;
    for m in members(header) {
        let Some((alg, v)) = m.split_once('=') else {
            continue;
        };
        let expected = v.trim().trim_matches(':');
        let actual = match alg.trim() {
            "sha-256" => B64.encode(Sha256::digest(body)),
            "sha-512" => B64.encode(Sha512::digest(body)),
            _ => continue,
        };
        if actual != expected {
            return Err(SigError::Digest);
        }
        checked = true;
    }
    if checked {
        Ok(())
    } else {
        Err(SigError::Unsupported("Content-Digest algorithm".into()))
    }
}

/// Checks the signature's time against `now` (seconds): `created` is required, may be at most
/// `skew` seconds ahead and at most an hour (plus `skew`) old whatever `expires` says, and an
/// `expires` in the past is refused.
pub fn check_time(sig: &Signature, now: i64, skew: i64) -> Result<(), SigError> {
    let Some(created) = sig.created else {
        return Err(SigError::Uncovered("created"));
    };
    if created > now + skew {
        return Err(SigError::Future);
    }
    if created < now - MAX_AGE_SECS - skew || sig.expires.is_some_and(|e| e < now - skew) {
        return Err(SigError::Stale);
    }
    Ok(())
}

/// [`check_time`] with the default clock skew.
pub fn check_time_now(sig: &Signature, now: i64) -> Result<(), SigError> {
    check_time(sig, now, MAX_SKEW_SECS)
}
