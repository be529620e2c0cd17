//! A full database: writes answer 503 with a message that names the cause, `/healthz` says
//! the database is unwritable, the console keeps what staff typed, and everything works again
//! once space is freed. The database lives on a small tmpfs filled to the last byte: a real full disk.

use crate::browser::Browser;
use crate::harness::{Options, Storage, TestInstance};
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::json;

/// A 16 MB tmpfs, mounted for the test (needs root, as CI runs).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount() -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=16m", "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk { dir })
    }

    /// Fills the disk with a ballast file until nothing more fits.
    fn fill(&self) {
        use std::io::Write;
        let mut f = std::fs::File::create(self.dir.path().join("ballast")).unwrap();
        let chunk = vec![1u8; 64 * 1024];
        while f.write_all(&chunk).and_then(|()| f.flush()).is_ok() {}
        while f.write_all(&chunk[..512]).is_ok() {}
        let _ = f.sync_all();
    }

    fn free(&self) {
        std::fs::remove_file(self.dir.path().join("ballast")).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_database_answers_503_and_health_says_so() {
    let Some(disk) = SmallDisk::mount() else {
        eprintln!("skipped: a tmpfs cannot be mounted here (not root)");
        return;
    };
    let storage = Storage::Sqlite(tempfile::tempdir_in(disk.dir.path()).unwrap());
    let i = TestInstance::start(std::sync::Arc::new(storage), Options::named("lyon"), None).await;
    maillage::actions::accounts::add_user(
        &i.ctx.db,
        "a@centre.fr",
        "mot de passe solide",
        "admin",
        Utc::now().timestamp_millis(),
    )
    .await
    .unwrap();
    let mut staff = Browser::new(&i.base);
    staff.login("a@centre.fr", "mot de passe solide").await;
    let health = i.http.get(i.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    disk.fill();
    let big = "Texte à garder. ".repeat(2000);
    let (status, body) = i.post("/api/v1/posts", json!({"content": big})).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body["error"].as_str().unwrap().contains("full"), "{body}");
    let health = i.http.get(i.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(health.text().await.unwrap().contains("unwritable"));

    let csrf = staff.csrf("/console/compose").await;
    let page = staff
        .post(
            "/console/compose",
            &[
                ("csrf", csrf.as_str()),
                ("type", "Note"),
                ("visibility", "public"),
                ("content", &big),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.body
    );
    assert!(page.body.contains("disque"), "the cause, in French");
    assert!(
        page.body.contains("Texte à garder."),
        "what was typed is kept"
    );

    disk.free();
    let health = i.http.get(i.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let (status, _) = i.post("/api/v1/posts", json!({"content": big})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (storage, _, _) = i.stop().await;
    drop(storage);
}
