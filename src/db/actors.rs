//! Actors: the local centre (with its private key) and the remote actors we know.

use super::{Exec, affected, with_exec};
use anyhow::Context;

/// One actor as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ActorRow {
    pub id: i64,
    pub ap_id: String,
    pub kind: String,
    pub username: String,
    pub domain: String,
    pub name: Option<String>,
    pub summary: Option<String>,
    pub url: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub outbox: Option<String>,
    pub followers_url: Option<String>,
    pub public_key_pem: String,
    pub private_key_pem: Option<String>,
    pub manually_approves_followers: bool,
    pub local: bool,
    pub published: Option<i64>,
    pub fetched_at: i64,
    /// Extra fields as a JSON object (icon, image, attachment…).
    pub data: String,
    /// `publicKey.id` (NULL for actors stored before it was kept).
    pub key_id: Option<String>,
    /// The local centre's Ed25519 signing key (PKCS#8 PEM), for object integrity proofs.
    pub assertion_private_key: Option<String>,
    /// The actor's Ed25519 `assertionMethod` keys: JSON `[{"id", "multibase"}]`.
    pub assertion_keys: String,
    /// `alsoKnownAs`: a JSON list of actor URLs.
    pub also_known_as: String,
    /// `movedTo`: the actor it moved to.
    pub moved_to: Option<String>,
}

impl ActorRow {
    /// The ids in `alsoKnownAs`.
    pub fn aliases(&self) -> Vec<String> {
        serde_json::from_str(&self.also_known_as).unwrap_or_default()
    }
}

/// The fields written by [`upsert`].
#[derive(Clone, Debug)]
pub struct ActorUpsert<'a> {
    pub ap_id: &'a str,
    pub kind: &'a str,
    pub username: &'a str,
    pub domain: &'a str,
    pub name: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub url: Option<&'a str>,
    pub inbox: &'a str,
    pub shared_inbox: Option<&'a str>,
    pub outbox: Option<&'a str>,
    pub followers_url: Option<&'a str>,
    pub public_key_pem: &'a str,
    pub manually_approves_followers: bool,
    pub published: Option<i64>,
    pub fetched_at: i64,
    pub data: &'a str,
    pub key_id: Option<&'a str>,
    /// JSON `[{"id", "multibase"}]` (see [`ActorRow::assertion_keys`]).
    pub assertion_keys: &'a str,
}

/// The column list of [`ActorRow`], for `concat!`.
macro_rules! columns {
    () => {
        "id, ap_id, kind, username, domain, name, summary, url, inbox, shared_inbox, outbox, \
         followers_url, public_key_pem, private_key_pem, manually_approves_followers, local, \
         published, fetched_at, data, key_id, assertion_private_key, assertion_keys, \
         also_known_as, moved_to"
    };
}

/// Inserts or refreshes a remote actor by `ap_id`. Never touches the private key or the
/// `local` flag, so a remote document can never overwrite the local centre.
pub async fn upsert_remote(ex: Exec<'_>, a: &ActorUpsert<'_>) -> anyhow::Result<ActorRow> {
    const SQL: &str = concat!(
        "INSERT INTO actors (ap_id, kind, username, domain, name, summary, url, inbox, \
        shared_inbox, outbox, followers_url, public_key_pem, manually_approves_followers, local, \
        published, fetched_at, data, key_id, assertion_keys) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
        $19) \
        ON CONFLICT (ap_id) DO UPDATE SET kind = excluded.kind, username = excluded.username, \
        name = excluded.name, summary = excluded.summary, url = excluded.url, \
        inbox = excluded.inbox, shared_inbox = excluded.shared_inbox, outbox = excluded.outbox, \
        followers_url = excluded.followers_url, public_key_pem = excluded.public_key_pem, \
        manually_approves_followers = excluded.manually_approves_followers, \
        published = excluded.published, fetched_at = excluded.fetched_at, data = excluded.data, \
        key_id = excluded.key_id, assertion_keys = excluded.assertion_keys WHERE actors.local = $14 \
        RETURNING ",
        columns!()
    );
    with_exec!(ex, c => sqlx::query_as::<_, ActorRow>(SQL)
        .bind(a.ap_id).bind(a.kind).bind(a.username).bind(a.domain).bind(a.name)
        .bind(a.summary).bind(a.url).bind(a.inbox).bind(a.shared_inbox).bind(a.outbox)
        .bind(a.followers_url).bind(a.public_key_pem).bind(a.manually_approves_followers)
        .bind(false).bind(a.published).bind(a.fetched_at).bind(a.data).bind(a.key_id)
        .bind(a.assertion_keys).fetch_optional(c).await)
    .context("storing remote actor")?
    .ok_or_else(|| anyhow::anyhow!("refusing to overwrite the local actor {}", a.ap_id))
}

/// Creates the local centre actor with its key pair; `None` if another process created an
/// actor with this id first (the caller reads it back).
pub async fn insert_local(
    ex: Exec<'_>,
    a: &ActorUpsert<'_>,
    private_key_pem: &str,
) -> anyhow::Result<Option<ActorRow>> {
    const SQL: &str = concat!(
        "INSERT INTO actors (ap_id, kind, username, domain, name, summary, url, inbox, \
        shared_inbox, outbox, followers_url, public_key_pem, private_key_pem, \
        manually_approves_followers, local, published, fetched_at, data, key_id, assertion_keys) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
        $19, $20) ON CONFLICT (ap_id) DO NOTHING RETURNING ",
        columns!()
    );
    with_exec!(ex, c => sqlx::query_as::<_, ActorRow>(SQL)
        .bind(a.ap_id).bind(a.kind).bind(a.username).bind(a.domain).bind(a.name)
        .bind(a.summary).bind(a.url).bind(a.inbox).bind(a.shared_inbox).bind(a.outbox)
        .bind(a.followers_url).bind(a.public_key_pem).bind(private_key_pem)
        .bind(a.manually_approves_followers).bind(true).bind(a.published).bind(a.fetched_at)
        .bind(a.data).bind(a.key_id).bind(a.assertion_keys)
        .fetch_optional(c).await)
    .context("creating the local centre actor")
}

/// Updates the profile of the local centre (never its key or its id).
pub async fn update_local_profile(
    ex: Exec<'_>,
    id: i64,
    name: &str,
    summary: &str,
    manually_approves_followers: bool,
    data: &str,
) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE actors SET name = $2, summary = $3, manually_approves_followers = $4, \
        data = $5 WHERE id = $1 AND local = $6";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(name).bind(summary)
        .bind(manually_approves_followers).bind(data).bind(true).execute(c).await)
    .context("updating the centre profile")?;
    Ok(())
}

/// Gives the local centre its Ed25519 assertion key, once: a key already set is kept.
/// Returns whether this call set it.
pub async fn set_local_assertion_key(
    ex: Exec<'_>,
    id: i64,
    private_pem: &str,
    keys: &str,
) -> anyhow::Result<bool> {
    const SQL: &str = "UPDATE actors SET assertion_private_key = $2, assertion_keys = $3 \
        WHERE id = $1 AND local = $4 AND assertion_private_key IS NULL";
    let n = affected!(ex, c => sqlx::query(SQL).bind(id).bind(private_pem).bind(keys)
        .bind(true).execute(c).await)
    .context("storing the centre's assertion key")?;
    Ok(n > 0)
}

/// Replaces the local centre's HTTP signature key pair (`maillage keys rotate`).
pub async fn set_local_http_key(
    ex: Exec<'_>,
    id: i64,
    public_pem: &str,
    private_pem: &str,
) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE actors SET public_key_pem = $2, private_key_pem = $3 \
        WHERE id = $1 AND local = $4";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(public_pem).bind(private_pem)
        .bind(true).execute(c).await)
    .context("storing the centre's new key")?;
    Ok(())
}

/// Replaces the local centre's Ed25519 key; `keys` lists the public keys (the new one last).
pub async fn replace_local_assertion_key(
    ex: Exec<'_>,
    id: i64,
    private_pem: &str,
    keys: &str,
) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE actors SET assertion_private_key = $2, assertion_keys = $3 \
        WHERE id = $1 AND local = $4";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(private_pem).bind(keys)
        .bind(true).execute(c).await)
    .context("storing the centre's new assertion key")?;
    Ok(())
}

/// Sets an actor's `alsoKnownAs` (a JSON list) and `movedTo`.
pub async fn set_moves(
    ex: Exec<'_>,
    id: i64,
    also_known_as: &str,
    moved_to: Option<&str>,
) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE actors SET also_known_as = $2, moved_to = $3 WHERE id = $1";
    affected!(ex, c => sqlx::query(SQL).bind(id).bind(also_known_as).bind(moved_to)
        .execute(c).await)
    .context("storing an actor's aliases")?;
    Ok(())
}

/// The local centre, if it has been created.
pub async fn find_local(ex: Exec<'_>) -> anyhow::Result<Option<ActorRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM actors WHERE local = $1 ORDER BY id LIMIT 1"
    );
    with_exec!(ex, c => sqlx::query_as::<_, ActorRow>(SQL).bind(true).fetch_optional(c).await)
        .context("reading the local centre")
}

pub async fn find_by_ap_id(ex: Exec<'_>, ap_id: &str) -> anyhow::Result<Option<ActorRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM actors WHERE ap_id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, ActorRow>(SQL).bind(ap_id).fetch_optional(c).await)
        .context("reading actor")
}

/// The actor whose public key has this id.
pub async fn find_by_key_id(ex: Exec<'_>, key_id: &str) -> anyhow::Result<Option<ActorRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM actors WHERE key_id = $1 ORDER BY id LIMIT 1"
    );
    with_exec!(ex, c => sqlx::query_as::<_, ActorRow>(SQL).bind(key_id).fetch_optional(c).await)
        .context("reading actor by key id")
}

pub async fn find_by_id(ex: Exec<'_>, id: i64) -> anyhow::Result<Option<ActorRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM actors WHERE id = $1");
    with_exec!(ex, c => sqlx::query_as::<_, ActorRow>(SQL).bind(id).fetch_optional(c).await)
        .context("reading actor")
}

/// The actor known as `username@domain`.
pub async fn find_by_handle(
    ex: Exec<'_>,
    username: &str,
    domain: &str,
) -> anyhow::Result<Option<ActorRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM actors WHERE username = $1 AND domain = $2 ORDER BY local DESC, id LIMIT 1"
    );
    with_exec!(ex, c => sqlx::query_as::<_, ActorRow>(SQL).bind(username).bind(domain)
        .fetch_optional(c).await)
    .context("reading actor by handle")
}
