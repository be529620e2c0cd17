//! Posts received from other servers (notes, articles, pages, events): converted leniently,
//! stored sanitised, edited only by a newer version, removed with their author.

use super::post_writes::{Notice, PostToStore, Writes};
use crate::{
    context::AppContext,
    db::{self, actors::ActorRow},
    error::AppResult,
    model::{EVENT_STATUSES, JOIN_MODES, Location, PostData},
    protocol::PUBLIC,
    protocol::object::ObjectJson,
    render::sanitize,
};
use serde_json::Value;

/// Visibility from addressing: Public in `to` is public, in `cc` unlisted, else followers.
pub fn visibility_of(o: &ObjectJson) -> &'static str {
    let public = |v: &Vec<url::Url>| v.iter().any(|u| u.as_str() == PUBLIC);
    if public(&o.to) {
        "public"
    } else if public(&o.cc) {
        "unlisted"
    } else {
        "followers"
    }
}

/// A remote object converted to what we store.
#[derive(Clone, Debug, PartialEq)]
pub struct RemotePost {
    /// `Note`, `Article` or `Event` (a `Page` is stored as an `Article`).
    pub kind: String,
    pub visibility: &'static str,
    pub name: Option<String>,
    pub summary: Option<String>,
    pub content: String,
    pub published: Option<i64>,
    pub updated: Option<i64>,
    pub start_at: Option<i64>,
    pub end_at: Option<i64>,
    pub timezone: Option<String>,
    pub event_status: Option<String>,
    pub data: PostData,
}

fn text_of(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(sanitize::plain_text)
        .filter(|s| !s.is_empty())
}

/// Reads a `location`: a `Place` with a schema.org `PostalAddress`, a Place whose address is
/// one line of text (Gancio), or only a name. An id alone gives nothing.
pub fn location_of(v: &Value) -> Option<Location> {
    let obj = v.as_object()?;
    let mut l = Location {
        name: text_of(obj.get("name")),
        latitude: obj.get("latitude").and_then(Value::as_f64),
        longitude: obj.get("longitude").and_then(Value::as_f64),
        ..Location::default()
    };
    match obj.get("address") {
        Some(Value::Object(a)) => {
            l.street = text_of(a.get("streetAddress"));
            l.postal_code = text_of(a.get("postalCode"));
            l.locality = text_of(a.get("addressLocality"));
            l.region = text_of(a.get("addressRegion"));
            l.country = text_of(a.get("addressCountry"));
        }
        Some(Value::String(s)) => l.street = text_of(Some(&Value::String(s.clone()))),
        _ => {}
    }
    (l != Location::default()).then_some(l)
}

/// The online address of an event: Mobilizon's `Link` named "Website", or for an event marked
/// `isOnline` its first `Link`.
fn online_url_of(o: &ObjectJson) -> Option<String> {
    let links: Vec<(&str, &str)> = o
        .attachment
        .iter()
        .filter(|a| a.get("type").and_then(Value::as_str) == Some("Link"))
        .filter_map(|a| {
            let href = a.get("href").and_then(Value::as_str)?;
            let name = a.get("name").and_then(Value::as_str).unwrap_or("");
            Some((name, href))
        })
        .filter(|(_, href)| href.starts_with("https://") || href.starts_with("http://"))
        .collect();
    links
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("website"))
        .or_else(|| links.first().filter(|_| o.event.is_online == Some(true)))
        .map(|(_, href)| href.to_string())
}

/// Converts a remote object (already verified) to what we store. Pure, for fixture tests.
/// `dev`: development mode, where plain `http` URLs are kept too.
pub fn from_object(o: &ObjectJson, dev: bool) -> RemotePost {
    let texts = super::remote_language::of(o);
    let kind = match o.kind.as_str() {
        "Page" => "Article",
        k if crate::protocol::object::is_media_type(k) || k == "Question" => "Note",
        k => k,
    }
    .to_string();
    let mut attachments = o.attachment.clone();
    if crate::protocol::object::is_media_type(&o.kind) {
        attachments.splice(0..0, super::remote_attachments::own_files(o));
    }
    let attachments =
        super::remote_attachments::of(o.id.as_str(), &attachments, dev, kind != "Event");
    let tags = super::remote_tags::of(o.id.as_str(), &o.tag, dev);
    let mut post = RemotePost {
        visibility: visibility_of(o),
        name: o.name.as_deref().map(sanitize::plain_text),
        summary: o.summary.as_deref().map(sanitize::plain_text),
        content: sanitize::html(&texts.content),
        published: o.published.map(|t| t.timestamp_millis()),
        updated: o.updated.map(|t| t.timestamp_millis()),
        start_at: None,
        end_at: None,
        timezone: None,
        event_status: None,
        data: PostData {
            tags: tags.hashtags,
            mentions: tags.mentions,
            language: texts.language,
            translations: texts.translations,
            sensitive: o.sensitive == Some(true),
            attachments,
            object_type: (o.kind != kind).then(|| o.kind.clone()),
            poll: (o.kind == "Question")
                .then(|| super::remote_poll::of(o))
                .flatten(),
            ..PostData::default()
        },
        kind,
    };
    if post.kind == "Event" {
        let e = &o.event;
        post.summary = None;
        post.start_at = e.start_time.map(|t| t.timestamp_millis());
        post.end_at = e
            .end_time
            .map(|t| t.timestamp_millis())
            .filter(|end| post.start_at.is_none_or(|s| *end >= s));
        post.timezone = e
            .timezone
            .clone()
            .filter(|t| t.parse::<chrono_tz::Tz>().is_ok());
        let status = e
            .ical_status
            .as_deref()
            .or(e.status.as_deref())
            .map(str::to_lowercase)
            .filter(|s| EVENT_STATUSES.contains(&s.as_str()))
            .unwrap_or_else(|| "confirmed".into());
        post.event_status = Some(status);
        post.data.location = e.location.as_ref().and_then(location_of);
        post.data.online_url = online_url_of(o);
        post.data.join_mode = e
            .join_mode
            .clone()
            .filter(|m| JOIN_MODES.contains(&m.as_str()));
        post.data.registration_url = e
            .external_participation_url
            .clone()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
        post.data.capacity = e.maximum_attendee_capacity.filter(|c| *c > 0);
        post.data.category = e.category.as_deref().map(sanitize::plain_text);
    }
    post
}

/// Longest remote text we keep, in characters; a longer post is refused.
pub const MAX_REMOTE_CONTENT: usize = 100_000;

/// The notifications a received post makes: a reply to one of our posts, a mention of us.
/// The excerpt is the post's own sanitised content, as text.
pub fn notices(
    actor: &ActorRow,
    o: &ObjectJson,
    post: &RemotePost,
    reply: bool,
    mention: bool,
) -> Vec<Notice> {
    let excerpt: String = sanitize::plain_text(&post.content)
        .chars()
        .take(500)
        .collect();
    [("reply", reply), ("mention", mention)]
        .into_iter()
        .filter(|(_, yes)| *yes)
        .map(|(kind, _)| Notice {
            kind,
            actor_id: actor.id,
            object: o.id.to_string(),
            parent: o.in_reply_to.as_ref().map(url::Url::to_string),
            excerpt: excerpt.clone(),
        })
        .collect()
}

/// A verified remote post as it will be stored (or applied as an edit), or `None` when it is
/// not stored (an event without a start time). Refuses content over the limits.
pub fn to_store(
    ctx: &AppContext,
    actor: &ActorRow,
    o: &ObjectJson,
) -> AppResult<Option<PostToStore>> {
    let too_long = |s: &Option<String>| {
        s.as_ref()
            .is_some_and(|c| c.chars().count() > MAX_REMOTE_CONTENT)
    };
    let long_translation = o.content_map.iter().flatten().any(|(_, v)| {
        v.as_str()
            .is_some_and(|c| c.chars().count() > MAX_REMOTE_CONTENT)
    });
    if too_long(&o.content) || too_long(&o.summary) || too_long(&o.name) || long_translation {
        return Err(crate::error::invalid(format!(
            "{}: content over {MAX_REMOTE_CONTENT} characters",
            o.id
        )));
    }
    let mut post = from_object(o, ctx.config.dev);
    if crate::protocol::object::is_media_type(&o.kind)
        && post.name.as_deref().is_none_or(str::is_empty)
        && sanitize::plain_text(&post.content).is_empty()
        && post.data.attachments.is_empty()
    {
        tracing::info!(id = %o.id, kind = %o.kind, "media object with no name, text or usable file, ignored");
        return Ok(None);
    }
    if post.kind == "Event" && post.start_at.is_none() {
        // Not in a calendar without a time, but its name and text are still a post.
        tracing::info!(id = %o.id, "event without a start time: kept as an article");
        post.kind = "Article".into();
        post.summary = o.summary.as_deref().map(sanitize::plain_text);
        post.end_at = None;
        post.timezone = None;
        post.event_status = None;
        post.data.object_type = Some("Event".into());
    }
    let now = ctx.now().timestamp_millis();
    let published = post.published.unwrap_or(now);
    let updated = post.updated.unwrap_or(published).max(published);
    let data = post.data.to_json();
    Ok(Some(PostToStore {
        ap_id: o.id.to_string(),
        actor_id: actor.id,
        url: o
            .url
            .first()
            .as_ref()
            .map(|u| crate::render::links::post_link(o.id.as_str(), Some(u.as_str())))
            .filter(|u| *u != o.id.as_str())
            .map(str::to_string),
        in_reply_to: o.in_reply_to.as_ref().map(url::Url::to_string),
        published,
        updated,
        data,
        post,
    }))
}

/// Stores a verified remote post (or applies an edit of it). Idempotent.
pub async fn store(ctx: &AppContext, actor: &ActorRow, o: &ObjectJson) -> AppResult<()> {
    let post = to_store(ctx, actor, o)?;
    super::post_writes::commit(
        ctx,
        Writes {
            post,
            now: ctx.now().timestamp_millis(),
            ..Writes::default()
        },
    )
    .await
}

/// The actor was deleted on its server: drop it as a follower, drop our follow of it, and
/// remove its posts and the notifications it caused, in one transaction.
pub async fn forget_actor(ctx: &AppContext, actor: &ActorRow, now: i64) -> AppResult<()> {
    let mut tx = ctx.db.begin().await?;
    db::followers::remove_actor(tx.exec(), actor.id).await?;
    let follows = db::follows::delete_of_target(tx.exec(), actor.id).await?;
    let posts = db::posts::delete_all_of_actor(tx.exec(), actor.id, now).await?;
    let notifications = db::notifications::delete_for_actor(tx.exec(), actor.id).await?;
    tx.commit().await?;
    tracing::info!(actor = %actor.ap_id, follows, posts, notifications, "actor deleted on its server: forgotten");
    Ok(())
}
