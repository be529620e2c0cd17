//! The participants' CSV: quoted cells, and cells a spreadsheet would run as formulas
//! neutralised.

use super::{event, join, participants};
use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(csv_export_escapes_and_neutralises);

async fn csv_export_escapes_and_neutralises(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let c = TestInstance::spawn(backend, "nantes").await;
    let (id, url) = event(&a, json!({"join_mode": "restricted"})).await;
    let mut jb = join(&b, "jb", json!(url));
    jb["participationMessage"] = json!("=HYPERLINK(\"http://evil.example\")");
    assert_eq!(b.deliver_to(&a, &jb).await, StatusCode::ACCEPTED);
    let mut jc = join(&c, "jc", json!(url));
    jc["participationMessage"] = json!("Bonjour, \"nous\" venons\nà trois, merci");
    assert_eq!(c.deliver_to(&a, &jc).await, StatusCode::ACCEPTED);
    assert_eq!(participants(&a, &id).await.len(), 2);

    for path in [
        format!("/api/v1/posts/{id}/participants.csv"),
        format!("/api/v1/posts/{id}/participants?format=csv"),
    ] {
        let res = a
            .http
            .get(a.url(&path))
            .bearer_auth(&a.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let body = res.text().await.unwrap();
        let mut lines = body.split("\r\n");
        assert_eq!(
            lines.next().unwrap(),
            "\"handle\",\"name\",\"actor\",\"state\",\"message\",\"created_at\""
        );
        assert!(
            body.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
            "formula neutralised and quotes doubled: {body}"
        );
        assert!(
            body.contains("\"Bonjour, \"\"nous\"\" venons\nà trois, merci\""),
            "comma, quotes and newline kept inside one quoted cell: {body}"
        );
        assert!(body.contains(&format!("\"{}\"", b.handle())), "{body}");
        assert!(body.contains("\"pending\""));
    }
    let (status, _) = a
        .get(&format!("/api/v1/posts/{id}/participants?format=xls"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let unauthenticated = a
        .http
        .get(a.url(&format!("/api/v1/posts/{id}/participants.csv")))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(unauthenticated, StatusCode::UNAUTHORIZED);
}
