//! The public site in French and English: the home page, the network feed and calendar, a
//! post's page, the language choice.

use crate::both_backends;
use crate::browser::Browser;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(public_pages_in_french_and_english);

async fn public_pages_in_french_and_english(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    b.post(
        "/api/v1/posts",
        json!({"type": "Event", "title": "Forum des quartiers", "start": "2026-02-12T14:00",
               "end": "2026-02-12T17:00", "location": {"name": "Salle Jean Zay", "locality": "Lille"},
               "tags": ["quartiers"]}),
    )
    .await;
    b.deliver_pending().await;
    let (_, own) = a.post("/api/v1/posts", json!({"type": "Article", "title": "Étude", "summary": "Résumé", "content": "Texte", "tags": ["quartiers"]})).await;
    let mut web = Browser::new(&a.base);

    let home = web.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    for needle in [
        "<html lang=\"fr\">",
        "og:title",
        "application/activity+json",
        "Suivre depuis votre compte du fédivers",
        "Étude",
        "/feed.atom",
        "/calendar.ics",
    ] {
        assert!(home.body.contains(needle), "home: {needle}");
    }
    let article = web
        .get_with(
            own["url"].as_str().unwrap().trim_start_matches(&a.base),
            &[("accept", "text/html")],
        )
        .await;
    assert!(article.body.contains("Résumé") && article.body.contains("og:type"));

    let network = web.get("/network").await;
    assert!(network.body.contains("Forum des quartiers") && network.body.contains("Étude"));
    let calendar = web.get("/calendar?month=2026-02").await;
    assert_eq!(calendar.status, StatusCode::OK);
    assert!(calendar.body.contains("février 2026"));
    assert!(
        calendar.body.contains("jeudi 12 février 2026"),
        "grouped by day"
    );
    assert!(
        calendar.body.contains("href=\"#day-12\""),
        "the month view links the day"
    );
    assert!(calendar.body.contains("Salle Jean Zay"));
    assert_eq!(
        web.get("/calendar?month=2026-13").await.status,
        StatusCode::BAD_REQUEST
    );
    let tag = web.get("/tags/quartiers").await;
    assert!(tag.body.contains("Forum des quartiers") && tag.body.contains("Étude"));
    let following = web
        .get_with("/u/lyon/following", &[("accept", "text/html")])
        .await;
    assert!(following.body.contains(&format!("@lille@{}", b.domain)));

    let go = web.get("/follow?instance=mastodon.example").await;
    assert_eq!(go.status, StatusCode::SEE_OTHER);
    assert_eq!(
        go.location.unwrap(),
        format!(
            "https://mastodon.example/authorize_interaction?uri=acct%3Alyon%40{}",
            a.domain.replace(':', "%3A")
        )
    );
    let bad = web.get("/follow?instance=%3Cscript%3E").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("pas valide") && !bad.body.contains("<script>"));

    let english = web.get("/?lang=en").await;
    assert!(
        english.body.contains("<html lang=\"en\">")
            && english.body.contains("Follow from your fediverse account")
    );
    assert!(
        web.last_set_cookies
            .iter()
            .any(|c| c.starts_with("lang=en"))
    );
    assert!(
        web.get("/network").await.body.contains("Network feed"),
        "the choice is remembered"
    );
    let mut visitor = Browser::new(&a.base);
    let en = visitor
        .get_with("/calendar", &[("accept-language", "en-GB,en;q=0.9")])
        .await;
    assert!(en.body.contains("Network calendar"));
}
