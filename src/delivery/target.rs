//! Where the worker may send. Every inbox we store shares its actor's origin; before each
//! send the worker checks the target once more: `https` (or `http` in development mode), a
//! host name rather than an IP literal, and no loopback or local-network name. Outside
//! development mode the HTTP client's resolver also refuses any host name that resolves to a
//! loopback, private or link-local address, so a public name pointing inside is caught too.

use url::{Host, Url};

/// Why a target is refused, or `Ok`.
pub fn check(target: &Url, dev: bool) -> Result<(), String> {
    match target.scheme() {
        "https" => {}
        "http" if dev => {}
        other => return Err(format!("refused target {target}: scheme {other}")),
    }
    if dev {
        return target
            .host()
            .map(|_| ())
            .ok_or_else(|| format!("refused target {target}: no host"));
    }
    match target.host() {
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            let local = d == "localhost"
                || [".localhost", ".local", ".internal", ".home.arpa", ".lan"]
                    .iter()
                    .any(|s| d.ends_with(s))
                || !d.contains('.');
            if local {
                Err(format!("refused target {target}: a local host name"))
            } else {
                Ok(())
            }
        }
        Some(Host::Ipv4(_)) | Some(Host::Ipv6(_)) => Err(format!(
            "refused target {target}: an IP address, not a host name"
        )),
        None => Err(format!("refused target {target}: no host")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_str(s: &str, dev: bool) -> Result<(), String> {
        check(&Url::parse(s).unwrap(), dev)
    }

    #[test]
    fn outside_dev_mode_only_public_https_host_names_are_targets() {
        for bad in [
            "http://centre.example/inbox",
            "https://127.0.0.1/inbox",
            "https://127.0.0.1:8080/internal-admin",
            "https://10.0.0.7/inbox",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/inbox",
            "https://[fd00::1]/inbox",
            "https://localhost/inbox",
            "https://LOCALHOST./inbox",
            "https://admin.localhost/inbox",
            "https://printer.local/inbox",
            "https://intranet/inbox",
            "ftp://centre.example/inbox",
        ] {
            assert!(check_str(bad, false).is_err(), "{bad}");
        }
        assert_eq!(check_str("https://centre.example/inbox", false), Ok(()));
    }

    #[test]
    fn development_mode_allows_http_and_loopback_only() {
        assert_eq!(check_str("http://localhost:8080/inbox", true), Ok(()));
        assert_eq!(check_str("http://127.0.0.1:8080/inbox", true), Ok(()));
        assert!(check_str("ftp://localhost/x", true).is_err());
    }
}
