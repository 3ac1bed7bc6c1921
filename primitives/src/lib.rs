//! Types shared by Tributary's runtime pallets and its native worker sidecar.
//!
//! This crate is `no_std` so the runtime can use it, and depends only on codec and the small
//! `sp-*` primitives crates, so the worker can use it without pulling the node's client crates.

#![cfg_attr(not(feature = "std"), no_std)]

pub mod attribution;
pub mod datanets;
pub mod draw;
pub mod hex;
pub mod invariants;
pub mod models;
pub mod receipts;
pub mod rewards;

use sp_core::crypto::KeyTypeId;

pub mod training;
pub mod traits;

/// blake2-256 of a piece of content (a datanet row, an adapter file, a base model file).
pub type ContentHash = [u8; 32];

/// Hash content the way the chain and the worker store both do.
pub fn content_hash(bytes: &[u8]) -> ContentHash {
	sp_crypto_hashing::blake2_256(bytes)
}

/// Key type of a validator's worker key: the key its off-chain worker signs job results and
/// receipt batches with. Insert it with `tributary-node key insert --key-type trwk ...`.
pub const WORKER_KEY_TYPE: KeyTypeId = KeyTypeId(*b"trwk");

/// The worker key's application crypto (sr25519), so worker signatures cannot be confused with
/// signatures made by any other key of the same validator.
pub mod worker_crypto {
	use super::WORKER_KEY_TYPE;
	use sp_application_crypto::sr25519;
	sp_application_crypto::app_crypto!(sr25519, WORKER_KEY_TYPE);
}

/// Key in persistent offchain storage of the URL of the validator's sidecar (UTF-8 bytes, SCALE
/// `Vec<u8>`): the node writes it from `--worker-url`, the off-chain workers read it.
pub const WORKER_URL_STORAGE_KEY: &[u8] = b"tributary/worker-url";

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn content_hash_is_blake2_256() {
		// blake2b-256("abc"), from the BLAKE2 reference implementation.
		let expected = "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319";
		assert_eq!(hex::encode(&content_hash(b"abc")), expected);
	}

	#[test]
	fn worker_key_type_is_distinct_from_consensus_keys() {
		assert_ne!(WORKER_KEY_TYPE, sp_core::crypto::key_types::AURA);
		assert_ne!(WORKER_KEY_TYPE, sp_core::crypto::key_types::GRANDPA);
	}
}
