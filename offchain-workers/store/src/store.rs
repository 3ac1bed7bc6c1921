//! Content-addressed objects (datanet rows, adapters) under `<data_dir>/store`, each file named by
//! the blake2-256 of its bytes. Bytes are hashed when written and again on every read: a file that
//! no longer matches its name is moved to `quarantine/` and reported, never served.

use crate::{ContentStore, StoreError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tributary_durable::Partial;
use tributary_primitives::{content_hash, hex, ContentHash};

#[derive(Clone, Debug)]
pub struct Store {
	objects: PathBuf,
	quarantine: PathBuf,
	max_object_bytes: u64,
	/// Most bytes the objects may take together; none: as much as the disk holds.
	quota_bytes: Option<u64>,
	/// Bytes of the objects plus those of writes under way (reserved as they arrive, so
	/// concurrent uploads cannot together pass the quota).
	used_bytes: Arc<AtomicU64>,
}

impl Store {
	/// Opens the store under `root`, removing what writes interrupted by a crash left behind.
	pub fn open(root: &Path, max_object_bytes: u64) -> Result<Store, StoreError> {
		let objects = root.join("objects");
		let quarantine = root.join("quarantine");
		for dir in [&objects, &quarantine] {
			std::fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
		}
		tributary_durable::remove_partials(&objects).map_err(StoreError::io(&objects))?;
		let mut used = 0;
		for entry in std::fs::read_dir(&objects).map_err(StoreError::io(&objects))? {
			let metadata = entry.and_then(|entry| entry.metadata());
			used += metadata.map_err(StoreError::io(&objects))?.len();
		}
		Ok(Store {
			objects,
			quarantine,
			max_object_bytes,
			quota_bytes: None,
			used_bytes: Arc::new(AtomicU64::new(used)),
		})
	}

	/// Limits the objects to `quota_bytes` together: a write past it is refused
	/// ([`StoreError::Full`]) and leaves nothing behind.
	pub fn with_quota(mut self, quota_bytes: Option<u64>) -> Store {
		self.quota_bytes = quota_bytes;
		self
	}

	/// The store's directory.
	pub fn root(&self) -> &Path {
		self.objects.parent().expect("objects/ is inside the store's root")
	}

	/// Can a file be created among the objects now (a probe, removed at once)?
	pub fn is_writable(&self) -> bool {
		Partial::create(&self.objects.join("probe")).is_ok()
	}

	pub fn max_object_bytes(&self) -> u64 {
		self.max_object_bytes
	}

	/// Bytes the objects take (and writes under way), and the quota if any.
	pub fn usage(&self) -> (u64, Option<u64>) {
		(self.used_bytes.load(Ordering::Relaxed), self.quota_bytes)
	}

	fn path_of(&self, hash: &ContentHash) -> PathBuf {
		self.objects.join(hex::encode(hash))
	}

	pub fn contains(&self, hash: &ContentHash) -> bool {
		self.path_of(hash).is_file()
	}

	/// Counts `bytes` more against the quota, or refuses them.
	fn reserve(&self, bytes: u64) -> Result<(), StoreError> {
		let Some(quota) = self.quota_bytes else {
			self.used_bytes.fetch_add(bytes, Ordering::Relaxed);
			return Ok(());
		};
		self.used_bytes
			.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
				used.checked_add(bytes).filter(|&total| total <= quota)
			})
			.map(|_| ())
			.map_err(|used| StoreError::Full { used, wanted: bytes, quota })
	}

	fn release(&self, bytes: u64) {
		let _ = self.used_bytes.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
			Some(used.saturating_sub(bytes))
		});
	}

	/// The object `hash` once `reserved` bytes were published at `path` (`created`: whether this
	/// writer made the file): a writer that found it already there (another stored the same bytes
	/// meanwhile) or failed gives its reservation back, so an object counts once.
	fn published(
		&self,
		hash: ContentHash,
		path: PathBuf,
		reserved: u64,
		created: std::io::Result<bool>,
	) -> Result<ContentHash, StoreError> {
		match created {
			Ok(true) => Ok(hash),
			Ok(false) => {
				self.release(reserved);
				Ok(hash)
			},
			Err(source) => {
				self.release(reserved);
				Err(StoreError::Io { path, source })
			},
		}
	}

	/// Stores `bytes` and returns their hash; when `expected` is given the bytes must hash to it.
	/// Written durably ([`tributary_durable::write`]): a crash never leaves a partial object.
	pub fn put(
		&self,
		bytes: &[u8],
		expected: Option<&ContentHash>,
	) -> Result<ContentHash, StoreError> {
		let size = bytes.len() as u64;
		if size > self.max_object_bytes {
			return Err(StoreError::TooLarge { size, limit: self.max_object_bytes });
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
		self.reserve(size)?;
		let written = tributary_durable::write_new(&path, bytes);
		self.published(hash, path, size, written)
	}

	/// Starts storing an object whose bytes arrive in pieces ([`Upload::write`]), kept in a
	/// temporary file rather than in memory.
	pub fn upload(&self) -> Result<Upload, StoreError> {
		let destination = self.objects.join("upload");
		let partial = Partial::create(&destination).map_err(StoreError::io(&destination))?;
		Ok(Upload {
			store: self.clone(),
			partial: Some(partial),
			hasher: blake2b_simd::Params::new().hash_length(32).to_state(),
			len: 0,
		})
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
		let size = std::fs::metadata(self.path_of(hash)).map_or(0, |m| m.len());
		std::fs::rename(self.path_of(hash), &quarantined).map_err(StoreError::io(&quarantined))?;
		self.release(size);
		Err(StoreError::Corrupt { hash: hex::encode(hash), actual: hex::encode(actual) })
	}
}

/// An object being stored, its bytes in a temporary file beside the objects and counted against
/// the quota as they arrive; dropped unfinished, it leaves nothing.
pub struct Upload {
	store: Store,
	partial: Option<Partial>,
	hasher: blake2b_simd::State,
	/// Bytes written (and reserved) so far.
	len: u64,
}

impl Upload {
	/// Appends `bytes`; refused past the store's object size limit or its quota.
	pub fn write(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
		let len = self.len + bytes.len() as u64;
		let limit = self.store.max_object_bytes;
		if len > limit {
			return Err(StoreError::TooLarge { size: len, limit });
		}
		self.store.reserve(bytes.len() as u64)?;
		self.len = len;
		self.hasher.update(bytes);
		let partial = self.partial.as_mut().expect("an upload is open until finished");
		partial.write_all(bytes).map_err(StoreError::io(&self.store.objects))
	}

	/// Bytes written so far.
	pub fn len(&self) -> u64 {
		self.len
	}

	pub fn is_empty(&self) -> bool {
		self.len == 0
	}

	/// Makes the bytes the object named by their hash (when `expected` is given, only if they
	/// hash to it) and returns the hash. Durable once this returns.
	pub fn finish(mut self, expected: Option<&ContentHash>) -> Result<ContentHash, StoreError> {
		let hash: ContentHash =
			self.hasher.finalize().as_bytes().try_into().expect("the hash is 32 bytes");
		if let Some(expected) = expected {
			if expected != &hash {
				return Err(StoreError::WrongHash {
					expected: hex::encode(expected),
					actual: hex::encode(&hash),
				});
			}
		}
		let path = self.store.path_of(&hash);
		// Same name, same bytes (unless the file rotted: a read finds and quarantines that);
		// dropping the upload removes the copy and its reservation.
		if path.is_file() {
			return Ok(hash);
		}
		let partial = self.partial.take().expect("an upload is open until finished");
		let committed = partial.commit_new(&path);
		self.store.published(hash, path, self.len, committed)
	}
}

impl Drop for Upload {
	fn drop(&mut self) {
		// Not committed: the partial file deletes itself, and its bytes no longer count.
		if self.partial.is_some() {
			self.store.release(self.len);
		}
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
