//! Thin HTTP handlers: extract, call one function, map the result to a response.

pub mod activitypub;
pub mod api;
pub mod authorized;
pub mod client_ip;
pub mod feeds;
pub mod guard;
pub mod inbox;
pub mod negotiate;
pub mod pages;
pub mod rate_limit;
pub mod statements;
pub mod web;
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
        .route("/", get(web::public::home))
        .route("/network", get(web::public::network))
        .route("/calendar", get(web::calendar_page::calendar))
        .route("/statements", get(web::signed_statements::page))
        .route("/tags/{tag}", get(web::public::tag))
        .route("/follow", get(web::public::remote_follow))
        .route("/media/{id}", get(web::public::media))
        .route("/static/style.css", get(web::stylesheet))
        .nest("/console", console_router())
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
        .route("/statements/{id}", get(statements::statement))
        .route("/signatures/{id}", get(statements::signature))
        .nest("/api/v1", api::router())
        .fallback(|| async { crate::error::AppError::NotFound("no such page".into()) })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn(web::remember_lang))
        .layer(axum::middleware::from_fn(web::error_pages::html_errors))
        .layer(FederationMiddleware::new(fed))
        .layer(axum::middleware::from_fn(guard::security_headers))
}

/// The staff console. The profile form takes a logo upload and the compose forms an image,
/// so their body limits are larger.
fn console_router() -> Router {
    use web::console::{
        admin, auth, boosts, cosign, domains, own_signatures, participants, participations, posts,
        reports, statement_form, statements,
    };
    Router::new()
        .route("/", get(posts::dashboard))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/setup", get(auth::setup_form).post(auth::setup))
        .route("/posts", get(posts::list))
        .route(
            "/compose",
            get(posts::compose_form)
                .post(posts::create)
                .layer(DefaultBodyLimit::max(api::media::BODY_LIMIT)),
        )
        .route(
            "/posts/{id}/edit",
            get(posts::edit_form)
                .post(posts::edit)
                .layer(DefaultBodyLimit::max(api::media::BODY_LIMIT)),
        )
        .route(
            "/posts/{id}/delete",
            get(posts::delete_form).post(posts::delete),
        )
        .route("/posts/{id}/participants", get(participants::view))
        .route("/posts/{id}/participants.csv", get(participants::csv))
        .route(
            "/posts/{id}/participants/{pid}/accept",
            post(participants::accept),
        )
        .route(
            "/posts/{id}/participants/{pid}/reject",
            post(participants::reject),
        )
        .route("/boosts", get(boosts::view).post(boosts::boost))
        .route(
            "/participations",
            get(participations::view).post(participations::join),
        )
        .route("/boosts/{id}/undo", post(boosts::undo))
        .route("/follows", get(admin::follows_view).post(admin::follow))
        .route("/follows/{id}/unfollow", post(admin::unfollow))
        .route("/followers/{id}/approve", post(admin::approve))
        .route("/followers/{id}/reject", post(admin::reject))
        .route("/deliveries", get(admin::deliveries))
        .route("/deliveries/{id}/retry", post(admin::retry))
        .route("/tokens", get(admin::tokens_view).post(admin::token_create))
        .route("/tokens/{id}/revoke", post(admin::token_revoke))
        .route("/domains", get(domains::view))
        .route("/domains/block", post(domains::block))
        .route("/domains/unblock", post(domains::unblock))
        .route("/domains/allow", post(domains::allow))
        .route("/domains/disallow", post(domains::disallow))
        .route("/reports", get(reports::list))
        .route("/reports/new", get(reports::new_form).post(reports::send))
        .route("/reports/{id}/resolve", post(reports::resolve))
        .route("/reports/{id}/hide", post(reports::hide))
        .route("/reports/{id}/block", post(reports::block))
        .route(
            "/profile",
            get(admin::profile_view)
                .post(admin::profile_save)
                .layer(DefaultBodyLimit::max(3 * 1024 * 1024)),
        )
        .route("/users", get(admin::users_view).post(admin::user_add))
        .route(
            "/statements",
            get(statements::list).post(statement_form::create),
        )
        .route("/statements/new", get(statement_form::new_form))
        .route("/statements/settings", post(cosign::settings))
        .route("/statements/{id}", get(statements::detail))
        .route(
            "/statements/{id}/edit",
            get(statement_form::edit_form).post(statement_form::edit),
        )
        .route("/statements/{id}/invite", post(statements::invite))
        .route("/statements/{id}/publish", post(statements::publish))
        .route("/statements/{id}/verify", post(statements::verify))
        .route("/invitations", get(cosign::invitations))
        .route("/invitations/{id}/sign", post(cosign::sign))
        .route("/invitations/{id}/decline", post(cosign::decline))
        .route("/signatures", get(own_signatures::signatures))
        .route("/signatures/{id}/withdraw", post(own_signatures::withdraw))
}
