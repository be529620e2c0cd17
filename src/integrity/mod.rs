//! Object integrity proofs (FEP-8b32, the `eddsa-jcs-2022` cryptosuite) with Ed25519 keys
//! published as FEP-521a `Multikey`s: what makes a joint statement's co-signature checkable by
//! anyone, offline, from the signer's key alone.

pub mod jcs;
pub mod multikey;
pub mod proof;
