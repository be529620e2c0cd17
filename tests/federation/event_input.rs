//! Event input from the API that is wrong: each error names its field, and nothing is
//! stored; calendar queries with bad dates are refused.

use crate::both_backends;
use crate::events::debate;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(event_input_errors_name_the_field);

async fn event_input_errors_name_the_field(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    for (patch, field) in [
        (json!({"end": "2026-02-12T13:00"}), "end"),
        (json!({"timezone": "Paris"}), "timezone"),
        (json!({"online_url": "javascript:alert(1)"}), "online_url"),
        (json!({"start": null}), "start"),
    ] {
        let mut body = debate();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, err) = a.post("/api/v1/posts", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{patch}");
        assert!(err["error"].as_str().unwrap().starts_with(field), "{err}");
    }
    let (status, err) = a
        .post(
            "/api/v1/posts",
            json!({"content": "x", "start": "2026-01-01T10:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(err["error"].as_str().unwrap().starts_with("start"), "{err}");
    let (_, cal) = a.get("/api/v1/calendar").await;
    assert!(
        cal["items"].as_array().unwrap().is_empty(),
        "nothing was stored"
    );
    for q in [
        "from=yesterday",
        "to=2026-13-01",
        "from=2026-03-01&to=2026-02-01",
    ] {
        let (status, _) = a.get(&format!("/api/v1/calendar?{q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
    }
}
