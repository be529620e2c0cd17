//! `maillage export` and `maillage import`: an SQLite instance moves to a fresh PostgreSQL
//! database (or a fresh SQLite one when no PostgreSQL is configured) with the same actor,
//! keys, followers, follows, posts, events, media and accounts, and keeps federating with its
//! followers. A wrong version, a truncated file or a database in use is refused, and nothing
//! is half-imported.

use crate::backends::Storage;
use crate::browser::Browser;
use crate::harness::{Backend, TestInstance, postgres_server};
use maillage::{actions, db};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sqlite_instance_moves_to_postgresql_and_keeps_federating() {
    let target = if postgres_server().is_some() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let a = TestInstance::spawn(Backend::Sqlite, "lyon").await;
    let b = TestInstance::spawn(Backend::Sqlite, "lille").await;
    b.follow_and_wait(&a).await;
    a.follow_and_wait(&b).await;
    let now = chrono::Utc::now().timestamp_millis();
    actions::accounts::add_user(
        &a.ctx.db,
        "admin@centre.fr",
        crate::console::PASSWORD,
        "admin",
        now,
    )
    .await
    .unwrap();
    let (_, note) = a
        .post("/api/v1/posts", json!({"content": "Avant le déménagement"}))
        .await;
    let (_, event) = a
        .post(
            "/api/v1/posts",
            json!({"type": "Event", "title": "Forum", "start": "2027-03-12T14:00"}),
        )
        .await;
    a.deliver_pending().await;
    let logo = [&b"\x89PNG\r\n\x1a\n"[..], &[5u8; 100]].concat();
    let media = a
        .http
        .post(a.url("/api/v1/media"))
        .bearer_auth(&a.token)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(logo.clone()).file_name("a.png"),
        ))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();

    // Exported while the instance runs.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lyon.jsonl");
    let rows = actions::archive::export(&a.ctx.db, &file).await.unwrap();
    assert!(rows > 10, "{rows}");
    let (old_actor, old_key) = (a.actor_id(), a.ctx.centre.public_key_pem.clone());
    let (_, options, port) = a.stop().await;

    // Bad archives: refused, and a fresh database stays empty.
    let fresh = Storage::new(target).await;
    let fresh_db = db::Db::connect(&fresh.url()).await.unwrap();
    fresh_db.migrate().await.unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let domain = format!("localhost:{port}");
    for (name, content, needle) in [
        (
            "other.jsonl",
            text.replacen("\"version\":1", "\"version\":99", 1),
            "version 99",
        ),
        (
            "cut.jsonl",
            text[..text.len() - 40].to_string(),
            "truncated",
        ),
        (
            "notes.txt",
            "bonjour\n".to_string(),
            "not a Maillage archive",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let err = actions::archive::import(&fresh_db, &path, &domain)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{name}: {err}");
        assert_eq!(
            db::archive::row_count(&fresh_db).await.unwrap(),
            0,
            "{name}"
        );
    }
    let err = actions::archive::import(&fresh_db, &file, "elsewhere.example")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("set domain"), "{err}");

    // The real import.
    let n = actions::archive::import(&fresh_db, &file, &domain)
        .await
        .unwrap();
    assert_eq!(n, rows);
    let again = actions::archive::import(&fresh_db, &file, &domain)
        .await
        .unwrap_err();
    assert!(again.to_string().contains("not empty"), "{again}");
    fresh_db.close().await;

    let a = TestInstance::start(std::sync::Arc::new(fresh), options, Some(port)).await;
    assert_eq!(a.actor_id(), old_actor);
    assert_eq!(a.ctx.centre.public_key_pem, old_key, "same keys");
    let (_, followers) = a.get("/api/v1/followers").await;
    assert_eq!(followers["items"][0]["actor"], b.actor_id().as_str());
    let (_, follows) = a.get("/api/v1/follows").await;
    assert_eq!(follows["items"][0]["target_url"], b.actor_id().as_str());
    assert_eq!(follows["items"][0]["state"], "accepted");
    for post in [&note, &event] {
        let (status, p) = a
            .get(&format!("/api/v1/posts/{}", post["id"].as_str().unwrap()))
            .await;
        assert_eq!(status, StatusCode::OK, "{p}");
    }
    let served = a
        .http
        .get(media["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(served.bytes().await.unwrap().to_vec(), logo, "media");
    let mut browser = Browser::new(&a.base);
    let login = browser
        .login("admin@centre.fr", crate::console::PASSWORD)
        .await;
    assert_eq!(
        login.status,
        StatusCode::SEE_OTHER,
        "accounts: {}",
        login.body
    );

    // It keeps federating with its followers, signed with the same key.
    let (status, post) = a
        .post("/api/v1/posts", json!({"content": "Après le déménagement"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let sent = a.deliver_pending().await;
    assert_eq!((sent.delivered, sent.failed), (1, 0), "{sent:?}");
    assert!(b.feed().await.iter().any(|p| p["id"] == post["url"]));
}
