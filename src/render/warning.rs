//! Content warnings, as Mastodon understands them: a note's `summary` is a warning, and a post
//! marked `sensitive` without one gets a generic warning. Every view (pages, Atom) shows the
//! warning first and the text behind a closed `<details>`, which needs no script.

/// What hides a post's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// The author's own words (the `summary` of a note).
    Text(String),
    /// Marked sensitive with no words of its own: the caller says "sensitive content".
    Generic,
}

/// The warning of a post of `kind`, or `None` when its text is shown at once. An article's or
/// an event's summary is a summary, not a warning; it hides the text only when `sensitive`.
pub fn of(kind: &str, summary: Option<&str>, sensitive: bool) -> Option<Warning> {
    let summary = summary.map(str::trim).filter(|s| !s.is_empty());
    match (kind, summary) {
        ("Article" | "Event", _) if !sensitive => None,
        ("Article" | "Event", _) => Some(Warning::Generic),
        (_, Some(s)) => Some(Warning::Text(s.to_string())),
        (_, None) if sensitive => Some(Warning::Generic),
        _ => None,
    }
}

impl Warning {
    /// The words shown, with `generic` for a warning without its own.
    pub fn label(&self, generic: &str) -> String {
        match self {
            Warning::Text(s) => s.clone(),
            Warning::Generic => generic.to_string(),
        }
    }
}

/// `html` (already sanitised) behind a closed `<details>` whose summary is `label` (text).
pub fn details(label: &str, html: &str) -> String {
    format!(
        "<details class=\"cw\"><summary>{}</summary>{html}</details>",
        super::sanitize::escape(label)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_summary_is_a_warning_and_an_article_summary_is_not() {
        assert_eq!(
            of("Note", Some("Spoiler"), false),
            Some(Warning::Text("Spoiler".into()))
        );
        assert_eq!(of("Note", Some("  "), true), Some(Warning::Generic));
        assert_eq!(of("Note", None, false), None);
        assert_eq!(of("Article", Some("Résumé"), false), None);
        assert_eq!(of("Article", Some("Résumé"), true), Some(Warning::Generic));
    }

    #[test]
    fn the_label_is_escaped() {
        assert_eq!(
            details("<b>x</b>", "<p>t</p>"),
            "<details class=\"cw\"><summary>&lt;b&gt;x&lt;/b&gt;</summary><p>t</p></details>"
        );
    }
}
