//! AdamW (Loshchilov & Hutter, 2019, computed as libtorch's `adamw` does), learning-rate warmup +
//! cosine decay, gradient clipping. The optimizer's moments are plain tensors here, not hidden
//! in libtorch, so a checkpoint can save them and a resumed run continue exactly.

use crate::error::Result;
use tch::{Kind, Tensor};

/// AdamW's β₁, β₂ and ε (PyTorch's defaults, which PEFT users train with).
const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const EPSILON: f64 = 1e-8;

/// Linear warmup to `peak` over `warmup` steps, then cosine decay to `peak · floor` at `total`.
#[derive(Clone, Copy, Debug)]
pub struct Schedule {
	pub peak: f64,
	pub warmup: usize,
	pub total: usize,
	pub floor: f64,
}

impl Schedule {
	/// The learning rate of step `step` (0-based).
	pub fn lr(&self, step: usize) -> f64 {
		if step < self.warmup {
			return self.peak * (step + 1) as f64 / self.warmup as f64;
		}
		let decay_steps = (self.total - self.warmup).max(1) as f64;
		let progress = ((step - self.warmup) as f64 / decay_steps).min(1.0);
		let cosine = 0.5 * (1.0 + (std::f64::consts::PI * progress).cos());
		self.peak * (self.floor + (1.0 - self.floor) * cosine)
	}
}

pub struct AdamW {
	parameters: Vec<Tensor>,
	/// Per parameter: the running mean of its gradients and of their squares.
	moments: Vec<(Tensor, Tensor)>,
	/// Steps taken, for the moments' bias correction.
	steps: i64,
	weight_decay: f64,
}

impl AdamW {
	pub fn new(parameters: Vec<Tensor>, weight_decay: f64) -> Result<AdamW> {
		let moments = parameters.iter().map(|p| (p.zeros_like(), p.zeros_like())).collect();
		Ok(AdamW { parameters, moments, steps: 0, weight_decay })
	}

	/// Steps taken and the moments of every parameter, in the order given to `new`.
	pub fn state(&self) -> (i64, &[(Tensor, Tensor)]) {
		(self.steps, &self.moments)
	}

	/// Continues from a saved [`AdamW::state`].
	pub fn restore(&mut self, steps: i64, moments: Vec<(Tensor, Tensor)>) {
		self.steps = steps;
		self.moments = moments;
	}

	/// Scales gradients so their global L2 norm is at most `max_norm`; returns the norm before.
	pub fn clip_grad_norm(&self, max_norm: f64) -> f64 {
		tch::no_grad(|| {
			let norms: Vec<Tensor> = self
				.parameters
				.iter()
				.map(|p| p.grad())
				.filter(|g| g.defined())
				.map(|g| g.norm().to_kind(Kind::Double))
				.collect();
			if norms.is_empty() {
				return 0.0;
			}
			let total = f64::try_from(Tensor::stack(&norms, 0).norm()).unwrap_or(f64::INFINITY);
			if total > max_norm {
				for p in &self.parameters {
					let mut g = p.grad();
					if g.defined() {
						let _ = g.g_mul_scalar_(max_norm / (total + 1e-6));
					}
				}
			}
			total
		})
	}

	pub fn step(&mut self, lr: f64) -> Result<()> {
		self.steps += 1;
		let step = self.steps as f64;
		let correction1 = 1.0 - BETA1.powf(step);
		let correction2_sqrt = (1.0 - BETA2.powf(step)).sqrt();
		// libtorch's update in libtorch's order (decoupled decay first, ε after the corrected
		// square root). libtorch fuses the moments' scaled adds (`add_(grad, alpha)`), which tch
		// does not expose, so the two round apart by under 1e-6 over 200 steps (the test below);
		// a run is bit-identical to itself, resumed or not, not to libtorch's.
		tch::no_grad(|| {
			for (parameter, (mean, square)) in self.parameters.iter().zip(&mut self.moments) {
				let gradient = parameter.grad();
				if !gradient.defined() {
					continue;
				}
				let mut parameter = parameter.shallow_clone();
				if self.weight_decay != 0.0 {
					let _ = parameter.g_mul_scalar_(1.0 - lr * self.weight_decay);
				}
				let _ = mean.g_mul_scalar_(BETA1);
				let _ = mean.g_add_(&(&gradient * (1.0 - BETA1)));
				let _ = square.g_mul_scalar_(BETA2);
				let _ = square.g_add_(&(&gradient * (1.0 - BETA2) * &gradient));
				let denominator = square.sqrt() / correction2_sqrt + EPSILON;
				let _ = parameter.g_add_(&(&*mean / denominator * (-lr / correction1)));
			}
		});
		Ok(())
	}

	pub fn zero_grad(&mut self) -> Result<()> {
		for parameter in &self.parameters {
			let mut gradient = parameter.grad();
			if gradient.defined() {
				let _ = gradient.zero_();
			}
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn schedule_warms_up_then_decays_to_the_floor() {
		let s = Schedule { peak: 1.0, warmup: 4, total: 20, floor: 0.1 };
		assert!((s.lr(0) - 0.25).abs() < 1e-12);
		assert!((s.lr(3) - 1.0).abs() < 1e-12);
		assert!((s.lr(4) - 1.0).abs() < 1e-12);
		assert!(s.lr(10) < s.lr(5));
		assert!((s.lr(20) - 0.1).abs() < 1e-12);
	}

	#[test]
	fn adamw_steps_like_pytorch() {
		// torch.optim.AdamW([p], lr=0.1, weight_decay=0.01) from p = [1, -2] with gradients
		// [0.5, 0.25] then [-1, 2]: p after step 1 = [0.8990, -2.0980], after step 2 =
		// [0.9347, -2.1780] (computed with torch 2.13).
		let p = Tensor::from_slice(&[1f32, -2.0]).set_requires_grad(true);
		let mut opt = AdamW::new(vec![p.shallow_clone()], 0.01).unwrap();
		for (gradient, expected) in
			[([0.5f32, 0.25], [0.8990f32, -2.0980]), ([-1.0, 2.0], [0.9347, -2.1780])]
		{
			opt.zero_grad().unwrap();
			(&p * Tensor::from_slice(&gradient)).sum(Kind::Float).backward();
			opt.step(0.1).unwrap();
			let got = Vec::<f32>::try_from(&p.detach()).unwrap();
			for (got, expected) in got.iter().zip(expected) {
				assert!((got - expected).abs() < 1e-4, "{got} vs {expected}");
			}
		}
		assert_eq!(opt.state().0, 2);
	}

	#[test]
	fn adamw_follows_libtorchs_adamw_over_many_steps() {
		let shape = [4i64, 3];
		let start = Tensor::randn(shape, (Kind::Float, tch::Device::Cpu));
		let ours = start.copy().set_requires_grad(true);
		let theirs = start.copy().set_requires_grad(true);
		let mut ours_opt = AdamW::new(vec![ours.shallow_clone()], 0.01).unwrap();
		let mut theirs_opt =
			tch::COptimizer::adamw(1e-3, BETA1, BETA2, 0.01, EPSILON, false).unwrap();
		theirs_opt.add_parameters(&theirs, 0).unwrap();
		for step in 0..200 {
			let target = Tensor::randn(shape, (Kind::Float, tch::Device::Cpu));
			let lr = 0.05 / (1 + step / 50) as f64;
			ours_opt.zero_grad().unwrap();
			(&ours - &target).square().sum(Kind::Float).backward();
			ours_opt.step(lr).unwrap();
			theirs_opt.zero_grad().unwrap();
			(&theirs - &target).square().sum(Kind::Float).backward();
			theirs_opt.set_learning_rate(lr).unwrap();
			theirs_opt.step().unwrap();
		}
		let diff = f64::try_from((&ours - &theirs).abs().max()).unwrap();
		assert!(diff < 1e-6, "ours and libtorch's AdamW drift apart by {diff}");
	}

	#[test]
	fn clipping_bounds_the_global_gradient_norm() {
		let p = Tensor::zeros([3], (Kind::Float, tch::Device::Cpu)).set_requires_grad(true);
		(&p * Tensor::from_slice(&[30f32, 40.0, 0.0])).sum(Kind::Float).backward();
		let opt = AdamW::new(vec![p.shallow_clone()], 0.0).unwrap();
		let before = opt.clip_grad_norm(1.0);
		assert!((before - 50.0).abs() < 1e-4);
		let after = f64::try_from(p.grad().norm()).unwrap();
		assert!((after - 1.0).abs() < 1e-4);
	}
}
