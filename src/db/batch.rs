//! Group commit: the inbox's writes go through writer tasks, each of which runs the jobs
//! waiting for it in one transaction (at most [`MAX_BATCH`] of them, after waiting at most
//! [`MAX_WAIT`] for more when the last batch was not alone) and answers each job only once the
//! transaction is committed, so an acknowledged activity is on disk. A job that fails is
//! answered with its own error and the others run again without it: a batch-mate's failure
//! never loses an activity, nor stores half of one.
//!
//! SQLite has one writer task (it has one writer connection). PostgreSQL has
//! [`PG_WRITERS`]: its transactions run side by side, so a batch's round trips to the server
//! overlap with another's instead of queueing behind them. Two batches may then lock the same
//! rows in opposite orders; the one PostgreSQL aborts (deadlock, serialization failure) is run
//! again whole, and no job is blamed for it.
//!
//! A job may therefore run more than once, and must only write through the executor it is
//! given (anything it reports back is read after it is answered).

use super::{Db, Exec};
use anyhow::Context;
use futures::future::BoxFuture;
use std::{sync::Arc, time::Duration};
use tokio::sync::{mpsc, oneshot};

/// Jobs in one transaction, at most.
pub const MAX_BATCH: usize = 128;
/// How long the writer waits for more jobs when it has fewer than [`MAX_BATCH`] and the
/// previous batch had company (under no load a job is written at once).
pub const MAX_WAIT: Duration = Duration::from_micros(500);
/// Jobs waiting for the writer, at most; senders wait beyond that.
pub const QUEUE: usize = 4096;
/// Writer tasks on PostgreSQL (each holds a pool connection while it commits).
pub const PG_WRITERS: usize = 4;
/// Times a batch that PostgreSQL aborted for a deadlock or a serialization failure is run
/// again before its jobs are answered with the error.
const TRANSIENT_RETRIES: u64 = 5;

/// A write: run against the transaction's executor; may be run again (see the module doc).
pub type Job = Arc<dyn for<'c> Fn(Exec<'c>) -> BoxFuture<'c, anyhow::Result<()>> + Send + Sync>;

struct Item {
    job: Job,
    done: oneshot::Sender<anyhow::Result<()>>,
}

/// The handle to the writer task. Cheap to clone; the task ends when every handle is gone.
#[derive(Clone, Debug)]
pub struct WriteBatcher {
    tx: mpsc::Sender<Item>,
    stats: Arc<BatchStats>,
}

/// How the writer has batched so far (for the metrics).
#[derive(Debug, Default)]
pub struct BatchStats {
    pub batches: std::sync::atomic::AtomicU64,
    pub jobs: std::sync::atomic::AtomicU64,
    pub largest: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Item")
    }
}

impl WriteBatcher {
    /// Starts the writer tasks on `db`.
    pub fn start(db: Db) -> WriteBatcher {
        let (batcher, rx) = WriteBatcher::channel();
        let writers = match db {
            Db::Sqlite { .. } => 1,
            Db::Postgres(_) => PG_WRITERS,
        };
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        for _ in 0..writers {
            tokio::spawn(writer(db.clone(), rx.clone(), batcher.stats.clone()));
        }
        batcher
    }

    fn channel() -> (WriteBatcher, mpsc::Receiver<Item>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let stats = Arc::new(BatchStats::default());
        (WriteBatcher { tx, stats }, rx)
    }

    pub fn stats(&self) -> &BatchStats {
        &self.stats
    }

    /// Runs `job` in the next batch and returns once that batch is committed (or the job
    /// failed, with its error).
    pub async fn run(&self, job: Job) -> anyhow::Result<()> {
        let (done, answer) = oneshot::channel();
        self.tx
            .send(Item { job, done })
            .await
            .map_err(|_| anyhow::anyhow!("the database writer has stopped"))?;
        answer
            .await
            .map_err(|_| anyhow::anyhow!("the database writer has stopped"))?
    }
}

/// One writer: takes a batch from the shared queue (the lock is held while it gathers, so
/// that writers do not split a burst into crumbs), then commits it.
async fn writer(db: Db, rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Item>>>, stats: Arc<BatchStats>) {
    let mut last = 1;
    loop {
        let items = {
            let mut rx = rx.lock().await;
            let Some(first) = rx.recv().await else {
                return;
            };
            let mut items = vec![first];
            gather(&mut rx, &mut items);
            if items.len() < MAX_BATCH && last > 1 {
                tokio::time::sleep(MAX_WAIT).await;
                gather(&mut rx, &mut items);
            }
            items
        };
        last = items.len();
        use std::sync::atomic::Ordering::Relaxed;
        stats.batches.fetch_add(1, Relaxed);
        stats.jobs.fetch_add(items.len() as u64, Relaxed);
        stats.largest.fetch_max(items.len() as u64, Relaxed);
        commit(&db, items).await;
    }
}

fn gather(rx: &mut mpsc::Receiver<Item>, items: &mut Vec<Item>) {
    while items.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(item) => items.push(item),
            Err(_) => break,
        }
    }
}

/// Runs the jobs in one transaction, dropping each failing job and running the rest again
/// without it, then answers every job.
async fn commit(db: &Db, mut items: Vec<Item>) {
    let mut transient = 0;
    while !items.is_empty() {
        match attempt(db, &items).await {
            Ok(()) => {
                for item in items {
                    let _ = item.done.send(Ok(()));
                }
                return;
            }
            Err(Failure::Job(_, e) | Failure::Batch(e))
                if is_transient(&e) && transient < TRANSIENT_RETRIES =>
            {
                transient += 1;
                tokio::time::sleep(Duration::from_millis(transient)).await;
                tracing::debug!(error = %e, "batch aborted by the database; running it again");
            }
            Err(Failure::Job(i, e)) => {
                let item = items.remove(i);
                let _ = item.done.send(Err(e));
            }
            Err(Failure::Batch(e)) => {
                let message = format!("{e:#}");
                for item in items {
                    let _ = item.done.send(Err(anyhow::anyhow!("{message}")));
                }
                return;
            }
        }
    }
}

/// A deadlock or a serialization failure: PostgreSQL aborted the transaction because of
/// another one, not because of what a job wrote.
fn is_transient(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<sqlx::Error>()
            .and_then(|e| e.as_database_error())
            .and_then(|d| d.code())
            .is_some_and(|code| code == "40P01" || code == "40001")
    })
}

enum Failure {
    /// Job `i` failed; the transaction was rolled back.
    Job(usize, anyhow::Error),
    /// The transaction itself failed (connection, commit): every job gets the error.
    Batch(anyhow::Error),
}

async fn attempt(db: &Db, items: &[Item]) -> Result<(), Failure> {
    macro_rules! run {
        ($conn:expr, $exec:path, $begin:expr) => {{
            let conn = $conn;
            sqlx::query($begin)
                .execute(&mut *conn)
                .await
                .context("starting a batch")
                .map_err(Failure::Batch)?;
            for (i, item) in items.iter().enumerate() {
                if let Err(e) = (item.job)($exec(&mut *conn)).await {
                    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                    return Err(Failure::Job(i, e));
                }
            }
            if let Err(e) = sqlx::query("COMMIT").execute(&mut *conn).await {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                return Err(Failure::Batch(
                    anyhow::Error::from(e).context("committing a batch"),
                ));
            }
            Ok(())
        }};
    }
    match db {
        Db::Sqlite { writer, .. } => {
            let mut conn = writer
                .acquire()
                .await
                .context("acquiring the database writer")
                .map_err(Failure::Batch)?;
            run!(&mut *conn, Exec::SqliteConn, "BEGIN IMMEDIATE")
        }
        Db::Postgres(pool) => {
            let mut conn = pool
                .acquire()
                .await
                .context("acquiring a database connection")
                .map_err(Failure::Batch)?;
            run!(&mut *conn, Exec::PgConn, "BEGIN")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::with_exec;

    fn insert(id: &'static str) -> Job {
        Arc::new(move |ex: Exec<'_>| {
            Box::pin(async move {
                crate::db::affected!(ex, c => sqlx::query(
                    "INSERT INTO received_activities (ap_id, kind, received_at) VALUES ($1, 'Create', 0)",
                )
                .bind(id)
                .execute(c)
                .await)
                .map(|_| ())
                .context("insert")
            })
        })
    }

    #[tokio::test]
    async fn a_failing_job_fails_alone_and_its_batch_mates_are_stored() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        // Queue every job before the writer starts, so that they share one batch.
        let (batcher, rx) = WriteBatcher::channel();
        let mut waits = Vec::new();
        for id in ["a", "b", "a", "c"] {
            let b = batcher.clone();
            waits.push(tokio::spawn(async move { b.run(insert(id)).await }));
        }
        while batcher.tx.capacity() > QUEUE - 4 {
            tokio::task::yield_now().await;
        }
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        tokio::spawn(writer(db.clone(), rx, batcher.stats.clone()));
        let mut results = Vec::new();
        for w in waits {
            results.push(w.await.unwrap().is_ok());
        }
        assert_eq!(results.iter().filter(|ok| **ok).count(), 3, "{results:?}");
        assert_eq!(
            batcher
                .stats()
                .batches
                .load(std::sync::atomic::Ordering::Relaxed),
            1
        );
        let ids: Vec<String> = with_exec!(db.read(), c => sqlx::query_scalar(
            "SELECT ap_id FROM received_activities ORDER BY ap_id").fetch_all(c).await)
        .unwrap();
        assert_eq!(ids, ["a", "b", "c"]);
    }
}
