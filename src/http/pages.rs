//! Public HTML pages (minimal for now) and the health check.

use crate::{context::AppContext, db, error::AppResult};
use activitypub_federation::config::Data;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};

/// 200 while the database answers reads and accepts a write, 503 otherwise with the cause.
pub async fn healthz(data: Data<AppContext>) -> (StatusCode, &'static str) {
    if let Err(e) = data.db.ping().await {
        tracing::warn!(error = ?e, "health check failed");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n");
    }
    let probe = async {
        db::health::write_probe(data.db.write(), data.now().timestamp_millis()).await?;
        db::health::disk_probe(&data.db).await
    };
    match probe.await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(e) if db::health::is_storage_full(&e) => {
            tracing::error!(error = ?e, "health check: the database cannot be written");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "database unwritable: disk or database full\n",
            )
        }
        Err(e) => {
            tracing::error!(error = ?e, "health check: the database cannot be written");
            (StatusCode::SERVICE_UNAVAILABLE, "database unwritable\n")
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
