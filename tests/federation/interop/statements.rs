//! Joint statements seen by Fedify. Centre A drafts a statement and invites centre B; B signs,
//! which makes a co-signature document on B's server with an FEP-8b32 `eddsa-jcs-2022` proof.
//! Fedify's own `verifyObject` checks that proof (and refuses a tampered copy of the
//! document), and the published statement reaches Fedify's inbox as an `Article` that verifies
//! and parses as we mean it.

use super::{Peer, eventually, fedify_follows};
use crate::{
    harness::{Backend, TestInstance},
    stub::Stub,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

const TITLE: &str = "Pour un habitat digne";
const SUMMARY: &str = "Notre position commune.";
const MAILLAGE: &str = "urn:maillage:";

/// The drafting centre A, the invited centre B.
async fn centres() -> (TestInstance, TestInstance) {
    (
        TestInstance::spawn(Backend::Sqlite, "lyon").await,
        TestInstance::spawn(Backend::Sqlite, "lille").await,
    )
}

/// A statement drafted by `a` and signed by `b`, the signature checked by `a`. Returns the
/// statement's API id and URL, and B's co-signature URL.
async fn signed_statement(a: &TestInstance, b: &TestInstance) -> (String, String, String) {
    let (status, statement) = a
        .post(
            "/api/v1/statements",
            json!({"title": TITLE, "summary": SUMMARY, "language": "fr",
                   "content": "Nous demandons **un logement digne** pour toutes et tous.",
                   "invite": [b.handle()]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{statement}");
    let id = statement["id"].as_str().unwrap().to_string();
    let url = statement["url"].as_str().unwrap().to_string();
    let report = a.deliver_pending().await;
    assert_eq!(report.delivered, 1, "the Invite is delivered: {report:?}");

    let invitation = eventually("the invitation at B", || async {
        let (status, list) = b.get("/api/v1/invitations").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list["items"].as_array().unwrap().first().cloned()
    })
    .await;
    let (status, signed) = b
        .post_empty(&format!(
            "/api/v1/invitations/{}/sign",
            invitation["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{signed}");
    let signature = signed["url"].as_str().unwrap().to_string();
    let report = b.deliver_pending().await;
    assert_eq!(report.delivered, 1, "B's Accept is delivered: {report:?}");

    // A fetched the co-signature from B and checked its proof with our own code.
    let checked = eventually("B's signature, checked by A", || async {
        let (status, s) = a.get(&format!("/api/v1/statements/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{s}");
        s["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["signature_url"] == signature.as_str())
            .cloned()
    })
    .await;
    assert_eq!(checked["state"], "valid", "{checked}");
    assert_eq!(checked["actor"], b.actor_id().as_str(), "{checked}");
    (id, url, signature)
}

/// Fedify's verdict on the FEP-8b32 proof of the document at `url`.
async fn fedify_verifies(peer: &Peer, url: &str) -> Value {
    let out = peer
        .post("/control/verify-proof", json!({ "url": url }))
        .await;
    eprintln!(
        "Fedify on {url}: verified={} error={} keyId={} proofs={}",
        out["verified"], out["error"], out["keyId"], out["proofs"]
    );
    out
}

// ---------------------------------------------------------------------------------------------
// 8. B's co-signature proof verifies with Fedify's verifyObject; a tampered copy does not.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedify_verifies_our_cosignature_proof_and_refuses_a_tampered_copy() {
    let Some(peer) =
        Peer::start("fedify_verifies_our_cosignature_proof_and_refuses_a_tampered_copy").await
    else {
        return;
    };
    let (a, b) = centres().await;
    let (_, statement_url, signature) = signed_statement(&a, &b).await;
    let key_id = format!("{}#ed25519-key", b.actor_id());

    // The genuine document, from B.
    let out = fedify_verifies(&peer, &signature).await;
    assert_eq!(out["verified"], true, "Fedify refused our proof: {out:#}");
    assert_eq!(out["keyId"], key_id.as_str(), "{out:#}");
    let proofs = out["proofs"].as_array().unwrap();
    assert_eq!(proofs.len(), 1, "{out:#}");
    assert_eq!(proofs[0]["type"], "DataIntegrityProof");
    assert_eq!(proofs[0]["cryptosuite"], "eddsa-jcs-2022");
    assert_eq!(proofs[0]["proof_purpose"], "assertionMethod");
    assert_eq!(proofs[0]["verification_method"], key_id.as_str());
    assert_eq!(proofs[0]["controller"], b.actor_id().as_str(), "{out:#}");
    // Fedify parsed it as an Object attributed to B (`Cosignature` is our own inline term).
    let parsed = &out["parsed"];
    assert_eq!(parsed["type"], "Object", "{parsed:#}");
    assert_eq!(
        parsed["type_id"], "https://www.w3.org/ns/activitystreams#Object",
        "{parsed:#}"
    );
    assert_eq!(parsed["types"], json!(["Object", "Cosignature"]));
    assert_eq!(parsed["id"], signature.as_str());
    assert_eq!(parsed["attributed_to"], json!([b.actor_id()]));
    let document = out["document"].clone();
    assert_eq!(document["object"], statement_url.as_str(), "{document:#}");
    for c in out["contexts_requested"].as_array().unwrap() {
        assert!(
            c == "https://www.w3.org/ns/activitystreams"
                || c.as_str()
                    .unwrap()
                    .starts_with("https://w3id.org/security/"),
            "Fedify loaded the context {c}"
        );
    }

    // Copies served elsewhere on loopback: the untouched one verifies too (the proof is about
    // the document, not where it is served), each tampered one is refused.
    let stub = Stub::start().await;
    let copy = stub.serve("copy", document.clone());
    let out = fedify_verifies(&peer, &copy).await;
    assert_eq!(out["verified"], true, "the untouched copy: {out:#}");

    let mut tampered = Vec::new();
    let mut later = document.clone();
    later["published"] = json!("2030-01-01T00:00:00Z");
    tampered.push(("published", later));
    let mut other = document.clone();
    other["object"] = json!(format!("{statement_url}-autre"));
    tampered.push(("object", other));
    let mut version = document.clone();
    version["statementVersion"] = json!(2);
    tampered.push(("statementVersion", version));
    let mut created = document.clone();
    created["proof"]["created"] = json!("2030-01-01T00:00:00Z");
    tampered.push(("proof.created", created));
    for (what, doc) in tampered {
        assert_ne!(doc, document);
        let url = stub.serve(&format!("tampered-{}", what.replace('.', "-")), doc);
        let out = fedify_verifies(&peer, &url).await;
        assert_eq!(
            out["verified"], false,
            "Fedify accepted a copy with {what} changed: {out:#}"
        );
        assert!(out["keyId"].is_null(), "{out:#}");
        // Refused for the signature, not for want of the key.
        let error = out["error"].as_str().unwrap_or_default();
        assert!(
            error.contains(&format!(
                "Failed to verify the proof with the fetched key {key_id}"
            )),
            "{what}: {out:#}"
        );
        assert_eq!(out["proofs"][0]["verified"], false, "{what}: {out:#}");
    }
    peer.assert_clean().await;
}

// ---------------------------------------------------------------------------------------------
// 9. The published statement reaches Fedify's inbox (so its HTTP signature verified) as a
//    Create{Article} naming B, with a Mention of B and our `signatures` extension.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_published_statement_reaches_fedify_as_an_article_naming_the_signatory() {
    let Some(peer) =
        Peer::start("our_published_statement_reaches_fedify_as_an_article_naming_the_signatory")
            .await
    else {
        return;
    };
    let (a, b) = centres().await;
    fedify_follows(&peer, &a).await;
    let (id, url, signature) = signed_statement(&a, &b).await;

    let (status, published) = a
        .post_empty(&format!("/api/v1/statements/{id}/publish"))
        .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["state"], "published", "{published}");
    let report = a.deliver_pending().await;
    // To Fedify (a follower) and to B (the signatory).
    assert_eq!(report.delivered, 2, "{report:?}");

    let create = peer
        .received("the Create of our statement", |c| {
            c["type"] == "Create" && c["object"]["id"] == url.as_str()
        })
        .await;
    eprintln!("Fedify received and parsed: {:#}", create["object"]);
    // It reached Fedify's inbox listener: Fedify verified its HTTP signature by A's key.
    assert_eq!(create["actor"], a.actor_id().as_str());
    assert_eq!(create["signature"], "draft-cavage");
    assert_eq!(
        create["key_id"],
        format!("{}#main-key", a.actor_id()).as_str()
    );
    assert_eq!(create["recipient"], Value::Null, "the shared inbox");
    assert!(create["object_error"].is_null(), "{create:#}");

    // Fedify's vocabulary: an Article with its name, a summary naming B, a Mention of B.
    let article = &create["object"];
    assert_eq!(article["type"], "Article", "{article:#}");
    assert_eq!(article["name"], TITLE);
    let summary = article["summary"].as_str().unwrap();
    assert!(summary.starts_with(SUMMARY), "{summary}");
    assert!(
        summary.ends_with("Cosignée par : Centre lille."),
        "{summary}"
    );
    assert_eq!(article["attributed_to"], json!([a.actor_id()]));
    assert!(
        article["cc"]
            .as_array()
            .unwrap()
            .contains(&json!(b.actor_id()))
    );
    assert!(article["tags_error"].is_null(), "{article:#}");
    let mentions: Vec<&Value> = article["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["type"] == "Mention")
        .collect();
    assert_eq!(mentions.len(), 1, "{article:#}");
    assert_eq!(mentions[0]["href"], b.actor_id().as_str());
    assert_eq!(mentions[0]["name"], format!("@{}", b.handle()).as_str());
    let content = article["content"].as_str().unwrap();
    assert!(content.contains("un logement digne"), "{content}");
    assert!(
        content.contains(&signature),
        "the signature link: {content}"
    );

    // Our extension as sent, and as JSON-LD expands it: `signatures` lists B's co-signature.
    let raw = &create["raw"]["object"];
    assert_eq!(raw["signatures"], json!([signature]), "{raw:#}");
    assert_eq!(raw["statementVersion"], 1, "{raw:#}");
    let terms = &article["maillage_terms"];
    assert_eq!(
        terms[format!("{MAILLAGE}signatures")],
        json!([signature]),
        "{terms:#}"
    );
    assert_eq!(terms[format!("{MAILLAGE}statementVersion")], json!([1]));
    assert!(
        terms[format!("{MAILLAGE}contentDigest")][0]
            .as_str()
            .is_some_and(|d| d.starts_with("sha-256=")),
        "{terms:#}"
    );

    // The signature the Article lists still verifies with Fedify.
    let out = fedify_verifies(&peer, &signature).await;
    assert_eq!(out["verified"], true, "{out:#}");
    peer.assert_clean().await;
}
