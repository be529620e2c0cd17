//! The administrators' console forms (follows, tokens, profile, users, deliveries) and the
//! CSRF check of every console form.

use crate::both_backends;
use crate::browser::Browser;
use crate::console::{PASSWORD, admin};
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    admin_forms_follows_tokens_profile_users_deliveries,
    every_console_form_refuses_a_missing_or_wrong_csrf_token,
);

async fn admin_forms_follows_tokens_profile_users_deliveries(backend: Backend) {
    let i = TestInstance::spawn(backend, "lyon").await;
    let peer = TestInstance::spawn(backend, "grenoble").await;
    peer.follow_and_wait(&i).await;
    let mut b = admin(&i).await;

    let csrf = b.csrf("/console/follows").await;
    let bad = b
        .post(
            "/console/follows",
            &[("csrf", &csrf), ("target", "pas un identifiant")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("target:"), "{}", bad.body);
    let ok = b
        .post(
            "/console/follows",
            &[("csrf", &csrf), ("target", &peer.handle())],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    i.deliver_pending().await;
    peer.deliver_pending().await;
    let page = b.get("/console/follows").await;
    assert!(page.body.contains(&format!("@grenoble@{}", peer.domain)));
    assert!(page.body.contains("accepté"));

    let csrf = b.csrf("/console/tokens").await;
    let created = b
        .post(
            "/console/tokens",
            &[("csrf", &csrf), ("name", "statistiques")],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK);
    let token = created
        .body
        .split("class=\"token\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert!(token.starts_with("mlg_"));
    let api = i
        .http
        .get(i.url("/api/v1/feed"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::OK, "the token works");
    let again = b.get("/console/tokens").await;
    assert!(!again.body.contains(&token), "shown once");
    let bad = b
        .post("/console/tokens", &[("csrf", &csrf), ("name", "")])
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let rows = maillage::db::tokens::list(i.ctx.db.read()).await.unwrap();
    let id = rows.iter().find(|t| t.name == "statistiques").unwrap().id;
    assert_eq!(
        b.post(&format!("/console/tokens/{id}/revoke"), &[("csrf", &csrf)])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let api = i
        .http
        .get(i.url("/api/v1/feed"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED, "revoked");

    let csrf = b.csrf("/console/profile").await;
    let form = |csrf: &str, website: &str, logo: Vec<u8>| {
        reqwest::multipart::Form::new()
            .text("csrf", csrf.to_string())
            .text("name", "Labo Cités")
            .text("summary", "Centre de ressources politique de la ville")
            .text("website", website.to_string())
            .text("territory", "Auvergne-Rhône-Alpes")
            .part(
                "logo",
                reqwest::multipart::Part::bytes(logo).file_name("logo.png"),
            )
    };
    let bad = b
        .post_multipart("/console/profile", form(&csrf, "pas une adresse", vec![]))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("website:"));
    let not_image = b
        .post_multipart(
            "/console/profile",
            form(&csrf, "https://labo.fr", b"GIF89a".to_vec()),
        )
        .await;
    assert_eq!(not_image.status, StatusCode::BAD_REQUEST);
    let png = [
        &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a][..],
        &[0u8; 64],
    ]
    .concat();
    let saved = b
        .post_multipart(
            "/console/profile",
            form(&csrf, "https://labo.fr", png.clone()),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved.body.contains("Profil enregistré"));
    let (_, actor) = i.get_ap(&i.actor_id()).await;
    assert_eq!(actor["name"], "Labo Cités");
    assert_eq!(actor["icon"]["mediaType"], "image/png");
    let logo = i
        .http
        .get(actor["icon"]["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(logo.headers()["content-type"], "image/png");
    assert_eq!(logo.bytes().await.unwrap().to_vec(), png);
    assert!(actor["attachment"].to_string().contains("https://labo.fr"));
    let sent = i.deliver_pending().await;
    assert_eq!(
        sent.delivered, 1,
        "the Update of the actor reaches the follower"
    );
    let seen = maillage::db::actors::find_by_ap_id(peer.ctx.db.read(), &i.actor_id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        seen.name.as_deref(),
        Some("Labo Cités"),
        "the follower refreshed its copy"
    );

    let csrf = b.csrf("/console/users").await;
    let bad = b
        .post(
            "/console/users",
            &[
                ("csrf", &csrf),
                ("email", "x@centre.fr"),
                ("role", "editor"),
                ("password", "court"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("password:"));
    let ok = b
        .post(
            "/console/users",
            &[
                ("csrf", &csrf),
                ("email", "x@centre.fr"),
                ("role", "editor"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert!(b.get("/console/users").await.body.contains("x@centre.fr"));

    let page = b.get("/console/deliveries").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&peer.domain), "the peer host is listed");
}

async fn every_console_form_refuses_a_missing_or_wrong_csrf_token(backend: Backend) {
    let i = TestInstance::spawn(backend, "lyon").await;
    let mut b = admin(&i).await;
    let (_, post) = i.post("/api/v1/posts", json!({"content": "x"})).await;
    let id = post["id"].as_str().unwrap().to_string();
    let routes = [
        "/console/logout".to_string(),
        "/console/compose".into(),
        format!("/console/posts/{id}/edit"),
        format!("/console/posts/{id}/delete"),
        "/console/follows".into(),
        "/console/follows/x/unfollow".into(),
        "/console/followers/x/approve".into(),
        "/console/followers/x/reject".into(),
        "/console/deliveries/1/retry".into(),
        "/console/tokens".into(),
        "/console/tokens/1/revoke".into(),
        "/console/domains/block".into(),
        "/console/domains/unblock".into(),
        "/console/domains/allow".into(),
        "/console/domains/disallow".into(),
        "/console/reports/1/resolve".into(),
        "/console/reports/1/hide".into(),
        "/console/reports/1/block".into(),
        "/console/reports/new".into(),
        "/console/boosts".into(),
        "/console/boosts/x/undo".into(),
        "/console/participations".into(),
        format!("/console/posts/{id}/participants/1/accept"),
        format!("/console/posts/{id}/participants/1/reject"),
        "/console/users".into(),
    ];
    for route in &routes {
        for csrf in [None, Some("wrong")] {
            let form: Vec<(&str, &str)> = match csrf {
                Some(c) => vec![
                    ("csrf", c),
                    ("content", "y"),
                    ("name", "n"),
                    ("target", "t"),
                ],
                None => vec![("content", "y"), ("name", "n"), ("target", "t")],
            };
            let page = b.post(route, &form).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{route} with {csrf:?}");
        }
    }
    let profile = b
        .post_multipart(
            "/console/profile",
            reqwest::multipart::Form::new().text("name", "x"),
        )
        .await;
    assert_eq!(profile.status, StatusCode::FORBIDDEN);
    assert_eq!(i.feed().await[0]["content"], "<p>x</p>", "nothing changed");
    let mut anonymous = Browser::new(&i.base);
    for route in &routes[1..] {
        let page = anonymous.post(route, &[("csrf", "x")]).await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "{route} without a session goes to login"
        );
    }
}
