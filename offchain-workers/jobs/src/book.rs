//! The sidecar's JSON books: read whole when opened, rewritten whole through a temporary file
//! renamed into place, so a crash leaves the old file or the new one, never half of one.

use std::path::{Path, PathBuf};

use serde::{de::DeserializeOwned, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum BookError {
	#[error("file {path}: {source}")]
	Io { path: PathBuf, source: std::io::Error },
	#[error("file {path} is not a list of {what}: {source}")]
	Parse { path: PathBuf, what: &'static str, source: serde_json::Error },
}

/// Writes `text` to `path` atomically.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
	let partial = path.with_extension("json.partial");
	std::fs::write(&partial, text)?;
	std::fs::rename(&partial, path)
}

/// The list of `what` kept at `path` (its directory created), empty when there is no file yet.
pub fn read_list<T: DeserializeOwned>(
	path: &Path,
	what: &'static str,
) -> Result<Vec<T>, BookError> {
	let io = |source| BookError::Io { path: path.to_path_buf(), source };
	if let Some(dir) = path.parent() {
		std::fs::create_dir_all(dir).map_err(io)?;
	}
	match std::fs::read_to_string(path) {
		Ok(text) => serde_json::from_str(&text).map_err(|source| BookError::Parse {
			path: path.to_path_buf(),
			what,
			source,
		}),
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
		Err(source) => Err(io(source)),
	}
}

/// Rewrites the list at `path` with `items`.
pub fn write_list<'a, T: Serialize + 'a>(
	path: &Path,
	items: impl Iterator<Item = &'a T>,
) -> Result<(), BookError> {
	let list: Vec<&T> = items.collect();
	let text = serde_json::to_string_pretty(&list).expect("books serialize");
	write_atomically(path, &text)
		.map_err(|source| BookError::Io { path: path.to_path_buf(), source })
}
