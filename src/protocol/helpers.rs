//! Lenient deserialisers for values other servers send in several shapes.

use serde::{Deserialize, Deserializer};
use serde_json::Value;
use url::Url;

/// The id of a JSON value that is either a URL string or an object with an `id` (or a Link
/// with an `href`).
pub fn id_of(v: &Value) -> Option<Url> {
    match v {
        Value::String(s) => match s.as_str() {
            "Public" | "as:Public" => Url::parse(crate::protocol::PUBLIC).ok(),
            s => Url::parse(s).ok(),
        },
        Value::Object(m) => m
            .get("id")
            .or_else(|| m.get("href"))
            .and_then(Value::as_str)
            .and_then(|s| Url::parse(s).ok()),
        _ => None,
    }
}

/// Accepts null, one value or many, each a URL or an object with an id; skips entries that
/// are not URLs rather than rejecting the whole document.
pub fn urls<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Url>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter_map(id_of).collect(),
        Some(other) => id_of(&other).into_iter().collect(),
    })
}

/// Accepts null, one value or many, as raw JSON values.
pub fn values<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => vec![other],
    })
}

/// A URL given as a string, a Link object or an array of those: the first usable one.
pub fn first_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    Ok(urls(d)?.into_iter().next())
}

/// An optional timestamp that tolerates null and unparseable values (they become `None`).
pub fn lenient_time<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(v.as_ref()
        .and_then(Value::as_str)
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok()))
}

/// An optional string that tolerates null and non-string values.
pub fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        Some(Value::String(s)) => Some(s),
        _ => None,
    })
}

/// An optional boolean that tolerates null and non-boolean values.
pub fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(v.as_ref().and_then(Value::as_bool))
}

/// `type` as a string or an array of strings (Mastodon sends `["Person", "vcard:individual"]`):
/// the first string.
pub fn kind<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = Value::deserialize(d)?;
    let first = match &v {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => items.iter().find_map(|i| i.as_str().map(str::to_string)),
        _ => None,
    };
    first.ok_or_else(|| serde::de::Error::custom("type must be a string or an array of strings"))
}

/// The `type` of a JSON object (a string, or the first string of an array), with any `as:`
/// prefix or ActivityStreams IRI prefix removed (`as:Hashtag` is `Hashtag`).
pub fn first_type(v: &Value) -> Option<String> {
    let t = match v.get("type")? {
        Value::String(s) => s.as_str(),
        Value::Array(items) => items.iter().find_map(Value::as_str)?,
        _ => return None,
    };
    let t = t
        .strip_prefix("https://www.w3.org/ns/activitystreams#")
        .or_else(|| t.strip_prefix("as:"))
        .unwrap_or(t);
    Some(t.to_string())
}

/// An optional integer that tolerates null, floats and numeric strings.
pub fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        Some(Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}
