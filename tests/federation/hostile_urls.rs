//! URLs from other servers in every place we render them: `javascript:`, `data:`, relative and
//! upper-case schemes never reach an `href`, an Atom link, an iCalendar URL or the API, and
//! every HTML page carries a strict Content-Security-Policy.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(hostile_urls_are_never_rendered_anywhere);

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

fn create(from: &TestInstance, id: &str, object: Value) -> Value {
    let mut object = object;
    object["id"] = json!(format!("{}/posts/{id}", from.base));
    object["attributedTo"] = json!(from.actor_id());
    json!({"id": format!("{}/activities/{id}", from.base), "type": "Create",
        "actor": from.actor_id(), "to": [PUBLIC], "object": object})
}

async fn send(from: &TestInstance, to: &TestInstance, activity: &Value) {
    let req = from
        .signed_post(
            &format!("{}/inbox", to.base),
            serde_json::to_vec(activity).unwrap(),
        )
        .await;
    let status = to.http.execute(req).await.unwrap().status();
    assert_eq!(status, StatusCode::ACCEPTED, "{activity}");
}

fn assert_clean(what: &str, text: &str) {
    let lower = text.to_lowercase();
    for bad in ["javascript:", "data:text", "vbscript:", "href=\"/relative"] {
        assert!(!lower.contains(bad), "{what} contains {bad}: {text}");
    }
}

async fn hostile_urls_are_never_rendered_anywhere(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    let stranger = TestInstance::spawn(backend, "ailleurs").await;
    a.follow_and_wait(&b).await;
    let (_, ours) = a.post("/api/v1/posts", json!({"content": "Avis ?"})).await;
    let ours_url = ours["url"].as_str().unwrap().to_string();

    let objects = [
        json!({"type": "Note", "to": [PUBLIC], "content": "<p>un</p>", "url": "javascript:alert(1)"}),
        json!({"type": "Note", "to": [PUBLIC], "content": "<p>deux</p>", "url": "JAVASCRIPT:alert(2)"}),
        json!({"type": "Article", "to": [PUBLIC], "name": "Trois", "content": "<p>trois</p>",
            "url": {"type": "Link", "href": "data:text/html,<script>alert(3)</script>"}}),
        json!({"type": "Note", "to": [PUBLIC], "content": "<p>quatre</p>", "url": "/relative/4"}),
        json!({"type": "Event", "to": [PUBLIC], "name": "Cinq", "content": "<p>cinq</p>",
            "startTime": "2030-03-01T10:00:00+01:00", "url": "vbscript:x",
            "externalParticipationUrl": "javascript:alert(5)", "isOnline": true,
            "attachment": [{"type": "Link", "name": "Website", "href": "JavaScript:alert(6)"}]}),
    ];
    for (i, o) in objects.into_iter().enumerate() {
        send(&b, &a, &create(&b, &format!("h{i}"), o)).await;
    }
    // A reply from someone A does not follow, with a hostile url too.
    let reply = create(
        &stranger,
        "r",
        json!({"type": "Note", "to": [a.actor_id()], "inReplyTo": ours_url,
            "content": "<p>réponse</p>", "url": "javascript:alert(7)"}),
    );
    send(&stranger, &a, &reply).await;
    assert_eq!(
        a.feed().await.len(),
        6,
        "everything was kept, without the bad links"
    );

    let id = ours["id"].as_str().unwrap();
    for path in [
        "/network".to_string(),
        "/calendar?month=2030-03".to_string(),
        format!("/posts/{id}"),
        format!("/posts/{}", ours_url.rsplit('/').next().unwrap()),
    ] {
        let res = a.http.get(a.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let csp = res
            .headers()
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{path} has no CSP"))
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("script-src"),
            "{csp}"
        );
        assert_clean(&path, &res.text().await.unwrap());
    }
    for path in [
        "/network/feed.atom",
        "/network/calendar.ics",
        "/api/v1/feed?limit=100",
        "/api/v1/calendar",
    ] {
        let res = a
            .http
            .get(a.url(path))
            .bearer_auth(&a.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_clean(path, &res.text().await.unwrap());
    }
    // The reply's own page is its id (its url was refused).
    let (_, post) = a.get(&format!("/api/v1/posts/{id}")).await;
    assert_clean("the post with its replies", &post.to_string());
}
