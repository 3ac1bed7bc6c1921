//! An index of rows for finding near-duplicates among earlier ones.
//!
//! LSH banding over MinHash signatures proposes candidates: the signature is cut into
//! `BANDS` bands of `ROWS_PER_BAND` values, and rows sharing any whole band are candidates
//! (probability `1 - (1 - J^3)^42` for Jaccard similarity `J`: 0.99 at 0.5, 0.79 at 0.33,
//! 0.04 at 0.1). Each candidate is then compared exactly on its shingle set, so the reported
//! similarity carries no estimation error.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::{
	minhash::{Signature, SIGNATURE_LEN},
	shingle::ShingleSet,
	Params, PPM,
};

const ROWS_PER_BAND: usize = 3;
const BANDS: usize = SIGNATURE_LEN / ROWS_PER_BAND;

/// Below this many shingles a row is judged by Jaccard similarity with one earlier row rather
/// than by the share of it found anywhere before: a few words occur in many unrelated rows.
pub const MIN_COVERAGE_SHINGLES: usize = 8;

/// An earlier row that a row repeats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateMatch<K> {
	/// The earlier row sharing the most shingles with this one (ties: the earliest).
	pub original: K,
	/// Share of this row's shingles found in earlier rows (or, for short rows, Jaccard
	/// similarity with `original`), in ppm.
	pub similarity_ppm: u32,
	/// Earlier rows that share at least one shingle with this one (`original` among them).
	pub sources: usize,
}

struct Entry<K> {
	key: K,
	shingles: ShingleSet,
}

/// Rows keyed by `K`, whose order is the order of contribution: a row is only ever a duplicate
/// of rows with smaller keys.
pub struct NearDuplicateIndex<K> {
	params: Params,
	entries: Vec<Entry<K>>,
	keys: HashSet<K>,
	buckets: HashMap<(u8, u64), Vec<usize>>,
}

impl<K: Ord + Clone + std::hash::Hash> NearDuplicateIndex<K> {
	pub fn new(params: Params) -> Self {
		NearDuplicateIndex {
			params,
			entries: Vec::new(),
			keys: HashSet::new(),
			buckets: HashMap::new(),
		}
	}

	/// The shingles of `bytes` under this index's parameters.
	pub fn shingles(&self, bytes: &[u8]) -> ShingleSet {
		ShingleSet::of(bytes, self.params.shingle_words)
	}

	/// Adds a row (a key already present is left as it is).
	pub fn insert(&mut self, key: K, shingles: ShingleSet) {
		if self.keys.contains(&key) || shingles.is_empty() {
			return;
		}
		let at = self.entries.len();
		for (band, hash) in band_hashes(&Signature::of(&shingles)) {
			self.buckets.entry((band, hash)).or_default().push(at);
		}
		self.keys.insert(key.clone());
		self.entries.push(Entry { key, shingles });
	}

	/// The earlier row (key below `key`) that the row with `shingles` repeats, if its similarity
	/// reaches the threshold.
	pub fn find_original(&self, key: &K, shingles: &ShingleSet) -> Option<DuplicateMatch<K>> {
		let found = self.closest_earlier(key, shingles)?;
		(found.similarity_ppm >= self.params.threshold_ppm).then_some(found)
	}

	/// The earlier row sharing most with `shingles` and the similarity, whatever it is.
	pub fn closest_earlier(&self, key: &K, shingles: &ShingleSet) -> Option<DuplicateMatch<K>> {
		if shingles.is_empty() {
			return None;
		}
		let candidates: BTreeSet<usize> = band_hashes(&Signature::of(shingles))
			.filter_map(|bucket| self.buckets.get(&bucket))
			.flatten()
			.copied()
			.filter(|&at| self.entries[at].key < *key)
			.collect();
		let overlaps: Vec<(usize, usize)> = candidates
			.into_iter()
			.map(|at| (at, self.entries[at].shingles.intersection_len(shingles)))
			.filter(|&(_, overlap)| overlap > 0)
			.collect();
		let &(best, best_overlap) = overlaps.iter().max_by(|(a, x), (b, y)| {
			x.cmp(y).then_with(|| self.entries[*b].key.cmp(&self.entries[*a].key))
		})?;
		let similarity_ppm = if shingles.len() < MIN_COVERAGE_SHINGLES {
			let union = shingles.len() + self.entries[best].shingles.len() - best_overlap;
			ratio_ppm(best_overlap, union)
		} else {
			let covered = shingles
				.hashes()
				.iter()
				.filter(|&&hash| {
					overlaps.iter().any(|&(at, _)| self.entries[at].shingles.contains(hash))
				})
				.count();
			ratio_ppm(covered, shingles.len())
		};
		Some(DuplicateMatch {
			original: self.entries[best].key.clone(),
			similarity_ppm,
			sources: overlaps.len(),
		})
	}
}

fn ratio_ppm(part: usize, whole: usize) -> u32 {
	(part as u64 * u64::from(PPM) / whole as u64) as u32
}

fn band_hashes(signature: &Signature) -> impl Iterator<Item = (u8, u64)> + '_ {
	signature
		.0
		.chunks_exact(ROWS_PER_BAND)
		.take(BANDS)
		.enumerate()
		.map(|(band, values)| {
			let hash = values.iter().fold(0u64, |acc, &v| crate::shingle::mix(acc ^ v));
			(band as u8, hash)
		})
}

#[cfg(test)]
mod tests {
	use super::*;

	fn index(rows: &[&str]) -> NearDuplicateIndex<u32> {
		let mut index = NearDuplicateIndex::new(Params::DEFAULT);
		for (key, text) in rows.iter().enumerate() {
			let shingles = index.shingles(text.as_bytes());
			index.insert(key as u32, shingles);
		}
		index
	}

	const ROW: &str = "Licensed under the Apache License, Version 2.0 you may not use this file \
		except in compliance with the License and you may obtain a copy of the License";

	#[test]
	fn a_copy_matches_only_rows_before_it() {
		let index = index(&["something else entirely, nothing shared here at all", ROW]);
		let copy = index.shingles(ROW.to_uppercase().as_bytes());
		let found = index.find_original(&5, &copy).expect("a copy is a duplicate");
		assert_eq!((found.original, found.similarity_ppm), (1, PPM));
		assert_eq!(index.find_original(&1, &copy), None, "row 1 is not before itself");
	}

	#[test]
	fn two_rows_glued_together_are_covered_by_both() {
		let second = "Unless required by applicable law or agreed to in writing software \
			distributed under the License is distributed on an AS IS BASIS";
		let index = index(&[ROW, second]);
		let glued = index.shingles(format!("{ROW} {second}").as_bytes());
		let found = index.find_original(&9, &glued).expect("glued rows are duplicates");
		assert!(found.similarity_ppm > 900_000, "{found:?}");
		assert_eq!(found.sources, 2);
	}

	#[test]
	fn unrelated_rows_do_not_match() {
		let index = index(&[ROW]);
		let other = index.shingles(
			b"The quick brown fox jumps over the lazy dog while the cat sleeps by the fire",
		);
		assert_eq!(index.find_original(&9, &other), None);
	}
}
