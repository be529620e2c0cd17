//! Draft-cavage HTTP signatures (`Signature: keyId=…,headers=…,signature=…`), as Mastodon,
//! Lemmy, GoToSocial and most servers still send them: parsing, the signing string, the signed
//! time, and RSA verification.

use super::{MAX_AGE_SECS, SigError};
use crate::integrity::keys::PublicKey;
use base64::{Engine, engine::general_purpose::STANDARD as B64};

/// A parsed `Signature` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub key_id: String,
    pub algorithm: Option<String>,
    /// Signed header names, lower case, in order (`date` when absent, as the draft says).
    pub headers: Vec<String>,
    pub signature: Vec<u8>,
    /// The `(created)` and `(expires)` parameters, when signed.
    pub created: Option<String>,
    pub expires: Option<String>,
}

/// Parses `keyId="…",algorithm="…",headers="…",signature="…"`.
pub fn parse(header: &str) -> Option<Signature> {
    let mut fields = std::collections::HashMap::new();
    let mut rest = header.trim();
    while !rest.is_empty() {
        let (k, after) = rest.split_once('=')?;
        let key = k.trim().trim_start_matches(',').trim().to_string();
        let after = after.trim_start();
        let (value, next) = match after.strip_prefix('"') {
            Some(quoted) => {
                let end = quoted.find('"')?;
                (&quoted[..end], &quoted[end + 1..])
            }
            // `created` and `expires` are bare numbers.
            None => match after.find(',') {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            },
        };
        fields.insert(key, value.trim().to_string());
        rest = next.trim_start().trim_start_matches(',').trim_start();
    }
    Some(Signature {
        key_id: fields.get("keyId")?.clone(),
        algorithm: fields.get("algorithm").cloned(),
        headers: fields
            .get("headers")
            .map(|h| h.split_whitespace().map(str::to_ascii_lowercase).collect())
            .unwrap_or_else(|| vec!["date".into()]),
        signature: B64.decode(fields.get("signature")?).ok()?,
        created: fields.get("created").cloned(),
        expires: fields.get("expires").cloned(),
    })
}

/// The signing string of a request for the signed headers.
pub fn signing_string(
    sig: &Signature,
    method: &str,
    path_and_query: &str,
    header: impl Fn(&str) -> Option<String>,
) -> Option<String> {
    sig.headers
        .iter()
        .map(|h| match h.as_str() {
            "(request-target)" => Some(format!(
                "(request-target): {} {path_and_query}",
                method.to_ascii_lowercase()
            )),
            "(created)" => sig.created.as_ref().map(|c| format!("(created): {c}")),
            "(expires)" => sig.expires.as_ref().map(|e| format!("(expires): {e}")),
            name => header(name).map(|v| format!("{name}: {}", v.trim())),
        })
        .collect::<Option<Vec<_>>>()
        .map(|lines| lines.join("\n"))
}

impl Signature {
    /// Whether the signature covers `name` (lower case, e.g. `digest`, `(request-target)`).
    pub fn covers(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h == name)
    }

    /// The signed time (seconds): `(created)` when covered, else the `Date` header when
    /// covered. A signature that covers neither has no time and is refused.
    pub fn signed_time(&self, date_header: Option<&str>) -> Result<i64, SigError> {
        if self.covers("(created)") {
            return self
                .created
                .as_deref()
                .and_then(|c| c.trim().parse::<i64>().ok())
                .ok_or_else(|| SigError::Malformed("(created) is not a number".into()));
        }
        if !self.covers("date") {
            return Err(SigError::Uncovered("date or (created)"));
        }
        let date = date_header.ok_or_else(|| SigError::Malformed("no Date header".into()))?;
        httpdate::parse_http_date(date)
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64)
            .ok_or_else(|| SigError::Malformed(format!("Date {date:?} is not an HTTP date")))
    }

    /// Checks the signed time against `now` (seconds): at most `skew` ahead, at most an hour
    /// (plus `skew`) old, and not past its `(expires)`.
    pub fn check_time(
        &self,
        date_header: Option<&str>,
        now: i64,
        skew: i64,
    ) -> Result<(), SigError> {
        let t = self.signed_time(date_header)?;
        if t > now + skew {
            return Err(SigError::Future);
        }
        let expired = self
            .expires
            .as_deref()
            .and_then(|e| e.trim().parse::<i64>().ok())
            .is_some_and(|e| e < now - skew);
        if t < now - MAX_AGE_SECS - skew || expired {
            return Err(SigError::Stale);
        }
        Ok(())
    }
}

/// Verifies an RSA (`rsa-sha256` / `hs2019`) signature over the signing string.
pub fn verify(sig: &Signature, signing_string: &str, key: &PublicKey) -> Result<(), SigError> {
    if !matches!(
        sig.algorithm.as_deref(),
        None | Some("rsa-sha256") | Some("hs2019")
    ) {
        return Err(SigError::Unsupported(format!(
            "algorithm {}",
            sig.algorithm.as_deref().unwrap_or_default()
        )));
    }
    Ok(key.verify_rsa_sha256(signing_string.as_bytes(), &sig.signature)?)
}

/// Checks a `Digest` header (`SHA-256=…`, several algorithms separated by commas) against the
/// body: every SHA-256 or SHA-512 value must match, and at least one must be present.
pub fn check_digest(header: &str, body: &[u8]) -> Result<(), SigError> {
    use sha2::{Digest, Sha256, Sha512};
    let mut checked = false;
    for part in header.split(',') {
        let Some((alg, value)) = part.trim().split_once('=') else {
            continue;
        };
        let actual = match alg.trim().to_ascii_lowercase().as_str() {
            "sha-256" => B64.encode(Sha256::digest(body)),
            "sha-512" => B64.encode(Sha512::digest(body)),
            _ => continue,
        };
        if actual != value.trim() {
            return Err(SigError::BodyDigest);
        }
        checked = true;
    }
    if checked {
        Ok(())
    } else {
        Err(SigError::Unsupported("Digest algorithm".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(headers: &str, created: Option<&str>) -> Signature {
        let mut s = format!("keyId=\"k\",headers=\"{headers}\",signature=\"AAAA\"");
        if let Some(c) = created {
            s.push_str(&format!(",created={c}"));
        }
        parse(&s).unwrap()
    }

    #[test]
    fn the_signed_time_must_be_covered_recent_and_not_ahead() {
        let now = 1_700_000_000;
        let date = httpdate::fmt_http_date(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(now as u64),
        );
        let s = sig("(request-target) host date digest", None);
        assert_eq!(s.check_time(Some(&date), now, 300), Ok(()));
        assert_eq!(
            s.check_time(Some(&date), now - 301, 300),
            Err(SigError::Future)
        );
        assert_eq!(
            s.check_time(Some(&date), now + 3901, 300),
            Err(SigError::Stale)
        );
        assert!(s.check_time(None, now, 300).is_err(), "no Date header");
        let s = sig("(request-target) host digest", None);
        assert_eq!(
            s.check_time(Some(&date), now, 300),
            Err(SigError::Uncovered("date or (created)")),
            "a Date that is sent but not signed does not count"
        );
        let s = sig("(request-target) (created) digest", Some(&now.to_string()));
        assert_eq!(s.check_time(None, now, 300), Ok(()));
        assert_eq!(s.check_time(None, now - 600, 300), Err(SigError::Future));
    }

    #[test]
    fn the_digest_must_match_the_body() {
        let body = b"Hello world";
        assert_eq!(
            check_digest("SHA-256=ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=", body),
            Ok(())
        );
        assert_eq!(
            check_digest(
                "sha-256=ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=",
                b"Hello World"
            ),
            Err(SigError::BodyDigest)
        );
        assert!(check_digest("MD5=abc", body).is_err());
        assert!(check_digest("", body).is_err());
    }
}
