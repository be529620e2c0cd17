//! The health check's write probe, and recognising a full disk or database.

use super::{Exec, affected};
use anyhow::Context;

/// Rewrites the health row: fails when the database cannot be written.
pub async fn write_probe(ex: Exec<'_>, now: i64) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO health_checks (id, checked_at) VALUES (1, $1) \
        ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at";
    affected!(ex, c => sqlx::query(SQL).bind(now).execute(c).await)
        .context("writing the health check")?;
    Ok(())
}

/// Space the SQLite probe writes next to the database: a database that cannot grow by this
/// much is about to fail, even if small writes still fit in space SQLite already holds.
pub const PROBE_BYTES: usize = 64 * 1024;

/// On SQLite, writes, syncs and removes a small file beside the database, so that a full disk
/// shows even while SQLite still fits small writes into pages it already has. PostgreSQL
/// manages its own disk: its write probe is the commit of [`write_probe`].
pub async fn disk_probe(db: &super::Db) -> anyhow::Result<()> {
    let super::Db::Sqlite { writer, .. } = db else {
        return Ok(());
    };
    let path = writer.connect_options().get_filename().to_path_buf();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        use std::io::Write;
        let mut probe = path.clone().into_os_string();
        probe.push(".health-probe");
        let result = (|| {
            let mut f = std::fs::File::create(&probe)?;
            f.write_all(&[0u8; PROBE_BYTES])?;
            f.sync_all()
        })();
        let _ = std::fs::remove_file(&probe);
        result.context("writing beside the database")
    })
    .await
    .context("disk probe")?
}

/// Whether an error (anywhere in its chain) says that the disk or the database is full:
/// SQLite's `SQLITE_FULL` (13), PostgreSQL's `disk_full` (53100) and other "insufficient
/// resources" errors (53xxx), or an operating system's "no space left on device".
pub fn is_storage_full(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        if let Some(sqlx::Error::Database(db)) = cause.downcast_ref::<sqlx::Error>() {
            let code = db.code().map(|c| c.to_string()).unwrap_or_default();
            return code == "13" || code.starts_with("53");
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::StorageFull;
        }
        let text = cause.to_string();
        text.contains("database or disk is full") || text.contains("No space left on device")
    })
}
