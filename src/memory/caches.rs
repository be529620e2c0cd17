//! What the inbox reads on every request, kept in memory: remote actors by id, their parsed
//! public keys, and which of our follows are accepted. Each is [`Bounded`] in entries and age;
//! writes on this node keep them true (see where [`Caches`] is used), and the age bound covers
//! other nodes sharing a PostgreSQL database. Negative answers are never cached: a follow that
//! is not (yet) accepted here is read from the database each time, so an acceptance recorded by
//! another node is seen at once.

use super::bounded::Bounded;
use crate::{
    db::actors::ActorRow,
    integrity::keys::{KeyError, PublicKey},
};
use std::{
    hash::{DefaultHasher, Hash, Hasher},
    sync::Arc,
    time::Duration,
};

/// Remote actors kept (each a few KB).
pub const ACTORS: usize = 2048;
/// Parsed public keys kept.
pub const KEYS: usize = 2048;
/// Accepted follows kept.
pub const FOLLOWS: usize = 8192;
/// How long an entry is trusted without a write on this node.
pub const TTL: Duration = Duration::from_secs(60);

pub struct Caches {
    actors: Bounded<String, Arc<ActorRow>>,
    keys: Bounded<String, (u64, Arc<PublicKey>)>,
    accepted_follows: Bounded<i64, ()>,
}

impl Default for Caches {
    fn default() -> Self {
        Caches::with_capacity(ACTORS, KEYS, FOLLOWS)
    }
}

fn fingerprint(pem: &str) -> u64 {
    let mut h = DefaultHasher::new();
    pem.hash(&mut h);
    h.finish()
}

impl Caches {
    pub fn with_capacity(actors: usize, keys: usize, follows: usize) -> Caches {
        Caches {
            actors: Bounded::new(actors, TTL),
            keys: Bounded::new(keys, TTL),
            accepted_follows: Bounded::new(follows, TTL),
        }
    }

    /// A remote actor's row, by ActivityPub id.
    pub fn actor(&self, ap_id: &str) -> Option<Arc<ActorRow>> {
        self.actors.get(ap_id)
    }

    /// Keeps a remote actor's row as just read or written (local actors are never kept: the
    /// console edits them).
    pub fn put_actor(&self, row: &ActorRow) {
        if !row.local {
            self.actors.insert(row.ap_id.clone(), Arc::new(row.clone()));
        }
    }

    pub fn forget_actor(&self, ap_id: &str) {
        self.actors.remove(ap_id);
    }

    /// The parsed key of `key_id` whose PEM is `pem`: parsed once, and again only when the
    /// stored PEM changes (a rotated key).
    pub fn public_key(&self, key_id: &str, pem: &str) -> Result<Arc<PublicKey>, KeyError> {
        let print = fingerprint(pem);
        if let Some((p, key)) = self.keys.get(key_id)
            && p == print
        {
            return Ok(key);
        }
        let key = Arc::new(PublicKey::from_pem(pem)?);
        self.keys.insert(key_id.to_string(), (print, key.clone()));
        Ok(key)
    }

    pub fn keys_len(&self) -> usize {
        self.keys.len()
    }

    /// Whether our follow of the actor with row id `actor_id` is known accepted.
    pub fn follow_accepted(&self, actor_id: i64) -> bool {
        self.accepted_follows.get(&actor_id).is_some()
    }

    /// Records the state of our follow of `actor_id` (`None`: there is none).
    pub fn set_follow(&self, actor_id: i64, state: Option<&str>) {
        if state == Some("accepted") {
            self.accepted_follows.insert(actor_id, ());
        } else {
            self.accepted_follows.remove(&actor_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_cache_never_grows_past_its_bound_and_follows_a_rotated_key() {
        let caches = Caches::with_capacity(4, 8, 4);
        let (_, pem) = crate::integrity::keys::PrivateKey::generate().unwrap();
        for i in 0..100 {
            caches
                .public_key(&format!("https://p{i}.example/a#k"), &pem)
                .unwrap();
            assert!(caches.keys_len() <= 8);
        }
        let a = caches.public_key("https://p99.example/a#k", &pem).unwrap();
        let b = caches.public_key("https://p99.example/a#k", &pem).unwrap();
        assert!(Arc::ptr_eq(&a, &b), "parsed once");
        let (_, rotated) = crate::integrity::keys::PrivateKey::generate().unwrap();
        let c = caches
            .public_key("https://p99.example/a#k", &rotated)
            .unwrap();
        assert!(!Arc::ptr_eq(&a, &c), "a new PEM is parsed again");
        assert!(
            caches
                .public_key("https://x.example/a#k", "not a key")
                .is_err()
        );
    }

    #[test]
    fn only_accepted_follows_are_kept() {
        let caches = Caches::default();
        caches.set_follow(1, Some("pending"));
        assert!(!caches.follow_accepted(1));
        caches.set_follow(1, Some("accepted"));
        assert!(caches.follow_accepted(1));
        caches.set_follow(1, None);
        assert!(!caches.follow_accepted(1));
    }
}
