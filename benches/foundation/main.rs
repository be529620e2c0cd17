//! The performance benchmark: prints figures, never fails on them.
//!
//! `cargo bench --bench foundation` (quick mode, everything at a tenth of its size:
//! `MAILLAGE_BENCH_QUICK=1`).
//!
//! 1. Inbox: 20,000 pre-signed `Create{Note}` from 200 followed senders at concurrency 64,
//!    sent in alternated rounds to baseline A (the federation library's `receive_activity`
//!    and one INSERT, its own process), baseline B (Maillage's handler in this process,
//!    without HTTP) and Maillage (`maillage serve`, over loopback HTTP), each on a fresh
//!    SQLite database; then Maillage on PostgreSQL when `MAILLAGE_TEST_POSTGRES` (or
//!    `MAILLAGE_BENCH_POSTGRES`) names a server.
//! 2. Backlog: one peer sends 550,000 activities as fast as they are accepted while 20 other
//!    senders keep posting.
//! 3. Fan-out: one post to 10,000 followers on 500 hosts that answer after 100 ms.
//! 4. The network feed with 1,000,000 stored posts.
//!
//! It ends with one `target NAME: VALUE (goal …) met|not met` line per target.
//!
//! Environment: `MAILLAGE_BENCH_INBOX` (measured activities per round), `MAILLAGE_BENCH_ROUNDS`,
//! `MAILLAGE_BENCH_CONCURRENCY`, `MAILLAGE_BENCH_BACKLOG`, `MAILLAGE_BENCH_FOLLOWERS`,
//! `MAILLAGE_BENCH_HOSTS`, `MAILLAGE_BENCH_DELIVERY_CONCURRENCY`, `MAILLAGE_BENCH_ROWS`,
//! `MAILLAGE_BENCH_SKIP` (comma-separated parts to leave out: inbox, backlog, fanout, feed).
//! Only loopback is used.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backlog;
mod baseline_a;
mod common;
mod fanout;
mod feed;
mod inbox;
mod inprocess;
mod senders;
mod stubs;

use common::{env_usize, free_port, quick, sized};
use std::{sync::Arc, time::Instant};

const KEYPAIRS: usize = 8;

fn skipped(part: &str) -> bool {
    std::env::var("MAILLAGE_BENCH_SKIP").is_ok_and(|s| s.split(',').any(|p| p.trim() == part))
}

async fn run() {
    let cores = std::thread::available_parallelism().map_or(0, |c| c.get());
    let quick = quick();
    let n = sized("MAILLAGE_BENCH_INBOX", 20_000);
    let rounds = env_usize("MAILLAGE_BENCH_ROUNDS", if quick { 3 } else { 5 }).max(1);
    let concurrency = env_usize("MAILLAGE_BENCH_CONCURRENCY", 64).max(1);
    let burst = sized("MAILLAGE_BENCH_BACKLOG", 550_000);
    let rows = sized("MAILLAGE_BENCH_ROWS", 1_000_000).max(100);
    let postgres = std::env::var("MAILLAGE_BENCH_POSTGRES")
        .or_else(|_| std::env::var("MAILLAGE_TEST_POSTGRES"))
        .ok()
        .filter(|u| !u.is_empty());
    println!("Maillage benchmark (loopback only; figures are printed, never checked)");
    println!(
        "machine: {cores} cores; the load generator, the stubs and the servers share them{}",
        if quick {
            "; QUICK MODE (a tenth of the sizes)"
        } else {
            ""
        }
    );
    println!(
        "parameters: inbox {n} per round × {rounds} rounds at concurrency {concurrency}; \
         backlog {burst}; feed {rows} posts; PostgreSQL {}",
        postgres.as_deref().unwrap_or("not set (skipped)")
    );
    let all = Instant::now();
    let t = Instant::now();
    let keys = senders::keys(KEYPAIRS);
    let stub = senders::start_stub(keys.public.clone()).await;
    println!(
        "setup: {KEYPAIRS} RSA-2048 sender keys in {:.1} s; their actor documents served at {}",
        t.elapsed().as_secs_f64(),
        stub.origin
    );
    // Every server of the run listens on this port in turn: it is the signed `host`.
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let mut targets = Vec::new();

    if !skipped("inbox") {
        println!("== 1. inbox ==");
        let t = Instant::now();
        let host = format!("localhost:{port}");
        let total = inbox::SENDERS + n;
        let signed = senders::presign(&keys, &stub.origin, &host, total, |i| i % inbox::SENDERS);
        println!(
            "setup: {total} requests pre-signed in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let setup = inbox::Setup {
            keys: &keys,
            stub: &stub,
            signed: Arc::new(signed),
            port,
            n,
            concurrency,
            dir: dir.path(),
        };
        targets.extend(inbox::run(&setup, rounds, postgres.as_deref()).await);
    }
    if !skipped("backlog") {
        println!("== 2. backlog ==");
        targets.extend(backlog::run(&keys, &stub, port, burst, concurrency, dir.path()).await);
    }
    if !skipped("fanout") {
        println!("== 3. fan-out ==");
        targets.extend(fanout::run(quick).await);
    }
    if !skipped("feed") {
        println!("== 4. network feed ==");
        feed::run(rows).await;
    }
    println!("== summary ==");
    println!(
        "cores: {cores}; total bench time: {:.0} s",
        all.elapsed().as_secs_f64()
    );
    for t in &targets {
        println!("{}", t.line());
    }
}

fn main() {
    match std::env::var("MAILLAGE_BENCH_ROLE").as_deref() {
        Ok("baseline-a") => baseline_a::main(),
        Ok("stubs") => stubs::main(),
        _ => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async { tokio::spawn(run()).await.unwrap() });
        }
    }
}
