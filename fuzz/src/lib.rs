//! The fuzz targets' logic, one module per input family. The same functions run under libFuzzer
//! (`fuzz_targets/`, built by cargo-fuzz: `scripts/fuzz.sh`) and over the corpus kept in
//! `fuzz/corpus/` in the workspace tests (`tests/corpus.rs`), so an input that once crashed a
//! target stays a test.
//!
//! Each target panics only on a defect: a parser that panics, a value that decodes but does not
//! encode back to its bytes, a server error or a dropped connection, a broken pallet invariant.

pub mod adapter;
pub mod attribution_files;
pub mod pallet_calls;
pub mod scale_receipts;
pub mod scratch;
pub mod sidecar_json;

/// A target: the name of its binary and corpus folder, and its entry point.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, in the order `scripts/fuzz.sh` runs them.
pub const TARGETS: [Target; 6] = [
	("adapter", adapter::run),
	("suffix_index", attribution_files::suffix_index),
	("influence_sketch", attribution_files::influence_sketch),
	("scale_receipts", scale_receipts::run),
	("sidecar_json", sidecar_json::run),
	("pallet_calls", pallet_calls::run),
];
