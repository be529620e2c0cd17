//! The staff console and the public site, through their HTML forms and pages: happy paths,
//! bad input re-shown with its message, CSRF refused with 403, unauthenticated access sent to
//! login, editors kept out of admin pages.

use crate::both_backends;
use crate::browser::Browser;
use crate::harness::{Backend, TestInstance};
use chrono::Utc;
use maillage::actions::accounts;
use reqwest::StatusCode;
use serde_json::json;

both_backends!(
    the_setup_link_creates_the_first_admin_and_works_once,
    login_sessions_logout_and_rate_limit,
    editors_write_but_are_kept_out_of_admin_pages,
    compose_preview_publish_edit_and_delete,
    admin_forms_follows_tokens_profile_users_deliveries,
    every_console_form_refuses_a_missing_or_wrong_csrf_token,
    public_pages_in_french_and_english,
);

const PASSWORD: &str = "mot de passe solide";

async fn admin(i: &TestInstance) -> Browser {
    let now = Utc::now().timestamp_millis();
    accounts::add_user(&i.ctx.db, "admin@centre.fr", PASSWORD, "admin", now)
        .await
        .unwrap();
    let mut b = Browser::new(&i.base);
    let page = b.login("admin@centre.fr", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    b
}

async fn the_setup_link_creates_the_first_admin_and_works_once(backend: Backend) {
    let i = TestInstance::spawn(backend, "lyon").await;
    let token = accounts::setup_token(&i.ctx.db, Utc::now().timestamp_millis())
        .await
        .unwrap()
        .expect("no account yet: a setup token");
    let mut b = Browser::new(&i.base);
    assert_eq!(
        b.get("/console/setup?token=forged").await.status,
        StatusCode::FORBIDDEN
    );
    let form = b.get(&format!("/console/setup?token={token}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("<html lang=\"fr\">"));
    let csrf = form.csrf();
    let fields = |csrf: &'static str, password: &'static str| {
        vec![
            ("csrf", csrf),
            ("name", "Labo Cités"),
            ("summary", "Centre de ressources"),
            ("email", "direction@labo.fr"),
            ("password", password),
        ]
    };
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let tok: &'static str = leak(token.clone());
    let csrf: &'static str = leak(csrf);

    let mut no_csrf = fields("", PASSWORD);
    no_csrf.push(("token", tok));
    assert_eq!(
        b.post("/console/setup", &no_csrf).await.status,
        StatusCode::FORBIDDEN
    );

    let mut short = fields(csrf, "court");
    short.push(("token", tok));
    let page = b.post("/console/setup", &short).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.body.contains("password"),
        "the form is shown again with the message"
    );
    assert!(page.body.contains("Labo Cités"), "with what was typed");

    let csrf = leak(page.csrf());
    let mut good = fields(csrf, PASSWORD);
    good.push(("token", tok));
    let done = b.post("/console/setup", &good).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/console"));
    let dash = b.get("/console").await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(dash.body.contains("Labo Cités"), "the profile was set");
    let (_, actor) = i.get_ap(&i.actor_id()).await;
    assert_eq!(actor["name"], "Labo Cités");

    let mut again = Browser::new(&i.base);
    assert_eq!(
        again
            .get(&format!("/console/setup?token={token}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(
        accounts::setup_token(&i.ctx.db, 0).await.unwrap().is_none(),
        "no new link once an account exists"
    );
}

async fn login_sessions_logout_and_rate_limit(backend: Backend) {
    let i = TestInstance::spawn(backend, "lyon").await;
    accounts::add_user(&i.ctx.db, "a@centre.fr", PASSWORD, "admin", 0)
        .await
        .unwrap();
    let mut b = Browser::new(&i.base);
    let page = b.get("/console").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/console/login"));

    let wrong = b.login("a@centre.fr", "pas le bon mot").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Adresse ou mot de passe incorrect"));
    let no_csrf = b
        .post(
            "/console/login",
            &[("email", "a@centre.fr"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);

    let ok = b.login("A@Centre.fr ", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let set = b
        .last_set_cookies
        .iter()
        .find(|c| c.starts_with("maillage_session="))
        .unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "development mode: no Secure flag");
    assert_eq!(b.get("/console").await.status, StatusCode::OK);

    let session = b.cookies.get("maillage_session").unwrap().clone();
    assert_eq!(
        b.post("/console/logout", &[("csrf", "wrong")]).await.status,
        StatusCode::FORBIDDEN
    );
    let csrf = b.csrf("/console").await;
    let out = b.post("/console/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let mut stale = Browser::new(&i.base);
    stale.cookies.insert("maillage_session".into(), session);
    assert_eq!(
        stale.get("/console").await.status,
        StatusCode::SEE_OTHER,
        "logging out ends the session"
    );

    let mut attacker = Browser::new(&i.base);
    for _ in 0..5 {
        assert_eq!(
            attacker.login("a@centre.fr", "devinette123").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let blocked = attacker.login("a@centre.fr", PASSWORD).await;
    assert_eq!(
        blocked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited even with the right password"
    );
    assert!(blocked.body.contains("15 minutes"));
}

async fn editors_write_but_are_kept_out_of_admin_pages(backend: Backend) {
    let i = TestInstance::spawn(backend, "lyon").await;
    accounts::add_user(&i.ctx.db, "redac@centre.fr", PASSWORD, "editor", 0)
        .await
        .unwrap();
    let mut b = Browser::new(&i.base);
    assert_eq!(
        b.login("redac@centre.fr", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    for path in ["/console", "/console/posts", "/console/compose?type=Event"] {
        assert_eq!(b.get(path).await.status, StatusCode::OK, "{path}");
    }
    for path in [
        "/console/follows",
        "/console/deliveries",
        "/console/tokens",
        "/console/profile",
        "/console/users",
    ] {
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.body.contains("réservée aux administrateurs"));
    }
    let csrf = b.csrf("/console").await;
    let page = b
        .post("/console/tokens", &[("csrf", &csrf), ("name", "x")])
        .await;
    assert_eq!(
        page.status,
        StatusCode::FORBIDDEN,
        "an editor cannot post admin forms either"
    );
}

fn as_refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn compose_preview_publish_edit_and_delete(backend: Backend) {
    let i = TestInstance::spawn(backend, "lyon").await;
    let mut b = admin(&i).await;
    let form = b.get("/console/compose?type=Event").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("type=\"datetime-local\""));
    let csrf = form.csrf();
    let event = |csrf: &str, action: &str, end: &str| -> Vec<(String, String)> {
        [
            ("csrf", csrf),
            ("type", "Event"),
            ("action", action),
            ("title", "Atelier logement"),
            ("content", "**Atelier** ouvert à tous"),
            ("start", "2026-03-10T09:30"),
            ("end", end),
            ("timezone", "Europe/Paris"),
            ("location_name", "Maison de quartier"),
            ("locality", "Lyon"),
            ("status", "confirmed"),
            ("join_mode", "free"),
            ("visibility", "public"),
            ("tags", "logement #habitat"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    let preview = b
        .post(
            "/console/compose",
            &as_refs(&event(&csrf, "preview", "2026-03-10T12:00")),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(
        preview.body.contains("<strong>Atelier</strong>"),
        "Markdown rendered in the preview"
    );
    assert!(i.feed().await.is_empty(), "a preview publishes nothing");

    let bad = b
        .post(
            "/console/compose",
            &as_refs(&event(&csrf, "publish", "2026-03-10T08:00")),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("end: must be after start"),
        "the message is shown"
    );
    assert!(
        bad.body.contains("Atelier logement"),
        "the form keeps what was typed"
    );

    let done = b
        .post(
            "/console/compose",
            &as_refs(&event(&csrf, "publish", "2026-03-10T12:00")),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let feed = i.feed().await;
    assert_eq!(feed.len(), 1);
    assert_eq!(
        feed[0]["content"],
        "<p><strong>Atelier</strong> ouvert à tous</p>"
    );
    assert_eq!(feed[0]["start"], "2026-03-10T09:30:00+01:00");
    assert_eq!(feed[0]["tags"], json!(["logement", "habitat"]));

    let list = b.get("/console/posts").await;
    assert!(list.body.contains("Atelier logement"));
    let id = feed[0]["id"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let edit = b.get(&format!("/console/posts/{id}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(
        edit.body.contains("**Atelier** ouvert à tous"),
        "the Markdown source comes back"
    );
    assert!(edit.body.contains("2026-03-10T09:30"));
    let mut changed = event(&edit.csrf(), "publish", "2026-03-10T12:00");
    for (k, v) in changed.iter_mut() {
        if k == "status" {
            *v = "cancelled".into();
        }
    }
    let saved = b
        .post(&format!("/console/posts/{id}/edit"), &as_refs(&changed))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(i.feed().await[0]["cancelled"], true);

    assert_eq!(
        b.post(
            &format!("/console/posts/{id}/delete"),
            &[("csrf", "forged")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let csrf = b.csrf("/console/posts").await;
    assert_eq!(
        b.post(&format!("/console/posts/{id}/delete"), &[("csrf", &csrf)])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert!(i.feed().await.is_empty());
}

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
