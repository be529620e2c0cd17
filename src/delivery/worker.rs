//! The delivery worker of one process: claims due deliveries under a short lease, sends them
//! through per-host lanes ([`super::scheduler`]), and records the outcomes.
//!
//! Leases are short ([`LEASE`]) and renewed while the worker lives ([`HEARTBEAT`]), and a claim
//! never takes more than the worker can start at once, so a worker killed mid-send costs the
//! deliveries it held one lease at most: another worker then takes them up. A delivery whose
//! request was in flight at the crash may reach its inbox twice; receivers deduplicate by
//! activity id.

use super::{
    scheduler::{Clock, Scheduler},
    send::Sender,
};
use crate::{context::AppContext, db};
use chrono::{DateTime, Utc};
use std::{sync::Arc, time::Duration};
use tokio::sync::{Notify, Semaphore, watch};

/// How long a claimed delivery stays leased to its worker without a heartbeat.
pub const LEASE: Duration = Duration::from_secs(30);

/// How often a living worker extends its leases.
pub const HEARTBEAT: Duration = Duration::from_secs(10);

/// On shutdown, how long requests in flight may still finish before their deliveries are
/// handed back to the queue.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Hard cap of requests in flight, slow ones included, as a multiple of
/// `delivery.concurrency`.
const SLOW_FACTOR: usize = 4;

/// How many times a drain looks again for due deliveries held by other workers.
const DRAIN_RETRIES: usize = 5;

/// Counts of a drain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    pub attempted: usize,
    pub delivered: usize,
    pub retried: usize,
    pub failed: usize,
    /// Claimed but held back (open circuit) without an attempt.
    pub deferred: usize,
}

/// The delivery worker of one instance. Clones share their identity (and so their leases),
/// their concurrency budget and their drain lock.
#[derive(Clone)]
pub struct Deliverer {
    pub(super) sender: Sender,
    /// This worker's id in `deliveries.lease_owner`.
    pub(super) owner: String,
    /// Requests that count against `delivery.concurrency` (slow ones give theirs back).
    pub(super) fast: Arc<Semaphore>,
    /// Every request in flight, slow ones included.
    pub(super) all: Arc<Semaphore>,
    /// Woken when a slot frees.
    pub(super) capacity: Arc<Notify>,
    /// Requests started but still waiting for their permits.
    pub(super) starting: Arc<std::sync::atomic::AtomicUsize>,
    /// One scheduler at a time per worker.
    running: Arc<tokio::sync::Mutex<()>>,
}

impl Deliverer {
    pub fn new(ctx: AppContext, client: reqwest::Client) -> anyhow::Result<Deliverer> {
        let concurrency = ctx.config.delivery.concurrency.max(1);
        Ok(Deliverer {
            sender: Sender { ctx, client },
            owner: crate::context::new_public_id(),
            fast: Arc::new(Semaphore::new(concurrency)),
            all: Arc::new(Semaphore::new(concurrency * SLOW_FACTOR)),
            capacity: Arc::new(Notify::new()),
            starting: Arc::default(),
            running: Arc::default(),
        })
    }

    /// Sends every delivery due at `now` (time is injected by tests; it runs on from there)
    /// and returns when nothing due is left and nothing is in flight. Deliveries held by an
    /// open circuit stay queued.
    pub async fn drain(&self, now: DateTime<Utc>) -> anyhow::Result<RoundReport> {
        let _running = self.running.lock().await;
        let mut s = Scheduler::new(self, Clock::starting_at(now.timestamp_millis()));
        let mut heartbeat = tokio::time::interval(HEARTBEAT);
        heartbeat.tick().await;
        let mut idle_rounds = 0;
        loop {
            s.complete(None).await?;
            let claimed = s.claim().await?;
            if claimed == 0 && s.idle() {
                s.complete(None).await?;
                // Due rows that another worker holds: look again a few times before
                // concluding, as a second process sharing the queue would.
                let due =
                    db::deliveries::due_count(self.sender.ctx.db.read(), s.clock.now_ms()).await?;
                idle_rounds += 1;
                if due == 0 || idle_rounds > DRAIN_RETRIES {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            idle_rounds = 0;
            tokio::select! {
                c = s.next_completion() => s.complete(c).await?,
                _ = self.capacity.notified(), if claimed > 0 => {}
                _ = heartbeat.tick() => self.extend_leases(&s).await?,
            }
        }
        Ok(s.report)
    }

    /// Hands every delivery this worker still holds back to the queue, due now.
    pub async fn release_in_flight(&self) -> anyhow::Result<usize> {
        let now = self.sender.ctx.now().timestamp_millis();
        let n = db::deliveries::release_owned(self.sender.ctx.db.write(), &self.owner, now).await?;
        Ok(n as usize)
    }

    async fn extend_leases(&self, s: &Scheduler<'_>) -> anyhow::Result<()> {
        let until = s.clock.now_ms() + LEASE.as_millis() as i64;
        db::deliveries::extend_leases(self.sender.ctx.db.write(), &self.owner, until).await?;
        Ok(())
    }

    /// The worker loop of `serve`: claims whenever a slot frees, a delivery is queued
    /// (woken), or the poll interval passes; extends its leases; on shutdown lets requests in
    /// flight finish for a short grace period and hands the rest back to the queue.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let _running = self.running.lock().await;
        let ctx = self.sender.ctx.clone();
        let poll = Duration::from_secs(ctx.config.delivery.poll_interval_secs);
        let mut s = Scheduler::new(&self, Clock::starting_at(ctx.now().timestamp_millis()));
        let mut heartbeat = tokio::time::interval(HEARTBEAT);
        loop {
            if *shutdown.borrow() {
                break;
            }
            let step = async {
                s.complete(None).await?;
                s.claim().await
            };
            let claimed = match step.await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = ?e, "delivery worker: database error");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    0
                }
            };
            tokio::select! {
                c = s.next_completion() => {
                    if let Err(e) = s.complete(c).await {
                        tracing::error!(error = ?e, "delivery worker: could not record outcomes");
                    }
                }
                _ = self.capacity.notified(), if claimed > 0 => {}
                _ = ctx.delivery_wakeup.notified() => s.forget_closed_hosts(),
                _ = tokio::time::sleep(poll) => {}
                _ = heartbeat.tick() => {
                    if let Err(e) = self.extend_leases(&s).await {
                        tracing::error!(error = ?e, "delivery worker: could not extend leases");
                    }
                }
                _ = shutdown.changed() => {}
            }
        }
        let grace = tokio::time::sleep(SHUTDOWN_GRACE);
        tokio::pin!(grace);
        while s.in_flight() > 0 {
            tokio::select! {
                c = s.next_completion() => {
                    if let Err(e) = s.complete(c).await {
                        tracing::error!(error = ?e, "delivery worker: could not record outcomes");
                    }
                }
                _ = &mut grace => break,
            }
        }
        if let Err(e) = s.complete(None).await {
            tracing::error!(error = ?e, "delivery worker: could not record outcomes");
        }
        match self.release_in_flight().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(released = n, "deliveries handed back to the queue"),
            Err(e) => {
                tracing::error!(error = ?e, "could not release deliveries; their leases will expire")
            }
        }
    }
}
