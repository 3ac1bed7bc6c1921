//! Many independent sequences advanced together, each with its own blocks of a paged key/value
//! cache and its own low-rank update: the projections run once for the whole batch (one base
//! matmul) and the caller adds each row's adapter delta, so requests for different adapters share
//! one forward pass.

use super::{apply_rotary, visible, Attention, Llama};
use crate::error::{ModelError, Result};
use crate::lora::LoraLinear;
use crate::paged::{BlockTable, PagedKvCache};
use tch::Tensor;
use tributary_primitives::training::TargetModule;

/// Per-row low-rank updates of the projections.
pub trait RowDeltas {
	/// The update of projection `module` in decoder layer `layer` for its input x [rows, t, in],
	/// whose frozen output without bias is `base` = x Wᵀ [rows, t, out] (which DoRA rescales):
	/// [rows, t, out], or `None` when no row adapts that projection.
	fn delta(
		&self,
		layer: usize,
		module: TargetModule,
		x: &Tensor,
		base: &Tensor,
	) -> Option<Tensor>;
}

impl Llama {
	/// Logits [rows, t, vocab] of `input_ids` [rows, t], row r placed after the positions already in
	/// `tables[r]` (which it extends, in `cache`'s blocks). Row r's output equals a forward of that
	/// row alone with its adapter installed, up to float rounding.
	pub fn forward_rows(
		&self,
		input_ids: &Tensor,
		cache: &mut PagedKvCache,
		tables: &mut [&mut BlockTable],
		deltas: &dyn RowDeltas,
	) -> Result<Tensor> {
		Ok(self.logits(&self.hidden_rows(input_ids, cache, tables, deltas)?))
	}

	/// The final hidden states [rows, t, hidden] (after the last norm) of what
	/// [`Llama::forward_rows`] computes: [`Llama::logits`] of them are its logits. Callers that need
	/// the logits of a few positions only (the last of a prompt) save the rest of the vocabulary
	/// projection; embeddings pool them.
	pub fn hidden_rows(
		&self,
		input_ids: &Tensor,
		cache: &mut PagedKvCache,
		tables: &mut [&mut BlockTable],
		deltas: &dyn RowDeltas,
	) -> Result<Tensor> {
		let (rows, t) = (input_ids.size()[0], input_ids.size()[1]);
		if rows != tables.len() as i64 {
			return Err(ModelError::ShapeMismatch {
				name: "block tables".into(),
				expected: vec![rows],
				found: vec![tables.len() as i64],
			});
		}
		let max = self.config.max_position_embeddings;
		for table in tables.iter() {
			let needed = table.len() + t;
			if needed > max {
				return Err(ModelError::SequenceTooLong { len: needed, max });
			}
			if needed > cache.room(table) {
				return Err(ModelError::KvBlocksFull { needed, room: cache.room(table) });
			}
		}
		let device = self.device();
		let starts: Vec<i64> = tables.iter().map(|table| table.len()).collect();
		// [rows, t]: the position of every query.
		let positions = Tensor::from_slice(&starts).to_device(device).unsqueeze(1)
			+ Tensor::arange(t, (tch::Kind::Int64, device)).unsqueeze(0);
		let (cos, sin) = self.rotary_at(&positions);
		// [rows, 1, t, head_dim]: broadcast over heads.
		let (cos, sin) = (cos.unsqueeze(1), sin.unsqueeze(1));
		let write = Tensor::from_slice(&cache.write_slots(tables, t)).to_device(device);
		let (width, read) = cache.read_slots(tables, t);
		let read = Tensor::from_slice(&read).to_device(device);
		// [rows, 1, t, width]: query i of row r (at position start_r + i) sees keys 0..=start_r + i
		// (within the window in sliding layers); the padding beyond a row's length is never seen.
		let key_positions = Tensor::arange(width, (tch::Kind::Int64, device)).view([1, 1, width]);
		let allowed =
			|window| visible(&key_positions, &positions.unsqueeze(2), window).unsqueeze(1);
		let window = self.layers.iter().find_map(|layer| layer.attn.sliding_window);
		let paging = Paging {
			write,
			read,
			width,
			allowed: allowed(None),
			sliding: window.map(|w| allowed(Some(w))),
		};
		let project = |layer: usize, module: TargetModule, linear: &LoraLinear, x: &Tensor| {
			let unbiased = linear.frozen_forward(x);
			let delta = deltas.delta(layer, module, x, &unbiased);
			let base = match &linear.bias {
				Some(bias) => unbiased + bias,
				None => unbiased,
			};
			match delta {
				Some(delta) => {
					let kind = base.kind();
					base + delta.to_kind(kind)
				},
				None => base,
			}
		};
		let mut h = self.embed(input_ids);
		for (i, layer) in self.layers.iter().enumerate() {
			let attn = &layer.attn;
			let x = self.rms_norm(&h, &layer.input_layernorm);
			let split_heads =
				|y: Tensor, heads: i64| y.view([rows, t, heads, attn.head_dim]).transpose(1, 2);
			let q = apply_rotary(
				&split_heads(project(i, TargetModule::Q, &attn.q_proj, &x), attn.heads),
				&cos,
				&sin,
			);
			let k = apply_rotary(
				&split_heads(project(i, TargetModule::K, &attn.k_proj, &x), attn.kv_heads),
				&cos,
				&sin,
			);
			let v = split_heads(project(i, TargetModule::V, &attn.v_proj, &x), attn.kv_heads);
			let merged = attend_paged(attn, &q, &k, &v, cache.layer(i), &paging);
			h += project(i, TargetModule::O, &attn.o_proj, &merged);
			let x = self.rms_norm(&h, &layer.post_attention_layernorm);
			let mlp = &layer.mlp;
			let gated = mlp.activate(&project(i, TargetModule::Gate, &mlp.gate_proj, &x))
				* project(i, TargetModule::Up, &mlp.up_proj, &x);
			h += project(i, TargetModule::Down, &mlp.down_proj, &gated);
		}
		for table in tables.iter_mut() {
			table.advance(t);
		}
		Ok(self.rms_norm(&h, &self.norm))
	}
}

/// Where one step's keys go in the pool and where every row's history is read from; the same
/// for all layers.
struct Paging {
	/// [rows · t] pool slots of the new positions.
	write: Tensor,
	/// [rows · width] pool slots of each row's positions, padded to the longest row.
	read: Tensor,
	width: i64,
	/// [rows, 1, t, width] which keys each query may see.
	allowed: Tensor,
	/// The same for the layers with a sliding window (every such layer has the config's one size).
	sliding: Option<Tensor>,
}

impl Paging {
	fn mask_of(&self, attn: &Attention) -> &Tensor {
		match (&self.sliding, attn.sliding_window) {
			(Some(sliding), Some(_)) => sliding,
			_ => &self.allowed,
		}
	}
}

/// Stores the new keys and values of every row in its blocks, then attends each row's queries
/// over its whole history, all rows in one call. q [rows, heads, t, d], k and v [rows, kv_heads,
/// t, d] → [rows, t, heads · d].
fn attend_paged(
	attn: &Attention,
	q: &Tensor,
	k: &Tensor,
	v: &Tensor,
	pool: &mut (Tensor, Tensor),
	paging: &Paging,
) -> Tensor {
	let (rows, t) = (q.size()[0], q.size()[2]);
	let (keys, values) = pool;
	let flat = |y: &Tensor| y.transpose(1, 2).reshape([rows * t, attn.kv_heads, attn.head_dim]);
	let _ = keys.index_copy_(0, &paging.write, &flat(k));
	let _ = values.index_copy_(0, &paging.write, &flat(v));
	let history = |pool: &Tensor| {
		pool.index_select(0, &paging.read)
			.view([rows, paging.width, attn.kv_heads, attn.head_dim])
			.transpose(1, 2)
	};
	let out = Tensor::scaled_dot_product_attention(
		q,
		&attn.repeat_kv(history(keys)),
		&attn.repeat_kv(history(values)),
		Some(paging.mask_of(attn)),
		0.0,
		false,
		None::<f64>,
		false,
	);
	out.transpose(1, 2).reshape([rows, t, attn.heads * attn.head_dim])
}
