//! The inbox targets: baseline A (the library's path), baseline B (Maillage's handler in this
//! process) and Maillage (`maillage serve` over loopback HTTP), alternated round after round
//! on the same pre-signed requests, each on a fresh database; then Maillage on PostgreSQL.

use super::{
    baseline_a,
    common::{
        Server, Target, cpu_secs, log_summary, loopback_client, median, ms, percentiles,
        thread_ticks, thread_usage, vm_mib,
    },
    inprocess::InProcess,
    senders::{self, Keys, Run, Signed, Stub},
};
use maillage::db::Db;
use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

pub const SENDERS: usize = 200;

/// One system's figures in one round.
#[derive(Clone, Copy, Default)]
pub struct Figures {
    pub rate: f64,
    pub p50: f64,
    pub p99: f64,
    pub cpu_us: f64,
    pub non202: usize,
}

impl Figures {
    fn of(run: &Run, cpu: f64) -> Figures {
        let mut lat = run.latencies.clone();
        let (p50, p99, _) = percentiles(&mut lat);
        Figures {
            rate: run.rate(),
            p50,
            p99,
            cpu_us: cpu / run.latencies.len().max(1) as f64 * 1e6,
            non202: run.non202(),
        }
    }

    fn line(&self, name: &str, round: usize) -> String {
        format!(
            "round {round} {name:<20} {:>6.0} req/s  p50 {:>5.1} ms  p99 {:>6.1} ms  {:>5.0} µs CPU/request  non-202 {}",
            self.rate, self.p50, self.p99, self.cpu_us, self.non202
        )
    }
}

pub struct Setup<'a> {
    pub keys: &'a Keys,
    pub stub: &'a Stub,
    pub signed: Arc<Vec<Signed>>,
    /// The port every server of the run listens on (one at a time): the signed `host`.
    pub port: u16,
    pub n: usize,
    pub concurrency: usize,
    pub dir: &'a Path,
}

impl Setup<'_> {
    fn measured(&self) -> std::ops::Range<usize> {
        SENDERS..SENDERS + self.n
    }

    /// One request per sender, not measured: actor documents fetched, caches and pools warm.
    async fn warm_up<F, Fut>(&self, send: F) -> Run
    where
        F: Fn(usize) -> Fut + Clone + Send + 'static,
        Fut: std::future::Future<Output = (u16, String)> + Send,
    {
        senders::drive(0..SENDERS, 8, send).await
    }

    fn http_sender(
        &self,
    ) -> impl Fn(usize) -> futures::future::BoxFuture<'static, (u16, String)> + Clone + Send + 'static
    {
        let client = loopback_client(self.port);
        let url = format!("http://localhost:{}/inbox", self.port);
        let signed = self.signed.clone();
        move |i| {
            let (client, url, signed) = (client.clone(), url.clone(), signed.clone());
            Box::pin(async move { senders::post(&client, &url, &signed[i]).await })
        }
    }
}

/// Baseline A in its own process.
async fn round_a(s: &Setup<'_>, round: usize) -> Figures {
    let db = s.dir.join(format!("baseline-a-{round}.db"));
    let env = HashMap::from([
        ("MAILLAGE_BENCH_ROLE".into(), "baseline-a".into()),
        ("MAILLAGE_BENCH_PORT".into(), s.port.to_string()),
        ("MAILLAGE_BENCH_DB".into(), db.display().to_string()),
    ]);
    let exe = std::env::current_exe().unwrap();
    let log = s.dir.join(format!("baseline-a-{round}.log"));
    let (server, _) = Server::start(&exe, &[], &env, s.port, log).await;
    let warm = s.warm_up(s.http_sender()).await;
    if warm.non202() > 0 {
        println!("  baseline A warm-up: {}", warm.bad_lines());
    }
    let cpu0 = cpu_secs(server.pid());
    let run = senders::drive(s.measured(), s.concurrency, s.http_sender()).await;
    let f = Figures::of(&run, cpu_secs(server.pid()) - cpu0);
    if run.non202() > 0 {
        println!("  baseline A: {}", run.bad_lines());
    }
    server.terminate();
    let stored = baseline_a::count(&db).await;
    if stored != (SENDERS + s.n) as i64 {
        println!(
            "  baseline A stored {stored} notes (expected {})",
            SENDERS + s.n
        );
    }
    f
}

/// Baseline B: the handler in this process.
async fn round_b(s: &Setup<'_>, round: usize) -> Figures {
    let path = s.dir.join(format!("inprocess-{round}.db"));
    let env = senders::instance_env(s.port, &senders::sqlite_url(&path));
    let (db, _, _) = senders::prepare_db(&env, &s.stub.origin, &s.keys.public, SENDERS).await;
    db.close().await;
    let app = InProcess::build(&env).await;
    let warm = s.warm_up(app.sender(s.signed.clone())).await;
    if warm.non202() > 0 {
        println!("  baseline B warm-up: {}", warm.bad_lines());
    }
    let me = std::process::id();
    let cpu0 = cpu_secs(me);
    let run = senders::drive(s.measured(), s.concurrency, app.sender(s.signed.clone())).await;
    let f = Figures::of(&run, cpu_secs(me) - cpu0);
    if run.non202() > 0 {
        println!("  baseline B: {}", run.bad_lines());
    }
    app.instance.ctx.db.close().await;
    f
}

/// What a Maillage round measured besides the figures.
#[derive(Default, Clone, Copy)]
pub struct Process {
    pub idle_rss: f64,
    pub peak_rss: f64,
    pub restart_ms: f64,
}

/// Maillage: `maillage serve` over HTTP, on `database_url`.
async fn round_m(
    s: &Setup<'_>,
    name: &str,
    database_url: &str,
    round: usize,
) -> (Figures, Process) {
    let env = senders::instance_env(s.port, database_url);
    let (db, _, _) = senders::prepare_db(&env, &s.stub.origin, &s.keys.public, SENDERS).await;
    db.close().await;
    let log = s.dir.join(format!("{name}-{round}.log"));
    let (server, _) = Server::maillage(&env, s.port, log.clone()).await;
    let pid = server.pid();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle_rss = vm_mib(pid, "VmRSS:");
    let warm = s.warm_up(s.http_sender()).await;
    if warm.non202() > 0 {
        println!("  {name} warm-up: {}", warm.bad_lines());
    }
    let cpu0 = cpu_secs(pid);
    let threads0 = thread_ticks(pid);
    let run = senders::drive(s.measured(), s.concurrency, s.http_sender()).await;
    let f = Figures::of(&run, cpu_secs(pid) - cpu0);
    let threads = thread_usage(&threads0, &thread_ticks(pid), run.wall);
    let peak_rss = vm_mib(pid, "VmHWM:");
    if run.non202() > 0 {
        println!("  {name}: {}", run.bad_lines());
    }
    if round == 0 {
        println!("  {name} threads (cores used): {threads}");
    }
    let text = server.log_text();
    server.terminate();
    if text.contains(" WARN ") || text.contains(" ERROR ") {
        println!("  {name} log: {}", log_summary(&text));
    }
    let stored = stored(database_url).await;
    if stored != (SENDERS + s.n) as i64 {
        println!(
            "  {name} stored {stored} posts (expected {})",
            SENDERS + s.n
        );
    }
    // Start-up on the existing database: spawn to the first /healthz answer.
    let (server, restart) = Server::maillage(&env, s.port, log).await;
    server.terminate();
    (
        f,
        Process {
            idle_rss,
            peak_rss,
            restart_ms: ms(restart),
        },
    )
}

async fn stored(database_url: &str) -> i64 {
    let db = Db::connect(database_url).await.unwrap();
    let sql = "SELECT COUNT(*) FROM posts WHERE NOT local";
    let n = match &db {
        Db::Sqlite { reader, .. } => sqlx::query_scalar::<_, i64>(sql).fetch_one(reader).await,
        Db::Postgres(pool) => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await,
    }
    .unwrap_or(-1);
    db.close().await;
    n
}

/// A fresh PostgreSQL database on the server of `admin_url`; returns its URL.
async fn pg_database(admin_url: &str, name: &str) -> String {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin_url).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
    format!("{base}/{name}")
}

async fn drop_pg_database(admin_url: &str, name: &str) {
    use sqlx::Connection;
    if let Ok(mut conn) = sqlx::PgConnection::connect(admin_url).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await;
    }
}

pub async fn run(s: &Setup<'_>, rounds: usize, postgres: Option<&str>) -> Vec<Target> {
    let mut a = Vec::new();
    let mut b = Vec::new();
    let mut m = Vec::new();
    let mut pg = Vec::new();
    let mut procs = Vec::new();
    let started = Instant::now();
    for round in 0..rounds {
        let fa = round_a(s, round).await;
        println!("{}", fa.line("baseline A (library)", round));
        let fb = round_b(s, round).await;
        println!("{}", fb.line("baseline B (in-proc)", round));
        let path: PathBuf = s.dir.join(format!("maillage-{round}.db"));
        let (fm, p) = round_m(s, "maillage", &senders::sqlite_url(&path), round).await;
        println!("{}", fm.line("maillage (SQLite)", round));
        if let Some(admin) = postgres {
            let name = format!("maillage_bench_{round}");
            let url = pg_database(admin, &name).await;
            let (fp, _) = round_m(s, "maillage-pg", &url, round).await;
            println!("{}", fp.line("maillage (PostgreSQL)", round));
            drop_pg_database(admin, &name).await;
            pg.push(fp);
        }
        a.push(fa);
        b.push(fb);
        m.push(fm);
        procs.push(p);
    }
    println!("inbox rounds took {:.0} s", started.elapsed().as_secs_f64());
    let ratio = |x: &[Figures], y: &[Figures]| {
        median(
            &x.iter()
                .zip(y)
                .map(|(x, y)| x.rate / y.rate)
                .collect::<Vec<_>>(),
        )
    };
    let med = |v: &[Figures], f: fn(&Figures) -> f64| median(&v.iter().map(f).collect::<Vec<_>>());
    for (name, v) in [
        ("baseline A (library)", &a),
        ("baseline B (in-proc)", &b),
        ("maillage (SQLite)", &m),
        ("maillage (PostgreSQL)", &pg),
    ] {
        if v.is_empty() {
            continue;
        }
        println!(
            "median of {} rounds, {name}: {:.0} req/s, p99 {:.1} ms, {:.0} µs CPU/request, non-202 {}",
            v.len(),
            med(v, |f| f.rate),
            med(v, |f| f.p99),
            med(v, |f| f.cpu_us),
            v.iter().map(|f| f.non202).sum::<usize>()
        );
    }
    if !pg.is_empty() {
        println!(
            "PostgreSQL: maillage on PostgreSQL is {:.2}x baseline A (median of per-round ratios)",
            ratio(&pg, &a)
        );
    }
    let non202: usize = m.iter().map(|f| f.non202).sum();
    println!(
        "maillage start-up on an existing database (spawn to first /healthz answer), median {:.0} ms; \
         idle RSS median {:.1} MiB; peak RSS max {:.1} MiB; non-202 answers {non202}",
        median(&procs.iter().map(|p| p.restart_ms).collect::<Vec<_>>()),
        median(&procs.iter().map(|p| p.idle_rss).collect::<Vec<_>>()),
        procs.iter().map(|p| p.peak_rss).fold(0.0, f64::max),
    );
    let mut targets = vec![
        Target {
            name: "inbox_vs_library",
            value: ratio(&m, &a),
            unit: "x",
            at_least: true,
            goal: 2.5,
        },
        Target {
            name: "inbox_vs_inprocess",
            value: ratio(&m, &b),
            unit: "x",
            at_least: true,
            goal: 0.65,
        },
        Target {
            name: "inbox_cpu_us",
            value: med(&m, |f| f.cpu_us),
            unit: " µs",
            at_least: false,
            goal: 130.0,
        },
        Target {
            name: "inbox_p99_ms",
            value: med(&m, |f| f.p99),
            unit: " ms",
            at_least: false,
            goal: 25.0,
        },
        Target {
            name: "inbox_non202",
            value: non202 as f64,
            unit: "",
            at_least: false,
            goal: 0.0,
        },
        Target {
            name: "idle_rss_mb",
            value: median(&procs.iter().map(|p| p.idle_rss).collect::<Vec<_>>()),
            unit: " MiB",
            at_least: false,
            goal: 25.0,
        },
        Target {
            name: "peak_rss_mb",
            value: procs.iter().map(|p| p.peak_rss).fold(0.0, f64::max),
            unit: " MiB",
            at_least: false,
            goal: 64.0,
        },
        Target {
            name: "startup_ms",
            value: median(&procs.iter().map(|p| p.restart_ms).collect::<Vec<_>>()),
            unit: " ms",
            at_least: false,
            goal: 40.0,
        },
    ];
    if !pg.is_empty() {
        targets.push(Target {
            name: "inbox_pg_vs_library",
            value: ratio(&pg, &a),
            unit: "x",
            at_least: true,
            goal: 1.0,
        });
    }
    targets
}
