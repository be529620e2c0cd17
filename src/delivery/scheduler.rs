//! The scheduling loop of one worker. Claimed deliveries go to per-host lanes; a lane sends at
//! most `delivery.per_host_concurrency` at once (one, as a probe, for a host whose circuit is
//! half open), and a new delivery starts as soon as any slot frees, so a slow or dead host only
//! ever holds its own lane. A request that has not answered after [`SLOW_AFTER`] gives its
//! slot back to the others (it stays bounded by a hard cap of in-flight requests), and the
//! per-host bound is also part of the claim, across every worker sharing the queue.
//!
//! Outcomes are written in batches, one transaction each, by this loop alone.

use super::{
    backoff::{self, Outcome},
    breaker::{self, Gate},
    send::{Attempt, Scheme},
    worker::{Deliverer, LEASE, RoundReport},
};
use crate::db::{self, deliveries::ClaimedDelivery, hosts::HostRow};
use std::{
    collections::{HashMap, VecDeque},
    sync::atomic::Ordering,
    time::{Duration, Instant},
};
use tokio::sync::mpsc;

/// After this long without an answer, a request stops counting against `delivery.concurrency`.
pub const SLOW_AFTER: Duration = Duration::from_secs(2);

/// A monotonic clock that starts at a given instant (tests inject it; `serve` uses now).
#[derive(Clone, Copy)]
pub struct Clock {
    base_ms: i64,
    start: Instant,
}

impl Clock {
    pub fn starting_at(base_ms: i64) -> Clock {
        Clock {
            base_ms,
            start: Instant::now(),
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.base_ms + self.start.elapsed().as_millis() as i64
    }
}

#[derive(Default)]
struct Lane {
    queue: VecDeque<ClaimedDelivery>,
    in_flight: usize,
    probing: bool,
}

/// A finished attempt, sent back by its task.
pub struct Completion {
    d: ClaimedDelivery,
    attempt: Attempt,
    first: Scheme,
    elapsed: Duration,
}

pub struct Scheduler<'a> {
    w: &'a Deliverer,
    pub clock: Clock,
    lanes: HashMap<String, Lane>,
    health: HashMap<String, HostRow>,
    bodies: HashMap<i64, (bytes::Bytes, usize)>,
    tx: mpsc::UnboundedSender<Completion>,
    rx: mpsc::UnboundedReceiver<Completion>,
    in_flight: usize,
    queued: usize,
    give_back: Vec<(i64, i64)>,
    /// Finished attempts whose outcome is not written yet.
    unwritten: Vec<Completion>,
    pub report: RoundReport,
}

impl<'a> Scheduler<'a> {
    pub fn new(w: &'a Deliverer, clock: Clock) -> Scheduler<'a> {
        let (tx, rx) = mpsc::unbounded_channel();
        Scheduler {
            w,
            clock,
            lanes: HashMap::new(),
            health: HashMap::new(),
            bodies: HashMap::new(),
            tx,
            rx,
            in_flight: 0,
            queued: 0,
            give_back: Vec::new(),
            unwritten: Vec::new(),
            report: RoundReport::default(),
        }
    }

    /// Whether nothing is in flight or waiting in a lane.
    pub fn idle(&self) -> bool {
        self.in_flight == 0 && self.queued == 0
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Forgets cached host health of unreachable hosts (staff may have asked for a probe).
    pub fn forget_closed_hosts(&mut self) {
        self.health.retain(|_, h| h.state != breaker::UNREACHABLE);
    }

    /// Claims as many due deliveries as there are free slots and starts them. Returns how many
    /// were claimed.
    pub async fn claim(&mut self) -> anyhow::Result<usize> {
        // Tasks started but not yet holding their permits count as taken.
        let starting = self.w.starting.load(Ordering::SeqCst);
        let free = self
            .w
            .fast
            .available_permits()
            .min(self.w.all.available_permits())
            .saturating_sub(self.queued + starting);
        if free == 0 {
            return Ok(0);
        }
        let now = self.clock.now_ms();
        let db = &self.w.sender.ctx.db;
        let per_host = self.w.sender.ctx.config.delivery.per_host_concurrency as i64;
        let claimed = db::deliveries::claim_due(
            db.write(),
            db.backend(),
            &db::deliveries::Claim {
                owner: &self.w.owner,
                now,
                lease_until: now + LEASE.as_millis() as i64,
                limit: free as i64,
                per_host,
            },
        )
        .await?;
        let n = claimed.len();
        for d in claimed {
            self.dispatch(d, now).await?;
        }
        Ok(n)
    }

    async fn health_of(&mut self, host: &str, now: i64) -> anyhow::Result<HostRow> {
        if let Some(h) = self.health.get(host) {
            return Ok(h.clone());
        }
        let h = db::hosts::find(self.w.sender.ctx.db.read(), host)
            .await?
            .unwrap_or_else(|| breaker::new_host(host, now));
        self.health.insert(host.to_string(), h.clone());
        Ok(h)
    }

    async fn dispatch(&mut self, d: ClaimedDelivery, now: i64) -> anyhow::Result<()> {
        let health = self.health_of(&d.host, now).await?;
        if let Gate::Closed { until } = breaker::gate(&health, now) {
            self.give_back.push((d.id, until.max(d.next_attempt_at)));
            self.report.deferred += 1;
            self.w.sender.ctx.metrics.delivery("deferred");
            return Ok(());
        }
        if !self.bodies.contains_key(&d.activity_id)
            && let Some(a) =
                db::deliveries::find_activity(self.w.sender.ctx.db.read(), d.activity_id).await?
        {
            self.bodies
                .insert(d.activity_id, (bytes::Bytes::from(a.json.into_bytes()), 0));
        }
        if let Some(entry) = self.bodies.get_mut(&d.activity_id) {
            entry.1 += 1;
        }
        let host = d.host.clone();
        self.lanes
            .entry(host.clone())
            .or_default()
            .queue
            .push_back(d);
        self.queued += 1;
        self.pump(&host, now);
        Ok(())
    }

    /// Starts what the lane of `host` may start now.
    fn pump(&mut self, host: &str, now: i64) {
        let per_host = self.w.sender.ctx.config.delivery.per_host_concurrency;
        let gate = self
            .health
            .get(host)
            .map(|h| breaker::gate(h, now))
            .unwrap_or(Gate::Open);
        loop {
            let Some(lane) = self.lanes.get_mut(host) else {
                return;
            };
            let may_start = match gate {
                Gate::Open => lane.in_flight < per_host,
                Gate::Probe => lane.in_flight == 0 && !lane.probing,
                Gate::Closed { .. } => false,
            };
            if !may_start {
                return;
            }
            let Some(d) = lane.queue.pop_front() else {
                return;
            };
            lane.in_flight += 1;
            lane.probing = gate == Gate::Probe;
            self.queued -= 1;
            self.in_flight += 1;
            self.start(d);
        }
    }

    fn start(&mut self, d: ClaimedDelivery) {
        let first = match self.health.get(&d.host) {
            Some(h) if h.signature_scheme.as_deref() == Some("rfc9421") => Scheme::Rfc9421,
            _ => Scheme::Cavage,
        };
        let body = self.bodies.get(&d.activity_id).map(|(b, _)| b.clone());
        let (sender, fast, all) = (
            self.w.sender.clone(),
            self.w.fast.clone(),
            self.w.all.clone(),
        );
        let (tx, capacity) = (self.tx.clone(), self.w.capacity.clone());
        let starting = self.w.starting.clone();
        starting.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            let started = Instant::now();
            let attempt = match body {
                None => {
                    starting.fetch_sub(1, Ordering::SeqCst);
                    Attempt {
                        outcome: Outcome::Permanent,
                        status: None,
                        error: Some("activity missing".into()),
                        switched_to: None,
                    }
                }
                Some(body) => {
                    let _all = all.acquire_owned().await;
                    let mut fast = Some(fast.acquire_owned().await);
                    starting.fetch_sub(1, Ordering::SeqCst);
                    let attempt = sender.attempt(&d.inbox, body, first);
                    tokio::pin!(attempt);
                    tokio::select! {
                        a = &mut attempt => a,
                        _ = tokio::time::sleep(SLOW_AFTER) => {
                            fast.take();
                            capacity.notify_one();
                            attempt.await
                        }
                    }
                }
            };
            let _ = tx.send(Completion {
                d,
                attempt,
                first,
                elapsed: started.elapsed(),
            });
            capacity.notify_one();
        });
    }

    /// Waits for the next finished attempt, if any is in flight.
    pub async fn next_completion(&mut self) -> Option<Completion> {
        if self.in_flight == 0 {
            return None;
        }
        self.rx.recv().await
    }

    /// Records `first` and every other finished attempt already waiting, in one transaction,
    /// then starts what their lanes may start next.
    pub async fn complete(&mut self, first: Option<Completion>) -> anyhow::Result<()> {
        self.unwritten.extend(first);
        while let Ok(c) = self.rx.try_recv() {
            self.unwritten.push(c);
        }
        if self.unwritten.is_empty() && self.give_back.is_empty() {
            return Ok(());
        }
        // Written in one transaction; if it fails, the batch stays for the next call.
        self.write_batch().await?;
        let batch = std::mem::take(&mut self.unwritten);
        let now = self.clock.now_ms();
        for c in batch {
            self.in_flight -= 1;
            self.unref(c.d.activity_id);
            let host = c.d.host;
            let closed = self.health.get(&host).map(|h| breaker::gate(h, now));
            if let Some(lane) = self.lanes.get_mut(&host) {
                lane.in_flight -= 1;
                lane.probing = false;
                if let Some(Gate::Closed { until }) = closed {
                    let held: Vec<ClaimedDelivery> = lane.queue.drain(..).collect();
                    for d in held {
                        self.queued -= 1;
                        self.give_back.push((d.id, until.max(d.next_attempt_at)));
                        self.report.deferred += 1;
                        self.unref(d.activity_id);
                    }
                }
            }
            self.pump(&host, now);
            if self
                .lanes
                .get(&host)
                .is_some_and(|l| l.in_flight == 0 && l.queue.is_empty())
            {
                self.lanes.remove(&host);
            }
        }
        Ok(())
    }

    /// Records the unwritten outcomes and give-backs in one transaction. Hosts are written in
    /// name order, so that workers sharing a PostgreSQL database never deadlock on them.
    async fn write_batch(&mut self) -> anyhow::Result<()> {
        let now = self.clock.now_ms();
        // The hosts' health after this batch, computed first (reads only).
        let mut health: std::collections::BTreeMap<String, HostRow> = Default::default();
        for i in 0..self.unwritten.len() {
            let host = self.unwritten[i].d.host.clone();
            let before = match health.get(&host) {
                Some(h) => h.clone(),
                None => self.health_of(&host, now).await?,
            };
            let c = &self.unwritten[i];
            let mut h = if c.attempt.server_answered() {
                breaker::on_answer(&before, now)
            } else if c.attempt.status.is_none() && c.attempt.outcome == Outcome::Permanent {
                before.clone() // refused before sending: says nothing of the host
            } else {
                breaker::on_failure(&before, now, c.attempt.error.as_deref().unwrap_or_default())
            };
            if let Some(s) = c.attempt.switched_to.or(Some(c.first)) {
                h.signature_scheme = (s == Scheme::Rfc9421).then(|| "rfc9421".to_string());
            }
            health.insert(host, h);
        }
        let ctx = &self.w.sender.ctx;
        let mut tx = ctx.db.begin().await?;
        let mut labels = Vec::with_capacity(self.unwritten.len());
        for c in &self.unwritten {
            labels.push(record(&mut tx, c, now).await?);
        }
        let done: Vec<i64> = self
            .unwritten
            .iter()
            .filter(|c| c.attempt.outcome == Outcome::Delivered)
            .map(|c| c.d.id)
            .collect();
        db::deliveries::mark_done(tx.exec(), &done, now).await?;
        for h in health.values() {
            db::hosts::upsert(tx.exec(), h).await?;
        }
        for (id, next) in &self.give_back {
            db::deliveries::release(tx.exec(), *id, *next, now).await?;
        }
        tx.commit().await?;
        self.give_back.clear();
        for (c, label) in self.unwritten.iter().zip(labels) {
            ctx.metrics.delivery(label);
            ctx.metrics.attempt(c.elapsed.as_secs_f64());
            self.report.attempted += 1;
            match label {
                "delivered" => self.report.delivered += 1,
                "retried" => self.report.retried += 1,
                _ => self.report.failed += 1,
            }
        }
        for (host, h) in health {
            if h.state == breaker::UNREACHABLE
                && self.health.get(&host).is_some_and(|o| o.state != h.state)
            {
                tracing::warn!(%host, failures = h.consecutive_failures, "host unreachable");
            }
            self.health.insert(host, h);
        }
        Ok(())
    }

    fn unref(&mut self, activity_id: i64) {
        if let Some(entry) = self.bodies.get_mut(&activity_id) {
            entry.1 = entry.1.saturating_sub(1);
            if entry.1 == 0 {
                self.bodies.remove(&activity_id);
            }
        }
    }
}

/// Writes the outcome of one attempt inside the batch's transaction.
async fn record(tx: &mut db::Tx, c: &Completion, now: i64) -> anyhow::Result<&'static str> {
    let error = c.attempt.error.clone().unwrap_or_default();
    Ok(match c.attempt.outcome {
        // Written together by the caller.
        Outcome::Delivered => "delivered",
        Outcome::Retry { retry_after } => {
            match backoff::retry_delay(c.d.attempts + 1, retry_after) {
                Some(delay) => {
                    let next = now + delay.as_millis() as i64;
                    db::deliveries::mark_retry(tx.exec(), c.d.id, next, &error, now).await?;
                    "retried"
                }
                None => {
                    db::deliveries::mark_failed(tx.exec(), c.d.id, &error, now).await?;
                    "failed"
                }
            }
        }
        Outcome::Permanent => {
            db::deliveries::mark_failed(tx.exec(), c.d.id, &error, now).await?;
            if c.attempt.status == Some(410) {
                let gone = db::followers::remove_by_inbox(tx.exec(), &c.d.inbox).await?;
                if gone > 0 {
                    tracing::info!(inbox = %c.d.inbox, "inbox is gone: follower removed");
                }
            }
            "failed"
        }
    })
}
