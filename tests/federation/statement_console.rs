//! Joint statements through the console's HTML forms: drafting, and refused forms that keep
//! what was typed, with a French message naming the field. Co-signing from the console and the
//! public "Déclarations signées" page are in `statement_console_signing.rs`.

use crate::both_backends;
use crate::browser::{Browser, Page};
use crate::harness::{Backend, TestInstance};
use maillage::actions::accounts;
use reqwest::StatusCode;
use serde_json::Value;

both_backends!(a_draft_from_the_console_form_and_refused_forms_keep_the_text);

pub const PASSWORD: &str = "mot de passe solide";

pub async fn staff(i: &TestInstance, email: &str, role: &str) -> Browser {
    accounts::add_user(&i.ctx.db, email, PASSWORD, role, 0)
        .await
        .unwrap();
    let mut b = Browser::new(&i.base);
    let page = b.login(email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    b
}

/// The fields of the draft form.
pub fn draft<'a>(csrf: &'a str, title: &'a str, invite: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("title", title),
        (
            "summary",
            "Les centres de ressources demandent le maintien des crédits.",
        ),
        ("content", "Nous, **centres de ressources**, demandons…"),
        ("language", "fr"),
        ("tags", "logement, politique_de_la_ville"),
        ("invite", invite),
        ("deadline", "2030-01-31"),
    ]
}

/// Drafts through the console form; returns the statement's public id.
pub async fn draft_from_console(b: &mut Browser, title: &str, invite: &str) -> String {
    let csrf = b.csrf("/console/statements/new").await;
    let done = b
        .post("/console/statements", &draft(&csrf, title, invite))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let location = done.location.unwrap();
    let id = location
        .strip_prefix("/console/statements/")
        .and_then(|l| l.split('?').next())
        .unwrap()
        .to_string();
    assert!(location.ends_with("?done=created"), "{location}");
    id
}

pub async fn statements(i: &TestInstance) -> Vec<Value> {
    let (status, body) = i.get("/api/v1/statements").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

pub async fn items(i: &TestInstance, path: &str) -> Vec<Value> {
    let (status, body) = i.get(path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

pub fn assert_error(page: &Page, status: StatusCode, needles: &[&str]) {
    assert_eq!(page.status, status, "{}", page.body);
    assert!(page.body.contains("role=\"alert\""), "{}", page.body);
    for n in needles {
        assert!(page.body.contains(n), "{n:?} missing in {}", page.body);
    }
}

async fn a_draft_from_the_console_form_and_refused_forms_keep_the_text(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "paris").await;
    let mut console = staff(&a, "admin@lyon.fr", "admin").await;

    let form = console.get("/console/statements/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Nouvelle déclaration"));
    assert!(
        form.body
            .contains("<option value=\"nl\">néerlandais</option>")
    );
    assert!(form.body.contains("type=\"date\""));
    assert!(form.body.contains("Mastodon"), "the summary's hint");
    let list = console.get("/console/statements").await;
    assert!(list.body.contains("href=\"/console/statements/new\""));
    assert!(list.body.contains("href=\"/console/invitations\""), "nav");

    // CSRF.
    let forged = console
        .post(
            "/console/statements",
            &draft("forged", "Appel", &b.handle()),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // An empty title: the form again, in French, naming the field, with the text kept.
    let csrf = form.csrf();
    let invite = b.handle();
    let refused = console
        .post("/console/statements", &draft(&csrf, "  ", &invite))
        .await;
    assert_error(
        &refused,
        StatusCode::BAD_REQUEST,
        &[
            "Le champ « Titre » est obligatoire.",
            "Nous, **centres de ressources**, demandons…",
            "Les centres de ressources demandent le maintien des crédits.",
            "logement, politique_de_la_ville",
            &invite,
            "value=\"2030-01-31\"",
        ],
    );
    assert!(!refused.body.contains("must not be empty"));

    // A tag that is not one, an unknown centre, a bad date.
    let mut bad_tag = draft(&csrf, "Appel", &invite);
    bad_tag[5].1 = "logement, ville durable";
    let page = console.post("/console/statements", &bad_tag).await;
    assert_error(
        &page,
        StatusCode::BAD_REQUEST,
        &["« Mots-clés »", "« ville durable »"],
    );
    let page = console
        .post(
            "/console/statements",
            &draft(&csrf, "Appel", "personne@localhost:1"),
        )
        .await;
    assert_error(
        &page,
        StatusCode::BAD_GATEWAY,
        &[
            "« personne@localhost:1 » est introuvable",
            "« Centres invités",
        ],
    );
    let mut bad_date = draft(&csrf, "Appel", &invite);
    bad_date[7].1 = "31/01/2030";
    let page = console.post("/console/statements", &bad_date).await;
    assert_error(
        &page,
        StatusCode::BAD_REQUEST,
        &["« Date limite de signature »"],
    );
    let long = "x".repeat(301);
    let page = console
        .post("/console/statements", &draft(&csrf, &long, &invite))
        .await;
    assert_error(&page, StatusCode::BAD_REQUEST, &["300 caractères"]);
    let huge = "a".repeat(100_001);
    let mut too_large = draft(&csrf, "Appel", &invite);
    too_large[3].1 = &huge;
    let page = console.post("/console/statements", &too_large).await;
    assert_error(
        &page,
        StatusCode::PAYLOAD_TOO_LARGE,
        &["« Texte »", "100\u{202f}000 caractères", &huge],
    );
    assert!(statements(&a).await.is_empty(), "nothing was drafted");

    // In English too.
    let page = console
        .post("/console/statements?lang=en", &draft(&csrf, "", &invite))
        .await;
    assert_error(
        &page,
        StatusCode::BAD_REQUEST,
        &["The field “Title” is required."],
    );
    console.cookies.remove("lang");

    // The draft.
    let id = draft_from_console(&mut console, "Appel pour la politique de la ville", &invite).await;
    let all = statements(&a).await;
    assert_eq!(all.len(), 1);
    let s = &all[0];
    assert_eq!(s["id"], id.as_str());
    assert_eq!(s["title"], "Appel pour la politique de la ville");
    assert_eq!(s["state"], "draft");
    assert_eq!(s["version"], 1);
    assert_eq!(s["language"], "fr");
    assert_eq!(
        s["tags"],
        serde_json::json!(["logement", "politique_de_la_ville"])
    );
    assert!(s["deadline"].as_str().unwrap().starts_with("2030-01-31"));
    assert_eq!(s["invitations"][0]["handle"], b.handle());
    assert_eq!(s["invitations"][0]["state"], "pending");

    let detail = console
        .get(&format!("/console/statements/{id}?done=created"))
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    for needle in [
        "Brouillon enregistré",
        "<strong>centres de ressources</strong>",
        "brouillon",
        "en attente",
        "Publier la déclaration",
        "nos abonnés et à chacun des centres signataires",
        "Vérifier maintenant",
        &format!("href=\"/console/statements/{id}/edit\""),
    ] {
        assert!(detail.body.contains(needle), "{needle}: {}", detail.body);
    }
    let list = console.get("/console/statements").await;
    assert!(list.body.contains("Appel pour la politique de la ville"));

    // Edit: the stored values come back; a change of the text is a new version.
    let edit = console.get(&format!("/console/statements/{id}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(
        edit.body
            .contains("Nous, **centres de ressources**, demandons…")
    );
    assert!(edit.body.contains("value=\"2030-01-31\""));
    assert!(edit.body.contains("<option value=\"fr\" selected>"));
    let csrf = edit.csrf();
    let mut changed = draft(&csrf, "Appel pour la politique de la ville", "");
    changed[3].1 = "Nous, **centres de ressources**, demandons davantage.";
    let refused = console
        .post(
            &format!("/console/statements/{id}/edit"),
            &[&changed[..2], &[("summary", "")][..], &changed[3..]].concat(),
        )
        .await;
    assert_error(
        &refused,
        StatusCode::BAD_REQUEST,
        &[
            "Le champ « Résumé » est obligatoire.",
            "demandons davantage.",
        ],
    );
    let saved = console
        .post(&format!("/console/statements/{id}/edit"), &changed)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        saved.location.as_deref(),
        Some(format!("/console/statements/{id}?done=saved").as_str())
    );
    let s = &statements(&a).await[0];
    assert_eq!(s["version"], 2);
    assert!(s["deadline"].as_str().unwrap().starts_with("2030-01-31"));

    // Inviting nobody more is refused with a message; an unknown id is a 404 page.
    let csrf = console.csrf("/console/statements").await;
    let page = console
        .post(
            &format!("/console/statements/{id}/invite"),
            &[("csrf", &csrf), ("invite", "")],
        )
        .await;
    assert_error(
        &page,
        StatusCode::BAD_REQUEST,
        &["Indiquez au moins un centre à inviter."],
    );
    assert_eq!(
        console.get("/console/statements/nope").await.status,
        StatusCode::NOT_FOUND
    );
}
