//! HTTP signatures on the requests we receive, in both schemes peers use: draft-cavage
//! (`Signature`) and RFC 9421 (`Signature-Input` + `Signature`). [`inbound::prepare`] checks
//! everything that needs no key (single security headers, covered components, the signed time,
//! the body digest) and yields what the signer's key must verify.
//!
//! The federation library verifies signatures too, but it reads the body digest from the
//! *first* `Digest` header and the signature's from the *last*; requests go through this module
//! instead, which reads each security header once and refuses duplicates.

pub mod cavage;
pub mod headers;
pub mod inbound;
pub mod outbound;
pub mod rfc9421;

/// How old a signature may be: one hour, as the federation library and Mastodon sign for.
pub const MAX_AGE_SECS: i64 = 3600;

/// How far ahead of our clock a signed time may be.
pub const MAX_SKEW_SECS: i64 = 300;

/// Why a signature is not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SigError {
    #[error("malformed Signature-Input or Signature: {0}")]
    Malformed(String),
    #[error("no {0} header: activities must carry an HTTP signature")]
    Missing(&'static str),
    #[error("more than one {0} header")]
    Duplicate(&'static str),
    #[error("the signature does not cover {0}")]
    Uncovered(&'static str),
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("the signature is expired or not yet valid")]
    Stale,
    #[error("the signed time is in the future")]
    Future,
    #[error("Content-Digest does not match the body")]
    Digest,
    #[error("Digest does not match the body")]
    BodyDigest,
    #[error("the signature does not verify")]
    Invalid,
}

impl From<crate::integrity::keys::KeyError> for SigError {
    fn from(e: crate::integrity::keys::KeyError) -> Self {
        match e {
            crate::integrity::keys::KeyError::Unsupported(s) => SigError::Unsupported(s),
            crate::integrity::keys::KeyError::Invalid => SigError::Invalid,
        }
    }
}
