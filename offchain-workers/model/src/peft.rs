//! LoRA adapters in Hugging Face PEFT's on-disk format:
//!
//! - `adapter_config.json`: `{"peft_type": "LORA", "r", "lora_alpha", "lora_dropout", "target_modules", ...}`
//! - `adapter_model.safetensors`: `base_model.model.{module path}.lora_A.weight` [r, in] and
//!   `...lora_B.weight` [out, r] for every adapted module, and with DoRA (`use_dora`)
//!   `...lora_magnitude_vector` [out]. rsLoRA (`use_rslora`) changes only the scale.
//!
//! The adapter's identity is the blake2-256 of the canonical safetensors bytes (tensors in name
//! order, fp32, fixed metadata), so the same weights always have the same hash.

use crate::error::{ModelError, Result};
use crate::hf::{read_safetensors, safetensors_bytes, write_atomically};
use crate::lora::LoraSpec;
use crate::model::Llama;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use tch::{Device, Kind, Tensor};
use tributary_primitives::training::{TargetModule, TargetModules};
use tributary_primitives::{content_hash, ContentHash};

pub const ADAPTER_CONFIG_FILE: &str = "adapter_config.json";
pub const ADAPTER_WEIGHTS_FILE: &str = "adapter_model.safetensors";

/// PEFT's prefix in front of the base model's own module path.
const PEFT_PREFIX: &str = "base_model.model.";

/// The fields of PEFT's `LoraConfig` this crate writes and reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdapterConfig {
	pub peft_type: String,
	pub task_type: String,
	pub base_model_name_or_path: String,
	pub r: i64,
	pub lora_alpha: f64,
	pub lora_dropout: f64,
	pub target_modules: Vec<String>,
	pub bias: String,
	#[serde(default)]
	pub fan_in_fan_out: bool,
	#[serde(default)]
	pub inference_mode: bool,
	#[serde(default)]
	pub use_rslora: bool,
	#[serde(default)]
	pub use_dora: bool,
}

impl AdapterConfig {
	pub fn new(spec: &LoraSpec, base_model: &str) -> AdapterConfig {
		AdapterConfig {
			peft_type: "LORA".into(),
			task_type: "CAUSAL_LM".into(),
			base_model_name_or_path: base_model.into(),
			r: spec.rank,
			lora_alpha: spec.alpha,
			lora_dropout: spec.dropout,
			target_modules: spec.targets.iter().map(|m| m.hf_name().to_string()).collect(),
			bias: "none".into(),
			fan_in_fan_out: false,
			inference_mode: true,
			use_rslora: spec.rslora,
			use_dora: spec.dora,
		}
	}

	/// The LoRA shape this config describes, refusing PEFT variants this crate does not implement.
	pub fn spec(&self) -> std::result::Result<LoraSpec, String> {
		if self.peft_type != "LORA" {
			return Err(format!("peft_type {:?} is not LORA", self.peft_type));
		}
		if self.bias != "none" || self.fan_in_fan_out {
			return Err("trained biases and fan_in_fan_out layouts are not supported".into());
		}
		let mut targets = TargetModules::default();
		for name in &self.target_modules {
			let module = TargetModule::from_hf_name(name)
				.ok_or_else(|| format!("unknown target module {name:?}"))?;
			targets = targets.with(module);
		}
		let spec = LoraSpec {
			rank: self.r,
			alpha: self.lora_alpha,
			dropout: self.lora_dropout,
			targets,
			rslora: self.use_rslora,
			dora: self.use_dora,
		};
		spec.validate().map_err(|e| e.to_string())?;
		Ok(spec)
	}
}

/// (A [r, in], B [out, r]) by module path (`model.layers.{i}.self_attn.q_proj`).
pub type ModulePairs = BTreeMap<String, (Tensor, Tensor)>;

/// DoRA's magnitude [out] by module path.
pub type Magnitudes = BTreeMap<String, Tensor>;

/// An adapter held in memory: its config and PEFT-named tensors.
#[derive(Debug)]
pub struct PeftAdapter {
	pub config: AdapterConfig,
	pub tensors: BTreeMap<String, Tensor>,
}

impl PeftAdapter {
	/// Takes the model's attached adapter.
	pub fn from_model(model: &Llama, base_model: &str) -> Result<PeftAdapter> {
		let spec = model.lora_spec().ok_or(ModelError::NoAdapter)?;
		let mut tensors = BTreeMap::new();
		for (path, (a, b)) in model.lora_weights() {
			tensors.insert(
				format!("{PEFT_PREFIX}{path}.lora_A.weight"),
				a.detach().to_device(Device::Cpu),
			);
			tensors.insert(
				format!("{PEFT_PREFIX}{path}.lora_B.weight"),
				b.detach().to_device(Device::Cpu),
			);
		}
		for (path, magnitude) in model.lora_magnitudes() {
			tensors.insert(
				format!("{PEFT_PREFIX}{path}.lora_magnitude_vector"),
				magnitude.detach().to_device(Device::Cpu),
			);
		}
		Ok(PeftAdapter { config: AdapterConfig::new(spec, base_model), tensors })
	}

	/// The bytes of `adapter_model.safetensors`.
	pub fn canonical_bytes(&self) -> Result<Vec<u8>> {
		safetensors_bytes(&self.tensors)
	}

	/// The adapter's content hash: blake2-256 of its canonical safetensors bytes.
	pub fn content_hash(&self) -> Result<ContentHash> {
		Ok(content_hash(&self.canonical_bytes()?))
	}

	/// Writes the adapter directory and returns the adapter's content hash.
	pub fn save(&self, dir: &Path) -> Result<ContentHash> {
		let bytes = self.canonical_bytes()?;
		std::fs::create_dir_all(dir).map_err(ModelError::io(dir))?;
		write_atomically(&dir.join(ADAPTER_WEIGHTS_FILE), &bytes)?;
		let config = serde_json::to_string_pretty(&self.config)
			.expect("an adapter config always serializes");
		write_atomically(&dir.join(ADAPTER_CONFIG_FILE), config.as_bytes())?;
		Ok(content_hash(&bytes))
	}

	pub fn load(dir: &Path) -> Result<PeftAdapter> {
		let config_path = dir.join(ADAPTER_CONFIG_FILE);
		let text = std::fs::read_to_string(&config_path).map_err(ModelError::io(&config_path))?;
		let config: AdapterConfig = serde_json::from_str(&text).map_err(|e| {
			ModelError::InvalidConfig { path: config_path.clone(), reason: e.to_string() }
		})?;
		let tensors = read_safetensors(&dir.join(ADAPTER_WEIGHTS_FILE), Kind::Float, Device::Cpu)?;
		Ok(PeftAdapter { config, tensors: tensors.into_iter().collect() })
	}

	/// Installs the adapter into `model` (replacing any attached one).
	pub fn apply_to(&self, model: &mut Llama, dir_for_errors: &Path) -> Result<()> {
		let (spec, adapters, magnitudes) = self.modules(dir_for_errors)?;
		model.set_lora(&spec, adapters)?;
		if spec.dora {
			model.set_lora_magnitudes(magnitudes)?;
		}
		Ok(())
	}

	/// The adapter's shape, its (A [r, in], B [out, r]) pairs by module path
	/// (`model.layers.{i}.self_attn.q_proj`) and, for DoRA, one magnitude per pair;
	/// `dir_for_errors` names the source in errors.
	pub fn modules(&self, dir_for_errors: &Path) -> Result<(LoraSpec, ModulePairs, Magnitudes)> {
		let invalid = |reason: String| ModelError::InvalidAdapter {
			dir: dir_for_errors.to_path_buf(),
			reason,
		};
		let spec = self.config.spec().map_err(invalid)?;
		let mut pairs: BTreeMap<String, (Option<Tensor>, Option<Tensor>)> = BTreeMap::new();
		let mut magnitudes = Magnitudes::new();
		for (name, tensor) in &self.tensors {
			let (module, part) = lora_tensor_name(name).map_err(&invalid)?;
			let pair = pairs.entry(module.clone()).or_default();
			let entry = match part {
				LoraPart::A => &mut pair.0,
				LoraPart::B => &mut pair.1,
				LoraPart::Magnitude if spec.dora => {
					magnitudes.insert(module, tensor.shallow_clone());
					continue;
				},
				LoraPart::Magnitude => {
					return Err(invalid(format!("{name} is DoRA's, but use_dora is false")))
				},
			};
			*entry = Some(tensor.shallow_clone());
		}
		if let Some(module) =
			pairs.keys().find(|module| spec.dora && !magnitudes.contains_key(*module))
		{
			return Err(invalid(format!("{module} lacks its DoRA lora_magnitude_vector")));
		}
		let mut adapters = BTreeMap::new();
		for (module, pair) in pairs {
			match pair {
				(Some(a), Some(b)) => adapters.insert(module, (a, b)),
				_ => return Err(invalid(format!("{module} lacks its lora_A or lora_B tensor"))),
			};
		}
		Ok((spec, adapters, magnitudes))
	}
}

/// The two factors of a LoRA update B·A.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoraPart {
	/// `lora_A` [r, in].
	A,
	/// `lora_B` [out, r].
	B,
	/// DoRA's `lora_magnitude_vector` [out].
	Magnitude,
}

/// The base model's module path and the LoRA factor a PEFT tensor name holds.
pub fn lora_tensor_name(name: &str) -> std::result::Result<(String, LoraPart), String> {
	// PEFT writes no adapter name; some tools keep ".default" in the names.
	let name = name.replace(".default.", ".");
	let path = name
		.strip_prefix(PEFT_PREFIX)
		.ok_or_else(|| format!("tensor {name} does not start with {PEFT_PREFIX}"))?;
	if let Some(module) = path.strip_suffix(".lora_A.weight") {
		Ok((module.to_string(), LoraPart::A))
	} else if let Some(module) = path.strip_suffix(".lora_B.weight") {
		Ok((module.to_string(), LoraPart::B))
	} else if let Some(module) = path.strip_suffix(".lora_magnitude_vector") {
		Ok((module.to_string(), LoraPart::Magnitude))
	} else {
		Err(format!("tensor {name} is neither lora_A, lora_B nor lora_magnitude_vector"))
	}
}
