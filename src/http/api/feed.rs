//! `/api/v1/feed`: the network feed, newest first, with an opaque cursor.

use super::Staff;
use crate::{
    context::AppContext,
    db::{self, posts::Cursor},
    error::{AppResult, invalid},
    render::activitypub::time,
};
use activitypub_federation::config::Data;
use axum::{Json, extract::Query};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct FeedQuery {
    limit: Option<String>,
    before: Option<String>,
}

/// Parses a `PUBLISHED_ID` cursor.
pub fn parse_cursor(s: &str) -> AppResult<Cursor> {
    let bad = || invalid(format!("before: not a valid cursor: {s:?}"));
    let (p, i) = s.split_once('_').ok_or_else(bad)?;
    Ok(Cursor {
        published: p.parse().map_err(|_| bad())?,
        id: i.parse().map_err(|_| bad())?,
    })
}

pub async fn feed(
    _: Staff,
    data: Data<AppContext>,
    Query(q): Query<FeedQuery>,
) -> AppResult<Json<Value>> {
    let limit = match q.limit.as_deref() {
        None | Some("") => 20,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=100).contains(l))
            .ok_or_else(|| invalid(format!("limit: must be a number from 1 to 100 (got {l:?})")))?,
    };
    let after = match q.before.as_deref() {
        None | Some("") => Cursor::START,
        Some(c) => parse_cursor(c)?,
    };
    let rows = db::posts::feed(data.db.read(), after, limit).await?;
    let next = (rows.len() as i64 == limit)
        .then(|| {
            rows.last()
                .map(|r| format!("{}_{}", r.post.published, r.post.id))
        })
        .flatten();
    let shared: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.post.boost_of.as_deref())
        .collect();
    let shared = db::posts::with_authors(data.db.read(), &shared).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| match &r.post.boost_of {
            Some(of) => boost_json(r, of, shared.iter().find(|s| s.post.ap_id == *of)),
            None => item_json(r),
        })
        .collect();
    Ok(Json(json!({ "items": items, "next": next })))
}

/// A boost in the feed: who boosted, when, and the post shared (`null` until it is fetched).
fn boost_json(
    r: &crate::db::posts::FeedRow,
    of: &str,
    shared: Option<&db::posts::FeedRow>,
) -> Value {
    json!({
        "id": r.post.ap_id,
        "type": "Announce",
        "actor": r.actor_ap_id,
        "author_name": r.author_name,
        "author_handle": format!("{}@{}", r.author_username, r.author_domain),
        "published": time(r.post.published),
        "local": r.post.local,
        "object": of,
        "boosted": shared.map(item_json),
    })
}

/// The texts by language: the default first (when its language is known), then the others in
/// the sender's order; `null` when the post has one text.
fn content_map(p: &crate::db::posts::PostRow, d: &crate::model::PostData) -> Value {
    if d.translations.is_empty() && d.language.is_none() {
        return Value::Null;
    }
    let mut map = serde_json::Map::new();
    if let Some(l) = &d.language {
        map.insert(l.clone(), Value::String(p.content.clone()));
    }
    for t in &d.translations {
        map.insert(t.lang.clone(), Value::String(t.content.clone()));
    }
    Value::Object(map)
}

/// One feed or calendar item as the API shows it; events carry their event fields.
pub fn item_json(r: &crate::db::posts::FeedRow) -> Value {
    let p = &r.post;
    let d = crate::model::PostData::parse(&p.data);
    let mut v = json!({
        "id": p.ap_id,
        "type": p.kind,
        "actor": r.actor_ap_id,
        "author_name": r.author_name,
        "author_handle": format!("{}@{}", r.author_username, r.author_domain),
        "published": time(p.published),
        "updated": time(p.updated),
        "name": p.name,
        "title": p.name,
        "summary": p.summary,
        "content": p.content,
        "url": crate::render::links::post_link(&p.ap_id, p.url.as_deref()),
        "visibility": p.visibility,
        "local": p.local,
        "tags": d.tags,
        "sensitive": d.sensitive,
        "in_reply_to": p.in_reply_to.as_deref().and_then(crate::render::links::web_url),
        "object_type": d.object_type,
        "poll": d.poll,
        "language": d.language,
        "content_map": content_map(p, &d),
        "mentions": d.mentions.iter()
            .filter(|m| crate::render::links::web_url(&m.href).is_some())
            .collect::<Vec<_>>(),
        "attachments": d.attachments.iter()
            .filter(|a| crate::render::links::web_url(&a.url).is_some())
            .collect::<Vec<_>>(),
    });
    if p.kind == "Event" {
        crate::actions::posts::event_fields(&mut v, p, &d);
    }
    v
}
