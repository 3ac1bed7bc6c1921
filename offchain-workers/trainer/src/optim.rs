//! AdamW (libtorch's implementation), learning-rate warmup + cosine decay, gradient clipping.

use crate::error::Result;
use tch::{COptimizer, Kind, Tensor};

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
	optimizer: COptimizer,
	parameters: Vec<Tensor>,
}

impl AdamW {
	pub fn new(parameters: Vec<Tensor>, weight_decay: f64) -> Result<AdamW> {
		let mut optimizer = COptimizer::adamw(1e-3, 0.9, 0.999, weight_decay, 1e-8, false)?;
		for p in &parameters {
			optimizer.add_parameters(p, 0)?;
		}
		Ok(AdamW { optimizer, parameters })
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
		self.optimizer.set_learning_rate(lr)?;
		self.optimizer.step()?;
		Ok(())
	}

	pub fn zero_grad(&mut self) -> Result<()> {
		Ok(self.optimizer.zero_grad()?)
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
