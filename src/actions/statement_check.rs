//! Checking a co-signature the way anyone can: fetch it from its own server (a signed GET),
//! then check that its id is on its signer's server, that it is attributed to the expected
//! signer, that it signs this statement at a version whose digest we know, and that its
//! FEP-8b32 proof verifies with an Ed25519 key of the signer's own actor document.
//!
//! The drafting centre runs it on every `Accept` and again daily; `maillage statement verify`
//! and `GET /api/v1/statements/verify` run it on every signature a statement lists.

use crate::{
    context::AppContext,
    federation::{objects::actor::DbActor, verify_same_origin},
    integrity::{multikey, proof},
    protocol::{actor::AssertionKey, statement::CosignatureDoc},
};
use activitypub_federation::{config::Data, fetch::object_id::ObjectId};
use serde_json::Value;
use url::Url;

/// How a co-signature's digest relates to the statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// The version the statement is at now.
    Current,
    /// An older version of it (the signature is stale).
    Older,
    /// No version of it has this digest.
    Unknown,
}

/// The outcome of checking one co-signature.
#[derive(Clone, Debug, Default)]
pub struct Check {
    pub signature: String,
    pub signer: Option<Url>,
    pub fetched: bool,
    /// The signature answered 410: withdrawn by its signer.
    pub withdrawn: bool,
    pub host_matches: bool,
    pub object_matches: bool,
    pub digest_matches: bool,
    pub stale: bool,
    pub proof_valid: bool,
    pub version: Option<i64>,
    pub digest: Option<String>,
    pub error: Option<String>,
    /// The document as fetched.
    pub doc: Option<Value>,
}

impl Check {
    /// Every check passed for the statement's current version.
    pub fn valid(&self) -> bool {
        self.fetched
            && self.host_matches
            && self.object_matches
            && self.digest_matches
            && !self.stale
            && self.proof_valid
    }

    /// The state we record: `valid`, `stale`, `withdrawn` or `invalid`.
    pub fn state(&self) -> &'static str {
        if self.withdrawn {
            "withdrawn"
        } else if self.valid() {
            "valid"
        } else if self.fetched
            && self.host_matches
            && self.object_matches
            && self.digest_matches
            && self.proof_valid
        {
            "stale"
        } else {
            "invalid"
        }
    }

    /// One line for people: `signer: fetched ✓, host ✓, digest ✓, proof ✓`.
    pub fn line(&self) -> String {
        let mark = |b: bool| if b { "ok" } else { "FAILED" };
        let who = self
            .signer
            .as_ref()
            .map(Url::to_string)
            .unwrap_or_else(|| "(unknown signer)".into());
        if self.withdrawn {
            return format!("{who}: {} withdrawn (410)", self.signature);
        }
        let mut line = format!(
            "{who}: fetched {}, host matches {}, statement matches {}, digest matches {}{}, proof valid {}",
            mark(self.fetched),
            mark(self.host_matches),
            mark(self.object_matches),
            mark(self.digest_matches),
            if self.stale { " (older version)" } else { "" },
            mark(self.proof_valid),
        );
        if let Some(e) = &self.error {
            line.push_str(&format!(" ({e})"));
        }
        line
    }
}

/// The parts of a check that need no network: the document against what we expect, with the
/// signer's keys.
pub fn check_document(
    doc: &Value,
    signature: &Url,
    statement: &Url,
    expected_signer: Option<&Url>,
    version_of: impl Fn(i64, &str) -> Version,
    keys: &[AssertionKey],
) -> Check {
    let mut c = Check {
        signature: signature.to_string(),
        fetched: true,
        doc: Some(doc.clone()),
        ..Check::default()
    };
    let Some(d) = CosignatureDoc::read(doc) else {
        c.error = Some("not a co-signature document".into());
        return c;
    };
    c.signer = Some(d.attributed_to.clone());
    c.version = Some(d.version);
    c.digest = Some(d.digest.clone());
    c.host_matches = d.id == *signature
        && verify_same_origin(signature, &d.attributed_to).is_ok()
        && expected_signer.is_none_or(|s| *s == d.attributed_to);
    if !c.host_matches {
        c.error = Some(format!(
            "signature {} is not on the server of {}",
            signature, d.attributed_to
        ));
    }
    c.object_matches = d.object == *statement;
    match version_of(d.version, &d.digest) {
        Version::Current => c.digest_matches = true,
        Version::Older => {
            c.digest_matches = true;
            c.stale = true;
        }
        Version::Unknown => {}
    }
    let method = proof::verification_method(doc);
    let key = keys
        .iter()
        .find(|k| Some(k.id.as_str()) == method)
        .and_then(|k| multikey::decode(&k.multibase));
    c.proof_valid = match key {
        Some(k) => match proof::verify(doc, &k) {
            Ok(()) => true,
            Err(e) => {
                c.error.get_or_insert_with(|| format!("proof: {e}"));
                false
            }
        },
        None => {
            c.error
                .get_or_insert_with(|| "proof: no such key in the signer's actor".into());
            false
        }
    };
    c
}

/// The signer's Ed25519 keys, from its own actor document (fetched again when the key the
/// proof names is not among those we hold).
async fn signer_keys(
    data: &Data<AppContext>,
    signer: &Url,
    method: Option<&str>,
) -> Vec<AssertionKey> {
    let id = ObjectId::<DbActor>::from(signer.clone());
    let read = |a: &DbActor| -> Vec<AssertionKey> {
        serde_json::from_str(&a.row.assertion_keys).unwrap_or_default()
    };
    let mut keys = match id.dereference(data).await {
        Ok(a) => read(&a),
        Err(_) => Vec::new(),
    };
    if !keys.iter().any(|k| Some(k.id.as_str()) == method)
        && let Ok(a) = id.dereference_forced(data).await
    {
        keys = read(&a);
    }
    keys
}

/// Fetches `signature` from its server and checks it.
pub async fn fetch_and_check(
    data: &Data<AppContext>,
    signature: &Url,
    statement: &Url,
    expected_signer: Option<&Url>,
    version_of: impl Fn(i64, &str) -> Version,
) -> Check {
    let mut c = Check {
        signature: signature.to_string(),
        signer: expected_signer.cloned(),
        ..Check::default()
    };
    if let Some(s) = expected_signer
        && verify_same_origin(signature, s).is_err()
    {
        c.error = Some(format!("{signature} is not on the server of {s}"));
        return c;
    }
    let fetched = activitypub_federation::fetch::fetch_object_http::<AppContext, Value>(
        signature,
        &data.reset_request_count(),
    )
    .await;
    let doc = match fetched {
        Ok(r) => r.object,
        Err(activitypub_federation::error::Error::ObjectDeleted(_)) => {
            c.withdrawn = true;
            c.fetched = true;
            return c;
        }
        Err(e) => {
            c.error = Some(format!("could not fetch it: {e}"));
            return c;
        }
    };
    let signer = CosignatureDoc::read(&doc)
        .map(|d| d.attributed_to)
        .or_else(|| expected_signer.cloned());
    let keys = match &signer {
        Some(s) if verify_same_origin(signature, s).is_ok() => {
            signer_keys(data, s, proof::verification_method(&doc)).await
        }
        _ => Vec::new(),
    };
    check_document(
        &doc,
        signature,
        statement,
        expected_signer,
        version_of,
        &keys,
    )
}
