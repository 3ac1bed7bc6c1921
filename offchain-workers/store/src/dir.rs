//! A plain directory of objects, one file per object named by its hex hash.

use crate::{ContentStore, StoreError};
use std::path::{Path, PathBuf};
use tributary_primitives::{content_hash, hex, ContentHash};

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
		std::fs::create_dir_all(&self.root).map_err(StoreError::io(&self.root))?;
		let path = self.path_of(&hash);
		std::fs::write(&path, bytes).map_err(StoreError::io(&path))?;
		Ok(hash)
	}
}

impl ContentStore for DirStore {
	fn get(&self, hash: &ContentHash) -> Result<Vec<u8>, StoreError> {
		let path = self.path_of(hash);
		std::fs::read(&path).map_err(|source| match source.kind() {
			std::io::ErrorKind::NotFound => StoreError::NotFound(hex::encode(hash)),
			_ => StoreError::Io { path, source },
		})
	}
}
