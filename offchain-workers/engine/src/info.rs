//! What the engine serves and within which limits.

use crate::constraint::{GrammarError, Grammars};
use std::sync::{Arc, OnceLock};
use tokenizers::Tokenizer;
use tributary_model::LlamaConfig;

/// Limits of the engine.
#[derive(Clone, Debug)]
pub struct EngineSettings {
	pub max_batch: usize,
	pub max_queue: usize,
	pub max_lora_rank: i64,
	pub device_cache_bytes: u64,
	pub host_cache_bytes: u64,
	pub kv_cache_bytes: u64,
	pub kv_block_size: i64,
	/// Share the key/value blocks of equal prompt prefixes (same adapters) between sequences.
	pub prefix_caching: bool,
	/// Grow sequences block by block and preempt the newest when the pool is full, instead of
	/// reserving prompt + max_tokens at admission.
	pub preemption: bool,
}

/// What the API needs to know about the served base model.
pub struct ModelInfo {
	pub config: LlamaConfig,
	pub tokenizer: Arc<Tokenizer>,
	/// Tokens that end a sequence.
	pub eos_tokens: Vec<u32>,
	/// Built at the first constrained request (it takes a fraction of a second).
	pub grammars: OnceLock<Result<Arc<Grammars>, GrammarError>>,
}

impl ModelInfo {
	/// What constrained decoding needs of the served tokenizer.
	pub fn grammars(&self) -> Result<Arc<Grammars>, GrammarError> {
		self.grammars
			.get_or_init(|| Grammars::new(&self.tokenizer, &self.eos_tokens).map(Arc::new))
			.clone()
	}
}
