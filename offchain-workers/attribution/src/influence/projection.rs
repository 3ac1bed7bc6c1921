//! Seeded random projection of LoRA gradients (LoGra style: one small projection per side of
//! each adapted module instead of one huge matrix over all parameters).
//!
//! For a module with adapter A: [r, in] and B: [out, r], the loss gradients G_A and G_B are
//! projected as
//!
//! ```text
//! G_A · S_inᵀ / √k   → [r, k]     S_in:  [k, in]  entries ±1
//! S_out · G_B / √k   → [k, r]     S_out: [k, out] entries ±1
//! ```
//!
//! so each module contributes a block of `2·r·k` numbers, and E[⟨Pg, Pg'⟩] = ⟨g, g'⟩
//! (Johnson–Lindenstrauss). The signs of each matrix come from SplitMix64 seeded with the first 8
//! bytes (little-endian) of blake2-256(`seed` LE ‖ layer LE u32 ‖ module code LE u32 ‖ side
//! byte, 0 for S_in and 1 for S_out): bit `j·dim + c` of the stream (64 bits per draw, lowest
//! first) set means S[j][c] = -1. Sums run in f64 in a fixed order, so the projection is the
//! same on every machine.

use tributary_primitives::{content_hash, training::TargetModule};

/// One adapted module as the projection sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModuleShape {
	pub layer: u32,
	pub module: TargetModule,
	/// Input features of the base projection (columns of A).
	pub in_features: u32,
	/// Output features of the base projection (rows of B).
	pub out_features: u32,
}

impl ModuleShape {
	/// Stable code of the module kind in files and seeds: its index in [`TargetModule::ALL`].
	pub fn module_code(&self) -> u32 {
		TargetModule::ALL
			.iter()
			.position(|m| *m == self.module)
			.expect("ALL lists every module") as u32
	}
}

/// The sign matrices of every adapted module, generated once per (shapes, seed, k).
#[derive(Clone, Debug)]
pub struct Projector {
	rank: usize,
	dim: usize,
	modules: Vec<(ModuleShape, Vec<f64>, Vec<f64>)>,
}

impl Projector {
	pub fn new(modules: &[ModuleShape], rank: u32, projection_dim: u32, seed: u64) -> Self {
		let k = projection_dim as usize;
		let scale = 1.0 / (k as f64).sqrt();
		let modules = modules
			.iter()
			.map(|shape| {
				let s_in = signs(seed, shape, 0, k * shape.in_features as usize, scale);
				let s_out = signs(seed, shape, 1, k * shape.out_features as usize, scale);
				(*shape, s_in, s_out)
			})
			.collect();
		Self { rank: rank as usize, dim: k, modules }
	}

	/// Length of one module's block: `2·r·k`.
	pub fn block_len(&self) -> usize {
		2 * self.rank * self.dim
	}

	/// Length of a projected gradient.
	pub fn output_len(&self) -> usize {
		self.modules.len() * self.block_len()
	}

	pub fn modules(&self) -> impl Iterator<Item = &ModuleShape> {
		self.modules.iter().map(|(shape, _, _)| shape)
	}

	/// Project one module's gradients, row-major `grad_a` [r, in] and `grad_b` [out, r], onto
	/// the end of `out`: first the [r, k] block of A, then the [k, r] block of B.
	pub fn project_module(&self, index: usize, grad_a: &[f32], grad_b: &[f32], out: &mut Vec<f32>) {
		let (shape, s_in, s_out) = &self.modules[index];
		let (r, k) = (self.rank, self.dim);
		let (n_in, n_out) = (shape.in_features as usize, shape.out_features as usize);
		debug_assert_eq!(grad_a.len(), r * n_in);
		debug_assert_eq!(grad_b.len(), n_out * r);
		for a in 0..r {
			let row = &grad_a[a * n_in..(a + 1) * n_in];
			for j in 0..k {
				let signs = &s_in[j * n_in..(j + 1) * n_in];
				out.push(row.iter().zip(signs).map(|(&g, &s)| f64::from(g) * s).sum::<f64>() as f32);
			}
		}
		for j in 0..k {
			let signs = &s_out[j * n_out..(j + 1) * n_out];
			for a in 0..r {
				let mut sum = 0.0f64;
				for (o, &s) in signs.iter().enumerate() {
					sum += f64::from(grad_b[o * r + a]) * s;
				}
				out.push(sum as f32);
			}
		}
	}
}

/// `len` entries of ±`scale` for one side of one module.
fn signs(seed: u64, shape: &ModuleShape, side: u8, len: usize, scale: f64) -> Vec<f64> {
	let mut key = Vec::with_capacity(17);
	key.extend_from_slice(&seed.to_le_bytes());
	key.extend_from_slice(&shape.layer.to_le_bytes());
	key.extend_from_slice(&shape.module_code().to_le_bytes());
	key.push(side);
	let digest = content_hash(&key);
	let mut stream = SplitMix64(u64::from_le_bytes(digest[..8].try_into().expect("8 bytes")));
	let mut out = Vec::with_capacity(len);
	while out.len() < len {
		let bits = stream.next();
		let take = (len - out.len()).min(64);
		out.extend((0..take).map(|bit| if bits >> bit & 1 == 1 { -scale } else { scale }));
	}
	out
}

/// SplitMix64 (Steele, Lea & Flood, 2014); the same generator as `tributary_model::rng`,
/// restated here so this file stays free of tch.
struct SplitMix64(u64);

impl SplitMix64 {
	fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
		z ^ (z >> 31)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn shape(layer: u32, module: TargetModule, in_features: u32, out_features: u32) -> ModuleShape {
		ModuleShape { layer, module, in_features, out_features }
	}

	#[test]
	fn projection_preserves_inner_products_on_average() {
		// One module, rank 1: the A block is S_in·g / √k, a JL embedding of g.
		let modules = [shape(0, TargetModule::Q, 256, 1)];
		let projector = Projector::new(&modules, 1, 512, 7);
		let g: Vec<f32> = (0..256).map(|i| ((i * 37 % 19) as f32 - 9.0) / 10.0).collect();
		let mut out = Vec::new();
		projector.project_module(0, &g, &[0.0], &mut out);
		let original: f64 = g.iter().map(|&x| f64::from(x) * f64::from(x)).sum();
		let projected: f64 = out[..512].iter().map(|&x| f64::from(x) * f64::from(x)).sum();
		assert!((projected / original - 1.0).abs() < 0.2, "{projected} vs {original}");
		assert_eq!(out.len(), projector.output_len());
	}

	#[test]
	fn signs_depend_on_seed_and_module_only() {
		let a = Projector::new(
			&[shape(0, TargetModule::Q, 8, 8), shape(1, TargetModule::V, 8, 8)],
			2,
			4,
			1,
		);
		let b = Projector::new(&[shape(1, TargetModule::V, 8, 8)], 2, 4, 1);
		assert_eq!(a.modules[1].1, b.modules[0].1);
		assert_ne!(a.modules[0].1, a.modules[1].1);
		let c = Projector::new(&[shape(1, TargetModule::V, 8, 8)], 2, 4, 2);
		assert_ne!(b.modules[0].1, c.modules[0].1);
	}
}
