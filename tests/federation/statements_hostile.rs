//! Joint statements under attack: every forged or misplaced signature, invitation or answer
//! is refused with a 4xx and nothing is listed; a drafter claiming a signature that was never
//! made is caught by the verifier; hostile statement input is refused or sanitised.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use crate::statements::{cli_verify, draft, invitation, sign, statement, urlencode};
use crate::stub::Stub;
use maillage::db;
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    answers_and_signatures_that_do_not_hold_are_refused_and_not_listed,
    an_invitation_for_a_statement_elsewhere_is_refused,
    a_signature_the_drafter_invented_is_reported_by_the_verifier,
    hostile_statement_input_is_refused_or_sanitised,
    an_answer_to_a_superseded_invitation_changes_no_follow,
    inviting_again_keeps_a_signature_and_drafts_stay_confidential,
    an_answer_to_an_earlier_invite_of_the_same_version_counts,
);

/// The id of the latest `Invite` that `a` sent to `to` for statement `public_id`.
async fn invite_id(a: &TestInstance, public_id: &str, to: &TestInstance) -> String {
    let s = db::statements::find_by_public_id(a.ctx.db.read(), public_id)
        .await
        .unwrap()
        .unwrap();
    db::statement_invitations::list(a.ctx.db.read(), s.id)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.actor_ap_id == to.actor_id())
        .unwrap()
        .invite_ap_id
}

/// `from` POSTs `activity` to `to`'s inbox, signed as its worker would; returns the status.
async fn deliver(from: &TestInstance, to: &TestInstance, activity: Value) -> StatusCode {
    let req = from
        .signed_post(&to.url("/inbox"), serde_json::to_vec(&activity).unwrap())
        .await;
    reqwest::Client::new().execute(req).await.unwrap().status()
}

fn accept(from: &TestInstance, invite: &str, result: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": from.url(&format!("/activities/{}", uuid::Uuid::new_v4().simple())),
        "type": "Accept",
        "actor": from.actor_id(),
        "object": invite,
        "result": result,
    })
}

async fn signature_count(a: &TestInstance, id: &str) -> usize {
    statement(a, id).await["signatures"]
        .as_array()
        .unwrap()
        .len()
}

/// Rewrites the stored document of one of `b`'s signatures (a signer whose server serves
/// something else than what it signed).
async fn tamper(b: &TestInstance, sig_url: &str, doc: &Value) {
    const SQL: &str = "UPDATE signatures SET json = $1 WHERE ap_id = $2";
    let json = doc.to_string();
    match b.ctx.db.write() {
        db::Exec::SqlitePool(p) => {
            sqlx::query(SQL)
                .bind(&json)
                .bind(sig_url)
                .execute(p)
                .await
                .unwrap();
        }
        db::Exec::PgPool(p) => {
            sqlx::query(SQL)
                .bind(&json)
                .bind(sig_url)
                .execute(p)
                .await
                .unwrap();
        }
        _ => unreachable!(),
    }
}

async fn answers_and_signatures_that_do_not_hold_are_refused_and_not_listed(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "marseille").await;
    let x = TestInstance::spawn(backend, "brest").await;
    let stub = Stub::start().await;
    let one = draft(&a, &[&b]).await;
    let two = draft(&a, &[&b]).await;
    let (one_id, one_url) = (one["id"].as_str().unwrap(), one["url"].as_str().unwrap());
    let two_id = two["id"].as_str().unwrap();
    a.deliver_pending().await;
    let sig = sign(&b, one_url).await;
    let sig_url = sig["url"].as_str().unwrap().to_string();
    b.deliver_pending().await;
    assert_eq!(signature_count(&a, one_id).await, 1);
    let invite_two = invite_id(&a, two_id, &b).await;

    // An Accept from a centre that was not invited.
    let status = deliver(&x, &a, accept(&x, &invite_two, &sig_url)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // B answers statement two with its signature of statement one.
    let status = deliver(&b, &a, accept(&b, &invite_two, &sig_url)).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "another statement's signature"
    );
    // B's real signature document, copied onto another host.
    let (_, real) = b.get_ap(&sig_url).await;
    let copy = stub.serve("sig", real.clone());
    let status = deliver(&b, &a, accept(&b, &invite_two, &copy)).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a signature on another host"
    );
    // An Accept without a signature.
    let mut bare = accept(&b, &invite_two, &sig_url);
    bare.as_object_mut().unwrap().remove("result");
    assert_eq!(deliver(&b, &a, bare).await, StatusCode::BAD_REQUEST);
    assert_eq!(signature_count(&a, two_id).await, 0, "nothing listed");

    // A tampered proof: B's server serves its signature of two with another date.
    let sig_two = sign(&b, two["url"].as_str().unwrap()).await;
    let sig_two_url = sig_two["url"].as_str().unwrap().to_string();
    let (_, mut doc) = b.get_ap(&sig_two_url).await;
    doc["published"] = json!("2020-01-01T00:00:00Z");
    tamper(&b, &sig_two_url, &doc).await;
    let report = b.deliver_pending().await;
    assert_eq!(report.delivered, 0, "A refused the Accept: {report:?}");
    assert_eq!(signature_count(&a, two_id).await, 0, "nothing listed");

    // A signature of an older version: A edits one, B answers the new Invite with its old
    // signature.
    let (status, _) = a
        .patch(
            &format!("/api/v1/statements/{one_id}"),
            json!({ "summary": "Un résumé réécrit." }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let invite_one_v2 = invite_id(&a, one_id, &b).await;
    let status = deliver(&b, &a, accept(&b, &invite_one_v2, &sig_url)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a signature of version 1");
    let s = statement(&a, one_id).await;
    assert_eq!(s["signatures"][0]["state"], "stale", "{s}");
    let (status, _) = a
        .post_empty(&format!("/api/v1/statements/{one_id}/publish"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, article) = a.get_ap(one_url).await;
    assert!(
        article.get("signatures").is_none_or(|s| s == &json!([])),
        "only the current version's signatures are listed: {article}"
    );
}

async fn an_invitation_for_a_statement_elsewhere_is_refused(backend: Backend) {
    let b = TestInstance::spawn(backend, "marseille").await;
    let x = TestInstance::spawn(backend, "brest").await;
    let stub = Stub::start().await;
    let elsewhere = stub.serve(
        "statement",
        json!({
            "id": format!("{}/actors/statement", stub.base),
            "type": "Article",
            "attributedTo": x.actor_id(),
            "name": "Texte", "summary": "Résumé", "content": "<p>Texte</p>",
            "statementVersion": 1,
            "contentDigest": maillage::protocol::statement::content_digest(
                "Texte", "Résumé", "<p>Texte</p>"),
        }),
    );
    let invite = |object: &str, target: &str| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": x.url(&format!("/activities/{}", uuid::Uuid::new_v4().simple())),
            "type": "Invite",
            "actor": x.actor_id(),
            "object": object,
            "target": target,
        })
    };
    let status = deliver(&x, &b, invite(&elsewhere, &b.actor_id())).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "statement not on the inviter's host"
    );
    let status = deliver(&x, &b, invite(&x.url("/statements/nope"), &x.actor_id())).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an invitation addressed to another"
    );
    let (_, list) = b.get("/api/v1/invitations").await;
    assert_eq!(list["items"], json!([]), "nothing stored");
}

async fn a_signature_the_drafter_invented_is_reported_by_the_verifier(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "marseille").await;
    let c = TestInstance::spawn(backend, "lille").await;
    let created = draft(&a, &[&b, &c]).await;
    let (id, url) = (
        created["id"].as_str().unwrap(),
        created["url"].as_str().unwrap(),
    );
    a.deliver_pending().await;
    sign(&b, url).await;
    b.deliver_pending().await;
    // A lists a signature of C that C never made, as if it had checked it.
    let row = db::statements::find_by_public_id(a.ctx.db.read(), id)
        .await
        .unwrap()
        .unwrap();
    let c_on_a = db::actors::find_by_ap_id(a.ctx.db.read(), &c.actor_id())
        .await
        .unwrap()
        .unwrap();
    let fake = c.url("/signatures/never-made");
    db::statement_signatures::upsert(
        a.ctx.db.write(),
        &db::statement_signatures::SignatureWrite {
            statement_id: row.id,
            actor_id: c_on_a.id,
            signature_url: &fake,
            version: row.version,
            digest: &row.digest,
            state: "valid",
            json: "{}",
            verified_at: chrono::Utc::now().timestamp_millis(),
        },
    )
    .await
    .unwrap();
    a.post_empty(&format!("/api/v1/statements/{id}/publish"))
        .await;
    let (_, article) = a.get_ap(url).await;
    assert_eq!(article["signatures"].as_array().unwrap().len(), 2);

    let (status, report) = b
        .get(&format!("/api/v1/statements/verify?url={}", urlencode(url)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["valid"], false, "{report}");
    let by_url = |u: &str| {
        report["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["url"] == u)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_url(&fake)["state"], "invalid");
    assert_eq!(by_url(&fake)["fetched"], false);
    let real = article["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s.as_str() != Some(&fake))
        .unwrap();
    assert_eq!(by_url(real.as_str().unwrap())["state"], "valid");
    let out = cli_verify(url, false);
    assert!(out.contains("INVALID"), "{out}");
    assert!(out.contains("FAILED"), "{out}");

    // The daily check on A marks it too.
    let (_, s) = a
        .post_empty(&format!("/api/v1/statements/{id}/verify"))
        .await;
    let listed: Vec<&Value> = s["signatures"].as_array().unwrap().iter().collect();
    assert!(
        listed
            .iter()
            .any(|s| s["signature_url"] == fake && s["state"] == "valid"),
        "an unreachable signature keeps its state until it answers: {s}"
    );
}

async fn hostile_statement_input_is_refused_or_sanitised(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "marseille").await;
    let ok = json!({"title": "T", "summary": "S", "content": "C"});
    let with = |k: &str, v: Value| {
        let mut o = ok.clone();
        o[k] = v;
        o
    };
    for (body, status, needle) in [
        (with("title", json!("  ")), StatusCode::BAD_REQUEST, "title"),
        (
            with("summary", json!("")),
            StatusCode::BAD_REQUEST,
            "summary",
        ),
        (
            with("language", json!("klingon")),
            StatusCode::BAD_REQUEST,
            "language",
        ),
        (
            with("deadline", json!("demain")),
            StatusCode::BAD_REQUEST,
            "deadline",
        ),
        (
            with("tags", json!(["a b"])),
            StatusCode::BAD_REQUEST,
            "tags",
        ),
        (
            with("invite", json!(["not a handle"])),
            StatusCode::BAD_REQUEST,
            "invite",
        ),
        (
            with("invite", json!([a.handle()])),
            StatusCode::BAD_REQUEST,
            "invite",
        ),
        (
            with("title", json!("x".repeat(301))),
            StatusCode::BAD_REQUEST,
            "title",
        ),
        (
            with("content", json!("x".repeat(100_001))),
            StatusCode::PAYLOAD_TOO_LARGE,
            "content",
        ),
        (
            with("unknown", json!(1)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown",
        ),
    ] {
        let (got, answer) = a.post("/api/v1/statements", body.clone()).await;
        assert_eq!(got, status, "{body} → {answer}");
        assert!(
            answer["error"].as_str().unwrap().contains(needle),
            "{answer}"
        );
    }
    let (_, list) = a.get("/api/v1/statements").await;
    assert_eq!(list["items"], json!([]), "nothing half-made");

    // Script and event handlers are removed from what invitees read and sign.
    let (status, s) = a
        .post(
            "/api/v1/statements",
            json!({
                "title": "<b>Titre</b><script>x()</script>",
                "summary": "Résumé <img src=x onerror=alert(1)>",
                "content": "Texte <script>alert(1)</script> <a href=\"javascript:alert(1)\">lien</a> <p onclick=\"x()\">p</p>",
                "invite": [b.handle()],
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    a.deliver_pending().await;
    let inv = invitation(&b, s["url"].as_str().unwrap()).await;
    for field in ["title", "summary", "content"] {
        let v = inv[field].as_str().unwrap().to_lowercase();
        for bad in ["<script", "onerror", "onclick", "javascript:", "<b>"] {
            assert!(!v.contains(bad), "{field} kept {bad}: {v}");
        }
    }
    // Unknown ids and repeated answers.
    let (status, _) = b.post_empty("/api/v1/invitations/nope/sign").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let inv_id = inv["id"].as_str().unwrap();
    let (status, _) = b
        .post_empty(&format!("/api/v1/invitations/{inv_id}/sign"))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = b
        .post_empty(&format!("/api/v1/invitations/{inv_id}/sign"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = b
        .post_empty(&format!("/api/v1/invitations/{inv_id}/decline"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    for q in [
        "",
        "?url=",
        "?url=javascript:alert(1)",
        "?url=not%20a%20url",
    ] {
        let (status, answer) = b.get(&format!("/api/v1/statements/verify{q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {answer}");
    }
}

async fn an_answer_to_a_superseded_invitation_changes_no_follow(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "marseille").await;
    assert_eq!(a.follow_and_wait(&b).await["state"], "accepted");
    let created = draft(&a, &[&b]).await;
    let id = created["id"].as_str().unwrap();
    let first = invite_id(&a, id, &b).await;
    a.patch(
        &format!("/api/v1/statements/{id}"),
        json!({ "content": "Une autre version." }),
    )
    .await;
    assert_ne!(invite_id(&a, id, &b).await, first, "a new Invite");
    // B answers the first Invite late: a Reject, then an Accept.
    let mut reject = accept(&b, &first, "");
    reject["type"] = json!("Reject");
    reject.as_object_mut().unwrap().remove("result");
    let status = deliver(&b, &a, reject).await;
    assert!(status.is_success(), "{status}");
    let (_, follows) = a.get("/api/v1/follows").await;
    assert_eq!(
        follows["items"][0]["state"], "accepted",
        "our follow of B is not an invitation"
    );
    let status = deliver(&b, &a, accept(&b, &first, &b.url("/signatures/x"))).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(signature_count(&a, id).await, 0);
    let s = statement(&a, id).await;
    assert_eq!(s["invitations"][0]["state"], "pending", "{s}");
}

async fn inviting_again_keeps_a_signature_and_drafts_stay_confidential(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "marseille").await;
    let created = draft(&a, &[&b]).await;
    let (id, url) = (
        created["id"].as_str().unwrap(),
        created["url"].as_str().unwrap(),
    );
    a.deliver_pending().await;
    let sig = sign(&b, url).await;
    b.deliver_pending().await;
    // The signature's page does not show the title of a draft.
    let page = b
        .http
        .get(sig["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Pour une politique"), "{page}");
    // Inviting B again changes nothing: B has signed this version.
    let (status, s) = a
        .post(
            &format!("/api/v1/statements/{id}/invite"),
            json!({ "targets": [b.handle()] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["invitations"][0]["state"], "signed", "{s}");
    assert_eq!(a.deliver_pending().await.attempted, 0, "no second Invite");
    // An unreachable invitee is an error about the field.
    let (status, e) = a
        .post(
            &format!("/api/v1/statements/{id}/invite"),
            json!({ "targets": ["personne@localhost:1"] }),
        )
        .await;
    assert!(
        status.is_client_error() || status.is_server_error(),
        "{status}"
    );
    assert!(e["error"].as_str().unwrap().starts_with("invite:"), "{e}");
    // Once published, the signature's page names the statement.
    a.post_empty(&format!("/api/v1/statements/{id}/publish"))
        .await;
    a.deliver_pending().await;
    let page = b
        .http
        .get(sig["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Pour une politique"), "{page}");
}

async fn an_answer_to_an_earlier_invite_of_the_same_version_counts(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "marseille").await;
    let created = draft(&a, &[&b]).await;
    let (id, url) = (
        created["id"].as_str().unwrap(),
        created["url"].as_str().unwrap(),
    );
    a.deliver_pending().await;
    // B signs; before its Accept leaves, A changes the deadline, which sends a new Invite.
    sign(&b, url).await;
    let (status, _) = a
        .patch(
            &format!("/api/v1/statements/{id}"),
            json!({ "deadline": "2031-06-30" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        a.deliver_pending().await.delivered,
        1,
        "the new deadline reaches B"
    );
    assert!(
        invitation(&b, url).await["deadline"]
            .as_str()
            .unwrap()
            .starts_with("2031-06-30")
    );
    b.deliver_pending().await;
    let s = statement(&a, id).await;
    assert_eq!(s["signatures"][0]["state"], "valid", "{s}");
    assert_eq!(s["invitations"][0]["state"], "signed", "{s}");
}
