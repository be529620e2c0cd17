//! Posts the feed shows but we do not hold: what a followed centre's reply answers, and what
//! it boosts. They are fetched (signed, like every GET we send) in the background and stored,
//! so the feed can show "in reply to <author>: <excerpt>", or the boosted post itself. Bounded: at most
//! [`MAX_DEPTH`] posts up the thread, a few fetches at once ([`crate::memory::fetch_gate`]),
//! public and unlisted posts only, each on its author's server. A failure only leaves the link.

use crate::{context::AppContext, db, error::AppResult};
use activitypub_federation::config::Data;
use url::Url;

/// Posts fetched at most up one thread (the one answered, what it answers, and so on).
pub const MAX_DEPTH: usize = 3;

/// Starts fetching what `parent` is, and what it answers, unless we hold it.
pub fn fetch_later(data: &Data<AppContext>, parent: &Url) {
    if crate::render::links::remote_url(parent.as_str(), data.config.dev).is_none() {
        return;
    }
    let data = data.reset_request_count();
    let parent = parent.clone();
    tokio::spawn(async move {
        let mut next = Some(parent);
        for _ in 0..MAX_DEPTH {
            let Some(url) = next.take() else { break };
            match fetch_one(&data, &url).await {
                Ok(answers) => next = answers,
                Err(e) => {
                    tracing::info!(url = %url, error = %e, "the post a reply answers was not fetched");
                    break;
                }
            }
        }
    });
}

/// Fetches and stores the post at `url`; returns what it answers, when that is still to fetch.
async fn fetch_one(data: &Data<AppContext>, url: &Url) -> AppResult<Option<Url>> {
    if db::posts::find_by_ap_id(data.db.read(), url.as_str())
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let Some(_claim) = data.reply_fetches.claim(url.as_str()) else {
        return Ok(None);
    };
    let _slot = data.reply_fetches.run_slot().await;
    let object = super::remote_fetch::post(data, url).await?;
    Ok(object.in_reply_to.filter(|p| p != url))
}
