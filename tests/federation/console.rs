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
);

pub const PASSWORD: &str = "mot de passe solide";

pub async fn admin(i: &TestInstance) -> Browser {
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
    // "Supprimer" asks first, and says that followers' servers will be asked too.
    let list = b.get("/console/posts").await;
    assert!(
        list.body.contains(&format!(
            r#"<a href="/console/posts/{id}/delete" class="danger">"#
        )),
        "{}",
        list.body
    );
    let confirm = b.get(&format!("/console/posts/{id}/delete")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(
        confirm.body.contains("serveurs de vos abonnés"),
        "{}",
        confirm.body
    );
    assert!(!i.feed().await.is_empty(), "asking deletes nothing");
    let csrf = confirm.csrf();
    assert_eq!(
        b.post(&format!("/console/posts/{id}/delete"), &[("csrf", &csrf)])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert!(i.feed().await.is_empty());
}
