//! Errors of loading, building and saving models and adapters.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
	#[error("cannot read {path}: {source}")]
	Io { path: PathBuf, source: std::io::Error },
	#[error("{path} is not a valid config: {reason}")]
	InvalidConfig { path: PathBuf, reason: String },
	#[error("unsupported architecture {found:?}: supported are {supported}")]
	UnsupportedArchitecture { found: String, supported: String },
	#[error("unsupported config setting {setting}: {reason}")]
	UnsupportedSetting { setting: String, reason: String },
	#[error("no weights in {dir}: expected model.safetensors or model.safetensors.index.json")]
	MissingWeights { dir: PathBuf },
	#[error("{path} is not a valid safetensors file: {reason}")]
	CorruptSafetensors { path: PathBuf, reason: String },
	#[error("tensor {name} has unsupported dtype {dtype}; supported: F32, BF16, F16")]
	UnsupportedDtype { name: String, dtype: String },
	#[error("checkpoint is missing tensor {name}")]
	MissingTensor { name: String },
	#[error("tensor {name} has shape {found:?}, expected {expected:?}")]
	ShapeMismatch { name: String, expected: Vec<i64>, found: Vec<i64> },
	#[error("cannot read tokenizer {path}: {reason}")]
	Tokenizer { path: PathBuf, reason: String },
	#[error("invalid LoRA settings: {0}")]
	InvalidLora(String),
	#[error("invalid PEFT adapter in {dir}: {reason}")]
	InvalidAdapter { dir: PathBuf, reason: String },
	#[error(
		"{0} is quantized: merge, unmerge and saving full weights need full-precision weights"
	)]
	QuantizedWeight(String),
	#[error("the model has no LoRA adapter attached")]
	NoAdapter,
	#[error("prompt is empty")]
	EmptyPrompt,
	#[error("sequence of {len} tokens exceeds max_position_embeddings {max}")]
	SequenceTooLong { len: i64, max: i64 },
	#[error("a sequence needs {needed} positions but its key/value blocks hold {room}")]
	KvBlocksFull { needed: i64, room: i64 },
	#[error("torch error: {0}")]
	Torch(#[from] tch::TchError),
}

impl ModelError {
	pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ModelError {
		let path = path.into();
		move |source| ModelError::Io { path, source }
	}
}

pub type Result<T> = std::result::Result<T, ModelError>;
