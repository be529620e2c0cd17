//! Turning the raw, merged configuration into a checked [`Config`], with one error per bad
//! key.

use super::*;

impl RawConfig {
    pub(super) fn validate(self) -> Result<Config, ConfigError> {
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
        let concurrency = d.concurrency.unwrap_or(256);
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
        let mut trusted_proxies = Vec::new();
        for p in self.http.trusted_proxies.unwrap_or_default() {
            trusted_proxies.push(ip_range::IpRange::parse(&p).ok_or_else(|| {
                err(
                    "http.trusted_proxies",
                    format!("{p:?} is not an IP address or a CIDR range (e.g. 10.0.0.0/8)"),
                )
            })?);
        }
        let f = self.federation;
        let mode = match f.mode.as_deref().map(str::trim) {
            None | Some("open") => super::FederationMode::Open,
            Some("allowlist") => super::FederationMode::Allowlist,
            Some(other) => {
                return Err(err(
                    "federation.mode",
                    format!("{other:?} is not a mode (\"open\" or \"allowlist\")"),
                ));
            }
        };
        let rate = f.rate_limit_per_second.unwrap_or(0);
        if !(0..=1_000_000).contains(&rate) {
            return Err(err(
                "federation.rate_limit_per_second",
                "must be between 0 (no limit) and 1000000",
            ));
        }
        let burst = f.rate_limit_burst.unwrap_or((rate * 10).max(1));
        if !(1..=10_000_000).contains(&burst) {
            return Err(err(
                "federation.rate_limit_burst",
                "must be between 1 and 10000000",
            ));
        }
        let m = self.metrics;
        let metrics_token = m
            .token
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        if let Some(t) = &metrics_token
            && (t.chars().count() < 16 || t.chars().any(|c| c.is_control() || c == ' '))
        {
            return Err(err(
                "metrics.token",
                "must be at least 16 characters, without spaces",
            ));
        }
        let metrics_listen = match m.listen.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            None => None,
            Some(l) => Some(l.parse::<SocketAddr>().map_err(|_| {
                err(
                    "metrics.listen",
                    format!("{l:?} is not an address and port (e.g. 127.0.0.1:9100)"),
                )
            })?),
        };
        if metrics_listen == Some(listen) {
            return Err(err(
                "metrics.listen",
                "must differ from listen (it is a second, private listener)",
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
            http: HttpConfig { trusted_proxies },
            metrics: super::MetricsConfig {
                token: metrics_token,
                listen: metrics_listen,
            },
            federation: super::FederationConfig {
                mode,
                rate_limit_per_second: rate as u32,
                rate_limit_burst: burst as u32,
            },
        })
    }
}
