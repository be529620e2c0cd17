//! Links we render or store from other servers. Only `http` and `https` URLs are ever put in
//! an `href`, a feed link or an iCalendar `URL`: `javascript:`, `data:`, relative and other
//! schemes are dropped (checked again at render time, so rows stored before the rule are safe
//! too). A post's `url` must also be on the post's own origin, as Mastodon requires.

use url::Url;

/// `s` if it is an absolute `http` or `https` URL with a host (any letter case in the
/// scheme is normalised by the parser), else `None`.
pub fn web_url(s: &str) -> Option<&str> {
    let u = Url::parse(s.trim()).ok()?;
    (matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty()))
        .then_some(s)
        .filter(|s| s.trim() == *s && !s.chars().any(char::is_control))
}

/// `s` if it is a URL we may keep from another server: absolute `https`, or `http` only in
/// development mode.
pub fn remote_url(s: &str, dev: bool) -> Option<&str> {
    web_url(s).filter(|u| {
        dev || u
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
    })
}

/// The page of a post: its `url` when that is an http(s) URL on the same origin as its id,
/// else its id.
pub fn post_link<'a>(ap_id: &'a str, url: Option<&'a str>) -> &'a str {
    let same_origin = |u: &str| {
        let (Ok(a), Ok(b)) = (Url::parse(u), Url::parse(ap_id)) else {
            return false;
        };
        a.origin() == b.origin()
    };
    url.and_then(web_url)
        .filter(|u| same_origin(u))
        .unwrap_or(ap_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_survive() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:x",
            "/relative/path",
            "//evil.example/x",
            "ftp://files.example/x",
            "",
            "https://",
            "https://ok.example/\u{0}x",
        ] {
            assert_eq!(web_url(bad), None, "{bad:?}");
        }
        for good in [
            "https://ok.example/p",
            "http://localhost:8080/x",
            "HTTPS://ok.example/",
        ] {
            assert_eq!(web_url(good), Some(good));
        }
    }

    #[test]
    fn plain_http_is_kept_only_in_development_mode() {
        assert_eq!(remote_url("http://peer.example/a.png", false), None);
        assert_eq!(
            remote_url("http://localhost:8080/a.png", true),
            Some("http://localhost:8080/a.png")
        );
        assert_eq!(
            remote_url("HTTPS://peer.example/a.png", false),
            Some("HTTPS://peer.example/a.png")
        );
        assert_eq!(remote_url("javascript:alert(1)", true), None);
    }

    #[test]
    fn a_post_link_stays_on_the_post_origin() {
        let id = "https://centre.example/posts/1";
        assert_eq!(
            post_link(id, Some("https://centre.example/p/1")),
            "https://centre.example/p/1"
        );
        assert_eq!(post_link(id, Some("https://phish.example/p/1")), id);
        assert_eq!(post_link(id, Some("javascript:alert(1)")), id);
        assert_eq!(post_link(id, None), id);
    }
}
