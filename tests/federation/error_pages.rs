//! Error pages: a browser gets an HTML page in its language with a way back for 404, 410, 400
//! and the router's own 404; ActivityPub and API clients keep JSON.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(browsers_get_pages_and_clients_keep_json);

async fn get(
    i: &TestInstance,
    path: &str,
    accept: &str,
    lang: &str,
) -> (StatusCode, String, String) {
    let res = i
        .http
        .get(i.url(path))
        .header("accept", accept)
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ct, res.text().await.unwrap())
}

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

async fn browsers_get_pages_and_clients_keep_json(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    for path in ["/posts/unknown", "/nope", "/console/nope", "/u/nobody"] {
        let (status, ct, body) = get(&a, path, BROWSER, "fr-FR,fr;q=0.9").await;
        assert!(status.is_client_error(), "{path}: {status}");
        if status == StatusCode::NOT_FOUND {
            assert!(ct.starts_with("text/html"), "{path}: {ct}");
            assert!(body.contains("Page introuvable"), "{path}: {body}");
            assert!(body.contains("<html lang=\"fr\""), "{path}");
            assert!(body.contains("href=\"/\""), "a way back: {path}");
        }
    }
    let (status, ct, body) = get(&a, "/nope", BROWSER, "en").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        ct.starts_with("text/html") && body.contains("Page not found"),
        "{body}"
    );

    // A deleted post: 410, as a page.
    let (_, created) = a
        .post("/api/v1/posts", json!({"content": "Bientôt supprimé"}))
        .await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        a.delete(&format!("/api/v1/posts/{id}")).await.0,
        StatusCode::NO_CONTENT
    );
    let (status, ct, _) = get(&a, &format!("/posts/{id}"), BROWSER, "fr").await;
    assert_eq!(status, StatusCode::GONE);
    assert!(ct.starts_with("text/html"), "{ct}");

    // ActivityPub and API clients keep JSON.
    let (status, ct, _) = get(&a, "/posts/unknown", "application/activity+json", "fr").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!ct.starts_with("text/html"), "{ct}");
    let (status, ct, body) = get(&a, "/api/v1/posts/unknown", BROWSER, "fr").await;
    assert!(status.is_client_error());
    assert!(ct.starts_with("application/json"), "{ct}: {body}");
    let (status, ct, _) = get(&a, "/nope", "application/json", "fr").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(ct.starts_with("application/json"), "{ct}");
}
