//! Drawing workers for a duty (recomputing a disputed record, verifying a training result) from
//! a random seed, the same way in every pallet.
//!
//! The seed must come from randomness that whoever triggers the draw could not know when they
//! acted: the pallets take it from a block *after* the dispute or job was opened (see the threat
//! model). Given the seed the draw is deterministic, so every node agrees on it.

extern crate alloc;

use alloc::vec::Vec;
use codec::Encode;

/// `count` distinct indices into a population of `population`, uniformly chosen from `seed`
/// (a partial Fisher–Yates shuffle driven by `blake2_256(seed ++ step)`), in draw order.
/// Returns fewer when the population is smaller than `count`.
pub fn draw_distinct(seed: &[u8; 32], population: usize, count: usize) -> Vec<usize> {
	let mut indices: Vec<usize> = (0..population).collect();
	let count = count.min(population);
	for step in 0..count {
		let word = sp_crypto_hashing::blake2_256(&(seed, step as u32).encode());
		let mut low = [0u8; 8];
		low.copy_from_slice(&word[..8]);
		// Modulo bias is below 2^-40 for any population that fits a worker list.
		let remaining = (population - step) as u64;
		let pick = step + (u64::from_le_bytes(low) % remaining) as usize;
		indices.swap(step, pick);
	}
	indices.truncate(count);
	indices
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn draws_are_distinct_deterministic_and_bounded() {
		let seed = [7u8; 32];
		let drawn = draw_distinct(&seed, 10, 4);
		assert_eq!(drawn.len(), 4);
		let mut sorted = drawn.clone();
		sorted.sort_unstable();
		sorted.dedup();
		assert_eq!(sorted.len(), 4, "distinct: {drawn:?}");
		assert!(drawn.iter().all(|&index| index < 10));
		assert_eq!(draw_distinct(&seed, 10, 4), drawn, "the same seed draws the same workers");
		assert_ne!(draw_distinct(&[8u8; 32], 10, 4), drawn, "another seed draws others");
		assert_eq!(draw_distinct(&seed, 2, 5).len(), 2, "never more than the population");
		assert!(draw_distinct(&seed, 0, 3).is_empty());
	}

	#[test]
	fn every_member_is_drawn_about_equally_often() {
		let mut counts = [0u32; 5];
		for round in 0u32..5_000 {
			let seed = sp_crypto_hashing::blake2_256(&round.encode());
			for index in draw_distinct(&seed, 5, 2) {
				counts[index] += 1;
			}
		}
		// 2,000 expected per member; 5 standard deviations is about ±170.
		assert!(counts.iter().all(|&count| (1_800..2_200).contains(&count)), "{counts:?}");
	}
}
