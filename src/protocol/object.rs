//! Content objects: `Note` now; `Article`, `Page` and `Event` share the shape and add fields.

use super::helpers;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectJson {
    #[serde(rename = "type", deserialize_with = "super::helpers::kind")]
    pub kind: String,
    pub id: Url,
    #[serde(default, deserialize_with = "helpers::urls")]
    pub attributed_to: Vec<Url>,
    #[serde(default, deserialize_with = "helpers::urls")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "helpers::urls")]
    pub cc: Vec<Url>,
    #[serde(default, deserialize_with = "helpers::lenient_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "helpers::lenient_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "helpers::lenient_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The content by language, in the sender's order (serde_json's `preserve_order`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_map: Option<serde_json::Map<String, Value>>,
    /// The page (first entry) and, for media objects, the files.
    #[serde(default, skip_serializing_if = "super::links::Links::is_empty")]
    pub url: super::links::Links,
    /// The media type of an `Image`, `Video`, `Audio` or `Document` object's own file.
    #[serde(default, deserialize_with = "helpers::lenient_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// A poll's (`Question`) options: one of (`oneOf`) or any of (`anyOf`).
    #[serde(default, deserialize_with = "helpers::values")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub one_of: Vec<Value>,
    #[serde(default, deserialize_with = "helpers::values")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<Value>,
    /// When a poll closed (a time, or `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<Value>,
    #[serde(default, deserialize_with = "helpers::lenient_i64")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voters_count: Option<i64>,
    #[serde(default, deserialize_with = "helpers::first_url")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<Url>,
    #[serde(default, deserialize_with = "helpers::lenient_time")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default, deserialize_with = "helpers::lenient_time")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default, deserialize_with = "helpers::lenient_bool")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<bool>,
    #[serde(default, deserialize_with = "helpers::values")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<Value>,
    #[serde(default, deserialize_with = "helpers::values")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachment: Vec<Value>,
    /// FEP-b2b8: a short Note standing for a long Article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<Value>,
    #[serde(default, deserialize_with = "helpers::lenient_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_language: Option<String>,
    #[serde(flatten)]
    pub event: EventFields,
    /// Joint statements (see [`super::statement`]): the version and its digest…
    #[serde(default, deserialize_with = "helpers::lenient_i64")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement_version: Option<i64>,
    #[serde(default, deserialize_with = "helpers::lenient_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_digest: Option<String>,
    /// …the signed title, summary and body…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_text: Option<Value>,
    /// …and the ids of the co-signatures, each on its signer's server.
    #[serde(default, deserialize_with = "helpers::urls")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<Url>,
}

/// The Mobilizon-compatible fields of an `Event` (absent on other types).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventFields {
    #[serde(default, deserialize_with = "helpers::lenient_time")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default, deserialize_with = "helpers::lenient_time")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default, deserialize_with = "helpers::lenient_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// A `Place`, its id, or (Gancio, older servers) something looser: read by the converter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Value>,
    #[serde(default, deserialize_with = "helpers::lenient_bool")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_online: Option<bool>,
    /// `ical:status` as Mobilizon sends it.
    #[serde(
        rename = "ical:status",
        default,
        deserialize_with = "helpers::lenient_string"
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ical_status: Option<String>,
    /// The same without prefix (older Mobilizon, and what we read first).
    #[serde(default, deserialize_with = "helpers::lenient_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "helpers::lenient_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join_mode: Option<String>,
    #[serde(default, deserialize_with = "helpers::lenient_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_participation_url: Option<String>,
    #[serde(default, deserialize_with = "helpers::lenient_i64")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_attendee_capacity: Option<i64>,
    #[serde(default, deserialize_with = "helpers::lenient_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Accepted participants (Mobilizon's `participantCount`); only on our events.
    #[serde(default, deserialize_with = "helpers::lenient_i64")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_count: Option<i64>,
}

/// Content types we store from the inbox.
pub fn is_content_type(kind: &str) -> bool {
    matches!(kind, "Note" | "Article" | "Page" | "Event" | "Question") || is_media_type(kind)
}

/// Objects that are a file with a title or a caption, kept as a note with the file attached.
pub fn is_media_type(kind: &str) -> bool {
    matches!(kind, "Image" | "Video" | "Audio" | "Document")
}

/// A deleted object, as served at its id and sent in `Delete`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TombstoneJson {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Url,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub former_type: Option<String>,
    #[serde(default, deserialize_with = "helpers::lenient_time")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<chrono::DateTime<chrono::FixedOffset>>,
}
