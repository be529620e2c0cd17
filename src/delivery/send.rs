//! One delivery attempt: check the target, sign with the scheme the host takes, POST, and
//! classify the answer. A 401 or 400 to one signature scheme is retried at once with the other.

use super::backoff::{self, Outcome};
use crate::{
    context::AppContext,
    federation::{REQUEST_TIMEOUT, httpsig::outbound},
    protocol::AP_CONTENT_TYPE,
};
use std::time::Duration;
use url::Url;

/// How a delivery is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Cavage,
    Rfc9421,
}

impl Scheme {
    fn other(self) -> Scheme {
        match self {
            Scheme::Cavage => Scheme::Rfc9421,
            Scheme::Rfc9421 => Scheme::Cavage,
        }
    }
}

/// The result of one attempt, before it is written back.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub outcome: Outcome,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    pub error: Option<String>,
    /// The scheme the host accepted, when it differs from the one tried first.
    pub switched_to: Option<Scheme>,
}

impl Attempt {
    /// Whether the answer proves the server is up (for the circuit breaker).
    pub fn server_answered(&self) -> bool {
        matches!(self.status, Some(s) if s < 500 && s != 408 && s != 429)
    }

    fn refused(error: String) -> Attempt {
        Attempt {
            outcome: Outcome::Permanent,
            status: None,
            error: Some(error),
            switched_to: None,
        }
    }
}

/// What every attempt needs: the context (its signing thread holds the centre's key) and the
/// client.
#[derive(Clone)]
pub struct Sender {
    pub ctx: AppContext,
    pub client: reqwest::Client,
}

impl Sender {
    /// Attempts one delivery of `body` to `inbox`, signing first with `first`.
    #[tracing::instrument(level = "debug", skip_all, fields(inbox = %inbox))]
    pub async fn attempt(&self, inbox: &str, body: bytes::Bytes, first: Scheme) -> Attempt {
        let url = match Url::parse(inbox) {
            Ok(u) => u,
            Err(e) => return Attempt::refused(format!("inbox {inbox:?} is not a URL: {e}")),
        };
        if let Err(why) = super::target::check(&url, self.ctx.config.dev) {
            tracing::warn!(%inbox, %why, "delivery target refused");
            return Attempt::refused(why);
        }
        let authority = crate::federation::objects::actor::authority(&url);
        match self.ctx.blocks.is_blocked(&self.ctx.db, &authority).await {
            Ok(false) => {}
            Ok(true) => {
                tracing::info!(%inbox, "delivery to a blocked or not allowed domain dropped");
                return Attempt::refused(format!("{authority} is blocked or not allowed"));
            }
            Err(e) => {
                return Attempt {
                    outcome: Outcome::Retry { retry_after: None },
                    status: None,
                    error: Some(format!("checking the domain lists: {e:#}")),
                    switched_to: None,
                };
            }
        }
        let mut switched_to = None;
        let mut result = self.send(&url, body.clone(), first).await;
        if matches!(result, Ok((400 | 401, _))) {
            let other = first.other();
            let retried = self.send(&url, body, other).await;
            if matches!(retried, Ok((200..=299, _))) {
                tracing::info!(%inbox, ?other, "the host takes the other signature scheme");
                switched_to = Some(other);
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
                    switched_to,
                }
            }
            Err(e) => Attempt {
                outcome: Outcome::Retry { retry_after: None },
                status: None,
                error: Some(format!("{e:#}")),
                switched_to,
            },
        }
    }

    /// Signs and POSTs `body` to `url`; returns the status and any `Retry-After`.
    async fn send(
        &self,
        url: &Url,
        body: bytes::Bytes,
        scheme: Scheme,
    ) -> anyhow::Result<(u16, Option<Duration>)> {
        let key_id = self.ctx.urls.key_id().to_string();
        let target = url.clone();
        let signed_body = body.clone();
        let date = httpdate::fmt_http_date(std::time::SystemTime::now());
        let request = self
            .client
            .post(url.as_str())
            .timeout(REQUEST_TIMEOUT)
            .header("content-type", AP_CONTENT_TYPE);
        let request = match scheme {
            Scheme::Rfc9421 => {
                let created = self.ctx.now().timestamp();
                let h = self
                    .ctx
                    .signing
                    .with_key(move |k| {
                        outbound::sign_rfc9421_post(k, &key_id, &target, &signed_body, created)
                    })
                    .await??;
                request
                    .header("date", date)
                    .header("content-digest", h.content_digest)
                    .header("signature-input", h.signature_input)
                    .header("signature", h.signature)
            }
            Scheme::Cavage => {
                let h = self
                    .ctx
                    .signing
                    .with_key(move |k| {
                        outbound::sign_cavage(k, &key_id, "POST", &target, date, Some(&signed_body))
                    })
                    .await??;
                request
                    .header("host", h.host)
                    .header("date", h.date)
                    .header("digest", h.digest.unwrap_or_default())
                    .header("signature", h.signature)
            }
        };
        let response = request.body(body).send().await?;
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| backoff::parse_retry_after(v, std::time::SystemTime::now()));
        Ok((response.status().as_u16(), retry_after))
    }
}
