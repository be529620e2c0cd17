//! Public Atom and iCalendar feeds: the centre's own (`/feed.atom`, `/calendar.ics`) and the
//! network's (`/network/feed.atom`, `/network/calendar.ics`). All take `?tag=` and `?centre=`.
//! Only public posts appear.

use crate::{
    context::AppContext,
    db::{self, posts::Scope},
    error::{AppError, AppResult, invalid},
    render::feeds,
};
use activitypub_federation::config::Data;
use axum::{
    extract::Query,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

/// Most entries in one feed.
const FEED_LIMIT: i64 = 50;
/// Most events in one calendar.
const CALENDAR_LIMIT: i64 = 1000;
/// Calendars start this long ago (ms): past events stay for a year.
const CALENDAR_PAST: i64 = 366 * 24 * 3600 * 1000;

#[derive(Deserialize)]
pub struct FeedQuery {
    tag: Option<String>,
    centre: Option<String>,
}

/// The filter a query asks for: a normalised tag and a centre's actor id.
pub async fn filters(
    ctx: &AppContext,
    tag: Option<&str>,
    centre: Option<&str>,
) -> AppResult<(Option<String>, Option<String>)> {
    let tag = match tag.filter(|t| !t.is_empty()) {
        Some(t) => Some(
            crate::hashtag::key(t)
                .ok_or_else(|| invalid(format!("tag: {t:?} is not a hashtag")))?,
        ),
        None => None,
    };
    let centre = match centre.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) if c.starts_with("https://") || c.starts_with("http://") => Some(c.to_string()),
        Some(c) => {
            let (user, host) = c.trim_start_matches('@').split_once('@').ok_or_else(|| {
                invalid(format!(
                    "centre: {c:?} is neither a handle nor an actor URL"
                ))
            })?;
            let actor = db::actors::find_by_handle(ctx.db.read(), user, host)
                .await?
                .ok_or_else(|| {
                    AppError::NotFound(format!("centre: no centre {c} is known here"))
                })?;
            Some(actor.ap_id)
        }
    };
    Ok((tag, centre))
}

fn respond(content_type: &'static str, body: String) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response()
}

fn self_url(ctx: &AppContext, path: &str) -> String {
    let mut u = ctx.urls.base().clone();
    u.set_path(path);
    u.to_string()
}

async fn atom(ctx: &AppContext, q: FeedQuery, local_only: bool, path: &str) -> AppResult<Response> {
    let (tag, centre) = filters(ctx, q.tag.as_deref(), q.centre.as_deref()).await?;
    let scope = Scope {
        local_only,
        centre: centre.as_deref(),
        tag: tag.as_deref(),
        public_only: true,
    };
    let mut rows =
        db::posts::latest(ctx.db.read(), scope, db::posts::Cursor::START, FEED_LIMIT).await?;
    // Boosts are not entries of their own: the feed lists what the centres write.
    rows.retain(|r| r.post.kind != "Announce");
    let name = &ctx.config.centre.name;
    let title = if local_only {
        name.clone()
    } else {
        format!("Réseau de {name}")
    };
    let body = feeds::atom(
        &title,
        &self_url(ctx, path),
        ctx.urls.actor().as_str(),
        &rows,
    );
    Ok(respond("application/atom+xml; charset=utf-8", body))
}

async fn ics(ctx: &AppContext, q: FeedQuery, local_only: bool) -> AppResult<Response> {
    let (tag, centre) = filters(ctx, q.tag.as_deref(), q.centre.as_deref()).await?;
    let scope = Scope {
        local_only,
        centre: centre.as_deref(),
        tag: tag.as_deref(),
        public_only: true,
    };
    let from = ctx.now().timestamp_millis() - CALENDAR_PAST;
    let rows = db::posts::calendar(ctx.db.read(), scope, from, i64::MAX, CALENDAR_LIMIT).await?;
    let name = &ctx.config.centre.name;
    let title = if local_only {
        format!("Agenda de {name}")
    } else {
        format!("Agenda du réseau de {name}")
    };
    Ok(respond(
        "text/calendar; charset=utf-8",
        feeds::ical(&title, &rows),
    ))
}

pub async fn own_atom(data: Data<AppContext>, Query(q): Query<FeedQuery>) -> AppResult<Response> {
    atom(&data, q, true, "/feed.atom").await
}

pub async fn network_atom(
    data: Data<AppContext>,
    Query(q): Query<FeedQuery>,
) -> AppResult<Response> {
    atom(&data, q, false, "/network/feed.atom").await
}

pub async fn own_ics(data: Data<AppContext>, Query(q): Query<FeedQuery>) -> AppResult<Response> {
    ics(&data, q, true).await
}

pub async fn network_ics(
    data: Data<AppContext>,
    Query(q): Query<FeedQuery>,
) -> AppResult<Response> {
    ics(&data, q, false).await
}
