//! Actor, posts, activities and collections at their ids, content-negotiated.

use super::{
    negotiate::{activity_json, wants_activity_json},
    web::Web,
};
use crate::{
    context::AppContext,
    db,
    error::{AppError, AppResult},
    federation::objects::actor::DbActor,
    protocol::{
        collection::{OrderedCollection, OrderedCollectionPage},
        context,
    },
    render::{self, activitypub::with_context},
};
use axum::{
    extract::{Path, Query},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

/// Items per collection page.
const PAGE_SIZE: i64 = 20;

fn check_username(data: &AppContext, username: &str) -> AppResult<()> {
    if username == data.config.centre.username {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("no actor {username}")))
    }
}

pub async fn actor(web: Web, Path(username): Path<String>) -> AppResult<Response> {
    let data = &web.data;
    check_username(data, &username)?;
    let centre = DbActor::local(data).await?;
    if wants_activity_json(&web.headers) {
        let json = render::activitypub::actor(data, &centre.row)?;
        let doc = with_context(
            serde_json::to_value(json).map_err(anyhow::Error::from)?,
            context::actor(),
        );
        return Ok(activity_json(StatusCode::OK, &doc));
    }
    crate::http::web::public::home(web).await
}

pub async fn post(web: Web, Path(id): Path<String>) -> AppResult<Response> {
    let data = &web.data;
    let row = db::posts::find_by_public_id(data.db.read(), &id)
        .await?
        .filter(|p| p.local && p.visibility != "followers" && p.kind != "Announce")
        .ok_or_else(|| AppError::NotFound(format!("no post {id}")))?;
    let json = wants_activity_json(&web.headers);
    if json {
        signed(&web).await?;
    }
    if row.deleted_at.is_some() {
        if json {
            let doc = with_context(
                serde_json::to_value(render::activitypub::tombstone(&row)?)
                    .map_err(anyhow::Error::from)?,
                context::activitystreams(),
            );
            return Ok(activity_json(StatusCode::GONE, &doc));
        }
        return crate::http::web::post_page::post_page(&web, &row).await;
    }
    if json {
        let doc = with_context(
            serde_json::to_value(crate::actions::participants::object_json(data, &row).await?)
                .map_err(anyhow::Error::from)?,
            context::object(),
        );
        return Ok(activity_json(StatusCode::OK, &doc));
    }
    crate::http::web::post_page::post_page(&web, &row).await
}

/// Our activities stay dereferenceable at their ids (Follow, Accept, Create…).
/// With authorized fetch on, an ActivityPub GET must be signed.
async fn signed(web: &Web) -> AppResult<()> {
    super::authorized::require_signature(
        &web.data,
        &web.headers,
        &axum::http::Method::GET,
        &web.uri,
    )
    .await
}

pub async fn activity(web: Web, Path(id): Path<String>) -> AppResult<Response> {
    signed(&web).await?;
    let data = &web.data;
    let url = data.urls.activity(&id);
    let row = db::deliveries::find_activity_by_ap_id(data.db.read(), url.as_str())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no activity {id}")))?;
    let doc: Value = serde_json::from_str(&row.json).map_err(anyhow::Error::from)?;
    // Activities about followers-only posts are not public.
    let public = ["to", "cc"].iter().any(|k| {
        doc.get(*k)
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v == crate::protocol::PUBLIC))
    });
    if !public && row.kind != "Follow" && row.kind != "Accept" && row.kind != "Undo" {
        return Err(AppError::NotFound(format!("no activity {id}")));
    }
    Ok(activity_json(StatusCode::OK, &doc))
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

fn collection(id: Url, total: i64) -> Response {
    let mut first = id.clone();
    first.set_query(Some("page=true"));
    let doc = OrderedCollection {
        kind: "OrderedCollection".into(),
        id,
        total_items: total,
        first,
    };
    let doc = with_context(json!(doc), context::activitystreams());
    activity_json(StatusCode::OK, &doc)
}

fn page(id: &Url, part_of: &Url, next: Option<String>, items: Vec<Value>) -> Response {
    let next = next.map(|cursor| {
        let mut u = part_of.clone();
        u.query_pairs_mut().append_pair("page", &cursor);
        u
    });
    let doc = OrderedCollectionPage {
        kind: "OrderedCollectionPage".into(),
        id: id.clone(),
        part_of: part_of.clone(),
        next,
        ordered_items: items,
    };
    activity_json(
        StatusCode::OK,
        &with_context(json!(doc), context::activitystreams()),
    )
}

fn page_url(base: &Url, page: &str) -> Url {
    let mut u = base.clone();
    u.query_pairs_mut().append_pair("page", page);
    u
}

/// `page=true` is the first page; otherwise the page value is a cursor.
fn parse_id_cursor(page: &str) -> AppResult<i64> {
    if page == "true" {
        return Ok(i64::MAX);
    }
    page.parse()
        .map_err(|_| AppError::Invalid(format!("page: not a valid cursor: {page:?}")))
}

pub async fn outbox(
    web: Web,
    Path(username): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let data = &web.data;
    check_username(data, &username)?;
    signed(&web).await?;
    let id = data.urls.outbox();
    let Some(p) = q.page else {
        let total = db::posts::outbox_count(data.db.read()).await?;
        return Ok(collection(id, total));
    };
    let cursor = if p == "true" {
        db::posts::Cursor::START
    } else {
        super::api::feed::parse_cursor(&p)?
    };
    let rows = db::posts::outbox_page(data.db.read(), cursor, PAGE_SIZE).await?;
    let next = (rows.len() as i64 == PAGE_SIZE)
        .then(|| rows.last().map(|r| format!("{}_{}", r.published, r.id)))
        .flatten();
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        if row.kind == "Announce" {
            let mut announce = crate::actions::boosts::announce_json(data, row, None);
            if let Value::Object(m) = &mut announce {
                m.remove("@context");
            }
            items.push(announce);
            continue;
        }
        let object = crate::actions::participants::object_json(data, row).await?;
        let (to, cc) = (object.to.clone(), object.cc.clone());
        let mut create_id = Url::parse(&row.ap_id).map_err(anyhow::Error::from)?;
        create_id.set_fragment(Some("create"));
        let mut activity = render::activitypub::activity(
            "Create",
            &create_id,
            &data.urls.actor(),
            json!(object),
            &to,
            &cc,
            render::activitypub::time(row.published).to_utc(),
        );
        if let Value::Object(m) = &mut activity {
            m.remove("@context");
        }
        items.push(activity);
    }
    Ok(page(&page_url(&id, &p), &id, next, items))
}

/// The actor ids of a relation page, newest first, with the cursor of the next page.
async fn relation_page(
    data: &AppContext,
    followers: bool,
    before: i64,
) -> AppResult<(Vec<Value>, Option<String>)> {
    let (ids, last): (Vec<Value>, Option<i64>) = if followers {
        let rows = db::followers::accepted_page(data.db.read(), before, PAGE_SIZE).await?;
        (
            rows.iter().map(|r| json!(r.actor_ap_id)).collect(),
            rows.last().map(|r| r.id),
        )
    } else {
        let rows = db::follows::accepted_page(data.db.read(), before, PAGE_SIZE).await?;
        (
            rows.iter().map(|r| json!(r.target_ap_id)).collect(),
            rows.last().map(|r| r.id),
        )
    };
    let next = (ids.len() as i64 == PAGE_SIZE)
        .then(|| last.map(|l| l.to_string()))
        .flatten();
    Ok((ids, next))
}

/// `followers` or `following`: a paged collection of actor ids, or their HTML list.
async fn relation(
    web: Web,
    username: String,
    q: PageQuery,
    followers: bool,
) -> AppResult<Response> {
    let data = &web.data;
    check_username(data, &username)?;
    if !wants_activity_json(&web.headers) {
        return crate::http::web::public::actors_page(&web, followers).await;
    }
    signed(&web).await?;
    let id = if followers {
        data.urls.followers()
    } else {
        data.urls.following()
    };
    let Some(p) = q.page else {
        let total = if followers {
            db::followers::accepted_count(data.db.read()).await?
        } else {
            db::follows::accepted_count(data.db.read()).await?
        };
        return Ok(collection(id, total));
    };
    let (items, next) = relation_page(data, followers, parse_id_cursor(&p)?).await?;
    Ok(page(&page_url(&id, &p), &id, next, items))
}

pub async fn followers(
    web: Web,
    Path(username): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    relation(web, username, q, true).await
}

pub async fn following(
    web: Web,
    Path(username): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    relation(web, username, q, false).await
}
