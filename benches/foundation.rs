//! Foundation benchmark: prints figures, never fails on them.
//!
//! `cargo bench --bench foundation`
//!
//! 1. Inbox throughput: the release `maillage serve` binary as a separate process on
//!    127.0.0.1, receiving pre-signed `Create{Note}` activities from 200 followed senders
//!    (whose actor documents an in-bench stub serves on loopback).
//! 2. Network feed latency with many stored posts, through the library and over HTTP.
//! 3. The machine's core count.
//!
//! Environment: `MAILLAGE_BENCH_INBOX` (activities, default 20000), `MAILLAGE_BENCH_ROWS`
//! (stored posts for the feed, default 1000000), `MAILLAGE_BENCH_CONCURRENCY` (default 64).
//! Only loopback is used.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::{Engine, engine::general_purpose::STANDARD as B64};
use bytes::Bytes;
use maillage::{
    actions,
    config::Config,
    db::{self, Db, posts::Cursor},
};
use rsa::{Pkcs1v15Sign, RsaPrivateKey, pkcs8::DecodePrivateKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::{
    collections::{BTreeMap, HashMap},
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

const SENDERS: usize = 200;
const KEYPAIRS: usize = 8;
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const AP_JSON: &str = "application/activity+json";
const CENTRE: &str = "bench";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A free loopback port (bound then released; the server binds it right after).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50 and p99 of a set of durations, in milliseconds.
fn percentiles(v: &mut [Duration]) -> (f64, f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    v.sort_unstable();
    let at = |p: usize| v[((v.len() * p) / 100).min(v.len() - 1)];
    (ms(at(50)), ms(at(99)), ms(v[v.len() - 1]))
}

// ---------------------------------------------------------------------------------------------
// /proc readings of the server process

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// utime + stime of a `/proc/…/stat` file, in clock ticks.
fn stat_ticks(path: &str) -> u64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // After the command name: field 3 (state) is f[0]; utime is field 14, stime field 15.
    let get = |i: usize| f.get(i).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
    get(11) + get(12)
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    stat_ticks(&format!("/proc/{pid}/stat"))
}

/// CPU ticks of every thread of `pid`, by thread id, with the thread's name.
fn thread_ticks(pid: u32) -> BTreeMap<u64, (String, u64)> {
    let mut out = BTreeMap::new();
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for entry in dir.flatten() {
        let Some(tid) = entry.file_name().to_str().and_then(|t| t.parse().ok()) else {
            continue;
        };
        let path = entry.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        let ticks = stat_ticks(&path.join("stat").to_string_lossy());
        out.insert(tid, (name.trim().to_string(), ticks));
    }
    out
}

/// Cores used per thread name between two [`thread_ticks`] readings: total for the name, how
/// many threads, and the busiest single thread (a thread near 1.00 is a serial bottleneck).
fn thread_usage(
    before: &BTreeMap<u64, (String, u64)>,
    after: &BTreeMap<u64, (String, u64)>,
    ticks: f64,
    wall: Duration,
) -> String {
    let mut by_name: BTreeMap<&str, (f64, usize, f64)> = BTreeMap::new();
    for (tid, (name, t1)) in after {
        let t0 = before.get(tid).map_or(0, |(_, t)| *t);
        let cores = t1.saturating_sub(t0) as f64 / ticks / wall.as_secs_f64();
        let e = by_name.entry(name).or_default();
        e.0 += cores;
        e.1 += 1;
        e.2 = e.2.max(cores);
    }
    let mut v: Vec<_> = by_name.into_iter().filter(|(_, e)| e.0 >= 0.01).collect();
    v.sort_by(|a, b| b.1.0.total_cmp(&a.1.0));
    v.iter()
        .map(|(name, (total, count, max))| format!("{name} ×{count} {total:.2} (busiest {max:.2})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `Vm…` line of /proc/PID/status, in MiB.
fn vm_mib(pid: u32, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

// ---------------------------------------------------------------------------------------------
// The server process

struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    /// Starts `maillage serve` with `env`, and waits until `/healthz` answers.
    async fn start(env: &HashMap<String, String>, port: u16, log: PathBuf) -> (Server, Duration) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_maillage"));
        cmd.arg("serve");
        for (k, _) in std::env::vars() {
            if k.starts_with("MAILLAGE_") {
                cmd.env_remove(k);
            }
        }
        cmd.envs(env)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
            .stderr(Stdio::from(
                std::fs::OpenOptions::new().append(true).open(&log).unwrap(),
            ));
        let started = Instant::now();
        let child = cmd.spawn().expect("starting the maillage binary");
        let mut server = Server { child, log };
        let client = loopback_client(port);
        let url = format!("http://localhost:{port}/healthz");
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "the server exited during start-up ({status}):\n{}",
                    server.log_text()
                );
            }
            if let Ok(res) = client.get(&url).send().await
                && res.status().is_success()
            {
                break;
            }
            if started.elapsed() > Duration::from_secs(120) {
                panic!("the server did not start in 120 s:\n{}", server.log_text());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        (server, started.elapsed())
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for the exit; returns the time it took and the exit status.
    fn terminate(mut self) -> (Duration, String) {
        let started = Instant::now();
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return (started.elapsed(), status.to_string());
            }
            if started.elapsed() > Duration::from_secs(60) {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return (started.elapsed(), "killed after 60 s".into());
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Warning and error lines of a server log: counts, and the first few distinct messages.
fn log_summary(text: &str) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut samples: Vec<String> = Vec::new();
    for line in text.lines() {
        for level in ["ERROR", "WARN"] {
            if line.contains(&format!(" {level} ")) {
                *counts.entry(level).or_default() += 1;
                let short: String = line.chars().take(300).collect();
                if samples.len() < 5 {
                    samples.push(short);
                }
            }
        }
    }
    if counts.is_empty() {
        return "no warnings or errors".into();
    }
    let mut s = counts
        .iter()
        .map(|(l, n)| format!("{n} {l}"))
        .collect::<Vec<_>>()
        .join(", ");
    for line in samples {
        s.push_str("\n    ");
        s.push_str(&line);
    }
    s
}

/// An HTTP client that reaches `localhost:port` on 127.0.0.1 only, with keep-alive.
fn loopback_client(port: u16) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .http1_only()
        .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], port)))
        .pool_max_idle_per_host(1024)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Instance preparation

/// The environment of one instance, also used to build its `Config` in-process.
fn instance_env(port: u16, db_path: &Path) -> HashMap<String, String> {
    HashMap::from([
        ("MAILLAGE_LISTEN".into(), format!("127.0.0.1:{port}")),
        ("MAILLAGE_DOMAIN".into(), format!("localhost:{port}")),
        (
            "MAILLAGE_DATABASE_URL".into(),
            format!("sqlite://{}", db_path.display()),
        ),
        ("MAILLAGE_CENTRE_USERNAME".into(), CENTRE.into()),
        ("MAILLAGE_DEV".into(), "true".into()),
        ("MAILLAGE_LOG".into(), "warn".into()),
        ("MAILLAGE_DELIVERY_ENABLED".into(), "false".into()),
    ])
}

/// Creates the database: centre, `SENDERS` remote actors at `origin`, an accepted follow of
/// each, and an API token. Returns the open database, the actors' row ids and the token.
async fn prepare_db(
    env: &HashMap<String, String>,
    origin: &str,
    pems: &[String],
) -> (Db, Vec<i64>, String) {
    let config = Config::from_sources("", |k| env.get(k).cloned()).unwrap();
    let db = Db::connect(&config.database_url).await.unwrap();
    db.migrate().await.unwrap();
    let now = now_ms();
    actions::centre::ensure(&db, &config, now).await.unwrap();
    let domain = origin.trim_start_matches("http://");
    let mut ids = Vec::with_capacity(SENDERS);
    for n in 0..SENDERS {
        let ap_id = format!("{origin}/actors/{n}");
        let inbox = format!("{ap_id}/inbox");
        let username = format!("sender{n}");
        let name = format!("Centre émetteur {n}");
        let row = db::actors::upsert_remote(
            db.write(),
            &db::actors::ActorUpsert {
                ap_id: &ap_id,
                kind: "Person",
                username: &username,
                domain,
                name: Some(&name),
                summary: None,
                url: Some(&ap_id),
                inbox: &inbox,
                shared_inbox: None,
                outbox: None,
                followers_url: None,
                public_key_pem: &pems[n % pems.len()],
                manually_approves_followers: false,
                published: Some(now),
                fetched_at: now,
                data: "{}",
                key_id: None,
                assertion_keys: "[]",
            },
        )
        .await
        .unwrap();
        let public_id = uuid::Uuid::new_v4().simple().to_string();
        let follow_ap_id = format!("{}activities/{public_id}", config.base_url);
        db::follows::insert(db.write(), &public_id, &follow_ap_id, row.id, now)
            .await
            .unwrap();
        let follow = db::follows::find_by_target(db.read(), row.id)
            .await
            .unwrap()
            .unwrap();
        db::follows::set_state(db.write(), follow.id, "accepted", now)
            .await
            .unwrap();
        ids.push(row.id);
    }
    let token = actions::tokens::create(&db, "bench", now).await.unwrap();
    (db, ids, token)
}

// ---------------------------------------------------------------------------------------------
// The stub serving the senders' actor documents

struct Stub {
    origin: String,
    pems: Vec<String>,
    hits: AtomicU64,
}

async fn stub_actor(
    axum::extract::State(s): axum::extract::State<Arc<Stub>>,
    axum::extract::Path(n): axum::extract::Path<usize>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    s.hits.fetch_add(1, Ordering::Relaxed);
    let id = format!("{}/actors/{n}", s.origin);
    let doc = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "type": "Person",
        "id": id,
        "preferredUsername": format!("sender{n}"),
        "name": format!("Centre émetteur {n}"),
        "inbox": format!("{id}/inbox"),
        "publicKey": {
            "id": format!("{id}#main-key"),
            "owner": id,
            "publicKeyPem": s.pems[n % s.pems.len()],
        },
    });
    (
        [(axum::http::header::CONTENT_TYPE, AP_JSON)],
        doc.to_string(),
    )
        .into_response()
}

async fn start_stub(pems: Vec<String>) -> (Arc<Stub>, u16) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let stub = Arc::new(Stub {
        origin: format!("http://localhost:{port}"),
        pems,
        hits: AtomicU64::new(0),
    });
    let app = axum::Router::new()
        .route("/actors/{n}", axum::routing::get(stub_actor))
        .with_state(stub.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (stub, port)
}

// ---------------------------------------------------------------------------------------------
// Signing (draft-cavage, as Mastodon and the federation library send it)

struct Signed {
    date: String,
    digest: String,
    signature: String,
    body: Bytes,
}

fn sign(key: &RsaPrivateKey, key_id: &str, host: &str, date: &str, body: Vec<u8>) -> Signed {
    let digest = format!("SHA-256={}", B64.encode(Sha256::digest(&body)));
    let signing_string = format!(
        "(request-target): post /inbox\nhost: {host}\ndate: {date}\ndigest: {digest}\n\
         content-type: {AP_JSON}"
    );
    let sig = key
        .sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(signing_string.as_bytes()),
        )
        .unwrap();
    let signature = format!(
        "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",\
         headers=\"(request-target) host date digest content-type\",signature=\"{}\"",
        B64.encode(sig)
    );
    Signed {
        date: date.to_string(),
        digest,
        signature,
        body: Bytes::from(body),
    }
}

/// The body of the `i`-th `Create{Note}` from sender `n`.
fn create_note(origin: &str, n: usize, i: usize, run: &str) -> Vec<u8> {
    let actor = format!("{origin}/actors/{n}");
    let published = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}/activities/{run}-{i}"),
        "type": "Create",
        "actor": actor,
        "to": [PUBLIC],
        "published": published,
        "object": {
            "id": format!("{actor}/notes/{run}-{i}"),
            "type": "Note",
            "attributedTo": actor,
            "to": [PUBLIC],
            "published": published,
            "content": format!(
                "<p>Note {i} du centre {n} : retour d’expérience sur la politique de la ville, \
                 les quartiers prioritaires et le contrat de ville. <a href=\"{origin}/x\">Lien</a></p>"
            ),
        },
    })
    .to_string()
    .into_bytes()
}

/// Per-call cost, in µs, of parsing a PEM public key and of an RSA verification (the federation
/// library does both on every request), and of sanitising a note's content.
fn reference_costs(pem: &str, sample: &Signed) -> (f64, f64, f64) {
    use rsa::{RsaPublicKey, pkcs8::DecodePublicKey};
    let sig = sample
        .signature
        .rsplit_once("signature=\"")
        .map(|(_, s)| s.trim_end_matches('"'))
        .unwrap_or("");
    let sig = B64.decode(sig).unwrap_or_default();
    let runs = 500;
    let t = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(RsaPublicKey::from_public_key_pem(std::hint::black_box(pem)).unwrap());
    }
    let parse = t.elapsed().as_secs_f64() * 1e6 / runs as f64;
    let key = RsaPublicKey::from_public_key_pem(pem).unwrap();
    let t = Instant::now();
    for _ in 0..runs {
        // The message differs from the signed one: the cost is the same, the result unused.
        let _ = std::hint::black_box(key.verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(std::hint::black_box(b"(request-target): post /inbox")),
            &sig,
        ));
    }
    let verify = t.elapsed().as_secs_f64() * 1e6 / runs as f64;
    let body: Value = serde_json::from_slice(&sample.body).unwrap_or(Value::Null);
    let content = body["object"]["content"].as_str().unwrap_or("");
    let t = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(maillage::render::sanitize::html(std::hint::black_box(
            content,
        )));
    }
    let sanitize = t.elapsed().as_secs_f64() * 1e6 / runs as f64;
    (parse, verify, sanitize)
}

async fn send(client: &reqwest::Client, url: &str, s: &Signed) -> (u16, String) {
    let res = client
        .post(url)
        .header("content-type", AP_JSON)
        .header("date", &s.date)
        .header("digest", &s.digest)
        .header("signature", &s.signature)
        .body(s.body.clone())
        .send()
        .await;
    match res {
        Ok(r) => {
            let status = r.status().as_u16();
            let text = r.text().await.unwrap_or_default();
            (status, text)
        }
        Err(e) => (0, e.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Inbox throughput

async fn bench_inbox(n: usize, concurrency: usize) {
    println!("== 1. inbox throughput ==");
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("maillage.db");

    let t = Instant::now();
    let keys: Vec<(RsaPrivateKey, String)> = {
        let handles: Vec<_> = (0..KEYPAIRS)
            .map(|_| {
                tokio::task::spawn_blocking(|| {
                    let kp =
                        activitypub_federation::http_signatures::generate_actor_keypair().unwrap();
                    (
                        RsaPrivateKey::from_pkcs8_pem(&kp.private_key).unwrap(),
                        kp.public_key,
                    )
                })
            })
            .collect();
        let mut keys = Vec::new();
        for h in handles {
            keys.push(h.await.unwrap());
        }
        keys
    };
    let pems: Vec<String> = keys.iter().map(|(_, p)| p.clone()).collect();
    println!(
        "setup: {KEYPAIRS} RSA-2048 key pairs generated in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let (stub, stub_port) = start_stub(pems.clone()).await;
    let origin = stub.origin.clone();
    let port = free_port();
    let env = instance_env(port, &db_path);
    let t = Instant::now();
    let (db, _ids, token) = prepare_db(&env, &origin, &pems).await;
    db.close().await;
    println!(
        "setup: database with centre, {SENDERS} followed senders (stub on 127.0.0.1:{stub_port}) in {:.2} s",
        t.elapsed().as_secs_f64()
    );

    // Pre-sign every request (plus one warm-up) on every core, before the server runs.
    let host = format!("localhost:{port}");
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let t = Instant::now();
    let total = n + 1;
    let threads = std::thread::available_parallelism().map_or(2, |c| c.get());
    let signed: Vec<Signed> = std::thread::scope(|scope| {
        let chunk = total.div_ceil(threads);
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (keys, origin, host, run, date) = (&keys, &origin, &host, &run, &date);
                scope.spawn(move || {
                    (t * chunk..((t + 1) * chunk).min(total))
                        .map(|i| {
                            let sender = i % SENDERS;
                            let key_id = format!("{origin}/actors/{sender}#main-key");
                            let body = create_note(origin, sender, i, run);
                            sign(&keys[sender % KEYPAIRS].0, &key_id, host, date, body)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let sign_time = t.elapsed();
    println!(
        "setup: {total} requests pre-signed in {:.1} s on {threads} threads ({:.0} signatures/s), mean body {} bytes",
        sign_time.as_secs_f64(),
        total as f64 / sign_time.as_secs_f64(),
        signed.iter().map(|s| s.body.len()).sum::<usize>() / total.max(1)
    );

    // Reference costs of two steps of every inbox request, measured in this process.
    let sample = &signed[0];
    let (parse_us, verify_us, sanitize_us) = reference_costs(&pems[0], sample);
    println!(
        "reference (in this process): parsing a public key PEM {parse_us:.0} µs + RSA-2048 verify {verify_us:.0} µs (the library does both on every inbox request); sanitising one note's HTML {sanitize_us:.0} µs"
    );

    let log = dir.path().join("server-inbox.log");
    let (server, startup) = Server::start(&env, port, log).await;
    let pid = server.pid();
    println!("server: started in {:.0} ms (pid {pid})", ms(startup));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_rss = vm_mib(pid, "VmRSS:");
    println!("server: idle RSS after start-up {idle_rss:.1} MiB");

    let url = format!("http://localhost:{port}/inbox");
    let client = loopback_client(port);
    let (status, text) = send(&client, &url, &signed[n]).await;
    if status == 202 {
        println!("check: first signed Create answered 202");
    } else {
        println!(
            "check: first signed Create answered {status} (expected 202): {text}\n{}",
            server.log_text()
        );
    }

    let ticks = clock_ticks();
    let cpu0 = cpu_ticks(pid);
    let threads0 = thread_ticks(pid);
    let self0 = cpu_ticks(std::process::id());
    let signed = Arc::new(signed);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url, signed, next) =
                (client.clone(), url.clone(), signed.clone(), next.clone());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut bad: BTreeMap<u16, (usize, String)> = BTreeMap::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let t = Instant::now();
                    let (status, text) = send(&client, &url, &signed[i]).await;
                    lat.push(t.elapsed());
                    if status != 202 {
                        let e = bad.entry(status).or_insert((0, text));
                        e.0 += 1;
                    }
                }
                (lat, bad)
            })
        })
        .collect();
    let mut lat = Vec::with_capacity(n);
    let mut bad: BTreeMap<u16, (usize, String)> = BTreeMap::new();
    for task in tasks {
        let (l, b) = task.await.unwrap();
        lat.extend(l);
        for (status, (count, text)) in b {
            bad.entry(status).or_insert((0, text)).0 += count;
        }
    }
    let wall = started.elapsed();
    let cpu1 = cpu_ticks(pid);
    let threads1 = thread_ticks(pid);
    let self1 = cpu_ticks(std::process::id());
    let peak_rss = vm_mib(pid, "VmHWM:");
    let rss_after = vm_mib(pid, "VmRSS:");

    let (p50, p99, max) = percentiles(&mut lat);
    let cpu_per_req_us = (cpu1 - cpu0) as f64 / ticks / n as f64 * 1e6;
    let server_cores = (cpu1 - cpu0) as f64 / ticks / wall.as_secs_f64();
    let client_cores = (self1 - self0) as f64 / ticks / wall.as_secs_f64();
    let non202: usize = bad.values().map(|(c, _)| c).sum();
    println!(
        "inbox: {:.0} req/s, p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms, {cpu_per_req_us:.0} µs server CPU/request",
        n as f64 / wall.as_secs_f64()
    );
    println!(
        "inbox: {n} requests at concurrency {concurrency} in {:.2} s; server used {server_cores:.2} cores, the bench client {client_cores:.2} cores (same machine)",
        wall.as_secs_f64()
    );
    println!(
        "inbox: server threads, cores used: {}",
        thread_usage(&threads0, &threads1, ticks, wall)
    );
    println!("inbox: non-202 answers: {non202}");
    for (status, (count, text)) in &bad {
        let text: String = text.chars().take(200).collect();
        println!("inbox:   {count} × status {status}: {text}");
    }
    println!(
        "inbox: server RSS idle {idle_rss:.1} MiB, after load {rss_after:.1} MiB, peak (VmHWM) {peak_rss:.1} MiB"
    );
    println!(
        "inbox: actor documents fetched from the stub during the run: {}",
        stub.hits.load(Ordering::Relaxed)
    );

    // Feed through the API, before stopping (the posts must be visible there).
    let res = client
        .get(format!("http://localhost:{port}/api/v1/feed?limit=1"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let feed_status = res.status();
    let newest: Value = res.json().await.unwrap_or(Value::Null);
    println!(
        "inbox: feed API answers {feed_status}, newest item {}",
        newest["items"][0]["id"].as_str().unwrap_or("(none)")
    );

    let log_text = server.log_text();
    let (stop, exit) = server.terminate();
    println!("server: SIGTERM to exit in {:.0} ms ({exit})", ms(stop));
    println!("server log: {}", log_summary(&log_text));

    // Count what was stored by reopening the database with the library.
    let db = Db::connect(&env["MAILLAGE_DATABASE_URL"]).await.unwrap();
    let posts = match &db {
        Db::Sqlite { reader, .. } => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM posts WHERE local = 0")
                .fetch_one(reader)
                .await
                .unwrap()
        }
        Db::Postgres(_) => -1,
    };
    let received = db::inbox::count(db.read()).await.unwrap();
    db.close().await;
    println!(
        "inbox: posts stored {posts} (expected {total}: {n} + 1 warm-up), activities recorded {received}"
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Feed latency

async fn bench_feed(rows: usize) {
    println!("== 2. network feed ==");
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("maillage.db");
    let port = free_port();
    let env = instance_env(port, &db_path);
    // The senders are never fetched here: any origin on loopback does.
    let origin = "http://localhost:9";
    let kp = tokio::task::spawn_blocking(
        activitypub_federation::http_signatures::generate_actor_keypair,
    )
    .await
    .unwrap()
    .unwrap();
    let (db, ids, token) = prepare_db(&env, origin, &[kp.public_key]).await;

    let filler = "Retour d’expérience sur la rénovation urbaine, la participation des habitants \
                  et la gestion urbaine de proximité dans les quartiers prioritaires de la \
                  politique de la ville ; compte rendu de la journée d’échanges du réseau. ";
    let base = now_ms() - rows as i64 * 1000;
    let batch = 20_000;
    let t = Instant::now();
    let mut done = 0;
    while done < rows {
        let mut tx = db.begin().await.unwrap();
        let end = (done + batch).min(rows);
        for i in done..end {
            let a = i % SENDERS;
            let ap_id = format!("{origin}/actors/{a}/notes/{i}");
            let mut content = format!("<p>Publication {i} : {filler}</p>");
            content.truncate(300);
            let published = base + i as i64 * 1000;
            db::posts::upsert_remote(
                tx.exec(),
                &db::posts::PostWrite {
                    ap_id: &ap_id,
                    public_id: None,
                    actor_id: ids[a],
                    kind: "Note",
                    visibility: "public",
                    name: None,
                    summary: None,
                    content: &content,
                    url: None,
                    in_reply_to: None,
                    published,
                    updated: published,
                    local: false,
                    data: "{}",
                    start_at: None,
                    end_at: None,
                    timezone: None,
                    event_status: None,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        done = end;
    }
    let insert = t.elapsed();
    let size_mib = ["maillage.db", "maillage.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.path().join(f)).ok())
        .map(|m| m.len() as f64 / 1048576.0)
        .sum::<f64>();
    println!(
        "feed: inserted {rows} posts from {SENDERS} followed centres in {:.1} s ({:.0} rows/s, transactions of {batch}); database {size_mib:.0} MiB",
        insert.as_secs_f64(),
        rows as f64 / insert.as_secs_f64()
    );

    // (a) The library call.
    let first = db::posts::feed(db.read(), Cursor::START, 50).await.unwrap();
    let mut lat = Vec::with_capacity(1000);
    for _ in 0..1000 {
        let t = Instant::now();
        let rows = db::posts::feed(db.read(), Cursor::START, 50).await.unwrap();
        lat.push(t.elapsed());
        assert_eq!(rows.len(), first.len());
    }
    let (p50, p99, max) = percentiles(&mut lat);
    println!(
        "feed (library, first page of 50, 1000 calls): p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms ({} rows per page)",
        first.len()
    );
    let mut deep = Vec::new();
    for pct in [50usize, 99] {
        let k = rows - rows * pct / 100;
        let cursor = Cursor {
            published: base + k as i64 * 1000,
            id: i64::MAX,
        };
        let mut l = Vec::new();
        let mut got = 0;
        for _ in 0..100 {
            let t = Instant::now();
            got = db::posts::feed(db.read(), cursor, 50).await.unwrap().len();
            l.push(t.elapsed());
        }
        let (p50, _, _) = percentiles(&mut l);
        deep.push(format!("{pct}% deep p50 {p50:.2} ms ({got} rows)"));
    }
    println!(
        "feed (library, deep pages, 100 calls each): {}",
        deep.join(", ")
    );
    db.close().await;

    // (b) Over HTTP, against a server process on that database.
    let log = dir.path().join("server-feed.log");
    let (server, startup) = Server::start(&env, port, log).await;
    let pid = server.pid();
    println!(
        "server: started on the {rows}-post database in {:.0} ms, idle RSS {:.1} MiB",
        ms(startup),
        vm_mib(pid, "VmRSS:")
    );
    let client = loopback_client(port);
    let get = |query: String| {
        let client = client.clone();
        let token = token.clone();
        async move {
            let t = Instant::now();
            let res = client
                .get(format!("http://localhost:{port}/api/v1/feed?{query}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            let status = res.status();
            let body = res.bytes().await.unwrap();
            (t.elapsed(), status, body)
        }
    };
    let (_, status, body) = get("limit=50".into()).await;
    let page: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    println!(
        "feed (HTTP): first page {status}, {} items, {} bytes",
        page["items"].as_array().map_or(0, Vec::len),
        body.len()
    );
    let ticks = clock_ticks();
    let cpu0 = cpu_ticks(pid);
    let threads0 = thread_ticks(pid);
    let mut lat = Vec::with_capacity(1000);
    let mut non200 = 0;
    let started = Instant::now();
    for _ in 0..1000 {
        let (d, status, _) = get("limit=50".into()).await;
        lat.push(d);
        if status != 200 {
            non200 += 1;
        }
    }
    let wall = started.elapsed();
    let cpu = (cpu_ticks(pid) - cpu0) as f64 / ticks;
    let (p50, p99, max) = percentiles(&mut lat);
    println!(
        "feed (HTTP GET /api/v1/feed?limit=50, 1000 sequential): p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms, {:.0} req/s, {:.0} µs server CPU/request, non-200: {non200}",
        1000.0 / wall.as_secs_f64(),
        cpu / 1000.0 * 1e6
    );
    println!(
        "feed (HTTP): server threads, cores used: {}",
        thread_usage(&threads0, &thread_ticks(pid), ticks, wall)
    );

    // Walking the `next` cursor from the top.
    let mut next = page["next"].as_str().map(str::to_string);
    let mut lat = Vec::new();
    let mut items = page["items"].as_array().map_or(0, Vec::len);
    let mut walked = 1;
    while walked < 200
        && let Some(cursor) = next.take()
    {
        let (d, status, body) = get(format!("limit=50&before={cursor}")).await;
        lat.push(d);
        walked += 1;
        if status != 200 {
            println!("feed (HTTP): next page answered {status}");
            break;
        }
        let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        items += v["items"].as_array().map_or(0, Vec::len);
        next = v["next"].as_str().map(str::to_string);
    }
    let (p50, p99, max) = percentiles(&mut lat);
    println!(
        "feed (HTTP, following `next` for {walked} pages, {items} items): p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms"
    );

    // Deep pages: cursors (in the API's PUBLISHED_ID form) far down the feed.
    let mut deep = Vec::new();
    for pct in [10usize, 50, 90, 100] {
        let k = (rows - rows * pct / 100).max(25);
        let cursor = format!("{}_{}", base + k as i64 * 1000, i64::MAX);
        let mut l = Vec::new();
        let mut last = (StatusCode::default(), 0, false);
        for _ in 0..20 {
            let (d, status, body) = get(format!("limit=50&before={cursor}")).await;
            l.push(d);
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            last = (
                status,
                v["items"].as_array().map_or(0, Vec::len),
                v["next"].is_string(),
            );
        }
        let (p50, p99, _) = percentiles(&mut l);
        deep.push(format!(
            "{pct}% deep: p50 {p50:.2} ms, p99 {p99:.2} ms ({} {} items, next {})",
            last.0.as_u16(),
            last.1,
            if last.2 { "present" } else { "absent" }
        ));
    }
    for d in deep {
        println!("feed (HTTP, 20 requests per depth) {d}");
    }
    println!(
        "server: RSS after feed requests {:.1} MiB, peak {:.1} MiB",
        vm_mib(pid, "VmRSS:"),
        vm_mib(pid, "VmHWM:")
    );
    let log_text = server.log_text();
    let (stop, exit) = server.terminate();
    println!("server: SIGTERM to exit in {:.0} ms ({exit})", ms(stop));
    println!("server log: {}", log_summary(&log_text));
}

type StatusCode = reqwest::StatusCode;

#[tokio::main]
async fn main() {
    let cores = std::thread::available_parallelism().map_or(0, |c| c.get());
    let inbox = env_usize("MAILLAGE_BENCH_INBOX", 20_000);
    let rows = env_usize("MAILLAGE_BENCH_ROWS", 1_000_000);
    let concurrency = env_usize("MAILLAGE_BENCH_CONCURRENCY", 64).max(1);
    println!("Maillage foundation benchmark (loopback only; figures are printed, never checked)");
    println!(
        "machine: {cores} cores (std::thread::available_parallelism); the bench client and the server share them"
    );
    println!(
        "parameters: MAILLAGE_BENCH_INBOX={inbox}, MAILLAGE_BENCH_ROWS={rows}, MAILLAGE_BENCH_CONCURRENCY={concurrency}"
    );
    let all = Instant::now();
    bench_inbox(inbox, concurrency).await;
    bench_feed(rows.max(100)).await;
    println!("== 3. machine ==");
    println!("cores: {cores}");
    println!("total bench time: {:.0} s", all.elapsed().as_secs_f64());
}
