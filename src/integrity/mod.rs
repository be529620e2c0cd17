//! Object integrity proofs (FEP-8b32, the `eddsa-jcs-2022` cryptosuite) with Ed25519 keys
//! published as FEP-521a `Multikey`s: what makes a joint statement's co-signature checkable by
//! anyone, offline, from the signer's key alone. Also the RSA and Ed25519 keys of HTTP
//! signatures ([`keys`]).

pub mod jcs;
pub mod keys;
pub mod multikey;
pub mod proof;
pub mod signing_pool;
