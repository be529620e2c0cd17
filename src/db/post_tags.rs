//! The hashtags of posts, by key ([`crate::hashtag::key`]): what tag pages and `?tag=`
//! filters match. The display forms stay in the post's data.

use super::{Exec, affected, with_exec};
use anyhow::Context;

/// The distinct keys of `tags` (display forms), in order; tags without a key are skipped.
fn keys(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in tags.iter().filter_map(|t| crate::hashtag::key(t)) {
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// Replaces the hashtags of a post with those of `tags` (display forms).
pub async fn set(mut ex: Exec<'_>, post_id: i64, tags: &[String]) -> anyhow::Result<()> {
    const DELETE: &str = "DELETE FROM post_tags WHERE post_id = $1";
    affected!(ex.reborrow(), c => sqlx::query(DELETE).bind(post_id).execute(c).await)
        .context("clearing tags")?;
    add(ex, post_id, tags).await
}

/// Adds the keys of `tags` (display forms) to a post, in one statement per 100 tags.
pub async fn add(mut ex: Exec<'_>, post_id: i64, tags: &[String]) -> anyhow::Result<()> {
    for chunk in keys(tags).chunks(100) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("($1, ${})", i + 2))
            .collect();
        let sql = format!(
            "INSERT INTO post_tags (post_id, tag) VALUES {} ON CONFLICT (post_id, tag) DO NOTHING",
            values.join(", ")
        );
        affected!(ex.reborrow(), c => {
            let mut q = sqlx::query(&sql).bind(post_id);
            for tag in chunk {
                q = q.bind(tag);
            }
            q.execute(c).await
        })
        .context("storing tags")?;
    }
    Ok(())
}

/// Every distinct key stored.
pub async fn distinct(ex: Exec<'_>) -> anyhow::Result<Vec<String>> {
    const SQL: &str = "SELECT DISTINCT tag FROM post_tags";
    with_exec!(ex, c => sqlx::query_scalar::<_, String>(SQL).fetch_all(c).await)
        .context("listing tags")
}

/// Renames a stored key on every post (merging with posts that have the new one already).
pub async fn rename(mut ex: Exec<'_>, from: &str, to: &str) -> anyhow::Result<()> {
    const COPY: &str = "INSERT INTO post_tags (post_id, tag) SELECT post_id, $2 FROM post_tags \
        WHERE tag = $1 ON CONFLICT (post_id, tag) DO NOTHING";
    const DELETE: &str = "DELETE FROM post_tags WHERE tag = $1";
    affected!(ex.reborrow(), c => sqlx::query(COPY).bind(from).bind(to).execute(c).await)
        .context("renaming a tag")?;
    affected!(ex, c => sqlx::query(DELETE).bind(from).execute(c).await)
        .context("renaming a tag")?;
    Ok(())
}
