//! `AppContext`: everything a request, an action or the delivery worker needs. It is the
//! federation library's app data; there is no global state, so several instances run in one
//! process (the tests do).

use crate::{config::Config, db::Db};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio::sync::Notify;
use url::Url;

/// The local centre's identity, loaded at start-up.
#[derive(Clone)]
pub struct Centre {
    /// Row id in `actors`.
    pub id: i64,
    pub ap_id: Url,
    pub public_key_pem: String,
    pub private_key_pem: String,
    /// The RSA key of HTTP signatures, parsed once.
    pub http_key: Arc<crate::integrity::keys::PrivateKey>,
    /// The Ed25519 key of object integrity proofs (joint statement signatures).
    pub assertion_key: ed25519_dalek::SigningKey,
    /// Its id (the newest of the actor's `assertionMethod`: a rotated key keeps its own).
    pub assertion_key_id: String,
}

#[derive(Clone)]
pub struct AppContext {
    pub db: Db,
    /// The group-commit writer of the inbox's writes.
    pub batch: crate::db::batch::WriteBatcher,
    pub config: Arc<Config>,
    pub centre: Arc<Centre>,
    pub urls: Urls,
    /// Woken when deliveries are queued, so the worker sends them at once.
    pub delivery_wakeup: Arc<Notify>,
    pub metrics: Arc<crate::metrics::Metrics>,
    pub login_limiter: Arc<crate::memory::LoginLimiter>,
    pub i18n: Arc<crate::i18n::Catalogs>,
    pub blocks: Arc<crate::memory::BlockList>,
    /// The inbox's caches of actors, keys and follow states.
    pub caches: Arc<crate::memory::Caches>,
    /// Inbox POSTs and signed fetches per remote host.
    pub host_limits: Arc<crate::memory::HostLimiter>,
    /// Signs HTTP requests with the centre's key, off the async threads.
    pub signing: Arc<crate::integrity::signing_pool::SigningPool>,
    /// Rate-limited log of refused remote input.
    pub refusals: Arc<crate::refusals::RefusalLog>,
    /// The background fetches of the posts that followed centres' replies answer.
    pub reply_fetches: Arc<crate::memory::FetchGate>,
}

impl AppContext {
    /// The current time. Time-dependent functions take it as a parameter, so tests can pass
    /// their own instant instead.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Builds every URL the instance serves from its base URL.
#[derive(Clone, Debug)]
pub struct Urls {
    base: Url,
    username: String,
}

impl Urls {
    pub fn new(base: Url, username: &str) -> Urls {
        Urls {
            base,
            username: username.to_string(),
        }
    }

    fn join(&self, path: &str) -> Url {
        let mut u = self.base.clone();
        u.set_path(path);
        u
    }

    pub fn base(&self) -> &Url {
        &self.base
    }
    pub fn actor(&self) -> Url {
        self.join(&format!("/u/{}", self.username))
    }
    pub fn inbox(&self) -> Url {
        self.join(&format!("/u/{}/inbox", self.username))
    }
    pub fn outbox(&self) -> Url {
        self.join(&format!("/u/{}/outbox", self.username))
    }
    pub fn followers(&self) -> Url {
        self.join(&format!("/u/{}/followers", self.username))
    }
    pub fn following(&self) -> Url {
        self.join(&format!("/u/{}/following", self.username))
    }
    pub fn shared_inbox(&self) -> Url {
        self.join("/inbox")
    }
    pub fn key_id(&self) -> Url {
        let mut u = self.actor();
        u.set_fragment(Some("main-key"));
        u
    }
    /// The id of the Ed25519 key (a `Multikey` in the actor's `assertionMethod`).
    pub fn assertion_key_id(&self) -> Url {
        let mut u = self.actor();
        u.set_fragment(Some("ed25519-key"));
        u
    }
    pub fn statement(&self, public_id: &str) -> Url {
        self.join(&format!("/statements/{public_id}"))
    }
    pub fn signature(&self, public_id: &str) -> Url {
        self.join(&format!("/signatures/{public_id}"))
    }
    pub fn post(&self, public_id: &str) -> Url {
        self.join(&format!("/posts/{public_id}"))
    }
    /// An uploaded file (a logo, a post's image).
    pub fn media(&self, public_id: &str) -> Url {
        self.join(&format!("/media/{public_id}"))
    }
    pub fn activity(&self, public_id: &str) -> Url {
        self.join(&format!("/activities/{public_id}"))
    }
}

/// A new random public id (32 hex characters) for posts, follows and activities.
pub fn new_public_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
