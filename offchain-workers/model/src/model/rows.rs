//! Many independent sequences advanced together, each with its own key/value cache and its own
//! low-rank update: the projections run once for the whole batch (one base matmul) and the caller
//! adds each row's adapter delta, so requests for different adapters share one forward pass.

use super::{apply_rotary, rms_norm, rotary_tables, Llama};
use crate::error::{ModelError, Result};
use crate::generate::KvCache;
use crate::lora::LoraLinear;
use tch::Tensor;
use tributary_primitives::training::TargetModule;

/// Per-row low-rank updates of the projections.
pub trait RowDeltas {
	/// The update of projection `module` in decoder layer `layer` for its input x [rows, t, in]:
	/// [rows, t, out], or `None` when no row adapts that projection.
	fn delta(&self, layer: usize, module: TargetModule, x: &Tensor) -> Option<Tensor>;
}

impl Llama {
	/// Logits [rows, t, vocab] of `input_ids` [rows, t], row r placed after the positions already in
	/// `caches[r]` (which it extends). Row r's output equals a forward of that row alone with its
	/// adapter installed, up to float rounding.
	pub fn forward_rows(&self, input_ids: &Tensor, caches: &mut [&mut KvCache], deltas: &dyn RowDeltas) -> Result<Tensor> {
		let (rows, t) = (input_ids.size()[0], input_ids.size()[1]);
		if rows != caches.len() as i64 {
			return Err(ModelError::ShapeMismatch {
				name: "caches".into(),
				expected: vec![rows],
				found: vec![caches.len() as i64],
			});
		}
		let max = self.config.max_position_embeddings;
		if let Some(cache) = caches.iter().find(|c| c.len() + t > max) {
			return Err(ModelError::SequenceTooLong { len: cache.len() + t, max });
		}
		let device = self.device();
		let (cos, sin): (Vec<Tensor>, Vec<Tensor>) =
			caches.iter().map(|c| rotary_tables(&self.config, c.len(), t, device)).unzip();
		// [rows, 1, t, head_dim]: broadcast over heads.
		let (cos, sin) = (Tensor::stack(&cos, 0).unsqueeze(1), Tensor::stack(&sin, 0).unsqueeze(1));
		let eps = self.config.rms_norm_eps;
		let project = |layer: usize, module: TargetModule, linear: &LoraLinear, x: &Tensor| {
			let base = linear.forward(x, false);
			match deltas.delta(layer, module, x) {
				Some(delta) => {
					let kind = base.kind();
					base + delta.to_kind(kind)
				},
				None => base,
			}
		};
		let mut h = Tensor::embedding(&self.embed_tokens, input_ids, -1, false, false);
		for (i, layer) in self.layers.iter().enumerate() {
			let attn = &layer.attn;
			let x = rms_norm(&h, &layer.input_layernorm, eps);
			let split_heads = |y: Tensor, heads: i64| y.view([rows, t, heads, attn.head_dim]).transpose(1, 2);
			let q = apply_rotary(&split_heads(project(i, TargetModule::Q, &attn.q_proj, &x), attn.heads), &cos, &sin);
			let k =
				apply_rotary(&split_heads(project(i, TargetModule::K, &attn.k_proj, &x), attn.kv_heads), &cos, &sin);
			let v = split_heads(project(i, TargetModule::V, &attn.v_proj, &x), attn.kv_heads);
			// Rows differ in length, so each attends over its own cache.
			let merged: Vec<Tensor> = caches
				.iter_mut()
				.enumerate()
				.map(|(r, cache)| {
					let r = r as i64;
					let start = cache.len();
					attn.attend(
						&q.narrow(0, r, 1),
						k.narrow(0, r, 1).contiguous(),
						v.narrow(0, r, 1).contiguous(),
						Some(cache.layer_mut(i)),
						start,
					)
				})
				.collect();
			let merged = Tensor::cat(&merged, 0);
			h = h + project(i, TargetModule::O, &attn.o_proj, &merged);
			let x = rms_norm(&h, &layer.post_attention_layernorm, eps);
			let mlp = &layer.mlp;
			let gated = project(i, TargetModule::Gate, &mlp.gate_proj, &x).silu()
				* project(i, TargetModule::Up, &mlp.up_proj, &x);
			h = h + project(i, TargetModule::Down, &mlp.down_proj, &gated);
		}
		for cache in caches.iter_mut() {
			cache.advance(t);
		}
		let h = rms_norm(&h, &self.norm, eps);
		Ok(h.matmul(&self.lm_head.as_ref().unwrap_or(&self.embed_tokens).tr()))
	}
}
