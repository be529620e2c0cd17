//! Paged `OrderedCollection`s (outbox, followers, following).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

/// The collection itself: its size and a link to its first page.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollection {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Url,
    pub total_items: i64,
    pub first: Url,
}

/// One page of it.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollectionPage {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Url,
    pub part_of: Url,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Url>,
    #[serde(default, deserialize_with = "super::helpers::values")]
    pub ordered_items: Vec<Value>,
}
