//! Real documents captured from Mastodon parse with our lenient wire shapes.

use activitypub_federation::fetch::webfinger::Webfinger;
use maillage::federation::protocol::actor::ActorJson;

/// The body of a captured HTTP response (headers, blank line, body).
fn body(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/mastodon/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace("\r\n", "\n");
    text.split_once("\n\n").unwrap().1.trim().to_string()
}

#[test]
fn mastodon_actor_parses() {
    let actor: ActorJson = serde_json::from_str(&body("activitypub-actor.txt")).unwrap();
    assert_eq!(actor.kind, "Person");
    assert_eq!(actor.id.as_str(), "https://ap.example.com/users/foo");
    assert_eq!(actor.preferred_username.as_deref(), Some("foo"));
    assert_eq!(
        actor.inbox.as_ref().unwrap().as_str(),
        "https://ap.example.com/users/foo/inbox"
    );
    assert_eq!(actor.public_key.owner, actor.id);
    assert!(
        actor
            .public_key
            .public_key_pem
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    assert_eq!(actor.manually_approves_followers, Some(false));
    assert_eq!(
        actor.url.as_ref().unwrap().as_str(),
        "https://ap.example.com/@foo"
    );
}

#[test]
fn mastodon_actor_with_several_types_and_a_shared_inbox_parses() {
    let actor: ActorJson = serde_json::from_str(&body("activitypub-actor-individual.txt")).unwrap();
    assert_eq!(
        actor.kind, "Person",
        "the first of [\"Person\", \"vcard:individual\"]"
    );
    assert_eq!(
        actor.delivery_inbox().unwrap().as_str(),
        "https://ap.example.com/inbox",
        "deliveries go to the shared inbox"
    );
}

#[test]
fn mastodon_actor_without_inbox_parses_and_has_nowhere_to_deliver() {
    let actor: ActorJson = serde_json::from_str(&body("activitypub-actor-noinbox.txt")).unwrap();
    assert!(actor.inbox.is_none());
    assert!(actor.delivery_inbox().is_none());
}

#[test]
fn mastodon_webfinger_documents_parse() {
    let wf: Webfinger = serde_json::from_str(&body("activitypub-webfinger.txt")).unwrap();
    assert_eq!(wf.subject, "acct:foo@ap.example.com");
    let activitypub: Vec<_> = wf
        .links
        .iter()
        .filter(|l| l.kind.as_deref() == Some("application/activity+json"))
        .filter_map(|l| l.href.as_ref().map(|h| h.to_string()))
        .collect();
    assert_eq!(activitypub, vec!["https://ap.example.com/users/foo"]);

    let old: Webfinger = serde_json::from_str(&body("webfinger.txt")).unwrap();
    assert_eq!(old.subject, "acct:gargron@quitter.no");
    assert!(!old.links.is_empty());
}
