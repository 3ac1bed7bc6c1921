//! Content-addressed storage: every object (a datanet row, an adapter's weights, an answer's
//! text) is named by the blake2-256 of its bytes, and every read is checked against that name. A
//! store can be corrupted or lie; training on, serving or attributing the wrong bytes would make
//! what the chain records false.
//!
//! - [`Store`]: the worker's store, `<data_dir>/store/objects/<hex>`, durable writes, an optional
//!   quota, uploads streamed to disk ([`Upload`]), corrupt files quarantined.
//! - [`DirStore`]: a plain directory of files named by their hex hash (the trainer's CLI).
//! - [`PeerFetcher`] (feature `peers`): objects missing here, fetched from peer workers.
//! - [`ContentStore`] and [`fetch_verified`]: what the trainer reads rows through.

mod dir;
#[cfg(feature = "peers")]
mod peers;
mod store;

pub use dir::DirStore;
#[cfg(feature = "peers")]
pub use peers::{Lookup, PeerFetcher};
pub use store::{Store, Upload};

use std::path::PathBuf;
use tributary_primitives::{content_hash, hex, ContentHash};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	#[error("object {0} is in no store this worker can read (its own or a peer's)")]
	NotFound(String),
	#[error("object {hash} is corrupt: its bytes hash to {actual}; they are not used")]
	Corrupt { hash: String, actual: String },
	#[error("object of {size} bytes exceeds the limit of {limit} bytes")]
	TooLarge { size: u64, limit: u64 },
	#[error("the store is full: {used} of its {quota}-byte quota are used, {wanted} more do not fit; the operator can raise --store-quota-bytes")]
	Full { used: u64, wanted: u64, quota: u64 },
	#[error("the body hashes to {actual}, not the expected {expected}")]
	WrongHash { expected: String, actual: String },
	#[error("{0:?} is not a 64-digit hex content hash")]
	BadHash(String),
	#[error("store I/O on {path}: {source}")]
	Io { path: PathBuf, source: std::io::Error },
}

impl StoreError {
	fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> StoreError {
		let path = path.to_path_buf();
		move |source| StoreError::Io { path, source }
	}
}

/// Parses a hex content hash (with or without `0x`).
pub fn parse(text: &str) -> Result<ContentHash, StoreError> {
	hex::decode_array(text.trim()).map_err(|_| StoreError::BadHash(text.to_string()))
}

/// Where rows come from. Implementations return the bytes stored under `hash`;
/// [`fetch_verified`] checks them.
pub trait ContentStore {
	fn get(&self, hash: &ContentHash) -> Result<Vec<u8>, StoreError>;
}

/// Fetches an object and checks that its bytes hash to `hash`.
pub fn fetch_verified(store: &dyn ContentStore, hash: &ContentHash) -> Result<Vec<u8>, StoreError> {
	let bytes = store.get(hash)?;
	let actual = content_hash(&bytes);
	if &actual != hash {
		return Err(StoreError::Corrupt { hash: hex::encode(hash), actual: hex::encode(&actual) });
	}
	Ok(bytes)
}
