//! Many independent sequences advanced together, each with its own key/value cache and its own
//! low-rank update: the projections run once for the whole batch (one base matmul) and the caller
//! adds each row's adapter delta, so requests for different adapters share one forward pass.

use super::{apply_rotary, rms_norm, rotary_at, Attention, Llama};
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
		let starts: Vec<i64> = caches.iter().map(|c| c.len()).collect();
		let positions = Tensor::from_slice(&starts).to_device(device).unsqueeze(1)
			+ Tensor::arange(t, (tch::Kind::Int64, device)).unsqueeze(0);
		let (cos, sin) = rotary_at(&self.config, &positions);
		// [rows, 1, t, head_dim]: broadcast over heads.
		let (cos, sin) = (cos.unsqueeze(1), sin.unsqueeze(1));
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
			let merged = if t == 1 && rows > 1 {
				attend_one_step(attn, &q, &k, &v, caches, i)
			} else {
				attend_each(attn, &q, &k, &v, caches, i)
			};
			h += project(i, TargetModule::O, &attn.o_proj, &merged);
			let x = rms_norm(&h, &layer.post_attention_layernorm, eps);
			let mlp = &layer.mlp;
			let gated = project(i, TargetModule::Gate, &mlp.gate_proj, &x).silu()
				* project(i, TargetModule::Up, &mlp.up_proj, &x);
			h += project(i, TargetModule::Down, &mlp.down_proj, &gated);
		}
		for cache in caches.iter_mut() {
			cache.advance(t);
		}
		let h = rms_norm(&h, &self.norm, eps);
		Ok(h.matmul(&self.lm_head.as_ref().unwrap_or(&self.embed_tokens).tr()))
	}
}

/// Each row attends over its own cache (prefill, or a single row).
fn attend_each(attn: &Attention, q: &Tensor, k: &Tensor, v: &Tensor, caches: &mut [&mut KvCache], layer: usize) -> Tensor {
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
				Some(cache.layer_mut(layer)),
				start,
			)
		})
				.collect();
	Tensor::cat(&merged, 0)
}

/// One new token per row, all rows in one attention call: the caches (of different lengths) are
/// left-padded into one [rows, kv_heads, longest + 1, head_dim] tensor and the padding masked.
/// Each row's cache then becomes its slice of that tensor.
fn attend_one_step(attn: &Attention, q: &Tensor, k: &Tensor, v: &Tensor, caches: &mut [&mut KvCache], layer: usize) -> Tensor {
	let rows = q.size()[0];
	let lens: Vec<i64> = caches.iter().map(|c| c.len()).collect();
	let longest = lens.iter().copied().max().unwrap_or(0);
	let total = longest + 1;
	let shape = [rows, attn.kv_heads, total, attn.head_dim];
	let options = (k.kind(), k.device());
	let (keys, values) = (Tensor::zeros(shape, options), Tensor::zeros(shape, options));
	for (r, cache) in caches.iter_mut().enumerate() {
		let (len, r) = (lens[r], r as i64);
		if len > 0 {
			let (cached_k, cached_v) = cache.layer_mut(layer);
			keys.narrow(0, r, 1).narrow(2, longest - len, len).f_copy_(cached_k).expect("cache shapes match");
			values.narrow(0, r, 1).narrow(2, longest - len, len).f_copy_(cached_v).expect("cache shapes match");
		}
	}
	keys.narrow(2, longest, 1).f_copy_(k).expect("new keys fit the last column");
	values.narrow(2, longest, 1).f_copy_(v).expect("new values fit the last column");
	let pads: Vec<i64> = lens.iter().map(|len| longest - len).collect();
	let pads = Tensor::from_slice(&pads).to_device(q.device()).view([rows, 1]);
	let allowed = Tensor::arange(total, (tch::Kind::Int64, q.device())).unsqueeze(0).ge_tensor(&pads).view([rows, 1, 1, total]);
	let out = Tensor::scaled_dot_product_attention(
		q,
		&attn.repeat_kv(keys.shallow_clone()),
		&attn.repeat_kv(values.shallow_clone()),
		Some(allowed),
		0.0,
		false,
		None::<f64>,
		false,
	);
	for (r, cache) in caches.iter_mut().enumerate() {
		let (len, r) = (lens[r], r as i64);
		*cache.layer_mut(layer) =
			(keys.narrow(0, r, 1).narrow(2, longest - len, len + 1), values.narrow(0, r, 1).narrow(2, longest - len, len + 1));
	}
	out.transpose(1, 2).reshape([rows, 1, attn.heads * attn.head_dim])
}
