//! Public HTML pages (minimal for now) and the health check.

use super::negotiate::html;
use crate::{
    context::AppContext, db, error::AppResult, federation::objects::actor::DbActor, render,
};
use activitypub_federation::config::Data;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};

pub async fn home(data: Data<AppContext>) -> AppResult<Response> {
    let centre = DbActor::local(&data).await?;
    let posts = db::posts::outbox_page(data.db.read(), db::posts::Cursor::START, 20).await?;
    Ok(html(
        StatusCode::OK,
        render::html::actor_page(&data, &centre.row, &posts),
    ))
}

/// 200 while the database answers, 503 otherwise.
pub async fn healthz(data: Data<AppContext>) -> (StatusCode, &'static str) {
    match data.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::warn!(error = ?e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n")
        }
    }
}

/// Prometheus text exposition: queue depth by state, deliveries by outcome, attempt latency,
/// and inbox activities by type.
pub async fn metrics(data: Data<AppContext>) -> AppResult<Response> {
    let queue = db::deliveries::counts(data.db.read()).await?;
    let body = data.metrics.render(&queue);
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        body,
    )
        .into_response())
}
