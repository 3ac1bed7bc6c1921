//! The key/value cache of one sequence's autoregressive decoding.

use crate::config::LlamaConfig;
use tch::Tensor;

/// Keys and values of the positions decoded so far, per layer: each [b, kv_heads, len, head_dim].
#[derive(Debug)]
pub struct KvCache {
	layers: Vec<(Tensor, Tensor)>,
	len: i64,
}

impl KvCache {
	pub fn new(config: &LlamaConfig) -> KvCache {
		let empty = || (Tensor::new(), Tensor::new());
		KvCache { layers: (0..config.num_hidden_layers).map(|_| empty()).collect(), len: 0 }
	}

	/// Positions already in the cache.
	pub fn len(&self) -> i64 {
		self.len
	}

	pub fn is_empty(&self) -> bool {
		self.len == 0
	}

	pub(crate) fn layer_mut(&mut self, layer: usize) -> &mut (Tensor, Tensor) {
		&mut self.layers[layer]
	}

	pub(crate) fn advance(&mut self, tokens: i64) {
		self.len += tokens;
	}
}
