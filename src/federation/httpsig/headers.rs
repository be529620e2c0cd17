//! Security headers must appear once. A request with two `Digest` headers can pair a forged
//! body with a genuine signature when one check reads the first value and another the last, so
//! every request with a duplicated security header is refused before anything reads it.

use super::SigError;
use http::HeaderMap;

/// Headers that may appear at most once in any request we accept.
pub const SINGLE: &[&str] = &[
    "digest",
    "content-digest",
    "signature",
    "signature-input",
    "date",
    "host",
    "content-type",
];

/// The first of [`SINGLE`] that `headers` carries more than once.
pub fn duplicated(headers: &HeaderMap) -> Option<&'static str> {
    SINGLE
        .iter()
        .find(|name| headers.get_all(**name).iter().nth(1).is_some())
        .copied()
}

/// The value of a header that must appear at most once, as text.
pub fn single<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<Option<&'a str>, SigError> {
    let mut values = headers.get_all(name).iter();
    let first = values.next();
    if values.next().is_some() {
        return Err(SigError::Duplicate(name));
    }
    first
        .map(|v| {
            v.to_str()
                .map_err(|_| SigError::Malformed(format!("{name} is not text")))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_value_of_any_security_header_is_found() {
        for name in SINGLE {
            let mut h = HeaderMap::new();
            h.append(*name, "a".parse().unwrap());
            assert_eq!(duplicated(&h), None);
            assert_eq!(single(&h, name), Ok(Some("a")));
            h.append(*name, "b".parse().unwrap());
            assert_eq!(duplicated(&h), Some(*name));
            assert_eq!(single(&h, name), Err(SigError::Duplicate(name)));
        }
        let mut h = HeaderMap::new();
        h.append("accept", "a".parse().unwrap());
        h.append("accept", "b".parse().unwrap());
        assert_eq!(duplicated(&h), None, "other headers may repeat");
    }
}
