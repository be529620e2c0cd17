//! The languages of a received post (`content` and `contentMap`). The default text is
//! `content`, in the language of the `contentMap` entry equal to it (or `inLanguage`); without
//! `content`, the first `contentMap` entry in the sender's order. The other entries are kept
//! as translations, in order.

use crate::{language, model::Translation, protocol::object::ObjectJson, render::sanitize};
use serde_json::Value;

/// Most languages we keep of one post.
pub const MAX_LANGUAGES: usize = 20;

/// What a post's text is, by language. `content` is raw (sanitised by the caller).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Texts {
    pub content: String,
    pub language: Option<String>,
    pub translations: Vec<Translation>,
}

/// The `contentMap` entries with a valid language tag and a string value, in order.
fn entries(o: &ObjectJson) -> Vec<(String, &str)> {
    let Some(map) = &o.content_map else {
        return Vec::new();
    };
    let mut out: Vec<(String, &str)> = Vec::new();
    for (lang, v) in map {
        match (language::tag(lang), v) {
            (Some(l), Value::String(s)) if !out.iter().any(|(k, _)| *k == l) => {
                out.push((l, s.as_str()))
            }
            (Some(_), Value::String(_)) => {}
            _ => {
                tracing::info!(object = %o.id, lang, "contentMap entry not kept: not a language tag with text")
            }
        }
    }
    out
}

/// Reads the texts of `o`.
pub fn of(o: &ObjectJson) -> Texts {
    let mut entries = entries(o);
    let (content, language) = match &o.content {
        Some(c) => {
            let lang = match entries.iter().position(|(_, s)| s == c) {
                Some(i) => Some(entries.remove(i).0),
                None => o.in_language.as_deref().and_then(language::tag),
            };
            (c.clone(), lang)
        }
        None if !entries.is_empty() => {
            let (l, s) = entries.remove(0);
            (s.to_string(), Some(l))
        }
        None => (
            String::new(),
            o.in_language.as_deref().and_then(language::tag),
        ),
    };
    if entries.len() > MAX_LANGUAGES {
        tracing::info!(object = %o.id, "contentMap over {MAX_LANGUAGES} languages: the rest not kept");
    }
    let translations = entries
        .into_iter()
        .filter(|(l, _)| Some(l) != language.as_ref())
        .take(MAX_LANGUAGES)
        .map(|(lang, s)| Translation {
            lang,
            content: sanitize::html(s),
        })
        .collect();
    Texts {
        content,
        language,
        translations,
    }
}
