//! The keys of HTTP signatures, on aws-lc-rs (the crypto library rustls already brings):
//! RSA PKCS#1 v1.5 with SHA-256 for both schemes, and Ed25519 for RFC 9421.
//!
//! A [`PublicKey`] is parsed once and verifies many signatures; a [`PrivateKey`] is parsed once
//! at start-up and signs every delivery and signed fetch. aws-lc's RSA is constant-time, unlike
//! the `rsa` crate's (RUSTSEC-2023-0071).

use aws_lc_rs::{
    encoding::AsDer,
    rand::SystemRandom,
    rsa::KeySize,
    signature::{self, KeyPair, ParsedPublicKey, RsaKeyPair},
};
use base64::{Engine, engine::general_purpose::STANDARD as B64};

/// Why a key cannot be read or a signature does not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("the signature does not verify")]
    Invalid,
}

/// The DER inside the first PEM block labelled `label`.
fn pem_der(pem: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)? + begin.len();
    let stop = start + pem[start..].find(&end)?;
    let b64: String = pem[start..stop]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    B64.decode(b64).ok()
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = B64.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// A parsed public key of a remote actor.
pub enum PublicKey {
    Rsa(ParsedPublicKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PublicKey::Rsa(_) => "PublicKey::Rsa",
            PublicKey::Ed25519(_) => "PublicKey::Ed25519",
        })
    }
}

impl PublicKey {
    /// Reads a PEM public key: SPKI (`PUBLIC KEY`, RSA or Ed25519) or PKCS#1
    /// (`RSA PUBLIC KEY`). RSA keys from 1024 to 8192 bits are accepted, as peers use them.
    pub fn from_pem(pem: &str) -> Result<PublicKey, KeyError> {
        let unsupported = || KeyError::Unsupported("key type".into());
        if let Some(der) = pem_der(pem, "RSA PUBLIC KEY") {
            return rsa(&der).ok_or_else(unsupported);
        }
        let der = pem_der(pem, "PUBLIC KEY").ok_or_else(unsupported)?;
        if let Some(k) = rsa(&der) {
            return Ok(k);
        }
        use ed25519_dalek::pkcs8::DecodePublicKey;
        ed25519_dalek::VerifyingKey::from_public_key_der(&der)
            .map(PublicKey::Ed25519)
            .map_err(|_| unsupported())
    }

    /// Verifies an RSA PKCS#1 v1.5 SHA-256 signature of `message`.
    pub fn verify_rsa_sha256(&self, message: &[u8], sig: &[u8]) -> Result<(), KeyError> {
        match self {
            PublicKey::Rsa(k) => k.verify_sig(message, sig).map_err(|_| KeyError::Invalid),
            PublicKey::Ed25519(_) => Err(KeyError::Unsupported(
                "an RSA signature with an Ed25519 key".into(),
            )),
        }
    }

    /// Verifies an Ed25519 signature of `message` (strictly: no malleable signatures).
    pub fn verify_ed25519(&self, message: &[u8], sig: &[u8]) -> Result<(), KeyError> {
        match self {
            PublicKey::Ed25519(k) => {
                let s = ed25519_dalek::Signature::from_slice(sig).map_err(|_| KeyError::Invalid)?;
                k.verify_strict(message, &s).map_err(|_| KeyError::Invalid)
            }
            PublicKey::Rsa(_) => Err(KeyError::Unsupported(
                "an Ed25519 signature with an RSA key".into(),
            )),
        }
    }
}

fn rsa(der: &[u8]) -> Option<PublicKey> {
    ParsedPublicKey::new(
        &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        der,
    )
    .ok()
    .map(PublicKey::Rsa)
}

/// The centre's RSA key, parsed once.
pub struct PrivateKey {
    pair: RsaKeyPair,
    rng: SystemRandom,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey")
    }
}

impl PrivateKey {
    /// Reads a PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`) PEM.
    pub fn from_pem(pem: &str) -> anyhow::Result<PrivateKey> {
        let pair = if let Some(der) = pem_der(pem, "PRIVATE KEY") {
            RsaKeyPair::from_pkcs8(&der)
        } else if let Some(der) = pem_der(pem, "RSA PRIVATE KEY") {
            RsaKeyPair::from_der(&der)
        } else {
            anyhow::bail!("not a PEM RSA private key")
        }
        .map_err(|e| anyhow::anyhow!("reading the RSA private key: {e}"))?;
        Ok(PrivateKey {
            pair,
            rng: SystemRandom::new(),
        })
    }

    /// A new 2048-bit key: its PKCS#8 private PEM and its SPKI public PEM.
    pub fn generate() -> anyhow::Result<(String, String)> {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| anyhow::anyhow!("generating an RSA key"))?;
        let private = pair
            .as_der()
            .map_err(|_| anyhow::anyhow!("encoding the RSA private key"))?;
        let public = pair
            .public_key()
            .as_der()
            .map_err(|_| anyhow::anyhow!("encoding the RSA public key"))?;
        Ok((
            pem("PRIVATE KEY", private.as_ref()),
            pem("PUBLIC KEY", public.as_ref()),
        ))
    }

    /// An RSA PKCS#1 v1.5 SHA-256 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut out = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(&signature::RSA_PKCS1_SHA256, &self.rng, message, &mut out)
            .map_err(|_| KeyError::Invalid)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_signs_what_its_public_pem_verifies() {
        let (private, public) = PrivateKey::generate().unwrap();
        let key = PrivateKey::from_pem(&private).unwrap();
        let public = PublicKey::from_pem(&public).unwrap();
        let sig = key.sign(b"hello").unwrap();
        assert_eq!(public.verify_rsa_sha256(b"hello", &sig), Ok(()));
        assert_eq!(
            public.verify_rsa_sha256(b"hellO", &sig),
            Err(KeyError::Invalid)
        );
        assert!(public.verify_ed25519(b"hello", &sig).is_err());
    }

    #[test]
    fn malformed_pems_are_refused() {
        for pem in [
            "",
            "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----\nAAAA",
        ] {
            assert!(PublicKey::from_pem(pem).is_err(), "{pem:?}");
        }
        assert!(
            PrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
                .is_err()
        );
    }
}
