//! The only place with SQL. `Db` is either an SQLite or a PostgreSQL pool; every query is a
//! portable `&'static str` run through the native driver of the active backend (see
//! [`with_exec!`]). Dialect differences live in [`dialect`].

pub mod actors;
pub mod archive;
pub mod batch;
pub mod boosts;
pub mod deliveries;
pub mod dialect;
pub mod domain_allows;
pub mod domain_blocks;
pub mod followers;
pub mod follows;
pub mod health;
pub mod hosts;
pub mod inbox;
pub mod invitations;
pub mod media;
pub mod notifications;
pub mod participants;
pub mod participations;
pub mod post_tags;
pub mod post_threads;
pub mod posts;
pub mod reactions;
pub mod reports;
pub mod settings;
pub mod signatures;
pub mod startup_lock;
pub mod statement_invitations;
pub mod statement_signatures;
pub mod statements;
pub mod tokens;
pub mod users;

use anyhow::{Context, bail};
use sqlx::{
    PgConnection, PgPool, SqliteConnection, SqlitePool,
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use std::{str::FromStr, time::Duration};

/// Runs `$body` once per backend with `$c` bound to that backend's executor.
///
/// The body is expanded for each arm, so one generic query text serves SQLite and PostgreSQL
/// through their own drivers (no `sqlx::Any`, which cannot bind timestamps).
macro_rules! with_exec {
    ($exec:expr, $c:ident => $body:expr) => {
        match $exec {
            $crate::db::Exec::SqlitePool($c) => $body,
            $crate::db::Exec::PgPool($c) => $body,
            $crate::db::Exec::SqliteConn($c) => $body,
            $crate::db::Exec::PgConn($c) => $body,
        }
    };
}
pub(crate) use with_exec;

/// As [`with_exec!`] for a statement run with `execute`: yields the number of rows affected.
macro_rules! affected {
    ($exec:expr, $c:ident => $body:expr) => {
        match $exec {
            $crate::db::Exec::SqlitePool($c) => $body.map(|r| r.rows_affected()),
            $crate::db::Exec::PgPool($c) => $body.map(|r| r.rows_affected()),
            $crate::db::Exec::SqliteConn($c) => $body.map(|r| r.rows_affected()),
            $crate::db::Exec::PgConn($c) => $body.map(|r| r.rows_affected()),
        }
    };
}
pub(crate) use affected;

/// The database handle shared by the whole instance. Cheap to clone.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite: one writer connection (SQLite serialises writers anyway, and several writing
    /// connections only contend on its lock) and a small pool of readers (WAL).
    Sqlite {
        /// The single writing connection.
        writer: SqlitePool,
        /// Read-only queries.
        reader: SqlitePool,
    },
    /// PostgreSQL.
    Postgres(PgPool),
}

/// Something a query can run on: a pool or a connection inside a transaction.
pub enum Exec<'a> {
    SqlitePool(&'a SqlitePool),
    PgPool(&'a PgPool),
    SqliteConn(&'a mut SqliteConnection),
    PgConn(&'a mut PgConnection),
}

impl Exec<'_> {
    /// A shorter-lived executor on the same pool or connection, for several queries in a row.
    pub fn reborrow(&mut self) -> Exec<'_> {
        match self {
            Exec::SqlitePool(p) => Exec::SqlitePool(p),
            Exec::PgPool(p) => Exec::PgPool(p),
            Exec::SqliteConn(c) => Exec::SqliteConn(c),
            Exec::PgConn(c) => Exec::PgConn(c),
        }
    }
}

/// An open transaction on either backend. Dropping it without [`Tx::commit`] rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    /// An executor for one query inside this transaction.
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Tx::Sqlite(t) => Exec::SqliteConn(&mut *t),
            Tx::Postgres(t) => Exec::PgConn(&mut *t),
        }
    }

    pub async fn commit(self) -> anyhow::Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await.context("committing transaction"),
            Tx::Postgres(t) => t.commit().await.context("committing transaction"),
        }
    }
}

/// Which backend a URL selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Reads the backend from a database URL, or explains what is accepted.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            bail!("must start with sqlite:// or postgres://")
        }
    }
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connects to the database that `url` names, creating an SQLite file (and its directory)
    /// when it does not exist yet. Does not migrate: call [`Db::migrate`].
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        match Backend::from_url(url)? {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .with_context(|| format!("parsing SQLite URL {url}"))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                if let Some(dir) = options.get_filename().parent()
                    && !dir.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(dir).with_context(|| {
                        format!("creating database directory {}", dir.display())
                    })?;
                }
                // A file cannot go away under an open connection: no ping at each checkout.
                let writer = SqlitePoolOptions::new()
                    .max_connections(1)
                    .test_before_acquire(false)
                    .connect_with(options.clone())
                    .await
                    .with_context(|| format!("opening SQLite database {url}"))?;
                // Readers map the file, so that a write does not throw their page cache away.
                let reader = SqlitePoolOptions::new()
                    .max_connections(4)
                    .test_before_acquire(false)
                    .connect_with(options.read_only(true).pragma("mmap_size", "268435456"))
                    .await
                    .with_context(|| format!("opening SQLite database {url} for reading"))?;
                Ok(Db::Sqlite { writer, reader })
            }
            Backend::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await
                    .with_context(|| format!("connecting to PostgreSQL at {}", redact(url)))?;
                Ok(Db::Postgres(pool))
            }
        }
    }

    /// Applies the embedded migrations of the active backend.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite { writer, .. } => SQLITE_MIGRATOR.run(writer).await,
            Db::Postgres(pool) => POSTGRES_MIGRATOR.run(pool).await,
        }
        .context("applying database migrations")
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// An executor for writes (the single SQLite writer, or the PostgreSQL pool).
    pub fn write(&self) -> Exec<'_> {
        match self {
            Db::Sqlite { writer, .. } => Exec::SqlitePool(writer),
            Db::Postgres(pool) => Exec::PgPool(pool),
        }
    }

    /// An executor for reads.
    pub fn read(&self) -> Exec<'_> {
        match self {
            Db::Sqlite { reader, .. } => Exec::SqlitePool(reader),
            Db::Postgres(pool) => Exec::PgPool(pool),
        }
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> anyhow::Result<Tx> {
        match self {
            Db::Sqlite { writer, .. } => Ok(Tx::Sqlite(
                writer.begin().await.context("starting transaction")?,
            )),
            Db::Postgres(pool) => Ok(Tx::Postgres(
                pool.begin().await.context("starting transaction")?,
            )),
        }
    }

    /// Answers whether the database is reachable.
    pub async fn ping(&self) -> anyhow::Result<()> {
        with_exec!(self.read(), c => sqlx::query("SELECT 1").execute(c).await.map(|_| ()))
            .context("pinging database")
    }

    /// Closes every connection (used on shutdown and by tests that reopen the same database).
    pub async fn close(&self) {
        match self {
            Db::Sqlite { writer, reader } => {
                writer.close().await;
                reader.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// Hides the password of a database URL for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Maps a unique-constraint violation to `Ok(None)`-style handling by callers.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if e.is_unique_violation())
}
