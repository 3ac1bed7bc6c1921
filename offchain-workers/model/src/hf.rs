//! Hugging Face checkpoint directories: `config.json`, `model.safetensors` (or shards listed in
//! `model.safetensors.index.json`) and `tokenizer.json`.

use crate::config::LlamaConfig;
use crate::error::{ModelError, Result};
use crate::model::Llama;
use safetensors::{Dtype, SafeTensors};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use tch::{Device, Kind, Tensor};
use tokenizers::Tokenizer;

pub const CONFIG_FILE: &str = "config.json";
pub const WEIGHTS_FILE: &str = "model.safetensors";
pub const WEIGHTS_INDEX_FILE: &str = "model.safetensors.index.json";
pub const TOKENIZER_FILE: &str = "tokenizer.json";

/// End-of-text tokens of common tokenizers, tried in order; the project's own is the first.
pub const EOS_CANDIDATES: [&str; 4] = ["<|endoftext|>", "</s>", "<|end_of_text|>", "<eos>"];

/// The tokenizer's end-of-text token, if it has one of [`EOS_CANDIDATES`].
pub fn eos_token(tokenizer: &Tokenizer) -> Option<u32> {
	EOS_CANDIDATES.iter().find_map(|t| tokenizer.token_to_id(t))
}

/// The safetensors files of a checkpoint: the single file, or every shard its index names.
fn weight_files(dir: &Path) -> Result<Vec<PathBuf>> {
	let single = dir.join(WEIGHTS_FILE);
	if single.is_file() {
		return Ok(vec![single]);
	}
	let index_path = dir.join(WEIGHTS_INDEX_FILE);
	if !index_path.is_file() {
		return Err(ModelError::MissingWeights { dir: dir.to_path_buf() });
	}
	let text = std::fs::read_to_string(&index_path).map_err(ModelError::io(&index_path))?;
	let invalid = |reason: String| ModelError::InvalidConfig { path: index_path.clone(), reason };
	let index: serde_json::Value =
		serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
	let weight_map = index
		.get("weight_map")
		.and_then(|m| m.as_object())
		.ok_or_else(|| invalid("no \"weight_map\" object".into()))?;
	let shards: BTreeSet<&str> = weight_map.values().filter_map(|v| v.as_str()).collect();
	if shards.is_empty() {
		return Err(invalid("\"weight_map\" names no shard files".into()));
	}
	Ok(shards.into_iter().map(|s| dir.join(s)).collect())
}

/// Reads every tensor of a safetensors file, converted to `kind` on `device`.
pub fn read_safetensors(
	path: &Path,
	kind: Kind,
	device: Device,
) -> Result<HashMap<String, Tensor>> {
	let bytes = std::fs::read(path).map_err(ModelError::io(path))?;
	parse_safetensors(&bytes, path, kind, device)
}

/// Parses safetensors bytes already in memory (e.g. read and hash-checked by a content store);
/// `path` only names the source in errors.
pub fn parse_safetensors(
	bytes: &[u8],
	path: &Path,
	kind: Kind,
	device: Device,
) -> Result<HashMap<String, Tensor>> {
	let corrupt =
		|reason: String| ModelError::CorruptSafetensors { path: path.to_path_buf(), reason };
	let file = SafeTensors::deserialize(bytes).map_err(|e| corrupt(e.to_string()))?;
	let mut tensors = HashMap::new();
	for (name, view) in file.tensors() {
		let source_kind = match view.dtype() {
			Dtype::F32 => Kind::Float,
			Dtype::BF16 => Kind::BFloat16,
			Dtype::F16 => Kind::Half,
			other => {
				return Err(ModelError::UnsupportedDtype { name, dtype: format!("{other:?}") })
			},
		};
		let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
		let tensor = Tensor::f_from_data_size(view.data(), &shape, source_kind)?;
		tensors.insert(name, tensor.to_kind(kind).to_device(device));
	}
	Ok(tensors)
}

/// Loads a checkpoint directory: validated config and model, weights in `kind` on `device`.
pub fn load_model(dir: &Path, kind: Kind, device: Device) -> Result<Llama> {
	let config = LlamaConfig::from_file(&dir.join(CONFIG_FILE))?;
	let mut weights = HashMap::new();
	for file in weight_files(dir)? {
		weights.extend(read_safetensors(&file, kind, device)?);
	}
	Llama::from_weights(config, weights)
}

/// Canonical safetensors bytes: tensors in name order (the crate sorts by dtype alignment, then
/// name; all our tensors share one dtype), little-endian fp32, fixed metadata.
pub fn safetensors_bytes(tensors: &BTreeMap<String, Tensor>) -> Result<Vec<u8>> {
	let mut entries = Vec::with_capacity(tensors.len());
	for (name, tensor) in tensors {
		let t = tensor.detach().to_kind(Kind::Float).to_device(Device::Cpu).contiguous();
		let mut data = vec![0f32; t.numel()];
		t.f_copy_data(&mut data, t.numel())?;
		let raw: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
		let shape: Vec<usize> = t.size().iter().map(|&d| d as usize).collect();
		entries.push((name.clone(), shape, raw));
	}
	let views: Vec<(String, safetensors::tensor::TensorView)> = entries
		.iter()
		.map(|(name, shape, raw)| {
			let view = safetensors::tensor::TensorView::new(Dtype::F32, shape.clone(), raw)
				.expect("shape and byte length agree by construction");
			(name.clone(), view)
		})
		.collect();
	let metadata = HashMap::from([("format".to_string(), "pt".to_string())]);
	safetensors::tensor::serialize(views, Some(metadata))
		.map_err(|e| ModelError::CorruptSafetensors { path: PathBuf::new(), reason: e.to_string() })
}

/// Writes `bytes` to `path` durably, so a crash never leaves half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
	tributary_durable::write(path, bytes).map_err(ModelError::io(path))
}

/// Saves the model as an HF checkpoint directory (config.json + model.safetensors, fp32).
pub fn save_model(model: &Llama, dir: &Path) -> Result<()> {
	std::fs::create_dir_all(dir).map_err(ModelError::io(dir))?;
	let bytes = safetensors_bytes(&model.hf_weights()?)?;
	write_atomically(&dir.join(WEIGHTS_FILE), &bytes)?;
	write_atomically(&dir.join(CONFIG_FILE), model.config.to_json().as_bytes())
}

pub fn load_tokenizer(dir: &Path) -> Result<Tokenizer> {
	let path = dir.join(TOKENIZER_FILE);
	Tokenizer::from_file(&path).map_err(|e| ModelError::Tokenizer { path, reason: e.to_string() })
}
