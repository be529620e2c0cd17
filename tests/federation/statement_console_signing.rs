//! Co-signing through the console: the invitation on the invited instance, signing and
//! withdrawing, who may sign (the setting), publishing, and the public "Déclarations signées"
//! page on both sides.

use crate::both_backends;
use crate::browser::Browser;
use crate::harness::{Backend, TestInstance};
use crate::statement_console::{assert_error, draft, draft_from_console, items, staff, statements};
use reqwest::StatusCode;

both_backends!(
    the_invited_centre_reads_signs_and_withdraws_from_the_console,
    who_may_sign_follows_the_setting,
    the_public_page_lists_published_and_cosigned_statements,
);

/// A drafts a statement inviting B (through A's console) and delivers the invitation.
async fn invited(a: &TestInstance, b: &TestInstance, title: &str) -> (Browser, String, String) {
    let mut console = staff(a, "admin@lyon.fr", "admin").await;
    let id = draft_from_console(&mut console, title, &b.handle()).await;
    a.deliver_pending().await;
    let invitations = items(b, "/api/v1/invitations").await;
    assert_eq!(invitations.len(), 1, "the invitation arrived");
    let inv = invitations[0]["id"].as_str().unwrap().to_string();
    (console, id, inv)
}

async fn the_invited_centre_reads_signs_and_withdraws_from_the_console(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "paris").await;
    let (mut drafter, id, inv) = invited(&a, &b, "Appel commun").await;
    let mut signer = staff(&b, "admin@paris.fr", "admin").await;

    let page = signer.get("/console/invitations").await;
    assert_eq!(page.status, StatusCode::OK);
    for needle in [
        "Appel commun",
        "Les centres de ressources demandent le maintien des crédits.",
        "<strong>centres de ressources</strong>",
        "Centre lyon",
        "version 1",
        "en attente",
        "Cosigner",
        "Décliner",
        "Réglages des déclarations communes",
        &format!("action=\"/console/invitations/{inv}/sign\""),
    ] {
        assert!(page.body.contains(needle), "{needle}: {}", page.body);
    }

    let csrf = page.csrf();
    assert_eq!(
        signer
            .post(
                &format!("/console/invitations/{inv}/sign"),
                &[("csrf", "forged")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let signed = signer
        .post(
            &format!("/console/invitations/{inv}/sign"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    assert_eq!(
        signed.location.as_deref(),
        Some("/console/invitations?done=signed")
    );
    let ours = items(&b, "/api/v1/signatures").await;
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0]["state"], "active");
    assert_eq!(ours[0]["title"], "Appel commun");
    let sig_url = ours[0]["url"].as_str().unwrap().to_string();
    let sig_id = ours[0]["id"].as_str().unwrap().to_string();
    let page = signer.get("/console/invitations?done=signed").await;
    assert!(page.body.contains("Déclaration cosignée"));
    assert!(page.body.contains("signée"));
    assert!(page.body.contains(&format!("href=\"{sig_url}\"")));
    let again = signer
        .post(
            &format!("/console/invitations/{inv}/sign"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_error(
        &again,
        StatusCode::CONFLICT,
        &["Cette version est déjà signée."],
    );

    // The drafting centre checks the signature on B's server and lists it.
    b.deliver_pending().await;
    let s = &statements(&a).await[0];
    assert_eq!(s["signatures"][0]["state"], "valid", "{s}");
    let detail = drafter.get(&format!("/console/statements/{id}")).await;
    assert!(detail.body.contains("valide"), "{}", detail.body);
    assert!(detail.body.contains(&format!("href=\"{sig_url}\"")));
    assert!(detail.body.contains("signée"), "the invitation is signed");
    let csrf_a = detail.csrf();
    let checked = drafter
        .post(
            &format!("/console/statements/{id}/verify"),
            &[("csrf", &csrf_a)],
        )
        .await;
    assert_eq!(checked.status, StatusCode::SEE_OTHER, "{}", checked.body);
    let detail = drafter.get(checked.location.as_deref().unwrap()).await;
    assert!(detail.body.contains("Signatures vérifiées de nouveau."));
    assert!(detail.body.contains("valide"));

    // Withdrawing from the console: the signature answers 410, the drafter is told.
    let list = signer.get("/console/signatures").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Appel commun (pas encore publiée)"));
    let public = Browser::new(&b.base).get("/statements").await;
    assert!(
        !public.body.contains("Appel commun"),
        "a draft stays off the public page of its co-signers"
    );
    assert!(list.body.contains("Retirer notre signature"));
    assert!(
        list.body
            .contains("le centre qui a rédigé la déclaration en sera informé")
    );
    let withdrawn = signer
        .post(
            &format!("/console/signatures/{sig_id}/withdraw"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        withdrawn.status,
        StatusCode::SEE_OTHER,
        "{}",
        withdrawn.body
    );
    let (status, doc) = b.get_ap(&sig_url).await;
    assert_eq!(status, StatusCode::GONE, "{doc}");
    assert_eq!(
        signer
            .get_with(&sig_url.replace(&b.base, ""), &[])
            .await
            .status,
        StatusCode::GONE
    );
    let list = signer.get("/console/signatures?done=withdrawn").await;
    assert!(list.body.contains("Signature retirée."));
    assert!(list.body.contains("retirée le"));
    assert!(!list.body.contains("/withdraw\""), "no button any more");
    let twice = signer
        .post(
            &format!("/console/signatures/{sig_id}/withdraw"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_error(
        &twice,
        StatusCode::CONFLICT,
        &["Cette signature est déjà retirée."],
    );
    b.deliver_pending().await;
    let s = &statements(&a).await[0];
    assert_eq!(s["signatures"][0]["state"], "withdrawn", "{s}");
    let detail = drafter.get(&format!("/console/statements/{id}")).await;
    assert!(detail.body.contains("retirée"));
}

async fn who_may_sign_follows_the_setting(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "paris").await;
    let (_, _, inv) = invited(&a, &b, "Appel des centres").await;
    let mut admin = staff(&b, "admin@paris.fr", "admin").await;
    let mut editor = staff(&b, "redac@paris.fr", "editor").await;

    // By default only admins sign: editors read, but have no buttons and are refused.
    let page = editor.get("/console/invitations").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Appel des centres"));
    assert!(
        page.body
            .contains("Seuls les administrateurs peuvent cosigner")
    );
    assert!(
        !page
            .body
            .contains(&format!("/console/invitations/{inv}/sign"))
    );
    assert!(
        !page.body.contains("/console/statements/settings"),
        "admins only"
    );
    let csrf = page.csrf();
    let refused = editor
        .post(
            &format!("/console/invitations/{inv}/sign"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Seuls les administrateurs"));
    let refused = editor
        .post(
            &format!("/console/invitations/{inv}/decline"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(items(&b, "/api/v1/signatures").await.is_empty());
    // Editors cannot change the setting.
    let refused = editor
        .post(
            "/console/statements/settings",
            &[("csrf", &csrf), ("signers", "editors"), ("relay", "true")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // An admin opens signing to editors (and turns relaying off).
    let page = admin.get("/console/invitations").await;
    assert!(page.body.contains("value=\"admins\" checked"));
    assert!(page.body.contains("value=\"true\" checked"));
    let csrf_admin = page.csrf();
    let bad = admin
        .post(
            "/console/statements/settings",
            &[
                ("csrf", &csrf_admin),
                ("signers", "everyone"),
                ("relay", "true"),
            ],
        )
        .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, &["Répondez à chacune"]);
    let saved = admin
        .post(
            "/console/statements/settings",
            &[
                ("csrf", &csrf_admin),
                ("signers", "editors"),
                ("relay", "false"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = admin.get(saved.location.as_deref().unwrap()).await;
    assert!(page.body.contains("Réglages enregistrés."));
    assert!(page.body.contains("value=\"editors\" checked"));
    assert!(page.body.contains("value=\"false\" checked"));
    assert_eq!(
        maillage::actions::cosign::signers(&b.ctx).await.unwrap(),
        "editors"
    );
    assert!(!maillage::actions::cosign::relays(&b.ctx).await.unwrap());

    let page = editor.get("/console/invitations").await;
    assert!(!page.body.contains("Seuls les administrateurs"));
    assert!(
        page.body
            .contains(&format!("/console/invitations/{inv}/sign"))
    );
    let signed = editor
        .post(
            &format!("/console/invitations/{inv}/sign"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let ours = items(&b, "/api/v1/signatures").await;
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0]["state"], "active");
}

async fn the_public_page_lists_published_and_cosigned_statements(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "paris").await;
    a.follow_and_wait(&b).await;
    let mut drafter = staff(&a, "admin@lyon.fr", "admin").await;

    // The centres we follow are offered as tick boxes.
    let form = drafter.get("/console/statements/new").await;
    let tick = format!("value=\"{}\"", b.actor_id());
    assert!(form.body.contains(&tick), "{}", form.body);
    let csrf = form.csrf();
    let mut fields = draft(&csrf, "Déclaration de Lyon", "");
    let actor = b.actor_id();
    fields.push(("follow_1", &actor));
    let done = drafter.post("/console/statements", &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let id = statements(&a).await[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        statements(&a).await[0]["invitations"][0]["handle"],
        b.handle()
    );
    // An unpublished draft stays off the public page.
    draft_from_console(&mut drafter, "Brouillon confidentiel", &b.handle()).await;
    a.deliver_pending().await;

    let mut signer = staff(&b, "admin@paris.fr", "admin").await;
    let invitations = items(&b, "/api/v1/invitations").await;
    let inv = invitations
        .iter()
        .find(|i| i["title"] == "Déclaration de Lyon")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let csrf_b = signer.csrf("/console/invitations").await;
    let signed = signer
        .post(
            &format!("/console/invitations/{inv}/sign"),
            &[("csrf", &csrf_b)],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    b.deliver_pending().await;

    let published = drafter
        .post(
            &format!("/console/statements/{id}/publish"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let detail = drafter.get(published.location.as_deref().unwrap()).await;
    assert!(detail.body.contains("Déclaration publiée"));
    assert!(
        !detail.body.contains("/publish\""),
        "no publish form any more"
    );
    assert!(detail.body.contains("Voir la page publique"));
    let twice = drafter
        .post(
            &format!("/console/statements/{id}/publish"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_error(&twice, StatusCode::CONFLICT, &["déjà publiée"]);
    a.deliver_pending().await;

    let url = statements(&a)
        .await
        .iter()
        .find(|s| s["id"] == id.as_str())
        .unwrap()["url"]
        .as_str()
        .unwrap()
        .to_string();
    let mut visitor = Browser::new(&a.base);
    let home = visitor.get("/").await;
    assert!(
        home.body.contains("href=\"/statements\""),
        "in the navigation"
    );
    let page = visitor.get("/statements").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Déclarations signées"));
    assert!(page.body.contains("Déclaration de Lyon"));
    assert!(
        page.body.contains(&format!("href=\"{url}\"")),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Brouillon confidentiel"));
    let statement_page = visitor.get(&url.replace(&a.base, "")).await;
    assert_eq!(statement_page.status, StatusCode::OK);
    assert!(statement_page.body.contains("Déclaration de Lyon"));

    let sig_url = items(&b, "/api/v1/signatures").await[0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let mut visitor = Browser::new(&b.base);
    let page = visitor.get("/statements?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Signed statements"));
    assert!(page.body.contains("Co-signed by the centre"));
    assert!(
        page.body.contains(&format!("href=\"{url}\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("href=\"{sig_url}\"")));
}
