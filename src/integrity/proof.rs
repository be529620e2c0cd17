//! `DataIntegrityProof` with the `eddsa-jcs-2022` cryptosuite, as FEP-8b32 specifies and
//! Fedify implements: the proof configuration (the proof without `proofValue`, with the
//! document's `@context`) and the document without its `proof` are each canonicalised with JCS
//! and hashed with SHA-256; the Ed25519 signature covers the two hashes, configuration first.

use super::{jcs, multikey};
use ed25519_dalek::{Signer, Verifier};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Why a proof does not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProofError {
    #[error("no proof")]
    Missing,
    #[error("the proof is not an eddsa-jcs-2022 DataIntegrityProof for assertionMethod")]
    Unsupported,
    #[error("the document cannot be canonicalised")]
    Canonical,
    #[error("the proof value is malformed")]
    Malformed,
    #[error("the proof does not verify")]
    Invalid,
}

fn hash_data(document: &Value, config: &Value) -> Result<Vec<u8>, ProofError> {
    let mut unsigned = document.clone();
    if let Some(map) = unsigned.as_object_mut() {
        map.remove("proof");
    }
    let doc = jcs::canonicalize(&unsigned).ok_or(ProofError::Canonical)?;
    let conf = jcs::canonicalize(config).ok_or(ProofError::Canonical)?;
    let mut out = Sha256::digest(conf.as_bytes()).to_vec();
    out.extend_from_slice(&Sha256::digest(doc.as_bytes()));
    Ok(out)
}

fn config(document: &Value, verification_method: &str, created: &str) -> Value {
    json!({
        "@context": document.get("@context").cloned().unwrap_or(Value::Null),
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
        "created": created,
    })
}

/// Adds a `proof` to `document`, made with `key` under `verification_method` at `created`
/// (an RFC 3339 time, as written in the proof).
pub fn sign(
    document: &mut Value,
    key: &ed25519_dalek::SigningKey,
    verification_method: &str,
    created: &str,
) -> Result<(), ProofError> {
    let conf = config(document, verification_method, created);
    let signature = key.sign(&hash_data(document, &conf)?);
    let mut proof = conf;
    if let Some(map) = proof.as_object_mut() {
        map.remove("@context");
        map.insert(
            "proofValue".into(),
            Value::String(multikey::encode_bytes(&signature.to_bytes())),
        );
    }
    if let Some(map) = document.as_object_mut() {
        map.insert("proof".into(), proof);
    }
    Ok(())
}

/// The verification method that a document's proof names (to look its key up).
pub fn verification_method(document: &Value) -> Option<&str> {
    single_proof(document)?.get("verificationMethod")?.as_str()
}

fn single_proof(document: &Value) -> Option<&Value> {
    match document.get("proof")? {
        Value::Array(items) if items.len() == 1 => items.first(),
        p @ Value::Object(_) => Some(p),
        _ => None,
    }
}

/// Verifies the document's (single) proof with `key`.
pub fn verify(document: &Value, key: &ed25519_dalek::VerifyingKey) -> Result<(), ProofError> {
    let proof = single_proof(document).ok_or(ProofError::Missing)?;
    let text = |k: &str| proof.get(k).and_then(Value::as_str);
    if text("type") != Some("DataIntegrityProof")
        || text("cryptosuite") != Some("eddsa-jcs-2022")
        || text("proofPurpose") != Some("assertionMethod")
    {
        return Err(ProofError::Unsupported);
    }
    let (Some(method), Some(created), Some(value)) = (
        text("verificationMethod"),
        text("created"),
        text("proofValue"),
    ) else {
        return Err(ProofError::Malformed);
    };
    let bytes = multikey::decode_bytes(value).ok_or(ProofError::Malformed)?;
    let signature =
        ed25519_dalek::Signature::from_slice(&bytes).map_err(|_| ProofError::Malformed)?;
    let data = hash_data(document, &config(document, method, created))?;
    key.verify(&data, &signature)
        .map_err(|_| ProofError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_document_verifies_and_any_change_breaks_it() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let mut doc = json!({
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": "https://b.example/signatures/1", "type": "Object",
            "attributedTo": "https://b.example/u/b", "object": "https://a.example/statements/1",
        });
        sign(
            &mut doc,
            &key,
            "https://b.example/u/b#ed25519-key",
            "2026-12-03T10:00:00Z",
        )
        .unwrap();
        assert_eq!(verify(&doc, &key.verifying_key()), Ok(()));
        assert_eq!(
            verification_method(&doc),
            Some("https://b.example/u/b#ed25519-key")
        );
        let mut tampered = doc.clone();
        tampered["object"] = json!("https://a.example/statements/2");
        assert_eq!(
            verify(&tampered, &key.verifying_key()),
            Err(ProofError::Invalid)
        );
        let mut tampered = doc.clone();
        tampered["proof"]["created"] = json!("2026-12-04T10:00:00Z");
        assert_eq!(
            verify(&tampered, &key.verifying_key()),
            Err(ProofError::Invalid)
        );
        let other = ed25519_dalek::SigningKey::from_bytes(&[8u8; 32]);
        assert_eq!(
            verify(&doc, &other.verifying_key()),
            Err(ProofError::Invalid)
        );
        let mut none = doc.clone();
        none.as_object_mut().unwrap().remove("proof");
        assert_eq!(
            verify(&none, &key.verifying_key()),
            Err(ProofError::Missing)
        );
    }
}
