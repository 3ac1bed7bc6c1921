//! Linear layers with an optional low-rank adapter (LoRA, Hu et al., 2021).
//!
//! y = x Wᵀ + (alpha / r) · dropout(x) Aᵀ Bᵀ, with A: [r, in] and B: [out, r]. B starts at zero, so
//! a fresh adapter leaves the base output unchanged; merging adds (alpha / r) · B A into W.

use crate::error::{ModelError, Result};
use crate::quant::FrozenWeight;
use crate::rng::SplitMix64;
use tch::{Kind, Tensor};
use tributary_primitives::training::{TargetModules, TrainingSettings};

/// The shape of the adapters attached to a model.
#[derive(Clone, Debug, PartialEq)]
pub struct LoraSpec {
	pub rank: i64,
	pub alpha: f64,
	pub dropout: f64,
	pub targets: TargetModules,
}

impl LoraSpec {
	pub fn from_settings(settings: &TrainingSettings) -> LoraSpec {
		LoraSpec {
			rank: settings.rank as i64,
			alpha: settings.alpha as f64,
			dropout: settings.dropout(),
			targets: settings.target_modules,
		}
	}

	pub fn scale(&self) -> f64 {
		self.alpha / self.rank as f64
	}

	pub fn validate(&self) -> Result<()> {
		if self.rank <= 0 {
			return Err(ModelError::InvalidLora(format!(
				"rank must be positive, got {}",
				self.rank
			)));
		}
		if !(0.0..1.0).contains(&self.dropout) {
			return Err(ModelError::InvalidLora(format!(
				"dropout must be in [0, 1), got {}",
				self.dropout
			)));
		}
		if self.targets.is_empty() {
			return Err(ModelError::InvalidLora("no target modules".into()));
		}
		Ok(())
	}
}

/// The adapter of one linear layer.
#[derive(Debug)]
pub struct LoraWeights {
	/// [r, in]
	pub a: Tensor,
	/// [out, r]
	pub b: Tensor,
	pub scale: f64,
	pub dropout: f64,
}

/// A frozen linear layer, with a bias where the family has one, and an optional adapter.
#[derive(Debug)]
pub struct LoraLinear {
	/// [out, in]
	pub weight: FrozenWeight,
	/// [out]; never trained (PEFT's `bias: "none"`).
	pub bias: Option<Tensor>,
	pub lora: Option<LoraWeights>,
	/// Whether the adapter is currently folded into `weight`.
	merged: bool,
}

impl LoraLinear {
	pub fn new(weight: Tensor, bias: Option<Tensor>) -> LoraLinear {
		LoraLinear { weight: FrozenWeight::Full(weight), bias, lora: None, merged: false }
	}

	/// Attaches a fresh adapter: A ~ U(-1/√in, 1/√in) (PEFT's Kaiming-uniform default), B = 0.
	pub fn attach(&mut self, rank: i64, scale: f64, dropout: f64, rng: &mut SplitMix64) {
		let weight = self.weight.dequantize();
		let (out_features, in_features) = (weight.size()[0], weight.size()[1]);
		let bound = 1.0 / (in_features as f64).sqrt();
		let a = rng.uniform(&[rank, in_features], bound, weight.device());
		let b = Tensor::zeros([out_features, rank], (Kind::Float, weight.device()));
		self.set_adapter(LoraWeights { a, b, scale, dropout });
	}

	/// Installs given adapter weights (e.g. loaded from PEFT files); they become trainable leaves.
	pub fn set_adapter(&mut self, lora: LoraWeights) {
		let a = lora.a.detach().to_kind(Kind::Float).set_requires_grad(true);
		let b = lora.b.detach().to_kind(Kind::Float).set_requires_grad(true);
		self.lora = Some(LoraWeights { a, b, ..lora });
		self.merged = false;
	}

	/// x: [.., in] → [.., out].
	pub fn forward(&self, x: &Tensor, train: bool) -> Tensor {
		let weight = self.weight.dequantize();
		let base = match &self.bias {
			Some(bias) => x.matmul(&weight.tr()) + bias,
			None => x.matmul(&weight.tr()),
		};
		match &self.lora {
			Some(lora) if !self.merged => {
				let x = x.to_kind(Kind::Float).dropout(lora.dropout, train);
				let delta = x.matmul(&lora.a.tr()).matmul(&lora.b.tr()) * lora.scale;
				let kind = base.kind();
				base + delta.to_kind(kind)
			},
			_ => base,
		}
	}

	/// (alpha / r) · B A: the adapter's contribution to the weight, [out, in].
	fn delta(&self) -> Result<Tensor> {
		let lora = self.lora.as_ref().ok_or(ModelError::NoAdapter)?;
		Ok(tch::no_grad(|| lora.b.matmul(&lora.a) * lora.scale))
	}

	/// Folds the adapter into the base weight; the forward pass then costs one matmul.
	pub fn merge(&mut self) -> Result<()> {
		if self.merged {
			return Ok(());
		}
		let delta = self.delta()?;
		let FrozenWeight::Full(weight) = &mut self.weight else {
			return Err(ModelError::QuantizedWeight("base weight".into()));
		};
		tch::no_grad(|| {
			let _ = weight.g_add_(&delta.to_kind(weight.kind()));
		});
		self.merged = true;
		Ok(())
	}

	/// Takes the adapter back out of the base weight.
	pub fn unmerge(&mut self) -> Result<()> {
		if !self.merged {
			return Ok(());
		}
		let delta = self.delta()?;
		let FrozenWeight::Full(weight) = &mut self.weight else {
			return Err(ModelError::QuantizedWeight("base weight".into()));
		};
		tch::no_grad(|| {
			let _ = weight.g_sub_(&delta.to_kind(weight.kind()));
		});
		self.merged = false;
		Ok(())
	}

	pub fn is_merged(&self) -> bool {
		self.merged
	}
}
