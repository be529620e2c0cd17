//! Actors for the federation library: the local centre and remote actors, one type.

use crate::{
    context::AppContext,
    db::{self, actors::ActorRow},
    error::AppError,
    protocol::actor::ActorJson,
};
use activitypub_federation::{
    config::Data,
    protocol::verification::verify_domains_match,
    traits::{Actor, Object},
};
use chrono::{DateTime, Utc};
use url::Url;

/// An actor row with its parsed id and inboxes.
#[derive(Clone, Debug)]
pub struct DbActor {
    pub row: ActorRow,
    pub ap_id: Url,
    inbox: Url,
    shared_inbox: Option<Url>,
}

impl DbActor {
    /// Wraps a stored row. Ids were validated when stored.
    pub fn from_row(row: ActorRow) -> Result<DbActor, AppError> {
        let ap_id = Url::parse(&row.ap_id)
            .map_err(|e| anyhow::anyhow!("stored actor id {} is not a URL: {e}", row.ap_id))?;
        let inbox = Url::parse(&row.inbox).unwrap_or_else(|_| ap_id.clone());
        let shared_inbox = row.shared_inbox.as_deref().and_then(|s| Url::parse(s).ok());
        Ok(DbActor {
            row,
            ap_id,
            inbox,
            shared_inbox,
        })
    }

    /// The local centre.
    pub async fn local(ctx: &AppContext) -> anyhow::Result<DbActor> {
        let row = db::actors::find_by_id(ctx.db.read(), ctx.centre.id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the local centre actor is missing"))?;
        DbActor::from_row(row).map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// `username@domain`.
    pub fn handle(&self) -> String {
        format!("{}@{}", self.row.username, self.row.domain)
    }
}

/// Host and port of a URL, as used in handles and delivery rows.
pub fn authority(u: &Url) -> String {
    let host = u.host_str().unwrap_or_default();
    match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

#[async_trait::async_trait]
impl Object for DbActor {
    type DataType = AppContext;
    type Kind = ActorJson;
    type Error = AppError;

    fn id(&self) -> &Url {
        &self.ap_id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        if self.row.local {
            None
        } else {
            DateTime::from_timestamp_millis(self.row.fetched_at)
        }
    }

    async fn read_from_id(id: Url, data: &Data<AppContext>) -> Result<Option<Self>, AppError> {
        if let Some(row) = data.caches.actor(id.as_str()) {
            return DbActor::from_row((*row).clone()).map(Some);
        }
        let row = db::actors::find_by_ap_id(data.db.read(), id.as_str()).await?;
        if let Some(row) = &row {
            data.caches.put_actor(row);
        }
        row.map(DbActor::from_row).transpose()
    }

    async fn into_json(self, data: &Data<AppContext>) -> Result<ActorJson, AppError> {
        Ok(crate::render::activitypub::actor(data, &self.row)?)
    }

    async fn verify(
        json: &ActorJson,
        expected_domain: &Url,
        _data: &Data<AppContext>,
    ) -> Result<(), AppError> {
        verify_domains_match(&json.id, expected_domain)?;
        crate::federation::verify_same_origin(&json.id, expected_domain)?;
        if json.public_key.owner != json.id {
            return Err(AppError::Invalid(format!(
                "actor {}: publicKey.owner is not the actor",
                json.id
            )));
        }
        let key_id = Url::parse(&json.public_key.id).map_err(|_| {
            AppError::Invalid(format!("actor {}: publicKey.id is not a URL", json.id))
        })?;
        crate::federation::verify_same_origin(&key_id, &json.id)?;
        let Some(inbox) = &json.inbox else {
            return Err(AppError::Invalid(format!("actor {} has no inbox", json.id)));
        };
        crate::federation::verify_same_origin(inbox, &json.id)?;
        Ok(())
    }

    async fn from_json(json: ActorJson, data: &Data<AppContext>) -> Result<Self, AppError> {
        let row = store_remote(data, &json).await?;
        DbActor::from_row(row)
    }
}

/// A URL of the actor's that we will contact later (shared inbox, outbox, collections): kept
/// only on the actor's own origin, so that no actor document can point our requests elsewhere.
fn same_origin(u: Option<&Url>, actor: &Url) -> Option<String> {
    u.filter(|u| crate::federation::verify_same_origin(u, actor).is_ok())
        .map(|u| u.to_string())
}

/// An `icon` or `image`: an `Image` with an http(s) `url` (a Link or a bare URL is read too),
/// reduced to its `type`, `url` and `mediaType`.
fn image_of(v: Option<&serde_json::Value>) -> serde_json::Value {
    let v = match v {
        Some(serde_json::Value::Array(items)) => items.first(),
        v => v,
    };
    let url = match v {
        Some(serde_json::Value::String(s)) => Some(s.as_str()),
        Some(o) => o
            .get("url")
            .and_then(|u| match u {
                serde_json::Value::Array(items) => items.first(),
                u => Some(u),
            })
            .and_then(|u| {
                u.as_str()
                    .or_else(|| u.get("href").and_then(|h| h.as_str()))
            }),
        None => None,
    };
    match url.and_then(crate::render::links::web_url) {
        Some(url) => {
            let mut image = serde_json::json!({"type": "Image", "url": url});
            if let Some(t) = v
                .and_then(|o| o.get("mediaType"))
                .and_then(|t| t.as_str())
                .filter(|t| t.starts_with("image/") && t.len() < 100)
            {
                image["mediaType"] = serde_json::json!(t);
            }
            image
        }
        None => serde_json::Value::Null,
    }
}

/// Upserts a verified remote actor document. Every URL we will contact later shares the
/// actor's origin (others are dropped), and every URL we render is http(s).
pub async fn store_remote(ctx: &AppContext, json: &ActorJson) -> Result<ActorRow, AppError> {
    let inbox = json
        .inbox
        .as_ref()
        .filter(|i| crate::federation::verify_same_origin(i, &json.id).is_ok())
        .ok_or_else(|| AppError::Invalid(format!("actor {} has no inbox", json.id)))?;
    let domain = authority(&json.id);
    let username = json
        .preferred_username
        .clone()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| {
            json.id
                .path_segments()
                .and_then(|mut s| s.next_back().map(str::to_string))
                .unwrap_or_default()
        });
    let name = json
        .name
        .as_deref()
        .map(crate::render::sanitize::plain_text);
    let summary = json.summary.as_deref().map(crate::render::sanitize::html);
    let data = serde_json::json!({
        "icon": image_of(json.icon.as_ref()),
        "image": image_of(json.image.as_ref()),
    })
    .to_string();
    let shared = same_origin(
        json.endpoints
            .as_ref()
            .and_then(|e| e.shared_inbox.as_ref()),
        &json.id,
    );
    let outbox = same_origin(json.outbox.as_ref(), &json.id);
    let followers = same_origin(json.followers.as_ref(), &json.id);
    let url = json
        .url
        .as_ref()
        .and_then(|u| crate::render::links::web_url(u.as_str()));
    let assertion_keys = serde_json::to_string(&json.assertion_keys())
        .map_err(|e| anyhow::anyhow!("assertion keys: {e}"))?;
    let row = db::actors::upsert_remote(
        ctx.db.write(),
        &db::actors::ActorUpsert {
            ap_id: json.id.as_str(),
            kind: &json.kind,
            username: &username,
            domain: &domain,
            name: name.as_deref(),
            summary: summary.as_deref(),
            url,
            inbox: inbox.as_str(),
            shared_inbox: shared.as_deref(),
            outbox: outbox.as_deref(),
            followers_url: followers.as_deref(),
            public_key_pem: &json.public_key.public_key_pem,
            manually_approves_followers: json.manually_approves_followers.unwrap_or(false),
            published: json.published.map(|p| p.timestamp_millis()),
            fetched_at: ctx.now().timestamp_millis(),
            data: &data,
            key_id: Some(&json.public_key.id),
            assertion_keys: &assertion_keys,
        },
    )
    .await?;
    // Aliases and a move target: kept when they are http(s) actor URLs (at most 20 aliases).
    let web = |u: &Url| crate::render::links::remote_url(u.as_str(), ctx.config.dev).is_some();
    let aliases: Vec<&str> = json
        .also_known_as
        .iter()
        .filter(|u| web(u))
        .take(20)
        .map(Url::as_str)
        .collect();
    let aliases = serde_json::to_string(&aliases).map_err(|e| anyhow::anyhow!("{e}"))?;
    let moved_to = json.moved_to.as_ref().filter(|u| web(u)).map(Url::as_str);
    let row = if aliases != row.also_known_as || moved_to != row.moved_to.as_deref() {
        db::actors::set_moves(ctx.db.write(), row.id, &aliases, moved_to).await?;
        db::actors::ActorRow {
            also_known_as: aliases,
            moved_to: moved_to.map(str::to_string),
            ..row
        }
    } else {
        row
    };
    ctx.caches.put_actor(&row);
    Ok(row)
}

impl Actor for DbActor {
    fn public_key_pem(&self) -> &str {
        &self.row.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        self.row.private_key_pem.clone()
    }

    fn inbox(&self) -> Url {
        self.inbox.clone()
    }

    fn shared_inbox(&self) -> Option<Url> {
        self.shared_inbox.clone()
    }
}
