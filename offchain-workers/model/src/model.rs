//! A Llama-architecture decoder (Touvron et al., 2023) as Hugging Face's `LlamaForCausalLM` runs it,
//! and so also `Qwen2ForCausalLM`, `MistralForCausalLM` and `GemmaForCausalLM`, which differ only
//! in what the config names (projection biases, sliding-window attention; Gemma's activation,
//! norm and embedding scales; see [`crate::config::Family`]):
//!
//! ```text
//! tokens [b, t]
//!   → embed_tokens (× √hidden for Gemma)            [b, t, hidden]
//!   → num_hidden_layers × {
//!        h = h + o_proj(attention(rope(q_proj(rms(h))), rope(k_proj(rms(h))), v_proj(rms(h))))
//!        h = h + down_proj(act(gate_proj(rms(h))) * up_proj(rms(h)))
//!     }
//!   → norm → lm_head (or embed_tokensᵀ when tied)  [b, t, vocab]
//! ```
//!
//! rms(h) = h / √(mean(h²) + ε) · w, or · (1 + w) for Gemma; act is SiLU, or Gemma's tanh GELU.
//!
//! q: [b, heads, t, head_dim]; k, v: [b, kv_heads, t, head_dim], each key/value head shared by
//! heads / kv_heads query heads (grouped-query attention). A sliding-window layer lets the query at
//! position p see keys p - window < k ≤ p only.

use crate::config::{Activation, LlamaConfig, RopeScaling};
use crate::error::{ModelError, Result};
use crate::kv_cache::KvCache;
use crate::lora::{row_norms, LoraLinear, LoraSpec, LoraWeights};
use crate::quant::FrozenWeight;
use crate::rng::SplitMix64;
use std::collections::{BTreeMap, HashMap};
use tch::{Device, Kind, Tensor};
use tributary_primitives::training::{QuantFormat, TargetModule};

mod rows;
pub use rows::RowDeltas;

/// Root-mean-square layer norm, normalized in fp32 whatever the model's dtype. Llama scales by
/// w after casting back to the model's dtype; Gemma by (`offset` + w) before (transformers'
/// `GemmaRMSNorm`), which rounds differently in bf16.
fn rms_norm(x: &Tensor, weight: &Tensor, eps: f64, offset: f64) -> Tensor {
	let xf = x.to_kind(Kind::Float);
	let mean_square = xf.square().mean_dim(-1, true, Kind::Float);
	let normed = xf * (mean_square + eps).rsqrt();
	if offset == 0.0 {
		normed.to_kind(x.kind()) * weight
	} else {
		(normed * (weight.to_kind(Kind::Float) + offset)).to_kind(x.kind())
	}
}

/// The rotary inverse frequency of each pair of head dimensions, [head_dim / 2], after the
/// config's scaling (transformers' `ROPE_INIT_FUNCTIONS`; these variants scale no attention).
fn inverse_frequencies(config: &LlamaConfig, scaling: RopeScaling) -> Vec<f64> {
	let head_dim = config.head_dim();
	let plain = (0..head_dim)
		.step_by(2)
		.map(|i| config.rope_theta.powf(-(i as f64) / head_dim as f64));
	match scaling {
		RopeScaling::Default => plain.collect(),
		RopeScaling::Linear { factor } => plain.map(|f| f / factor).collect(),
		RopeScaling::Llama3 {
			factor,
			low_freq_factor,
			high_freq_factor,
			original_max_positions,
		} => {
			let (low_wavelen, high_wavelen) = (
				original_max_positions / low_freq_factor,
				original_max_positions / high_freq_factor,
			);
			plain
				.map(|f| {
					let wavelen = 2.0 * std::f64::consts::PI / f;
					if wavelen < high_wavelen {
						f
					} else if wavelen > low_wavelen {
						f / factor
					} else {
						let smooth = (original_max_positions / wavelen - low_freq_factor)
							/ (high_freq_factor - low_freq_factor);
						(1.0 - smooth) * f / factor + smooth * f
					}
				})
				.collect()
		},
	}
}

/// Which keys each query may see, [q_len, k_len] or broadcastable: key positions `keys` [1, k] up
/// to the query's own position in `queries` [q, 1] (or [rows, t, 1]), and within `window` of it.
fn visible(keys: &Tensor, queries: &Tensor, window: Option<i64>) -> Tensor {
	let causal = keys.le_tensor(queries);
	match window {
		Some(window) => causal.logical_and(&keys.gt_tensor(&(queries - window))),
		None => causal,
	}
}

/// Rotates the two halves of each head (HF's `rotate_half` layout). x: [b, h, t, head_dim].
fn apply_rotary(x: &Tensor, cos: &Tensor, sin: &Tensor) -> Tensor {
	let half = x.size()[3] / 2;
	let x1 = x.narrow(3, 0, half);
	let x2 = x.narrow(3, half, half);
	let rotated = Tensor::cat(&[&x2.neg(), &x1], 3);
	let kind = x.kind();
	(x.to_kind(Kind::Float) * cos + rotated.to_kind(Kind::Float) * sin).to_kind(kind)
}

#[derive(Debug)]
struct Attention {
	q_proj: LoraLinear,
	k_proj: LoraLinear,
	v_proj: LoraLinear,
	o_proj: LoraLinear,
	heads: i64,
	kv_heads: i64,
	head_dim: i64,
	/// Keys older than this many positions are not seen; `None` for full attention.
	sliding_window: Option<i64>,
}

impl Attention {
	/// x: [b, t, hidden] → [b, t, hidden]. With a cache, keys and values of earlier positions are
	/// taken from it and this call's are appended.
	fn forward(
		&self,
		x: &Tensor,
		(cos, sin): (&Tensor, &Tensor),
		cache: Option<&mut (Tensor, Tensor)>,
		start: i64,
		train: bool,
	) -> Tensor {
		let (b, t) = (x.size()[0], x.size()[1]);
		let split_heads =
			|y: Tensor, heads: i64| y.view([b, t, heads, self.head_dim]).transpose(1, 2);
		let q = apply_rotary(&split_heads(self.q_proj.forward(x, train), self.heads), cos, sin);
		let k = apply_rotary(&split_heads(self.k_proj.forward(x, train), self.kv_heads), cos, sin);
		let v = split_heads(self.v_proj.forward(x, train), self.kv_heads);
		let merged = self.attend(&q, k, v, cache, start);
		self.o_proj.forward(&merged, train)
	}

	/// Shares each key/value head among its query heads: [b, kv_heads, n, d] → [b, heads, n, d].
	fn repeat_kv(&self, y: Tensor) -> Tensor {
		let group = self.heads / self.kv_heads;
		if group == 1 {
			return y;
		}
		let (b, n) = (y.size()[0], y.size()[2]);
		y.unsqueeze(2)
			.expand([b, self.kv_heads, group, n, self.head_dim], false)
			.reshape([b, self.heads, n, self.head_dim])
	}

	/// Causal attention of rotated queries q [b, heads, t, head_dim] over keys and values
	/// [b, kv_heads, t, head_dim] appended to `cache`; returns the heads merged, [b, t, heads · head_dim].
	fn attend(
		&self,
		q: &Tensor,
		mut k: Tensor,
		mut v: Tensor,
		cache: Option<&mut (Tensor, Tensor)>,
		start: i64,
	) -> Tensor {
		let (b, t) = (q.size()[0], q.size()[2]);
		if let Some((cached_k, cached_v)) = cache {
			if cached_k.defined() {
				k = Tensor::cat(&[&*cached_k, &k], 2);
				v = Tensor::cat(&[&*cached_v, &v], 2);
			}
			*cached_k = k.shallow_clone();
			*cached_v = v.shallow_clone();
		}
		let total = k.size()[2];
		let (k, v) = (self.repeat_kv(k), self.repeat_kv(v));
		// From position 0 the mask is plain causal and a single query sees every cached key,
		// unless a sliding window hides some keys.
		let window = self.sliding_window.filter(|window| total > *window);
		let out = if window.is_none() && (start == 0 || t == 1) {
			Tensor::scaled_dot_product_attention(
				q,
				&k,
				&v,
				None::<Tensor>,
				0.0,
				start == 0 && t > 1,
				None::<f64>,
				false,
			)
		} else {
			// Query i sits at position start + i and may see keys 0..=start + i.
			let query_pos =
				Tensor::arange_start(start, start + t, (Kind::Int64, q.device())).unsqueeze(1);
			let key_pos = Tensor::arange(total, (Kind::Int64, q.device())).unsqueeze(0);
			let allowed = visible(&key_pos, &query_pos, window);
			Tensor::scaled_dot_product_attention(
				q,
				&k,
				&v,
				Some(allowed),
				0.0,
				false,
				None::<f64>,
				false,
			)
		};
		out.transpose(1, 2).reshape([b, t, self.heads * self.head_dim])
	}
}

#[derive(Debug)]
struct Mlp {
	gate_proj: LoraLinear,
	up_proj: LoraLinear,
	down_proj: LoraLinear,
	activation: Activation,
}

impl Mlp {
	fn forward(&self, x: &Tensor, train: bool) -> Tensor {
		let gated =
			self.activate(&self.gate_proj.forward(x, train)) * self.up_proj.forward(x, train);
		self.down_proj.forward(&gated, train)
	}

	fn activate(&self, gate: &Tensor) -> Tensor {
		match self.activation {
			Activation::Silu => gate.silu(),
			Activation::GeluTanh => gate.gelu("tanh"),
		}
	}
}

#[derive(Debug)]
struct DecoderLayer {
	input_layernorm: Tensor,
	attn: Attention,
	post_attention_layernorm: Tensor,
	mlp: Mlp,
}

/// A Llama decoder with its weights.
#[derive(Debug)]
pub struct Llama {
	pub config: LlamaConfig,
	/// [vocab, hidden]
	embed_tokens: Tensor,
	layers: Vec<DecoderLayer>,
	/// [hidden]
	norm: Tensor,
	/// [vocab, hidden]; `None` when tied to `embed_tokens`.
	lm_head: Option<Tensor>,
	/// [head_dim / 2] rotary inverse frequencies, scaled as the config says.
	inv_freq: Vec<f64>,
	lora: Option<LoraSpec>,
}

/// Whether projection `module` has a bias in this config's family.
fn has_bias(config: &LlamaConfig, module: TargetModule) -> bool {
	match module {
		TargetModule::Q | TargetModule::K | TargetModule::V => config.qkv_bias(),
		TargetModule::O => config.o_bias(),
		TargetModule::Gate | TargetModule::Up | TargetModule::Down => config.mlp_bias,
	}
}

/// The HF name of a decoder-layer projection: `model.layers.{i}.self_attn.q_proj`.
pub fn module_path(layer: usize, module: TargetModule) -> String {
	let block = match module {
		TargetModule::Q | TargetModule::K | TargetModule::V | TargetModule::O => "self_attn",
		TargetModule::Gate | TargetModule::Up | TargetModule::Down => "mlp",
	};
	format!("model.layers.{layer}.{block}.{}", module.hf_name())
}

impl Llama {
	/// Builds the model from HF-named tensors, checking every expected tensor's shape. Unknown
	/// tensors (e.g. precomputed rotary tables of old checkpoints) are ignored.
	pub fn from_weights(
		config: LlamaConfig,
		mut weights: HashMap<String, Tensor>,
	) -> Result<Llama> {
		config.validate()?;
		let hidden = config.hidden_size;
		let q_out = config.num_attention_heads * config.head_dim();
		let kv_out = config.kv_heads() * config.head_dim();
		let mut take = |name: &str, shape: &[i64]| -> Result<Tensor> {
			let tensor = weights
				.remove(name)
				.ok_or_else(|| ModelError::MissingTensor { name: name.into() })?;
			if tensor.size() != shape {
				return Err(ModelError::ShapeMismatch {
					name: name.into(),
					expected: shape.to_vec(),
					found: tensor.size(),
				});
			}
			Ok(tensor)
		};
		let embed_tokens = take("model.embed_tokens.weight", &[config.vocab_size, hidden])?;
		let mut layers = Vec::with_capacity(config.num_hidden_layers as usize);
		for i in 0..config.num_hidden_layers as usize {
			let mut linear = |module, shape: &[i64]| -> Result<LoraLinear> {
				let path = module_path(i, module);
				let weight = take(&format!("{path}.weight"), shape)?;
				let bias = has_bias(&config, module)
					.then(|| take(&format!("{path}.bias"), &shape[..1]))
					.transpose()?;
				Ok(LoraLinear::new(weight, bias))
			};
			let attn = Attention {
				q_proj: linear(TargetModule::Q, &[q_out, hidden])?,
				k_proj: linear(TargetModule::K, &[kv_out, hidden])?,
				v_proj: linear(TargetModule::V, &[kv_out, hidden])?,
				o_proj: linear(TargetModule::O, &[hidden, q_out])?,
				heads: config.num_attention_heads,
				kv_heads: config.kv_heads(),
				head_dim: config.head_dim(),
				sliding_window: config.sliding_window_of(i),
			};
			let mlp = Mlp {
				gate_proj: linear(TargetModule::Gate, &[config.intermediate_size, hidden])?,
				up_proj: linear(TargetModule::Up, &[config.intermediate_size, hidden])?,
				down_proj: linear(TargetModule::Down, &[hidden, config.intermediate_size])?,
				activation: config.activation()?,
			};
			let input_layernorm =
				take(&format!("model.layers.{i}.input_layernorm.weight"), &[hidden])?;
			let post_attention_layernorm =
				take(&format!("model.layers.{i}.post_attention_layernorm.weight"), &[hidden])?;
			layers.push(DecoderLayer { input_layernorm, attn, post_attention_layernorm, mlp });
		}
		let norm = take("model.norm.weight", &[hidden])?;
		let lm_head = if config.tie_word_embeddings {
			None
		} else {
			Some(take("lm_head.weight", &[config.vocab_size, hidden])?)
		};
		let inv_freq = inverse_frequencies(&config, config.rope_scaling()?);
		Ok(Llama { config, embed_tokens, layers, norm, lm_head, inv_freq, lora: None })
	}

	/// A freshly initialised model (normal(0, 0.02) projections and embeddings, unit norms), the
	/// starting point of pretraining and of tests. The same seed always gives the same weights.
	pub fn random(config: LlamaConfig, seed: u64, device: Device) -> Result<Llama> {
		config.validate()?;
		let mut rng = SplitMix64(seed);
		let weights = Self::weight_shapes(&config)
			.into_iter()
			.map(|(name, shape)| {
				let tensor = if name.ends_with("norm.weight") {
					// A unit scale: w = 1, or Gemma's w = 0 (it scales by 1 + w).
					Tensor::full(
						shape.as_slice(),
						1.0 - config.norm_weight_offset(),
						(Kind::Float, device),
					)
				} else {
					rng.normal(&shape, 0.02, device)
				};
				(name, tensor)
			})
			.collect();
		Self::from_weights(config, weights)
	}

	/// Every tensor of the HF checkpoint with its shape, in a fixed order.
	pub fn weight_shapes(config: &LlamaConfig) -> Vec<(String, Vec<i64>)> {
		let hidden = config.hidden_size;
		let q_out = config.num_attention_heads * config.head_dim();
		let kv_out = config.kv_heads() * config.head_dim();
		let mut shapes =
			vec![("model.embed_tokens.weight".to_string(), vec![config.vocab_size, hidden])];
		for i in 0..config.num_hidden_layers as usize {
			for (module, shape) in [
				(TargetModule::Q, vec![q_out, hidden]),
				(TargetModule::K, vec![kv_out, hidden]),
				(TargetModule::V, vec![kv_out, hidden]),
				(TargetModule::O, vec![hidden, q_out]),
				(TargetModule::Gate, vec![config.intermediate_size, hidden]),
				(TargetModule::Up, vec![config.intermediate_size, hidden]),
				(TargetModule::Down, vec![hidden, config.intermediate_size]),
			] {
				let path = module_path(i, module);
				if has_bias(config, module) {
					shapes.push((format!("{path}.bias"), shape[..1].to_vec()));
				}
				shapes.push((format!("{path}.weight"), shape));
			}
			shapes.push((format!("model.layers.{i}.input_layernorm.weight"), vec![hidden]));
			shapes
				.push((format!("model.layers.{i}.post_attention_layernorm.weight"), vec![hidden]));
		}
		shapes.push(("model.norm.weight".to_string(), vec![hidden]));
		if !config.tie_word_embeddings {
			shapes.push(("lm_head.weight".to_string(), vec![config.vocab_size, hidden]));
		}
		shapes
	}

	/// cos and sin of the rotary angles of any positions tensor [..]: each [.., head_dim].
	fn rotary_at(&self, positions: &Tensor) -> (Tensor, Tensor) {
		let device = positions.device();
		let inv_freq = Tensor::from_slice(&self.inv_freq).to_kind(Kind::Float).to_device(device);
		let freqs = positions.to_kind(Kind::Float).unsqueeze(-1) * inv_freq;
		let angles = Tensor::cat(&[&freqs, &freqs], -1);
		(angles.cos(), angles.sin())
	}

	/// The frozen weight [out, in] of projection `module` in decoder layer `layer`, dequantized;
	/// `None` past the last layer.
	pub fn projection_weight(&self, layer: usize, module: TargetModule) -> Option<Tensor> {
		self.linears()
			.find(|(i, m, _)| *i == layer && *m == module)
			.map(|(_, _, linear)| linear.weight.dequantize())
	}

	pub fn device(&self) -> Device {
		self.embed_tokens.device()
	}

	/// The token embeddings of `input_ids` [b, t] → [b, t, hidden], times the family's scale
	/// rounded to the embeddings' dtype first (as transformers' Gemma: √2048 is 45.25 in bf16).
	fn embed(&self, input_ids: &Tensor) -> Tensor {
		let h = Tensor::embedding(&self.embed_tokens, input_ids, -1, false, false);
		match self.config.embedding_scale() {
			Some(scale) => {
				let scale = Tensor::from(scale).to_kind(h.kind()).to_device(h.device());
				h * scale
			},
			None => h,
		}
	}

	/// The family's RMSNorm of `x` with `weight`.
	fn rms_norm(&self, x: &Tensor, weight: &Tensor) -> Tensor {
		rms_norm(x, weight, self.config.rms_norm_eps, self.config.norm_weight_offset())
	}

	/// Logits [.., vocab] of final hidden states [.., hidden] (after the last norm).
	pub fn logits(&self, hidden: &Tensor) -> Tensor {
		hidden.matmul(&self.lm_head.as_ref().unwrap_or(&self.embed_tokens).tr())
	}

	/// The kind of the hidden states (and so of cached keys and values).
	pub fn activation_kind(&self) -> Kind {
		self.embed_tokens.kind()
	}

	fn linears(&self) -> impl Iterator<Item = (usize, TargetModule, &LoraLinear)> {
		self.layers.iter().enumerate().flat_map(|(i, layer)| {
			[
				(TargetModule::Q, &layer.attn.q_proj),
				(TargetModule::K, &layer.attn.k_proj),
				(TargetModule::V, &layer.attn.v_proj),
				(TargetModule::O, &layer.attn.o_proj),
				(TargetModule::Gate, &layer.mlp.gate_proj),
				(TargetModule::Up, &layer.mlp.up_proj),
				(TargetModule::Down, &layer.mlp.down_proj),
			]
			.into_iter()
			.map(move |(m, l)| (i, m, l))
		})
	}

	fn linears_mut(&mut self) -> impl Iterator<Item = (usize, TargetModule, &mut LoraLinear)> {
		self.layers.iter_mut().enumerate().flat_map(|(i, layer)| {
			[
				(TargetModule::Q, &mut layer.attn.q_proj),
				(TargetModule::K, &mut layer.attn.k_proj),
				(TargetModule::V, &mut layer.attn.v_proj),
				(TargetModule::O, &mut layer.attn.o_proj),
				(TargetModule::Gate, &mut layer.mlp.gate_proj),
				(TargetModule::Up, &mut layer.mlp.up_proj),
				(TargetModule::Down, &mut layer.mlp.down_proj),
			]
			.into_iter()
			.map(move |(m, l)| (i, m, l))
		})
	}

	/// The HF-named full-precision tensors of the base model (what `model.safetensors` holds).
	pub fn hf_weights(&self) -> Result<BTreeMap<String, Tensor>> {
		let mut weights = BTreeMap::new();
		weights.insert("model.embed_tokens.weight".to_string(), self.embed_tokens.shallow_clone());
		for (i, module, linear) in self.linears() {
			let FrozenWeight::Full(w) = &linear.weight else {
				return Err(ModelError::QuantizedWeight(module_path(i, module)));
			};
			if linear.is_merged() {
				return Err(ModelError::InvalidLora(format!(
					"{} has a merged adapter; unmerge before saving the base weights",
					module_path(i, module)
				)));
			}
			let path = module_path(i, module);
			weights.insert(format!("{path}.weight"), w.shallow_clone());
			if let Some(bias) = &linear.bias {
				weights.insert(format!("{path}.bias"), bias.shallow_clone());
			}
		}
		for (i, layer) in self.layers.iter().enumerate() {
			weights.insert(
				format!("model.layers.{i}.input_layernorm.weight"),
				layer.input_layernorm.shallow_clone(),
			);
			weights.insert(
				format!("model.layers.{i}.post_attention_layernorm.weight"),
				layer.post_attention_layernorm.shallow_clone(),
			);
		}
		weights.insert("model.norm.weight".to_string(), self.norm.shallow_clone());
		if let Some(lm_head) = &self.lm_head {
			weights.insert("lm_head.weight".to_string(), lm_head.shallow_clone());
		}
		Ok(weights)
	}

	/// A copy of the base model (no adapter, not quantized) with every weight on `device` in
	/// `kind`: the same weights served in another precision or on another device.
	pub fn converted(&self, kind: Kind, device: Device) -> Result<Llama> {
		let weights = self
			.hf_weights()?
			.into_iter()
			.map(|(name, tensor)| (name, tensor.detach().to_device(device).to_kind(kind)))
			.collect();
		Llama::from_weights(self.config.clone(), weights)
	}

	/// Makes every base weight a trainable leaf (pretraining) and returns them.
	pub fn base_parameters_for_training(&mut self) -> Result<Vec<Tensor>> {
		let weights = self.hf_weights()?;
		Ok(weights.values().map(|w| w.set_requires_grad(true)).collect())
	}

	/// Stores the decoder layers' projections quantized (QLoRA). Embeddings, norms and the LM head
	/// stay in full precision, as in QLoRA.
	pub fn quantize(&mut self, format: QuantFormat) {
		for (_, _, linear) in self.linears_mut() {
			let full = linear.weight.dequantize();
			linear.weight = FrozenWeight::quantize(&full, format);
		}
	}

	/// (stored bytes, fp32 bytes) of the decoder layers' projection weights.
	pub fn projection_weight_bytes(&self) -> (usize, usize) {
		self.linears().fold((0, 0), |(stored, fp32), (_, _, l)| {
			(stored + l.weight.stored_bytes(), fp32 + l.weight.fp32_bytes())
		})
	}

	/// Attaches fresh adapters (B = 0) to the target modules of every layer, seeded.
	pub fn add_lora(&mut self, spec: &LoraSpec, seed: u64) -> Result<()> {
		spec.validate()?;
		let mut rng = SplitMix64(seed);
		for (_, module, linear) in self.linears_mut() {
			if spec.targets.contains(module) {
				linear.attach(spec, &mut rng);
			} else {
				linear.lora = None;
			}
		}
		self.lora = Some(spec.clone());
		Ok(())
	}

	/// Installs adapter weights by module path (`model.layers.{i}.self_attn.q_proj` → (A, B)).
	/// A DoRA spec's magnitudes start at the base rows' norms; [`Llama::set_lora_magnitudes`]
	/// installs trained ones.
	pub fn set_lora(
		&mut self,
		spec: &LoraSpec,
		mut adapters: BTreeMap<String, (Tensor, Tensor)>,
	) -> Result<()> {
		spec.validate()?;
		let device = self.device();
		for (i, module, linear) in self.linears_mut() {
			let path = module_path(i, module);
			match adapters.remove(&path) {
				Some((a, b)) => {
					let weight = linear.weight.dequantize();
					let (out_f, in_f) = (weight.size()[0], weight.size()[1]);
					if a.size() != [spec.rank, in_f] || b.size() != [out_f, spec.rank] {
						return Err(ModelError::ShapeMismatch {
							name: path,
							expected: vec![spec.rank, in_f, out_f, spec.rank],
							found: [a.size(), b.size()].concat(),
						});
					}
					linear.set_adapter(LoraWeights {
						a: a.to_device(device),
						b: b.to_device(device),
						scale: spec.scale(),
						dropout: spec.dropout,
						magnitude: spec.dora.then(|| row_norms(&weight)),
					});
				},
				None if spec.targets.contains(module) => {
					return Err(ModelError::MissingTensor { name: path })
				},
				None => linear.lora = None,
			}
		}
		if let Some(extra) = adapters.keys().next() {
			return Err(ModelError::InvalidLora(format!("adapter for unknown module {extra}")));
		}
		self.lora = Some(spec.clone());
		Ok(())
	}

	/// Installs DoRA magnitudes [out] by module path, for an attached DoRA adapter.
	pub fn set_lora_magnitudes(&mut self, mut magnitudes: BTreeMap<String, Tensor>) -> Result<()> {
		if !self.lora.as_ref().is_some_and(|spec| spec.dora) {
			return Err(ModelError::InvalidLora("magnitudes need an attached DoRA adapter".into()));
		}
		for (i, module, linear) in self.linears_mut() {
			let path = module_path(i, module);
			let Some(lora) = linear.lora.as_mut() else { continue };
			let magnitude = magnitudes
				.remove(&path)
				.ok_or(ModelError::MissingTensor { name: path.clone() })?;
			let rows = lora.b.size()[0];
			if magnitude.size() != [rows] {
				return Err(ModelError::ShapeMismatch {
					name: format!("{path}.lora_magnitude_vector"),
					expected: vec![rows],
					found: magnitude.size(),
				});
			}
			let magnitude = magnitude.to_device(lora.b.device()).to_kind(Kind::Float);
			lora.magnitude = Some(magnitude.set_requires_grad(true));
		}
		match magnitudes.keys().next() {
			Some(extra) => {
				Err(ModelError::InvalidLora(format!("magnitude for unadapted module {extra}")))
			},
			None => Ok(()),
		}
	}

	/// DoRA's magnitudes [out] by module path; empty for LoRA.
	pub fn lora_magnitudes(&self) -> BTreeMap<String, Tensor> {
		self.linears()
			.filter_map(|(i, module, linear)| {
				let magnitude = linear.lora.as_ref()?.magnitude.as_ref()?;
				Some((module_path(i, module), magnitude.shallow_clone()))
			})
			.collect()
	}

	pub fn lora_spec(&self) -> Option<&LoraSpec> {
		self.lora.as_ref()
	}

	/// The adapters by module path, (A [r, in], B [out, r]).
	pub fn lora_weights(&self) -> BTreeMap<String, (Tensor, Tensor)> {
		self.linears()
			.filter_map(|(i, module, linear)| {
				linear
					.lora
					.as_ref()
					.map(|l| (module_path(i, module), (l.a.shallow_clone(), l.b.shallow_clone())))
			})
			.collect()
	}

	/// The trainable adapter tensors: A and B in module order, then DoRA's magnitudes.
	pub fn lora_parameters(&self) -> Vec<Tensor> {
		let factors = self.lora_weights().into_values().flat_map(|(a, b)| [a, b]);
		factors.chain(self.lora_magnitudes().into_values()).collect()
	}

	pub fn merge_lora(&mut self) -> Result<()> {
		self.lora.as_ref().ok_or(ModelError::NoAdapter)?;
		self.linears_mut()
			.filter(|(_, _, l)| l.lora.is_some())
			.try_for_each(|(_, _, l)| l.merge())
	}

	pub fn unmerge_lora(&mut self) -> Result<()> {
		self.lora.as_ref().ok_or(ModelError::NoAdapter)?;
		self.linears_mut()
			.filter(|(_, _, l)| l.lora.is_some())
			.try_for_each(|(_, _, l)| l.unmerge())
	}

	/// Logits [b, t, vocab] of a whole sequence batch [b, t] from position 0.
	pub fn forward(&self, input_ids: &Tensor, train: bool) -> Result<Tensor> {
		self.forward_from(input_ids, 0, None, train)
	}

	/// Logits of `input_ids` placed after the positions already in `cache`, extending the cache.
	pub fn forward_cached(&self, input_ids: &Tensor, cache: &mut KvCache) -> Result<Tensor> {
		let start = cache.len();
		let logits = self.forward_from(input_ids, start, Some(cache), false)?;
		Ok(logits)
	}

	// The residual adds make new tensors (`h = h + x`, not `h += x`): an in-place add would
	// overwrite the `h` that autograd saved for the norm's backward pass.
	#[allow(clippy::assign_op_pattern)]
	fn forward_from(
		&self,
		input_ids: &Tensor,
		start: i64,
		mut cache: Option<&mut KvCache>,
		train: bool,
	) -> Result<Tensor> {
		let t = input_ids.size()[1];
		if start + t > self.config.max_position_embeddings {
			return Err(ModelError::SequenceTooLong {
				len: start + t,
				max: self.config.max_position_embeddings,
			});
		}
		let (cos, sin) =
			self.rotary_at(&Tensor::arange_start(start, start + t, (Kind::Int64, self.device())));
		let mut h = self.embed(input_ids);
		for (i, layer) in self.layers.iter().enumerate() {
			let layer_cache = cache.as_deref_mut().map(|c| c.layer_mut(i));
			let normed = self.rms_norm(&h, &layer.input_layernorm);
			h = h + layer.attn.forward(&normed, (&cos, &sin), layer_cache, start, train);
			let normed = self.rms_norm(&h, &layer.post_attention_layernorm);
			h = h + layer.mlp.forward(&normed, train);
		}
		if let Some(cache) = cache {
			cache.advance(t);
		}
		Ok(self.logits(&self.rms_norm(&h, &self.norm)))
	}
}
