//! Message catalogues (Fluent), French by default and English. Templates never hold
//! user-facing strings: they ask [`Tr::get`] for them.

use fluent_bundle::{FluentArgs, FluentResource, concurrent::FluentBundle};
use std::collections::BTreeSet;

/// A language the interface speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().get(..2) {
            Some("fr") => Some(Lang::Fr),
            Some("en") => Some(Lang::En),
            _ => None,
        }
    }

    /// The language for a request: an explicit choice (the `lang` cookie or query), else the
    /// first supported language of `Accept-Language` by preference, else French.
    pub fn negotiate(choice: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(l) = choice.and_then(Lang::parse) {
            return l;
        }
        let mut prefs: Vec<(f32, Lang)> = accept_language
            .unwrap_or("")
            .split(',')
            .filter_map(|part| {
                let mut it = part.split(';');
                let lang = Lang::parse(it.next()?)?;
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
                    .unwrap_or(1.0);
                Some((q, lang))
            })
            .collect();
        prefs.sort_by(|a, b| b.0.total_cmp(&a.0));
        prefs.first().map_or(Lang::Fr, |p| p.1)
    }
}

const FR: &str = include_str!("../i18n/fr.ftl");
const EN: &str = include_str!("../i18n/en.ftl");

pub struct Catalogs {
    fr: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(lang: &str, source: &str) -> anyhow::Result<FluentBundle<FluentResource>> {
    let resource = FluentResource::try_new(source.to_string())
        .map_err(|(_, errors)| anyhow::anyhow!("{lang}.ftl: {errors:?}"))?;
    let id: unic_langid::LanguageIdentifier = lang.parse()?;
    let mut b = FluentBundle::new_concurrent(vec![id]);
    b.set_use_isolating(false);
    b.add_resource(resource)
        .map_err(|errors| anyhow::anyhow!("{lang}.ftl: {errors:?}"))?;
    Ok(b)
}

impl Catalogs {
    pub fn load() -> anyhow::Result<Catalogs> {
        Ok(Catalogs {
            fr: bundle("fr", FR)?,
            en: bundle("en", EN)?,
        })
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }

    /// The message `key` in `lang`, with `args`. A missing key shows the key itself.
    pub fn message(&self, lang: Lang, key: &str, args: &[(&str, String)]) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, lang = lang.code(), "missing message");
            return key.to_string();
        };
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            fargs.set(*k, v.clone());
        }
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, Some(&fargs), &mut errors)
            .into_owned()
    }

    /// The message `key` in `lang` with one number, so that plural rules apply.
    pub fn message_count(&self, lang: Lang, key: &str, name: &str, n: i64) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, lang = lang.code(), "missing message");
            return key.to_string();
        };
        let mut fargs = FluentArgs::new();
        fargs.set(name, fluent_bundle::FluentValue::from(n));
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, Some(&fargs), &mut errors)
            .into_owned()
    }

    /// The keys of a catalogue (for tests).
    pub fn keys(lang: Lang) -> BTreeSet<String> {
        let source = match lang {
            Lang::Fr => FR,
            Lang::En => EN,
        };
        source
            .lines()
            .filter(|l| !l.starts_with([' ', '#', '\t']) && l.contains(" ="))
            .filter_map(|l| l.split(" =").next().map(|k| k.trim().to_string()))
            .collect()
    }
}

/// The translator handed to templates.
#[derive(Clone, Copy)]
pub struct Tr<'a> {
    pub catalogs: &'a Catalogs,
    pub lang: Lang,
}

impl Tr<'_> {
    pub fn get(&self, key: &str) -> String {
        self.catalogs.message(self.lang, key, &[])
    }

    pub fn with(&self, key: &str, name: &str, value: &str) -> String {
        self.catalogs
            .message(self.lang, key, &[(name, value.to_string())])
    }

    /// A message with a count (`$name`), with the language's plural rules.
    pub fn count(&self, key: &str, name: &str, n: i64) -> String {
        self.catalogs.message_count(self.lang, key, name, n)
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_load_and_have_the_same_keys() {
        let c = Catalogs::load().unwrap();
        assert_eq!(Catalogs::keys(Lang::Fr), Catalogs::keys(Lang::En));
        assert!(Catalogs::keys(Lang::Fr).len() > 50);
        assert_eq!(c.message(Lang::Fr, "nav-calendar", &[]), "Agenda");
        assert_eq!(c.message(Lang::En, "nav-calendar", &[]), "Calendar");
    }

    #[test]
    fn every_key_used_in_a_template_exists() {
        let keys = Catalogs::keys(Lang::Fr);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut stack = vec![std::path::PathBuf::from(dir)];
        let re = regex::Regex::new(r#"t\.(?:get|with)\("([a-z0-9-]+)""#).unwrap();
        let mut used = 0;
        while let Some(p) = stack.pop() {
            for entry in std::fs::read_dir(&p).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for cap in re.captures_iter(&text) {
                    used += 1;
                    assert!(
                        keys.contains(&cap[1]),
                        "{}: {} missing",
                        path.display(),
                        &cap[1]
                    );
                }
            }
        }
        assert!(used > 50);
    }

    #[test]
    fn the_language_follows_the_choice_then_accept_language() {
        assert_eq!(Lang::negotiate(None, None), Lang::Fr);
        assert_eq!(
            Lang::negotiate(None, Some("en-GB,en;q=0.9,fr;q=0.8")),
            Lang::En
        );
        assert_eq!(
            Lang::negotiate(None, Some("de,en;q=0.5,fr;q=0.7")),
            Lang::Fr
        );
        assert_eq!(Lang::negotiate(Some("en"), Some("fr")), Lang::En);
        assert_eq!(Lang::negotiate(Some("xx"), Some("en")), Lang::En);
    }
}
