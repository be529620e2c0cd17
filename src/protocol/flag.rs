//! `Flag` (a report), as Mastodon sends it: `object` is one id or a list of them (ids, or
//! objects with an id), `content` the reporter's comment in plain text.

use super::helpers::id_of;
use serde_json::Value;
use url::Url;

/// Objects a received `Flag` may name, at most (Mastodon names the account and a few posts).
pub const MAX_OBJECTS: usize = 100;
/// Characters of a report's comment that we keep (and that we send), at most.
pub const MAX_COMMENT: usize = 5_000;

/// The ids `object` names, in order and without repeats; entries that are not URLs are
/// skipped. `Err(n)` when it lists `n` entries, more than [`MAX_OBJECTS`].
pub fn objects(object: &Value) -> Result<Vec<Url>, usize> {
    let entries: Vec<&Value> = match object {
        Value::Array(items) if items.len() > MAX_OBJECTS => return Err(items.len()),
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    };
    let mut ids: Vec<Url> = Vec::with_capacity(entries.len());
    for id in entries.into_iter().filter_map(id_of) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_or_many_objects_are_read_and_bounded() {
        let one = objects(&json!("https://a.example/u/x")).unwrap();
        assert_eq!(one.len(), 1);
        let many = objects(&json!([
            "https://a.example/u/x",
            {"id": "https://a.example/posts/1", "type": "Note"},
            "https://a.example/u/x",
            "not a url",
            42
        ]))
        .unwrap();
        assert_eq!(
            many.iter().map(Url::as_str).collect::<Vec<_>>(),
            ["https://a.example/u/x", "https://a.example/posts/1"]
        );
        assert!(objects(&Value::Null).unwrap().is_empty());
        let too_many: Vec<String> = (0..=MAX_OBJECTS)
            .map(|i| format!("https://a.example/posts/{i}"))
            .collect();
        assert_eq!(objects(&json!(too_many)), Err(MAX_OBJECTS + 1));
    }
}
