//! Posts as lists show them, each reply with what it answers: the author and the start of the
//! answered post when we hold it (fetched by [`crate::actions::reply_context`]), else its link.

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

/// The views of `rows`, with what each reply answers.
pub async fn feed_views(web: &Web, rows: &[FeedRow]) -> AppResult<Vec<views::PostView>> {
    let t = web.t();
    let parents: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.post.in_reply_to.as_deref())
        .collect();
    let answered = db::post_threads::answered(web.data.db.read(), &parents).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let mut v = views::feed_view(&t, &web.readers, r);
            v.answers = r
                .post
                .in_reply_to
                .as_deref()
                .and_then(|id| answered.iter().find(|a| a.post.ap_id == id))
                .and_then(answered_view);
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
