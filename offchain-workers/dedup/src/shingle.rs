//! Rows as sets of hashed word shingles.
//!
//! Normalization: the text (invalid UTF-8 replaced) is lower-cased and split into words, each a
//! maximal run of alphanumeric characters; everything else (whitespace, punctuation, symbols) only
//! separates words. A shingle is `k` consecutive words; a row of fewer than `k` words is one
//! shingle of all its words.

/// The sorted, distinct shingle hashes of one row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShingleSet {
	hashes: Vec<u64>,
}

impl ShingleSet {
	/// The shingles of `bytes` with `k` words each (`k >= 1`).
	pub fn of(bytes: &[u8], k: usize) -> ShingleSet {
		assert!(k >= 1, "a shingle has at least one word");
		let text = String::from_utf8_lossy(bytes).to_lowercase();
		let words: Vec<&str> =
			text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
		let mut hashes: Vec<u64> = if words.is_empty() {
			Vec::new()
		} else {
			words.windows(k.min(words.len())).map(hash_words).collect()
		};
		hashes.sort_unstable();
		hashes.dedup();
		ShingleSet { hashes }
	}

	pub fn hashes(&self) -> &[u64] {
		&self.hashes
	}

	pub fn len(&self) -> usize {
		self.hashes.len()
	}

	pub fn is_empty(&self) -> bool {
		self.hashes.is_empty()
	}

	/// Shingles in both sets.
	pub fn intersection_len(&self, other: &ShingleSet) -> usize {
		let (mut i, mut j, mut both) = (0, 0, 0);
		while i < self.hashes.len() && j < other.hashes.len() {
			match self.hashes[i].cmp(&other.hashes[j]) {
				std::cmp::Ordering::Less => i += 1,
				std::cmp::Ordering::Greater => j += 1,
				std::cmp::Ordering::Equal => {
					both += 1;
					i += 1;
					j += 1;
				},
			}
		}
		both
	}

	pub fn contains(&self, hash: u64) -> bool {
		self.hashes.binary_search(&hash).is_ok()
	}
}

/// FNV-1a over the words joined by a unit separator, finished with SplitMix64's mixer so
/// nearby inputs spread over all 64 bits.
fn hash_words(words: &[&str]) -> u64 {
	let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
	for (i, word) in words.iter().enumerate() {
		if i > 0 {
			hash = (hash ^ 0x1f).wrapping_mul(0x0100_0000_01b3);
		}
		for &byte in word.as_bytes() {
			hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
		}
	}
	mix(hash)
}

/// SplitMix64's output function.
pub(crate) fn mix(mut z: u64) -> u64 {
	z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
	z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
	z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn case_spacing_and_punctuation_do_not_matter() {
		let a = ShingleSet::of(b"The quick brown fox jumps.", 3);
		let b = ShingleSet::of(b"  the QUICK, brown\tfox -- jumps!!", 3);
		assert_eq!(a, b);
		assert_eq!(a.len(), 3);
	}

	#[test]
	fn short_rows_are_one_shingle_and_empty_rows_none() {
		assert_eq!(ShingleSet::of(b"two words", 3).len(), 1);
		assert!(ShingleSet::of(b" ... ", 3).is_empty());
	}

	#[test]
	fn word_order_matters_within_a_shingle() {
		let a = ShingleSet::of(b"alpha beta gamma", 3);
		let b = ShingleSet::of(b"gamma beta alpha", 3);
		assert_eq!(a.intersection_len(&b), 0);
		assert_eq!(a.intersection_len(&a), 1);
	}
}
