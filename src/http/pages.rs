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
/// `/metrics` on the public listener: only with `metrics.token` set and shown as a bearer
/// token, and never when `metrics.listen` serves them elsewhere.
pub async fn metrics(
    data: Data<AppContext>,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    let m = &data.config.metrics;
    if m.listen.is_some() || m.token.is_none() {
        return Err(crate::error::AppError::NotFound(
            "metrics are not served on this address (see metrics.token and metrics.listen)".into(),
        ));
    }
    check_token(&data, &headers)?;
    render_metrics(&data).await
}

/// Compares the bearer token with `metrics.token` (when one is set) in constant time.
pub fn check_token(data: &AppContext, headers: &axum::http::HeaderMap) -> AppResult<()> {
    let Some(expected) = &data.config.metrics.token else {
        return Ok(());
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    let same = a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
    if same {
        Ok(())
    } else {
        Err(crate::error::AppError::Unauthorized(
            "metrics need the token of metrics.token (Authorization: Bearer …)".into(),
        ))
    }
}

/// The private metrics listener of `metrics.listen`: `/metrics` only.
pub fn metrics_router(ctx: AppContext) -> axum::Router {
    async fn private(
        axum::extract::State(ctx): axum::extract::State<AppContext>,
        headers: axum::http::HeaderMap,
    ) -> AppResult<Response> {
        check_token(&ctx, &headers)?;
        render_metrics(&ctx).await
    }
    axum::Router::new()
        .route("/metrics", axum::routing::get(private))
        .with_state(ctx)
}

/// The Prometheus text of `/metrics`.
pub async fn render_metrics(data: &AppContext) -> AppResult<Response> {
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
