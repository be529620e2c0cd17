//! Instance settings staff change in the console (a key/value table).

use super::{Exec, affected, with_exec};
use anyhow::Context;

pub async fn get(ex: Exec<'_>, key: &str) -> anyhow::Result<Option<String>> {
    const SQL: &str = "SELECT value FROM settings WHERE key = $1";
    with_exec!(ex, c => sqlx::query_scalar::<_, String>(SQL).bind(key).fetch_optional(c).await)
        .context("reading setting")
}

pub async fn set(ex: Exec<'_>, key: &str, value: &str) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO settings (key, value) VALUES ($1, $2) \
        ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    affected!(ex, c => sqlx::query(SQL).bind(key).bind(value).execute(c).await)
        .context("storing setting")?;
    Ok(())
}
