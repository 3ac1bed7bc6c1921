//! Loss gradients of the LoRA parameters, in tch, handed to the projection as plain floats.
//!
//! The loss of a token sequence is its mean next-token cross-entropy under the base model plus
//! adapter, without dropout. Sequences longer than the model's positions are cut to their first
//! `max_position_embeddings + 1` tokens.

use tch::{Device, Kind, Tensor};
use tributary_model::{model::module_path, Llama};
use tributary_primitives::training::TargetModule;

use super::projection::{ModuleShape, Projector};
use crate::error::AttributionError;

fn model_error(error: impl std::fmt::Display) -> AttributionError {
	AttributionError::Model(error.to_string())
}

/// The adapted modules of `model` in gradient order (the model's module-path order), and the
/// LoRA rank.
pub fn module_shapes(model: &Llama) -> Result<(Vec<ModuleShape>, u32), AttributionError> {
	let spec = model.lora_spec().ok_or(AttributionError::NoAdapterInstalled)?;
	let weights = model.lora_weights();
	let mut shapes = Vec::with_capacity(weights.len());
	for (path, (a, b)) in &weights {
		let (layer, module) = parse_module_path(path)
			.ok_or_else(|| model_error(format!("unexpected module {path}")))?;
		shapes.push(ModuleShape {
			layer,
			module,
			in_features: a.size()[1] as u32,
			out_features: b.size()[0] as u32,
		});
	}
	Ok((shapes, spec.rank as u32))
}

/// `model.layers.{i}.{block}.{name}` → (i, module).
fn parse_module_path(path: &str) -> Option<(u32, TargetModule)> {
	let mut parts = path.split('.');
	let layer = parts.nth(2)?.parse().ok()?;
	let module = TargetModule::from_hf_name(parts.nth(1)?)?;
	(module_path(layer as usize, module) == path).then_some((layer, module))
}

/// The projected loss gradient of `tokens`, or `None` when there is no next token to predict.
pub fn projected_gradient(
	model: &Llama,
	tokens: &[u32],
	projector: &Projector,
) -> Result<Option<Vec<f32>>, AttributionError> {
	let vocab = model.config.vocab_size;
	if let Some(&token) = tokens.iter().find(|&&t| i64::from(t) >= vocab) {
		return Err(AttributionError::TokenOutOfVocabulary { token, vocab: vocab as u64 });
	}
	let usable = tokens.len().min(model.config.max_position_embeddings as usize + 1);
	if usable < 2 {
		return Ok(None);
	}
	let ids: Vec<i64> = tokens[..usable].iter().map(|&t| i64::from(t)).collect();
	let sequence = Tensor::from_slice(&ids).to_device(model.device());
	let inputs = sequence.narrow(0, 0, usable as i64 - 1).unsqueeze(0);
	let targets = sequence.narrow(0, 1, usable as i64 - 1);
	let logits = model.forward(&inputs, false).map_err(model_error)?;
	let loss = logits.squeeze_dim(0).to_kind(Kind::Float).cross_entropy_for_logits(&targets);
	let weights = model.lora_weights();
	let parameters: Vec<&Tensor> = weights.values().flat_map(|(a, b)| [a, b]).collect();
	let gradients =
		Tensor::f_run_backward(&[&loss], &parameters, false, false).map_err(model_error)?;
	let mut out = Vec::with_capacity(projector.output_len());
	for (index, pair) in gradients.chunks_exact(2).enumerate() {
		projector.project_module(index, &floats(&pair[0])?, &floats(&pair[1])?, &mut out);
	}
	Ok(Some(out))
}

fn floats(tensor: &Tensor) -> Result<Vec<f32>, AttributionError> {
	let flat = tensor.to_kind(Kind::Float).to_device(Device::Cpu).contiguous().view(-1);
	Vec::<f32>::try_from(&flat).map_err(model_error)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn module_paths_parse_back() {
		for module in TargetModule::ALL {
			assert_eq!(parse_module_path(&module_path(11, module)), Some((11, module)));
		}
		assert_eq!(parse_module_path("model.layers.x.self_attn.q_proj"), None);
		assert_eq!(parse_module_path("model.layers.0.mlp.q_proj"), None);
	}
}
