//! WebFinger, host-meta and NodeInfo 2.1.

use crate::{
    context::AppContext,
    db,
    error::{AppError, AppResult},
};
use activitypub_federation::config::Data;
use axum::{
    Json,
    extract::Query,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
pub struct WebfingerQuery {
    resource: Option<String>,
}

pub async fn webfinger(
    data: Data<AppContext>,
    Query(q): Query<WebfingerQuery>,
) -> AppResult<Response> {
    let resource = q
        .resource
        .ok_or_else(|| AppError::Invalid("resource: missing (acct:user@domain)".into()))?;
    let cfg = &data.config;
    let subject = format!("acct:{}@{}", cfg.centre.username, cfg.domain);
    let actor = data.urls.actor();
    let matches = resource.eq_ignore_ascii_case(&subject)
        || resource.eq_ignore_ascii_case(&subject["acct:".len()..])
        || resource == actor.as_str();
    if !matches {
        return Err(AppError::NotFound(format!("no such account: {resource}")));
    }
    let body = json!({
        "subject": subject,
        "aliases": [actor],
        "links": [
            { "rel": "self", "type": "application/activity+json", "href": actor },
            { "rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": actor },
        ]
    });
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/jrd+json"),
        )],
        body.to_string(),
    )
        .into_response())
}

pub async fn host_meta(data: Data<AppContext>) -> Response {
    let template = format!("{}.well-known/webfinger?resource={{uri}}", data.urls.base());
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" template=\"{}\"/>\n</XRD>\n",
        crate::render::sanitize::escape(&template)
    );
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xrd+xml; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

pub async fn nodeinfo_links(data: Data<AppContext>) -> Json<serde_json::Value> {
    let mut href = data.urls.base().clone();
    href.set_path("/nodeinfo/2.1");
    Json(json!({
        "links": [{ "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": href }]
    }))
}

pub async fn nodeinfo(data: Data<AppContext>) -> AppResult<Response> {
    let posts = db::posts::outbox_count(data.db.read()).await?;
    let body = json!({
        "version": "2.1",
        "software": {
            "name": "maillage",
            "version": env!("CARGO_PKG_VERSION"),
            "homepage": data.urls.base(),
        },
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": false,
        "usage": {
            "users": { "total": 1, "activeMonth": 1, "activeHalfyear": 1 },
            "localPosts": posts
        },
        "metadata": { "nodeName": data.config.centre.name }
    });
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(
                "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"",
            ),
        )],
        body.to_string(),
    )
        .into_response())
}
