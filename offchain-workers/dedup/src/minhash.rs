//! MinHash signatures: `SIGNATURE_LEN` independent hash functions over a shingle set, keeping the
//! minimum of each. Two sets agree at one position with probability equal to their Jaccard
//! similarity.

use crate::shingle::{mix, ShingleSet};

/// Hash functions per signature.
pub const SIGNATURE_LEN: usize = 126;

/// The MinHash signature of a shingle set (all `u64::MAX` for an empty set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature(pub [u64; SIGNATURE_LEN]);

impl Signature {
	pub fn of(shingles: &ShingleSet) -> Signature {
		let mut minimums = [u64::MAX; SIGNATURE_LEN];
		for &shingle in shingles.hashes() {
			for (i, minimum) in minimums.iter_mut().enumerate() {
				let value = mix(shingle ^ SEEDS[i]);
				if value < *minimum {
					*minimum = value;
				}
			}
		}
		Signature(minimums)
	}

	/// Share of positions where the signatures agree: an estimate of Jaccard similarity.
	pub fn estimate(&self, other: &Signature) -> f64 {
		let agree = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
		agree as f64 / SIGNATURE_LEN as f64
	}
}

/// Per-function seeds: SplitMix64's sequence from a fixed start.
const SEEDS: [u64; SIGNATURE_LEN] = {
	let mut seeds = [0u64; SIGNATURE_LEN];
	let mut state: u64 = 0x7472_6962_7574_6172; // "tributar"
	let mut i = 0;
	while i < SIGNATURE_LEN {
		state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
		let mut z = state;
		z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
		seeds[i] = z ^ (z >> 31);
		i += 1;
	}
	seeds
};

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn estimate_tracks_jaccard() {
		let words: Vec<String> = (0..400).map(|i| format!("w{i}")).collect();
		let a = ShingleSet::of(words[..300].join(" ").as_bytes(), 1);
		let b = ShingleSet::of(words[100..].join(" ").as_bytes(), 1);
		// |a ∩ b| = 200, |a ∪ b| = 400.
		let estimate = Signature::of(&a).estimate(&Signature::of(&b));
		assert!((estimate - 0.5).abs() < 0.12, "{estimate}");
		assert_eq!(Signature::of(&a).estimate(&Signature::of(&a)), 1.0);
	}
}
