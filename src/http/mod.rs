//! Thin HTTP handlers: extract, call one function, map the result to a response.

pub mod activitypub;
pub mod api;
pub mod feeds;
pub mod inbox;
pub mod negotiate;
pub mod pages;
pub mod wellknown;

use crate::context::AppContext;
use activitypub_federation::config::{FederationConfig, FederationMiddleware};
use axum::{
    Router,
    extract::DefaultBodyLimit,
    routing::{get, post},
};

/// Largest request body we read, on any route: 1 MB, as for signed activities.
pub const MAX_BODY: usize = 1024 * 1024;

/// Every route of an instance.
pub fn router(fed: FederationConfig<AppContext>) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/healthz", get(pages::healthz))
        .route("/metrics", get(pages::metrics))
        .route("/feed.atom", get(feeds::own_atom))
        .route("/network/feed.atom", get(feeds::network_atom))
        .route("/calendar.ics", get(feeds::own_ics))
        .route("/network/calendar.ics", get(feeds::network_ics))
        .route("/.well-known/webfinger", get(wellknown::webfinger))
        .route("/.well-known/host-meta", get(wellknown::host_meta))
        .route("/.well-known/nodeinfo", get(wellknown::nodeinfo_links))
        .route("/nodeinfo/2.1", get(wellknown::nodeinfo))
        .route("/u/{username}", get(activitypub::actor))
        .route("/u/{username}/inbox", post(inbox::inbox))
        .route("/inbox", post(inbox::inbox))
        .route("/u/{username}/outbox", get(activitypub::outbox))
        .route("/u/{username}/followers", get(activitypub::followers))
        .route("/u/{username}/following", get(activitypub::following))
        .route("/posts/{id}", get(activitypub::post))
        .route("/activities/{id}", get(activitypub::activity))
        .nest("/api/v1", api::router())
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(FederationMiddleware::new(fed))
}
