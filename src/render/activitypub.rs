//! Model → ActivityStreams JSON: our actor, our posts, and the activities that carry them.

use crate::{
    context::AppContext,
    db::{actors::ActorRow, posts::PostRow},
    federation::{
        PUBLIC,
        protocol::{
            actor::{ActorJson, Endpoints, PublicKeyJson},
            context,
            object::{ObjectJson, TombstoneJson},
        },
    },
};
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use url::Url;

/// Milliseconds since the epoch as an RFC 3339 timestamp in UTC.
pub fn time(ms: i64) -> DateTime<FixedOffset> {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .fixed_offset()
}

/// The JSON of the local centre actor.
pub fn actor(ctx: &AppContext, row: &ActorRow) -> anyhow::Result<ActorJson> {
    let urls = &ctx.urls;
    let extra: Value = serde_json::from_str(&row.data).unwrap_or(Value::Null);
    let mut attachment = Vec::new();
    if let Some(w) = extra.get("website").and_then(Value::as_str) {
        let w = crate::render::sanitize::escape(w);
        attachment.push(json!({
            "type": "PropertyValue",
            "name": "Site web",
            "value": format!(r#"<a href="{w}" rel="me nofollow noopener noreferrer" target="_blank">{w}</a>"#),
        }));
    }
    if let Some(t) = extra.get("territory").and_then(Value::as_str) {
        attachment.push(json!({
            "type": "PropertyValue",
            "name": "Territoire",
            "value": crate::render::sanitize::escape(t),
        }));
    }
    let summary = row
        .summary
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(crate::render::sanitize::staff_content);
    Ok(ActorJson {
        kind: "Organization".into(),
        id: urls.actor(),
        preferred_username: Some(row.username.clone()),
        name: row.name.clone(),
        summary,
        url: Some(urls.actor()),
        inbox: Some(urls.inbox()),
        outbox: Some(urls.outbox()),
        followers: Some(urls.followers()),
        following: Some(urls.following()),
        endpoints: Some(Endpoints {
            shared_inbox: Some(urls.shared_inbox()),
        }),
        public_key: PublicKeyJson {
            id: urls.key_id().to_string(),
            owner: urls.actor(),
            public_key_pem: row.public_key_pem.clone(),
        },
        icon: extra.get("icon").filter(|v| !v.is_null()).cloned(),
        image: extra.get("image").filter(|v| !v.is_null()).cloned(),
        manually_approves_followers: Some(row.manually_approves_followers),
        discoverable: Some(true),
        indexable: Some(true),
        published: row.published.map(time),
        attachment,
    })
}

/// `to` and `cc` for a visibility: public = Public in `to`; unlisted = Public in `cc`;
/// followers-only = the followers collection alone.
pub fn addressing(visibility: &str, followers: &Url) -> (Vec<Url>, Vec<Url>) {
    let public = Url::parse(PUBLIC).ok();
    match (visibility, public) {
        ("public", Some(p)) => (vec![p], vec![followers.clone()]),
        ("unlisted", Some(p)) => (vec![followers.clone()], vec![p]),
        _ => (vec![followers.clone()], vec![]),
    }
}

/// The JSON of a local post.
pub fn post(ctx: &AppContext, p: &PostRow) -> anyhow::Result<ObjectJson> {
    let id = Url::parse(&p.ap_id)?;
    let (to, cc) = addressing(&p.visibility, &ctx.urls.followers());
    let content_map = BTreeMap::from([("fr".to_string(), Value::String(p.content.clone()))]);
    Ok(ObjectJson {
        kind: p.kind.clone(),
        id: id.clone(),
        attributed_to: vec![ctx.urls.actor()],
        to,
        cc,
        name: p.name.clone(),
        summary: p.summary.clone(),
        content: Some(p.content.clone()),
        content_map: Some(content_map),
        url: Some(id),
        in_reply_to: p.in_reply_to.as_deref().and_then(|u| Url::parse(u).ok()),
        published: Some(time(p.published)),
        updated: (p.updated > p.published).then(|| time(p.updated)),
        sensitive: Some(false),
        tag: vec![],
        attachment: vec![],
    })
}

/// The Tombstone that replaces a deleted post.
pub fn tombstone(p: &PostRow) -> anyhow::Result<TombstoneJson> {
    Ok(TombstoneJson {
        kind: "Tombstone".into(),
        id: Url::parse(&p.ap_id)?,
        former_type: Some(p.kind.clone()),
        deleted: p.deleted_at.map(time),
    })
}

/// An activity of ours with its `@context`.
pub fn activity(
    kind: &str,
    id: &Url,
    actor: &Url,
    object: Value,
    to: &[Url],
    cc: &[Url],
    published: DateTime<Utc>,
) -> Value {
    let mut v = json!({
        "@context": context::object(),
        "id": id,
        "type": kind,
        "actor": actor,
        "object": object,
        "published": published.fixed_offset(),
    });
    if !to.is_empty() {
        v["to"] = json!(to);
    }
    if !cc.is_empty() {
        v["cc"] = json!(cc);
    }
    v
}

/// Adds `@context` to a document.
pub fn with_context(mut doc: Value, ctx: Value) -> Value {
    if let Value::Object(m) = &mut doc {
        let mut out = serde_json::Map::with_capacity(m.len() + 1);
        out.insert("@context".into(), ctx);
        out.append(m);
        return Value::Object(out);
    }
    doc
}
