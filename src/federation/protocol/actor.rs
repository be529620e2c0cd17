//! The actor document: ours (an `Organization`) and the ones we accept (any actor type).

use super::helpers;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyJson {
    pub id: String,
    pub owner: Url,
    pub public_key_pem: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    #[serde(default, deserialize_with = "helpers::first_url")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_inbox: Option<Url>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorJson {
    #[serde(rename = "type", deserialize_with = "super::helpers::kind")]
    pub kind: String,
    pub id: Url,
    #[serde(default, deserialize_with = "helpers::lenient_string")]
    pub preferred_username: Option<String>,
    #[serde(default, deserialize_with = "helpers::lenient_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "helpers::lenient_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "helpers::first_url")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Url>,
    #[serde(default, deserialize_with = "helpers::first_url")]
    pub inbox: Option<Url>,
    #[serde(default, deserialize_with = "helpers::first_url")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbox: Option<Url>,
    #[serde(default, deserialize_with = "helpers::first_url")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followers: Option<Url>,
    #[serde(default, deserialize_with = "helpers::first_url")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub following: Option<Url>,
    #[serde(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    pub public_key: PublicKeyJson,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Value>,
    #[serde(default, deserialize_with = "helpers::lenient_bool")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manually_approves_followers: Option<bool>,
    #[serde(default, deserialize_with = "helpers::lenient_bool")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discoverable: Option<bool>,
    #[serde(default, deserialize_with = "helpers::lenient_bool")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexable: Option<bool>,
    #[serde(default, deserialize_with = "helpers::lenient_time")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default, deserialize_with = "helpers::values")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachment: Vec<Value>,
}

impl ActorJson {
    /// The shared inbox if the actor has one, its inbox otherwise.
    pub fn delivery_inbox(&self) -> Option<&Url> {
        self.endpoints
            .as_ref()
            .and_then(|e| e.shared_inbox.as_ref())
            .or(self.inbox.as_ref())
    }
}
