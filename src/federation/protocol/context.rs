//! The JSON-LD `@context` values we send. Extension terms are defined inline: no remote
//! context URL other than the two standard ones that every processor bundles.

use serde_json::{Value, json};

/// For actors: ActivityStreams, the security vocabulary (without it JSON-LD consumers drop
/// `publicKey`), and the Mastodon and schema.org terms we use.
pub fn actor() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value"
        }
    ])
}

/// For activities and objects.
pub fn object() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        {
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag"
        }
    ])
}

/// Just ActivityStreams, for collections.
pub fn activitystreams() -> Value {
    json!("https://www.w3.org/ns/activitystreams")
}
