//! Threads: the replies to a post, what replies answer, and the moderation of replies.

use super::posts::{FeedRow, columns, with_author};
use super::{Exec, affected, with_exec};
use anyhow::Context;

/// A reply to one of our posts, with its author.
pub async fn replies(
    ex: Exec<'_>,
    in_reply_to: &str,
    include_hidden: bool,
) -> anyhow::Result<Vec<FeedRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        with_author!(),
        "WHERE p.in_reply_to = $1 AND p.deleted_at IS NULL AND ($2 = $3 OR p.hidden_at IS NULL) \
         ORDER BY p.published, p.id LIMIT 500"
    );
    with_exec!(ex, c => sqlx::query_as::<_, FeedRow>(SQL).bind(in_reply_to).bind(include_hidden)
        .bind(true).fetch_all(c).await)
    .context("reading replies")
}

/// Hides or shows a reply (moderation).
pub async fn set_hidden(ex: Exec<'_>, id: i64, hidden_at: Option<i64>) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE posts SET hidden_at = $2 WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(hidden_at).execute(c).await)
        .context("moderating reply")?;
    Ok(())
}

/// Removes the remote replies written by actors of a domain (it was blocked).
pub async fn delete_replies_of_domain(
    ex: Exec<'_>,
    domain: &str,
    like_subdomain: &str,
    now: i64,
) -> anyhow::Result<u64> {
    const SQL: &str = "UPDATE posts SET deleted_at = $3, content = '' \
        WHERE local = $4 AND in_reply_to IS NOT NULL AND deleted_at IS NULL AND actor_id IN \
        (SELECT id FROM actors WHERE domain = $1 OR domain LIKE $2)";
    affected!(ex, c => sqlx::query(SQL).bind(domain).bind(like_subdomain).bind(now).bind(false)
        .execute(c).await)
    .context("removing replies of a blocked domain")
}
