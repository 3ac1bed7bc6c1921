//! Content-addressed objects (datanet rows, adapters) under `<data_dir>/store`, each file named by
//! the blake2-256 of its bytes. Bytes are hashed when written and again on every read: a file that
//! no longer matches its name is moved to `quarantine/` and reported, never served.

use crate::{ContentStore, StoreError};
use std::path::{Path, PathBuf};
use tributary_primitives::{content_hash, hex, ContentHash};

#[derive(Clone, Debug)]
pub struct Store {
	objects: PathBuf,
	quarantine: PathBuf,
	max_object_bytes: u64,
}

impl Store {
	pub fn open(root: &Path, max_object_bytes: u64) -> Result<Store, StoreError> {
		let objects = root.join("objects");
		let quarantine = root.join("quarantine");
		for dir in [&objects, &quarantine] {
			std::fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
		}
		Ok(Store { objects, quarantine, max_object_bytes })
	}

	pub fn max_object_bytes(&self) -> u64 {
		self.max_object_bytes
	}

	fn path_of(&self, hash: &ContentHash) -> PathBuf {
		self.objects.join(hex::encode(hash))
	}

	pub fn contains(&self, hash: &ContentHash) -> bool {
		self.path_of(hash).is_file()
	}

	/// Stores `bytes` and returns their hash; when `expected` is given the bytes must hash to it.
	/// Written through a temporary file and renamed, so a crash never leaves a partial object.
	pub fn put(
		&self,
		bytes: &[u8],
		expected: Option<&ContentHash>,
	) -> Result<ContentHash, StoreError> {
		if bytes.len() as u64 > self.max_object_bytes {
			return Err(StoreError::TooLarge {
				size: bytes.len() as u64,
				limit: self.max_object_bytes,
			});
		}
		let hash = content_hash(bytes);
		if let Some(expected) = expected {
			if expected != &hash {
				return Err(StoreError::WrongHash {
					expected: hex::encode(expected),
					actual: hex::encode(&hash),
				});
			}
		}
		let path = self.path_of(&hash);
		if path.is_file() {
			// Same name, same bytes (unless the file rotted: a read finds and quarantines that).
			return Ok(hash);
		}
		let partial =
			self.objects
				.join(format!("{}.partial-{}", hex::encode(&hash), std::process::id()));
		std::fs::write(&partial, bytes).map_err(StoreError::io(&partial))?;
		std::fs::rename(&partial, &path).map_err(StoreError::io(&path))?;
		Ok(hash)
	}

	/// The bytes of `hash`, verified. A mismatching file is moved to quarantine.
	pub fn get(&self, hash: &ContentHash) -> Result<Vec<u8>, StoreError> {
		let bytes = self.read(hash)?;
		self.check(hash, &content_hash(&bytes))?;
		Ok(bytes)
	}

	/// `decode` of the bytes of `hash`, returned only if the bytes verify (else quarantined as in
	/// [`Store::get`]). blake2b is sequential, so on a large object hashing costs as much as
	/// decoding: the hash runs on a second thread while `decode` reads the same bytes, and a
	/// mismatch discards whatever `decode` made. `decode` must therefore be safe on any bytes —
	/// which it is anyway, since verified bytes are only as trustworthy as whoever stored them.
	///
	/// The file is mapped rather than read, so neither side waits for a copy of it first.
	pub fn get_decoded<T>(
		&self,
		hash: &ContentHash,
		decode: impl FnOnce(&[u8]) -> T,
	) -> Result<T, StoreError> {
		let mapped = self.map(hash)?;
		let bytes: &[u8] = &mapped;
		let (actual, decoded) = std::thread::scope(|scope| {
			let hashing = std::thread::Builder::new()
				.name("store-verify".into())
				.spawn_scoped(scope, || content_hash(bytes));
			let decoded = decode(bytes);
			// Without a second thread (spawn refused), verify on this one.
			let actual = match hashing {
				Ok(handle) => handle.join().expect("hashing does not panic"),
				Err(_) => content_hash(bytes),
			};
			(actual, decoded)
		});
		self.check(hash, &actual)?;
		Ok(decoded)
	}

	fn map(&self, hash: &ContentHash) -> Result<memmap2::Mmap, StoreError> {
		let path = self.path_of(hash);
		let file = std::fs::File::open(&path).map_err(|e| open_error(hash, path.clone(), e))?;
		// SAFETY: objects are written to a temporary file and renamed into place, never changed in
		// place afterwards (quarantine renames, which keeps the mapped pages); only something outside
		// the worker truncating a store file could change the bytes under the map.
		// Populated: the pages are mapped in one call rather than faulted in by both threads.
		unsafe { memmap2::MmapOptions::new().populate().map(&file) }
			.map_err(|source| StoreError::Io { path, source })
	}

	fn read(&self, hash: &ContentHash) -> Result<Vec<u8>, StoreError> {
		let path = self.path_of(hash);
		std::fs::read(&path).map_err(|e| open_error(hash, path, e))
	}

	/// Quarantines the object named `hash` if its bytes hashed to `actual` instead.
	fn check(&self, hash: &ContentHash, actual: &ContentHash) -> Result<(), StoreError> {
		if actual == hash {
			return Ok(());
		}
		let quarantined = self.quarantine.join(hex::encode(hash));
		std::fs::rename(self.path_of(hash), &quarantined).map_err(StoreError::io(&quarantined))?;
		Err(StoreError::Corrupt { hash: hex::encode(hash), actual: hex::encode(actual) })
	}
}

/// The trainer reads datanet rows through this (and checks every hash again itself).
impl ContentStore for Store {
	fn get(&self, hash: &ContentHash) -> Result<Vec<u8>, StoreError> {
		Store::get(self, hash)
	}
}

/// A missing object is `NotFound`; any other failure to open it is I/O.
fn open_error(hash: &ContentHash, path: PathBuf, error: std::io::Error) -> StoreError {
	match error.kind() {
		std::io::ErrorKind::NotFound => StoreError::NotFound(hex::encode(hash)),
		_ => StoreError::Io { path, source: error },
	}
}
