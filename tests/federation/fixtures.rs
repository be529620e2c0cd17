//! Real documents captured from Mastodon parse with our lenient wire shapes.

use activitypub_federation::fetch::webfinger::Webfinger;
use maillage::protocol::actor::ActorJson;

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

mod events {
    use chrono::DateTime;
    use maillage::{
        actions::remote_posts::{RemotePost, from_object},
        model::Location,
        protocol::object::ObjectJson,
    };
    use serde_json::Value;

    fn load(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/mobilizon/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// The object of an activity, or the document itself.
    fn convert(name: &str) -> RemotePost {
        let doc = load(name);
        let object = if doc["type"] == "Create" {
            doc["object"].clone()
        } else {
            doc
        };
        let object: ObjectJson = serde_json::from_value(object).unwrap();
        from_object(&object, false)
    }

    fn ms(rfc3339: &str) -> i64 {
        DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn mobilizon_event_reconstructed() {
        let e = convert("mobilizon-event-reconstructed.json");
        assert_eq!(e.kind, "Event");
        assert_eq!(e.name.as_deref(), Some("Repair café"));
        assert_eq!(e.start_at, Some(ms("2026-12-05T14:00:00+01:00")));
        assert_eq!(e.end_at, Some(ms("2026-12-05T17:00:00+01:00")));
        assert_eq!(e.timezone.as_deref(), Some("Europe/Paris"));
        assert_eq!(e.event_status.as_deref(), Some("confirmed"));
        assert_eq!(
            e.data.location,
            Some(Location {
                name: Some("Maison des associations".into()),
                street: Some("10 rue Jangot".into()),
                postal_code: Some("69007".into()),
                locality: Some("Lyon".into()),
                region: Some("Auvergne-Rhône-Alpes".into()),
                country: Some("France".into()),
                latitude: Some(45.7485),
                longitude: Some(4.8467),
            })
        );
        assert_eq!(
            e.data.online_url.as_deref(),
            Some("https://visio.example/room")
        );
        assert_eq!(e.data.join_mode.as_deref(), Some("free"));
        assert_eq!(e.data.capacity, Some(30));
        assert_eq!(e.data.category.as_deref(), Some("COMMUNITY"));
        assert_eq!(e.data.tags, vec!["repair".to_string()]);
        assert_eq!(e.visibility, "public");
        assert_eq!(
            e.summary, None,
            "our own date line replaces the remote summary"
        );
    }

    #[test]
    fn mobilizon_create_event_with_a_null_end_and_links() {
        let e = convert("mobilizon-post-activity.json");
        assert_eq!(e.start_at, Some(ms("2018-02-12T14:08:20Z")));
        assert_eq!(e.end_at, None);
        assert_eq!(e.timezone, None);
        assert_eq!(e.event_status.as_deref(), Some("confirmed"));
        let l = e.data.location.unwrap();
        assert_eq!(l.name.as_deref(), Some("Locaux de Framasoft"));
        assert_eq!(l.street.as_deref(), Some("10 Rue Jangot"));
        assert_eq!(l.locality.as_deref(), Some("Lyon"));
        assert_eq!(
            e.data.online_url.as_deref(),
            Some("https://google.com"),
            "the Link named Website"
        );
        assert!(e.data.tags.is_empty(), "a Mention is not a hashtag");
        assert!(!e.content.contains("class="), "sanitised: {}", e.content);
    }

    #[test]
    fn mobilizon_group_event_with_nulls_everywhere() {
        let e = convert("mobilizon-post-activity-group.json");
        assert_eq!(e.start_at, Some(ms("2018-02-12T14:08:20Z")));
        assert_eq!(
            (e.end_at, e.data.location.clone(), e.data.online_url.clone()),
            (None, None, None)
        );
        assert_eq!(e.event_status.as_deref(), Some("confirmed"));
    }

    #[test]
    fn gancio_create_event_reconstructed() {
        let e = convert("gancio-create-event-reconstructed.json");
        assert_eq!(e.start_at, Some(ms("2026-12-05T21:00:00+01:00")));
        assert_eq!(e.end_at, Some(ms("2026-12-05T23:00:00+01:00")));
        assert_eq!(e.timezone, None, "Gancio sends offsets, no zone name");
        let l = e.data.location.unwrap();
        assert_eq!(l.name.as_deref(), Some("Circolo"));
        assert_eq!(
            l.street.as_deref(),
            Some("Via Roma 1, Bologna"),
            "a one-line address"
        );
        assert_eq!((l.latitude, l.longitude), (Some(44.49), Some(11.34)));
        assert_eq!(e.data.online_url, None);
        assert_eq!(e.event_status.as_deref(), Some("confirmed"));
        assert_eq!(e.data.tags, vec!["music".to_string()]);
    }

    #[test]
    fn gancio_event_activity() {
        let e = convert("gancio-event-activity.json");
        assert_eq!(e.start_at, Some(ms("2021-07-14T17:30:57+02:00")));
        assert_eq!(e.end_at, Some(ms("2021-07-14T18:30:57+02:00")));
        assert_eq!(e.data.location.unwrap().name.as_deref(), Some("Colosseo"));
        assert_eq!(e.data.tags, vec!["test".to_string()]);
        assert_eq!(e.name.as_deref(), Some("Demo event"));
    }

    #[test]
    fn the_other_mobilizon_fixtures_parse_as_activities() {
        for name in [
            "mobilizon-invite-activity.json",
            "mobilizon-join-activity.json",
            "mobilizon-leave-activity.json",
            "mastodon-follow-activity.json",
            "mastodon-accept-activity.json",
        ] {
            let a: maillage::protocol::activity::ActivityJson =
                serde_json::from_value(load(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!a.kind.is_empty());
        }
        for name in ["gancio-actor.json", "mastodon-actor.json"] {
            let a: maillage::protocol::actor::ActorJson =
                serde_json::from_value(load(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(a.inbox.is_some(), "{name}");
        }
    }
}
