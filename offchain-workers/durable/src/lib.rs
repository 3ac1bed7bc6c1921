//! Files a crash leaves whole or absent.
//!
//! A state file (a job record, a receipt, the registry, a stored object) is written to a
//! temporary name unique to this write, flushed to the disk (`fsync`), renamed over its
//! destination, and the directory is flushed too, so the rename itself survives a power loss.
//! After a crash, the destination holds the old bytes or the new ones, never a mix; what is left
//! is at most a temporary file, which [`remove_partials`] deletes at start-up.
//!
//! A state file that does not parse anyway (a disk that lied, a hand edit) is moved aside by
//! [`quarantine`] with a log line, so the worker still starts and the bytes stay for a human.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Marks temporary names: `<destination name>.partial-<pid>-<sequence>`.
const PARTIAL_MARK: &str = ".partial-";
/// Where [`quarantine`] moves damaged files, inside their own directory.
pub const QUARANTINE_DIR: &str = "quarantine";

/// Makes temporary names unique within the process (the pid makes them unique across).
static NEXT_PARTIAL: AtomicU64 = AtomicU64::new(0);

/// Is `name` a temporary name of this crate's writes?
pub fn is_partial(name: &str) -> bool {
	name.contains(PARTIAL_MARK)
}

/// A file being written under a temporary name in its destination's directory; becomes the
/// destination only by [`Partial::commit`], and is deleted if dropped before.
pub struct Partial {
	file: Option<File>,
	path: PathBuf,
}

impl Partial {
	/// Starts a file that will become `destination`.
	pub fn create(destination: &Path) -> std::io::Result<Partial> {
		let name = destination.file_name().ok_or_else(|| {
			std::io::Error::new(std::io::ErrorKind::InvalidInput, "a destination names a file")
		})?;
		let sequence = NEXT_PARTIAL.fetch_add(1, Ordering::Relaxed);
		let mut partial = name.to_os_string();
		partial.push(format!("{PARTIAL_MARK}{}-{sequence}", std::process::id()));
		let path = destination.with_file_name(partial);
		let file = File::options().write(true).create_new(true).open(&path)?;
		Ok(Partial { file: Some(file), path })
	}

	/// Flushes the bytes to the disk and renames them over `destination`, then flushes the
	/// directory: once this returns, a crash keeps the new file.
	pub fn commit(mut self, destination: &Path) -> std::io::Result<()> {
		let file = self.file.take().expect("a partial file is open until committed");
		file.sync_all()?;
		drop(file);
		std::fs::rename(&self.path, destination)?;
		sync_parent(destination)
	}

	/// Like [`commit`](Self::commit), for files named by their content: the bytes become
	/// `destination` only if nothing is there yet (a hard link never replaces a file), and the
	/// answer says whether they did. Two writers of the same object race safely: one creates it,
	/// the other learns that it exists.
	pub fn commit_new(mut self, destination: &Path) -> std::io::Result<bool> {
		let file = self.file.take().expect("a partial file is open until committed");
		let linked = file.sync_all().and_then(|()| {
			drop(file);
			match std::fs::hard_link(&self.path, destination) {
				Ok(()) => Ok(true),
				Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
				Err(e) => Err(e),
			}
		});
		std::fs::remove_file(&self.path)?;
		let created = linked?;
		sync_parent(destination)?;
		Ok(created)
	}
}

impl Write for Partial {
	fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
		self.file.as_mut().expect("a partial file is open until committed").write(bytes)
	}

	fn flush(&mut self) -> std::io::Result<()> {
		self.file.as_mut().expect("a partial file is open until committed").flush()
	}
}

impl Drop for Partial {
	fn drop(&mut self) {
		if self.file.take().is_some() {
			let _ = std::fs::remove_file(&self.path);
		}
	}
}

/// Replaces `path` with `bytes`, durably: whole or not at all, even across a power loss.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
	let mut partial = Partial::create(path)?;
	partial.write_all(bytes)?;
	partial.commit(path)
}

/// Writes `bytes` to `path` like [`write`], unless a file is there already; answers whether it
/// wrote (see [`Partial::commit_new`]).
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
	let mut partial = Partial::create(path)?;
	partial.write_all(bytes)?;
	partial.commit_new(path)
}

/// Removes `path` durably (the directory entry's removal is flushed); absent is fine.
pub fn remove(path: &Path) -> std::io::Result<()> {
	match std::fs::remove_file(path) {
		Ok(()) => sync_parent(path),
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
		Err(e) => Err(e),
	}
}

/// Flushes the directory holding `path`, so a rename or removal in it survives a power loss.
fn sync_parent(path: &Path) -> std::io::Result<()> {
	match path.parent() {
		Some(dir) if !dir.as_os_str().is_empty() => File::open(dir)?.sync_all(),
		_ => File::open(".")?.sync_all(),
	}
}

/// Deletes the temporary files that writes interrupted by a crash left in `dir` (not its
/// subdirectories); returns how many. Call it before the directory's writers start.
pub fn remove_partials(dir: &Path) -> std::io::Result<usize> {
	let mut removed = 0;
	for entry in std::fs::read_dir(dir)? {
		let entry = entry?;
		let partial = entry.file_name().to_str().is_some_and(is_partial);
		if partial && entry.file_type()?.is_file() {
			std::fs::remove_file(entry.path())?;
			removed += 1;
		}
	}
	Ok(removed)
}

/// Moves the damaged state file `path` into `quarantine/` beside it (named with the time, so
/// nothing quarantined earlier is overwritten), logs why on stderr, and returns where it went.
pub fn quarantine(path: &Path, why: &dyn std::fmt::Display) -> std::io::Result<PathBuf> {
	let dir = path.parent().unwrap_or(Path::new(".")).join(QUARANTINE_DIR);
	std::fs::create_dir_all(&dir)?;
	let name = path.file_name().unwrap_or(path.as_os_str()).to_string_lossy();
	let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
	let mut destination = dir.join(format!("{name}.{}", since_epoch.as_secs()));
	let mut copy = 1;
	while destination.exists() {
		destination = dir.join(format!("{name}.{}-{copy}", since_epoch.as_secs()));
		copy += 1;
	}
	std::fs::rename(path, &destination)?;
	sync_parent(path)?;
	eprintln!(
		"tributary-worker: warning: {} is damaged ({why}); moved to {} and starting without it",
		path.display(),
		destination.display()
	);
	Ok(destination)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_write_replaces_the_file_and_leaves_no_temporary() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("book.json");
		write(&path, b"old").unwrap();
		write(&path, b"new").unwrap();
		assert_eq!(std::fs::read(&path).unwrap(), b"new");
		assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
	}

	#[test]
	fn a_new_write_never_replaces_a_file_and_says_so() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("object");
		assert!(write_new(&path, b"first").unwrap());
		assert!(!write_new(&path, b"second").unwrap());
		assert_eq!(std::fs::read(&path).unwrap(), b"first");
		assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
	}

	#[test]
	fn an_uncommitted_partial_never_touches_the_destination() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("object");
		write(&path, b"kept").unwrap();
		let mut partial = Partial::create(&path).unwrap();
		partial.write_all(b"half of a new").unwrap();
		drop(partial);
		assert_eq!(std::fs::read(&path).unwrap(), b"kept");
		assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "the partial is deleted");
	}

	#[test]
	fn partials_left_by_a_crash_are_removed_and_nothing_else() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("receipt.scale");
		write(&path, b"signed").unwrap();
		let mut crashed = Partial::create(&path).unwrap();
		crashed.write_all(b"half").unwrap();
		std::mem::forget(crashed);
		std::fs::create_dir(dir.path().join("work.partial-1-1")).unwrap();
		assert_eq!(remove_partials(dir.path()).unwrap(), 1);
		assert_eq!(std::fs::read(&path).unwrap(), b"signed");
		assert!(dir.path().join("work.partial-1-1").is_dir(), "directories are not touched");
	}

	#[test]
	fn a_damaged_file_is_quarantined_beside_earlier_ones() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("registry.json");
		let mut moved = Vec::new();
		for text in ["{trunc", "{again"] {
			std::fs::write(&path, text).unwrap();
			moved.push(quarantine(&path, &"does not parse").unwrap());
		}
		assert!(!path.exists());
		assert_ne!(moved[0], moved[1]);
		assert_eq!(std::fs::read(&moved[0]).unwrap(), b"{trunc");
		assert_eq!(std::fs::read(&moved[1]).unwrap(), b"{again");
		assert!(moved[1].starts_with(dir.path().join(QUARANTINE_DIR)));
	}
}
