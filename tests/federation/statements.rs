//! Joint statements between real instances: A drafts and invites, B signs on its own server,
//! C declines, D does not answer; A checks B's signature on B's server before listing it,
//! publishes, and B relays; edits make signatures stale until signed again; a withdrawn
//! signature is gone (410) and dropped from the statement. Hostile cases are in
//! `statements_hostile.rs`.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use crate::stub::Stub;
use maillage::context::AppContext;
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    a_statement_is_signed_declined_published_relayed_and_verified,
    an_edit_makes_signatures_stale_until_they_are_made_again,
    a_withdrawn_signature_is_gone_and_dropped_from_the_statement,
);

/// Drafts a statement on `a` inviting `invitees`; returns the API answer.
pub async fn draft(a: &TestInstance, invitees: &[&TestInstance]) -> Value {
    let handles: Vec<String> = invitees.iter().map(|i| i.handle()).collect();
    let (status, body) = a
        .post(
            "/api/v1/statements",
            json!({
                "title": "Pour une politique de la ville ambitieuse",
                "summary": "Les centres de ressources répondent au plan national.",
                "content": "Nous, centres de ressources, **demandons** :\n\n- des moyens durables ;\n- une évaluation partagée.",
                "language": "fr",
                "tags": ["politiquedelaville"],
                "invite": handles,
                "deadline": "2030-01-31",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// The invitation `b` holds for the statement at `url`.
pub async fn invitation(b: &TestInstance, url: &str) -> Value {
    let (status, list) = b.get("/api/v1/invitations").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["statement"] == url)
        .cloned()
        .unwrap_or_else(|| panic!("no invitation for {url} in {list}"))
}

/// `b` signs the invitation to `url`; returns `{id, url}` of its signature.
pub async fn sign(b: &TestInstance, url: &str) -> Value {
    let inv = invitation(b, url).await;
    let (status, sig) = b
        .post_empty(&format!(
            "/api/v1/invitations/{}/sign",
            inv["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sig}");
    sig
}

/// Our API view of statement `id` on `a`.
pub async fn statement(a: &TestInstance, id: &str) -> Value {
    let (status, body) = a.get(&format!("/api/v1/statements/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

pub fn states_by_actor(list: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["actor"].as_str().unwrap().to_string(),
                s["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A signed GET of `url` by `reader`, as a server fetches an object.
async fn signed_get(reader: &TestInstance, url: &str) -> Result<Value, String> {
    activitypub_federation::fetch::fetch_object_http::<AppContext, Value>(
        &url::Url::parse(url).unwrap(),
        &reader.fed.to_request_data(),
    )
    .await
    .map(|r| r.object)
    .map_err(|e| e.to_string())
}

async fn a_statement_is_signed_declined_published_relayed_and_verified(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "marseille").await;
    let c = TestInstance::spawn(backend, "lille").await;
    let d = TestInstance::spawn(backend, "nantes").await;
    let outsider = TestInstance::spawn(backend, "brest").await;
    // E, a follower of B (a Mastodon user, say), is a stub inbox.
    let e = Stub::start().await;
    b.add_remote_follower(&format!("{}/actors/e", e.base), &e.inbox("e"))
        .await;

    let created = draft(&a, &[&b, &c, &d]).await;
    assert_eq!(created["state"], "draft");
    assert_eq!(created["version"], 1);
    let id = created["id"].as_str().unwrap().to_string();
    let url = created["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&a.url("/statements/")), "{url}");

    // A draft is for invitees only: 404 unsigned, as HTML, and for a centre not invited.
    assert_eq!(a.get_ap(&url).await.0, StatusCode::NOT_FOUND);
    let html = a.http.get(&url).send().await.unwrap();
    assert_eq!(html.status(), StatusCode::NOT_FOUND);
    let refused = signed_get(&outsider, &url).await;
    assert!(refused.is_err(), "an outsider read the draft: {refused:?}");
    let read = signed_get(&b, &url).await.unwrap();
    assert_eq!(read["statementVersion"], 1);
    assert_eq!(read["attributedTo"], a.actor_id());
    assert!(
        read["content"]
            .as_str()
            .unwrap()
            .contains("<strong>demandons</strong>")
    );

    let sent = a.deliver_pending().await;
    assert_eq!(sent.delivered, 3, "one Invite to each invitee");
    let inv = invitation(&b, &url).await;
    assert_eq!(inv["state"], "pending");
    assert_eq!(inv["from"], a.actor_id());
    assert_eq!(inv["version"], 1);
    assert_eq!(inv["digest"], created["digest"]);
    let (_, notes) = b.get("/api/v1/notifications").await;
    assert!(notes.to_string().contains("invitation"), "{notes}");

    // B signs: a document on B's own server, then Accept to A, which checks it there.
    let sig = sign(&b, &url).await;
    let sig_url = sig["url"].as_str().unwrap().to_string();
    assert!(sig_url.starts_with(&b.url("/signatures/")), "{sig_url}");
    let (status, doc) = b.get_ap(&sig_url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["type"], json!(["Object", "Cosignature"]));
    assert_eq!(doc["attributedTo"], b.actor_id());
    assert_eq!(doc["object"], url);
    assert_eq!(doc["contentDigest"], created["digest"]);
    assert_eq!(doc["proof"]["cryptosuite"], "eddsa-jcs-2022");
    let page = b.http.get(&sig_url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("Signature"), "{page}");
    assert!(
        !page.contains("Pour une politique"),
        "a draft's title stays confidential"
    );
    assert_eq!(b.deliver_pending().await.delivered, 1, "the Accept");

    let (status, declined) = c
        .post_empty(&format!(
            "/api/v1/invitations/{}/decline",
            invitation(&c, &url).await["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{declined}");
    assert_eq!(declined["state"], "declined");
    assert_eq!(c.deliver_pending().await.delivered, 1, "the Reject");

    let s = statement(&a, &id).await;
    assert_eq!(states_by_actor(&s["invitations"]), {
        let mut v = vec![
            (b.actor_id(), "signed".to_string()),
            (c.actor_id(), "declined".to_string()),
            (d.actor_id(), "pending".to_string()),
        ];
        v.sort();
        v
    });
    assert_eq!(
        states_by_actor(&s["signatures"]),
        vec![(b.actor_id(), "valid".to_string())]
    );
    assert_eq!(s["signatures"][0]["signature_url"], sig_url);

    // Publish: a public Article listing B.
    let (status, published) = a
        .post_empty(&format!("/api/v1/statements/{id}/publish"))
        .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["state"], "published");
    let (status, article) = a.get_ap(&url).await;
    assert_eq!(status, StatusCode::OK, "{article}");
    assert_eq!(article["type"], "Article");
    assert_eq!(
        article["attributedTo"],
        json!([a.actor_id()]),
        "one attributedTo"
    );
    assert_eq!(article["signatures"], json!([sig_url]));
    assert!(
        article["summary"]
            .as_str()
            .unwrap()
            .ends_with("Cosignée par : Centre marseille."),
        "{article}"
    );
    assert!(
        article["tag"].to_string().contains(&b.actor_id()),
        "{article}"
    );
    assert!(
        article["cc"].to_string().contains(&b.actor_id()),
        "{article}"
    );
    assert_eq!(article["signedText"]["name"], article["name"]);
    let page = a.http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Signataires"), "{page}");
    assert!(page.contains(&sig_url), "the page links B's signature");

    // A sends it to B (a signatory); B finds its signature and relays it to E.
    a.deliver_pending().await;
    b.deliver_pending().await;
    let announces: Vec<Value> = e
        .bodies_of("e")
        .into_iter()
        .filter(|v| v["type"] == "Announce")
        .collect();
    assert_eq!(announces.len(), 1, "B announced the statement to E once");
    assert_eq!(announces[0]["object"], url);
    assert_eq!(announces[0]["actor"], b.actor_id());
    assert_eq!(invitation(&d, &url).await["state"], "pending");

    // Anyone can check it: C, a third party, and A itself.
    for verifier in [&c, &a] {
        let (status, report) = verifier
            .get(&format!(
                "/api/v1/statements/verify?url={}",
                urlencode(&url)
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["valid"], true, "{report}");
        assert_eq!(report["signatures"][0]["state"], "valid", "{report}");
        assert_eq!(report["signatures"][0]["signer"], b.actor_id());
    }
    cli_verify(&url, true);

    // B's signature stands on B alone: stop A, check B's document and proof from B.
    let (_, _, _) = a.stop().await;
    let (status, doc) = b.get_ap(&sig_url).await;
    assert_eq!(status, StatusCode::OK);
    let (_, actor) = b.get_ap(&b.actor_id()).await;
    let key = actor["assertionMethod"][0]["publicKeyMultibase"]
        .as_str()
        .unwrap();
    let key = maillage::integrity::multikey::decode(key).unwrap();
    maillage::integrity::proof::verify(&doc, &key).unwrap();
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `maillage statement verify URL` as an operator runs it, on an empty data directory.
pub fn cli_verify(url: &str, expect_ok: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_maillage"))
        .args(["statement", "verify", url])
        .current_dir(dir.path())
        .env("MAILLAGE_DOMAIN", "localhost:9")
        .env(
            "MAILLAGE_DATABASE_URL",
            format!("sqlite://{}/verifier.db", dir.path().display()),
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.success(),
        expect_ok,
        "stdout: {stdout}\nstderr: {stderr}"
    );
    stdout
}

async fn an_edit_makes_signatures_stale_until_they_are_made_again(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "marseille").await;
    let created = draft(&a, &[&b]).await;
    let (id, url) = (
        created["id"].as_str().unwrap().to_string(),
        created["url"].as_str().unwrap().to_string(),
    );
    a.deliver_pending().await;
    let first = sign(&b, &url).await;
    b.deliver_pending().await;
    assert_eq!(statement(&a, &id).await["signatures"][0]["state"], "valid");

    // A changes the text: version 2, B's signature is of version 1 and B is asked again.
    let (status, edited) = a
        .patch(
            &format!("/api/v1/statements/{id}"),
            json!({ "content": "Nous demandons des moyens durables et une évaluation." }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["version"], 2);
    assert_ne!(edited["digest"], created["digest"]);
    assert_eq!(edited["signatures"][0]["state"], "stale");
    assert_eq!(edited["signatures"][0]["version"], 1);
    // A title-less edit of the tags only keeps the version.
    let (_, tags_only) = a
        .patch(
            &format!("/api/v1/statements/{id}"),
            json!({ "tags": ["logement"] }),
        )
        .await;
    assert_eq!(tags_only["version"], 2);

    assert_eq!(a.deliver_pending().await.delivered, 1, "a new Invite to B");
    let inv = invitation(&b, &url).await;
    assert_eq!(inv["version"], 2);
    assert_eq!(inv["state"], "pending");
    assert!(inv["content"].as_str().unwrap().contains("évaluation."));
    let second = sign(&b, &url).await;
    assert_ne!(second["url"], first["url"]);
    b.deliver_pending().await;
    let s = statement(&a, &id).await;
    assert_eq!(s["signatures"][0]["state"], "valid", "{s}");
    assert_eq!(s["signatures"][0]["version"], 2);
    assert_eq!(s["signatures"][0]["signature_url"], second["url"]);

    let (status, _) = a
        .post_empty(&format!("/api/v1/statements/{id}/publish"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, article) = a.get_ap(&url).await;
    assert_eq!(article["statementVersion"], 2);
    assert_eq!(article["signatures"], json!([second["url"]]));
    // Publishing twice is refused: an edit updates a published statement.
    let (status, again) = a
        .post_empty(&format!("/api/v1/statements/{id}/publish"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
}

async fn a_withdrawn_signature_is_gone_and_dropped_from_the_statement(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "marseille").await;
    let e = Stub::start().await;
    b.add_remote_follower(&format!("{}/actors/e", e.base), &e.inbox("e"))
        .await;
    let created = draft(&a, &[&b]).await;
    let (id, url) = (
        created["id"].as_str().unwrap().to_string(),
        created["url"].as_str().unwrap().to_string(),
    );
    a.deliver_pending().await;
    let sig = sign(&b, &url).await;
    b.deliver_pending().await;
    a.post_empty(&format!("/api/v1/statements/{id}/publish"))
        .await;
    a.deliver_pending().await;
    b.deliver_pending().await;
    let (_, article) = a.get_ap(&url).await;
    assert_eq!(article["signatures"], json!([sig["url"]]));

    let (_, ours) = b.get("/api/v1/signatures").await;
    assert_eq!(ours["items"][0]["state"], "active", "{ours}");
    let (status, _) = b
        .delete(&format!(
            "/api/v1/signatures/{}",
            sig["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, gone) = b.get_ap(sig["url"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(gone["type"], "Tombstone");
    let (status, _) = b
        .delete(&format!(
            "/api/v1/signatures/{}",
            sig["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "withdrawn once only");

    b.deliver_pending().await;
    let undo: Vec<Value> = e
        .bodies_of("e")
        .into_iter()
        .filter(|v| v["type"] == "Undo" && v["object"]["type"] == "Announce")
        .collect();
    assert_eq!(undo.len(), 1, "B undid its Announce for its followers");
    let s = statement(&a, &id).await;
    assert_eq!(s["signatures"][0]["state"], "withdrawn", "{s}");
    let (_, article) = a.get_ap(&url).await;
    assert!(
        article.get("signatures").is_none_or(|s| s == &json!([])),
        "{article}"
    );
    assert!(!article["summary"].as_str().unwrap().contains("Cosignée"));
    assert!(!article["tag"].to_string().contains(&b.actor_id()));
}
