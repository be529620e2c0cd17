//! The `maillage` binary as an operator runs it: start-up on an empty directory, CLI token
//! creation, configuration errors, and a clean exit on SIGTERM.

use reqwest::StatusCode;
use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

fn maillage() -> Command {
    Command::new(env!("CARGO_BIN_EXE_maillage"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_bad_configuration_stops_with_one_line_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (var, value, key) in [
        ("MAILLAGE_CENTRE_USERNAME", "Bad Name", "centre.username"),
        ("MAILLAGE_DEV", "maybe", "MAILLAGE_DEV"),
        ("MAILLAGE_LISTEN", "here", "listen"),
        ("MAILLAGE_DATABASE_URL", "mysql://x", "database.url"),
        ("MAILLAGE_METRICS_TOKEN", "short", "metrics.token"),
        ("MAILLAGE_METRICS_LISTEN", "nowhere", "metrics.listen"),
        ("MAILLAGE_FEDERATION_MODE", "closed", "federation.mode"),
        (
            "MAILLAGE_FEDERATION_RATE_LIMIT_PER_SECOND",
            "-1",
            "federation.rate_limit_per_second",
        ),
    ] {
        let out = maillage()
            .arg("check")
            .current_dir(dir.path())
            .env(var, value)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{var}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(key), "{stderr}");
    }
    let out = maillage()
        .args(["--config", "/nonexistent.toml", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A log filter that is not one stops start-up, naming the variable.
    let out = maillage()
        .arg("check")
        .current_dir(dir.path())
        .env("MAILLAGE_LOG", "maillage=loud")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("MAILLAGE_LOG"), "{stderr}");
    // A misspelt variable is reported, and start-up goes on.
    let out = maillage()
        .arg("check")
        .current_dir(dir.path())
        .env("MAILLAGE_CENTRE_USERNAM", "lyon")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("MAILLAGE_CENTRE_USERNAM is not a Maillage setting")
            && stderr.contains("did you mean MAILLAGE_CENTRE_USERNAME"),
        "{stderr}"
    );
}

#[tokio::test]
async fn serve_starts_on_an_empty_directory_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let metrics_port = free_port();
    let env = [
        ("MAILLAGE_LISTEN", format!("127.0.0.1:{port}")),
        ("MAILLAGE_DOMAIN", format!("localhost:{port}")),
        ("MAILLAGE_LOG", "warn".to_string()),
        (
            "MAILLAGE_METRICS_LISTEN",
            format!("127.0.0.1:{metrics_port}"),
        ),
    ];
    let out = maillage()
        .args(["token", "create", "--name", "ops"])
        .current_dir(dir.path())
        .envs(env.clone())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let token = stdout.trim().lines().last().unwrap().to_string();
    assert!(token.starts_with("mlg_"), "{stdout}");
    assert!(
        dir.path().join("data/maillage.db").exists(),
        "SQLite under ./data/"
    );

    let mut child = maillage()
        .arg("serve")
        .current_dir(dir.path())
        .envs(env)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://localhost:{port}");
    let started = Instant::now();
    loop {
        if let Ok(res) = http.get(format!("{base}/healthz")).send().await
            && res.status() == StatusCode::OK
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "serve did not come up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let res = http
        .post(format!("{base}/api/v1/posts"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"content": "Bonjour"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "the CLI token works against serve"
    );
    // The metrics are on their own listener, not on the public one.
    let public = http.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(public.status(), StatusCode::NOT_FOUND);
    let private = http
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(private.status(), StatusCode::OK);
    assert!(
        private
            .text()
            .await
            .unwrap()
            .contains("maillage_deliveries")
    );

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let stopped = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(30),
            "serve did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status}");
}

#[test]
fn staff_accounts_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], stdin: Option<&str>| {
        use std::io::Write;
        let mut child = maillage()
            .args(args)
            .current_dir(dir.path())
            .env("MAILLAGE_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        child.wait_with_output().unwrap()
    };
    let out = run(
        &["user", "add", "--role", "admin", "direction@centre.fr"],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let generated = stdout
        .lines()
        .last()
        .unwrap()
        .strip_prefix("password: ")
        .unwrap()
        .to_string();
    assert!(generated.len() >= 10);
    let out = run(
        &["user", "add", "--role", "admin", "direction@centre.fr"],
        None,
    );
    assert!(!out.status.success(), "the account exists already");
    let out = run(&["user", "add", "--role", "boss", "x@centre.fr"], None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("role"));
    let out = run(
        &["user", "passwd", "--password-stdin", "direction@centre.fr"],
        Some("un nouveau mot de passe\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        &["user", "passwd", "--password-stdin", "direction@centre.fr"],
        Some("court\n"),
    );
    assert!(!out.status.success(), "too short");
    let out = run(&["user", "passwd", "nobody@centre.fr"], None);
    assert!(!out.status.success());
}
