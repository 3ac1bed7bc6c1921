//! Suffix array construction by induced sorting (SA-IS, Nong, Zhang & Chan 2009), O(n) time.
//!
//! The input must end with a unique smallest symbol (0) — the index builder appends one — so
//! every suffix is distinct and the suffix array is unique: the same text always yields the same
//! array, which the attribution commitment depends on.

/// Marks an empty slot while buckets are being filled. Positions are `< n <= u32::MAX`.
const EMPTY: u32 = u32::MAX;

/// Suffix array of `text`, whose symbols are all `< alphabet_size` and whose last symbol is the
/// only 0. Callers guarantee `text.len() < u32::MAX`.
pub fn suffix_array(text: &[u32], alphabet_size: usize) -> Vec<u32> {
	debug_assert!(text.last() == Some(&0) && text[..text.len() - 1].iter().all(|&c| c != 0));
	debug_assert!(text.len() < u32::MAX as usize);
	let mut sa = vec![EMPTY; text.len()];
	sais(text, alphabet_size, &mut sa);
	sa
}

fn sais(text: &[u32], alphabet_size: usize, sa: &mut [u32]) {
	let n = text.len();
	if n == 1 {
		sa[0] = 0;
		return;
	}
	let is_s = classify(text);
	let is_lms = |i: usize| i > 0 && is_s[i] && !is_s[i - 1];
	let bucket_sizes = bucket_sizes(text, alphabet_size);

	// Step 1: sort LMS substrings by placing LMS positions at their bucket tails and inducing.
	sa.fill(EMPTY);
	let mut tails = bucket_tails(&bucket_sizes);
	for i in (1..n).rev() {
		if is_lms(i) {
			let c = text[i] as usize;
			tails[c] -= 1;
			sa[tails[c] as usize] = i as u32;
		}
	}
	induce(text, &is_s, &bucket_sizes, sa);

	// Step 2: name LMS substrings in sorted order; equal substrings share a name.
	let sorted_lms: Vec<u32> =
		sa.iter().copied().filter(|&p| p != EMPTY && is_lms(p as usize)).collect();
	let mut name_at = vec![EMPTY; n / 2 + 1];
	let mut name = 0u32;
	let mut previous: Option<usize> = None;
	for &p in &sorted_lms {
		let p = p as usize;
		if let Some(q) = previous {
			if !lms_substrings_equal(text, &is_s, q, p) {
				name += 1;
			}
		}
		name_at[p / 2] = name;
		previous = Some(p);
	}
	let distinct_names = name as usize + 1;

	// LMS positions in text order and the reduced string of their names.
	let lms_positions: Vec<u32> = (1..n).filter(|&i| is_lms(i)).map(|i| i as u32).collect();
	let reduced: Vec<u32> = lms_positions.iter().map(|&p| name_at[p as usize / 2]).collect();
	drop(name_at);

	// Step 3: order of the LMS suffixes, recursing only when names are not yet unique.
	let mut reduced_sa = vec![EMPTY; reduced.len()];
	if distinct_names == reduced.len() {
		for (i, &r) in reduced.iter().enumerate() {
			reduced_sa[r as usize] = i as u32;
		}
	} else {
		sais(&reduced, distinct_names, &mut reduced_sa);
	}

	// Step 4: place the sorted LMS suffixes at their bucket tails and induce the full order.
	sa.fill(EMPTY);
	let mut tails = bucket_tails(&bucket_sizes);
	for &r in reduced_sa.iter().rev() {
		let p = lms_positions[r as usize] as usize;
		let c = text[p] as usize;
		tails[c] -= 1;
		sa[tails[c] as usize] = p as u32;
	}
	induce(text, &is_s, &bucket_sizes, sa);
}

/// `true` for S-type positions (suffix smaller than its successor), `false` for L-type.
fn classify(text: &[u32]) -> Vec<bool> {
	let n = text.len();
	let mut is_s = vec![false; n];
	is_s[n - 1] = true;
	for i in (0..n - 1).rev() {
		is_s[i] = text[i] < text[i + 1] || (text[i] == text[i + 1] && is_s[i + 1]);
	}
	is_s
}

fn bucket_sizes(text: &[u32], alphabet_size: usize) -> Vec<u32> {
	let mut sizes = vec![0u32; alphabet_size];
	for &c in text {
		sizes[c as usize] += 1;
	}
	sizes
}

fn bucket_heads(sizes: &[u32]) -> Vec<u32> {
	let mut sum = 0;
	sizes
		.iter()
		.map(|&size| {
			let head = sum;
			sum += size;
			head
		})
		.collect()
}

fn bucket_tails(sizes: &[u32]) -> Vec<u32> {
	let mut sum = 0;
	sizes
		.iter()
		.map(|&size| {
			sum += size;
			sum
		})
		.collect()
}

/// Induce L-type suffixes left to right from the placed ones, then S-type right to left.
fn induce(text: &[u32], is_s: &[bool], sizes: &[u32], sa: &mut [u32]) {
	let mut heads = bucket_heads(sizes);
	for i in 0..sa.len() {
		let j = sa[i];
		if j != EMPTY && j > 0 && !is_s[j as usize - 1] {
			let c = text[j as usize - 1] as usize;
			sa[heads[c] as usize] = j - 1;
			heads[c] += 1;
		}
	}
	let mut tails = bucket_tails(sizes);
	for i in (0..sa.len()).rev() {
		let j = sa[i];
		if j != EMPTY && j > 0 && is_s[j as usize - 1] {
			let c = text[j as usize - 1] as usize;
			tails[c] -= 1;
			sa[tails[c] as usize] = j - 1;
		}
	}
}

/// Whether the LMS substrings starting at `a` and `b` (both LMS positions) are identical in
/// symbols and types up to and including their closing LMS position.
fn lms_substrings_equal(text: &[u32], is_s: &[bool], a: usize, b: usize) -> bool {
	let n = text.len();
	let is_lms = |i: usize| i > 0 && is_s[i] && !is_s[i - 1];
	for d in 0.. {
		if a + d == n || b + d == n {
			return false;
		}
		if text[a + d] != text[b + d] || is_s[a + d] != is_s[b + d] {
			return false;
		}
		if d > 0 {
			let a_ends = is_lms(a + d);
			let b_ends = is_lms(b + d);
			if a_ends || b_ends {
				return a_ends && b_ends;
			}
		}
	}
	unreachable!("the loop returns before running past the text")
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn naive_suffix_array(text: &[u32]) -> Vec<u32> {
		let mut sa: Vec<u32> = (0..text.len() as u32).collect();
		sa.sort_by(|&a, &b| text[a as usize..].cmp(&text[b as usize..]));
		sa
	}

	#[test]
	fn banana() {
		// b a n a n a $ with a=1, b=2, n=3.
		let text = [2, 1, 3, 1, 3, 1, 0];
		assert_eq!(suffix_array(&text, 4), vec![6, 5, 3, 1, 0, 4, 2]);
	}

	#[test]
	fn sentinel_only() {
		assert_eq!(suffix_array(&[0], 1), vec![0]);
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(256))]
		#[test]
		fn matches_naive_sort(body in prop::collection::vec(1u32..5, 0..300)) {
			let mut text = body;
			text.push(0);
			prop_assert_eq!(suffix_array(&text, 5), naive_suffix_array(&text));
		}

		#[test]
		fn matches_naive_sort_on_repetitive_text(unit in prop::collection::vec(1u32..3, 1..6), repeats in 1usize..60) {
			let mut text: Vec<u32> = unit.iter().copied().cycle().take(unit.len() * repeats).collect();
			text.push(0);
			prop_assert_eq!(suffix_array(&text, 3), naive_suffix_array(&text));
		}
	}
}
