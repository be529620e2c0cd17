//! The local centre actor: created with its key pair (and the configured profile) on first
//! start; staff edit the profile in the console afterwards. Its key never changes.

use crate::{
    config::Config,
    context::{Centre, Urls},
    db::{self, Db},
};
use anyhow::{Context, bail};
use serde_json::json;

/// Loads the centre, creating it (and its RSA key pair) on first start.
pub async fn ensure(db: &Db, config: &Config, now: i64) -> anyhow::Result<Centre> {
    let urls = Urls::new(config.base_url.clone(), &config.centre.username);
    let actor_id = urls.actor();
    let c = &config.centre;
    let data = json!({ "website": c.website, "territory": c.territory }).to_string();
    let row = match db::actors::find_local(db.read()).await? {
        Some(row) => {
            if row.ap_id != actor_id.as_str() {
                bail!(
                    "this database belongs to {} but the configuration says {}: the domain and \
                     the centre username cannot change once peers know the centre",
                    row.ap_id,
                    actor_id
                );
            }
            // The profile is the configuration's only at creation: staff edit it in the
            // console afterwards.
            row
        }
        None => {
            let (private_key, public_key) =
                tokio::task::spawn_blocking(crate::integrity::keys::PrivateKey::generate)
                    .await
                    .context("generating the centre's key pair")?
                    .context("generating the centre's key pair")?;
            let (inbox, shared, outbox, followers) = (
                urls.inbox().to_string(),
                urls.shared_inbox().to_string(),
                urls.outbox().to_string(),
                urls.followers().to_string(),
            );
            match db::actors::insert_local(
                db.write(),
                &db::actors::ActorUpsert {
                    ap_id: actor_id.as_str(),
                    kind: "Organization",
                    username: &c.username,
                    domain: &config.domain,
                    name: Some(&c.name),
                    summary: Some(&c.summary),
                    url: Some(actor_id.as_str()),
                    inbox: &inbox,
                    shared_inbox: Some(&shared),
                    outbox: Some(&outbox),
                    followers_url: Some(&followers),
                    public_key_pem: &public_key,
                    manually_approves_followers: c.manually_approves_followers,
                    published: Some(now),
                    fetched_at: now,
                    data: &data,
                    key_id: Some(urls.key_id().as_str()),
                    assertion_keys: "[]",
                },
                &private_key,
            )
            .await?
            {
                Some(row) => row,
                None => db::actors::find_local(db.read())
                    .await?
                    .filter(|r| r.ap_id == actor_id.as_str())
                    .context("the centre was created by another process but cannot be read")?,
            }
        }
    };
    let private_key_pem = row
        .private_key_pem
        .clone()
        .ok_or_else(|| anyhow::anyhow!("the local centre has no private key"))?;
    let assertion_key = ensure_assertion_key(db, &urls, &row).await?;
    let assertion_key_id = db::actors::find_by_id(db.read(), row.id)
        .await?
        .and_then(|r| {
            serde_json::from_str::<Vec<crate::protocol::actor::AssertionKey>>(&r.assertion_keys)
                .ok()
        })
        .and_then(|keys| keys.last().map(|k| k.id.clone()))
        .unwrap_or_else(|| urls.assertion_key_id().to_string());
    let http_key = std::sync::Arc::new(
        crate::integrity::keys::PrivateKey::from_pem(&private_key_pem)
            .context("reading the centre's private key")?,
    );
    Ok(Centre {
        id: row.id,
        ap_id: actor_id,
        public_key_pem: row.public_key_pem,
        private_key_pem,
        http_key,
        assertion_key,
        assertion_key_id,
    })
}

/// The centre's Ed25519 key for object integrity proofs (joint statement signatures):
/// generated once, on the first start that needs it, and kept. The RSA key stays for HTTP
/// signatures.
async fn ensure_assertion_key(
    db: &Db,
    urls: &Urls,
    row: &db::actors::ActorRow,
) -> anyhow::Result<ed25519_dalek::SigningKey> {
    use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
    if let Some(pem) = &row.assertion_private_key {
        return ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
            .map_err(|e| anyhow::anyhow!("reading the centre's Ed25519 key: {e}"));
    }
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let pem = key
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("encoding the centre's Ed25519 key: {e}"))?;
    let keys = serde_json::to_string(&[crate::protocol::actor::AssertionKey {
        id: urls.assertion_key_id().to_string(),
        multibase: crate::integrity::multikey::encode(&key.verifying_key()),
    }])?;
    if db::actors::set_local_assertion_key(db.write(), row.id, &pem, &keys).await? {
        return Ok(key);
    }
    // Another process set it first: use that one.
    let stored = db::actors::find_by_id(db.read(), row.id)
        .await?
        .and_then(|r| r.assertion_private_key)
        .context("the centre's Ed25519 key vanished")?;
    ed25519_dalek::SigningKey::from_pkcs8_pem(&stored)
        .map_err(|e| anyhow::anyhow!("reading the centre's Ed25519 key: {e}"))
}

/// The centre's profile as staff edit it.
#[derive(Clone, Debug, Default)]
pub struct ProfileInput {
    pub name: String,
    pub summary: String,
    pub website: Option<String>,
    pub territory: Option<String>,
    pub manually_approves_followers: bool,
    /// A new logo: its bytes (PNG, JPEG or WebP).
    pub logo: Option<Vec<u8>>,
}

/// Largest logo accepted.
pub const MAX_LOGO: usize = 2 * 1024 * 1024;

pub fn check_name(name: &str) -> crate::error::AppResult<()> {
    let n = name.trim().chars().count();
    if n == 0 || n > 200 {
        return Err(crate::error::invalid("name: 1 to 200 characters"));
    }
    Ok(())
}

pub use super::media::image_type;

impl ProfileInput {
    /// The profile as stored now.
    pub async fn from_current(ctx: &crate::context::AppContext) -> anyhow::Result<ProfileInput> {
        let row = db::actors::find_by_id(ctx.db.read(), ctx.centre.id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("local centre missing"))?;
        let extra: serde_json::Value = serde_json::from_str(&row.data).unwrap_or_default();
        let text = |k: &str| extra.get(k).and_then(|v| v.as_str()).map(str::to_string);
        Ok(ProfileInput {
            name: row.name.unwrap_or_default(),
            summary: row.summary.unwrap_or_default(),
            website: text("website"),
            territory: text("territory"),
            manually_approves_followers: row.manually_approves_followers,
            logo: None,
        })
    }
}

/// Saves the profile and sends an `Update` of the actor to every follower server.
pub async fn update_profile(
    ctx: &crate::context::AppContext,
    input: ProfileInput,
) -> crate::error::AppResult<()> {
    use crate::error::invalid;
    check_name(&input.name)?;
    if input.summary.chars().count() > 5000 {
        return Err(invalid("summary: at most 5000 characters"));
    }
    let website = input
        .website
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty());
    if let Some(w) = website
        && !matches!(url::Url::parse(w), Ok(u) if (u.scheme() == "https" || u.scheme() == "http") && u.host_str().is_some())
    {
        return Err(invalid(format!("website: {w:?} is not an http(s) URL")));
    }
    let territory = input
        .territory
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if territory.is_some_and(|t| t.chars().count() > 200) {
        return Err(invalid("territory: at most 200 characters"));
    }
    let row = db::actors::find_by_id(ctx.db.read(), ctx.centre.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("local centre missing"))?;
    let old: serde_json::Value = serde_json::from_str(&row.data).unwrap_or_default();
    let mut icon = old.get("icon").cloned().unwrap_or(serde_json::Value::Null);
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    if let Some(bytes) = input.logo.as_deref().filter(|b| !b.is_empty()) {
        if bytes.len() > MAX_LOGO {
            return Err(crate::error::AppError::TooLarge(
                "logo: at most 2 MB".into(),
            ));
        }
        let media_type =
            image_type(bytes).ok_or_else(|| invalid("logo: must be a PNG, JPEG or WebP image"))?;
        let id = crate::context::new_public_id();
        db::media::insert(tx.exec(), &id, media_type, bytes, now.timestamp_millis()).await?;
        let url = ctx.urls.media(&id);
        icon = json!({ "type": "Image", "mediaType": media_type, "url": url });
    }
    let data = json!({ "website": website, "territory": territory, "icon": icon }).to_string();
    db::actors::update_local_profile(
        tx.exec(),
        row.id,
        input.name.trim(),
        &input.summary,
        input.manually_approves_followers,
        &data,
    )
    .await?;
    queue_actor_update(ctx, &mut tx, now).await?;
    tx.commit().await?;
    crate::actions::outbox::wake(ctx);
    Ok(())
}

/// Queues an `Update` of our actor, as stored in `tx`, for every follower server.
pub async fn queue_actor_update(
    ctx: &crate::context::AppContext,
    tx: &mut db::Tx,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::error::AppResult<()> {
    let updated = db::actors::find_by_id(tx.exec(), ctx.centre.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("local centre missing"))?;
    let actor = crate::render::activitypub::actor(ctx, &updated)?;
    let mut object = serde_json::to_value(actor).map_err(anyhow::Error::from)?;
    object["updated"] = json!(now.fixed_offset());
    let public = url::Url::parse(crate::protocol::PUBLIC).map_err(anyhow::Error::from)?;
    let activity = crate::render::activitypub::activity(
        "Update",
        &ctx.urls.activity(&crate::context::new_public_id()),
        &ctx.urls.actor(),
        object,
        &[public],
        &[ctx.urls.followers()],
        now,
    );
    let inboxes = db::followers::delivery_inboxes(tx.exec()).await?;
    crate::actions::outbox::queue(tx, ctx, &activity, &inboxes, now.timestamp_millis()).await?;
    Ok(())
}
