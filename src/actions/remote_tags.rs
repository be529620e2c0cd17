//! The `tag`s of a received post: hashtags (typed `Hashtag`, `as:Hashtag` or its full IRI, or
//! untyped with a leading `#`) and mentions (`Mention`, or untyped with a leading `@` and an
//! `href`). Custom emoji are not tags we show. Anything else, and any tag we cannot keep, is
//! logged at INFO with the reason.

use crate::{
    hashtag,
    model::Mention,
    protocol::helpers::first_type,
    render::{links::remote_url, sanitize},
};
use serde_json::Value;

/// Most hashtags and most mentions we keep of one post.
pub const MAX_TAGS: usize = 100;

/// What a post's tags give.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tags {
    /// Display forms, one per key, in order.
    pub hashtags: Vec<String>,
    pub mentions: Vec<Mention>,
}

enum Tag {
    Hashtag(String),
    Mention { href: String, name: String },
    Ignored,
}

fn classify(v: &Value, dev: bool) -> Result<Tag, String> {
    if let Some(s) = v.as_str() {
        return match s.trim().starts_with('#') {
            true => Ok(Tag::Hashtag(s.to_string())),
            false => Err(format!("a tag given as the string {s:?}")),
        };
    }
    let name = v.get("name").and_then(Value::as_str).unwrap_or("").trim();
    let href = v.get("href").and_then(Value::as_str);
    let kind = first_type(v);
    match kind.as_deref() {
        Some("Hashtag") => Ok(Tag::Hashtag(name.to_string())),
        Some("Mention") => {
            let href = href.ok_or("a mention without href")?;
            let href = remote_url(href, dev).ok_or_else(|| format!("mention href {href:?}"))?;
            Ok(Tag::Mention {
                href: href.to_string(),
                name: sanitize::plain_text(name),
            })
        }
        Some("Emoji") => Ok(Tag::Ignored),
        None if name.starts_with('#') => Ok(Tag::Hashtag(name.to_string())),
        None if name.starts_with('@') && href.is_some() => classify(
            &serde_json::json!({"type": "Mention", "name": name, "href": href}),
            dev,
        ),
        None => Err(format!("an untyped tag named {name:?}")),
        Some(other) => Err(format!("a tag of type {other}")),
    }
}

/// Reads `tags`, logging (INFO) every one not kept with why.
pub fn of(object_id: &str, tags: &[Value], dev: bool) -> Tags {
    let mut out = Tags::default();
    let mut keys: Vec<String> = Vec::new();
    for (i, v) in tags.iter().enumerate() {
        match classify(v, dev) {
            Ok(Tag::Hashtag(name)) => {
                let Some((display, key)) =
                    hashtag::display(&name).and_then(|d| Some((d, hashtag::key(&name)?)))
                else {
                    tracing::info!(
                        object = object_id,
                        index = i,
                        name,
                        "hashtag not kept: empty or over 100 characters"
                    );
                    continue;
                };
                if keys.contains(&key) {
                    continue;
                }
                if out.hashtags.len() == MAX_TAGS {
                    tracing::info!(
                        object = object_id,
                        index = i,
                        "hashtag over the limit of {MAX_TAGS}, not kept"
                    );
                    continue;
                }
                keys.push(key);
                out.hashtags.push(display);
            }
            Ok(Tag::Mention { href, name }) => {
                if out.mentions.len() == MAX_TAGS || out.mentions.iter().any(|m| m.href == href) {
                    continue;
                }
                let name = if name.is_empty() { href.clone() } else { name };
                out.mentions.push(Mention { href, name });
            }
            Ok(Tag::Ignored) => {}
            Err(why) => tracing::info!(object = object_id, index = i, %why, "tag not kept"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_typing_of_a_hashtag_is_read_and_duplicates_by_key_merge() {
        let got = of(
            "x",
            &[
                json!({"type": "Hashtag", "name": "#Vélo-Cargo"}),
                json!({"type": "as:Hashtag", "name": "#Logement"}),
                json!({"type": ["Hashtag"], "name": "Quartiers (QPV)"}),
                json!({"name": "#Sans type"}),
                json!("#chaîne"),
                json!({"type": "Hashtag", "name": "#velocargo"}),
                json!({"type": "Emoji", "name": ":blob:"}),
                json!({"name": "rien"}),
            ],
            false,
        );
        assert_eq!(
            got.hashtags,
            [
                "Vélo-Cargo",
                "Logement",
                "Quartiers (QPV)",
                "Sans type",
                "chaîne"
            ]
        );
    }

    #[test]
    fn mentions_keep_only_web_links() {
        let got = of(
            "x",
            &[
                json!({"type": "Mention", "href": "https://a.example/u/x", "name": "@x@a.example"}),
                json!({"name": "@y", "href": "https://a.example/u/y"}),
                json!({"type": "Mention", "href": "javascript:alert(1)", "name": "@js"}),
                json!({"type": "Mention", "href": "data:text/html,x", "name": "@d"}),
                json!({"type": "Mention", "href": "/u/rel", "name": "@rel"}),
                json!({"type": "Mention", "href": "http://a.example/u/z", "name": "@z"}),
                json!({"type": "Mention", "name": "@nohref"}),
            ],
            false,
        );
        let hrefs: Vec<&str> = got.mentions.iter().map(|m| m.href.as_str()).collect();
        assert_eq!(hrefs, ["https://a.example/u/x", "https://a.example/u/y"]);
        assert_eq!(got.mentions[0].name, "@x@a.example");
    }
}
