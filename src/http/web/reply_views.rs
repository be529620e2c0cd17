//! Posts as lists show them: each reply with what it answers (the author and the start of the
//! answered post when we hold it, fetched by [`crate::actions::reply_context`], else its link),
//! and each boost as the post it shares, "boosted by" its booster (left out until we hold it).

use super::{Web, views};
use crate::{
    db::{self, posts::FeedRow},
    error::AppResult,
    render::{links::web_url, sanitize},
};

/// What a reply answers, as a list shows it.
pub struct AnsweredView {
    pub url: String,
    pub author: String,
    pub excerpt: String,
}

/// Characters of the answered post shown.
const EXCERPT: usize = 140;

/// Who boosted a post, as a list shows it.
pub struct BoostedBy {
    pub name: String,
    pub url: String,
}

/// The views of `rows`, with what each reply answers and what each boost shares.
pub async fn feed_views(web: &Web, rows: &[FeedRow]) -> AppResult<Vec<views::PostView>> {
    let t = web.t();
    let shared: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.post.boost_of.as_deref())
        .collect();
    let shared = db::posts::with_authors(web.data.db.read(), &shared).await?;
    // Each row as shown: a boost is the post it shares, with its booster.
    let shown: Vec<(&FeedRow, Option<&FeedRow>)> = rows
        .iter()
        .filter_map(|r| match &r.post.boost_of {
            Some(of) => shared
                .iter()
                .find(|s| s.post.ap_id == *of && s.post.kind != "Announce")
                .map(|s| (s, Some(r))),
            None => Some((r, None)),
        })
        .collect();
    let parents: Vec<&str> = shown
        .iter()
        .filter_map(|(r, _)| r.post.in_reply_to.as_deref())
        .collect();
    let answered = db::posts::with_authors(web.data.db.read(), &parents).await?;
    Ok(shown
        .into_iter()
        .map(|(r, booster)| {
            let mut v = views::feed_view(&t, &web.readers, r);
            v.answers = r
                .post
                .in_reply_to
                .as_deref()
                .and_then(|id| answered.iter().find(|a| a.post.ap_id == id))
                .and_then(answered_view);
            v.boosted_by = booster.map(|b| BoostedBy {
                name: b
                    .author_name
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| b.author_username.clone()),
                url: b.actor_ap_id.clone(),
            });
            v
        })
        .collect())
}

fn answered_view(a: &FeedRow) -> Option<AnsweredView> {
    let url = crate::render::links::post_link(&a.post.ap_id, a.post.url.as_deref());
    let text = match a.post.name.as_deref().filter(|n| !n.is_empty()) {
        Some(name) => name.to_string(),
        None => sanitize::plain_text(&a.post.content),
    };
    let mut excerpt: String = text.chars().take(EXCERPT).collect();
    if text.chars().count() > EXCERPT {
        excerpt.push('…');
    }
    Some(AnsweredView {
        url: web_url(url)?.to_string(),
        author: a
            .author_name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("{}@{}", a.author_username, a.author_domain)),
        excerpt,
    })
}
