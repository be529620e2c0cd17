//! Public HTML pages (minimal for now) and the health check.

use crate::{context::AppContext, db, error::AppResult};
use activitypub_federation::config::Data;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};

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
