//! ActivityPub: wire shapes (`protocol`), the library's object traits (`objects`), incoming
//! activities (`activities`, one file per type), and the library configuration.

pub mod activities;
pub mod fetch_signing;
pub mod httpsig;
pub mod objects;
pub mod signer;

pub use httpsig::{cavage, rfc9421};

use crate::context::AppContext;
use activitypub_federation::config::{FederationConfig, UrlVerifier};
use anyhow::Context;
use std::time::Duration;

/// Checks that two ids share scheme, host and port. The library's own check compares host
/// names only, which lets `localhost:1` speak for `localhost:2`.
pub fn verify_same_origin(a: &url::Url, b: &url::Url) -> Result<(), crate::error::AppError> {
    if a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
    {
        Ok(())
    } else {
        Err(crate::error::AppError::Invalid(format!(
            "{a} and {b} are not on the same server"
        )))
    }
}

/// Timeout of every outgoing request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTP client for every outgoing request: no redirects followed automatically, timeouts,
/// and outside development mode a DNS resolver that refuses private and loopback addresses.
pub fn http_client(dev: bool) -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(REQUEST_TIMEOUT)
        .user_agent(concat!("Maillage/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(std::sync::Arc::new(
            activitypub_federation::resolver::ValidatingDnsResolver::new(vec![], !dev),
        ))
        .build()
        .context("building the HTTP client")
}

/// Refuses every URL of a blocked domain (in allowlist mode, of a domain not allowed), so
/// that nothing is fetched from it (the library calls this before each fetch and for each
/// received activity id).
#[derive(Clone)]
struct Verifier(crate::db::Db, std::sync::Arc<crate::memory::BlockList>);

#[async_trait::async_trait]
impl UrlVerifier for Verifier {
    async fn verify(&self, url: &url::Url) -> Result<(), activitypub_federation::error::Error> {
        let origin = objects::actor::authority(url);
        match self.1.is_blocked(&self.0, &origin).await {
            Ok(false) => Ok(()),
            Ok(true) => Err(activitypub_federation::error::Error::UrlVerificationError(
                "the domain is blocked or not on the allowlist",
            )),
            Err(e) => Err(activitypub_federation::error::Error::Other(format!(
                "checking domain blocks: {e:#}"
            ))),
        }
    }
}

/// Builds the federation library's configuration around `ctx`. Every fetch it makes (actors,
/// objects) is signed with the centre's key, as Mastodon does ([`fetch_signing`]).
pub async fn federation_config(
    ctx: AppContext,
    client: reqwest::Client,
) -> anyhow::Result<FederationConfig<AppContext>> {
    let dev = ctx.config.dev;
    let client = reqwest_middleware::ClientBuilder::new(client)
        .with(fetch_signing::SignFetches {
            signing: ctx.signing.clone(),
            key_id: ctx.urls.key_id().to_string(),
        })
        .build();
    let verifier = Verifier(ctx.db.clone(), ctx.blocks.clone());
    FederationConfig::builder()
        .domain(ctx.config.domain.clone())
        .app_data(ctx)
        .debug(dev)
        .allow_http_urls(dev)
        .http_fetch_limit(50)
        .request_timeout(REQUEST_TIMEOUT)
        .client(client)
        .url_verifier(Box::new(verifier))
        .build()
        .await
        .context("configuring federation")
}
