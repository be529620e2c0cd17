//! French compound words as tags: `politique-de-la-ville` is accepted in preview and publish
//! alike, shown as written, and sent as `#PolitiqueDeLaVille`, which a follower matches to the
//! same tag page. A tag that is still not one is refused the same way in both.

use crate::both_backends;
use crate::console::admin;
use crate::harness::{Backend, TestInstance};
use crate::remote::page;
use reqwest::StatusCode;

both_backends!(hyphenated_tags_are_accepted_in_preview_and_publish_and_federate);

async fn hyphenated_tags_are_accepted_in_preview_and_publish_and_federate(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    b.follow_and_wait(&a).await;
    let mut browser = admin(&a).await;
    let csrf = browser.csrf("/console/compose").await;
    let form = |action: &'static str, tags: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("type", "Note".to_string()),
            ("content", "Rencontre à Saint-Denis".to_string()),
            ("visibility", "public".to_string()),
            ("tags", tags.to_string()),
            ("action", action.to_string()),
        ]
    };
    for action in ["preview", "publish"] {
        let f = form(action, "ville--x");
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let bad = browser.post("/console/compose", &pairs).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{action}");
        assert!(bad.body.contains("tags:"), "{action}: {}", bad.body);
    }
    let f = form("preview", "politique-de-la-ville Saint-Denis");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let preview = browser.post("/console/compose", &pairs).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let f = form("publish", "politique-de-la-ville Saint-Denis");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = browser.post("/console/compose", &pairs).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    let item = a.feed().await.remove(0);
    assert_eq!(
        item["tags"],
        serde_json::json!(["politique-de-la-ville", "saint-denis"])
    );
    let (_, note) = a.get_ap(item["id"].as_str().unwrap()).await;
    let names: Vec<&str> = note["tag"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["#PolitiqueDeLaVille", "#SaintDenis"]);
    assert_eq!(
        note["tag"][0]["href"],
        format!("{}/tags/politiquedelaville", a.base)
    );
    // Shown as written on our page; the follower's tag page finds it by either spelling.
    assert!(
        page(&a, "/tags/politique-de-la-ville", None)
            .await
            .contains("Rencontre à Saint-Denis")
    );
    a.deliver_pending().await;
    for path in ["/tags/politique-de-la-ville", "/tags/PolitiqueDeLaVille"] {
        assert!(
            page(&b, path, None)
                .await
                .contains("Rencontre à Saint-Denis"),
            "{path}"
        );
    }
}
