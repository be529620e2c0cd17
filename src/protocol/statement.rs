//! Joint statements on the wire: the terms we define (inline, under `urn:maillage:`), the
//! content digest that co-signers sign, and lenient readers for the statement and
//! co-signature documents other servers serve.
//!
//! - A statement is an `Article` with `statementVersion`, `contentDigest`, and once published
//!   `signedText` (the signed title, summary and body) and `signatures` (co-signature ids).
//! - A co-signature is an object of type `["Object", "Cosignature"]` on the signer's own
//!   server: `attributedTo` the signer, `object` the statement, `statementVersion`,
//!   `contentDigest`, `published`, and an FEP-8b32 `eddsa-jcs-2022` `proof`.

use base64::{Engine, engine::general_purpose::STANDARD as B64};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use url::Url;

/// The namespace of our terms. It identifies them and is not meant to be dereferenced.
pub const NS: &str = "urn:maillage:";

/// `@context` of co-signatures: ActivityStreams, the Data Integrity vocabulary of their
/// `proof`, and our inline terms (those of [`super::context::object`]).
pub fn cosignature_context() -> Value {
    let inline = super::context::object()
        .get(1)
        .cloned()
        .unwrap_or(Value::Null);
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/data-integrity/v1",
        inline
    ])
}

/// The digest a co-signer signs: `sha-256=` and the base64 SHA-256 of the JCS (RFC 8785)
/// canonical form of `{"content": …, "name": …, "summary": …}` (title, summary and HTML body
/// of the version, exactly as served).
pub fn content_digest(name: &str, summary: &str, content: &str) -> String {
    let canonical = super::super::integrity::jcs::canonicalize(
        &json!({ "content": content, "name": name, "summary": summary }),
    )
    .unwrap_or_default();
    format!(
        "sha-256={}",
        B64.encode(Sha256::digest(canonical.as_bytes()))
    )
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn url_of(v: &Value, key: &str) -> Option<Url> {
    v.get(key).and_then(super::helpers::id_of)
}

fn has_type(v: &Value, t: &str) -> bool {
    match v.get("type") {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(items)) => items.iter().any(|i| i.as_str() == Some(t)),
        _ => false,
    }
}

/// The signed text of a statement: its `signedText` once published, its own `name`,
/// `summary` and `content` while a draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedText {
    pub name: String,
    pub summary: String,
    pub content: String,
}

impl SignedText {
    pub fn digest(&self) -> String {
        content_digest(&self.name, &self.summary, &self.content)
    }

    pub fn to_json(&self) -> Value {
        json!({ "name": self.name, "summary": self.summary, "content": self.content })
    }
}

/// What we read of a statement document.
#[derive(Clone, Debug)]
pub struct StatementDoc {
    pub id: Url,
    pub attributed_to: Url,
    pub version: i64,
    pub digest: String,
    pub text: SignedText,
    pub signatures: Vec<Url>,
    pub invitees: Vec<Url>,
    pub published: bool,
}

impl StatementDoc {
    /// Reads a statement (draft or published); `None` if it is not one.
    pub fn read(v: &Value) -> Option<StatementDoc> {
        if !has_type(v, "Article") {
            return None;
        }
        let id = url_of(v, "id")?;
        let attributed_to = match v.get("attributedTo")? {
            Value::Array(items) => items.first().and_then(super::helpers::id_of)?,
            other => super::helpers::id_of(other)?,
        };
        let version = v.get("statementVersion")?.as_i64()?;
        let digest = text(v, "contentDigest")?.to_string();
        let published = v.get("signedText").is_some();
        let source = v.get("signedText").unwrap_or(v);
        let text = SignedText {
            name: text(source, "name").unwrap_or_default().to_string(),
            summary: text(source, "summary").unwrap_or_default().to_string(),
            content: text(source, "content").unwrap_or_default().to_string(),
        };
        let list = |key: &str| -> Vec<Url> {
            match v.get(key) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(super::helpers::id_of)
                    .take(500)
                    .collect(),
                Some(one) => super::helpers::id_of(one).into_iter().collect(),
                None => Vec::new(),
            }
        };
        Some(StatementDoc {
            id,
            attributed_to,
            version,
            digest,
            text,
            signatures: list("signatures"),
            invitees: list("invitees"),
            published,
        })
    }
}

/// What we read of a co-signature document (its proof is checked separately).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosignatureDoc {
    pub id: Url,
    pub attributed_to: Url,
    pub object: Url,
    pub version: i64,
    pub digest: String,
    pub published: Option<String>,
}

impl CosignatureDoc {
    pub fn read(v: &Value) -> Option<CosignatureDoc> {
        if !has_type(v, "Cosignature") {
            return None;
        }
        Some(CosignatureDoc {
            id: url_of(v, "id")?,
            attributed_to: url_of(v, "attributedTo")?,
            object: url_of(v, "object")?,
            version: v.get("statementVersion")?.as_i64()?,
            digest: text(v, "contentDigest")?.to_string(),
            published: text(v, "published").map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_over_the_canonical_title_summary_and_body() {
        let d = content_digest("Titre", "Résumé", "<p>Texte</p>");
        assert!(d.starts_with("sha-256="));
        assert_eq!(d, content_digest("Titre", "Résumé", "<p>Texte</p>"));
        assert_ne!(d, content_digest("Titre", "Résumé", "<p>Texte.</p>"));
        assert_ne!(d, content_digest("Titre", "", "Résumé<p>Texte</p>"));
        // Computed by hand: JCS sorts the members, and nothing else is hashed.
        let canonical = r#"{"content":"<p>Texte</p>","name":"Titre","summary":"Résumé"}"#;
        assert_eq!(
            d,
            format!(
                "sha-256={}",
                B64.encode(Sha256::digest(canonical.as_bytes()))
            )
        );
    }

    #[test]
    fn cosignatures_are_read_only_with_every_field() {
        let v = json!({"type": ["Object", "Cosignature"], "id": "https://b.example/signatures/1",
            "attributedTo": "https://b.example/u/b", "object": "https://a.example/statements/1",
            "statementVersion": 2, "contentDigest": "sha-256=x"});
        let c = CosignatureDoc::read(&v).unwrap();
        assert_eq!(c.version, 2);
        for missing in [
            "attributedTo",
            "object",
            "statementVersion",
            "contentDigest",
        ] {
            let mut w = v.clone();
            w.as_object_mut().unwrap().remove(missing);
            assert!(CosignatureDoc::read(&w).is_none(), "{missing}");
        }
        let mut w = v.clone();
        w["type"] = json!("Note");
        assert!(CosignatureDoc::read(&w).is_none());
    }
}
