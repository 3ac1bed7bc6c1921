//! The `config.json` of a Hugging Face Llama checkpoint.

use crate::error::{ModelError, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The architecture names this crate can run, as written in `config.json`'s `architectures`.
pub const SUPPORTED_ARCHITECTURE: &str = "LlamaForCausalLM";

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

	/// Refuses checkpoints this implementation would run wrongly rather than fail loudly.
	pub fn validate(&self) -> Result<()> {
		let is_llama = if self.architectures.is_empty() {
			self.model_type == "llama"
		} else {
			self.architectures.iter().any(|a| a == SUPPORTED_ARCHITECTURE)
		};
		if !is_llama {
			let found = if self.architectures.is_empty() {
				self.model_type.clone()
			} else {
				self.architectures.join(", ")
			};
			return Err(ModelError::UnsupportedArchitecture { found });
		}
		let unsupported =
			|setting, reason: String| Err(ModelError::UnsupportedSetting { setting, reason });
		if self.hidden_act != "silu" {
			return unsupported(
				"hidden_act",
				format!("{:?}, only \"silu\" is supported", self.hidden_act),
			);
		}
		if self.attention_bias || self.mlp_bias {
			return unsupported(
				"attention_bias/mlp_bias",
				"biases in projections are not supported".into(),
			);
		}
		if self.rope_scaling.as_ref().is_some_and(|v| !v.is_null()) {
			return unsupported(
				"rope_scaling",
				"scaled rotary embeddings are not supported".into(),
			);
		}
		if let Some(parameters) = &self.rope_parameters {
			let kind = parameters.get("rope_type").or_else(|| parameters.get("type"));
			if let Some(kind) = kind.filter(|kind| kind.as_str() != Some("default")) {
				return unsupported(
					"rope_parameters",
					format!("rope_type {kind}: only \"default\" rotary embeddings are supported"),
				);
			}
			let nested = parameters.get("rope_theta").and_then(serde_json::Value::as_f64);
			if let Some(theta) = nested.filter(|theta| *theta != self.rope_theta) {
				return unsupported(
					"rope_theta",
					format!(
						"rope_parameters.rope_theta {theta} contradicts rope_theta {}",
						self.rope_theta
					),
				);
			}
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
				return unsupported("sizes", format!("{name} must be positive, got {value}"));
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
	fn rope_variants_it_cannot_run_are_refused() {
		for (extra, setting) in [
			(
				r#", "rope_parameters": {"rope_theta": 500000.0, "rope_type": "llama3"}"#,
				"rope_parameters",
			),
			(
				r#", "rope_theta": 10000.0, "rope_parameters": {"rope_theta": 500000.0}"#,
				"rope_theta",
			),
		] {
			let config = LlamaConfig::from_json(&smollm2_json(extra)).unwrap();
			let error = config.validate().unwrap_err();
			assert!(
				matches!(&error, ModelError::UnsupportedSetting { setting: s, .. } if *s == setting),
				"{error}"
			);
		}
	}
}
