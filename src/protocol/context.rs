//! The JSON-LD `@context` values we send. Extension terms are defined inline: no remote
//! context URL other than the standard ones that processors bundle (ActivityStreams and the
//! W3C security vocabularies: `security/v1`, `multikey/v1`, `data-integrity/v1`).

use serde_json::{Value, json};

/// For actors: ActivityStreams, the security vocabulary (without it JSON-LD consumers drop
/// `publicKey`), the Multikey vocabulary of `assertionMethod` (FEP-521a), and the Mastodon
/// and schema.org terms we use.
pub fn actor() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        "https://w3id.org/security/multikey/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "alsoKnownAs": { "@id": "as:alsoKnownAs", "@type": "@id" },
            "movedTo": { "@id": "as:movedTo", "@type": "@id" },
            "assertionMethod": {
                "@id": "https://w3id.org/security#assertionMethod",
                "@type": "@id",
                "@container": "@set"
            },
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value"
        }
    ])
}

/// For activities and objects, events and joint statements included: the Mobilizon terms
/// (`mz:`), schema.org (`sc:`), iCalendar (`ical:`) and our statement terms (`mlg:`, see
/// [`super::statement`]) are defined inline.
pub fn object() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        {
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "sc": "http://schema.org#",
            "ical": "http://www.w3.org/2002/12/cal/ical#",
            "mz": "https://joinmobilizon.org/ns#",
            "PostalAddress": "sc:PostalAddress",
            "address": { "@id": "sc:address" },
            "streetAddress": "sc:streetAddress",
            "postalCode": "sc:postalCode",
            "addressLocality": "sc:addressLocality",
            "addressRegion": "sc:addressRegion",
            "addressCountry": "sc:addressCountry",
            "category": "sc:category",
            "inLanguage": "sc:inLanguage",
            "maximumAttendeeCapacity": "sc:maximumAttendeeCapacity",
            "participantCount": "mz:participantCount",
            "timezone": { "@id": "mz:timezone", "@type": "sc:Text" },
            "isOnline": { "@id": "mz:isOnline", "@type": "sc:Boolean" },
            "joinMode": { "@id": "mz:joinMode", "@type": "mz:joinModeType" },
            "joinModeType": { "@id": "mz:joinModeType" },
            "externalParticipationUrl": { "@id": "mz:externalParticipationUrl", "@type": "sc:URL" },
            "status": { "@id": "ical:status", "@type": "ical:status" },
            "mlg": "urn:maillage:",
            "Cosignature": "mlg:Cosignature",
            "statementVersion": "mlg:statementVersion",
            "contentDigest": "mlg:contentDigest",
            "signedText": "mlg:signedText",
            "signatures": { "@id": "mlg:signatures", "@type": "@id", "@container": "@set" },
            "invitees": { "@id": "mlg:invitees", "@type": "@id", "@container": "@set" },
            "signingDeadline": { "@id": "mlg:signingDeadline", "@type": "http://www.w3.org/2001/XMLSchema#dateTime" }
        }
    ])
}

/// Just ActivityStreams, for collections.
pub fn activitystreams() -> Value {
    json!("https://www.w3.org/ns/activitystreams")
}
