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
    rfc9421::verify(sig, &base, &rfc9421::public_key(key_pem)?)
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
        Err(SigError::Stale),
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
    let key = rfc9421::public_key(&fixture("test-key-ed25519.pem")).unwrap();
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
