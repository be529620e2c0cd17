//! Claims due deliveries, signs each with the centre's key, sends it and records the outcome.
//!
//! Deliveries are grouped by destination host. Each host has a bounded number of requests in
//! flight and a bounded share of each round, so one slow host cannot hold up the rest; a host
//! whose circuit is open (see [`super::breaker`]) gets its deliveries held instead.

use super::{
    backoff::{self, Outcome},
    breaker::{self, Gate},
};
use crate::{
    context::AppContext,
    db::{self, deliveries::ClaimedDelivery},
    federation::{AP_CONTENT_TYPE, REQUEST_TIMEOUT, objects::actor::authority},
};
use activitypub_federation::config::FederationConfig;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use reqwest_middleware::ClientWithMiddleware;
use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::{Semaphore, watch};
use url::Url;

/// How long a claimed delivery stays leased to its worker. A worker that dies releases its
/// rows when the lease expires; another worker then takes them up.
pub const LEASE: Duration = Duration::from_secs(120);

/// Deliveries claimed per round.
const BATCH: i64 = 256;

/// Deliveries to one host attempted per round; the rest go back to the queue at once, so a
/// backlog for one host cannot fill every round.
const PER_HOST_PER_ROUND: usize = 32;

/// On shutdown, how long an unfinished round may still run before its deliveries are handed
/// back to the queue.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Counts of one or more rounds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    pub attempted: usize,
    pub delivered: usize,
    pub retried: usize,
    pub failed: usize,
    /// Claimed but held back (open circuit or fairness) without an attempt.
    pub deferred: usize,
}

impl RoundReport {
    fn add(&mut self, o: RoundReport) {
        self.attempted += o.attempted;
        self.delivered += o.delivered;
        self.retried += o.retried;
        self.failed += o.failed;
        self.deferred += o.deferred;
    }
}

/// Rounds a worker runs at once, so that one round's claim and bookkeeping overlap another's
/// requests and the signing cores never wait on the queue.
const PIPELINE: usize = 2;

/// The delivery worker of one instance. Clones share their in-flight set, their concurrency
/// budget and their per-host locks.
#[derive(Clone)]
pub struct Deliverer {
    ctx: AppContext,
    fed: FederationConfig<AppContext>,
    client: ClientWithMiddleware,
    in_flight: Arc<Mutex<HashSet<i64>>>,
    /// Requests in flight across all rounds (`delivery.concurrency`).
    global: Arc<Semaphore>,
    /// One lock per host: a host's batch is handled by one round at a time, so the per-host
    /// bound holds and its health is read and written by one round at a time.
    host_locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// The centre's key, for RFC 9421 signatures (draft-cavage goes through the library).
    key: Arc<rsa::RsaPrivateKey>,
}

/// How a delivery is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    Cavage,
    Rfc9421,
}

/// What one attempt did, for the round's report and the host's health.
struct Done {
    answered: bool,
    error: String,
    outcome: &'static str,
}

/// The result of one attempt, before it is written back.
struct Attempt {
    outcome: Outcome,
    /// The HTTP status, when the server answered.
    status: Option<u16>,
    error: Option<String>,
}

impl Attempt {
    /// Whether the answer proves the server is up (for the circuit breaker).
    fn server_answered(&self) -> bool {
        matches!(self.status, Some(s) if s < 500 && s != 408 && s != 429)
    }
}

impl Deliverer {
    pub fn new(
        ctx: AppContext,
        fed: FederationConfig<AppContext>,
        client: reqwest::Client,
    ) -> anyhow::Result<Deliverer> {
        use rsa::pkcs8::DecodePrivateKey;
        let key = Arc::new(
            rsa::RsaPrivateKey::from_pkcs8_pem(&ctx.centre.private_key_pem)
                .map_err(|e| anyhow::anyhow!("reading the centre's private key: {e}"))?,
        );
        let global = Arc::new(Semaphore::new(ctx.config.delivery.concurrency));
        Ok(Deliverer {
            ctx,
            fed,
            client: client.into(),
            in_flight: Arc::default(),
            global,
            host_locks: Arc::default(),
            key,
        })
    }

    /// Runs one round: claims up to a batch of deliveries due at `now` and attempts them.
    #[tracing::instrument(skip_all, err)]
    pub async fn run_round(&self, now: DateTime<Utc>) -> anyhow::Result<RoundReport> {
        let now_ms = now.timestamp_millis();
        let lease_until = now_ms + LEASE.as_millis() as i64;
        let db = &self.ctx.db;
        let claimed =
            db::deliveries::claim_due(db.write(), db.backend(), now_ms, lease_until, BATCH).await?;
        if claimed.is_empty() {
            return Ok(RoundReport::default());
        }
        if let Ok(mut set) = self.in_flight.lock() {
            set.extend(claimed.iter().map(|d| d.id));
        }
        let mut bodies: HashMap<i64, bytes::Bytes> = HashMap::new();
        for d in &claimed {
            if !bodies.contains_key(&d.activity_id)
                && let Some(a) = db::deliveries::find_activity(db.read(), d.activity_id).await?
            {
                bodies.insert(d.activity_id, bytes::Bytes::from(a.json.into_bytes()));
            }
        }
        let mut by_host: BTreeMap<String, Vec<ClaimedDelivery>> = BTreeMap::new();
        for d in claimed {
            by_host.entry(d.host.clone()).or_default().push(d);
        }
        let results = futures::future::join_all(
            by_host
                .into_iter()
                .map(|(host, ds)| self.run_host(host, ds, &bodies, now_ms)),
        )
        .await;
        let mut report = RoundReport::default();
        for r in results {
            report.add(r?);
        }
        tracing::info!(
            attempted = report.attempted,
            delivered = report.delivered,
            retried = report.retried,
            failed = report.failed,
            deferred = report.deferred,
            "delivery round"
        );
        Ok(report)
    }

    /// Attempts the deliveries claimed for one host, as its circuit allows.
    async fn run_host(
        &self,
        host: String,
        deliveries: Vec<ClaimedDelivery>,
        bodies: &HashMap<i64, bytes::Bytes>,
        now: i64,
    ) -> anyhow::Result<RoundReport> {
        let db = &self.ctx.db;
        let lock = match self.host_locks.lock() {
            Ok(mut locks) => locks.entry(host.clone()).or_default().clone(),
            Err(_) => Arc::default(),
        };
        let _host = lock.lock().await;
        let mut report = RoundReport::default();
        let mut health = db::hosts::find(db.read(), &host)
            .await?
            .unwrap_or_else(|| breaker::new_host(&host, now));
        let take = match breaker::gate(&health, now) {
            Gate::Open => PER_HOST_PER_ROUND,
            Gate::Probe => 1,
            Gate::Closed { until } => {
                for d in &deliveries {
                    self.give_back(d.id, until.max(d.next_attempt_at), now)
                        .await?;
                    report.deferred += 1;
                    self.ctx.metrics.delivery("deferred");
                }
                return Ok(report);
            }
        };
        let mut deliveries = deliveries;
        let rest = deliveries.split_off(take.min(deliveries.len()));
        for d in &rest {
            self.give_back(d.id, d.next_attempt_at, now).await?;
            report.deferred += 1;
        }
        let per_host = self.ctx.config.delivery.per_host_concurrency;
        let rfc9421 = std::sync::atomic::AtomicBool::new(
            health.signature_scheme.as_deref() == Some("rfc9421"),
        );
        let rfc9421 = &rfc9421;
        // Each outcome is written as soon as it is known, so the database work overlaps the
        // requests still in flight.
        let results: Vec<anyhow::Result<Done>> = futures::stream::iter(deliveries)
            .map(|d| async move {
                let attempt = match bodies.get(&d.activity_id).cloned() {
                    Some(body) => {
                        let _permit = self.global.acquire().await;
                        let started = Instant::now();
                        let a = self.attempt(&d.inbox, body, rfc9421).await;
                        self.ctx.metrics.attempt(started.elapsed().as_secs_f64());
                        a
                    }
                    None => Attempt {
                        outcome: Outcome::Permanent,
                        status: None,
                        error: Some("activity missing".into()),
                    },
                };
                let done = self.record(&d, &attempt, now).await;
                self.forget(d.id);
                done
            })
            .buffer_unordered(per_host)
            .collect()
            .await;
        let done_at = self.ctx.now().timestamp_millis().max(now);
        for done in results {
            let done = done?;
            report.attempted += 1;
            match done.outcome {
                "delivered" => report.delivered += 1,
                "retried" => report.retried += 1,
                _ => report.failed += 1,
            }
            health = if done.answered {
                breaker::on_answer(&health, done_at)
            } else {
                breaker::on_failure(&health, done_at, &done.error)
            };
        }
        health.signature_scheme = rfc9421
            .load(std::sync::atomic::Ordering::Relaxed)
            .then(|| "rfc9421".to_string());
        if health.state == breaker::UNREACHABLE {
            tracing::warn!(%host, failures = health.consecutive_failures, "host unreachable");
        }
        db::hosts::upsert(db.write(), &health).await?;
        Ok(report)
    }

    /// Writes the outcome of one attempt.
    async fn record(
        &self,
        d: &ClaimedDelivery,
        attempt: &Attempt,
        now: i64,
    ) -> anyhow::Result<Done> {
        let db = &self.ctx.db;
        let done_at = self.ctx.now().timestamp_millis().max(now);
        let error = attempt.error.clone().unwrap_or_default();
        let outcome = match attempt.outcome {
            Outcome::Delivered => {
                db::deliveries::mark_done(db.write(), d.id, done_at).await?;
                "delivered"
            }
            Outcome::Retry { retry_after } => {
                match backoff::retry_delay(d.attempts + 1, retry_after) {
                    Some(delay) => {
                        let next = now + delay.as_millis() as i64;
                        db::deliveries::mark_retry(db.write(), d.id, next, &error, done_at).await?;
                        "retried"
                    }
                    None => {
                        db::deliveries::mark_failed(db.write(), d.id, &error, done_at).await?;
                        "failed"
                    }
                }
            }
            Outcome::Permanent => {
                db::deliveries::mark_failed(db.write(), d.id, &error, done_at).await?;
                if attempt.status == Some(410) {
                    let gone = db::followers::remove_by_inbox(db.write(), &d.inbox).await?;
                    if gone > 0 {
                        tracing::info!(inbox = %d.inbox, "inbox is gone: follower removed");
                    }
                }
                "failed"
            }
        };
        self.ctx.metrics.delivery(outcome);
        Ok(Done {
            answered: attempt.server_answered(),
            error,
            outcome,
        })
    }

    async fn give_back(&self, id: i64, next_attempt_at: i64, now: i64) -> anyhow::Result<()> {
        db::deliveries::release(self.ctx.db.write(), id, next_attempt_at, now).await?;
        self.forget(id);
        Ok(())
    }

    fn forget(&self, id: i64) {
        if let Ok(mut set) = self.in_flight.lock() {
            set.remove(&id);
        }
    }

    /// Hands every delivery this worker still holds back to the queue, due now.
    pub async fn release_in_flight(&self) -> anyhow::Result<usize> {
        let ids: Vec<i64> = match self.in_flight.lock() {
            Ok(mut set) => set.drain().collect(),
            Err(_) => return Ok(0),
        };
        let now = self.ctx.now().timestamp_millis();
        for id in &ids {
            db::deliveries::release(self.ctx.db.write(), *id, now, now).await?;
        }
        Ok(ids.len())
    }

    /// Runs rounds until nothing is due at `now` (deferred deliveries stay queued), with
    /// [`PIPELINE`] rounds in flight at once.
    pub async fn drain(&self, now: DateTime<Utc>) -> anyhow::Result<RoundReport> {
        let lanes = futures::future::join_all((0..PIPELINE).map(|_| async move {
            let mut total = RoundReport::default();
            loop {
                let r = self.run_round(now).await?;
                total.add(r);
                if r.attempted == 0 {
                    return anyhow::Ok(total);
                }
            }
        }))
        .await;
        let mut total = RoundReport::default();
        for lane in lanes {
            total.add(lane?);
        }
        Ok(total)
    }

    /// The worker loop of `serve`: drains the queue, then sleeps until woken by a new
    /// delivery, the poll interval, or shutdown. On shutdown an unfinished round gets a short
    /// grace period; what it has not finished by then goes back to the queue.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let poll = Duration::from_secs(self.ctx.config.delivery.poll_interval_secs);
        loop {
            if *shutdown.borrow() {
                return;
            }
            let round = self.drain(self.ctx.now());
            tokio::pin!(round);
            let stopping = tokio::select! {
                r = &mut round => {
                    if let Err(e) = r {
                        tracing::error!(error = ?e, "delivery round failed");
                    }
                    false
                }
                _ = shutdown.wait_for(|s| *s) => true,
            };
            if stopping {
                if tokio::time::timeout(SHUTDOWN_GRACE, &mut round)
                    .await
                    .is_err()
                {
                    match self.release_in_flight().await {
                        Ok(n) => {
                            tracing::info!(released = n, "deliveries handed back to the queue")
                        }
                        Err(e) => {
                            tracing::error!(error = ?e, "could not release deliveries; their leases will expire")
                        }
                    }
                }
                return;
            }
            tokio::select! {
                _ = self.ctx.delivery_wakeup.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    /// Sends with the scheme the host is known to take; a 401 or 400 to one scheme is retried
    /// at once with the other, and the one that worked is remembered for the host.
    #[tracing::instrument(skip_all, fields(inbox = %inbox))]
    async fn attempt(
        &self,
        inbox: &str,
        body: bytes::Bytes,
        rfc9421: &std::sync::atomic::AtomicBool,
    ) -> Attempt {
        use std::sync::atomic::Ordering;
        let first = if rfc9421.load(Ordering::Relaxed) {
            Scheme::Rfc9421
        } else {
            Scheme::Cavage
        };
        let mut result = self.send(inbox, body.clone(), first).await;
        if matches!(result, Ok((400 | 401, _))) {
            let other = if first == Scheme::Cavage {
                Scheme::Rfc9421
            } else {
                Scheme::Cavage
            };
            let retried = self.send(inbox, body, other).await;
            if matches!(retried, Ok((200..=299, _))) {
                tracing::info!(?other, "the host takes the other signature scheme");
                rfc9421.store(other == Scheme::Rfc9421, Ordering::Relaxed);
                result = retried;
            }
        }
        match result {
            Ok((status, retry_after)) => {
                let outcome = backoff::classify(status, retry_after);
                let error = (outcome != Outcome::Delivered).then(|| format!("HTTP {status}"));
                Attempt {
                    outcome,
                    status: Some(status),
                    error,
                }
            }
            Err(e) => Attempt {
                outcome: Outcome::Retry { retry_after: None },
                status: None,
                error: Some(format!("{e:#}")),
            },
        }
    }

    /// Signs and POSTs `body` to `inbox`; returns the status and any `Retry-After`.
    async fn send(
        &self,
        inbox: &str,
        body: bytes::Bytes,
        scheme: Scheme,
    ) -> anyhow::Result<(u16, Option<Duration>)> {
        let url = Url::parse(inbox)?;
        if scheme == Scheme::Rfc9421 {
            let key = self.key.clone();
            let key_id = self.ctx.urls.key_id().to_string();
            let (target, signed_body) = (url.clone(), body.clone());
            let created = self.ctx.now().timestamp();
            let (digest, input, signature) = tokio::task::spawn_blocking(move || {
                crate::federation::rfc9421::sign_post_rsa(
                    &key,
                    &key_id,
                    &target,
                    &signed_body,
                    created,
                )
            })
            .await??;
            let response = self
                .client
                .post(url.as_str())
                .timeout(REQUEST_TIMEOUT)
                .header("content-type", AP_CONTENT_TYPE)
                .header(
                    "date",
                    httpdate::fmt_http_date(std::time::SystemTime::now()),
                )
                .header("content-digest", digest)
                .header("signature-input", input)
                .header("signature", signature)
                .body(body)
                .send()
                .await?;
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| backoff::parse_retry_after(v, std::time::SystemTime::now()));
            return Ok((response.status().as_u16(), retry_after));
        }
        let data = self.fed.to_request_data();
        let request = self
            .client
            .post(url.as_str())
            .timeout(REQUEST_TIMEOUT)
            .header("content-type", AP_CONTENT_TYPE)
            .header("host", authority(&url))
            .header(
                "date",
                httpdate::fmt_http_date(std::time::SystemTime::now()),
            );
        let request = data.sign_request(request, body).await?;
        let response = self.client.execute(request).await?;
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| backoff::parse_retry_after(v, std::time::SystemTime::now()));
        Ok((response.status().as_u16(), retry_after))
    }
}
