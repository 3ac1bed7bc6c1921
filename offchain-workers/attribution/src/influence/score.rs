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

use tributary_primitives::attribution::{RowScore, PARTS_PER_BILLION};

use super::sketch::InfluenceSketch;
use crate::error::AttributionError;

/// How row gradients are compared with the output's gradient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InfluenceScoring {
	/// Inner product of projected gradients.
	TracIn,
	/// DataInf's closed-form inverse-Fisher-weighted inner product; `damping_milli` is the
	/// damping factor in thousandths (100 = DataInf's 0.1).
	DataInf { damping_milli: u32 },
}

impl InfluenceScoring {
	/// DataInf with its authors' damping of 0.1.
	pub const DATAINF: InfluenceScoring = InfluenceScoring::DataInf { damping_milli: 100 };
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
	a.iter().zip(b).map(|(&x, &y)| f64::from(x) * f64::from(y)).sum()
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
			Ok((0..n)
				.map(|i| effective.iter().zip(sketch.vector(i)).map(|(&u, &g)| u * f64::from(g)).sum())
				.collect())
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
	let quantized: Vec<u128> =
		raw.iter().map(|&s| if s.is_finite() && s > 0.0 { (s / max * RESOLUTION).floor() as u128 } else { 0 }).collect();
	let total: u128 = quantized.iter().sum();
	sketch
		.rows()
		.iter()
		.zip(quantized)
		.map(|(&row, q)| RowScore { row, parts_per_billion: (q * u128::from(PARTS_PER_BILLION) / total) as u32 })
		.filter(|score| score.parts_per_billion > 0)
		.collect()
}
