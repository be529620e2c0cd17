//! Forged activities under real signatures: duplicated security headers, an actor `Update`
//! that swaps its key, dates in the future and signatures that cover no date.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use crate::raw;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

both_backends!(
    a_second_digest_header_cannot_smuggle_a_forged_body,
    every_duplicated_security_header_is_refused,
    an_actor_update_cannot_replace_its_key,
    future_dates_and_signatures_without_a_date_are_refused,
    a_flood_of_refused_posts_is_logged_a_few_times_only,
);

fn create(from: &TestInstance, id: &str, text: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/{id}", from.base),
        "type": "Create",
        "actor": from.actor_id(),
        "object": {"id": format!("{}/posts/{id}", from.base), "type": "Note",
            "attributedTo": from.actor_id(), "content": format!("<p>{text}</p>"),
            "to": ["https://www.w3.org/ns/activitystreams#Public"]}
    }))
    .unwrap()
}

fn contents(feed: &[Value]) -> Vec<String> {
    feed.iter()
        .map(|p| p["content"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn a_second_digest_header_cannot_smuggle_a_forged_body(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    let inbox = format!("{}/inbox", a.base);
    // The headers of one genuine delivery from B, as an eavesdropper or a log would see them.
    let genuine = create(&b, "genuine", "vrai");
    let req = b.signed_post(&inbox, genuine.clone()).await;
    let mut headers = raw::headers_of(&req);
    // A forged body, with its own Digest placed before the genuine one.
    let forged = create(&b, "forged", "faux");
    let at = headers.iter().position(|(k, _)| k == "digest").unwrap();
    headers.insert(at, ("digest".into(), raw::digest(&forged)));
    let (status, body) = raw::send(&inbox, "POST", &headers, &forged).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("digest"),
        "the message names the header: {body}"
    );
    assert!(a.feed().await.is_empty(), "nothing stored");

    // The same headers, once each, still deliver the genuine body.
    let res = a.http.execute(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(contents(&a.feed().await), vec!["<p>vrai</p>"]);
}

async fn every_duplicated_security_header_is_refused(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    let inbox = format!("{}/inbox", a.base);
    for (i, name) in [
        "digest",
        "content-digest",
        "signature",
        "signature-input",
        "date",
        "host",
        "content-type",
    ]
    .iter()
    .enumerate()
    {
        let body = create(&b, &format!("dup{i}"), "x");
        let req = b.signed_post(&inbox, body.clone()).await;
        let mut headers = raw::headers_of(&req);
        let present = headers.iter().any(|(k, _)| k == name);
        let value = headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "sig1=:AAAA:".into());
        headers.push((name.to_string(), value.clone()));
        if !present {
            headers.push((name.to_string(), value));
        }
        let (status, text) = raw::send(&inbox, "POST", &headers, &body).await;
        assert_eq!(status, 400, "two {name} headers: {text}");
    }
    // A signed GET with two Signature headers is refused as well.
    let headers = vec![
        ("host".to_string(), a.domain.clone()),
        (
            "accept".to_string(),
            "application/activity+json".to_string(),
        ),
        ("signature".to_string(), "keyId=\"x\"".to_string()),
        ("signature".to_string(), "keyId=\"y\"".to_string()),
    ];
    let (status, _) = raw::send(&a.actor_id(), "GET", &headers, b"").await;
    assert_eq!(status, 400);
    assert!(a.feed().await.is_empty(), "nothing stored");
}

async fn an_actor_update_cannot_replace_its_key(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    let mallory = TestInstance::spawn(backend, "mallory").await;
    a.follow_and_wait(&b).await;
    let inbox = format!("{}/inbox", a.base);
    // B's genuine actor document with Mallory's key inside, in an Update that B really signed
    // (as replayed from a captured delivery, or sent by a compromised relay).
    let (_, mut actor) = b.get_ap(&b.actor_id()).await;
    actor["publicKey"]["publicKeyPem"] = json!(mallory.ctx.centre.public_key_pem);
    actor["endpoints"]["sharedInbox"] = json!(format!("{}/inbox", mallory.base));
    let update = serde_json::to_vec(&json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": format!("{}/activities/update-key", b.base),
        "type": "Update", "actor": b.actor_id(), "object": actor,
    }))
    .unwrap();
    let req = b.signed_post(&inbox, update).await;
    let status = a.http.execute(req).await.unwrap().status();
    assert!(status.is_success(), "{status}");
    let stored = maillage::db::actors::find_by_ap_id(a.ctx.db.read(), &b.actor_id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.public_key_pem, b.ctx.centre.public_key_pem,
        "the key comes from B's own server"
    );
    assert_eq!(
        stored.shared_inbox.as_deref(),
        Some(format!("{}/inbox", b.base).as_str()),
        "so does the shared inbox"
    );

    // Mallory signs as B (B's key id, Mallory's key): refused.
    let forged = create(&b, "by-mallory", "faux");
    let key_id = format!("{}#main-key", b.actor_id());
    let headers = raw::cavage_post(
        &mallory.ctx.centre.private_key_pem,
        &key_id,
        &inbox,
        &forged,
        SystemTime::now(),
        &["(request-target)", "host", "date", "digest"],
    );
    let (status, text) = raw::send(&inbox, "POST", &headers, &forged).await;
    assert_eq!(status, 401, "{text}");
    // Mallory under her own key id, claiming to be B: refused too.
    let req = mallory.signed_post(&inbox, forged.clone()).await;
    assert_eq!(
        a.http.execute(req).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    // B itself is still heard.
    let real = create(&b, "by-b", "vrai");
    let req = b.signed_post(&inbox, real).await;
    assert_eq!(
        a.http.execute(req).await.unwrap().status(),
        StatusCode::ACCEPTED
    );
    assert_eq!(contents(&a.feed().await), vec!["<p>vrai</p>"]);
}

async fn future_dates_and_signatures_without_a_date_are_refused(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    let inbox = format!("{}/inbox", a.base);
    let key = &b.ctx.centre.private_key_pem;
    let key_id = format!("{}#main-key", b.actor_id());
    let all = ["(request-target)", "host", "date", "digest"];
    let now = SystemTime::now();
    let cases: Vec<(&str, SystemTime, Vec<&str>, u16)> = vec![
        (
            "ten minutes ahead",
            now + Duration::from_secs(600),
            all.to_vec(),
            401,
        ),
        (
            "two hours old",
            now - Duration::from_secs(7200),
            all.to_vec(),
            401,
        ),
        (
            "no date covered",
            now,
            vec!["(request-target)", "host", "digest"],
            401,
        ),
        (
            "no digest covered",
            now,
            vec!["(request-target)", "host", "date"],
            401,
        ),
        (
            "one minute ahead (clock skew)",
            now + Duration::from_secs(60),
            all.to_vec(),
            202,
        ),
        (
            "ten minutes old",
            now - Duration::from_secs(600),
            all.to_vec(),
            202,
        ),
    ];
    let mut accepted = 0;
    for (i, (what, date, covered, expected)) in cases.into_iter().enumerate() {
        let body = create(&b, &format!("d{i}"), what);
        let headers = raw::cavage_post(key, &key_id, &inbox, &body, date, &covered);
        let (status, text) = raw::send(&inbox, "POST", &headers, &body).await;
        assert_eq!(status, expected, "{what}: {text}");
        accepted += usize::from(expected == 202);
    }
    // RFC 9421: `created` is required, and an old one is refused whatever `expires` says.
    let t = chrono::Utc::now().timestamp();
    let cases = [
        ("no created", format!(";keyid=\"{key_id}\""), 401),
        (
            "created two hours ago, expires tomorrow",
            format!(
                ";created={};expires={};keyid=\"{key_id}\"",
                t - 7200,
                t + 86400
            ),
            401,
        ),
        (
            "created ten minutes ahead",
            format!(";created={};keyid=\"{key_id}\"", t + 600),
            401,
        ),
        (
            "created now",
            format!(";created={t};keyid=\"{key_id}\""),
            202,
        ),
    ];
    for (i, (what, params, expected)) in cases.into_iter().enumerate() {
        let body = create(&b, &format!("r{i}"), what);
        let headers = raw::rfc9421_post(key, &inbox, &body, &params);
        let (status, text) = raw::send(&inbox, "POST", &headers, &body).await;
        assert_eq!(status, expected, "RFC 9421, {what}: {text}");
        accepted += usize::from(expected == 202);
    }
    assert_eq!(
        a.feed().await.len(),
        accepted,
        "only the accepted ones are stored"
    );
}

async fn a_flood_of_refused_posts_is_logged_a_few_times_only(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    let inbox = format!("{}/inbox", a.base);
    for i in 0..60 {
        let body = create(&b, &format!("f{i}"), "x");
        let headers = vec![
            (
                "content-type".to_string(),
                "application/activity+json".to_string(),
            ),
            (
                "signature".to_string(),
                "keyId=\"x\",signature=\"AAAA\"".to_string(),
            ),
        ];
        let (status, _) = raw::send(&inbox, "POST", &headers, &body).await;
        assert_eq!(status, 401);
    }
    let (logged, left_out) = a.ctx.refusals.counts();
    assert_eq!(logged as usize, maillage::refusals::PER_WINDOW as usize);
    assert_eq!(left_out, 60 - u64::from(maillage::refusals::PER_WINDOW));
    let text = a.metrics().await;
    assert!(
        text.contains("maillage_inbox_refused_total{status=\"401\"} 60"),
        "{text}"
    );
}
