//! Merging weighted adapters into one standalone adapter (a new model version).
//!
//! Σ wᵢ·sᵢ·Bᵢ Aᵢ = [w₁s₁B₁ | w₂s₂B₂ | …] · [A₁; A₂; …]: stacking the A rows and the scaled B
//! columns gives an adapter of rank Σ rᵢ (alpha = rank, so its own scale is 1) whose delta is
//! exactly the weighted sum. A member that does not adapt a module contributes zero blocks there.

use crate::peft::{AdapterConfig, PeftAdapter};
use crate::{LoraSpec, ModelError, TargetModules};
use std::collections::{BTreeMap, BTreeSet};
use tch::{Device, Kind, Tensor};

const PREFIX: &str = "base_model.model.";

/// Why adapters cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
	#[error("nothing to merge: give at least one member")]
	NoMembers,
	#[error("a member is no PEFT LoRA adapter: {0}")]
	Member(#[from] ModelError),
	#[error(
		"a member is a DoRA adapter, whose update rescales the base weights and is no low-rank \
		 sum: merge LoRA or rsLoRA adapters only"
	)]
	Dora,
}

/// The merged adapter of `members` (adapter, weight), for base model `base_name`.
pub fn merge(members: &[(PeftAdapter, f64)], base_name: &str) -> Result<PeftAdapter, MergeError> {
	if members.is_empty() {
		return Err(MergeError::NoMembers);
	}
	let mut parts = Vec::with_capacity(members.len());
	let mut modules = BTreeSet::new();
	let mut targets = TargetModules::default();
	for (adapter, weight) in members {
		let (spec, pairs, _) = adapter.modules(std::path::Path::new("merge"))?;
		if spec.dora {
			return Err(MergeError::Dora);
		}
		targets = TargetModules(targets.0 | spec.targets.0);
		modules.extend(pairs.keys().cloned());
		parts.push((spec, pairs, *weight));
	}
	let rank: i64 = parts.iter().map(|(spec, _, _)| spec.rank).sum();
	let mut tensors = BTreeMap::new();
	for module in &modules {
		// Shapes of this module from any member that adapts it.
		let (in_f, out_f) = parts
			.iter()
			.find_map(|(_, pairs, _)| pairs.get(module).map(|(a, b)| (a.size()[1], b.size()[0])))
			.expect("every module comes from some member");
		let mut a_blocks = Vec::new();
		let mut b_blocks = Vec::new();
		for (spec, pairs, weight) in &parts {
			match pairs.get(module) {
				Some((a, b)) => {
					a_blocks.push(a.to_kind(Kind::Float).to_device(Device::Cpu));
					b_blocks.push(
						b.to_kind(Kind::Float).to_device(Device::Cpu) * (spec.scale() * weight),
					);
				},
				None => {
					a_blocks.push(Tensor::zeros([spec.rank, in_f], (Kind::Float, Device::Cpu)));
					b_blocks.push(Tensor::zeros([out_f, spec.rank], (Kind::Float, Device::Cpu)));
				},
			}
		}
		tensors.insert(format!("{PREFIX}{module}.lora_A.weight"), Tensor::cat(&a_blocks, 0));
		tensors.insert(format!("{PREFIX}{module}.lora_B.weight"), Tensor::cat(&b_blocks, 1));
	}
	let spec = LoraSpec::plain(rank, rank as f64, targets);
	Ok(PeftAdapter { config: AdapterConfig::new(&spec, base_name), tensors })
}
