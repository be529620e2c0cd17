//! The backlog target: one peer pours a Lemmy-sized burst into our inbox as fast as we accept
//! it, while other peers keep posting at a steady pace; how long the burst takes to be
//! accepted (each 202 is given after the commit), and what the others' latency is meanwhile.

use super::{
    common::{Server, Target, cpu_secs, log_summary, loopback_client, percentiles, vm_mib},
    inbox::SENDERS,
    senders::{self, Keys, Stub},
};
use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

/// Other peers: this many tasks, each posting then pausing.
const STEADY_TASKS: usize = 4;
const STEADY_PAUSE: Duration = Duration::from_millis(20);

pub async fn run(
    keys: &Keys,
    stub: &Stub,
    port: u16,
    burst: usize,
    concurrency: usize,
    dir: &Path,
) -> Vec<Target> {
    let host = format!("localhost:{port}");
    let t = Instant::now();
    // Sender 0 is the flooding peer; senders 1..=20 are the others.
    let flood = Arc::new(senders::presign(keys, &stub.origin, &host, burst, |_| 0));
    let steady_n = (burst / 20).max(2000);
    let steady = Arc::new(senders::presign(keys, &stub.origin, &host, steady_n, |i| {
        1 + i % 20
    }));
    println!(
        "backlog: {burst} + {steady_n} requests pre-signed in {:.0} s",
        t.elapsed().as_secs_f64()
    );
    let path = dir.join("backlog.db");
    let env = senders::instance_env(port, &senders::sqlite_url(&path));
    let (db, _, _) = senders::prepare_db(&env, &stub.origin, &keys.public, SENDERS).await;
    db.close().await;
    let (server, _) = Server::maillage(&env, port, dir.join("backlog.log")).await;
    let pid = server.pid();
    let client = loopback_client(port);
    let url = format!("http://localhost:{port}/inbox");

    let done = Arc::new(AtomicBool::new(false));
    let steady_tasks: Vec<_> = (0..STEADY_TASKS)
        .map(|t| {
            let (client, url, steady, done) =
                (client.clone(), url.clone(), steady.clone(), done.clone());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut bad = 0usize;
                let mut i = t;
                while !done.load(Ordering::Relaxed) && i < steady.len() {
                    let started = Instant::now();
                    let (status, _) = senders::post(&client, &url, &steady[i]).await;
                    lat.push(started.elapsed());
                    if status != 202 {
                        bad += 1;
                    }
                    i += STEADY_TASKS;
                    tokio::time::sleep(STEADY_PAUSE).await;
                }
                (lat, bad)
            })
        })
        .collect();

    let cpu0 = cpu_secs(pid);
    let sender = {
        let (client, url, flood) = (client.clone(), url.clone(), flood.clone());
        move |i: usize| {
            let (client, url, flood) = (client.clone(), url.clone(), flood.clone());
            async move { senders::post(&client, &url, &flood[i]).await }
        }
    };
    let run = senders::drive(0..burst, concurrency, sender).await;
    let cpu = cpu_secs(pid) - cpu0;
    done.store(true, Ordering::Relaxed);
    let mut steady_lat = Vec::new();
    let mut steady_bad = 0;
    for t in steady_tasks {
        let (l, b) = t.await.unwrap();
        steady_lat.extend(l);
        steady_bad += b;
    }
    let mut flood_lat = run.latencies.clone();
    let (fp50, fp99, _) = percentiles(&mut flood_lat);
    let steady_count = steady_lat.len();
    let (sp50, sp99, smax) = percentiles(&mut steady_lat);
    println!(
        "backlog: the burst of {burst} from one peer accepted in {:.1} s = {:.0} req/s (p50 {fp50:.1} ms, \
         p99 {fp99:.1} ms, {:.0} µs server CPU/request, non-202 {}{}); peak RSS {:.1} MiB",
        run.wall.as_secs_f64(),
        run.rate(),
        cpu / burst as f64 * 1e6,
        run.non202(),
        if run.non202() > 0 {
            format!(": {}", run.bad_lines())
        } else {
            String::new()
        },
        vm_mib(pid, "VmHWM:")
    );
    println!(
        "backlog: meanwhile {steady_count} POSTs from 20 other senders ({STEADY_TASKS} tasks, \
         {} ms pause): p50 {sp50:.1} ms, p99 {sp99:.1} ms, max {smax:.1} ms, non-202 {steady_bad}",
        STEADY_PAUSE.as_millis()
    );
    let text = server.log_text();
    server.terminate();
    if text.contains(" WARN ") || text.contains(" ERROR ") {
        println!("backlog log: {}", log_summary(&text));
    }
    // The goal is 2 minutes for 550,000; a smaller burst gets the same rate as goal.
    let goal = 120.0 * burst as f64 / 550_000.0;
    vec![
        Target {
            name: "backlog_drain_s",
            value: run.wall.as_secs_f64(),
            unit: " s",
            at_least: false,
            goal,
        },
        Target {
            name: "backlog_others_p99_ms",
            value: sp99,
            unit: " ms",
            at_least: false,
            goal: 100.0,
        },
        Target {
            name: "backlog_non202",
            value: (run.non202() + steady_bad) as f64,
            unit: "",
            at_least: false,
            goal: 0.0,
        },
    ]
}
