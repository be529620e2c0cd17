//! RFC 9421 verification against published vectors: Mastodon's signature verification spec
//! (RSA and Ed25519) and RFC 9421 Appendix B.2.6 (Ed25519).

use maillage::federation::rfc9421::{self, SigError};
use serde_json::Value;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/httpsig/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Verifies a vector's request; `mutate` can tamper with it first.
fn check(
    case: &Value,
    key_pem: &str,
    mutate: impl Fn(&mut String, &mut String),
) -> Result<(), SigError> {
    let headers = case["headers"].as_object().unwrap();
    let h = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str().unwrap().to_string())
    };
    let mut method = case["method"].as_str().unwrap().to_string();
    let mut url = case["url"].as_str().unwrap().to_string();
    mutate(&mut method, &mut url);
    let sigs = rfc9421::parse(&h("Signature-Input").unwrap(), &h("Signature").unwrap())?;
    let sig = &sigs[0];
    let base = rfc9421::signature_base(sig, &method, &url::Url::parse(&url).unwrap(), |n| h(n))?;
    if method == case["method"] && url == case["url"] {
        assert_eq!(
            base,
            case["signature_base"].as_str().unwrap(),
            "the signature base"
        );
    }
    if let Some(body) = case["body"].as_str() {
        rfc9421::check_content_digest(&h("Content-Digest").unwrap(), body.as_bytes())?;
    }
    rfc9421::check_time(sig, 1_703_066_400, 60)?;
    rfc9421::verify(
        sig,
        &base,
        &maillage::integrity::keys::PublicKey::from_pem(key_pem)?,
    )
}

#[test]
fn mastodon_rfc9421_vectors_verify_and_tampering_is_caught() {
    let v: Value = serde_json::from_str(&fixture("mastodon_signature_vectors.json")).unwrap();
    let mut checked = 0;
    for case in v["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        if !name.starts_with("rfc9421") {
            continue;
        }
        let key = if name.contains("ed25519") {
            v["ed25519_public_key_pem_spki"].as_str().unwrap()
        } else {
            v["rsa_public_key_pem_spki"].as_str().unwrap()
        };
        assert_eq!(check(case, key, |_, _| {}), Ok(()), "{name}");
        let tampered = check(case, key, |_, url| url.push_str("?x=1"));
        assert_eq!(tampered, Err(SigError::Invalid), "{name}: another URL");
        let wrong_key = if name.contains("ed25519") {
            v["rsa_public_key_pem_spki"].as_str().unwrap()
        } else {
            v["ed25519_public_key_pem_spki"].as_str().unwrap()
        };
        assert!(
            check(case, wrong_key, |_, _| {}).is_err(),
            "{name}: another key"
        );
        checked += 1;
    }
    assert_eq!(checked, 3);
}

#[test]
fn a_tampered_body_fails_the_content_digest() {
    let v: Value = serde_json::from_str(&fixture("mastodon_signature_vectors.json")).unwrap();
    let case = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "rfc9421_post_rsa_v1_5_sha256")
        .unwrap();
    let digest = case["headers"]["Content-Digest"].as_str().unwrap();
    assert_eq!(
        rfc9421::check_content_digest(digest, b"Hello world"),
        Ok(())
    );
    assert_eq!(
        rfc9421::check_content_digest(digest, b"Hello World"),
        Err(SigError::Digest)
    );
}

#[test]
fn stale_signatures_are_refused() {
    let sigs =
        rfc9421::parse("sig1=(\"@method\");created=1000;keyid=\"k\"", "sig1=:AAAA:").unwrap();
    assert_eq!(rfc9421::check_time(&sigs[0], 1000, 60), Ok(()));
    assert_eq!(
        rfc9421::check_time(&sigs[0], 1000 + 7200, 60),
        Err(SigError::Stale)
    );
    assert_eq!(
        rfc9421::check_time(&sigs[0], 0, 60),
        Err(SigError::Future),
        "created in the future"
    );
}

#[test]
fn rfc9421_appendix_b_2_6_ed25519_verifies() {
    let input = "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \
                 \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";
    let signature = "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:";
    let sigs = rfc9421::parse(input, signature).unwrap();
    let headers = [
        ("date", "Tue, 20 Apr 2021 02:07:55 GMT"),
        ("content-type", "application/json"),
        ("content-length", "18"),
    ];
    let url = url::Url::parse("https://example.com/foo?param=Value&Pet=dog").unwrap();
    let base = rfc9421::signature_base(&sigs[0], "POST", &url, |n| {
        headers
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| v.to_string())
    })
    .unwrap();
    assert!(base.starts_with("\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\"@authority\": example.com\n"));
    let key =
        maillage::integrity::keys::PublicKey::from_pem(&fixture("test-key-ed25519.pem")).unwrap();
    assert_eq!(rfc9421::verify(&sigs[0], &base, &key), Ok(()));
    assert_eq!(
        rfc9421::verify(&sigs[0], &base.replace("POST", "PUT"), &key),
        Err(SigError::Invalid)
    );
}

#[test]
fn malformed_headers_are_errors_not_panics() {
    for (input, sig) in [
        ("", ""),
        ("sig1", "sig1=:AAAA:"),
        ("sig1=(\"@method\"", "sig1=:AAAA:"),
        ("sig1=(\"@method\");created=1", "sig1=notbytes"),
        ("sig1=(\"@method\")", "sig2=:AAAA:"),
        ("sig1=(@method)", "sig1=:AAAA:"),
    ] {
        let parsed = rfc9421::parse(input, sig);
        assert!(
            parsed.is_err() || parsed.as_ref().is_ok_and(|v| v.is_empty()),
            "{input:?} {sig:?}: {parsed:?}"
        );
    }
}

mod inbox {
    use crate::both_backends;
    use crate::harness::{Backend, TestInstance};
    use base64::Engine;
    use maillage::federation::rfc9421;
    use reqwest::StatusCode;
    use rsa::{Pkcs1v15Sign, RsaPrivateKey, pkcs8::DecodePrivateKey};
    use serde_json::json;
    use sha2::{Digest, Sha256};

    both_backends!(an_rfc9421_signed_activity_is_verified_and_a_forged_one_refused);

    /// An RFC 9421 POST from `from` (its own key, or `key_of`'s), as Fedify sends it first.
    async fn post(
        from: &TestInstance,
        key_of: &TestInstance,
        to: &str,
        body: &str,
        components: &str,
        tamper: bool,
    ) -> StatusCode {
        let b64 = base64::engine::general_purpose::STANDARD;
        let digest = format!("sha-256=:{}:", b64.encode(Sha256::digest(body.as_bytes())));
        let params = format!(
            "({components});created={};keyid=\"{}#main-key\"",
            chrono::Utc::now().timestamp(),
            from.actor_id()
        );
        let sig = rfc9421::parse(&format!("sig1={params}"), "sig1=:AAAA:")
            .unwrap()
            .remove(0);
        let url = url::Url::parse(to).unwrap();
        let base = rfc9421::signature_base(&sig, "POST", &url, |n| match n {
            "content-digest" => Some(digest.clone()),
            "content-type" => Some("application/activity+json".into()),
            _ => None,
        })
        .unwrap();
        let key = RsaPrivateKey::from_pkcs8_pem(&key_of.ctx.centre.private_key_pem).unwrap();
        let signature = key
            .sign(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(base.as_bytes()),
            )
            .unwrap();
        let sent = if tamper {
            body.replace("Bonjour", "Bonsoir")
        } else {
            body.to_string()
        };
        from.http
            .post(to)
            .header("content-type", "application/activity+json")
            .header("content-digest", digest)
            .header("signature-input", format!("sig1={params}"))
            .header("signature", format!("sig1=:{}:", b64.encode(signature)))
            .body(sent)
            .send()
            .await
            .unwrap()
            .status()
    }

    async fn an_rfc9421_signed_activity_is_verified_and_a_forged_one_refused(backend: Backend) {
        let a = TestInstance::spawn(backend, "lyon").await;
        let b = TestInstance::spawn(backend, "lille").await;
        a.follow_and_wait(&b).await;
        let note = |id: &str| {
            json!({"id": format!("{}/activities/{id}", b.base), "type": "Create", "actor": b.actor_id(),
                "object": {"id": format!("{}/posts/{id}", b.base), "type": "Note", "attributedTo": b.actor_id(),
                "to": ["https://www.w3.org/ns/activitystreams#Public"], "content": "<p>Bonjour</p>"}})
            .to_string()
        };
        let inbox = format!("{}/inbox", a.base);
        let all = "\"@method\" \"@target-uri\" \"content-digest\" \"content-type\"";
        assert_eq!(
            post(&b, &b, &inbox, &note("n1"), all, false).await,
            StatusCode::ACCEPTED
        );
        assert_eq!(a.feed().await.len(), 1, "stored");
        assert_eq!(
            post(&b, &b, &inbox, &note("n2"), all, true).await,
            StatusCode::UNAUTHORIZED,
            "tampered body"
        );
        let other = TestInstance::spawn(backend, "autre").await;
        assert_eq!(
            post(&b, &other, &inbox, &note("n3"), all, false).await,
            StatusCode::UNAUTHORIZED,
            "wrong key"
        );
        assert_eq!(
            post(
                &b,
                &b,
                &inbox,
                &note("n4"),
                "\"@method\" \"@target-uri\"",
                false
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "the body is not covered"
        );
        assert_eq!(
            post(
                &b,
                &b,
                &format!("{}/u/lyon/inbox", a.base),
                &note("n5"),
                all,
                false
            )
            .await,
            StatusCode::ACCEPTED,
            "the personal inbox too"
        );
        assert_eq!(a.feed().await.len(), 2, "nothing else was stored");
    }
}

mod cavage_vectors {
    use maillage::federation::cavage;
    use serde_json::Value;

    #[test]
    fn mastodon_and_draft_12_cavage_vectors_verify() {
        let m: Value =
            serde_json::from_str(&super::fixture("mastodon_signature_vectors.json")).unwrap();
        let key = maillage::integrity::keys::PublicKey::from_pem(
            m["rsa_public_key_pem_spki"].as_str().unwrap(),
        )
        .unwrap();
        let mut n = 0;
        for case in m["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["name"].as_str().unwrap().starts_with("cavage"))
        {
            let headers = case["headers"].as_object().unwrap();
            let h = |name: &str| {
                headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.as_str().unwrap().to_string())
            };
            let sig = cavage::parse(&h("Signature").unwrap()).unwrap();
            let url = url::Url::parse(case["url"].as_str().unwrap()).unwrap();
            let pq = match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_string(),
            };
            let s = cavage::signing_string(&sig, case["method"].as_str().unwrap(), &pq, h).unwrap();
            assert_eq!(s, case["signing_string"].as_str().unwrap());
            assert!(cavage::verify(&sig, &s, &key).is_ok(), "{}", case["name"]);
            assert!(cavage::verify(&sig, &s.replace("success", "failure"), &key).is_err());
            n += 1;
        }
        assert_eq!(n, 3);

        let c: Value = serde_json::from_str(&super::fixture("cavage12_appendix_C.json")).unwrap();
        let key = maillage::integrity::keys::PublicKey::from_pem(
            c["rsa_public_key_pem_spki"].as_str().unwrap(),
        )
        .unwrap();
        let headers = c["request"]["headers"].as_object().unwrap();
        let h = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str().unwrap().to_string())
        };
        for case in c["cases"].as_array().unwrap() {
            let sig = cavage::parse(case["signature_header"].as_str().unwrap()).unwrap();
            let s = cavage::signing_string(
                &sig,
                "POST",
                c["request"]["path_and_query"].as_str().unwrap(),
                h,
            )
            .unwrap();
            assert_eq!(
                s,
                case["signing_string"].as_str().unwrap(),
                "{}",
                case["name"]
            );
            assert_eq!(
                cavage::verify(&sig, &s, &key).is_ok(),
                case["verifies"].as_bool().unwrap(),
                "{}",
                case["name"]
            );
        }
    }

    #[test]
    fn created_and_expires_parameters_are_read() {
        let sig = cavage::parse(
            "keyId=\"https://a.example/u/x#main-key\",algorithm=\"hs2019\",created=1700000000,expires=1700003600,headers=\"(request-target) (created) (expires) host\",signature=\"AAAA\"",
        )
        .unwrap();
        assert_eq!(sig.created.as_deref(), Some("1700000000"));
        let s = cavage::signing_string(&sig, "GET", "/x", |_| Some("a.example".into())).unwrap();
        assert_eq!(
            s,
            "(request-target): get /x\n(created): 1700000000\n(expires): 1700003600\nhost: a.example"
        );
        assert!(cavage::parse("garbage").is_none());
    }
}
