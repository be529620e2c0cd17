//! The fan-out targets: one post to many followers spread over many hosts, through the
//! durable queue's `Deliverer::drain`, with the instance in this process and the peer hosts in
//! a child process (see `stubs.rs`) so that this process's CPU is the instance's alone.
//!
//! - shared inboxes: every host has one (the common Mastodon case): one delivery per host;
//! - the same with a tenth of the hosts black-holed: how long the healthy hosts wait;
//! - personal inboxes only: one signed delivery per follower, and the share of signing.

use super::common::{Target, cpu_secs, env_usize, median};
use chrono::Utc;
use maillage::{
    actions, config::Config, db, db::actors::ActorUpsert, federation::httpsig::outbound,
    startup::Instance,
};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    io::BufRead,
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

struct Stubs {
    child: Child,
    control: u16,
    ports: Vec<u16>,
    client: reqwest::Client,
}

impl Stubs {
    fn start(hosts: usize, delay_ms: u64) -> Stubs {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env("MAILLAGE_BENCH_ROLE", "stubs")
            .env("MAILLAGE_BENCH_HOSTS", hosts.to_string())
            .env("MAILLAGE_BENCH_DELAY_MS", delay_ms.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        Stubs {
            child,
            control: v["control"].as_u64().unwrap() as u16,
            ports: serde_json::from_value(v["ports"].clone()).unwrap(),
            client: reqwest::Client::builder().no_proxy().build().unwrap(),
        }
    }

    async fn reset(&self, blackholed: usize) {
        self.client
            .post(format!(
                "http://127.0.0.1:{}/reset?blackholed={blackholed}",
                self.control
            ))
            .send()
            .await
            .unwrap();
    }

    async fn report(&self) -> Value {
        self.client
            .get(format!("http://127.0.0.1:{}/report", self.control))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

impl Drop for Stubs {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

struct Bench {
    instance: Instance,
    _port: std::net::TcpListener,
    _dir: tempfile::TempDir,
}

async fn build_instance() -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let port_guard = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = port_guard.local_addr().unwrap().port();
    let mut env: HashMap<&str, String> = HashMap::from([
        ("MAILLAGE_LISTEN", format!("127.0.0.1:{port}")),
        ("MAILLAGE_DOMAIN", format!("localhost:{port}")),
        (
            "MAILLAGE_DATABASE_URL",
            format!("sqlite://{}/maillage.db", dir.path().display()),
        ),
        ("MAILLAGE_DEV", "true".into()),
        ("MAILLAGE_CENTRE_USERNAME", "bench".into()),
        ("MAILLAGE_CENTRE_NAME", "Centre bench".into()),
    ]);
    // The default configuration unless told otherwise.
    if let Ok(c) = std::env::var("MAILLAGE_BENCH_DELIVERY_CONCURRENCY") {
        env.insert("MAILLAGE_DELIVERY_CONCURRENCY", c);
    }
    let config = Config::from_sources("", |k| env.get(k).cloned()).unwrap();
    let instance = Instance::build(config).await.unwrap();
    Bench {
        instance,
        _port: port_guard,
        _dir: dir,
    }
}

/// Stores `followers` accepted followers spread over the stub hosts, with the host's shared
/// inbox or with a personal inbox only.
async fn add_followers(bench: &Bench, followers: usize, ports: &[u16], shared: bool) {
    let ctx = &bench.instance.ctx;
    let key = ctx.centre.public_key_pem.clone();
    let now = Utc::now().timestamp_millis();
    let mut tx = ctx.db.begin().await.unwrap();
    for n in 0..followers {
        let port = ports[n % ports.len()];
        let ap_id = format!("http://localhost:{port}/users/f{n}");
        let inbox = format!("{ap_id}/inbox");
        let shared_inbox = format!("http://localhost:{port}/inbox");
        let username = format!("f{n}");
        let domain = format!("localhost:{port}");
        let row = db::actors::upsert_remote(
            tx.exec(),
            &ActorUpsert {
                ap_id: &ap_id,
                kind: "Person",
                username: &username,
                domain: &domain,
                name: None,
                summary: None,
                url: None,
                inbox: &inbox,
                shared_inbox: shared.then_some(shared_inbox.as_str()),
                outbox: None,
                followers_url: None,
                public_key_pem: &key,
                manually_approves_followers: false,
                published: None,
                fetched_at: now,
                data: "{}",
                key_id: None,
                assertion_keys: "[]",
            },
        )
        .await
        .unwrap();
        db::followers::upsert(
            tx.exec(),
            &uuid::Uuid::new_v4().simple().to_string(),
            row.id,
            &format!("{ap_id}#follow"),
            "accepted",
            now,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// One fan-out: publishing a post and draining its queue.
struct Outcome {
    /// From the publication to the last answer of a healthy host.
    healthy_wall: Duration,
    /// From the publication to the end of the drain.
    drain_wall: Duration,
    cpu: f64,
    delivered: u64,
    answered: u64,
    unsigned: u64,
    held: u64,
}

async fn fan_out(bench: &Bench, stubs: &Stubs, blackholed: usize, label: &str) -> Outcome {
    stubs.reset(blackholed).await;
    let input = serde_json::from_value(json!({
        "content": format!("<p>Une publication pour tous les abonnés ({label}).</p>")
    }))
    .unwrap();
    let me = std::process::id();
    let cpu0 = cpu_secs(me);
    let t0 = epoch_ms();
    let started = Instant::now();
    actions::posts::create(&bench.instance.ctx, input)
        .await
        .unwrap();
    let report = bench.instance.deliverer.drain(Utc::now()).await.unwrap();
    let drain_wall = started.elapsed();
    let cpu = cpu_secs(me) - cpu0;
    let r = stubs.report().await;
    let last = r["last_answer_ms"].as_f64().unwrap_or(0.0);
    Outcome {
        healthy_wall: Duration::from_secs_f64(((last - t0) / 1000.0).max(0.0)),
        drain_wall,
        cpu,
        delivered: report.delivered as u64,
        answered: r["answered"].as_u64().unwrap_or(0),
        unsigned: r["unsigned"].as_u64().unwrap_or(0),
        held: r["held"].as_u64().unwrap_or(0),
    }
}

fn describe(label: &str, o: &Outcome) {
    println!(
        "fan-out {label}: healthy hosts all answered {:.3} s after publishing; drain ended at {:.3} s; \
         {:.3} core-seconds in the instance's process; {} delivered, stubs answered {} ({} unsigned), \
         {} held by black-holed hosts",
        o.healthy_wall.as_secs_f64(),
        o.drain_wall.as_secs_f64(),
        o.cpu,
        o.delivered,
        o.answered,
        o.unsigned,
        o.held
    );
}

/// Signatures per second of the instance's signing pool, with `tasks` concurrent callers.
async fn signing_rate(bench: &Bench, n: usize, tasks: usize) -> f64 {
    let body: Arc<Vec<u8>> = Arc::new(vec![b'x'; 1200]);
    let url = url::Url::parse("http://localhost:9/users/f1/inbox").unwrap();
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (ctx, body, url) = (bench.instance.ctx.clone(), body.clone(), url.clone());
            tokio::spawn(async move {
                for _ in 0..n / tasks {
                    let (body, url) = (body.clone(), url.clone());
                    ctx.signing
                        .with_key(move |k| {
                            let date = httpdate::fmt_http_date(std::time::SystemTime::now());
                            outbound::sign_cavage(k, "k", "POST", &url, date, Some(&body))
                        })
                        .await
                        .unwrap()
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    (n / tasks * tasks) as f64 / started.elapsed().as_secs_f64()
}

pub async fn run(quick: bool) -> Vec<Target> {
    let followers = env_usize(
        "MAILLAGE_BENCH_FOLLOWERS",
        if quick { 1_000 } else { 10_000 },
    );
    let hosts = env_usize("MAILLAGE_BENCH_HOSTS", if quick { 50 } else { 500 }).max(10);
    let delay = 100;
    let stubs = Stubs::start(hosts, delay);
    let bench = build_instance().await;
    let d = &bench.instance.ctx.config.delivery;
    println!(
        "fan-out: {followers} followers on {hosts} hosts (child process), answers after {delay} ms; \
         delivery.concurrency = {}, per_host_concurrency = {}",
        d.concurrency, d.per_host_concurrency
    );
    add_followers(&bench, followers, &stubs.ports, true).await;
    let cold = fan_out(&bench, &stubs, 0, "shared inboxes, cold connections").await;
    describe("shared inboxes (first post, cold connections)", &cold);
    let warm = fan_out(&bench, &stubs, 0, "shared inboxes, warm").await;
    describe("shared inboxes (second post)", &warm);
    let holes = hosts / 10;
    let black = fan_out(&bench, &stubs, holes, "black-holed").await;
    describe(
        &format!("shared inboxes, {holes} hosts black-holed"),
        &black,
    );
    let ratio = black.healthy_wall.as_secs_f64() / warm.healthy_wall.as_secs_f64();
    drop(bench);

    // Personal inboxes: 20 followers per host.
    let per_host_followers = 20;
    let personal_hosts = (followers / per_host_followers).clamp(1, hosts);
    let bench = build_instance().await;
    add_followers(
        &bench,
        personal_hosts * per_host_followers,
        &stubs.ports[..personal_hosts],
        false,
    )
    .await;
    let personal = fan_out(&bench, &stubs, 0, "personal inboxes").await;
    describe(
        &format!("personal inboxes ({per_host_followers} per host, {personal_hosts} hosts)"),
        &personal,
    );
    let rate = personal.delivered as f64 / personal.drain_wall.as_secs_f64();
    let sign_rates: Vec<f64> = {
        let mut v = Vec::new();
        for _ in 0..3 {
            v.push(signing_rate(&bench, if quick { 500 } else { 3000 }, 64).await);
        }
        v
    };
    let sign_rate = median(&sign_rates);
    let signing_s = personal.delivered as f64 / sign_rate;
    println!(
        "fan-out personal inboxes: {rate:.0} deliveries/s, {:.0} µs core time per delivery; \
         the signing pool alone signs {sign_rate:.0}/s here, so signing is {:.0}% of the fan-out's \
         wall time ({signing_s:.2} s of {:.2} s)",
        personal.cpu / personal.delivered.max(1) as f64 * 1e6,
        100.0 * signing_s / personal.drain_wall.as_secs_f64(),
        personal.drain_wall.as_secs_f64()
    );
    let scale = hosts as f64 / 500.0;
    vec![
        Target {
            name: "fanout_shared_wall_s",
            value: cold.healthy_wall.as_secs_f64(),
            unit: " s",
            at_least: false,
            goal: 0.5,
        },
        Target {
            name: "fanout_shared_core_s",
            value: cold.cpu,
            unit: " s",
            at_least: false,
            goal: 0.35 * scale,
        },
        Target {
            name: "fanout_blackholed_ratio",
            value: ratio,
            unit: "x",
            at_least: false,
            goal: 2.0,
        },
    ]
}
