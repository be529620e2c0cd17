//! Configuration: defaults, then `--config FILE` (TOML), then `MAILLAGE_…` environment
//! variables. The environment name of a key is `MAILLAGE_` followed by its TOML path in upper
//! case with dots replaced by underscores: `database.url` is `MAILLAGE_DATABASE_URL`,
//! `centre.name` is `MAILLAGE_CENTRE_NAME`, `listen` is `MAILLAGE_LISTEN`.

use serde::Deserialize;
use std::{net::SocketAddr, path::Path};
use url::Url;

/// The whole, validated configuration of one instance.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address the HTTP server binds.
    pub listen: SocketAddr,
    /// Public domain, `host[:port]`; actor and object ids are built from it.
    pub domain: String,
    /// The public base URL, `https://DOMAIN/` (`http://` in development mode).
    pub base_url: Url,
    /// Development mode: plain http and localhost in federation, non-`Secure` cookies.
    pub dev: bool,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Authorized fetch: ActivityPub GETs of objects and collections need an HTTP signature.
    pub authorized_fetch: bool,
    pub centre: CentreConfig,
    pub delivery: DeliveryConfig,
}

/// The centre's identity and profile.
#[derive(Clone, Debug)]
pub struct CentreConfig {
    pub username: String,
    pub name: String,
    pub summary: String,
    pub manually_approves_followers: bool,
    pub website: Option<String>,
    pub territory: Option<String>,
}

/// The delivery worker inside `serve`.
#[derive(Clone, Debug)]
pub struct DeliveryConfig {
    /// Whether `serve` runs the delivery worker.
    pub enabled: bool,
    /// Deliveries sent at once.
    pub concurrency: usize,
    /// Deliveries sent at once to one host.
    pub per_host_concurrency: usize,
    /// Seconds between two scans of the queue when nothing wakes the worker.
    pub poll_interval_secs: u64,
}

/// A configuration error: one line naming the key.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

fn err(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.to_string(),
        message: message.into(),
    }
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: Option<String>,
    domain: Option<String>,
    dev: Option<bool>,
    authorized_fetch: Option<bool>,
    #[serde(default)]
    database: RawDatabase,
    #[serde(default)]
    centre: RawCentre,
    #[serde(default)]
    delivery: RawDelivery,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDatabase {
    url: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCentre {
    username: Option<String>,
    name: Option<String>,
    summary: Option<String>,
    manually_approves_followers: Option<bool>,
    website: Option<String>,
    territory: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDelivery {
    enabled: Option<bool>,
    concurrency: Option<i64>,
    per_host_concurrency: Option<i64>,
    poll_interval_secs: Option<i64>,
}

/// The kind of value a key holds, to convert environment strings.
#[derive(Clone, Copy)]
enum Kind {
    Str,
    Bool,
    Int,
}

/// Every key, with its TOML path. The environment name derives from the path.
const KEYS: &[(&str, Kind)] = &[
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
];

/// The environment variable that overrides the key at `path`.
pub fn env_name(path: &str) -> String {
    format!("MAILLAGE_{}", path.replace('.', "_").to_uppercase())
}

impl Config {
    /// Loads the configuration from an optional file and the process environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let text = match file {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| err("--config", format!("cannot read {}: {e}", path.display())))?,
            None => String::new(),
        };
        Config::from_sources(&text, |name| std::env::var(name).ok())
    }

    /// Builds the configuration from TOML text and an environment lookup (tests pass their
    /// own lookup instead of touching the process environment).
    pub fn from_sources(
        toml_text: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut table: toml::Table = toml_text.parse().map_err(|e: toml::de::Error| {
            let key = e
                .span()
                .and_then(|s| toml_text.get(s))
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|| "--config".into());
            err(&key, one_line(e.message()))
        })?;
        for (path, kind) in KEYS {
            let name = env_name(path);
            let Some(raw) = env(&name) else { continue };
            let value = match kind {
                Kind::Str => toml::Value::String(raw),
                Kind::Bool => match raw.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" | "on" => toml::Value::Boolean(true),
                    "false" | "0" | "no" | "off" => toml::Value::Boolean(false),
                    _ => return Err(err(&name, format!("expected true or false, got {raw:?}"))),
                },
                Kind::Int => toml::Value::Integer(
                    raw.trim()
                        .parse()
                        .map_err(|_| err(&name, format!("expected a whole number, got {raw:?}")))?,
                ),
            };
            set_path(&mut table, path, value);
        }
        check_shape(&table)?;
        let raw: RawConfig = table
            .try_into()
            .map_err(|e: toml::de::Error| err(&key_of(e.message()), one_line(e.message())))?;
        raw.validate()
    }

    /// `http://` in development mode, `https://` otherwise.
    pub fn scheme(&self) -> &'static str {
        if self.dev { "http" } else { "https" }
    }
}

/// Rejects unknown keys and values of the wrong type, naming the key.
fn check_shape(table: &toml::Table) -> Result<(), ConfigError> {
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
        };
        if !ok {
            let expected = match kind {
                Kind::Str => "a string",
                Kind::Bool => "true or false",
                Kind::Int => "a whole number",
            };
            return Err(err(&path, format!("expected {expected}, got {value}")));
        }
    }
    Ok(())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Extracts the field name from a serde message such as "unknown field `foo`".
fn key_of(message: &str) -> String {
    message
        .split('`')
        .nth(1)
        .map(str::to_string)
        .unwrap_or_else(|| "--config".into())
}

fn set_path(table: &mut toml::Table, path: &str, value: toml::Value) {
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

/// `preferredUsername` as Mastodon accepts it: `[a-z0-9_]+([.-]+[a-z0-9_]+)*`.
pub fn valid_username(s: &str) -> bool {
    static RE: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"^[a-z0-9_]+([.-]+[a-z0-9_]+)*$").ok());
    RE.as_ref().is_some_and(|re| re.is_match(s)) && s.len() <= 64
}

/// Whether `domain` is `localhost` or `localhost:PORT`.
pub fn is_localhost(domain: &str) -> bool {
    domain == "localhost" || domain.strip_prefix("localhost:").is_some()
}

impl RawConfig {
    fn validate(self) -> Result<Config, ConfigError> {
        let listen_s = self.listen.unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_s.parse().map_err(|_| {
            err(
                "listen",
                format!("{listen_s:?} is not a socket address (expected e.g. 127.0.0.1:8080)"),
            )
        })?;
        let domain = self.domain.unwrap_or_else(|| "localhost:8080".into());
        let parsed = Url::parse(&format!("http://{domain}/")).ok();
        let authority_ok = parsed.as_ref().is_some_and(|u| {
            let host = u.host_str().unwrap_or_default();
            let rebuilt = match u.port() {
                Some(p) => format!("{host}:{p}"),
                None => host.to_string(),
            };
            rebuilt == domain.to_ascii_lowercase() && u.path() == "/" && !host.is_empty()
        });
        if !authority_ok || domain.contains('/') || domain.contains('@') {
            return Err(err(
                "domain",
                format!("{domain:?} is not host[:port] (e.g. centre.example or localhost:8080)"),
            ));
        }
        let domain = domain.to_ascii_lowercase();
        let dev = self.dev.unwrap_or_else(|| is_localhost(&domain));
        let scheme = if dev { "http" } else { "https" };
        let base_url = Url::parse(&format!("{scheme}://{domain}/"))
            .map_err(|e| err("domain", format!("{domain:?}: {e}")))?;

        let database_url = self
            .database
            .url
            .unwrap_or_else(|| "sqlite://data/maillage.db".into());
        crate::db::Backend::from_url(&database_url)
            .map_err(|e| err("database.url", format!("{database_url:?} {e}")))?;

        let c = self.centre;
        let username = c.username.unwrap_or_else(|| "centre".into());
        if !valid_username(&username) {
            return Err(err(
                "centre.username",
                format!(
                    "{username:?} must be lower-case letters, digits and _, with . or - inside \
                     (at most 64 characters)"
                ),
            ));
        }
        let name = c.name.unwrap_or_else(|| "Centre de ressources".into());
        if name.trim().is_empty() || name.chars().count() > 200 {
            return Err(err("centre.name", "must be 1 to 200 characters"));
        }
        let summary = c.summary.unwrap_or_default();
        if summary.chars().count() > 5000 {
            return Err(err("centre.summary", "must be at most 5000 characters"));
        }
        if let Some(w) = &c.website
            && !matches!(Url::parse(w), Ok(u) if u.scheme() == "https" || u.scheme() == "http")
        {
            return Err(err(
                "centre.website",
                format!("{w:?} is not an http(s) URL"),
            ));
        }

        let d = self.delivery;
        let concurrency = d.concurrency.unwrap_or(16);
        if !(1..=1024).contains(&concurrency) {
            return Err(err("delivery.concurrency", "must be between 1 and 1024"));
        }
        let per_host = d.per_host_concurrency.unwrap_or(4);
        if !(1..=256).contains(&per_host) {
            return Err(err(
                "delivery.per_host_concurrency",
                "must be between 1 and 256",
            ));
        }
        let poll = d.poll_interval_secs.unwrap_or(5);
        if !(1..=3600).contains(&poll) {
            return Err(err(
                "delivery.poll_interval_secs",
                "must be between 1 and 3600",
            ));
        }
        Ok(Config {
            listen,
            domain,
            base_url,
            dev,
            database_url,
            authorized_fetch: self.authorized_fetch.unwrap_or(false),
            centre: CentreConfig {
                username,
                name,
                summary,
                manually_approves_followers: c.manually_approves_followers.unwrap_or(false),
                website: c.website.filter(|w| !w.is_empty()),
                territory: c.territory.filter(|t| !t.is_empty()),
            },
            delivery: DeliveryConfig {
                enabled: d.enabled.unwrap_or(true),
                concurrency: concurrency as usize,
                per_host_concurrency: per_host as usize,
                poll_interval_secs: poll as u64,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(toml: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_sources(toml, |k| env.get(k).cloned())
    }

    #[test]
    fn defaults_run_a_localhost_instance_in_dev_mode() {
        let c = load("", &[]).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.domain, "localhost:8080");
        assert!(c.dev);
        assert_eq!(c.database_url, "sqlite://data/maillage.db");
        assert_eq!(c.base_url.as_str(), "http://localhost:8080/");
    }

    #[test]
    fn a_public_domain_is_not_dev_unless_asked() {
        let c = load("domain = \"centre.example\"", &[]).unwrap();
        assert!(!c.dev);
        assert_eq!(c.base_url.as_str(), "https://centre.example/");
        let c = load("domain = \"centre.example\"\ndev = true", &[]).unwrap();
        assert!(c.dev);
    }

    #[test]
    fn flat_environment_names_override_the_file() {
        let c = load(
            "listen = \"127.0.0.1:1\"\n[centre]\nname = \"Fichier\"",
            &[
                ("MAILLAGE_LISTEN", "127.0.0.1:9000"),
                ("MAILLAGE_DOMAIN", "localhost:9000"),
                ("MAILLAGE_DATABASE_URL", "postgres://postgres@127.0.0.1/x"),
                ("MAILLAGE_CENTRE_USERNAME", "crpv.lyon"),
                ("MAILLAGE_CENTRE_NAME", "Labo Cités"),
                ("MAILLAGE_DEV", "false"),
            ],
        )
        .unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(c.domain, "localhost:9000");
        assert_eq!(c.database_url, "postgres://postgres@127.0.0.1/x");
        assert_eq!(c.centre.username, "crpv.lyon");
        assert_eq!(c.centre.name, "Labo Cités");
        assert!(!c.dev);
        assert_eq!(
            env_name("centre.manually_approves_followers"),
            "MAILLAGE_CENTRE_MANUALLY_APPROVES_FOLLOWERS"
        );
    }

    #[test]
    fn bad_values_name_their_key() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case] = &[
            ("listen = \"nowhere\"", &[], "listen"),
            ("domain = \"https://x.example/\"", &[], "domain"),
            ("[database]\nurl = \"mysql://x\"", &[], "database.url"),
            ("[centre]\nusername = \"Bad Name\"", &[], "centre.username"),
            ("", &[("MAILLAGE_DEV", "perhaps")], "MAILLAGE_DEV"),
            ("colour = \"blue\"", &[], "colour"),
            ("[centre]\nnmae = \"x\"", &[], "nmae"),
            ("dev = \"yes\"", &[], "dev"),
            ("[delivery]\nconcurrency = 0", &[], "delivery.concurrency"),
        ];
        for (toml, env, key) in cases {
            let e = load(toml, env).unwrap_err();
            assert!(
                e.to_string().contains(key) && !e.to_string().contains('\n'),
                "{toml:?}: {e}"
            );
        }
    }

    #[test]
    fn the_example_file_is_valid_and_documents_every_key() {
        let text = include_str!("../config/maillage.example.toml");
        load(text, &[]).unwrap();
        for (path, _) in KEYS {
            let key = path.rsplit('.').next().unwrap_or(path);
            assert!(text.contains(key), "config example misses {path}");
            assert!(
                text.contains(&env_name(path)),
                "config example misses {}",
                env_name(path)
            );
        }
    }
}
