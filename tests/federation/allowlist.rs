//! Allowlist mode (`federation.mode = "allowlist"`): only the allowed domains can follow us,
//! deliver to us or be fetched; every other one gets 403 and nothing of it is stored.

use crate::both_backends;
use crate::browser::Browser;
use crate::harness::{Backend, Options, TestInstance};
use maillage::db;
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    only_allowed_domains_federate_in_allowlist_mode,
    the_allowlist_is_managed_through_the_api,
    administrators_manage_both_lists_in_the_console,
);

async fn closed(backend: Backend, username: &str) -> TestInstance {
    TestInstance::spawn_with(
        backend,
        Options {
            env: vec![("MAILLAGE_FEDERATION_MODE", "allowlist".into())],
            ..Options::named(username)
        },
    )
    .await
}

fn note(from: &TestInstance, id: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/{id}", from.base),
        "type": "Create",
        "actor": from.actor_id(),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {"id": format!("{}/posts/{id}", from.base), "type": "Note",
            "attributedTo": from.actor_id(), "content": "<p>bonjour</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public"]}
    })
}

async fn knows(i: &TestInstance, actor: &str) -> bool {
    db::actors::find_by_ap_id(i.ctx.db.read(), actor)
        .await
        .unwrap()
        .is_some()
}

async fn only_allowed_domains_federate_in_allowlist_mode(backend: Backend) {
    let a = closed(backend, "lyon").await;
    let member = TestInstance::spawn(backend, "bordeaux").await;
    let outsider = TestInstance::spawn(backend, "ailleurs").await;
    let (status, body) = a
        .post("/api/v1/domain_allows", json!({"domain": member.domain}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The outsider can neither follow nor deliver, and nothing of it is stored.
    let follow = json!({"id": format!("{}/activities/f1", outsider.base), "type": "Follow",
        "actor": outsider.actor_id(), "object": a.actor_id()});
    assert_eq!(
        outsider.deliver_to(&a, &follow).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        outsider.deliver_to(&a, &note(&outsider, "n1")).await,
        StatusCode::FORBIDDEN
    );
    assert!(
        !knows(&a, &outsider.actor_id()).await,
        "its actor is not fetched"
    );
    assert_eq!(db::inbox::count(a.ctx.db.read()).await.unwrap(), 0);
    let (_, followers) = a.get("/api/v1/followers").await;
    assert!(followers["items"].as_array().unwrap().is_empty());
    // Nor is it fetched when staff try to follow it.
    let (status, err) = a
        .post("/api/v1/follows", json!({"target": outsider.actor_id()}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert!(
        err["error"].as_str().unwrap().contains("allowlist"),
        "{err}"
    );
    assert!(!knows(&a, &outsider.actor_id()).await);

    // The allowed centre follows, is followed, and delivers.
    member.follow_and_wait(&a).await;
    let (_, followers) = a.get("/api/v1/followers").await;
    assert_eq!(
        followers["items"].as_array().unwrap().len(),
        1,
        "{followers}"
    );
    a.follow_and_wait(&member).await;
    assert_eq!(
        member.deliver_to(&a, &note(&member, "n2")).await,
        StatusCode::ACCEPTED
    );

    // Taken off the list: its follower is removed, its deliveries refused, and nothing more
    // is sent there.
    assert_eq!(
        a.delete(&format!("/api/v1/domain_allows/{}", member.domain))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (_, followers) = a.get("/api/v1/followers").await;
    assert!(
        followers["items"].as_array().unwrap().is_empty(),
        "{followers}"
    );
    assert_eq!(
        member.deliver_to(&a, &note(&member, "n3")).await,
        StatusCode::FORBIDDEN
    );
    let stored = db::posts::find_by_ap_id(a.ctx.db.read(), &format!("{}/posts/n3", member.base))
        .await
        .unwrap();
    assert!(stored.is_none());
}

async fn the_allowlist_is_managed_through_the_api(backend: Backend) {
    let a = closed(backend, "lyon").await;
    for (body, status) in [
        (
            json!({"domain": "https://Centre.Example/"}),
            StatusCode::CREATED,
        ),
        (json!({"domain": "centre.example"}), StatusCode::CONFLICT),
        (json!({"domain": "<script>"}), StatusCode::BAD_REQUEST),
        (json!({"domain": a.domain}), StatusCode::BAD_REQUEST),
        (json!({"domain": "x".repeat(300)}), StatusCode::BAD_REQUEST),
        (json!({"domain": 3}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({"domain": "a.example", "extra": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (got, res) = a.post("/api/v1/domain_allows", body.clone()).await;
        assert_eq!(got, status, "{body}: {res}");
    }
    let (status, list) = a.get("/api/v1/domain_allows").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["mode"], "allowlist");
    assert_eq!(list["items"][0]["domain"], "centre.example");
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        a.delete("/api/v1/domain_allows/nowhere.example").await.0,
        StatusCode::NOT_FOUND
    );
    // Without a token, nothing.
    let res = reqwest::Client::new()
        .get(a.url("/api/v1/domain_allows"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn administrators_manage_both_lists_in_the_console(backend: Backend) {
    let a = closed(backend, "lyon").await;
    let now = chrono::Utc::now().timestamp_millis();
    maillage::actions::accounts::add_user(
        &a.ctx.db,
        "admin@centre.fr",
        "mot de passe solide",
        "admin",
        now,
    )
    .await
    .unwrap();
    let mut b = Browser::new(&a.base);
    b.login("admin@centre.fr", "mot de passe solide").await;
    let page = b.get("/console/domains").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Mode liste d’autorisation"),
        "{}",
        page.body
    );
    let csrf = b.csrf("/console/domains").await;
    for (path, domain) in [
        ("/console/domains/allow", "centre.example"),
        ("/console/domains/block", "spam.example"),
    ] {
        let res = b.post(path, &[("csrf", &csrf), ("domain", domain)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{path}: {}", res.body);
    }
    let page = b.get("/console/domains").await;
    assert!(page.body.contains("centre.example") && page.body.contains("spam.example"));
    assert!(
        a.ctx
            .blocks
            .is_blocked(&a.ctx.db, "spam.example")
            .await
            .unwrap()
            && !a
                .ctx
                .blocks
                .is_blocked(&a.ctx.db, "centre.example")
                .await
                .unwrap()
            && a.ctx
                .blocks
                .is_blocked(&a.ctx.db, "other.example")
                .await
                .unwrap()
    );
    // A bad domain is shown again with its error, and nothing changes.
    let res = b
        .post(
            "/console/domains/allow",
            &[("csrf", &csrf), ("domain", "<b>x</b>")],
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.body.contains("role=\"alert\""), "{}", res.body);
    assert!(!res.body.contains("<b>x</b>"), "the input is escaped");
    let res = b
        .post(
            "/console/domains/disallow",
            &[("csrf", &csrf), ("domain", "centre.example")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let (_, list) = a.get("/api/v1/domain_allows").await;
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
}
