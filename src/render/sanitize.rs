//! HTML from staff and from other servers is untrusted: it is cleaned to a strict allow-list
//! before it is stored or shown.

use std::collections::HashSet;

fn builder() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::empty();
    b.add_tags([
        "p",
        "br",
        "a",
        "span",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "s",
        "del",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "h2",
        "h3",
        "h4",
    ])
    .add_tag_attributes("a", ["href"])
    .url_schemes(HashSet::from(["http", "https", "mailto"]))
    .link_rel(Some("nofollow noopener noreferrer"));
    b
}

/// Cleans untrusted HTML to the allow-list (no script, style, event handlers or
/// `javascript:` URLs).
pub fn html(input: &str) -> String {
    builder().clean(input).to_string()
}

/// Text with every tag removed, entities decoded, and control characters dropped.
pub fn plain_text(input: &str) -> String {
    let stripped = ammonia::Builder::empty().clean(input).to_string();
    unescape(&stripped)
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .trim()
        .to_string()
}

/// Turns staff input into safe HTML: HTML is cleaned; plain text is escaped, with blank lines
/// as paragraphs and single newlines as line breaks.
pub fn staff_content(input: &str) -> String {
    if input.contains('<') && input.contains('>') {
        return html(input);
    }
    input
        .replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
        .collect()
}

/// Markdown → HTML (CommonMark with tables and strikethrough). The result still goes through
/// the sanitiser before it is stored.
pub fn markdown(source: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TABLES);
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(source, options));
    out.trim_end().to_string()
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_html_is_neutralised() {
        let dirty = r#"<p onclick="x()">Hi<script>alert(1)</script><style>p{}</style>
            <a href="javascript:alert(1)">a</a><a href="https://ok.example/">b</a>
            <img src=x onerror=alert(1)></p>"#;
        let clean = html(dirty);
        for bad in [
            "script",
            "style",
            "onclick",
            "javascript:",
            "onerror",
            "<img",
        ] {
            assert!(!clean.contains(bad), "{bad} survived: {clean}");
        }
        assert!(clean.contains(r#"href="https://ok.example/""#));
        assert!(clean.contains("nofollow"));
    }

    #[test]
    fn plain_text_from_staff_becomes_paragraphs() {
        assert_eq!(
            staff_content("Bonjour & bienvenue\nà tous\n\nSuite"),
            "<p>Bonjour &amp; bienvenue<br>à tous</p><p>Suite</p>"
        );
    }

    #[test]
    fn plain_text_strips_tags_and_keeps_characters() {
        assert_eq!(plain_text("<b>Labo</b> Cités & co"), "Labo Cités & co");
    }
}
