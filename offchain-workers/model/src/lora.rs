//! Linear layers with an optional low-rank adapter (LoRA, Hu et al., 2021).
//!
//! y = x Wᵀ + s · dropout(x) Aᵀ Bᵀ, with A: [r, in] and B: [out, r] and s = alpha / r (or
//! alpha / √r with rsLoRA, Kalajdzievski 2023, which keeps the update's size steady as r grows).
//! B starts at zero, so a fresh adapter leaves the base output unchanged; merging adds s · B A
//! into W.
//!
//! DoRA (Liu et al., 2024) learns the direction and the size of each output row apart:
//! W' = m ⊙ (W + s·BA) / ‖W + s·BA‖, the norm taken per output row and, as in the paper and PEFT,
//! not differentiated; m: [out] starts at ‖W‖, so a fresh adapter again changes nothing. Written
//! as PEFT computes it: y = x Wᵀ + (f − 1) ⊙ dropout(x) Wᵀ + f ⊙ s · dropout(x) Aᵀ Bᵀ with
//! f = m / ‖W + s·BA‖ (plus the bias, untouched).

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
	/// rsLoRA's scale alpha / √r instead of alpha / r.
	pub rslora: bool,
	/// DoRA's learned magnitude per output row.
	pub dora: bool,
}

impl LoraSpec {
	pub fn from_settings(settings: &TrainingSettings) -> LoraSpec {
		LoraSpec {
			rank: settings.rank as i64,
			alpha: settings.alpha as f64,
			dropout: settings.dropout(),
			targets: settings.target_modules,
			rslora: settings.use_rslora,
			dora: settings.use_dora,
		}
	}

	/// Plain LoRA of `rank` and `alpha` over `targets`, without dropout.
	pub fn plain(rank: i64, alpha: f64, targets: TargetModules) -> LoraSpec {
		LoraSpec { rank, alpha, dropout: 0.0, targets, rslora: false, dora: false }
	}

	/// The factor s of B·A in the update.
	pub fn scale(&self) -> f64 {
		if self.rslora {
			self.alpha / (self.rank as f64).sqrt()
		} else {
			self.alpha / self.rank as f64
		}
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
	/// DoRA's magnitude m [out]; `None` for LoRA.
	pub magnitude: Option<Tensor>,
}

impl LoraWeights {
	/// s · B A [out, in], not differentiated.
	fn update(&self) -> Tensor {
		tch::no_grad(|| self.b.matmul(&self.a) * self.scale)
	}

	/// DoRA's f = m / ‖W + s·BA‖ per output row [out], not differentiated through the norm;
	/// `weight` is W, or W + s·BA when `updated`.
	fn dora_factor(&self, weight: &Tensor, updated: bool) -> Option<Tensor> {
		let magnitude = self.magnitude.as_ref()?;
		let norm = tch::no_grad(|| {
			let weight = weight.to_kind(Kind::Float);
			row_norms(&if updated { weight } else { weight + self.update() })
		});
		Some(magnitude / norm)
	}
}

/// The row norms ‖W‖ [out] a fresh DoRA magnitude starts at.
pub fn row_norms(weight: &Tensor) -> Tensor {
	weight
		.to_kind(Kind::Float)
		.square()
		.sum_dim_intlist(1, false, Kind::Float)
		.sqrt()
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
	/// DoRA's f [out] folded into `weight` by `merge`, which `unmerge` divides out again.
	merged_factor: Option<Tensor>,
}

impl LoraLinear {
	pub fn new(weight: Tensor, bias: Option<Tensor>) -> LoraLinear {
		let weight = FrozenWeight::Full(weight);
		LoraLinear { weight, bias, lora: None, merged: false, merged_factor: None }
	}

	/// Attaches a fresh adapter: A ~ U(-1/√in, 1/√in) (PEFT's Kaiming-uniform default), B = 0,
	/// and for DoRA m = ‖W‖.
	pub fn attach(&mut self, spec: &LoraSpec, rng: &mut SplitMix64) {
		let weight = self.weight.dequantize();
		let (out_features, in_features) = (weight.size()[0], weight.size()[1]);
		let bound = 1.0 / (in_features as f64).sqrt();
		let a = rng.uniform(&[spec.rank, in_features], bound, weight.device());
		let b = Tensor::zeros([out_features, spec.rank], (Kind::Float, weight.device()));
		let magnitude = spec.dora.then(|| row_norms(&weight));
		self.set_adapter(LoraWeights {
			a,
			b,
			scale: spec.scale(),
			dropout: spec.dropout,
			magnitude,
		});
	}

	/// Installs given adapter weights (e.g. loaded from PEFT files); they become trainable leaves.
	pub fn set_adapter(&mut self, lora: LoraWeights) {
		let leaf = |t: &Tensor| t.detach().to_kind(Kind::Float).set_requires_grad(true);
		let (a, b, magnitude) = (leaf(&lora.a), leaf(&lora.b), lora.magnitude.as_ref().map(leaf));
		self.lora = Some(LoraWeights { a, b, magnitude, ..lora });
		self.merged = false;
		self.merged_factor = None;
	}

	/// x Wᵀ: the frozen weight alone, without bias or adapter. x: [.., in] → [.., out].
	pub fn frozen_forward(&self, x: &Tensor) -> Tensor {
		x.matmul(&self.weight.dequantize().tr())
	}

	/// x: [.., in] → [.., out].
	pub fn forward(&self, x: &Tensor, train: bool) -> Tensor {
		let weight = self.weight.dequantize();
		let unbiased = x.matmul(&weight.tr());
		let base = match &self.bias {
			Some(bias) => &unbiased + bias,
			None => unbiased.shallow_clone(),
		};
		let Some(lora) = self.lora.as_ref().filter(|_| !self.merged) else { return base };
		let kind = base.kind();
		let dropped = train && lora.dropout > 0.0;
		let x_lora = x.to_kind(Kind::Float).dropout(lora.dropout, dropped);
		let update = x_lora.matmul(&lora.a.tr()).matmul(&lora.b.tr()) * lora.scale;
		match lora.dora_factor(&weight, false) {
			None => base + update.to_kind(kind),
			Some(factor) => {
				// PEFT rescales the base output of the dropped-out input when dropout is active.
				let plain = if dropped {
					x_lora.matmul(&weight.to_kind(Kind::Float).tr())
				} else {
					unbiased
				};
				let extra = (&factor - 1.0) * plain.to_kind(Kind::Float) + factor * update;
				base + extra.to_kind(kind)
			},
		}
	}

	/// Folds the adapter into the base weight; the forward pass then costs one matmul.
	pub fn merge(&mut self) -> Result<()> {
		if self.merged {
			return Ok(());
		}
		let lora = self.lora.as_ref().ok_or(ModelError::NoAdapter)?;
		let FrozenWeight::Full(weight) = &mut self.weight else {
			return Err(ModelError::QuantizedWeight("base weight".into()));
		};
		tch::no_grad(|| {
			let _ = weight.g_add_(&lora.update().to_kind(weight.kind()));
			self.merged_factor = lora.dora_factor(weight, true);
			if let Some(factor) = &self.merged_factor {
				let _ = weight.g_mul_(&factor.unsqueeze(1).to_kind(weight.kind()));
			}
		});
		self.merged = true;
		Ok(())
	}

	/// Takes the adapter back out of the base weight.
	pub fn unmerge(&mut self) -> Result<()> {
		if !self.merged {
			return Ok(());
		}
		let lora = self.lora.as_ref().ok_or(ModelError::NoAdapter)?;
		let FrozenWeight::Full(weight) = &mut self.weight else {
			return Err(ModelError::QuantizedWeight("base weight".into()));
		};
		tch::no_grad(|| {
			if let Some(factor) = self.merged_factor.take() {
				let _ = weight.g_div_(&factor.unsqueeze(1).to_kind(weight.kind()));
			}
			let _ = weight.g_sub_(&lora.update().to_kind(weight.kind()));
		});
		self.merged = false;
		Ok(())
	}

	pub fn is_merged(&self) -> bool {
		self.merged
	}
}
