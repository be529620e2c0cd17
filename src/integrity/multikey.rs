//! Ed25519 public keys as FEP-521a `Multikey` values: `publicKeyMultibase` is `z` (base58btc)
//! followed by the multicodec prefix `0xed 0x01` and the 32 key bytes.

const ED25519_PUB: [u8; 2] = [0xed, 0x01];

/// `z6Mk…` for an Ed25519 public key.
pub fn encode(key: &ed25519_dalek::VerifyingKey) -> String {
    let mut bytes = ED25519_PUB.to_vec();
    bytes.extend_from_slice(key.as_bytes());
    format!("z{}", bs58::encode(bytes).into_string())
}

/// The Ed25519 key in a `publicKeyMultibase`, if that is what it holds.
pub fn decode(multibase: &str) -> Option<ed25519_dalek::VerifyingKey> {
    let bytes = bs58::decode(multibase.strip_prefix('z')?).into_vec().ok()?;
    let key: [u8; 32] = bytes.strip_prefix(&ED25519_PUB)?.try_into().ok()?;
    ed25519_dalek::VerifyingKey::from_bytes(&key).ok()
}

/// A proof value: `z` and the base58btc signature bytes.
pub fn encode_bytes(bytes: &[u8]) -> String {
    format!("z{}", bs58::encode(bytes).into_string())
}

pub fn decode_bytes(multibase: &str) -> Option<Vec<u8>> {
    bs58::decode(multibase.strip_prefix('z')?).into_vec().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_w3c_test_key_round_trips() {
        // From the W3C Data Integrity EdDSA test vectors.
        let mb = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        let key = decode(mb).unwrap();
        assert_eq!(encode(&key), mb);
        assert_eq!(decode("z6Mk"), None);
        assert_eq!(
            decode("u6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"),
            None
        );
    }
}
