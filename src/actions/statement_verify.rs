//! Verifying a published joint statement as a third party would, trusting no one: fetch the
//! statement, check that its `contentDigest` is the digest of its `signedText` and that what
//! it shows is that text, then fetch each co-signature it lists from the signer's own server
//! and check it ([`super::statement_check`]). Our own co-signatures are read from our
//! database. `maillage statement verify URL` and `GET /api/v1/statements/verify` run this.

use super::statement_check::{self, Check, Version};
use crate::{
    context::AppContext,
    db,
    error::{AppError, AppResult},
    federation::verify_same_origin,
    protocol::{actor::AssertionKey, statement::StatementDoc},
    render,
};
use activitypub_federation::config::Data;
use serde_json::{Value, json};
use url::Url;

/// Most co-signatures one verification fetches.
pub const MAX_SIGNATURES: usize = 200;

/// The outcome of verifying one statement.
#[derive(Debug, Default)]
pub struct Report {
    pub statement: String,
    pub drafter: Option<Url>,
    pub version: Option<i64>,
    pub digest: Option<String>,
    /// `contentDigest` is the digest of `signedText`.
    pub digest_matches: bool,
    /// `name` is the signed title, and `summary` and `content` begin with the signed ones.
    pub text_matches: bool,
    pub error: Option<String>,
    pub checks: Vec<Check>,
}

impl Report {
    /// The statement is consistent and every signature it lists is valid.
    pub fn ok(&self) -> bool {
        self.error.is_none()
            && self.digest_matches
            && self.text_matches
            && self.checks.iter().all(Check::valid)
    }

    /// What `maillage statement verify` prints: the statement, then one line per signatory.
    pub fn lines(&self) -> Vec<String> {
        let mark = |b: bool| if b { "ok" } else { "FAILED" };
        let mut out = vec![format!(
            "statement {} (version {}, by {}): digest of the signed text {}, shown text {}{}",
            self.statement,
            self.version
                .map(|v| v.to_string())
                .unwrap_or_else(|| "?".into()),
            self.drafter
                .as_ref()
                .map(Url::to_string)
                .unwrap_or_else(|| "?".into()),
            mark(self.digest_matches),
            mark(self.text_matches),
            self.error
                .as_ref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default(),
        )];
        out.extend(self.checks.iter().map(|c| {
            let verdict = if c.valid() { "VALID" } else { "INVALID" };
            format!("{verdict} {}", c.line())
        }));
        out.push(if self.ok() {
            format!("all {} signatures verified", self.checks.len())
        } else {
            let bad = self.checks.iter().filter(|c| !c.valid()).count();
            format!(
                "verification FAILED: {bad} of {} signatures invalid",
                self.checks.len()
            )
        });
        out
    }

    pub fn json(&self) -> Value {
        json!({
            "statement": self.statement,
            "attributedTo": self.drafter,
            "version": self.version,
            "contentDigest": self.digest,
            "digest_matches": self.digest_matches,
            "text_matches": self.text_matches,
            "error": self.error,
            "valid": self.ok(),
            "signatures": self.checks.iter().map(|c| json!({
                "url": c.signature,
                "signer": c.signer,
                "state": c.state(),
                "valid": c.valid(),
                "fetched": c.fetched,
                "host_matches": c.host_matches,
                "statement_matches": c.object_matches,
                "digest_matches": c.digest_matches,
                "proof_valid": c.proof_valid,
                "version": c.version,
                "error": c.error,
            })).collect::<Vec<_>>(),
        })
    }
}

fn ours(ctx: &AppContext, url: &Url) -> bool {
    verify_same_origin(url, &ctx.config.base_url).is_ok()
}

/// The statement document, from our database when it is ours.
async fn statement_doc(data: &Data<AppContext>, url: &Url) -> AppResult<Value> {
    if ours(data, url) {
        let row = db::statements::find_by_ap_id(data.db.read(), url.as_str())
            .await?
            .filter(|s| s.state == "published")
            .ok_or_else(|| AppError::NotFound(format!("no published statement {url}")))?;
        let post = match row.post_id {
            Some(id) => db::posts::find_by_id(data.db.read(), id).await?,
            None => None,
        }
        .ok_or_else(|| AppError::NotFound(format!("no published statement {url}")))?;
        return Ok(
            serde_json::to_value(render::activitypub::post(data, &post)?)
                .map_err(anyhow::Error::from)?,
        );
    }
    activitypub_federation::fetch::fetch_object_http::<AppContext, Value>(
        url,
        &data.reset_request_count(),
    )
    .await
    .map(|r| r.object)
    .map_err(|e| AppError::Remote(format!("could not fetch the statement {url}: {e}")))
}

/// One of our own co-signatures, checked from the database as a remote verifier would check
/// the document we serve.
async fn check_own(
    data: &Data<AppContext>,
    signature: &Url,
    statement: &Url,
    rule: impl Fn(i64, &str) -> Version,
) -> AppResult<Check> {
    let Some(sig) = db::signatures::find_by_ap_id(data.db.read(), signature.as_str()).await? else {
        return Ok(Check {
            signature: signature.to_string(),
            error: Some("no such signature on this server".into()),
            ..Check::default()
        });
    };
    if sig.withdrawn_at.is_some() {
        return Ok(Check {
            signature: signature.to_string(),
            signer: Some(data.urls.actor()),
            fetched: true,
            withdrawn: true,
            ..Check::default()
        });
    }
    let doc: Value = serde_json::from_str(&sig.json).map_err(anyhow::Error::from)?;
    let keys: Vec<AssertionKey> = db::actors::find_by_id(data.db.read(), data.centre.id)
        .await?
        .and_then(|a| serde_json::from_str(&a.assertion_keys).ok())
        .unwrap_or_default();
    Ok(statement_check::check_document(
        &doc, signature, statement, None, rule, &keys,
    ))
}

/// Verifies the statement at `url` and every co-signature it lists.
pub async fn verify(data: &Data<AppContext>, url: &Url) -> AppResult<Report> {
    if !matches!(url.scheme(), "https" | "http") {
        return Err(AppError::Invalid("url: must be an http(s) URL".into()));
    }
    let mut report = Report {
        statement: url.to_string(),
        ..Report::default()
    };
    let raw = statement_doc(data, url).await?;
    let Some(doc) = StatementDoc::read(&raw) else {
        return Err(AppError::Invalid(format!(
            "url: {url} is not a joint statement"
        )));
    };
    if doc.id != *url {
        report.error = Some(format!("the document's id is {}, not {url}", doc.id));
    } else if verify_same_origin(&doc.id, &doc.attributed_to).is_err() {
        report.error = Some(format!(
            "the statement is not on the server of {}",
            doc.attributed_to
        ));
    } else if !doc.published {
        report.error = Some("the statement is not published (no signedText)".into());
    }
    report.drafter = Some(doc.attributed_to.clone());
    report.version = Some(doc.version);
    report.digest = Some(doc.digest.clone());
    report.digest_matches = doc.text.digest() == doc.digest;
    let shown = |key: &str| raw.get(key).and_then(Value::as_str).unwrap_or_default();
    report.text_matches = shown("name") == doc.text.name
        && shown("summary").starts_with(&doc.text.summary)
        && shown("content").starts_with(&doc.text.content);
    if doc.signatures.len() > MAX_SIGNATURES {
        report.error = Some(format!(
            "the statement lists more than {MAX_SIGNATURES} signatures"
        ));
        return Ok(report);
    }
    let (version, digest) = (doc.version, doc.digest.clone());
    let rule = move |v: i64, d: &str| {
        if v == version && d == digest {
            Version::Current
        } else {
            Version::Unknown
        }
    };
    for signature in &doc.signatures {
        let check = if ours(data, signature) {
            check_own(data, signature, &doc.id, rule.clone()).await?
        } else {
            statement_check::fetch_and_check(data, signature, &doc.id, None, rule.clone()).await
        };
        report.checks.push(check);
    }
    Ok(report)
}
