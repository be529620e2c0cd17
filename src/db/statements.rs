//! Joint statements this centre drafts, and their versions (each with the digest co-signers
//! sign).

use super::{Exec, affected, with_exec};
use anyhow::Context;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StatementRow {
    pub id: i64,
    pub public_id: String,
    pub ap_id: String,
    pub title: String,
    pub summary: String,
    /// The Markdown staff wrote.
    pub source: String,
    /// The sanitised HTML of `source`: what is signed and served.
    pub content: String,
    pub language: String,
    /// JSON array of hashtags.
    pub tags: String,
    pub deadline: Option<i64>,
    pub deadline_notified_at: Option<i64>,
    pub version: i64,
    pub digest: String,
    /// `draft` or `published`.
    pub state: String,
    pub post_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub published_at: Option<i64>,
}

macro_rules! columns {
    () => {
        "id, public_id, ap_id, title, summary, source, content, language, tags, deadline, \
         deadline_notified_at, version, digest, state, post_id, created_at, updated_at, \
         published_at"
    };
}

/// The fields of a new statement or of a new version.
pub struct StatementWrite<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub source: &'a str,
    pub content: &'a str,
    pub language: &'a str,
    pub tags: &'a str,
    pub deadline: Option<i64>,
    pub digest: &'a str,
}

/// Inserts a draft at version 1 (and its version row).
pub async fn insert(
    mut ex: Exec<'_>,
    public_id: &str,
    ap_id: &str,
    w: &StatementWrite<'_>,
    now: i64,
) -> anyhow::Result<StatementRow> {
    const SQL: &str = concat!(
        "INSERT INTO statements (public_id, ap_id, title, summary, source, content, language, \
         tags, deadline, version, digest, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, 'draft', $11, $11) RETURNING ",
        columns!()
    );
    let row = with_exec!(ex.reborrow(), c => sqlx::query_as::<_, StatementRow>(SQL)
        .bind(public_id).bind(ap_id).bind(w.title).bind(w.summary).bind(w.source)
        .bind(w.content).bind(w.language).bind(w.tags).bind(w.deadline).bind(w.digest)
        .bind(now).fetch_one(c).await)
    .context("storing statement")?;
    insert_version(ex, &row, now).await?;
    Ok(row)
}

async fn insert_version(ex: Exec<'_>, row: &StatementRow, now: i64) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO statement_versions (statement_id, version, digest, title, \
        summary, content, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
        ON CONFLICT (statement_id, version) DO NOTHING";
    affected!(ex, c => sqlx::query(SQL).bind(row.id).bind(row.version).bind(&row.digest)
        .bind(&row.title).bind(&row.summary).bind(&row.content).bind(now).execute(c).await)
    .context("storing statement version")?;
    Ok(())
}

/// Writes an edit. When the signed text changed (`new_version`), the version number grows and
/// a version row is kept.
pub async fn update(
    mut ex: Exec<'_>,
    id: i64,
    w: &StatementWrite<'_>,
    new_version: bool,
    now: i64,
) -> anyhow::Result<StatementRow> {
    const SQL: &str = concat!(
        "UPDATE statements SET title = $2, summary = $3, source = $4, content = $5, \
         language = $6, tags = $7, deadline = $8, digest = $9, \
         version = version + $10, updated_at = $11, \
         deadline_notified_at = CASE WHEN deadline = $8 THEN deadline_notified_at ELSE NULL END \
         WHERE id = $1 RETURNING ",
        columns!()
    );
    let bump: i64 = if new_version { 1 } else { 0 };
    let row = with_exec!(ex.reborrow(), c => sqlx::query_as::<_, StatementRow>(SQL)
        .bind(id).bind(w.title).bind(w.summary).bind(w.source).bind(w.content)
        .bind(w.language).bind(w.tags).bind(w.deadline).bind(w.digest).bind(bump).bind(now)
        .fetch_one(c).await)
    .context("updating statement")?;
    if new_version {
        insert_version(ex, &row, now).await?;
    }
    Ok(row)
}

/// Marks the statement published, linked to its post row.
pub async fn set_published(ex: Exec<'_>, id: i64, post_id: i64, now: i64) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE statements SET state = 'published', post_id = $2, \
        published_at = COALESCE(published_at, $3), updated_at = $3 WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(post_id).bind(now).execute(c).await)
        .context("publishing statement")?;
    Ok(())
}

pub async fn set_deadline_notified(ex: Exec<'_>, id: i64, now: i64) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE statements SET deadline_notified_at = $2 WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(now).execute(c).await)
        .context("recording deadline reminder")?;
    Ok(())
}

pub async fn find_by_public_id(
    ex: Exec<'_>,
    public_id: &str,
) -> anyhow::Result<Option<StatementRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM statements WHERE public_id = $1"
    );
    with_exec!(ex, c => sqlx::query_as::<_, StatementRow>(SQL).bind(public_id)
        .fetch_optional(c).await)
    .context("reading statement")
}

pub async fn find_by_ap_id(ex: Exec<'_>, ap_id: &str) -> anyhow::Result<Option<StatementRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM statements WHERE ap_id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, StatementRow>(SQL).bind(ap_id).fetch_optional(c).await)
        .context("reading statement")
}

pub async fn find_by_id(ex: Exec<'_>, id: i64) -> anyhow::Result<Option<StatementRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM statements WHERE id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, StatementRow>(SQL).bind(id).fetch_optional(c).await)
        .context("reading statement")
}

/// Every statement, newest first.
pub async fn list(ex: Exec<'_>, limit: i64) -> anyhow::Result<Vec<StatementRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM statements ORDER BY id DESC LIMIT $1"
    );
    with_exec!(ex, c => sqlx::query_as::<_, StatementRow>(SQL).bind(limit).fetch_all(c).await)
        .context("listing statements")
}

/// Our published statements, newest publication first.
pub async fn list_published(ex: Exec<'_>, limit: i64) -> anyhow::Result<Vec<StatementRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM statements WHERE state = 'published' ORDER BY published_at DESC, id DESC LIMIT $1"
    );
    with_exec!(ex, c => sqlx::query_as::<_, StatementRow>(SQL).bind(limit).fetch_all(c).await)
        .context("listing published statements")
}

/// Drafts whose signing deadline has passed and whose staff were not reminded yet.
pub async fn deadlines_due(ex: Exec<'_>, now: i64) -> anyhow::Result<Vec<StatementRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM statements WHERE state = 'draft' AND deadline IS NOT NULL AND deadline <= $1 \
         AND deadline_notified_at IS NULL ORDER BY id"
    );
    with_exec!(ex, c => sqlx::query_as::<_, StatementRow>(SQL).bind(now).fetch_all(c).await)
        .context("listing statement deadlines")
}

/// Every version of a statement with its digest, oldest first.
pub async fn version_digests(
    ex: Exec<'_>,
    statement_id: i64,
) -> anyhow::Result<Vec<(i64, String)>> {
    const SQL: &str =
        "SELECT version, digest FROM statement_versions WHERE statement_id = $1 ORDER BY version";
    with_exec!(ex, c => sqlx::query_as::<_, (i64, String)>(SQL).bind(statement_id)
        .fetch_all(c).await)
    .context("reading statement versions")
}
