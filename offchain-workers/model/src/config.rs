//! The `config.json` of a Hugging Face checkpoint of a Llama-shaped decoder: Llama (2, 3.x,
//! SmolLM), Qwen2/2.5, Mistral and Gemma (1). They differ only in what this config names:
//! projection biases, the RoPE variant and sliding-window attention; and Gemma in its MLP's
//! activation, its norms' (1 + w) scale and its embeddings' √hidden scale. Every field is either honoured or refused by
//! [`LlamaConfig::validate`], naming the field; none is silently ignored unless it cannot change
//! what the model computes (metadata, initialisation, cache switches).

use crate::error::{ModelError, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The architecture name of project-made checkpoints, as written in `config.json`'s `architectures`.
pub const SUPPORTED_ARCHITECTURE: &str = "LlamaForCausalLM";

/// The decoder families this crate runs, told apart by `architectures` (or `model_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
	/// Llama 2/3.x and SmolLM: optional biases everywhere (`attention_bias`, `mlp_bias`).
	Llama,
	/// Qwen2/2.5: biases on the query, key and value projections; sliding window per layer.
	Qwen2,
	/// Mistral: sliding-window attention in every layer when `sliding_window` is set.
	Mistral,
	/// Gemma (1): tanh-approximated GELU in the MLP, RMSNorm scaled by (1 + w), embeddings
	/// scaled by √hidden on the way in (not on the way out through the tied LM head).
	Gemma,
}

impl Family {
	/// (family, `architectures` entry, `model_type`).
	const NAMES: [(Family, &'static str, &'static str); 4] = [
		(Family::Llama, "LlamaForCausalLM", "llama"),
		(Family::Qwen2, "Qwen2ForCausalLM", "qwen2"),
		(Family::Mistral, "MistralForCausalLM", "mistral"),
		(Family::Gemma, "GemmaForCausalLM", "gemma"),
	];

	/// The supported architectures, for error messages.
	pub fn supported() -> String {
		Self::NAMES
			.iter()
			.map(|(_, architecture, _)| *architecture)
			.collect::<Vec<_>>()
			.join(", ")
	}
}

/// The MLP's gate activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
	/// x · σ(x) (`"silu"`).
	Silu,
	/// GELU with the tanh approximation (`"gelu_pytorch_tanh"`).
	GeluTanh,
}

/// How rotary angles are derived from positions (HF's `rope_type`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RopeScaling {
	/// θ^(-2i/d) per pair of dimensions.
	Default,
	/// Every inverse frequency divided by `factor` (positions interpolated).
	Linear { factor: f64 },
	/// Llama 3.1's: long wavelengths divided by `factor`, short ones kept, a smooth ramp between.
	Llama3 { factor: f64, low_freq_factor: f64, high_freq_factor: f64, original_max_positions: f64 },
}

/// Fields that cannot change what the model computes, accepted and not used: metadata,
/// initialisation, output and cache switches of transformers, token ids used by tokenizers and
/// generation only.
const INERT_FIELDS: [&str; 16] = [
	"transformers_version",
	"initializer_range",
	"use_cache",
	"pad_token_id",
	"unk_token_id",
	"sep_token_id",
	"id2label",
	"label2id",
	"output_hidden_states",
	"output_attentions",
	"return_dict",
	"problem_type",
	"is_encoder_decoder",
	"chunk_size_feed_forward",
	"tokenizer_class",
	// Tensor-parallel slicing of the original Llama code; transformers computes the same function.
	"pretraining_tp",
];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LlamaConfig {
	#[serde(default)]
	pub architectures: Vec<String>,
	#[serde(default = "default_model_type")]
	pub model_type: String,
	pub vocab_size: i64,
	pub hidden_size: i64,
	pub intermediate_size: i64,
	pub num_hidden_layers: i64,
	pub num_attention_heads: i64,
	/// Defaults to `num_attention_heads` (plain multi-head attention) when absent.
	#[serde(default)]
	pub num_key_value_heads: Option<i64>,
	/// Defaults to `hidden_size / num_attention_heads` when absent.
	#[serde(default)]
	pub head_dim: Option<i64>,
	#[serde(default = "default_hidden_act")]
	pub hidden_act: String,
	/// Gemma configs of transformers before 4.40 name the activation here as well.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub hidden_activation: Option<String>,
	#[serde(default = "default_rms_norm_eps")]
	pub rms_norm_eps: f64,
	#[serde(default = "default_rope_theta")]
	pub rope_theta: f64,
	#[serde(default = "default_max_positions")]
	pub max_position_embeddings: i64,
	#[serde(default)]
	pub tie_word_embeddings: bool,
	#[serde(default)]
	pub attention_bias: bool,
	#[serde(default)]
	pub mlp_bias: bool,
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub rope_scaling: Option<serde_json::Value>,
	/// transformers 5's home of `rope_theta` and the RoPE variant (`rope_type`).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub rope_parameters: Option<serde_json::Value>,
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub bos_token_id: Option<u32>,
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub eos_token_id: Option<serde_json::Value>,
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub torch_dtype: Option<String>,
	/// Keys of a query see only the last `sliding_window` positions (Mistral; Qwen2 when
	/// `use_sliding_window`), in the layers [`LlamaConfig::sliding_window_of`] says.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub sliding_window: Option<i64>,
	/// Qwen2's switch for `sliding_window`.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub use_sliding_window: Option<bool>,
	/// Qwen2's first sliding layer when `layer_types` does not list them.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub max_window_layers: Option<i64>,
	/// Per layer, `"full_attention"` or `"sliding_attention"` (transformers 5).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub layer_types: Option<Vec<String>>,
	/// Dropout on attention weights while training in transformers; must be 0 here.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub attention_dropout: Option<f64>,
	/// Every other field, kept so a saved config says what the loaded one said; `validate`
	/// refuses any that is not inert.
	#[serde(flatten)]
	pub other: BTreeMap<String, serde_json::Value>,
}

fn default_model_type() -> String {
	"llama".into()
}
fn default_hidden_act() -> String {
	"silu".into()
}
fn default_rms_norm_eps() -> f64 {
	1e-6
}
fn default_rope_theta() -> f64 {
	10_000.0
}
fn default_max_positions() -> i64 {
	2048
}

impl LlamaConfig {
	/// A small config with the fields a project-made model needs; `architectures` is set.
	pub fn tiny(vocab_size: i64, hidden_size: i64, layers: i64, heads: i64, kv_heads: i64) -> Self {
		LlamaConfig {
			architectures: vec![SUPPORTED_ARCHITECTURE.into()],
			model_type: default_model_type(),
			vocab_size,
			hidden_size,
			intermediate_size: hidden_size * 8 / 3,
			num_hidden_layers: layers,
			num_attention_heads: heads,
			num_key_value_heads: Some(kv_heads),
			head_dim: None,
			hidden_act: default_hidden_act(),
			hidden_activation: None,
			rms_norm_eps: 1e-5,
			rope_theta: default_rope_theta(),
			max_position_embeddings: 1024,
			tie_word_embeddings: true,
			attention_bias: false,
			mlp_bias: false,
			rope_scaling: None,
			rope_parameters: None,
			bos_token_id: None,
			eos_token_id: None,
			torch_dtype: Some("float32".into()),
			sliding_window: None,
			use_sliding_window: None,
			max_window_layers: None,
			layer_types: None,
			attention_dropout: None,
			other: BTreeMap::new(),
		}
	}

	/// Reads and validates `config.json`.
	pub fn from_file(path: &Path) -> Result<Self> {
		let text = std::fs::read_to_string(path).map_err(ModelError::io(path))?;
		let config = Self::from_json(&text).map_err(|e| ModelError::InvalidConfig {
			path: path.to_path_buf(),
			reason: e.to_string(),
		})?;
		config.validate()?;
		Ok(config)
	}

	/// Parses `config.json` as the transformers versions write it: transformers 5 keeps
	/// `rope_theta` only in `rope_parameters` and names `torch_dtype` `dtype`, and a checkpoint
	/// converted from GGUF may say `"architectures": null`.
	pub fn from_json(text: &str) -> serde_json::Result<Self> {
		let mut value: serde_json::Value = serde_json::from_str(text)?;
		if let Some(object) = value.as_object_mut() {
			if !object.contains_key("rope_theta") {
				let nested = object.get("rope_parameters").and_then(|p| p.get("rope_theta"));
				if let Some(theta) = nested.cloned() {
					object.insert("rope_theta".into(), theta);
				}
			}
			if !object.contains_key("torch_dtype") {
				if let Some(dtype) = object.remove("dtype") {
					object.insert("torch_dtype".into(), dtype);
				}
			}
			if object.get("architectures").is_some_and(serde_json::Value::is_null) {
				object.remove("architectures");
			}
		}
		serde_json::from_value(value)
	}

	/// The family `architectures` names, or `model_type` when it names none.
	pub fn family(&self) -> Result<Family> {
		let found = Family::NAMES.iter().find(|(_, architecture, model_type)| {
			if self.architectures.is_empty() {
				self.model_type == *model_type
			} else {
				self.architectures.iter().any(|a| a == architecture)
			}
		});
		found.map(|(family, _, _)| *family).ok_or_else(|| {
			let found = if self.architectures.is_empty() {
				self.model_type.clone()
			} else {
				self.architectures.join(", ")
			};
			ModelError::UnsupportedArchitecture { found, supported: Family::supported() }
		})
	}

	/// The MLP's activation: SiLU, or Gemma's tanh GELU (transformers reads Gemma's legacy
	/// `"gelu"` as that too).
	pub fn activation(&self) -> Result<Activation> {
		let gemma = self.family()? == Family::Gemma;
		let named = match &self.hidden_activation {
			Some(name) if gemma => name,
			Some(name) => {
				return Err(ModelError::UnsupportedSetting {
					setting: "hidden_activation".into(),
					reason: format!("{name:?}: a Gemma field, this is not a Gemma checkpoint"),
				})
			},
			None => &self.hidden_act,
		};
		match named.as_str() {
			"silu" if !gemma => Ok(Activation::Silu),
			"gelu_pytorch_tanh" | "gelu" if gemma => Ok(Activation::GeluTanh),
			other => Err(ModelError::UnsupportedSetting {
				setting: if self.hidden_activation.is_some() {
					"hidden_activation"
				} else {
					"hidden_act"
				}
				.into(),
				reason: format!(
					"{other:?}: {} is supported",
					if gemma { "\"gelu_pytorch_tanh\" (or \"gelu\")" } else { "\"silu\"" }
				),
			}),
		}
	}

	/// What RMSNorm adds to its learned weight before scaling: 1 for Gemma, whose checkpoints
	/// store w − 1, else 0.
	pub fn norm_weight_offset(&self) -> f64 {
		if self.family().is_ok_and(|family| family == Family::Gemma) {
			1.0
		} else {
			0.0
		}
	}

	/// The factor token embeddings are scaled by before the first layer: √hidden for Gemma.
	pub fn embedding_scale(&self) -> Option<f64> {
		self.family()
			.is_ok_and(|family| family == Family::Gemma)
			.then(|| (self.hidden_size as f64).sqrt())
	}

	/// Whether the query, key and value projections have biases (Qwen2 always does).
	pub fn qkv_bias(&self) -> bool {
		self.attention_bias || self.family().is_ok_and(|family| family == Family::Qwen2)
	}

	/// Whether the output projection has a bias.
	pub fn o_bias(&self) -> bool {
		self.attention_bias
	}

	/// The sliding window of decoder layer `layer`, `None` when it attends to every earlier position.
	pub fn sliding_window_of(&self, layer: usize) -> Option<i64> {
		let family = self.family().ok()?;
		let window = match family {
			Family::Llama | Family::Gemma => None,
			Family::Mistral => self.sliding_window,
			// transformers' Qwen2Config: the window only with use_sliding_window, in the layers
			// `layer_types` names or else from `max_window_layers` on.
			Family::Qwen2 => self.sliding_window.filter(|_| self.use_sliding_window == Some(true)),
		}?;
		let sliding = match &self.layer_types {
			Some(types) => types.get(layer).is_some_and(|t| t == "sliding_attention"),
			// Qwen2Config's default bound.
			None if family == Family::Qwen2 => layer as i64 >= self.max_window_layers.unwrap_or(28),
			None => true,
		};
		sliding.then_some(window)
	}

	/// The RoPE variant: `rope_scaling` when set (as transformers reads it), else `rope_parameters`.
	pub fn rope_scaling(&self) -> Result<RopeScaling> {
		let unsupported = |reason: String| ModelError::UnsupportedSetting {
			setting: "rope_scaling".into(),
			reason,
		};
		let source = [&self.rope_scaling, &self.rope_parameters]
			.into_iter()
			.flatten()
			.find(|value| !value.is_null());
		let Some(parameters) = source else { return Ok(RopeScaling::Default) };
		let kind = parameters.get("rope_type").or_else(|| parameters.get("type"));
		let kind = kind.and_then(serde_json::Value::as_str).unwrap_or("default");
		if let Some(partial) = parameters.get("partial_rotary_factor").and_then(|v| v.as_f64()) {
			if partial != 1.0 {
				return Err(unsupported(format!(
					"partial_rotary_factor {partial}: only rotary embeddings over the whole head"
				)));
			}
		}
		let number = |name: &str| -> Result<f64> {
			parameters
				.get(name)
				.and_then(serde_json::Value::as_f64)
				.ok_or_else(|| unsupported(format!("rope_type {kind:?} needs a number \"{name}\"")))
		};
		match kind {
			"default" => Ok(RopeScaling::Default),
			"linear" => Ok(RopeScaling::Linear { factor: number("factor")? }),
			"llama3" => Ok(RopeScaling::Llama3 {
				factor: number("factor")?,
				low_freq_factor: number("low_freq_factor")?,
				high_freq_factor: number("high_freq_factor")?,
				original_max_positions: number("original_max_position_embeddings")
					.unwrap_or(self.max_position_embeddings as f64),
			}),
			other => Err(unsupported(format!(
				"rope_type {other:?}: supported are \"default\", \"linear\" and \"llama3\""
			))),
		}
	}

	/// Refuses checkpoints this implementation would run wrongly rather than fail loudly.
	pub fn validate(&self) -> Result<()> {
		let family = self.family()?;
		let unsupported = |setting: &str, reason: String| {
			Err(ModelError::UnsupportedSetting { setting: setting.into(), reason })
		};
		// `_`-prefixed keys are transformers' bookkeeping; `dtype` is `torch_dtype`'s new name; a
		// null says the field is unset.
		let not_inert = |(key, value): &(&String, &serde_json::Value)| {
			!INERT_FIELDS.contains(&key.as_str())
				&& !key.starts_with('_')
				&& key.as_str() != "dtype"
				&& !value.is_null()
		};
		if let Some((field, _)) = self.other.iter().find(not_inert) {
			return unsupported(
				field,
				format!("{family:?} checkpoints with this field are not supported by this implementation"),
			);
		}
		self.activation()?;
		let biases_named = match family {
			Family::Llama => false,
			// GemmaAttention reads `attention_bias`; its MLP has no biases.
			Family::Gemma => self.mlp_bias,
			Family::Qwen2 | Family::Mistral => self.attention_bias || self.mlp_bias,
		};
		if biases_named {
			return unsupported(
				"attention_bias/mlp_bias",
				format!("{family:?} decides these biases itself; they are Llama's switches"),
			);
		}
		if let Some(dropout) = self.attention_dropout.filter(|dropout| *dropout != 0.0) {
			return unsupported(
				"attention_dropout",
				format!("{dropout}: attention-weight dropout is not implemented, only 0"),
			);
		}
		if let Some(window) = self.sliding_window.filter(|window| *window <= 0) {
			return unsupported("sliding_window", format!("{window} must be positive"));
		}
		if let Some(types) = &self.layer_types {
			if types.len() as i64 != self.num_hidden_layers {
				return unsupported(
					"layer_types",
					format!("{} entries for {} layers", types.len(), self.num_hidden_layers),
				);
			}
			if let Some(other) =
				types.iter().find(|t| *t != "full_attention" && *t != "sliding_attention")
			{
				return unsupported(
					"layer_types",
					format!("{other:?}: only \"full_attention\" and \"sliding_attention\""),
				);
			}
		}
		self.rope_scaling()?;
		let nested = self.rope_parameters.as_ref().and_then(|p| p.get("rope_theta"));
		if let Some(theta) = nested
			.and_then(serde_json::Value::as_f64)
			.filter(|theta| *theta != self.rope_theta)
		{
			return unsupported(
				"rope_theta",
				format!(
					"rope_parameters.rope_theta {theta} contradicts rope_theta {}",
					self.rope_theta
				),
			);
		}
		let positive = [
			("vocab_size", self.vocab_size),
			("hidden_size", self.hidden_size),
			("intermediate_size", self.intermediate_size),
			("num_hidden_layers", self.num_hidden_layers),
			("num_attention_heads", self.num_attention_heads),
			("num_key_value_heads", self.kv_heads()),
		];
		for (name, value) in positive {
			if value <= 0 {
				return unsupported(name, format!("must be positive, got {value}"));
			}
		}
		if self.num_attention_heads % self.kv_heads() != 0 {
			return unsupported(
				"num_key_value_heads",
				format!(
					"{} attention heads are not a multiple of {} key/value heads",
					self.num_attention_heads,
					self.kv_heads()
				),
			);
		}
		if self.head_dim() % 2 != 0 {
			return unsupported("head_dim", "rotary embeddings need an even head dimension".into());
		}
		Ok(())
	}

	pub fn kv_heads(&self) -> i64 {
		self.num_key_value_heads.unwrap_or(self.num_attention_heads)
	}

	pub fn head_dim(&self) -> i64 {
		self.head_dim.unwrap_or(self.hidden_size / self.num_attention_heads)
	}

	/// The end-of-sequence token ids (HF allows one id or a list).
	pub fn eos_token_ids(&self) -> Vec<u32> {
		match &self.eos_token_id {
			Some(serde_json::Value::Number(n)) => {
				n.as_u64().map(|v| vec![v as u32]).unwrap_or_default()
			},
			Some(serde_json::Value::Array(ids)) => {
				ids.iter().filter_map(|v| v.as_u64()).map(|v| v as u32).collect()
			},
			_ => Vec::new(),
		}
	}

	pub fn to_json(&self) -> String {
		serde_json::to_string_pretty(self).expect("a config always serializes")
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn smollm2_json(extra: &str) -> String {
		format!(
			r#"{{"architectures": null, "model_type": "llama", "vocab_size": 49152,
			"hidden_size": 576, "intermediate_size": 1536, "num_hidden_layers": 30,
			"num_attention_heads": 9, "num_key_value_heads": 3, "dtype": "float32"{extra}}}"#
		)
	}

	#[test]
	fn transformers_5_configs_keep_their_rope_theta_and_dtype() {
		let nested = r#", "rope_parameters": {"rope_theta": 100000.0, "rope_type": "default"}"#;
		let config = LlamaConfig::from_json(&smollm2_json(nested)).unwrap();
		assert_eq!(config.rope_theta, 100_000.0);
		assert_eq!(config.torch_dtype.as_deref(), Some("float32"));
		assert!(config.architectures.is_empty(), "a null list is no list");
		config.validate().unwrap();

		let both = r#", "rope_theta": 100000.0, "rope_parameters": {"rope_theta": 100000.0}"#;
		LlamaConfig::from_json(&smollm2_json(both)).unwrap().validate().unwrap();
		let plain = LlamaConfig::from_json(&smollm2_json("")).unwrap();
		assert_eq!(plain.rope_theta, 10_000.0, "Llama's default when no theta is given");
	}

	#[test]
	fn rope_variants_are_read_from_either_field_and_unknown_ones_refused() {
		let llama3 = r#"{"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0,
			"high_freq_factor": 4.0, "original_max_position_embeddings": 8192, "rope_theta": 500000.0}"#;
		for extra in [
			format!(r#", "rope_parameters": {llama3}"#),
			format!(r#", "rope_theta": 500000.0, "rope_scaling": {llama3}"#),
		] {
			let config = LlamaConfig::from_json(&smollm2_json(&extra)).unwrap();
			config.validate().unwrap();
			assert_eq!(config.rope_theta, 500_000.0);
			assert_eq!(
				config.rope_scaling().unwrap(),
				RopeScaling::Llama3 {
					factor: 32.0,
					low_freq_factor: 1.0,
					high_freq_factor: 4.0,
					original_max_positions: 8192.0
				}
			);
		}
		let linear = r#", "rope_scaling": {"type": "linear", "factor": 2.0}"#;
		let config = LlamaConfig::from_json(&smollm2_json(linear)).unwrap();
		assert_eq!(config.rope_scaling().unwrap(), RopeScaling::Linear { factor: 2.0 });

		for (extra, setting, words) in [
			(r#", "rope_scaling": {"rope_type": "yarn", "factor": 4.0}"#, "rope_scaling", "yarn"),
			(
				r#", "rope_scaling": {"rope_type": "llama3", "factor": 8.0}"#,
				"rope_scaling",
				"low_freq_factor",
			),
			(
				r#", "rope_theta": 10000.0, "rope_parameters": {"rope_theta": 500000.0}"#,
				"rope_theta",
				"contradicts",
			),
			(
				r#", "quantization_config": {"quant_method": "gptq"}"#,
				"quantization_config",
				"Llama",
			),
			(r#", "attention_dropout": 0.1"#, "attention_dropout", "0.1"),
			(r#", "hidden_act": "gelu""#, "hidden_act", "silu"),
		] {
			let config = LlamaConfig::from_json(&smollm2_json(extra)).unwrap();
			let error = config.validate().unwrap_err();
			assert!(
				matches!(&error, ModelError::UnsupportedSetting { setting: s, .. } if s == setting),
				"{extra}: {error}"
			);
			assert!(error.to_string().contains(words), "{error}");
		}
	}

	#[test]
	fn families_decide_biases_and_sliding_windows() {
		let qwen = |extra: &str| {
			let json =
				smollm2_json(extra).replace(r#""model_type": "llama""#, r#""model_type": "qwen2""#);
			LlamaConfig::from_json(&json).unwrap()
		};
		let plain = qwen(r#", "sliding_window": 4096, "max_window_layers": 21"#);
		assert_eq!(plain.family().unwrap(), Family::Qwen2);
		assert!(plain.qkv_bias() && !plain.o_bias());
		assert_eq!(plain.sliding_window_of(29), None, "Qwen2.5 ships use_sliding_window false");
		let sliding =
			qwen(r#", "sliding_window": 64, "max_window_layers": 21, "use_sliding_window": true"#);
		assert_eq!(
			(sliding.sliding_window_of(20), sliding.sliding_window_of(21)),
			(None, Some(64))
		);
		let listed = qwen(
			r#", "num_hidden_layers": 2, "sliding_window": 8, "use_sliding_window": true,
			"layer_types": ["sliding_attention", "full_attention"]"#,
		);
		assert_eq!((listed.sliding_window_of(0), listed.sliding_window_of(1)), (Some(8), None));

		let mut mistral =
			LlamaConfig::from_json(&smollm2_json(r#", "sliding_window": 4096"#)).unwrap();
		mistral.architectures = vec!["MistralForCausalLM".into()];
		assert_eq!(mistral.family().unwrap(), Family::Mistral);
		assert_eq!(mistral.sliding_window_of(0), Some(4096));
		mistral.attention_bias = true;
		assert!(mistral.validate().is_err(), "Mistral has no bias switch");

		let llama = LlamaConfig::from_json(&smollm2_json(r#", "sliding_window": 16"#)).unwrap();
		assert_eq!(llama.sliding_window_of(0), None, "Llama has no sliding window");
		let mut gemma2 = llama.clone();
		gemma2.architectures = vec!["Gemma2ForCausalLM".into()];
		let error = gemma2.validate().unwrap_err();
		assert!(error.to_string().contains("GemmaForCausalLM"), "{error}");
	}

	#[test]
	fn gemma_scales_norms_and_embeddings_and_gates_with_tanh_gelu() {
		let gemma = |extra: &str| {
			let json = smollm2_json(&format!(r#", "hidden_act": "gelu"{extra}"#))
				.replace(r#""model_type": "llama""#, r#""model_type": "gemma""#);
			LlamaConfig::from_json(&json).unwrap()
		};
		let legacy = gemma("");
		assert_eq!(legacy.family().unwrap(), Family::Gemma);
		legacy.validate().unwrap();
		assert_eq!(legacy.activation().unwrap(), Activation::GeluTanh);
		assert_eq!(legacy.norm_weight_offset(), 1.0);
		assert_eq!(legacy.embedding_scale(), Some(24.0), "√576");
		assert_eq!(legacy.sliding_window_of(0), None);
		let named = gemma(r#", "hidden_activation": "gelu_pytorch_tanh", "attention_bias": true"#);
		named.validate().unwrap();
		assert!(named.qkv_bias() && named.o_bias());
		for (extra, setting) in [
			(r#", "hidden_activation": "relu""#, "hidden_activation"),
			(r#", "mlp_bias": true"#, "attention_bias/mlp_bias"),
			(r#", "use_bidirectional_attention": true"#, "use_bidirectional_attention"),
		] {
			let error = gemma(extra).validate().unwrap_err();
			assert!(
				matches!(&error, ModelError::UnsupportedSetting { setting: s, .. } if s == setting),
				"{extra}: {error}"
			);
		}
		let llama = LlamaConfig::from_json(&smollm2_json("")).unwrap();
		assert_eq!((llama.norm_weight_offset(), llama.embedding_scale()), (0.0, None));
		assert_eq!(llama.activation().unwrap(), Activation::Silu);
	}
}
