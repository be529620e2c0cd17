//! Languages of content: BCP 47 tags as senders write them (`fr`, `de-CH`, `zh-Hant`), and
//! the choice of a post's text for a reader: the reader's languages in their order, then the
//! post's default text.

/// `tag` cleaned (`_` as `-`, primary subtag in lower case) if it looks like a BCP 47 tag:
/// a primary subtag of 2 to 8 letters, then subtags of 1 to 8 letters or digits.
pub fn tag(tag: &str) -> Option<String> {
    let t = tag.trim().replace('_', "-");
    let mut parts = t.split('-');
    let primary = parts.next()?.to_ascii_lowercase();
    let primary_ok =
        (2..=8).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
    let rest: Vec<&str> = parts.collect();
    let rest_ok = rest
        .iter()
        .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    (primary_ok && rest_ok && t.len() <= 35).then(|| {
        std::iter::once(primary.as_str())
            .chain(rest.iter().copied())
            .collect::<Vec<_>>()
            .join("-")
    })
}

fn primary(tag: &str) -> &str {
    tag.split('-').next().unwrap_or(tag)
}

/// Which of `available` (language tags, `None` for text of unknown language; the first is the
/// default) a reader with `readers` (their languages by preference) gets: for each reader
/// language an exact match, else one with the same primary language; else the default (0).
pub fn pick(readers: &[String], available: &[Option<&str>]) -> usize {
    for r in readers {
        let exact = available
            .iter()
            .position(|a| a.is_some_and(|a| a.eq_ignore_ascii_case(r)));
        let same = || {
            available
                .iter()
                .position(|a| a.is_some_and(|a| primary(a).eq_ignore_ascii_case(primary(r))))
        };
        if let Some(i) = exact.or_else(same) {
            return i;
        }
    }
    0
}

/// The languages of an `Accept-Language` header, most wanted first (`q=0` and `*` left out).
pub fn accepted(header: Option<&str>) -> Vec<String> {
    let mut prefs: Vec<(f32, String)> = header
        .unwrap_or("")
        .split(',')
        .filter_map(|part| {
            let mut it = part.split(';');
            let lang = tag(it.next()?)?;
            let q = it
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
                .unwrap_or(1.0);
            (q > 0.0).then_some((q, lang))
        })
        .collect();
    prefs.sort_by(|a, b| b.0.total_cmp(&a.0));
    prefs.into_iter().map(|(_, l)| l).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_checked_and_cleaned() {
        assert_eq!(tag("FR").as_deref(), Some("fr"));
        assert_eq!(tag("de_CH").as_deref(), Some("de-CH"));
        assert_eq!(tag("zh-Hant-TW").as_deref(), Some("zh-Hant-TW"));
        for bad in [
            "",
            "x",
            "fr-",
            "<script>",
            "en\"",
            "123",
            "und-verylongsubtag",
        ] {
            assert_eq!(tag(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_reader_languages_come_first_then_the_default() {
        let available = [Some("en"), Some("de"), Some("fr-FR")];
        let r = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(pick(&r(&["de-CH", "en"]), &available), 1);
        assert_eq!(pick(&r(&["fr"]), &available), 2);
        assert_eq!(pick(&r(&["ja", "de"]), &available), 1);
        assert_eq!(pick(&r(&["ja"]), &available), 0);
        assert_eq!(pick(&[], &available), 0);
        assert_eq!(pick(&r(&["fr"]), &[None, Some("fr")]), 1);
    }

    #[test]
    fn accept_language_is_ordered_by_quality() {
        assert_eq!(
            accepted(Some("pt;q=0.2, fr;q=0.8, *;q=0.1, de;q=0, en")),
            ["en", "fr", "pt"]
        );
        assert!(accepted(None).is_empty());
    }
}
