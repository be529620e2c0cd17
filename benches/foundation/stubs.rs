//! The peer hosts of the fan-out benchmark, in their own process
//! (`MAILLAGE_BENCH_ROLE=stubs`), so that the instance's CPU is measured alone: `hosts` axum
//! listeners on 127.0.0.1 that read each delivery and answer 202 after a delay, except the
//! black-holed ones, which accept the connection and never answer. A control listener
//! reports what arrived.

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::json;
use std::{
    io::Write,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

struct Stats {
    delay: Duration,
    blackholed: AtomicUsize,
    answered: AtomicU64,
    unsigned: AtomicU64,
    held: AtomicU64,
    per_host: Vec<AtomicU64>,
    /// Epoch milliseconds of the last answer given by a healthy host.
    last_answer_ms: Mutex<f64>,
}

fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

async fn inbox(
    State((stats, host)): State<(Arc<Stats>, usize)>,
    headers: HeaderMap,
    _body: Bytes,
) -> StatusCode {
    if host < stats.blackholed.load(Ordering::Relaxed) {
        stats.held.fetch_add(1, Ordering::Relaxed);
        std::future::pending::<()>().await;
    }
    tokio::time::sleep(stats.delay).await;
    if !headers.contains_key("signature") {
        stats.unsigned.fetch_add(1, Ordering::Relaxed);
    }
    stats.per_host[host].fetch_add(1, Ordering::Relaxed);
    stats.answered.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut last) = stats.last_answer_ms.lock() {
        *last = last.max(epoch_ms());
    }
    StatusCode::ACCEPTED
}

#[derive(Deserialize)]
struct Reset {
    blackholed: usize,
}

async fn reset(State(stats): State<Arc<Stats>>, Query(q): Query<Reset>) -> StatusCode {
    stats.blackholed.store(q.blackholed, Ordering::Relaxed);
    stats.answered.store(0, Ordering::Relaxed);
    stats.unsigned.store(0, Ordering::Relaxed);
    stats.held.store(0, Ordering::Relaxed);
    for h in &stats.per_host {
        h.store(0, Ordering::Relaxed);
    }
    if let Ok(mut last) = stats.last_answer_ms.lock() {
        *last = 0.0;
    }
    StatusCode::NO_CONTENT
}

async fn report(State(stats): State<Arc<Stats>>) -> Json<serde_json::Value> {
    let per: Vec<u64> = stats
        .per_host
        .iter()
        .map(|h| h.load(Ordering::Relaxed))
        .collect();
    let last = stats.last_answer_ms.lock().map_or(0.0, |l| *l);
    Json(json!({
        "answered": stats.answered.load(Ordering::Relaxed),
        "unsigned": stats.unsigned.load(Ordering::Relaxed),
        "held": stats.held.load(Ordering::Relaxed),
        "per_host": per,
        "last_answer_ms": last,
    }))
}

/// The process's main: `MAILLAGE_BENCH_HOSTS` hosts answering after
/// `MAILLAGE_BENCH_DELAY_MS`; prints one line of JSON: the control port and the hosts' ports.
pub fn main() {
    let hosts: usize = std::env::var("MAILLAGE_BENCH_HOSTS")
        .unwrap()
        .parse()
        .unwrap();
    let delay: u64 = std::env::var("MAILLAGE_BENCH_DELAY_MS")
        .unwrap()
        .parse()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let stats = Arc::new(Stats {
            delay: Duration::from_millis(delay),
            blackholed: AtomicUsize::new(0),
            answered: AtomicU64::new(0),
            unsigned: AtomicU64::new(0),
            held: AtomicU64::new(0),
            per_host: (0..hosts).map(|_| AtomicU64::new(0)).collect(),
            last_answer_ms: Mutex::new(0.0),
        });
        let mut ports = Vec::with_capacity(hosts);
        for host in 0..hosts {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            ports.push(listener.local_addr().unwrap().port());
            let app = Router::new()
                .route("/inbox", post(inbox))
                .route("/users/{name}/inbox", post(inbox))
                .with_state((stats.clone(), host));
            tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        }
        let control = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let control_port = control.local_addr().unwrap().port();
        let app = Router::new()
            .route("/reset", post(reset))
            .route("/report", get(report))
            .with_state(stats);
        println!("{}", json!({ "control": control_port, "ports": ports }));
        let _ = std::io::stdout().flush();
        axum::serve(control, app).await.unwrap();
    });
}
