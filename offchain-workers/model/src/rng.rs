//! A small seeded generator for weight initialisation and sampling.
//!
//! torch's generator is global to the process: two threads seeding and drawing from it at once get
//! each other's numbers. Initial weights and samples must replay exactly from their seed, so they
//! come from this generator instead.

use tch::{Device, Kind, Tensor};

/// SplitMix64 (Steele, Lea & Flood, 2014).
#[derive(Clone, Debug)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
	pub fn next_u64(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
		z ^ (z >> 31)
	}

	/// Uniform in [0, 1) with 53 bits of precision.
	pub fn next_f64(&mut self) -> f64 {
		(self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
	}

	/// Standard normal (Box–Muller).
	pub fn next_normal(&mut self) -> f64 {
		let u1 = 1.0 - self.next_f64();
		let u2 = self.next_f64();
		(-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
	}

	/// Fisher–Yates shuffle.
	pub fn shuffle<T>(&mut self, items: &mut [T]) {
		for i in (1..items.len()).rev() {
			let j = (self.next_u64() % (i as u64 + 1)) as usize;
			items.swap(i, j);
		}
	}

	/// An fp32 tensor of N(0, std²) values.
	pub fn normal(&mut self, shape: &[i64], std: f64, device: Device) -> Tensor {
		let n: i64 = shape.iter().product();
		let values: Vec<f32> = (0..n).map(|_| (self.next_normal() * std) as f32).collect();
		Tensor::from_slice(&values).reshape(shape).to_device(device)
	}

	/// An fp32 tensor of U(-bound, bound) values.
	pub fn uniform(&mut self, shape: &[i64], bound: f64, device: Device) -> Tensor {
		let n: i64 = shape.iter().product();
		let values: Vec<f32> =
			(0..n).map(|_| ((self.next_f64() * 2.0 - 1.0) * bound) as f32).collect();
		Tensor::from_slice(&values)
			.reshape(shape)
			.to_device(device)
			.to_kind(Kind::Float)
	}
}
