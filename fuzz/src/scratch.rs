//! A folder for the files the targets write, made once per process.

use std::path::Path;
use std::sync::OnceLock;

/// This process's scratch folder under the system's temporary folder. libFuzzer ends a run with
/// `exit`, which runs no destructors, so the folder stays behind; the targets remove the files
/// they write after each input, so what stays is small (the fuzzed sidecar's data folder).
pub fn dir() -> &'static Path {
	static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
	DIR.get_or_init(|| tempfile::Builder::new().prefix("tributary-fuzz-").tempdir().unwrap())
		.path()
}
