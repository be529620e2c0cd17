//! Reports (`Flag`), both ways: a Mastodon-shaped report from an instance actor is listed for
//! admins in the API and the console, resolved and acted on; oversized, foreign, forged and
//! unsigned reports are refused and store nothing. `sent`: a report one instance sends about
//! another's post reaches it and is listed there.

use crate::both_backends;
use crate::browser::Browser;
use crate::console::{PASSWORD, admin};
use crate::harness::{Backend, TestInstance};
use crate::stub::Stub;
use maillage::actions::accounts;
use reqwest::StatusCode;
use serde_json::{Value, json};

mod sent;

both_backends!(
    a_mastodon_report_from_an_instance_actor_is_listed_acted_on_and_resolved,
    oversized_foreign_forged_and_unsigned_reports_store_nothing,
);

const AS: &str = "https://www.w3.org/ns/activitystreams";

/// Serves a Mastodon-style instance actor (`Application`) on a stub host, with the key of
/// `key_of`, so that `key_of`'s private key signs for it.
fn instance_actor(stub: &Stub, key_of: &TestInstance) -> String {
    let id = format!("{}/actors/actor", stub.base);
    stub.serve(
        "actor",
        json!({
            "@context": [AS, "https://w3id.org/security/v1"],
            "id": id, "type": "Application", "preferredUsername": "mastodon.example",
            "inbox": stub.inbox("actor"), "outbox": format!("{}/actors/actor/outbox", stub.base),
            "endpoints": {"sharedInbox": stub.inbox("shared")},
            "manuallyApprovesFollowers": true,
            "publicKey": {"id": format!("{id}#main-key"), "owner": id,
                          "publicKeyPem": key_of.ctx.centre.public_key_pem},
        }),
    )
}

/// POSTs `body` to `to`'s shared inbox signed with `key_of`'s key under `key_id`.
async fn post_signed(
    to: &TestInstance,
    key_of: &TestInstance,
    key_id: &str,
    body: &Value,
) -> StatusCode {
    let inbox = url::Url::parse(&format!("{}/inbox", to.base)).unwrap();
    let bytes = serde_json::to_vec(body).unwrap();
    let h = maillage::federation::httpsig::outbound::sign_cavage(
        &key_of.ctx.centre.http_key,
        key_id,
        "POST",
        &inbox,
        httpdate::fmt_http_date(std::time::SystemTime::now()),
        Some(&bytes),
    )
    .unwrap();
    to.http
        .post(inbox.as_str())
        .header("content-type", "application/activity+json")
        .header("host", h.host)
        .header("date", h.date)
        .header("digest", h.digest.unwrap())
        .header("signature", h.signature)
        .body(bytes)
        .send()
        .await
        .unwrap()
        .status()
}

fn flag(actor: &str, id: &str, objects: Value, comment: &str) -> Value {
    json!({"@context": AS, "id": id, "type": "Flag", "actor": actor,
           "content": comment, "object": objects})
}

pub async fn reports(i: &TestInstance) -> Vec<Value> {
    let (status, body) = i.get("/api/v1/reports").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

async fn a_mastodon_report_from_an_instance_actor_is_listed_acted_on_and_resolved(
    backend: Backend,
) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let keys = TestInstance::spawn(backend, "clefs").await;
    let stranger = TestInstance::spawn(backend, "ailleurs").await;
    let stub = Stub::start().await;
    let reporter = instance_actor(&stub, &keys);
    let key_id = format!("{reporter}#main-key");

    let (_, post) = a
        .post(
            "/api/v1/posts",
            json!({"content": "Réunion publique jeudi."}),
        )
        .await;
    let post_url = post["url"].as_str().unwrap().to_string();
    let post_id = post["id"].as_str().unwrap().to_string();
    let reply_url = format!("{}/posts/r1", stranger.base);
    let reply = json!({
        "id": format!("{}/activities/r1", stranger.base), "type": "Create",
        "actor": stranger.actor_id(), "to": [a.actor_id()],
        "object": {"id": reply_url, "type": "Note", "attributedTo": stranger.actor_id(),
                   "inReplyTo": post_url, "to": [a.actor_id()],
                   "content": "<p>Achetez nos montres</p>"}});
    assert_eq!(stranger.deliver_to(&a, &reply).await, StatusCode::ACCEPTED);

    // As Mastodon sends it: from its instance actor, our actor and the reported content, a
    // comment, and an object of another server that is not ours to judge.
    let report = flag(
        &reporter,
        &format!("{}/0b2c3f9e-flag", stub.base),
        json!([
            a.actor_id(),
            post_url,
            reply_url,
            "https://mastodon.example/users/x"
        ]),
        "Spam <b>répété</b> sous vos publications",
    );
    assert_eq!(
        post_signed(&a, &keys, &key_id, &report).await,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        post_signed(&a, &keys, &key_id, &report).await,
        StatusCode::ACCEPTED,
        "a re-delivery is accepted"
    );
    let listed = reports(&a).await;
    assert_eq!(
        listed.len(),
        1,
        "a re-delivery stores nothing twice: {listed:?}"
    );
    let r = &listed[0];
    assert_eq!(r["reporter"]["id"], reporter);
    assert_eq!(r["reporter"]["type"], "Application");
    assert_eq!(
        r["comment"], "Spam répété sous vos publications",
        "plain text"
    );
    assert_eq!(r["state"], "open");
    let objects = r["objects"].as_array().unwrap();
    let ids: Vec<&str> = objects.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [a.actor_id(), post_url.clone(), reply_url.clone()],
        "only ours"
    );
    assert_eq!(objects[0]["type"], "actor");
    assert_eq!(objects[1]["type"], "post");
    assert_eq!(objects[1]["excerpt"], "Réunion publique jeudi.");
    assert_eq!(objects[2]["type"], "reply");
    assert_eq!(objects[2]["excerpt"], "Achetez nos montres");
    assert_eq!(objects[2]["author_handle"], stranger.handle());
    let id = r["id"].as_i64().unwrap();
    let (_, notes) = a.get("/api/v1/notifications").await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["type"] == "report"),
        "staff are notified: {notes}"
    );

    // The console: listed with the reported content and the actions.
    let mut b = admin(&a).await;
    let page = b.get("/console/reports").await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in [
        "Spam répété sous vos publications",
        "Réunion publique jeudi.",
        "Achetez nos montres",
        "Masquer la réponse",
        "Bloquer le domaine",
        "Résoudre",
        "href=\"/console/reports\"",
    ] {
        assert!(page.body.contains(shown), "{shown} missing from the page");
    }
    let csrf = page.csrf();
    let reply_id = objects[2]["reply_id"].as_i64().unwrap().to_string();
    let hidden = b
        .post(
            &format!("/console/reports/{id}/hide"),
            &[("csrf", &csrf), ("reply", &reply_id)],
        )
        .await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER);
    let (_, got) = a.get(&format!("/api/v1/posts/{post_id}")).await;
    assert_eq!(got["replies"][0]["hidden"], true, "{got}");
    let not_named = b
        .post(
            &format!("/console/reports/{id}/block"),
            &[("csrf", &csrf), ("domain", "innocent.example")],
        )
        .await;
    assert_eq!(not_named.status, StatusCode::BAD_REQUEST);
    assert!(
        not_named.body.contains("innocent.example"),
        "the error is shown"
    );
    let blocked = b
        .post(
            &format!("/console/reports/{id}/block"),
            &[("csrf", &csrf), ("domain", &stranger.domain)],
        )
        .await;
    assert_eq!(blocked.status, StatusCode::SEE_OTHER);
    let (_, blocks) = a.get("/api/v1/domain_blocks").await;
    assert_eq!(blocks["items"][0]["domain"], stranger.domain, "{blocks}");

    // Editors neither see reports nor resolve them; the API needs a token.
    accounts::add_user(&a.ctx.db, "redac@centre.fr", PASSWORD, "editor", 0)
        .await
        .unwrap();
    let mut editor = Browser::new(&a.base);
    editor.login("redac@centre.fr", PASSWORD).await;
    assert_eq!(
        editor.get("/console/reports").await.status,
        StatusCode::FORBIDDEN
    );
    let csrf_editor = editor.csrf("/console").await;
    assert!(
        !editor
            .get("/console")
            .await
            .body
            .contains("href=\"/console/reports\""),
        "no link for editors"
    );
    let refused = editor
        .post(
            &format!("/console/reports/{id}/resolve"),
            &[("csrf", &csrf_editor)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let anonymous = a
        .http
        .get(a.url("/api/v1/reports"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(anonymous, StatusCode::UNAUTHORIZED);
    assert_eq!(reports(&a).await[0]["state"], "open", "still open");

    // Resolved through the API, once; the console then shows it resolved, without the button.
    let (status, done) = a.post_empty(&format!("/api/v1/reports/{id}/resolve")).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["state"], "resolved");
    assert_eq!(done["resolved_by"], "token:test");
    let (status, again) = a.post_empty(&format!("/api/v1/reports/{id}/resolve")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(
        a.post_empty("/api/v1/reports/999999/resolve").await.0,
        StatusCode::NOT_FOUND
    );
    let page = b.get("/console/reports").await;
    assert!(page.body.contains("Résolu le"));
    assert!(
        !page
            .body
            .contains(&format!("/console/reports/{id}/resolve"))
    );
    let (_, open) = a.get("/api/v1/reports?state=open").await;
    assert_eq!(open["items"].as_array().unwrap().len(), 0);
}

async fn oversized_foreign_forged_and_unsigned_reports_store_nothing(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let c = TestInstance::spawn(backend, "nantes").await;
    let (_, post) = a.post("/api/v1/posts", json!({"content": "Bonjour"})).await;
    let post_url = post["url"].as_str().unwrap().to_string();
    let id = |n: &str| format!("{}/activities/{n}", b.base);

    let mut many: Vec<String> = (0..9_999)
        .map(|i| format!("{}/posts/p{i}", a.base))
        .collect();
    many.push(post_url.clone());
    let huge = flag(&b.actor_id(), &id("huge"), json!(many), "trop");
    let req = b
        .signed_post(
            &format!("{}/inbox", a.base),
            serde_json::to_vec(&huge).unwrap(),
        )
        .await;
    let res = a.http.execute(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body = res.text().await.unwrap();
    assert!(body.contains("10000 objects"), "a clear message: {body}");

    let foreign = flag(
        &b.actor_id(),
        &id("foreign"),
        json!([
            c.actor_id(),
            format!("{}/posts/x", c.base),
            format!("{}/posts/unknown", a.base)
        ]),
        "pas chez vous",
    );
    assert_eq!(b.deliver_to(&a, &foreign).await, StatusCode::BAD_REQUEST);
    for object in [json!([]), json!(["pas une adresse", 3]), Value::Null] {
        let empty = flag(&b.actor_id(), &id("empty"), object.clone(), "");
        assert_eq!(
            b.deliver_to(&a, &empty).await,
            StatusCode::BAD_REQUEST,
            "{object}"
        );
    }

    // Signed by C in B's name, or not signed at all.
    let forged = flag(&b.actor_id(), &id("forged"), json!([post_url]), "faux");
    assert_eq!(c.deliver_to(&a, &forged).await, StatusCode::UNAUTHORIZED);
    let unsigned = a
        .http
        .post(a.url("/inbox"))
        .header("content-type", "application/activity+json")
        .body(serde_json::to_vec(&forged).unwrap())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(unsigned, StatusCode::UNAUTHORIZED);
    assert!(reports(&a).await.is_empty(), "nothing stored");

    // A single object (not a list) is read too; a long comment is cut to 5,000 characters.
    let long = "a".repeat(6_000);
    let single = flag(&b.actor_id(), &id("single"), json!(post_url), &long);
    assert_eq!(b.deliver_to(&a, &single).await, StatusCode::ACCEPTED);
    let listed = reports(&a).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0]["comment"].as_str().unwrap().chars().count(),
        5_000
    );
    assert_eq!(listed[0]["objects"][0]["id"], post_url);
}
