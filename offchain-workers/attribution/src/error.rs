//! Errors of the attribution engine, each naming what to fix.

use std::path::PathBuf;
use tributary_primitives::hex;

use tributary_primitives::{attribution::RowRef, ContentHash};

#[derive(Debug, thiserror::Error)]
pub enum AttributionError {
	#[error("the corpus has no rows: attribution needs the rows the model was trained on")]
	EmptyCorpus,

	#[error(
		"row {row:?} does not match its hash: claimed {}, bytes hash to {}; refetch the row from the store",
		hex::encode(.claimed),
		hex::encode(.actual)
	)]
	RowHashMismatch { row: RowRef, claimed: ContentHash, actual: ContentHash },

	#[error("row {0:?} is listed twice in the corpus")]
	DuplicateRow(RowRef),

	#[error("the corpus has {tokens} tokens in {rows} rows; an index holds at most {limit}")]
	CorpusTooLarge { tokens: u64, rows: u64, limit: u64 },

	#[error("tokenizer failed: {0}")]
	Tokenizer(String),

	#[error("index file {path}: {source}")]
	Io { path: PathBuf, source: std::io::Error },

	#[error("index file {path} is corrupt ({reason}); rebuild it from the corpus")]
	CorruptIndex { path: PathBuf, reason: String },

	#[error("index file {path} is truncated: {actual} bytes, the header announces {expected}; rebuild it")]
	TruncatedIndex { path: PathBuf, expected: u64, actual: u64 },

	#[error("index file {path} has format version {found}; this build reads version {supported}")]
	UnsupportedIndexVersion { path: PathBuf, found: u32, supported: u32 },

	#[error(
		"index {} was built from other inputs than expected ({}); rebuild it for this corpus",
		hex::encode(.found),
		hex::encode(.expected)
	)]
	IndexMismatch { expected: ContentHash, found: ContentHash },

	#[error("invalid parameter: {0}")]
	InvalidParameter(&'static str),

	#[error("model or adapter: {0}")]
	Model(String),

	#[error("the model has no LoRA adapter installed: gradient influence is computed on adapter parameters")]
	NoAdapterInstalled,

	#[error("influence attribution needs the answer's adapter hash; the answer names none")]
	AdapterRequired,

	#[error(
		"the {what} is {}, expected {}; use the files this record or sketch was made from",
		hex::encode(.found),
		hex::encode(.expected)
	)]
	HashMismatch { what: &'static str, expected: ContentHash, found: ContentHash },

	#[error("token {token} is outside the model's vocabulary of {vocab}; tokenize with the model's tokenizer")]
	TokenOutOfVocabulary { token: u32, vocab: u64 },

	#[error("the output has fewer than 2 tokens: influence needs at least one predicted token")]
	OutputTooShort,

	#[error("sketch file {path} is corrupt ({reason}); rebuild it from the adapter and its rows")]
	CorruptSketch { path: PathBuf, reason: String },

	#[error("sketch file {path} is truncated: {actual} bytes, the header announces {expected}; rebuild it")]
	TruncatedSketch { path: PathBuf, expected: u64, actual: u64 },

	#[error("sketch file {path} has format version {found}; this build reads version {supported}")]
	UnsupportedSketchVersion { path: PathBuf, found: u32, supported: u32 },

	#[error(
		"sketch file {path} was computed for adapter {}, not for adapter {}; build a sketch for this adapter",
		hex::encode(.found),
		hex::encode(.expected)
	)]
	SketchAdapterMismatch { path: PathBuf, expected: ContentHash, found: ContentHash },

	#[error(
		"the sketch's adapted modules or rank differ from the model's adapter; rebuild the sketch"
	)]
	SketchModelMismatch,
}
