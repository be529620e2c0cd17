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
    /// FEP-521a: the actor's `Multikey`s for object integrity proofs.
    #[serde(default, deserialize_with = "helpers::values")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assertion_method: Vec<Value>,
    /// The other actors this one says it also is (a move's source lists its target here).
    #[serde(default, deserialize_with = "helpers::urls")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_known_as: Vec<Url>,
    /// The actor this one moved to.
    #[serde(default, deserialize_with = "helpers::first_url")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<Url>,
}

/// An Ed25519 `assertionMethod` key of an actor, as we store it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct AssertionKey {
    pub id: String,
    pub multibase: String,
}

impl ActorJson {
    /// The actor's Ed25519 `Multikey`s whose id is on the actor's origin and whose controller
    /// is the actor; others are ignored.
    pub fn assertion_keys(&self) -> Vec<AssertionKey> {
        let same_origin = |id: &str| Url::parse(id).is_ok_and(|u| u.origin() == self.id.origin());
        self.assertion_method
            .iter()
            .filter_map(|k| {
                let kind_ok = match k.get("type") {
                    Some(Value::String(t)) => t == "Multikey",
                    Some(Value::Array(ts)) => ts.iter().any(|t| t == "Multikey"),
                    _ => false,
                };
                let id = k.get("id")?.as_str()?;
                let controller = k.get("controller").and_then(Value::as_str)?;
                let multibase = k.get("publicKeyMultibase")?.as_str()?;
                (kind_ok
                    && same_origin(id)
                    && controller == self.id.as_str()
                    && crate::integrity::multikey::decode(multibase).is_some())
                .then(|| AssertionKey {
                    id: id.to_string(),
                    multibase: multibase.to_string(),
                })
            })
            .take(8)
            .collect()
    }
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
