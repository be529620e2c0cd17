//! Several `maillage serve` processes started at the same moment on one new database (the
//! multi-node set-up): migrations and the creation of the centre happen once, and every process
//! serves.

use crate::harness::{Backend, Storage, postgres_server};
use reqwest::StatusCode;
use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn race(backend: Backend) {
    for round in 0..3 {
        let storage = Storage::new(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let domain = format!("localhost:{}", free_port());
        let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let mut children: Vec<Child> = ports
            .iter()
            .map(|port| {
                Command::new(env!("CARGO_BIN_EXE_maillage"))
                    .arg("serve")
                    .current_dir(dir.path())
                    .env("MAILLAGE_LISTEN", format!("127.0.0.1:{port}"))
                    .env("MAILLAGE_DOMAIN", &domain)
                    .env("MAILLAGE_DATABASE_URL", storage.url())
                    .env("MAILLAGE_LOG", "warn")
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let http = reqwest::Client::new();
        let started = Instant::now();
        for (i, port) in ports.iter().enumerate() {
            loop {
                if let Ok(res) = http
                    .get(format!("http://127.0.0.1:{port}/healthz"))
                    .send()
                    .await
                    && res.status() == StatusCode::OK
                {
                    break;
                }
                if let Some(status) = children[i].try_wait().unwrap() {
                    let mut err = String::new();
                    use std::io::Read;
                    children[i]
                        .stderr
                        .take()
                        .unwrap()
                        .read_to_string(&mut err)
                        .unwrap();
                    panic!("round {round}: process {i} exited ({status}): {err}");
                }
                assert!(started.elapsed() < Duration::from_secs(90), "not up");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        // All of them serve the same centre.
        let mut keys = Vec::new();
        for port in &ports {
            let actor: serde_json::Value = http
                .get(format!("http://127.0.0.1:{port}/u/centre"))
                .header("accept", "application/activity+json")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            keys.push(
                actor["publicKey"]["publicKeyPem"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
        assert!(keys.windows(2).all(|w| w[0] == w[1]), "one key pair");
        for mut c in children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_starting_together_on_a_new_sqlite_file_all_serve() {
    race(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_starting_together_on_a_new_postgres_database_all_serve() {
    if postgres_server().is_none() {
        eprintln!("skipped: MAILLAGE_TEST_POSTGRES is not set");
        return;
    }
    race(Backend::Postgres).await;
}
