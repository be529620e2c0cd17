//! Claims due deliveries, signs each with the centre's key, sends it and records the outcome.

use super::backoff::{self, Outcome};
use crate::{
    context::AppContext,
    db,
    federation::{AP_CONTENT_TYPE, REQUEST_TIMEOUT, objects::actor::authority},
};
use activitypub_federation::config::FederationConfig;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use reqwest_middleware::ClientWithMiddleware;
use std::{collections::HashMap, time::Duration};
use tokio::sync::watch;
use url::Url;

/// How long a claimed delivery stays leased to its worker. A worker that dies releases its
/// rows when the lease expires.
pub const LEASE: Duration = Duration::from_secs(120);

/// Deliveries claimed per round.
const BATCH: i64 = 256;

/// Counts of one or more rounds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    pub attempted: usize,
    pub delivered: usize,
    pub retried: usize,
    pub failed: usize,
}

impl RoundReport {
    fn add(&mut self, o: RoundReport) {
        self.attempted += o.attempted;
        self.delivered += o.delivered;
        self.retried += o.retried;
        self.failed += o.failed;
    }
}

/// The delivery worker of one instance.
#[derive(Clone)]
pub struct Deliverer {
    ctx: AppContext,
    fed: FederationConfig<AppContext>,
    client: ClientWithMiddleware,
}

/// The result of one attempt, before it is written back.
struct Attempt {
    outcome: Outcome,
    error: Option<String>,
}

impl Deliverer {
    pub fn new(
        ctx: AppContext,
        fed: FederationConfig<AppContext>,
        client: reqwest::Client,
    ) -> Deliverer {
        Deliverer {
            ctx,
            fed,
            client: client.into(),
        }
    }

    /// Runs one round: claims up to a batch of deliveries due at `now` and attempts them.
    pub async fn run_round(&self, now: DateTime<Utc>) -> anyhow::Result<RoundReport> {
        let now_ms = now.timestamp_millis();
        let lease_until = now_ms + LEASE.as_millis() as i64;
        let claimed = db::deliveries::claim_due(
            self.ctx.db.write(),
            self.ctx.db.backend(),
            now_ms,
            lease_until,
            BATCH,
        )
        .await?;
        if claimed.is_empty() {
            return Ok(RoundReport::default());
        }
        let mut bodies: HashMap<i64, bytes::Bytes> = HashMap::new();
        for d in &claimed {
            if !bodies.contains_key(&d.activity_id)
                && let Some(a) =
                    db::deliveries::find_activity(self.ctx.db.read(), d.activity_id).await?
            {
                bodies.insert(d.activity_id, bytes::Bytes::from(a.json.into_bytes()));
            }
        }
        let concurrency = self.ctx.config.delivery.concurrency;
        let results: Vec<(db::deliveries::ClaimedDelivery, Attempt)> =
            futures::stream::iter(claimed)
                .map(|d| {
                    let body = bodies.get(&d.activity_id).cloned();
                    async move {
                        let attempt = match body {
                            Some(body) => self.attempt(&d.inbox, body).await,
                            None => Attempt {
                                outcome: Outcome::Permanent,
                                error: Some("activity missing".into()),
                            },
                        };
                        (d, attempt)
                    }
                })
                .buffer_unordered(concurrency)
                .collect()
                .await;
        let mut report = RoundReport::default();
        let done_at = self.ctx.now().timestamp_millis().max(now_ms);
        for (d, attempt) in results {
            report.attempted += 1;
            let error = attempt.error.unwrap_or_default();
            match attempt.outcome {
                Outcome::Delivered => {
                    report.delivered += 1;
                    db::deliveries::mark_done(self.ctx.db.write(), d.id, done_at).await?;
                }
                Outcome::Retry { retry_after } => {
                    match backoff::retry_delay(d.attempts + 1, retry_after) {
                        Some(delay) => {
                            report.retried += 1;
                            let next = now_ms + delay.as_millis() as i64;
                            db::deliveries::mark_retry(
                                self.ctx.db.write(),
                                d.id,
                                next,
                                &error,
                                done_at,
                            )
                            .await?;
                        }
                        None => {
                            report.failed += 1;
                            db::deliveries::mark_failed(self.ctx.db.write(), d.id, &error, done_at)
                                .await?;
                        }
                    }
                }
                Outcome::Permanent => {
                    report.failed += 1;
                    db::deliveries::mark_failed(self.ctx.db.write(), d.id, &error, done_at).await?;
                }
            }
        }
        tracing::info!(
            attempted = report.attempted,
            delivered = report.delivered,
            retried = report.retried,
            failed = report.failed,
            "delivery round"
        );
        Ok(report)
    }

    /// Runs rounds until nothing is due at `now`.
    pub async fn drain(&self, now: DateTime<Utc>) -> anyhow::Result<RoundReport> {
        let mut total = RoundReport::default();
        loop {
            let r = self.run_round(now).await?;
            if r.attempted == 0 {
                return Ok(total);
            }
            total.add(r);
        }
    }

    /// The worker loop of `serve`: drains the queue, then sleeps until woken by a new
    /// delivery, the poll interval, or shutdown.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let poll = Duration::from_secs(self.ctx.config.delivery.poll_interval_secs);
        loop {
            if *shutdown.borrow() {
                return;
            }
            if let Err(e) = self.drain(self.ctx.now()).await {
                tracing::error!(error = ?e, "delivery round failed");
            }
            tokio::select! {
                _ = self.ctx.delivery_wakeup.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    #[tracing::instrument(skip_all, fields(inbox = %inbox))]
    async fn attempt(&self, inbox: &str, body: bytes::Bytes) -> Attempt {
        match self.send(inbox, body).await {
            Ok((status, retry_after)) => {
                let outcome = backoff::classify(status, retry_after);
                let error = (outcome != Outcome::Delivered).then(|| format!("HTTP {status}"));
                Attempt { outcome, error }
            }
            Err(e) => Attempt {
                outcome: Outcome::Retry { retry_after: None },
                error: Some(format!("{e:#}")),
            },
        }
    }

    /// Signs and POSTs `body` to `inbox`; returns the status and any `Retry-After`.
    async fn send(
        &self,
        inbox: &str,
        body: bytes::Bytes,
    ) -> anyhow::Result<(u16, Option<Duration>)> {
        let url = Url::parse(inbox)?;
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
