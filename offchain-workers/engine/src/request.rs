//! What a caller submits to the engine and what it gets back.

use tokio::sync::mpsc::UnboundedSender;
use tributary_model::peft::AdapterConfig;
use tributary_primitives::ContentHash;

/// How the next token is chosen. Temperature 0 is greedy decoding.
#[derive(Clone, Debug, PartialEq)]
pub struct SamplingParams {
	pub temperature: f64,
	pub top_p: f64,
	pub top_k: Option<i64>,
	/// Each sequence draws from its own generator, so a seed replays whatever shares the batch.
	pub seed: u64,
}

/// One adapter of a request, with the weight of its delta (1 for a plain fine-tuned model).
#[derive(Clone, Debug)]
pub struct AdapterUse {
	pub hash: ContentHash,
	pub config: AdapterConfig,
	pub weight: f64,
}

pub struct GenerationRequest {
	pub prompt: Vec<u32>,
	/// Empty: the base model alone.
	pub adapters: Vec<AdapterUse>,
	pub sampling: SamplingParams,
	pub max_tokens: usize,
	/// Generation ends before the first occurrence of any of these; the text stops short of it.
	pub stop: Vec<String>,
	pub events: UnboundedSender<Event>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinishReason {
	/// An end-of-sequence token or a stop sequence.
	Stop,
	/// max_tokens or the context limit.
	Length,
}

impl FinishReason {
	pub fn as_openai(self) -> &'static str {
		match self {
			FinishReason::Stop => "stop",
			FinishReason::Length => "length",
		}
	}
}

#[derive(Clone, Debug)]
pub struct Finished {
	pub reason: FinishReason,
	pub prompt_tokens: usize,
	/// Generated token ids, including an end-of-sequence token that ended decoding.
	pub tokens: Vec<u32>,
}

/// Streamed to the caller: text pieces in order, then exactly one `Done` or `Failed`.
#[derive(Clone, Debug)]
pub enum Event {
	Text(String),
	Done(Finished),
	Failed(EngineError),
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EngineError {
	#[error("the request queue is full ({0} waiting); retry later")]
	QueueFull(usize),
	#[error("adapter {hash} is corrupt and quarantined: {reason}")]
	Quarantined { hash: String, reason: String },
	#[error("adapter {0} is not in the content store or at any peer")]
	AdapterMissing(String),
	#[error("adapter {hash} cannot be served: {reason}")]
	InvalidAdapter { hash: String, reason: String },
	#[error(
		"the request may fill {positions} positions (prompt + max_tokens) but the key/value cache holds \
		 {capacity}; lower max_tokens or raise kv_cache_bytes"
	)]
	KvCacheTooSmall { positions: i64, capacity: i64 },
	#[error("model error: {0}")]
	Model(String),
	#[error("the worker is shutting down")]
	ShuttingDown,
}
