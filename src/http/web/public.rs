//! The public site: the centre's home, one page per post, the network feed, tag pages,
//! followers and following, and the "follow from your fediverse account" box (the network
//! calendar is in [`super::calendar_page`]). No JavaScript.

use super::{PageCtx, Web, render, views};
use crate::{
    db::{
        self,
        posts::{Cursor, Scope},
    },
    error::{AppError, AppResult},
    render::sanitize,
};
use askama::Template;
use axum::{
    extract::{Path, Query},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use views::PostView;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    p: PageCtx<'a>,
    summary_text: String,
    summary_html: String,
    actor_url: String,
    logo: Option<String>,
    website: Option<String>,
    territory: Option<String>,
    followers: i64,
    following: i64,
    followers_url: String,
    following_url: String,
    follow_error: Option<String>,
    events: Vec<PostView>,
    posts: Vec<PostView>,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage<'a> {
    p: PageCtx<'a>,
    heading: String,
    intro: Option<String>,
    posts: Vec<PostView>,
    next: Option<String>,
    atom: Option<String>,
}

pub struct ActorLink {
    pub url: String,
    pub handle: String,
}

#[derive(Template)]
#[template(path = "actors.html")]
struct ActorsPage<'a> {
    p: PageCtx<'a>,
    heading: String,
    actors: Vec<ActorLink>,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    p: PageCtx<'a>,
    heading: String,
    message: String,
}

pub(super) fn public_scope<'a>(local_only: bool, tag: Option<&'a str>) -> Scope<'a> {
    Scope {
        local_only,
        centre: None,
        tag,
        public_only: true,
    }
}

async fn home_page(web: &Web, follow_error: Option<String>) -> AppResult<Response> {
    let ctx = &web.data;
    let t = web.t();
    let centre = db::actors::find_by_id(ctx.db.read(), ctx.centre.id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("local centre missing")))?;
    let extra: serde_json::Value = serde_json::from_str(&centre.data).unwrap_or_default();
    let text = |k: &str| extra.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let now = ctx.now().timestamp_millis();
    let upcoming =
        db::posts::calendar(ctx.db.read(), public_scope(true, None), now, i64::MAX, 5).await?;
    let latest =
        db::posts::latest(ctx.db.read(), public_scope(true, None), Cursor::START, 10).await?;
    let summary = centre.summary.clone().unwrap_or_default();
    let page = HomePage {
        summary_text: sanitize::plain_text(&sanitize::staff_content(&summary)),
        summary_html: sanitize::staff_content(&summary),
        actor_url: ctx.urls.actor().to_string(),
        logo: extra
            .get("icon")
            .and_then(|i| i.get("url"))
            .and_then(|u| u.as_str())
            .map(str::to_string),
        website: text("website"),
        territory: text("territory"),
        followers: db::followers::accepted_count(ctx.db.read()).await?,
        following: db::follows::accepted_count(ctx.db.read()).await?,
        followers_url: ctx.urls.followers().to_string(),
        following_url: ctx.urls.following().to_string(),
        follow_error,
        events: upcoming
            .iter()
            .map(|r| views::feed_view(&t, &web.readers, r))
            .collect(),
        posts: super::reply_views::feed_views(web, &latest).await?,
        p: web.page().await,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn home(web: Web) -> AppResult<Response> {
    home_page(&web, None).await
}

/// The HTML page of one of our posts (its id serves JSON to ActivityPub clients).
#[derive(Deserialize)]
pub struct PageQuery {
    before: Option<String>,
}

async fn list(
    web: &Web,
    heading: String,
    intro: Option<String>,
    scope: Scope<'_>,
    before: Option<&str>,
    base: &str,
    atom: Option<String>,
) -> AppResult<Response> {
    const PAGE: i64 = 20;
    let cursor = match before {
        Some(b) => crate::http::api::feed::parse_cursor(b)?,
        None => Cursor::START,
    };
    let rows = db::posts::latest(web.data.db.read(), scope, cursor, PAGE).await?;
    let next = (rows.len() as i64 == PAGE)
        .then(|| {
            rows.last()
                .map(|r| format!("{base}?before={}_{}", r.post.published, r.post.id))
        })
        .flatten();
    let page = ListPage {
        heading,
        intro,
        posts: super::reply_views::feed_views(web, &rows).await?,
        next,
        atom,
        p: web.page().await,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn network(web: Web, Query(q): Query<PageQuery>) -> AppResult<Response> {
    let t = web.t();
    list(
        &web,
        t.get("network-title"),
        Some(t.get("network-intro")),
        public_scope(false, None),
        q.before.as_deref(),
        "/network",
        Some("/network/feed.atom".into()),
    )
    .await
}

pub async fn tag(
    web: Web,
    Path(tag): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let tag =
        crate::hashtag::key(&tag).ok_or_else(|| AppError::NotFound(format!("no tag {tag}")))?;
    let t = web.t();
    let heading = format!("{} #{tag}", t.get("tag-title"));
    let base = crate::hashtag::page_path(&tag).unwrap_or_default();
    let encoded: String = url::form_urlencoded::byte_serialize(tag.as_bytes()).collect();
    let atom = Some(format!("/network/feed.atom?tag={encoded}"));
    list(
        &web,
        heading,
        None,
        public_scope(false, Some(&tag)),
        q.before.as_deref(),
        &base,
        atom,
    )
    .await
}

/// The HTML list of followers or following.
pub async fn actors_page(web: &Web, followers: bool) -> AppResult<Response> {
    let t = web.t();
    let db = &web.data.db;
    let actors: Vec<ActorLink> = if followers {
        db::followers::accepted_page(db.read(), i64::MAX, 500)
            .await?
            .into_iter()
            .map(|f| ActorLink {
                url: f.actor_ap_id,
                handle: format!("@{}@{}", f.actor_username, f.actor_domain),
            })
            .collect()
    } else {
        db::follows::accepted_page(db.read(), i64::MAX, 500)
            .await?
            .into_iter()
            .map(|f| ActorLink {
                url: f.target_ap_id,
                handle: format!("@{}@{}", f.target_username, f.target_domain),
            })
            .collect()
    };
    let heading = t.get(if followers {
        "followers-title"
    } else {
        "following-title"
    });
    Ok(render(
        StatusCode::OK,
        &ActorsPage {
            heading,
            actors,
            p: web.page().await,
        },
    ))
}

#[derive(Deserialize)]
pub struct FollowQuery {
    instance: Option<String>,
}

/// The remote-follow box: sends the visitor to their own server's `authorize_interaction`
/// page (Mastodon, GoToSocial, Akkoma…) with our handle.
pub async fn remote_follow(web: Web, Query(q): Query<FollowQuery>) -> AppResult<Response> {
    let raw = q.instance.unwrap_or_default();
    let host = raw
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches('@')
        .trim_end_matches('/')
        .rsplit('@')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let valid = !host.is_empty()
        && host.len() <= 253
        && host.contains('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == ':');
    if !valid {
        let t = web.t();
        let message = t.get("follow-error");
        return Ok(match home_page(&web, Some(message)).await {
            Ok(r) => (StatusCode::BAD_REQUEST, r).into_response(),
            Err(e) => e.into_response(),
        });
    }
    let handle = format!(
        "{}@{}",
        web.data.config.centre.username, web.data.config.domain
    );
    let mut target = url::Url::parse(&format!("https://{host}/authorize_interaction"))
        .map_err(|_| AppError::Invalid("instance: not a server name".into()))?;
    target
        .query_pairs_mut()
        .append_pair("uri", &format!("acct:{handle}"));
    Ok(Redirect::to(target.as_str()).into_response())
}

/// A message page with a status (used for 403s and 404s of pages).
pub async fn message(web: &Web, status: StatusCode, heading: String, message: String) -> Response {
    render(
        status,
        &MessagePage {
            heading,
            message,
            p: web.page().await,
        },
    )
}

/// Serves an uploaded image.
pub async fn media(web: Web, Path(id): Path<String>) -> AppResult<Response> {
    let m = db::media::find(web.data.db.read(), &id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no media {id}")))?;
    let ct = axum::http::HeaderValue::from_str(&m.content_type).unwrap_or(
        axum::http::HeaderValue::from_static("application/octet-stream"),
    );
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, ct),
            (
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("public, max-age=86400"),
            ),
            (
                axum::http::header::X_CONTENT_TYPE_OPTIONS,
                axum::http::HeaderValue::from_static("nosniff"),
            ),
        ],
        m.bytes,
    )
        .into_response())
}
