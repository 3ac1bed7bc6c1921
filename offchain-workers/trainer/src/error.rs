//! Errors of a training or evaluation run.

use std::path::PathBuf;
use tributary_model::ModelError;

#[derive(Debug, thiserror::Error)]
pub enum TrainerError {
	#[error(transparent)]
	Store(#[from] tributary_store::StoreError),
	#[error(transparent)]
	Model(#[from] ModelError),
	#[error("the adapter's weights hash to {actual}, not the expected {expected}: it is another adapter")]
	AdapterHashMismatch { expected: String, actual: String },
	#[error("need at least {needed} usable rows to hold one out for eval and train on the rest, got {got}: add rows (empty, non-UTF-8, duplicate and unrenderable rows do not count)")]
	NotEnoughRows { needed: usize, got: usize },
	#[error("the {split} split has no token to learn from (fewer than 2 tokens, or every reply cut off by the sequence length): add rows or raise the sequence length")]
	NotEnoughTokens { split: &'static str },
	#[error("invalid training settings: {0}")]
	InvalidSettings(String),
	#[error("tokenizer error: {0}")]
	Tokenizer(String),
	#[error("no readable text under {0:?}")]
	NoText(Vec<PathBuf>),
	#[error("output directory {0} already exists and is not empty; choose a new one")]
	OutputExists(PathBuf),
	#[error("cannot write {path}: {source}")]
	Io { path: PathBuf, source: std::io::Error },
	#[error(
		"the checkpoint in {dir} cannot be resumed: {reason}; remove the directory to train from \
		 the start"
	)]
	InvalidCheckpoint { dir: PathBuf, reason: String },
	#[error("torch error: {0}")]
	Torch(#[from] tch::TchError),
}

impl TrainerError {
	pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> TrainerError {
		let path = path.into();
		move |source| TrainerError::Io { path, source }
	}
}

pub type Result<T> = std::result::Result<T, TrainerError>;
