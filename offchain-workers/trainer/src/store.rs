//! Content-addressed storage of datanet rows. Every read is checked against the hash it was
//! asked for: a store can be corrupted or lie, and training on the wrong bytes would make the
//! on-chain lineage false.

use std::path::{Path, PathBuf};
use tributary_model::peft::hex;
use tributary_primitives::{content_hash, ContentHash};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	#[error("row {hash} is not in the content store {store}")]
	NotFound { hash: String, store: PathBuf },
	#[error("row {expected} does not match its hash: the stored bytes hash to {actual}; the store is corrupt")]
	HashMismatch { expected: String, actual: String },
	#[error("{0:?} is not a 64-digit hex content hash")]
	BadHash(String),
	#[error("content store I/O on {path}: {source}")]
	Io { path: PathBuf, source: std::io::Error },
}

/// Where rows come from. Implementations return the bytes stored under `hash`; [`fetch_verified`]
/// checks them.
pub trait ContentStore {
	fn get(&self, hash: &ContentHash) -> Result<Vec<u8>, StoreError>;
}

/// Fetches a row and checks that its bytes hash to `hash`.
pub fn fetch_verified(store: &dyn ContentStore, hash: &ContentHash) -> Result<Vec<u8>, StoreError> {
	let bytes = store.get(hash)?;
	let actual = content_hash(&bytes);
	if &actual != hash {
		return Err(StoreError::HashMismatch { expected: hex(hash), actual: hex(&actual) });
	}
	Ok(bytes)
}

/// Parses a 64-digit hex hash (an optional `0x` prefix is accepted).
pub fn parse_hash(text: &str) -> Result<ContentHash, StoreError> {
	let digits = text.trim().trim_start_matches("0x");
	let bad = || StoreError::BadHash(text.to_string());
	if digits.len() != 64 || !digits.is_ascii() {
		return Err(bad());
	}
	let mut hash = [0u8; 32];
	for (i, byte) in hash.iter_mut().enumerate() {
		*byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
	}
	Ok(hash)
}

/// A directory with one file per row, named by the row's hex hash.
#[derive(Clone, Debug)]
pub struct DirStore {
	root: PathBuf,
}

impl DirStore {
	pub fn new(root: impl Into<PathBuf>) -> DirStore {
		DirStore { root: root.into() }
	}

	pub fn root(&self) -> &Path {
		&self.root
	}

	pub fn path_of(&self, hash: &ContentHash) -> PathBuf {
		self.root.join(hex(hash))
	}

	/// Stores `bytes` under their hash and returns it.
	pub fn put(&self, bytes: &[u8]) -> Result<ContentHash, StoreError> {
		let hash = content_hash(bytes);
		let io = |path: &Path| {
			let path = path.to_path_buf();
			move |source| StoreError::Io { path, source }
		};
		std::fs::create_dir_all(&self.root).map_err(io(&self.root))?;
		let path = self.path_of(&hash);
		std::fs::write(&path, bytes).map_err(io(&path))?;
		Ok(hash)
	}
}

impl ContentStore for DirStore {
	fn get(&self, hash: &ContentHash) -> Result<Vec<u8>, StoreError> {
		let path = self.path_of(hash);
		std::fs::read(&path).map_err(|source| match source.kind() {
			std::io::ErrorKind::NotFound => {
				StoreError::NotFound { hash: hex(hash), store: self.root.clone() }
			},
			_ => StoreError::Io { path, source },
		})
	}
}
