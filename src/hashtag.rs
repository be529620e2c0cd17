//! Hashtags as Mastodon matches them: each keeps the form its author wrote (`#Vélo-Cargo`),
//! and is found by a key that ignores case, accents on Latin letters, and every character
//! that is not a letter, a digit or `_` (`velocargo`). A tag made only of symbols (`#🌱`) is
//! keyed by those symbols rather than dropped.

use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// Longest hashtag we keep, in characters (display form and key).
pub const MAX_LEN: usize = 100;

/// The display form of a tag: text without its leading `#`, spaces collapsed; `None` when
/// empty or too long.
pub fn display(name: &str) -> Option<String> {
    let t = crate::render::sanitize::plain_text(name);
    let t = t.trim().trim_start_matches('#').trim();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty() && t.chars().count() <= MAX_LEN).then_some(t)
}

/// Whether a combining mark after `base` is an accent that ASCII folding removes (Latin
/// letters only: marks matter in other scripts).
fn folds(base: Option<char>) -> bool {
    base.is_some_and(|b| b.is_ascii_alphabetic())
}

/// The key a tag is matched by (stored in `post_tags`, used by tag pages and filters).
pub fn key(tag: &str) -> Option<String> {
    let t = tag.trim().trim_start_matches('#');
    let lower = t.nfkc().collect::<String>().to_lowercase();
    let mut folded = String::with_capacity(lower.len());
    let mut base = None;
    for c in lower.nfd() {
        if is_combining_mark(c) {
            if !folds(base) {
                folded.push(c);
            }
        } else {
            base = Some(c);
            folded.push(c);
        }
    }
    let folded: String = folded.nfc().collect();
    let word: String = folded
        .chars()
        .filter(|c| c.is_alphanumeric() || is_combining_mark(*c) || matches!(c, '_' | '·'))
        .collect();
    let k = if word.chars().any(char::is_alphanumeric) || word.contains('_') {
        word
    } else {
        folded
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control() && *c != '#')
            .collect()
    };
    (!k.is_empty() && k.chars().count() <= MAX_LEN).then_some(k)
}

/// The path of a tag's page, `/tags/KEY` with the key percent-encoded.
pub fn page_path(tag: &str) -> Option<String> {
    let k = key(tag)?;
    Some(format!(
        "/tags/{}",
        url::form_urlencoded::byte_serialize(k.as_bytes()).collect::<String>()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_accents_and_separators() {
        for (tag, k) in [
            ("#Politique-de-la-Ville", "politiquedelaville"),
            ("politique_de_la_ville", "politique_de_la_ville"),
            ("Égalité_Femmes", "egalite_femmes"),
            ("Sans Type", "sanstype"),
            ("Quartiers (QPV)", "quartiersqpv"),
            ("Vélo🚲", "velo"),
            ("🌱", "🌱"),
            ("ＦＵＬＬ", "full"),
            ("한국어", "한국어"),
            ("Straße", "straße"),
        ] {
            assert_eq!(key(tag).as_deref(), Some(k), "{tag}");
        }
        assert_eq!(key("#"), None);
        assert_eq!(key("   "), None);
        assert_eq!(key(&"a".repeat(101)), None);
        for k in ["politiquedelaville", "egalite_femmes", "🌱", "한국어"] {
            assert_eq!(key(k).as_deref(), Some(k), "a key is its own key");
        }
    }

    #[test]
    fn the_display_form_is_kept() {
        assert_eq!(
            display("#Quartiers  (QPV)").as_deref(),
            Some("Quartiers (QPV)")
        );
        assert_eq!(display("<b>#x</b>").as_deref(), Some("x"));
        assert_eq!(display("#"), None);
        assert_eq!(page_path("#🌱").as_deref(), Some("/tags/%F0%9F%8C%B1"));
    }
}
