//! Uploaded media (the centre's logo, the images of its posts), kept in the database so that every node serving the
//! instance has it.

use super::{Exec, with_exec};
use anyhow::Context;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MediaRow {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

pub async fn insert(
    ex: Exec<'_>,
    public_id: &str,
    content_type: &str,
    bytes: &[u8],
    now: i64,
) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO media (public_id, content_type, bytes, created_at) \
        VALUES ($1, $2, $3, $4) RETURNING id";
    with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).bind(public_id).bind(content_type)
        .bind(bytes).bind(now).fetch_one(c).await)
    .context("storing media")?;
    Ok(())
}

pub async fn find(ex: Exec<'_>, public_id: &str) -> anyhow::Result<Option<MediaRow>> {
    const SQL: &str = "SELECT content_type, bytes FROM media WHERE public_id = $1";
    with_exec!(ex, c => sqlx::query_as::<_, MediaRow>(SQL).bind(public_id).fetch_optional(c).await)
        .context("reading media")
}

/// The type of an upload, without reading its bytes.
pub async fn content_type(ex: Exec<'_>, public_id: &str) -> anyhow::Result<Option<String>> {
    const SQL: &str = "SELECT content_type FROM media WHERE public_id = $1";
    with_exec!(ex, c => sqlx::query_scalar::<_, String>(SQL).bind(public_id).fetch_optional(c).await)
        .context("reading media")
}
