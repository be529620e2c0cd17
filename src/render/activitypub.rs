//! Model → ActivityStreams JSON: our actor, our posts, and the activities that carry them.

use crate::{
    context::AppContext,
    db::{actors::ActorRow, posts::PostRow},
    model::{Location, PostData},
    protocol::PUBLIC,
    protocol::{
        actor::{ActorJson, AssertionKey, Endpoints, PublicKeyJson},
        context,
        object::{EventFields, ObjectJson, TombstoneJson},
    },
    render::sanitize::escape,
};
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Value, json};
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
        assertion_method: serde_json::from_str::<Vec<AssertionKey>>(&row.assertion_keys)
            .unwrap_or_default()
            .into_iter()
            .map(|k| {
                json!({
                    "id": k.id,
                    "type": "Multikey",
                    "controller": urls.actor(),
                    "publicKeyMultibase": k.multibase,
                })
            })
            .collect(),
        also_known_as: row
            .aliases()
            .iter()
            .filter_map(|a| Url::parse(a).ok())
            .collect(),
        moved_to: row.moved_to.as_deref().and_then(|m| Url::parse(m).ok()),
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

/// An event time in the event's own time zone (UTC when it has none or an unknown one).
pub fn event_time(ms: i64, tz: Option<&str>) -> DateTime<FixedOffset> {
    let utc = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    match tz.and_then(|t| t.parse::<chrono_tz::Tz>().ok()) {
        Some(tz) => utc.with_timezone(&tz).fixed_offset(),
        None => utc.fixed_offset(),
    }
}

/// The `Hashtag` tags of a post.
pub fn hashtags(ctx: &AppContext, tags: &[String]) -> Vec<Value> {
    tags.iter()
        .map(|t| {
            let mut href = ctx.urls.base().clone();
            href.set_path(&crate::hashtag::page_path(t).unwrap_or_else(|| format!("/tags/{t}")));
            let name = crate::model::federated_tag(t);
            json!({ "type": "Hashtag", "name": format!("#{name}"), "href": href })
        })
        .collect()
}

/// The French "date · place" summary of an event row.
pub fn event_summary(p: &PostRow, data: &PostData) -> Option<String> {
    let start = event_time(p.start_at?, p.timezone.as_deref());
    let end = p.end_at.map(|e| event_time(e, p.timezone.as_deref()));
    Some(crate::render::summary::event_summary(
        &start,
        end.as_ref(),
        data.location.as_ref(),
        data.online_url.is_some(),
        p.event_status.as_deref() == Some("cancelled"),
    ))
}

/// The JSON of a local post: a `Note`, an `Article` (with a FEP-b2b8 `preview`) or a
/// Mobilizon-compatible `Event`.
pub fn post(ctx: &AppContext, p: &PostRow) -> anyhow::Result<ObjectJson> {
    let id = Url::parse(&p.ap_id)?;
    let data = PostData::parse(&p.data);
    let (to, cc) = addressing(&p.visibility, &ctx.urls.followers());
    let mut content_map = serde_json::Map::new();
    content_map.insert("fr".to_string(), Value::String(p.content.clone()));
    let mut object = ObjectJson {
        kind: p.kind.clone(),
        id: id.clone(),
        attributed_to: vec![ctx.urls.actor()],
        to: to.clone(),
        cc,
        name: None,
        summary: None,
        content: Some(p.content.clone()),
        content_map: Some(content_map),
        url: crate::protocol::links::Links::one(&id),
        media_type: None,
        one_of: vec![],
        any_of: vec![],
        closed: None,
        voters_count: None,
        in_reply_to: p.in_reply_to.as_deref().and_then(|u| Url::parse(u).ok()),
        published: Some(time(p.published)),
        updated: (p.updated > p.published).then(|| time(p.updated)),
        sensitive: Some(false),
        tag: hashtags(ctx, &data.tags),
        attachment: vec![],
        preview: None,
        in_language: None,
        event: EventFields::default(),
        statement_version: None,
        content_digest: None,
        signed_text: None,
        signatures: vec![],
    };
    // Our images, as Mastodon displays them: `Image` with its alternative text as `name`.
    for a in data.attachments.iter().filter(|a| a.kind == "Image") {
        object.attachment.push(json!({
            "type": "Image", "mediaType": a.media_type, "url": a.url, "name": a.name,
        }));
    }
    match p.kind.as_str() {
        "Article" => {
            let title = p.name.clone().unwrap_or_default();
            let summary = p.summary.clone().filter(|s| !s.is_empty());
            let mut preview = format!("<p><strong>{}</strong></p>", escape(&title));
            if let Some(s) = &summary {
                preview.push_str(&format!("<p>{}</p>", escape(s)));
            }
            object.preview = Some(json!({
                "type": "Note",
                "attributedTo": ctx.urls.actor(),
                "content": preview,
                "to": to,
            }));
            object.name = Some(title);
            object.summary = summary;
            object.in_language = Some("fr".into());
        }
        "Event" => {
            object.name = p.name.clone();
            object.summary = event_summary(p, &data);
            object.in_language = Some("fr".into());
            if let Some(url) = &data.online_url {
                object.attachment.push(json!({
                    "type": "Link", "mediaType": "text/html", "name": "Website", "href": url
                }));
            }
            let status = p
                .event_status
                .as_deref()
                .unwrap_or("confirmed")
                .to_uppercase();
            object.event = EventFields {
                start_time: p.start_at.map(|s| event_time(s, p.timezone.as_deref())),
                end_time: p.end_at.map(|e| event_time(e, p.timezone.as_deref())),
                timezone: p.timezone.clone(),
                location: data.location.as_ref().map(place),
                is_online: Some(data.online_url.is_some()),
                ical_status: Some(status.clone()),
                status: Some(status),
                join_mode: Some(data.join_mode.clone().unwrap_or_else(|| "free".into())),
                external_participation_url: data.registration_url.clone(),
                maximum_attendee_capacity: data.capacity,
                category: data.category.clone(),
                participant_count: None,
            };
        }
        _ => {}
    }
    if let Some(st) = &data.statement {
        object.statement_version = Some(st.version);
        object.content_digest = Some(st.digest.clone());
        object.signed_text = Some(json!({
            "name": st.signed_name, "summary": st.signed_summary, "content": st.signed_content,
        }));
        for s in &st.signatories {
            if let (Ok(sig), Ok(actor)) = (Url::parse(&s.signature), Url::parse(&s.actor)) {
                object.signatures.push(sig);
                object.tag.push(
                    json!({"type": "Mention", "href": actor, "name": format!("@{}", s.handle)}),
                );
                object.cc.push(actor);
            }
        }
    }
    Ok(object)
}

/// A schema.org `Place` with its `PostalAddress`.
fn place(l: &Location) -> Value {
    let mut v = json!({ "type": "Place" });
    if let Some(n) = &l.name {
        v["name"] = json!(n);
    }
    let mut address = serde_json::Map::new();
    address.insert("type".into(), json!("PostalAddress"));
    for (key, value) in [
        ("streetAddress", &l.street),
        ("postalCode", &l.postal_code),
        ("addressLocality", &l.locality),
        ("addressRegion", &l.region),
        ("addressCountry", &l.country),
    ] {
        if let Some(value) = value {
            address.insert(key.into(), json!(value));
        }
    }
    if address.len() > 1 {
        v["address"] = Value::Object(address);
    }
    if let (Some(lat), Some(lon)) = (l.latitude, l.longitude) {
        v["latitude"] = json!(lat);
        v["longitude"] = json!(lon);
    }
    v
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
