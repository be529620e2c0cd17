//! Activities as they travel. `object` is kept as raw JSON where peers send either an id or an
//! embedded object; the handlers read what they need with [`super::helpers::id_of`].

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

/// Follow, Accept, Reject, Undo, Update, Delete, Invite, Flag and any activity we do not model.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityJson {
    #[serde(rename = "type", deserialize_with = "super::helpers::kind")]
    pub kind: String,
    pub id: Url,
    #[serde(deserialize_with = "actor_id")]
    pub actor: Url,
    #[serde(default)]
    pub object: Value,
    #[serde(default, deserialize_with = "super::helpers::urls")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<Url>,
    #[serde(default, deserialize_with = "super::helpers::urls")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// `Invite`: whom the invitation is for.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub target: Value,
    /// `Accept` of an `Invite`: what the acceptance produced (a co-signature id).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub result: Value,
    /// `Flag`: the reporter's comment (plain text as Mastodon sends it; anything else is
    /// read as absent).
    #[serde(default, deserialize_with = "super::helpers::lenient_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// `Join` (Mobilizon): the participant's message to the organiser.
    #[serde(default, deserialize_with = "super::helpers::lenient_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participation_message: Option<String>,
}

/// `actor` may be a URL or an embedded actor with an id.
fn actor_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
    let v = Value::deserialize(d)?;
    super::helpers::id_of(&v).ok_or_else(|| serde::de::Error::custom("actor must be a URL"))
}
