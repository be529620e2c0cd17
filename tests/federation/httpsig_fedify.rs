//! HTTP signatures made by an independent implementation, Fedify 2.3.6's `signRequest`, in both
//! schemes it speaks (draft-cavage-http-signatures-12 and RFC 9421): our inbound checks
//! (`httpsig::inbound::prepare`, then the key) accept each vector as Fedify sent it, and refuse
//! it tampered with. The vectors are `tests/fixtures/fedify_signature_vectors.json`, committed,
//! made by `tests/interop/vectors.mjs`: these tests need no Node.
//!
//! Fedify 2.3.6 signs RFC 9421 with RSA keys only (its signRequest refuses an Ed25519 key, which
//! the fixture records), so every vector here is RSA.

use base64::{Engine, engine::general_purpose::STANDARD as B64};
use http::{HeaderMap, HeaderName, HeaderValue};
use maillage::federation::httpsig::{
    SigError, cavage,
    inbound::{self, Prepared, Request},
};
use maillage::integrity::keys::{PrivateKey, PublicKey};
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

/// One signed request of the fixture.
#[derive(Clone, Debug)]
struct Vector {
    name: String,
    spec: String,
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    signed_at: i64,
    key_id: String,
    public_key_pem: String,
}

impl Vector {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn set_header(&mut self, name: &str, value: String) {
        let slot = self.headers.iter_mut().find(|(k, _)| k == name).unwrap();
        slot.1 = value;
    }

    /// Our checks of the request at `now`: what needs no key, then `key`.
    fn check_at(&self, now: i64, key: &PublicKey) -> Result<Prepared, SigError> {
        let mut map = HeaderMap::new();
        for (name, value) in &self.headers {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        let target = Url::parse(&self.url).unwrap();
        let prepared = inbound::prepare(
            &Request {
                method: &self.method,
                target: &target,
                headers: &map,
                body: self.body.as_deref().map(str::as_bytes),
                domain: "maillage.example",
            },
            now,
        )?;
        prepared.verify(key)?;
        Ok(prepared)
    }

    /// Our checks at the signing time, with the vector's own key.
    fn check(&self) -> Result<Prepared, SigError> {
        self.check_at(self.signed_at, &self.key())
    }

    fn key(&self) -> PublicKey {
        PublicKey::from_pem(&self.public_key_pem).unwrap()
    }
}

fn fixture() -> Value {
    let path = format!(
        "{}/tests/fixtures/fedify_signature_vectors.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn vectors() -> Vec<Vector> {
    let f = fixture();
    assert_eq!(f["fedify"], "2.3.6", "the fixture's Fedify version");
    f["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Vector {
            name: c["name"].as_str().unwrap().into(),
            spec: c["spec"].as_str().unwrap().into(),
            method: c["method"].as_str().unwrap().into(),
            url: c["url"].as_str().unwrap().into(),
            headers: c["headers"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    assert_eq!(k, &k.to_ascii_lowercase(), "header names are lower case");
                    (k.clone(), v.as_str().unwrap().to_string())
                })
                .collect(),
            body: c["body"].as_str().map(String::from),
            signed_at: c["signed_at"].as_i64().unwrap(),
            key_id: c["key_id"].as_str().unwrap().into(),
            public_key_pem: c["public_key_pem"].as_str().unwrap().into(),
        })
        .collect()
}

/// Fedify's draft-cavage `(request-target)` is `method path`, without the query (it signs and
/// verifies `url.pathname`), where the draft (§2.3) takes the path and query. Our verifier
/// tries the draft's form first and the path alone second; see
/// [`fedify_cavage_request_target_leaves_out_the_query`].
fn fedify_signs_without_the_query(v: &Vector) -> bool {
    v.spec == "draft-cavage" && v.url.contains('?')
}

#[test]
fn fedify_vectors_verify_in_both_schemes() {
    let all = vectors();
    let count = |spec: &str, method: &str| {
        all.iter()
            .filter(|v| v.spec == spec && v.method == method)
            .count()
    };
    assert_eq!(count("draft-cavage", "POST"), 2);
    assert_eq!(count("draft-cavage", "GET"), 1);
    assert_eq!(count("rfc9421", "POST"), 2);
    assert_eq!(count("rfc9421", "GET"), 1);
    assert!(
        fixture()["ed25519_rfc9421"]
            .as_str()
            .unwrap()
            .starts_with("not signed"),
        "Fedify now signs RFC 9421 with Ed25519: its vectors are in the fixture, check them here"
    );
    let mut verified = 0;
    for v in all.iter() {
        let prepared = v
            .check()
            .unwrap_or_else(|e| panic!("{}: Fedify's signature refused: {e:?}", v.name));
        assert_eq!(prepared.scheme(), v.spec, "{}", v.name);
        assert_eq!(prepared.key_id(), v.key_id, "{}", v.name);
        // Within our window: 5 minutes ahead of our clock, an hour (and 5 minutes) behind.
        assert!(
            v.check_at(v.signed_at - 299, &v.key()).is_ok(),
            "{}",
            v.name
        );
        assert!(
            v.check_at(v.signed_at + 3600, &v.key()).is_ok(),
            "{}",
            v.name
        );
        verified += 1;
    }
    assert_eq!(verified, 6);
}

#[test]
fn tampered_fedify_vectors_are_refused() {
    let (_, other_pem) = PrivateKey::generate().unwrap();
    let other_rsa = PublicKey::from_pem(&other_pem).unwrap();
    let ed25519 =
        PublicKey::from_pem(fixture()["ed25519_public_key_pem_spki"].as_str().unwrap()).unwrap();
    for v in vectors() {
        let name = &v.name;

        // The body changed: its digest no longer matches.
        if let Some(body) = &v.body {
            let mut t = v.clone();
            t.body = Some(body.replace("Besançon", "Besancon"));
            assert_ne!(t.body, v.body);
            let expected = if v.spec == "rfc9421" {
                SigError::Digest
            } else {
                SigError::BodyDigest
            };
            assert_eq!(t.check().unwrap_err(), expected, "{name}: another body");
            // The body and its digest changed together: the signature no longer matches.
            let mut t = t.clone();
            let tampered = t.body.clone().unwrap();
            let sha256 = B64.encode(Sha256::digest(tampered.as_bytes()));
            if v.spec == "rfc9421" {
                t.set_header("content-digest", format!("sha-256=:{sha256}:"));
            } else {
                t.set_header("digest", format!("SHA-256={sha256}"));
            }
            assert_eq!(
                t.check().unwrap_err(),
                SigError::Invalid,
                "{name}: another body with its digest"
            );
        }

        // A signed header changed: Host, and Date (by one second, still in the window).
        let mut t = v.clone();
        t.set_header("host", "other.example".into());
        assert_eq!(t.check().unwrap_err(), SigError::Invalid, "{name}: host");
        let date = httpdate::parse_http_date(v.header("date").unwrap()).unwrap();
        let mut t = v.clone();
        t.set_header(
            "date",
            httpdate::fmt_http_date(date + std::time::Duration::from_secs(1)),
        );
        assert_eq!(t.check().unwrap_err(), SigError::Invalid, "{name}: date");
        // Accept is signed by Fedify's draft-cavage (it signs every header it sends).
        if v.spec == "draft-cavage" {
            let mut t = v.clone();
            t.set_header("accept", "text/html".into());
            assert_eq!(t.check().unwrap_err(), SigError::Invalid, "{name}: accept");
        }

        // Another target: the signature covers it.
        let mut t = v.clone();
        t.url = v
            .url
            .replace("maillage.example/", "maillage.example/other/");
        assert_eq!(t.check().unwrap_err(), SigError::Invalid, "{name}: target");

        // The wrong key: another RSA key, or a key of another type.
        assert_eq!(
            v.check_at(v.signed_at, &other_rsa).unwrap_err(),
            SigError::Invalid,
            "{name}: another RSA key"
        );
        assert!(
            matches!(
                v.check_at(v.signed_at, &ed25519).unwrap_err(),
                SigError::Unsupported(_)
            ),
            "{name}: an Ed25519 key"
        );

        // Verified two hours after it was signed: too old. And two hours before: too early.
        assert_eq!(
            v.check_at(v.signed_at + 7200, &v.key()).unwrap_err(),
            SigError::Stale,
            "{name}: two hours later"
        );
        assert_eq!(
            v.check_at(v.signed_at - 7200, &v.key()).unwrap_err(),
            SigError::Future,
            "{name}: two hours earlier"
        );
    }
}

/// A known difference: Fedify's draft-cavage signature of a POST to `/users/x/inbox?x=1`
/// covers `(request-target): post /users/x/inbox`, where draft-cavage §2.3 says
/// `post /users/x/inbox?x=1`. The draft's signing string does not verify it; the query-less one
/// does, and our verifier accepts it through that second form.
#[test]
fn fedify_cavage_request_target_leaves_out_the_query() {
    let v = vectors()
        .into_iter()
        .find(|v| v.name == "cavage_post_user_inbox_query")
        .unwrap();
    assert!(fedify_signs_without_the_query(&v));
    assert!(v.check().is_ok(), "accepted through the query-less form");

    let sig = cavage::parse(v.header("signature").unwrap()).unwrap();
    let header = |name: &str| v.header(name).map(String::from);
    let url = Url::parse(&v.url).unwrap();
    let with_query = format!("{}?{}", url.path(), url.query().unwrap());
    let ours = cavage::signing_string(&sig, &v.method, &with_query, header).unwrap();
    assert!(ours.starts_with("(request-target): post /users/x/inbox?x=1\n"));
    assert_eq!(
        cavage::verify(&sig, &ours, &v.key()),
        Err(SigError::Invalid)
    );
    let fedifys = cavage::signing_string(&sig, &v.method, url.path(), header).unwrap();
    assert_eq!(cavage::verify(&sig, &fedifys, &v.key()), Ok(()));
}
