//! Draft-cavage HTTP signatures on requests we receive outside the inbox (signed GETs, for
//! authorized fetch). The inbox uses the federation library's own check.

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

/// Verifies an RSA (`rsa-sha256` / `hs2019`) signature over the signing string.
pub fn verify(sig: &Signature, signing_string: &str, key: &rsa::RsaPublicKey) -> bool {
    use sha2::{Digest, Sha256};
    matches!(
        sig.algorithm.as_deref(),
        None | Some("rsa-sha256") | Some("hs2019")
    ) && key
        .verify(
            rsa::Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(signing_string.as_bytes()),
            &sig.signature,
        )
        .is_ok()
}
