//! The suffix-index and influence-sketch file readers, on file images written to the scratch
//! folder and opened as the sidecar opens them. Both formats end their header with a checksum
//! that almost no mutated image passes, so each input is also opened with its checksum
//! repaired: that reaches the structure checks behind it.

use std::path::PathBuf;
use tributary_attribution::format::{self as index_format, CHECKSUM_AT};
use tributary_attribution::influence::sketch::{self, InfluenceSketch};
use tributary_attribution::SuffixIndex;

/// Writes `image` to a scratch file, runs `open` on its path, and removes the file.
fn with_file(name: &str, image: &[u8], open: impl FnOnce(&std::path::Path)) {
	let path: PathBuf = crate::scratch::dir().join(name);
	std::fs::write(&path, image).unwrap();
	open(&path);
	std::fs::remove_file(&path).unwrap();
}

pub fn suffix_index(data: &[u8]) {
	with_file("index", data, open_index);
	if data.len() >= index_format::HEADER_LEN {
		let mut sealed = data.to_vec();
		let checksum = index_format::checksum(&sealed);
		sealed[CHECKSUM_AT..index_format::HEADER_LEN].copy_from_slice(&checksum);
		with_file("index", &sealed, open_index);
	}
}

/// Opens an index and, when it is accepted, asks it everything the span attribution asks.
fn open_index(path: &std::path::Path) {
	let Ok(index) = SuffixIndex::open(path) else { return };
	let rows = index.row_count();
	assert!(rows > 0 && index.token_count() < index.full_range().end);
	for rank in index.full_range().take(4096) {
		let position = index.position_at_rank(rank);
		let row = index.row_of_position(position);
		assert!(row < rows, "position {position} lies in row {row} of {rows}");
		let _ = index.row_at(row);
	}
	// Patterns of every token the corpus may hold, and runs of them, stay in bounds.
	for token in 0..64u32 {
		let count = index.count(&[token]);
		assert!(count as usize <= index.token_count());
		index.count(&[token, token.wrapping_add(1), token]);
	}
	let _ = index.find_symbols(&[2, 3, 0, 1, u32::MAX]);
}

pub fn influence_sketch(data: &[u8]) {
	with_file("sketch", data, open_sketch);
	if data.len() >= sketch::HEADER_LEN {
		let mut sealed = data.to_vec();
		sketch::seal(&mut sealed);
		with_file("sketch", &sealed, open_sketch);
	}
}

/// Opens a sketch for the adapter its header names and, when it is accepted, reads every vector.
fn open_sketch(path: &std::path::Path) {
	let image = std::fs::read(path).unwrap();
	let adapter: [u8; 32] = match image.get(48..80) {
		Some(bytes) => bytes.try_into().unwrap(),
		None => [0; 32],
	};
	let Ok(sketch) = InfluenceSketch::open(path, adapter) else { return };
	assert!(sketch.dimension() > 0 && !sketch.rows().is_empty());
	for row in 0..sketch.rows().len() {
		assert_eq!(sketch.vector(row).len(), sketch.dimension());
	}
	assert_eq!(sketch.to_bytes(), image, "an accepted sketch does not write back its own bytes");
}
