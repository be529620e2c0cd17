//! What every part of the benchmark uses: parameters, /proc readings, percentiles, the
//! loopback HTTP client and the server process.

use std::{
    collections::{BTreeMap, HashMap},
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub const AP_JSON: &str = "application/activity+json";
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// `MAILLAGE_BENCH_QUICK=1`: everything at a tenth of its size.
pub fn quick() -> bool {
    std::env::var("MAILLAGE_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// `full` normally, a tenth of it in quick mode.
pub fn sized(name: &str, full: usize) -> usize {
    env_usize(name, if quick() { (full / 10).max(1) } else { full })
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A free loopback port (bound then released; a server binds it right after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// p50, p99 and maximum of a set of durations, in milliseconds.
pub fn percentiles(v: &mut [Duration]) -> (f64, f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    v.sort_unstable();
    let at = |p: usize| v[((v.len() * p) / 100).min(v.len() - 1)];
    (ms(at(50)), ms(at(99)), ms(v[v.len() - 1]))
}

/// The median of a list of figures (NaN when empty).
pub fn median(v: &[f64]) -> f64 {
    let mut v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    if v.len() % 2 == 1 {
        v[v.len() / 2]
    } else {
        (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
    }
}

// ---------------------------------------------------------------------------------------------
// /proc readings

pub fn clock_ticks() -> f64 {
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

/// CPU seconds (user + system) used by `pid` so far.
pub fn cpu_secs(pid: u32) -> f64 {
    stat_ticks(&format!("/proc/{pid}/stat")) as f64 / clock_ticks()
}

/// CPU ticks of every thread of `pid`, by thread id, with the thread's name.
pub fn thread_ticks(pid: u32) -> BTreeMap<u64, (String, u64)> {
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

/// Cores used per thread name between two [`thread_ticks`] readings (a thread near 1.00 is a
/// serial bottleneck).
pub fn thread_usage(
    before: &BTreeMap<u64, (String, u64)>,
    after: &BTreeMap<u64, (String, u64)>,
    wall: Duration,
) -> String {
    let ticks = clock_ticks();
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
pub fn vm_mib(pid: u32, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// An HTTP client that reaches `localhost:port` on 127.0.0.1 only, with keep-alive.
pub fn loopback_client(port: u16) -> reqwest::Client {
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
// A server process: `maillage serve`, or this bench binary in a baseline role

pub struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    /// Starts `program args` with `env` (and no other `MAILLAGE_` variable), and waits until
    /// `http://localhost:port/healthz` answers; returns the time from spawn to first answer.
    pub async fn start(
        program: &std::path::Path,
        args: &[&str],
        env: &HashMap<String, String>,
        port: u16,
        log: PathBuf,
    ) -> (Server, Duration) {
        let mut cmd = Command::new(program);
        cmd.args(args);
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
        let child = cmd.spawn().expect("starting a server process");
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
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        (server, started.elapsed())
    }

    /// `maillage serve` with `env`.
    pub async fn maillage(
        env: &HashMap<String, String>,
        port: u16,
        log: PathBuf,
    ) -> (Server, Duration) {
        let bin = std::path::Path::new(env!("CARGO_BIN_EXE_maillage"));
        Server::start(bin, &["serve"], env, port, log).await
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for the exit; returns the time it took and the exit status.
    pub fn terminate(mut self) -> (Duration, String) {
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

/// Warning and error lines of a server log: counts, and the first few messages.
pub fn log_summary(text: &str) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut samples: Vec<String> = Vec::new();
    for line in text.lines() {
        for level in ["ERROR", "WARN"] {
            if line.contains(&format!(" {level} ")) {
                *counts.entry(level).or_default() += 1;
                if samples.len() < 3 {
                    samples.push(line.chars().take(300).collect());
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

// ---------------------------------------------------------------------------------------------
// Target lines

/// One line of the summary: `target NAME: VALUE (goal OP GOAL) met|not met`.
pub struct Target {
    pub name: &'static str,
    pub value: f64,
    pub unit: &'static str,
    /// `true`: the value must be at least the goal; `false`: at most.
    pub at_least: bool,
    pub goal: f64,
}

impl Target {
    pub fn line(&self) -> String {
        let met = if self.at_least {
            self.value >= self.goal
        } else {
            self.value <= self.goal
        };
        let fmt = |v: f64| {
            if v.abs() >= 100.0 {
                format!("{v:.0}{}", self.unit)
            } else {
                format!("{v:.2}{}", self.unit)
            }
        };
        format!(
            "target {}: {} (goal {} {}) {}",
            self.name,
            fmt(self.value),
            if self.at_least { ">=" } else { "<=" },
            fmt(self.goal),
            if !self.value.is_finite() {
                "not measured"
            } else if met {
                "met"
            } else {
                "not met"
            }
        )
    }
}
