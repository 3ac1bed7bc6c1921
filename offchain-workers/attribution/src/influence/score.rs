//! Influence scores from projected gradients, and their split into parts per billion.
//!
//! With `q` the projected gradient of the output's loss and `g_i` that of training row `i`
//! (both at the final adapter):
//!
//! - **TracIn** (Pruthi et al., 2020, one checkpoint): `s_i = ⟨q, g_i⟩`.
//! - **DataInf** (Kwon et al., 2024): per module block `l` (the `2·r·k` numbers of one adapted
//!   module), the damped inverse of the empirical Fisher `(1/n) Σ_j g_lj g_ljᵀ + λ_l I` is
//!   approximated by averaging Sherman–Morrison inverses of its rank-one terms, which gives
//!
//!   `s_i = Σ_l (1/λ_l) · (q_l − (1/n) Σ_j c_lj g_lj)ᵀ g_li`,  `c_lj = q_lᵀ g_lj / (λ_l + |g_lj|²)`,
//!
//!   with `λ_l = damping · mean_j |g_lj|² / d_l` (DataInf's choice, damping 0.1). Directions
//!   shared by many rows (generic language statistics) are discounted, so a row specific to
//!   the output stands out.
//!
//! `s_i > 0` means a gradient step on row `i` lowers the output's loss: only those rows are
//! credited, in proportion to `s_i`. Every sum runs in f64 in row and coordinate order; scores
//! are quantized to integers relative to the largest (`floor(2^40 · s_i / s_max)`) and split in
//! integer arithmetic, so the parts per billion sum to at most one billion.

pub use tributary_primitives::attribution::InfluenceScoring;
use tributary_primitives::attribution::{RowScore, PARTS_PER_BILLION};

use super::sketch::InfluenceSketch;
use crate::error::AttributionError;

/// Σ a_i·b_i in f64 in a fixed order: eight interleaved partial sums (so the compiler may use
/// SIMD lanes without reordering anything), combined pairwise, then the tail.
fn dot<A: Copy + Into<f64>, B: Copy + Into<f64>>(a: &[A], b: &[B]) -> f64 {
	debug_assert_eq!(a.len(), b.len());
	let mut lanes = [0.0f64; 8];
	let (a_chunks, b_chunks) = (a.chunks_exact(8), b.chunks_exact(8));
	let tail: f64 = a_chunks
		.remainder()
		.iter()
		.zip(b_chunks.remainder())
		.map(|(&x, &y)| x.into() * y.into())
		.sum();
	for (x, y) in a_chunks.zip(b_chunks) {
		for lane in 0..8 {
			lanes[lane] += x[lane].into() * y[lane].into();
		}
	}
	((lanes[0] + lanes[4]) + (lanes[1] + lanes[5]))
		+ ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]))
		+ tail
}

/// Raw influence of every sketch row on the output whose projected gradient is `query`.
pub fn raw_scores(
	sketch: &InfluenceSketch,
	query: &[f32],
	scoring: InfluenceScoring,
) -> Result<Vec<f64>, AttributionError> {
	assert_eq!(query.len(), sketch.dimension(), "query projected with the sketch's projection");
	let n = sketch.rows().len();
	match scoring {
		InfluenceScoring::TracIn => Ok((0..n).map(|i| dot(query, sketch.vector(i))).collect()),
		InfluenceScoring::DataInf { damping_milli } => {
			if damping_milli == 0 {
				return Err(AttributionError::InvalidParameter("DataInf damping must be positive"));
			}
			let damping = f64::from(damping_milli) / 1000.0;
			let block = sketch.block_len();
			// Effective query u = Σ_l (q_l − w_l) / λ_l, then s_i = ⟨u, g_i⟩.
			let mut effective = vec![0.0f64; query.len()];
			for start in (0..query.len()).step_by(block) {
				let range = start..start + block;
				let q = &query[range.clone()];
				let norms: Vec<f64> = (0..n)
					.map(|j| {
						let g = &sketch.vector(j)[range.clone()];
						dot(g, g)
					})
					.collect();
				let lambda = damping * norms.iter().sum::<f64>() / (n as f64 * block as f64);
				if lambda <= 0.0 {
					continue;
				}
				let mut correction = vec![0.0f64; block];
				for (j, norm) in norms.iter().enumerate() {
					let g = &sketch.vector(j)[range.clone()];
					let c = dot(q, g) / (lambda + norm) / n as f64;
					for (w, &x) in correction.iter_mut().zip(g) {
						*w += c * f64::from(x);
					}
				}
				for ((u, &x), w) in effective[range].iter_mut().zip(q).zip(&correction) {
					*u = (f64::from(x) - w) / lambda;
				}
			}
			Ok((0..n).map(|i| dot(&effective, sketch.vector(i))).collect())
		},
	}
}

/// Credit the rows with positive influence in proportion to it, sorted by row, zeros omitted.
pub fn split_positive(sketch: &InfluenceSketch, raw: &[f64]) -> Vec<RowScore> {
	let max = raw.iter().copied().filter(|s| s.is_finite()).fold(0.0f64, f64::max);
	if max <= 0.0 {
		return Vec::new();
	}
	const RESOLUTION: f64 = (1u64 << 40) as f64;
	let quantized: Vec<u128> = raw
		.iter()
		.map(|&s| if s.is_finite() && s > 0.0 { (s / max * RESOLUTION).floor() as u128 } else { 0 })
		.collect();
	let total: u128 = quantized.iter().sum();
	sketch
		.rows()
		.iter()
		.zip(quantized)
		.map(|(&row, q)| RowScore {
			row,
			parts_per_billion: (q * u128::from(PARTS_PER_BILLION) / total) as u32,
		})
		.filter(|score| score.parts_per_billion > 0)
		.collect()
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::influence::{projection::ModuleShape, sketch::SketchInputs};
	use tributary_primitives::{attribution::RowRef, training::TargetModule};

	/// Three rows in one module block of 2·1·2 = 4 numbers.
	fn sketch(vectors: Vec<f32>) -> InfluenceSketch {
		let inputs = SketchInputs {
			model: [0; 32],
			adapter: [1; 32],
			corpus: [2; 32],
			tokenizer: [3; 32],
			seed: 0,
			projection_dim: 2,
			rank: 1,
		};
		let modules = vec![ModuleShape {
			layer: 0,
			module: TargetModule::Q,
			in_features: 4,
			out_features: 4,
		}];
		let rows = (0..3).map(|row| RowRef { datanet: 0, row }).collect();
		InfluenceSketch::new(inputs, modules, rows, vectors)
	}

	#[test]
	fn dot_matches_a_plain_sum() {
		let a: Vec<f32> = (0..21).map(|i| i as f32 * 0.25 - 2.0).collect();
		let b: Vec<f32> = (0..21).map(|i| 1.0 - i as f32 * 0.125).collect();
		let plain: f64 = a.iter().zip(&b).map(|(&x, &y)| f64::from(x) * f64::from(y)).sum();
		assert!((dot(&a, &b) - plain).abs() < 1e-12);
	}

	#[test]
	fn tracin_credits_aligned_rows_in_proportion() {
		let sketch = sketch(vec![1.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0]);
		let raw = raw_scores(&sketch, &[1.0, 0.0, 0.0, 0.0], InfluenceScoring::TracIn).unwrap();
		assert_eq!(raw, vec![1.0, 3.0, -1.0]);
		let split = split_positive(&sketch, &raw);
		let parts: Vec<u32> = split.iter().map(|s| s.parts_per_billion).collect();
		// Integer flooring may lose a part per billion; never gains one.
		assert_eq!(parts, vec![249_999_999, 750_000_000]);
	}

	#[test]
	fn datainf_discounts_a_direction_every_row_shares() {
		// Every row has a large first coordinate; only row 2 shares the query's second one.
		let sketch = sketch(vec![5.0, 0.1, 0.0, 0.0, 5.0, 0.0, 0.1, 0.0, 5.0, 1.0, 0.0, 0.0]);
		let query = [5.0, 1.0, 0.0, 0.0];
		let tracin = raw_scores(&sketch, &query, InfluenceScoring::TracIn).unwrap();
		let datainf = raw_scores(&sketch, &query, InfluenceScoring::DATAINF).unwrap();
		// Inner products are dominated by the shared coordinate: 25.1, 25, 26.
		assert!(tracin[2] / tracin[0] < 1.1, "{tracin:?}");
		// DataInf: about 1.02, 0.92, 1.94.
		assert!(datainf[2] > 1.5 * datainf[0] && datainf[2] > 1.5 * datainf[1], "{datainf:?}");
		assert!(matches!(
			raw_scores(&sketch, &query, InfluenceScoring::DataInf { damping_milli: 0 }),
			Err(AttributionError::InvalidParameter(_))
		));
	}

	#[test]
	fn no_positive_influence_credits_nobody() {
		let sketch = sketch(vec![-1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -2.0, 0.0, 0.0]);
		let raw = raw_scores(&sketch, &[1.0, 1.0, 0.0, 0.0], InfluenceScoring::TracIn).unwrap();
		assert!(split_positive(&sketch, &raw).is_empty());
	}
}
