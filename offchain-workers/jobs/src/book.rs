//! The sidecar's JSON books: read whole when opened, rewritten whole durably
//! ([`tributary_durable::write`]), so a crash leaves the old file or the new one, never half of
//! one; a book that does not parse anyway is quarantined and started afresh.

use std::path::{Path, PathBuf};

use serde::{de::DeserializeOwned, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum BookError {
	#[error("file {path}: {source}")]
	Io { path: PathBuf, source: std::io::Error },
}

/// The list of `what` kept at `path` (its directory created), empty when there is no file yet
/// or when it does not parse (then it is quarantined, with a log line).
pub fn read_list<T: DeserializeOwned>(
	path: &Path,
	what: &'static str,
) -> Result<Vec<T>, BookError> {
	let io = |source| BookError::Io { path: path.to_path_buf(), source };
	if let Some(dir) = path.parent() {
		std::fs::create_dir_all(dir).map_err(io)?;
		tributary_durable::remove_partials(dir).map_err(io)?;
	}
	match std::fs::read_to_string(path) {
		Ok(text) => match serde_json::from_str(&text) {
			Ok(list) => Ok(list),
			Err(error) => {
				let why = format!("not a list of {what}: {error}");
				tributary_durable::quarantine(path, &why).map_err(io)?;
				Ok(Vec::new())
			},
		},
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
	tributary_durable::write(path, text.as_bytes())
		.map_err(|source| BookError::Io { path: path.to_path_buf(), source })
}
