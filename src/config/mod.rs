//! Configuration: defaults, then `--config FILE` (TOML), then `MAILLAGE_…` environment
//! variables. The environment name of a key is `MAILLAGE_` followed by its TOML path in upper
//! case with dots replaced by underscores: `database.url` is `MAILLAGE_DATABASE_URL`,
//! `centre.name` is `MAILLAGE_CENTRE_NAME`, `listen` is `MAILLAGE_LISTEN`.

use std::{net::SocketAddr, path::Path};
use url::Url;

mod ip_range;
mod sources;
#[cfg(test)]
mod tests;
mod validate;

pub use ip_range::IpRange;
use sources::{KEYS, Kind, RawConfig, check_shape, key_of, one_line, set_path};
pub use sources::{env_name, unknown_variables};

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
    pub http: HttpConfig,
    pub federation: FederationConfig,
    pub metrics: MetricsConfig,
}

/// Who may read `/metrics`: nobody on the public listener unless a token is set; everyone
/// who reaches `metrics.listen` (and shows the token, if one is set).
#[derive(Clone, Debug, Default)]
pub struct MetricsConfig {
    /// `Authorization: Bearer TOKEN` required (at least 16 characters).
    pub token: Option<String>,
    /// A separate address serving only `/metrics` (then it is not on the main listener).
    pub listen: Option<SocketAddr>,
}

/// Who may federate with us, and how fast.
#[derive(Clone, Debug)]
pub struct FederationConfig {
    pub mode: FederationMode,
    /// Inbox POSTs and signed fetches accepted per second from one remote host (0: no limit).
    pub rate_limit_per_second: u32,
    /// How many of them a host may send at once above that rate.
    pub rate_limit_burst: u32,
}

/// `federation.mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FederationMode {
    /// Everyone but the blocked domains.
    Open,
    /// Only the allowed domains (and never a blocked one).
    Allowlist,
}

/// The HTTP front: which peers are reverse proxies whose `X-Forwarded-For` we believe.
#[derive(Clone, Debug, Default)]
pub struct HttpConfig {
    /// Addresses or CIDR ranges of trusted reverse proxies (none by default: the TCP peer is
    /// the client).
    pub trusted_proxies: Vec<ip_range::IpRange>,
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
                .filter(|k| !k.is_empty() && !k.contains(char::is_whitespace))
                .unwrap_or_else(|| "--config".into());
            let at = e.span().map(|s| {
                let before = toml_text.get(..s.start).unwrap_or(toml_text);
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!(" (line {line}, column {column})")
            });
            err(
                &key,
                format!("{}{}", one_line(e.message()), at.unwrap_or_default()),
            )
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
                Kind::List => toml::Value::Array(
                    raw.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| toml::Value::String(s.to_string()))
                        .collect(),
                ),
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
