//! One post's public page, with its replies; a joint statement's page also lists its
//! signatories, each with a link to its co-signature on the signer's own server.

use super::{PageCtx, Web, render, views};
use crate::{
    db::{self, posts::PostRow},
    error::AppResult,
    model::PostData,
    render::{links::web_url, sanitize},
};
use askama::Template;
use axum::{http::StatusCode, response::Response};
use views::PostView;

/// A co-signer as the statement's page shows it.
pub struct SignatoryView {
    pub name: String,
    pub handle: String,
    pub url: Option<String>,
    pub logo: Option<String>,
    pub signature: Option<String>,
    /// "vérifiée le 03/12/2026 10:00", when the drafting centre checked it.
    pub verified: Option<String>,
}

#[derive(Template)]
#[template(path = "post.html")]
struct PostPage<'a> {
    p: PageCtx<'a>,
    post: PostView,
    description: String,
    online_url: Option<String>,
    registration_url: Option<String>,
    capacity: Option<i64>,
    signatories: Vec<SignatoryView>,
    replies: Vec<PostView>,
    /// "3 likes · 1 boost" (from other servers), when there are any.
    reactions: Option<String>,
    /// "2 participants" on an event.
    participants: Option<String>,
}

#[derive(Template)]
#[template(path = "gone.html")]
struct GonePage<'a> {
    p: PageCtx<'a>,
}

/// The signatories of a statement, links checked as every link we render.
pub fn signatories(web: &Web, data: &PostData) -> Vec<SignatoryView> {
    let t = web.t();
    let Some(s) = &data.statement else {
        return Vec::new();
    };
    s.signatories
        .iter()
        .map(|g| SignatoryView {
            name: g.name.clone(),
            handle: g.handle.clone(),
            url: web_url(&g.actor).map(str::to_string),
            logo: g.logo.as_deref().and_then(web_url).map(str::to_string),
            signature: web_url(&g.signature).map(str::to_string),
            verified: g.verified_at.map(|ms| {
                t.with(
                    "statement-verified-at",
                    "date",
                    &views::datetime(t.lang, ms),
                )
            }),
        })
        .collect()
}

pub async fn post_page(web: &Web, row: &PostRow) -> AppResult<Response> {
    let ctx = &web.data;
    if row.deleted_at.is_some() {
        return Ok(render(
            StatusCode::GONE,
            &GonePage {
                p: web.page().await,
            },
        ));
    }
    let t = web.t();
    let handle = format!("{}@{}", ctx.config.centre.username, ctx.config.domain);
    let p = web.page().await;
    let view = views::post_view(
        &t,
        &web.readers,
        row,
        &p.centre_name,
        &handle,
        ctx.urls.actor().as_str(),
    );
    let data = PostData::parse(&row.data);
    let description = view
        .warning
        .clone()
        .or_else(|| row.summary.clone())
        .or_else(|| view.when.clone())
        .unwrap_or_else(|| {
            sanitize::plain_text(&row.content)
                .chars()
                .take(200)
                .collect()
        });
    let replies = db::post_threads::replies(ctx.db.read(), &row.ap_id, false)
        .await?
        .iter()
        .map(|r| {
            // Under the post they answer: no "in reply to" line.
            let mut v = views::feed_view(&t, &web.readers, r);
            v.reply_to = None;
            v
        })
        .collect();
    let (likes, boosts) = db::reactions::counts(ctx.db.read(), row.id).await?;
    let reactions = [("post-likes", likes), ("post-boosts", boosts)]
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(key, n)| t.count(key, "count", *n))
        .collect::<Vec<_>>();
    let participants = if row.kind == "Event" {
        let n = crate::actions::participants::count(ctx, row).await?;
        Some(t.count("event-participants", "count", n))
    } else {
        None
    };
    let page = PostPage {
        participants,
        reactions: (!reactions.is_empty()).then(|| reactions.join(" · ")),
        signatories: signatories(web, &data),
        p,
        replies,
        post: view,
        description,
        online_url: data.online_url.filter(|u| web_url(u).is_some()),
        registration_url: data.registration_url.filter(|u| web_url(u).is_some()),
        capacity: data.capacity,
    };
    Ok(render(StatusCode::OK, &page))
}
