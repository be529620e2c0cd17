//! Joint statements → ActivityStreams JSON: the draft served to invitees, the co-signature
//! document (signed with an FEP-8b32 proof), and the activities that carry them (`Invite`,
//! `Accept`/`Reject` of an invitation, `Delete` of a co-signature).

use crate::{
    context::AppContext,
    db::statements::StatementRow,
    integrity::proof,
    model::Signatory,
    protocol::{context, statement::cosignature_context},
    render::{activitypub::time, sanitize::escape},
};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// The draft as invitees fetch it: an `Article` with the version and its digest, who is
/// invited, and which signatures of this version the drafting centre has checked so far.
pub fn draft(
    ctx: &AppContext,
    s: &StatementRow,
    invitees: &[String],
    signatures: &[String],
) -> Value {
    let mut v = json!({
        "@context": context::object(),
        "id": s.ap_id,
        "type": "Article",
        "attributedTo": ctx.urls.actor(),
        "name": s.title,
        "summary": s.summary,
        "content": s.content,
        "contentMap": { s.language.clone(): s.content },
        "mediaType": "text/html",
        "statementVersion": s.version,
        "contentDigest": s.digest,
        "invitees": invitees,
        "signatures": signatures,
        "to": invitees,
        "published": time(s.created_at),
        "updated": time(s.updated_at),
    });
    if let Some(d) = s.deadline {
        v["signingDeadline"] = json!(time(d));
    }
    v
}

/// "Cosignée par : A, B et C." (the end of a published statement's `summary`, the only part
/// of an `Article` besides its title that Mastodon shows).
pub fn cosigned_by(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("Cosignée par : {one}."),
        [rest @ .., last] => format!("Cosignée par : {} et {last}.", rest.join(", ")),
    }
}

/// The summary of a published statement: its own summary, then who signed it.
pub fn published_summary(summary: &str, names: &[String]) -> String {
    let by = cosigned_by(names);
    match (summary.trim().is_empty(), by.is_empty()) {
        (_, true) => summary.to_string(),
        (true, false) => by,
        (false, false) => format!("{} — {by}", summary.trim_end()),
    }
}

/// The body of a published statement: the signed text, then the signatories, each linked to
/// its signature on its own server.
pub fn published_content(content: &str, drafter: &str, signatories: &[Signatory]) -> String {
    let mut html = content.to_string();
    html.push_str("<h2>Signataires</h2><ul>");
    html.push_str(&format!("<li>{} (rédaction)</li>", escape(drafter)));
    for s in signatories {
        html.push_str(&format!(
            "<li><a href=\"{}\">{}</a> (<a href=\"{}\">signature</a>)</li>",
            escape(&s.actor),
            escape(&s.name),
            escape(&s.signature)
        ));
    }
    html.push_str("</ul>");
    html
}

/// A co-signature of `statement` at `version` by this centre, with its proof.
pub fn cosignature(
    ctx: &AppContext,
    id: &str,
    statement: &str,
    version: i64,
    digest: &str,
    at: DateTime<Utc>,
) -> anyhow::Result<Value> {
    let created = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut doc = json!({
        "@context": cosignature_context(),
        "id": id,
        "type": ["Object", "Cosignature"],
        "attributedTo": ctx.urls.actor(),
        "object": statement,
        "statementVersion": version,
        "contentDigest": digest,
        "published": created,
    });
    proof::sign(
        &mut doc,
        &ctx.centre.assertion_key,
        &ctx.centre.assertion_key_id,
        &created,
    )
    .map_err(|e| anyhow::anyhow!("signing the co-signature: {e}"))?;
    Ok(doc)
}

/// What a withdrawn co-signature's id serves (410).
pub fn withdrawn(id: &str, at: i64) -> Value {
    json!({
        "@context": context::object(),
        "id": id,
        "type": "Tombstone",
        "formerType": "Cosignature",
        "deleted": time(at),
    })
}

/// `Invite{object: the statement at its version, target: the invited centre}`.
pub fn invite(
    ctx: &AppContext,
    id: &str,
    s: &StatementRow,
    target: &str,
    at: DateTime<Utc>,
) -> Value {
    json!({
        "@context": context::object(),
        "id": id,
        "type": "Invite",
        "actor": ctx.urls.actor(),
        "object": {
            "id": s.ap_id,
            "type": "Article",
            "name": s.title,
            "statementVersion": s.version,
            "contentDigest": s.digest,
        },
        "target": target,
        "to": [target],
        "published": at.fixed_offset(),
    })
}

/// `Accept{object: the Invite, result: our co-signature}` or `Reject{object: the Invite}`.
pub fn answer(
    ctx: &AppContext,
    kind: &str,
    id: &str,
    invite: &str,
    inviter: &str,
    result: Option<&str>,
    at: DateTime<Utc>,
) -> Value {
    let mut v = json!({
        "@context": context::object(),
        "id": id,
        "type": kind,
        "actor": ctx.urls.actor(),
        "object": invite,
        "to": [inviter],
        "published": at.fixed_offset(),
    });
    if let Some(r) = result {
        v["result"] = json!(r);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_says_who_signed() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            published_summary("Notre position.", &names(&["Lille", "Lyon", "Marseille"])),
            "Notre position. — Cosignée par : Lille, Lyon et Marseille."
        );
        assert_eq!(
            published_summary("", &names(&["Lille"])),
            "Cosignée par : Lille."
        );
        assert_eq!(published_summary("Seule.", &[]), "Seule.");
    }
}
