//! The admin API: bearer tokens, JSON errors, validation of every input.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    the_api_requires_a_valid_unrevoked_token,
    malformed_oversized_and_invalid_posts_get_clear_errors,
    feed_parameters_are_validated,
);

async fn the_api_requires_a_valid_unrevoked_token(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    for auth in [
        None,
        Some("Bearer nope"),
        Some("Basic abc"),
        Some("Bearer "),
    ] {
        let mut req = a.http.get(a.url("/api/v1/feed"));
        if let Some(h) = auth {
            req = req.header("authorization", h);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        let body: Value = res.json().await.unwrap();
        assert!(body["error"].is_string());
    }
    let revoked = maillage::db::tokens::revoke_by_name(a.ctx.db.write(), "test", 0)
        .await
        .unwrap();
    assert_eq!(revoked, 1);
    let (status, _) = a.get("/api/v1/feed").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a revoked token is refused"
    );
    let (status, body) = a.get("/api/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].is_string());
}

async fn malformed_oversized_and_invalid_posts_get_clear_errors(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let send_raw = |body: Vec<u8>, content_type: &'static str| {
        a.http
            .post(a.url("/api/v1/posts"))
            .bearer_auth(&a.token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let cases: Vec<(Vec<u8>, &str, StatusCode, &str)> = vec![
        (
            b"{\"content\": ".to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
            "",
        ),
        (
            b"[1,2]".to_vec(),
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
        ),
        (
            b"{\"content\":\"x\"}".to_vec(),
            "text/plain",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type",
        ),
        (
            serde_json::to_vec(&json!({"content": "x".repeat(1024 * 1024 + 1)})).unwrap(),
            "application/json",
            StatusCode::PAYLOAD_TOO_LARGE,
            "bytes",
        ),
    ];
    for (body, ct, status, needle) in cases {
        let res = send_raw(body, ct).await.unwrap();
        assert_eq!(res.status(), status);
        let err: Value = res.json().await.unwrap();
        assert!(err["error"].as_str().unwrap().contains(needle), "{err}");
    }
    for (body, field) in [
        (json!({"content": ""}), "content"),
        (json!({"content": "<script>alert(1)</script>"}), "content"),
        (json!({"content": "x".repeat(50_001)}), "content"),
        (
            json!({"content": "x", "visibility": "secret"}),
            "visibility",
        ),
        (json!({"content": "x", "type": "Question"}), "type"),
    ] {
        let (status, err) = a.post("/api/v1/posts", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(err["error"].as_str().unwrap().starts_with(field), "{err}");
    }
    let (status, _) = a
        .post("/api/v1/posts", json!({"content": "x", "colour": "red"}))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown fields are refused"
    );
    assert!(a.feed().await.is_empty(), "nothing was published");

    let (status, post) = a
        .post(
            "/api/v1/posts",
            json!({"content": "<p onclick=\"x()\">Bonjour <script>x</script></p>"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, got) = a
        .get(&format!("/api/v1/posts/{}", post["id"].as_str().unwrap()))
        .await;
    assert_eq!(got["content"], "<p>Bonjour </p>", "HTML is sanitised");
    let (status, _) = a.get("/api/v1/posts/does-not-exist").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = a.delete("/api/v1/posts/does-not-exist").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn feed_parameters_are_validated(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    for q in [
        "limit=0",
        "limit=101",
        "limit=abc",
        "before=xyz",
        "before=1_",
        "before=_1",
    ] {
        let (status, err) = a.get(&format!("/api/v1/feed?{q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
        assert!(err["error"].is_string());
    }
    let (status, body) = a.get("/api/v1/feed?limit=100&before=1_1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["next"], Value::Null);
}
