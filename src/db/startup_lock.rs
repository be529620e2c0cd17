//! Start-up work (migrations, creating the centre) must happen once even when several
//! processes start together on one new database. PostgreSQL: a session advisory lock held on
//! its own connection. SQLite: an exclusive lock on a file beside the database.

use super::Db;
use anyhow::Context;

/// Arbitrary, fixed: the advisory lock key of Maillage's start-up.
const ADVISORY_KEY: i64 = 0x4d41_494c_4c41_4745; // "MAILLAGE"

/// Held while start-up work runs; released on drop.
pub enum StartupLock {
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
    Sqlite(std::fs::File),
    None,
}

impl Db {
    /// Connects for start-up work: waits until no other process is doing start-up work on
    /// this database and holds the lock until the returned guard is released
    /// ([`StartupLock::release`]) or dropped. On SQLite the lock is taken before the first
    /// connection, since opening a new file in WAL mode is itself start-up work.
    pub async fn connect_for_startup(url: &str) -> anyhow::Result<(Db, StartupLock)> {
        if super::Backend::from_url(url)? == super::Backend::Sqlite {
            let lock = sqlite_lock(url).await?;
            return Ok((Db::connect(url).await?, lock));
        }
        let db = Db::connect(url).await?;
        let lock = db.startup_lock().await?;
        Ok((db, lock))
    }

    async fn startup_lock(&self) -> anyhow::Result<StartupLock> {
        match self {
            Db::Postgres(pool) => {
                let mut conn = pool.acquire().await.context("locking start-up")?;
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(ADVISORY_KEY)
                    .execute(&mut *conn)
                    .await
                    .context("locking start-up")?;
                Ok(StartupLock::Postgres(conn))
            }
            Db::Sqlite { .. } => Ok(StartupLock::None),
        }
    }
}

async fn sqlite_lock(url: &str) -> anyhow::Result<StartupLock> {
    let options: sqlx::sqlite::SqliteConnectOptions = url
        .parse()
        .with_context(|| format!("parsing SQLite URL {url}"))?;
    let path = options.get_filename();
    if path.as_os_str().is_empty() || path.to_string_lossy().contains(":memory:") {
        return Ok(StartupLock::None);
    }
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating database directory {}", dir.display()))?;
    }
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("opening {}", lock_path.to_string_lossy()))?;
    let file = tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .context("locking start-up")?
        .context("locking start-up")?;
    Ok(StartupLock::Sqlite(file))
}

impl StartupLock {
    /// Releases the lock now.
    pub async fn release(self) -> anyhow::Result<()> {
        match self {
            StartupLock::Postgres(mut conn) => {
                sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(ADVISORY_KEY)
                    .execute(&mut *conn)
                    .await
                    .context("unlocking start-up")?;
                Ok(())
            }
            StartupLock::Sqlite(file) => file.unlock().context("unlocking start-up"),
            StartupLock::None => Ok(()),
        }
    }
}
