//! Content-addressed storage of datanet rows. Every read is checked against the hash it was
//! asked for: a store can be corrupted or lie, and training on the wrong bytes would make the
//! on-chain lineage false.

use std::path::{Path, PathBuf};
use tributary_primitives::hex;
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
		return Err(StoreError::HashMismatch {
			expected: hex::encode(hash),
			actual: hex::encode(&actual),
		});
	}
	Ok(bytes)
}

/// Parses a 64-digit hex hash (an optional `0x` prefix is accepted).
pub fn parse_hash(text: &str) -> Result<ContentHash, StoreError> {
	hex::decode_array(text.trim()).map_err(|_| StoreError::BadHash(text.to_string()))
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
		self.root.join(hex::encode(hash))
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
				StoreError::NotFound { hash: hex::encode(hash), store: self.root.clone() }
			},
			_ => StoreError::Io { path, source },
		})
	}
}
