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

	/// s · B [out, r]: the scale goes on B's out · r values, not on an [N, out] product.
	fn scaled_b(&self) -> Tensor {
		&self.b * self.scale
	}

	/// DoRA's f = m / ‖W + s·BA‖ per output row [out], not differentiated through the norm;
	/// `weight` is W, or W + s·BA when `updated`.
	fn dora_factor(&self, weight: &Tensor, updated: bool) -> Option<Tensor> {
		let magnitude = self.magnitude.as_ref()?;
		let norm = tch::no_grad(|| {
			let weight = weight.to_kind(Kind::Float);
			// W + (s·B) A as one addmm: no [out, in] temporaries for BA and its scaling.
			row_norms(&if updated { weight } else { weight.addmm(&self.scaled_b(), &self.a) })
		});
		Some(magnitude / norm)
	}
}

/// The row norms ‖W‖ [out] a fresh DoRA magnitude starts at (one reduction, as PEFT's
/// `torch.linalg.norm(weight, dim=1)`).
pub fn row_norms(weight: &Tensor) -> Tensor {
	weight.to_kind(Kind::Float).norm_scalaropt_dim(2.0, [1], false)
}

/// base + xa · b_t, accumulated into `base` by one addmm when it is fp32; another kind (a bf16
/// base) gets the fp32 product rounded to it first.
fn add_low_rank(mut base: Tensor, xa: &Tensor, b_t: &Tensor) -> Tensor {
	if base.kind() == Kind::Float {
		// In place is safe for autograd: neither mm nor addmm keeps its output for backward.
		base.addmm_(xa, b_t)
	} else {
		let kind = base.kind();
		base + xa.mm(b_t).to_kind(kind)
	}
}

/// torch's training dropout, x ⊙ mask / (1 − p) with mask ~ Bernoulli(1 − p). On the CPU its
/// random draws, serial in torch's generator, are most of its time, and its `bernoulli_` mask
/// takes about 1.7× as long as a float uniform u per value (torch 2.13, measured); so the mask
/// here keeps a value when u ≥ p, built in place as fp32 so that the backward's product is
/// fp32 × fp32 too. A GPU runs torch's own dropout, one fused kernel.
fn dropout(x: &Tensor, p: f64) -> Tensor {
	if x.device().is_cuda() {
		return x.dropout(p, true);
	}
	let mut mask = x.rand_like();
	let _ = mask.ge_(p).g_mul_scalar_(1.0 / (1.0 - p));
	x * mask
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
	///
	/// Worked on as 2-D [N, in] (matmul would fold the leading dimensions the same way), so that
	/// the adapter's product adds into the base output in one addmm: x Wᵀ (+ bias), then
	/// += (dropout(x) Aᵀ) (s·B)ᵀ.
	pub fn forward(&self, x: &Tensor, train: bool) -> Tensor {
		let weight = self.weight.dequantize();
		let (out_features, in_features) = (weight.size()[0], weight.size()[1]);
		let mut out_shape = x.size();
		*out_shape.last_mut().expect("x has a feature dimension") = out_features;
		let x = x.reshape([-1, in_features]);
		let lora = self.lora.as_ref().filter(|_| !self.merged);
		let output = match lora {
			None => x.linear(&weight, self.bias.as_ref()),
			Some(lora) => self.adapted(&x, &weight, lora, train),
		};
		output.view(out_shape.as_slice())
	}

	/// The forward pass of 2-D x [N, in] through the unmerged adapter `lora`.
	fn adapted(&self, x: &Tensor, weight: &Tensor, lora: &LoraWeights, train: bool) -> Tensor {
		let dropped = train && lora.dropout > 0.0;
		let x_float = x.to_kind(Kind::Float);
		// Without dropout the adapter reads x itself: no mask is drawn and nothing is copied.
		let x_lora = if dropped { dropout(&x_float, lora.dropout) } else { x_float };
		let xa = x_lora.mm(&lora.a.tr());
		let b_t = lora.scaled_b().tr();
		match lora.dora_factor(weight, false) {
			None => add_low_rank(x.linear(weight, self.bias.as_ref()), &xa, &b_t),
			Some(factor) => self.dora(x, &x_lora, weight, (&xa, &b_t), &factor, dropped),
		}
	}

	/// DoRA's y = x Wᵀ + b + (f − 1) ⊙ x' Wᵀ + f ⊙ s · xa Bᵀ, with x' the adapter's input,
	/// regrouped as kept + f ⊙ (x' Wᵀ + s · xa Bᵀ): without dropout x' = x and kept is just the
	/// bias; with it PEFT rescales the base output of x', so kept = x Wᵀ + b − x' Wᵀ.
	fn dora(
		&self,
		x: &Tensor,
		x_lora: &Tensor,
		weight: &Tensor,
		(xa, b_t): (&Tensor, &Tensor),
		factor: &Tensor,
		dropped: bool,
	) -> Tensor {
		let kind = x.kind();
		// x' Wᵀ in the weight's own kind: W is never copied into another.
		let directed = x_lora.to_kind(kind).mm(&weight.tr()).to_kind(Kind::Float);
		let kept = if dropped {
			// Taken before `directed` is added into in place (sub keeps no input for backward).
			Some(x.linear(weight, self.bias.as_ref()).to_kind(Kind::Float) - &directed)
		} else {
			self.bias.as_ref().map(|bias| bias.to_kind(Kind::Float))
		};
		let scaled = add_low_rank(directed, xa, b_t) * factor;
		match kept {
			Some(kept) => (kept + scaled).to_kind(kind),
			None => scaled.to_kind(kind),
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

#[cfg(test)]
mod tests {
	use super::*;
	use tch::Device;

	fn randn(shape: &[i64]) -> Tensor {
		Tensor::randn(shape, (Kind::Float, Device::Cpu))
	}

	/// y = x Wᵀ + b + (f − 1) ⊙ x' Wᵀ + f ⊙ s · x' Aᵀ Bᵀ written out op by op as PEFT runs it, with
	/// f = 1 for LoRA and x' = dropout(x) drawn from the generator's current state.
	fn unfused(x: &Tensor, linear: &LoraLinear, lora: &LoraWeights, p: f64) -> Tensor {
		let FrozenWeight::Full(w) = &linear.weight else { unreachable!("full weights") };
		let x_lora = if p > 0.0 { dropout(x, p) } else { x.shallow_clone() };
		let update = x_lora.matmul(&lora.a.tr()).matmul(&lora.b.tr()) * lora.scale;
		let base = x.matmul(&w.tr()) + linear.bias.as_ref().expect("a bias");
		let Some(m) = &lora.magnitude else { return base + update };
		let norm = tch::no_grad(|| row_norms(&(w + lora.b.matmul(&lora.a) * lora.scale)));
		let f = m / norm;
		base + (&f - 1.0) * x_lora.matmul(&w.tr()) + f * update
	}

	#[test]
	fn fused_forward_matches_the_unfused_formula_in_values_and_gradients() {
		for (dora, p) in [(false, 0.0), (false, 0.3), (true, 0.0), (true, 0.3)] {
			tch::manual_seed(1);
			let mut linear = LoraLinear::new(randn(&[12, 10]), Some(randn(&[12])));
			let magnitude = dora.then(|| randn(&[12]).abs() + 1.0);
			let (a, b) = (randn(&[3, 10]), randn(&[12, 3]));
			linear.set_adapter(LoraWeights { a, b, scale: 0.7, dropout: p, magnitude });
			let lora = linear.lora.as_ref().expect("an adapter");
			let x = randn(&[2, 5, 10]).set_requires_grad(true);
			let grad_out = randn(&[2, 5, 12]);
			let mut leaves =
				vec![x.shallow_clone(), lora.a.shallow_clone(), lora.b.shallow_clone()];
			leaves.extend(lora.magnitude.as_ref().map(Tensor::shallow_clone));
			let values_and_grads = |forward: &dyn Fn() -> Tensor| {
				tch::manual_seed(7);
				let y = forward();
				let grads = Tensor::run_backward(
					&[(&y * &grad_out).sum(Kind::Float)],
					&leaves,
					false,
					false,
				);
				(y, grads)
			};
			let (fused, fused_grads) = values_and_grads(&|| linear.forward(&x, true));
			let (plain, plain_grads) = values_and_grads(&|| unfused(&x, &linear, lora, p));
			let max_diff = |u: &Tensor, v: &Tensor| f64::try_from((u - v).abs().max()).unwrap();
			assert!(max_diff(&fused, &plain) < 1e-5, "dora {dora}, p {p}: values differ");
			for (g, h) in fused_grads.iter().zip(&plain_grads) {
				assert!(max_diff(g, h) < 1e-4, "dora {dora}, p {p}: gradients differ");
			}
		}
	}

	#[test]
	fn dropout_keeps_one_minus_p_of_the_values_rescaled() {
		tch::manual_seed(3);
		let dropped = dropout(&Tensor::ones([1000, 1000], (Kind::Float, Device::Cpu)), 0.25);
		let kept = dropped.ne(0.0);
		let kept_share = f64::try_from(kept.to_kind(Kind::Float).mean(Kind::Float)).unwrap();
		// 10⁶ draws: the share's standard deviation is 4.3e-4.
		assert!((kept_share - 0.75).abs() < 5e-3, "kept {kept_share}");
		let off = (dropped.masked_select(&kept) - 1.0 / 0.75).abs().max();
		assert!(f64::try_from(off).unwrap() < 1e-6);
	}
}
