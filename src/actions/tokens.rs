//! API tokens: 256 random bits, shown once, stored as a SHA-256 hash, revocable by name.

use crate::db::{self, Db};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The hash under which a token is stored.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token named `name` and returns it in clear (the only time it is shown).
pub async fn create(db: &Db, name: &str, now: i64) -> anyhow::Result<String> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        anyhow::bail!("token name must be 1 to 100 characters");
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("mlg_{}", hex::encode(bytes));
    db::tokens::insert(db.write(), name, &hash(&token), now).await?;
    Ok(token)
}

/// Whether `token` is a valid, unrevoked token.
pub async fn check(db: &Db, token: &str) -> anyhow::Result<bool> {
    Ok(db::tokens::find_active(db.read(), &hash(token))
        .await?
        .is_some())
}

/// The name of `token` if it is valid and unrevoked.
pub async fn name_of(db: &Db, token: &str) -> anyhow::Result<Option<String>> {
    Ok(db::tokens::find_active(db.read(), &hash(token))
        .await?
        .map(|t| t.name))
}

/// Revokes every active token named `name`; returns how many.
pub async fn revoke(db: &Db, name: &str, now: i64) -> anyhow::Result<u64> {
    db::tokens::revoke_by_name(db.write(), name, now).await
}
