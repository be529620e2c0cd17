//! Posts: the centre's own notes and the objects received from the centres it follows.

use super::{Exec, affected, with_exec};
use anyhow::Context;

/// One post as stored. `content` is sanitised HTML.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PostRow {
    pub id: i64,
    pub ap_id: String,
    pub public_id: Option<String>,
    pub actor_id: i64,
    pub kind: String,
    pub visibility: String,
    pub name: Option<String>,
    pub summary: Option<String>,
    pub content: String,
    pub url: Option<String>,
    pub in_reply_to: Option<String>,
    pub published: i64,
    pub updated: i64,
    pub deleted_at: Option<i64>,
    pub local: bool,
    /// Type-specific fields as a JSON object ([`crate::model::PostData`]).
    pub data: String,
    /// Event start and end (UTC milliseconds), time zone and status; `None` for other types.
    pub start_at: Option<i64>,
    pub end_at: Option<i64>,
    pub timezone: Option<String>,
    pub event_status: Option<String>,
    /// iCalendar SEQUENCE: bumped on every edit.
    pub sequence: i64,
    /// Set when staff hid this reply.
    pub hidden_at: Option<i64>,
    /// For a boost (kind `Announce`): the id of the post it shares.
    pub boost_of: Option<String>,
}

/// A post with the actor who wrote it, as the feed shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FeedRow {
    #[sqlx(flatten)]
    pub post: PostRow,
    pub actor_ap_id: String,
    pub author_name: Option<String>,
    pub author_username: String,
    pub author_domain: String,
}

/// The fields of a post to write.
#[derive(Clone, Debug)]
pub struct PostWrite<'a> {
    pub ap_id: &'a str,
    pub public_id: Option<&'a str>,
    pub actor_id: i64,
    pub kind: &'a str,
    pub visibility: &'a str,
    pub name: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub content: &'a str,
    pub url: Option<&'a str>,
    pub in_reply_to: Option<&'a str>,
    pub published: i64,
    pub updated: i64,
    pub local: bool,
    pub data: &'a str,
    pub start_at: Option<i64>,
    pub end_at: Option<i64>,
    pub timezone: Option<&'a str>,
    pub event_status: Option<&'a str>,
}

macro_rules! columns {
    () => {
        "p.id, p.ap_id, p.public_id, p.actor_id, p.kind, p.visibility, p.name, p.summary, \
         p.content, p.url, p.in_reply_to, p.published, p.updated, p.deleted_at, p.local, p.data, \
         p.start_at, p.end_at, p.timezone, p.event_status, p.sequence, p.hidden_at, p.boost_of"
    };
}

/// The author columns of [`FeedRow`] and the join that gives them, after [`columns!`].
macro_rules! with_author {
    () => {
        ", a.ap_id AS actor_ap_id, a.name AS author_name, a.username AS author_username, \
         a.domain AS author_domain FROM posts p JOIN actors a ON a.id = p.actor_id "
    };
}
pub(super) use {columns, with_author};

/// Inserts a new local post.
pub async fn insert(ex: Exec<'_>, p: &PostWrite<'_>) -> anyhow::Result<PostRow> {
    const SQL: &str = "INSERT INTO posts (ap_id, public_id, actor_id, kind, visibility, name, \
        summary, content, url, in_reply_to, published, updated, local, data, start_at, end_at, \
        timezone, event_status) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
        RETURNING *";
    with_exec!(ex, c => sqlx::query_as::<_, PostRow>(SQL)
        .bind(p.ap_id).bind(p.public_id).bind(p.actor_id).bind(p.kind).bind(p.visibility)
        .bind(p.name).bind(p.summary).bind(p.content).bind(p.url).bind(p.in_reply_to)
        .bind(p.published).bind(p.updated).bind(p.local).bind(p.data).bind(p.start_at)
        .bind(p.end_at).bind(p.timezone).bind(p.event_status)
        .fetch_one(c).await)
    .context("inserting post")
}

/// Stores a remote post, or applies an edit of it.
///
/// Idempotent: an older or equal `updated` changes nothing, a deleted post stays deleted, and a
/// post can only be rewritten by the actor that first wrote it. Returns the row id when a row
/// was written.
/// Returns the row id and whether the row is new (`None`: nothing written, see the WHERE).
pub async fn upsert_remote(ex: Exec<'_>, p: &PostWrite<'_>) -> anyhow::Result<Option<(i64, bool)>> {
    const SQL: &str = "INSERT INTO posts (ap_id, public_id, actor_id, kind, visibility, name, \
        summary, content, url, in_reply_to, published, updated, local, data, start_at, end_at, \
        timezone, event_status) \
        VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
        ON CONFLICT (ap_id) DO UPDATE SET kind = excluded.kind, visibility = excluded.visibility, \
        name = excluded.name, summary = excluded.summary, content = excluded.content, \
        url = excluded.url, in_reply_to = excluded.in_reply_to, updated = excluded.updated, \
        data = excluded.data, start_at = excluded.start_at, end_at = excluded.end_at, \
        timezone = excluded.timezone, event_status = excluded.event_status, \
        sequence = posts.sequence + 1 \
        WHERE posts.updated < excluded.updated AND posts.deleted_at IS NULL \
        AND posts.actor_id = excluded.actor_id AND posts.local = excluded.local \
        RETURNING id, sequence";
    let row = with_exec!(ex, c => sqlx::query_as::<_, (i64, i64)>(SQL)
        .bind(p.ap_id).bind(p.actor_id).bind(p.kind).bind(p.visibility).bind(p.name)
        .bind(p.summary).bind(p.content).bind(p.url).bind(p.in_reply_to).bind(p.published)
        .bind(p.updated).bind(false).bind(p.data).bind(p.start_at).bind(p.end_at)
        .bind(p.timezone).bind(p.event_status)
        .fetch_optional(c).await)
    .context("storing remote post")?;
    Ok(row.map(|(id, sequence)| (id, sequence == 0)))
}

/// Rewrites a local post after an edit and bumps its sequence.
pub async fn update_local(ex: Exec<'_>, id: i64, p: &PostWrite<'_>) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE posts SET visibility = $2, name = $3, summary = $4, content = $5, \
        updated = $6, data = $7, start_at = $8, end_at = $9, timezone = $10, \
        event_status = $11, sequence = sequence + 1 WHERE id = $1 AND deleted_at IS NULL";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(p.visibility).bind(p.name).bind(p.summary)
        .bind(p.content).bind(p.updated).bind(p.data).bind(p.start_at).bind(p.end_at)
        .bind(p.timezone).bind(p.event_status).execute(c).await)
    .context("updating post")?;
    Ok(())
}

/// Marks a post deleted (its id then answers 410 with a Tombstone).
pub async fn mark_deleted(ex: Exec<'_>, id: i64, now: i64) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE posts SET deleted_at = $2, content = '', name = NULL, \
        summary = NULL, data = '{}' WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(now).execute(c).await)
        .context("deleting post")?;
    Ok(())
}

/// Marks a remote post deleted when `actor_id` wrote it. Returns whether it did.
pub async fn delete_remote(
    ex: Exec<'_>,
    ap_id: &str,
    actor_id: i64,
    now: i64,
) -> anyhow::Result<bool> {
    const SQL: &str = "UPDATE posts SET deleted_at = $3, content = '', name = NULL, \
        summary = NULL, data = '{}' \
        WHERE ap_id = $1 AND actor_id = $2 AND local = $4 AND deleted_at IS NULL";
    let done = affected!(ex, c => sqlx::query(SQL).bind(ap_id).bind(actor_id).bind(now)
        .bind(false).execute(c).await)
    .context("deleting remote post")?;
    Ok(done > 0)
}

/// Marks every post of a remote actor deleted (the actor itself was deleted).
pub async fn delete_all_of_actor(ex: Exec<'_>, actor_id: i64, now: i64) -> anyhow::Result<u64> {
    const SQL: &str = "UPDATE posts SET deleted_at = $2, content = '', name = NULL, \
        summary = NULL, data = '{}' WHERE actor_id = $1 AND local = $3 AND deleted_at IS NULL";
    let done = affected!(ex, c => sqlx::query(SQL).bind(actor_id).bind(now).bind(false)
        .execute(c).await)
    .context("deleting posts of actor")?;
    Ok(done)
}

pub async fn find_by_public_id(ex: Exec<'_>, public_id: &str) -> anyhow::Result<Option<PostRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM posts p WHERE p.public_id = $1"
    );
    with_exec!(ex, c => sqlx::query_as::<_, PostRow>(SQL).bind(public_id).fetch_optional(c).await)
        .context("reading post")
}

pub async fn find_by_ap_id(ex: Exec<'_>, ap_id: &str) -> anyhow::Result<Option<PostRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM posts p WHERE p.ap_id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, PostRow>(SQL).bind(ap_id).fetch_optional(c).await)
        .context("reading post")
}

/// A keyset position in a list ordered by `(published DESC, id DESC)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub published: i64,
    pub id: i64,
}

impl Cursor {
    /// The position before every row.
    pub const START: Cursor = Cursor {
        published: i64::MAX,
        id: i64::MAX,
    };
}

/// Whether staff keep replies out of the network feed: the `network_replies` setting is
/// `hidden` ([`crate::actions::network_replies`]). A condition on the replies of remote posts.
macro_rules! replies_shown {
    () => {
        "NOT EXISTS (SELECT 1 FROM settings s WHERE s.key = 'network_replies' \
         AND s.value = 'hidden')"
    };
}

/// The network feed: the centre's own posts and those of every centre it follows (accepted
/// follows only), newest first, strictly after `after` in that order. Replies are included
/// when they are a followed centre's and staff show replies.
///
/// Ids first, then rows: the inner query walks the `(published, id)` index and stops at
/// `limit`, and only those rows are joined to their actors.
pub async fn feed(ex: Exec<'_>, after: Cursor, limit: i64) -> anyhow::Result<Vec<FeedRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        with_author!(),
        "WHERE p.id IN (SELECT q.id FROM posts q \
            WHERE q.deleted_at IS NULL \
            AND (q.in_reply_to IS NULL OR (q.local <> $3 AND ",
        replies_shown!(),
        ")) \
            AND (q.published < $1 OR (q.published = $1 AND q.id < $2)) \
            AND (q.local = $3 OR q.actor_id IN \
                 (SELECT f.target_id FROM follows f WHERE f.state = 'accepted')) \
            ORDER BY q.published DESC, q.id DESC LIMIT $4) \
         ORDER BY p.published DESC, p.id DESC"
    );
    with_exec!(ex, c => sqlx::query_as::<_, FeedRow>(SQL)
        .bind(after.published).bind(after.id).bind(true).bind(limit)
        .fetch_all(c).await)
    .context("reading the network feed")
}

/// The centre's own public and unlisted posts, newest first (its outbox), with the total.
pub async fn outbox_page(ex: Exec<'_>, after: Cursor, limit: i64) -> anyhow::Result<Vec<PostRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM posts p WHERE p.local = $1 AND p.deleted_at IS NULL \
         AND p.visibility IN ('public', 'unlisted') \
         AND (p.published < $2 OR (p.published = $2 AND p.id < $3)) \
         ORDER BY p.published DESC, p.id DESC LIMIT $4"
    );
    with_exec!(ex, c => sqlx::query_as::<_, PostRow>(SQL)
        .bind(true).bind(after.published).bind(after.id).bind(limit)
        .fetch_all(c).await)
    .context("reading the outbox")
}

/// How many posts the outbox lists.
pub async fn outbox_count(ex: Exec<'_>) -> anyhow::Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM posts WHERE local = $1 AND deleted_at IS NULL \
        AND visibility IN ('public', 'unlisted')";
    with_exec!(ex, c => sqlx::query_scalar::<_, i64>(SQL).bind(true).fetch_one(c).await)
        .context("counting outbox")
}

/// Which posts a listing includes.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    /// Only the local centre's posts (else the centre's and those of followed centres).
    pub local_only: bool,
    /// Only this author (actor id).
    pub centre: Option<&'a str>,
    /// Only posts with this hashtag.
    pub tag: Option<&'a str>,
    /// Only public posts (public feeds), else every visibility (staff views).
    pub public_only: bool,
}

/// Events whose time range meets `[from, to)`, by start time, with their authors.
pub async fn calendar(
    ex: Exec<'_>,
    scope: Scope<'_>,
    from: i64,
    to: i64,
    limit: i64,
) -> anyhow::Result<Vec<FeedRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        with_author!(),
        "WHERE p.kind = 'Event' AND p.deleted_at IS NULL AND p.start_at IS NOT NULL \
         AND COALESCE(p.end_at, p.start_at) >= $1 AND p.start_at < $2 \
         AND (p.local = $3 OR ($4 = $3 AND p.actor_id IN \
              (SELECT f.target_id FROM follows f WHERE f.state = 'accepted'))) \
         AND ($5 IS NULL OR a.ap_id = $5) \
         AND ($6 IS NULL OR p.id IN (SELECT t.post_id FROM post_tags t WHERE t.tag = $6)) \
         AND ($7 = $3 OR p.visibility = 'public') \
         ORDER BY p.start_at, p.id LIMIT $8"
    );
    with_exec!(ex, c => sqlx::query_as::<_, FeedRow>(SQL)
        .bind(from).bind(to).bind(true).bind(!scope.local_only).bind(scope.centre)
        .bind(scope.tag).bind(!scope.public_only).bind(limit)
        .fetch_all(c).await)
    .context("reading the calendar")
}

/// The newest posts in `scope` after `after`, newest first (public pages, Atom feeds).
pub async fn latest(
    ex: Exec<'_>,
    scope: Scope<'_>,
    after: Cursor,
    limit: i64,
) -> anyhow::Result<Vec<FeedRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        with_author!(),
        "WHERE p.deleted_at IS NULL \
         AND (p.in_reply_to IS NULL OR (p.local <> $1 AND ",
        replies_shown!(),
        ")) \
         AND (p.local = $1 OR ($2 = $1 AND p.actor_id IN \
              (SELECT f.target_id FROM follows f WHERE f.state = 'accepted'))) \
         AND ($3 IS NULL OR a.ap_id = $3) \
         AND ($4 IS NULL OR p.id IN (SELECT t.post_id FROM post_tags t WHERE t.tag = $4)) \
         AND ($5 = $1 OR p.visibility = 'public') \
         AND (p.published < $7 OR (p.published = $7 AND p.id < $8)) \
         ORDER BY p.published DESC, p.id DESC LIMIT $6"
    );
    with_exec!(ex, c => sqlx::query_as::<_, FeedRow>(SQL)
        .bind(true).bind(!scope.local_only).bind(scope.centre).bind(scope.tag)
        .bind(!scope.public_only).bind(limit).bind(after.published).bind(after.id)
        .fetch_all(c).await)
    .context("reading the latest posts")
}

/// The centre's own posts (deleted ones included), newest first, for the console.
pub async fn local_recent(ex: Exec<'_>, limit: i64) -> anyhow::Result<Vec<PostRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM posts p WHERE p.local = $1 AND p.public_id IS NOT NULL AND p.kind <> 'Announce' \
         ORDER BY p.published DESC, p.id DESC LIMIT $2"
    );
    with_exec!(ex, c => sqlx::query_as::<_, PostRow>(SQL).bind(true).bind(limit).fetch_all(c).await)
        .context("listing own posts")
}

pub async fn find_by_id(ex: Exec<'_>, id: i64) -> anyhow::Result<Option<PostRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM posts p WHERE p.id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, PostRow>(SQL).bind(id).fetch_optional(c).await)
        .context("reading post")
}

/// The posts with these ids (what replies answer, what boosts share), with their authors,
/// unless deleted or hidden. At most 100 ids are looked up.
pub async fn with_authors(ex: Exec<'_>, ap_ids: &[&str]) -> anyhow::Result<Vec<FeedRow>> {
    let ids = &ap_ids[..ap_ids.len().min(100)];
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {}{}WHERE p.ap_id IN ({}) AND p.deleted_at IS NULL AND p.hidden_at IS NULL",
        columns!(),
        with_author!(),
        placeholders.join(", ")
    );
    with_exec!(ex, c => {
        let mut q = sqlx::query_as::<_, FeedRow>(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })
    .context("reading posts by id")
}
