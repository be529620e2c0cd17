//! The blocked domains, in memory: the inbox and every fetch check them without a database
//! round trip. Staff block and unblock through [`crate::actions::moderation`].

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

/// The blocked domains, kept in memory so that the inbox and every fetch check them without a
/// database round trip.
#[derive(Default)]
pub struct BlockList {
    cache: tokio::sync::RwLock<Option<(Instant, Arc<HashSet<String>>)>>,
}

impl BlockList {
    async fn current(&self, db: &Db) -> anyhow::Result<Arc<HashSet<String>>> {
        if let Some((at, set)) = self.cache.read().await.as_ref()
            && at.elapsed() < BLOCKS_TTL
        {
            return Ok(set.clone());
        }
        let set: Arc<HashSet<String>> = Arc::new(
            db::domain_blocks::list(db.read())
                .await?
                .into_iter()
                .map(|b| b.domain)
                .collect(),
        );
        *self.cache.write().await = Some((Instant::now(), set.clone()));
        Ok(set)
    }

    /// Forgets the cached list (after a block or unblock here).
    pub async fn invalidate(&self) {
        *self.cache.write().await = None;
    }

    /// Whether anything from `authority` (`host[:port]`) is blocked.
    pub async fn is_blocked(&self, db: &Db, authority: &str) -> anyhow::Result<bool> {
        let set = self.current(db).await?;
        Ok(candidates(authority).iter().any(|c| set.contains(c)))
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
