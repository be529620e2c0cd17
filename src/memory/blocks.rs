//! The blocked domains (and, in allowlist mode, the allowed ones), in memory: the inbox and
//! every fetch check them without a database round trip. Staff block, unblock, allow and
//! disallow through [`crate::actions::moderation`].

use crate::db::{self, Db};
use std::{
    collections::HashSet,
    sync::Arc,
    time::{Duration, Instant},
};

/// The blocks that would apply to `authority` (`host[:port]`): itself, its host, and every
/// parent domain of the host.
fn candidates(authority: &str) -> Vec<String> {
    let authority = authority.to_ascii_lowercase();
    let host = authority.split(':').next().unwrap_or("").to_string();
    let mut out = vec![authority.clone()];
    if host != authority {
        out.push(host.clone());
    }
    let labels: Vec<&str> = host.split('.').collect();
    for i in 1..labels.len().saturating_sub(1) {
        out.push(labels[i..].join("."));
    }
    out
}

/// How long the in-memory copy of the block list is trusted. Blocking or unblocking on this
/// node refreshes it at once; other nodes sharing the database see it within this delay.
pub const BLOCKS_TTL: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Lists {
    blocked: HashSet<String>,
    allowed: HashSet<String>,
}

/// The blocked domains and, in allowlist mode, the allowed ones, kept in memory so that the
/// inbox and every fetch check them without a database round trip.
#[derive(Default)]
pub struct BlockList {
    cache: tokio::sync::RwLock<Option<(Instant, Arc<Lists>)>>,
    /// Allowlist mode: a domain must be allowed (our own always is).
    allowlist: bool,
    own: String,
}

impl BlockList {
    /// The lists of an instance at `own` (`host[:port]`), in allowlist mode or not.
    pub fn new(own: &str, allowlist: bool) -> BlockList {
        BlockList {
            cache: Default::default(),
            allowlist,
            own: own.to_ascii_lowercase(),
        }
    }

    pub fn allowlist_mode(&self) -> bool {
        self.allowlist
    }

    async fn current(&self, db: &Db) -> anyhow::Result<Arc<Lists>> {
        if let Some((at, lists)) = self.cache.read().await.as_ref()
            && at.elapsed() < BLOCKS_TTL
        {
            return Ok(lists.clone());
        }
        let blocked = db::domain_blocks::list(db.read())
            .await?
            .into_iter()
            .map(|b| b.domain)
            .collect();
        let allowed = if self.allowlist {
            db::domain_allows::list(db.read())
                .await?
                .into_iter()
                .map(|a| a.domain)
                .collect()
        } else {
            HashSet::new()
        };
        let lists = Arc::new(Lists { blocked, allowed });
        *self.cache.write().await = Some((Instant::now(), lists.clone()));
        Ok(lists)
    }

    /// Forgets the cached lists (after a change here).
    pub async fn invalidate(&self) {
        *self.cache.write().await = None;
    }

    /// Why `origin` is refused, as peers and staff are told.
    pub fn refusal(&self, origin: &str) -> String {
        if self.allowlist {
            format!("{origin} is blocked here or not on the allowlist")
        } else {
            format!("{origin} is blocked here")
        }
    }

    /// Whether anything from `authority` (`host[:port]`) is refused: blocked, or, in
    /// allowlist mode, not allowed (an allowed domain covers its subdomains and ports).
    pub async fn is_blocked(&self, db: &Db, authority: &str) -> anyhow::Result<bool> {
        let lists = self.current(db).await?;
        let candidates = candidates(authority);
        if candidates.iter().any(|c| lists.blocked.contains(c)) {
            return Ok(true);
        }
        if self.allowlist && authority.to_ascii_lowercase() != self.own {
            return Ok(!candidates.iter().any(|c| lists.allowed.contains(c)));
        }
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_covers_subdomains_and_ports() {
        assert_eq!(
            candidates("a.b.spam.example:8443"),
            vec![
                "a.b.spam.example:8443",
                "a.b.spam.example",
                "b.spam.example",
                "spam.example"
            ]
        );
        assert_eq!(
            candidates("localhost:3000"),
            vec!["localhost:3000", "localhost"]
        );
    }
}
