//! The raw shape of the configuration: every key with its kind, the TOML sections, and the
//! merging of environment variables into the file.

use super::{ConfigError, err};
use serde::Deserialize;

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub(super) listen: Option<String>,
    pub(super) domain: Option<String>,
    pub(super) dev: Option<bool>,
    pub(super) authorized_fetch: Option<bool>,
    #[serde(default)]
    pub(super) database: RawDatabase,
    #[serde(default)]
    pub(super) centre: RawCentre,
    #[serde(default)]
    pub(super) delivery: RawDelivery,
    #[serde(default)]
    pub(super) http: RawHttp,
    #[serde(default)]
    pub(super) federation: RawFederation,
    #[serde(default)]
    pub(super) metrics: RawMetrics,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMetrics {
    pub(super) token: Option<String>,
    pub(super) listen: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDatabase {
    pub(super) url: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCentre {
    pub(super) username: Option<String>,
    pub(super) name: Option<String>,
    pub(super) summary: Option<String>,
    pub(super) manually_approves_followers: Option<bool>,
    pub(super) website: Option<String>,
    pub(super) territory: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDelivery {
    pub(super) enabled: Option<bool>,
    pub(super) concurrency: Option<i64>,
    pub(super) per_host_concurrency: Option<i64>,
    pub(super) poll_interval_secs: Option<i64>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFederation {
    pub(super) mode: Option<String>,
    pub(super) rate_limit_per_second: Option<i64>,
    pub(super) rate_limit_burst: Option<i64>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHttp {
    pub(super) trusted_proxies: Option<Vec<String>>,
}

/// The kind of value a key holds, to convert environment strings.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    Str,
    Bool,
    Int,
    /// A list of strings; in the environment, separated by commas.
    List,
}

/// Every key, with its TOML path. The environment name derives from the path.
pub(super) const KEYS: &[(&str, Kind)] = &[
    ("listen", Kind::Str),
    ("domain", Kind::Str),
    ("dev", Kind::Bool),
    ("authorized_fetch", Kind::Bool),
    ("database.url", Kind::Str),
    ("centre.username", Kind::Str),
    ("centre.name", Kind::Str),
    ("centre.summary", Kind::Str),
    ("centre.manually_approves_followers", Kind::Bool),
    ("centre.website", Kind::Str),
    ("centre.territory", Kind::Str),
    ("delivery.enabled", Kind::Bool),
    ("delivery.concurrency", Kind::Int),
    ("delivery.per_host_concurrency", Kind::Int),
    ("delivery.poll_interval_secs", Kind::Int),
    ("http.trusted_proxies", Kind::List),
    ("federation.mode", Kind::Str),
    ("federation.rate_limit_per_second", Kind::Int),
    ("federation.rate_limit_burst", Kind::Int),
    ("metrics.token", Kind::Str),
    ("metrics.listen", Kind::Str),
];

/// Variables read outside the configuration (logging, tests, benchmarks).
const OTHER_VARIABLES: &[&str] = &["MAILLAGE_LOG", "MAILLAGE_TEST_POSTGRES"];

/// A warning for every `MAILLAGE_…` variable among `names` that no setting reads (a typo is
/// otherwise silently ignored), with the closest known name.
pub fn unknown_variables(names: impl Iterator<Item = String>) -> Vec<String> {
    let known: Vec<String> = KEYS
        .iter()
        .map(|(p, _)| env_name(p))
        .chain(OTHER_VARIABLES.iter().map(|v| v.to_string()))
        .collect();
    let mut out: Vec<String> = names
        .filter(|n| n.starts_with("MAILLAGE_") && !n.starts_with("MAILLAGE_BENCH_"))
        .filter(|n| !known.contains(n))
        .map(|n| {
            let closest = known.iter().min_by_key(|k| distance(&n, k));
            match closest {
                Some(k) if distance(&n, k) <= 3 => {
                    format!("{n} is not a Maillage setting and is ignored (did you mean {k}?)")
                }
                _ => format!("{n} is not a Maillage setting and is ignored"),
            }
        })
        .collect();
    out.sort();
    out
}

/// Levenshtein distance (names are short).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The environment variable that overrides the key at `path`.
pub fn env_name(path: &str) -> String {
    format!("MAILLAGE_{}", path.replace('.', "_").to_uppercase())
}

/// Rejects unknown keys and values of the wrong type, naming the key.
pub(super) fn check_shape(table: &toml::Table) -> Result<(), ConfigError> {
    let kind_of = |path: &str| KEYS.iter().find(|(p, _)| *p == path).map(|(_, k)| *k);
    let sections: Vec<&str> = KEYS
        .iter()
        .filter_map(|(p, _)| p.split_once('.').map(|s| s.0))
        .collect();
    let mut entries: Vec<(String, &toml::Value)> = Vec::new();
    for (key, value) in table {
        match value {
            toml::Value::Table(t) if sections.contains(&key.as_str()) => {
                entries.extend(t.iter().map(|(k, v)| (format!("{key}.{k}"), v)));
            }
            v => entries.push((key.clone(), v)),
        }
    }
    for (path, value) in entries {
        let Some(kind) = kind_of(&path) else {
            return Err(err(&path, "unknown key (see config/maillage.example.toml)"));
        };
        let ok = match kind {
            Kind::Str => value.is_str(),
            Kind::Bool => value.is_bool(),
            Kind::Int => value.is_integer(),
            Kind::List => value
                .as_array()
                .is_some_and(|items| items.iter().all(toml::Value::is_str)),
        };
        if !ok {
            let expected = match kind {
                Kind::Str => "a string",
                Kind::Bool => "true or false",
                Kind::Int => "a whole number",
                Kind::List => "a list of strings",
            };
            return Err(err(&path, format!("expected {expected}, got {value}")));
        }
    }
    Ok(())
}

pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Extracts the field name from a serde message such as "unknown field `foo`".
pub(super) fn key_of(message: &str) -> String {
    message
        .split('`')
        .nth(1)
        .map(str::to_string)
        .unwrap_or_else(|| "--config".into())
}

pub(super) fn set_path(table: &mut toml::Table, path: &str, value: toml::Value) {
    match path.split_once('.') {
        None => {
            table.insert(path.to_string(), value);
        }
        Some((section, key)) => {
            let entry = table
                .entry(section.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !entry.is_table() {
                *entry = toml::Value::Table(toml::Table::new());
            }
            if let toml::Value::Table(t) = entry {
                t.insert(key.to_string(), value);
            }
        }
    }
}
