//! JSON-LD: our documents expand with Fedify's processor, loading only bundled contexts.

use super::{AS, Peer, SCHEMA, centre};
use reqwest::StatusCode;
use serde_json::{Value, json};

const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";
const SECURITY_CONTEXT: &str = "https://w3id.org/security/v1";
/// The W3C security vocabularies of FEP-521a keys and FEP-8b32 proofs, bundled by Fedify.
const MULTIKEY_CONTEXT: &str = "https://w3id.org/security/multikey/v1";
const INTEGRITY_CONTEXT: &str = "https://w3id.org/security/data-integrity/v1";
const SEC: &str = "https://w3id.org/security#";
const MZ: &str = "https://joinmobilizon.org/ns#";

// ---------------------------------------------------------------------------------------------
// 7. JSON-LD: our documents expand with `publicKey`, `assertionMethod` and our extension terms
//    intact, loading no context but the standard bundled ones.

async fn expand(peer: &Peer, url: &str) -> Value {
    let out = peer.post("/control/expand", json!({ "url": url })).await;
    assert_eq!(out["status"], 200, "{url}: {out:#}");
    assert!(out["expand_error"].is_null(), "{url}: {out:#}");
    assert!(out["parse_error"].is_null(), "{url}: {out:#}");
    assert_eq!(out["contexts_refused"], json!([]), "{url}: remote contexts");
    for c in out["contexts_requested"].as_array().unwrap() {
        assert!(
            c == AS_CONTEXT
                || c == SECURITY_CONTEXT
                || c == MULTIKEY_CONTEXT
                || c == INTEGRITY_CONTEXT,
            "{url} loads the context {c}"
        );
    }
    assert_eq!(
        out["expanded"].as_array().map(Vec::len),
        Some(1),
        "{url}: {out:#}"
    );
    out
}

/// The first `@value` (or `@id`) of `iri` in an expanded node.
fn first<'a>(node: &'a Value, iri: &str) -> &'a Value {
    let v = &node[iri][0];
    if v.get("@value").is_some() {
        &v["@value"]
    } else if v.get("@id").is_some() && v.as_object().unwrap().len() == 1 {
        &v["@id"]
    } else {
        v
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_documents_expand_offline_with_public_key_and_extension_terms() {
    let Some(peer) =
        Peer::start("our_documents_expand_offline_with_public_key_and_extension_terms").await
    else {
        return;
    };
    let us = centre().await;

    // The actor.
    let out = expand(&peer, &us.actor_id()).await;
    let actor = &out["expanded"][0];
    assert_eq!(actor["@type"], json!([format!("{AS}Organization")]));
    let key = &actor[format!("{SEC}publicKey")][0];
    assert_eq!(key["@id"], format!("{}#main-key", us.actor_id()).as_str());
    assert_eq!(first(key, &format!("{SEC}owner")), us.actor_id().as_str());
    assert!(
        first(key, &format!("{SEC}publicKeyPem"))
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    let multikey = &actor[format!("{SEC}assertionMethod")][0];
    assert_eq!(
        multikey["@id"],
        format!("{}#ed25519-key", us.actor_id()).as_str()
    );
    assert_eq!(
        multikey["@type"],
        json!([format!("{SEC}Multikey")]),
        "{multikey:#}"
    );
    assert_eq!(
        first(multikey, &format!("{SEC}controller")),
        us.actor_id().as_str()
    );
    assert!(
        first(multikey, &format!("{SEC}publicKeyMultibase"))
            .as_str()
            .unwrap()
            .starts_with("z6Mk"),
        "{multikey:#}"
    );
    assert_eq!(
        first(actor, &format!("{AS}manuallyApprovesFollowers")),
        false
    );
    assert_eq!(
        first(actor, "http://joinmastodon.org/ns#discoverable"),
        true
    );
    assert_eq!(first(actor, "http://joinmastodon.org/ns#indexable"), true);
    assert_eq!(
        first(actor, "http://www.w3.org/ns/ldp#inbox"),
        format!("{}/inbox", us.actor_id()).as_str()
    );
    let parsed = &out["parsed"];
    assert_eq!(parsed["type"], "Organization", "{parsed:#}");
    assert_eq!(parsed["preferred_username"], "centre");
    assert_eq!(
        parsed["shared_inbox"],
        format!("{}/inbox", us.base).as_str()
    );
    assert_eq!(
        parsed["public_key"],
        json!({"id": format!("{}#main-key", us.actor_id()), "owner": us.actor_id(),
               "algorithm": "RSASSA-PKCS1-v1_5"})
    );
    assert_eq!(parsed["manually_approves_followers"], false);
    assert_eq!(parsed["discoverable"], true);
    assert_eq!(parsed["indexable"], true);

    // A Note, an Article and an Event.
    let mut urls = Vec::new();
    for body in [
        json!({"content": "Bonjour", "tags": ["habitat"]}),
        json!({"type": "Article", "title": "Rapport annuel", "summary": "Les chiffres clés.",
               "content": "<p>Texte</p>", "tags": ["rapport"]}),
        json!({"type": "Event", "title": "Débat", "content": "Une soirée.",
               "start": "2026-02-12T14:00", "end": "2026-02-12T17:00", "timezone": "Europe/Paris",
               "location": {"name": "Maison des associations", "street": "10 rue Jangot",
                            "postal_code": "69007", "locality": "Lyon", "country": "France"},
               "join_mode": "external", "registration_url": "https://inscription.example/debat",
               "capacity": 80, "category": "débat"}),
    ] {
        let (status, post) = us.post("/api/v1/posts", body).await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        urls.push(post["url"].as_str().unwrap().to_string());
    }

    let out = expand(&peer, &urls[0]).await;
    let note = &out["expanded"][0];
    assert_eq!(note["@type"], json!([format!("{AS}Note")]));
    assert!(
        first(note, &format!("{AS}content"))
            .as_str()
            .unwrap()
            .contains("Bonjour")
    );
    assert_eq!(first(note, &format!("{AS}sensitive")), false);
    assert_eq!(
        note[format!("{AS}tag")][0]["@type"],
        json!([format!("{AS}Hashtag")])
    );
    assert_eq!(out["parsed"]["type"], "Note");
    assert_eq!(out["parsed"]["tags"][0]["type"], "Hashtag");

    let out = expand(&peer, &urls[1]).await;
    let article = &out["expanded"][0];
    assert_eq!(article["@type"], json!([format!("{AS}Article")]));
    assert_eq!(first(article, &format!("{AS}name")), "Rapport annuel");
    assert_eq!(
        first(article, &format!("{AS}summary")),
        "Les chiffres clés."
    );
    assert_eq!(first(article, &format!("{SCHEMA}inLanguage")), "fr");
    let preview = &article[format!("{AS}preview")][0];
    assert_eq!(preview["@type"], json!([format!("{AS}Note")]));
    assert_eq!(out["parsed"]["name"], "Rapport annuel");
    assert_eq!(out["parsed"]["summary"], "Les chiffres clés.");

    let out = expand(&peer, &urls[2]).await;
    let event = &out["expanded"][0];
    assert_eq!(event["@type"], json!([format!("{AS}Event")]));
    assert_eq!(
        first(event, &format!("{AS}startTime")),
        "2026-02-12T14:00:00+01:00"
    );
    assert_eq!(first(event, &format!("{MZ}timezone")), "Europe/Paris");
    assert_eq!(first(event, &format!("{MZ}isOnline")), false);
    assert_eq!(first(event, &format!("{MZ}joinMode")), "external");
    assert_eq!(
        first(event, &format!("{MZ}externalParticipationUrl")),
        "https://inscription.example/debat"
    );
    assert_eq!(
        first(event, "http://www.w3.org/2002/12/cal/ical#status"),
        "CONFIRMED"
    );
    assert_eq!(
        first(event, &format!("{SCHEMA}maximumAttendeeCapacity")),
        80
    );
    assert_eq!(first(event, &format!("{SCHEMA}category")), "débat");
    let place = &event[format!("{AS}location")][0];
    assert_eq!(place["@type"], json!([format!("{AS}Place")]));
    assert_eq!(
        first(place, &format!("{AS}name")),
        "Maison des associations"
    );
    let address = &place[format!("{SCHEMA}address")][0];
    assert_eq!(address["@type"], json!([format!("{SCHEMA}PostalAddress")]));
    assert_eq!(
        first(address, &format!("{SCHEMA}streetAddress")),
        "10 rue Jangot"
    );
    assert_eq!(first(address, &format!("{SCHEMA}postalCode")), "69007");
    assert_eq!(first(address, &format!("{SCHEMA}addressLocality")), "Lyon");
    assert_eq!(first(address, &format!("{SCHEMA}addressCountry")), "France");
    let parsed = &out["parsed"];
    assert_eq!(parsed["type"], "Event");
    assert_eq!(parsed["start_time"], "2026-02-12T13:00:00Z");
    assert_eq!(parsed["end_time"], "2026-02-12T16:00:00Z");
    assert_eq!(parsed["location"]["name"], "Maison des associations");
    peer.assert_clean().await;
}
