//! Span attribution, infini-gram style: which corpus rows contain the long exact spans of an
//! output, and how much of the output each row explains.
//!
//! Scoring (all integer arithmetic, so every machine gets the same numbers):
//!
//! 1. For every output position `i`, `L_i` is the length of the longest suffix of
//!    `output[..=i]` that occurs in the corpus inside one row, and `c_i` its number of occurrences.
//! 2. A span is *maximal* when it cannot be extended to the right: `i` is the last position or
//!    `L_{i+1} <= L_i`. Maximal spans with `L >= min_span_len` and `c <= max_span_occurrences`
//!    are eligible.
//! 3. Each output position is owned by the longest eligible span covering it (ties: the one
//!    starting first). Span `s` owns `a_s` positions.
//! 4. Credit to the first contributor ([`CreditOwners`]): an occurrence in a row that repeats an
//!    earlier row counts as an occurrence in that earlier row, its owner. With `m` the output
//!    length, `o_{s,r}` the occurrences of span `s` in row `r` and in the rows `r` owns, `u_s`
//!    the occurrences in rows that are their own owners (`c_s` if the span is only in copies),
//!    and `rarity(u) = 1 / (1 + floor(log2 u))`:
//!
//!    `score(r) = sum_s (a_s / m) * rarity(u_s) * (o_{s,r} / c_s)`
//!
//!    so a span's credit grows with its length (positions it explains), is shared between the
//!    rows that contain it, and shrinks for spans common in the corpus — but not for spans made
//!    common by copying a row. Since every position is owned at most once and
//!    `sum_r o_{s,r} = c_s`, the scores sum to at most 1, and exactly to the fraction of the
//!    output covered by unique spans.
//! 5. Each term is floored at 10^-18, summed per row, then floored to parts per billion.

use std::{collections::BTreeMap, ops::Range};

use tributary_primitives::attribution::{RowRef, RowScore, SpanParams, PARTS_PER_BILLION};

use crate::{credit::CreditOwners, error::AttributionError, index::SuffixIndex};

/// The longest corpus match ending at one output position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PositionMatch {
	/// Length in tokens of the longest suffix ending here that occurs in the corpus (0 if the
	/// token itself never occurs).
	pub length: usize,
	/// Suffix-array ranks of its occurrences; `count = ranks.len()`.
	pub ranks: Range<usize>,
}

impl PositionMatch {
	pub fn count(&self) -> u64 {
		if self.length == 0 {
			0
		} else {
			self.ranks.len() as u64
		}
	}
}

/// A maximal matched span of the output.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Span {
	start: usize,
	end: usize,
	ranks: Range<usize>,
}

/// For every output position, the longest suffix ending there that occurs in the corpus.
///
/// The start of that suffix never moves left as the position advances, so each position costs
/// one narrowing step of the suffix-array range, plus a fresh search when the start moves.
pub fn longest_matches(index: &SuffixIndex, output: &[u32]) -> Vec<PositionMatch> {
	let mut matches = Vec::with_capacity(output.len());
	let mut start = 0;
	let mut range = index.full_range();
	let mut symbols: Vec<Option<u32>> = Vec::with_capacity(output.len());
	for (end, &token) in output.iter().enumerate() {
		let symbol = index.symbol_of_token(token);
		symbols.push(symbol);
		loop {
			let depth = end - start;
			let next = match symbol {
				Some(symbol) => index.narrow(range.clone(), depth, symbol),
				None => 0..0,
			};
			if !next.is_empty() {
				range = next;
				break;
			}
			if depth == 0 {
				start = end + 1;
				range = index.full_range();
				break;
			}
			start += 1;
			let shorter: Vec<u32> = symbols[start..end]
				.iter()
				.map(|s| s.expect("matched symbols are known"))
				.collect();
			range = index.find_symbols(&shorter);
		}
		let length = end + 1 - start;
		matches
			.push(PositionMatch { length, ranks: if length == 0 { 0..0 } else { range.clone() } });
	}
	matches
}

/// Per-row scores of an output, sorted by row, zero scores omitted; duplicates' occurrences
/// credited to their `owners`.
pub fn span_scores(
	index: &SuffixIndex,
	output: &[u32],
	params: &SpanParams,
	owners: &CreditOwners,
) -> Result<Vec<RowScore>, AttributionError> {
	if params.min_span_len == 0 {
		return Err(AttributionError::InvalidParameter("min_span_len must be at least 1"));
	}
	if params.max_span_occurrences == 0 {
		return Err(AttributionError::InvalidParameter("max_span_occurrences must be at least 1"));
	}
	let matches = longest_matches(index, output);
	let spans = eligible_spans(&matches, params);
	let owned = owned_positions(&spans, output.len());

	const UNIT: u128 = 1_000_000_000_000_000_000;
	let mut totals: BTreeMap<RowRef, u128> = BTreeMap::new();
	for (span, &owned) in spans.iter().zip(&owned) {
		if owned == 0 {
			continue;
		}
		let mut occurrences: BTreeMap<RowRef, u64> = BTreeMap::new();
		let mut independent: u128 = 0;
		for rank in span.ranks.clone() {
			let row = index.row_at(index.row_of_position(index.position_at_rank(rank)));
			if !owners.is_duplicate(row) {
				independent += 1;
			}
			*occurrences.entry(owners.owner(row)).or_default() += 1;
		}
		let count = span.ranks.len() as u128;
		let rarity_divisor =
			1 + u128::from(if independent == 0 { count } else { independent }.ilog2());
		let denominator = output.len() as u128 * count * rarity_divisor;
		for (row, in_row) in occurrences {
			*totals.entry(row).or_default() +=
				UNIT * owned as u128 * u128::from(in_row) / denominator;
		}
	}
	let per_billion = UNIT / u128::from(PARTS_PER_BILLION);
	Ok(totals
		.into_iter()
		.map(|(row, total)| RowScore { row, parts_per_billion: (total / per_billion) as u32 })
		.filter(|score| score.parts_per_billion > 0)
		.collect())
}

fn eligible_spans(matches: &[PositionMatch], params: &SpanParams) -> Vec<Span> {
	let min_len = params.min_span_len as usize;
	let max_count = u64::from(params.max_span_occurrences);
	matches
		.iter()
		.enumerate()
		.filter(|(end, m)| matches.get(end + 1).is_none_or(|next| next.length <= m.length))
		.filter(|(_, m)| m.length >= min_len && m.count() <= max_count)
		.map(|(end, m)| Span { start: end + 1 - m.length, end: end + 1, ranks: m.ranks.clone() })
		.collect()
}

/// How many output positions each span owns: positions go to the longest covering span, ties
/// to the one starting first.
fn owned_positions(spans: &[Span], output_len: usize) -> Vec<usize> {
	let mut order: Vec<usize> = (0..spans.len()).collect();
	order.sort_by_key(|&s| (std::cmp::Reverse(spans[s].end - spans[s].start), spans[s].start));
	let mut taken = vec![false; output_len];
	let mut owned = vec![0; spans.len()];
	for s in order {
		for slot in &mut taken[spans[s].start..spans[s].end] {
			if !std::mem::replace(slot, true) {
				owned[s] += 1;
			}
		}
	}
	owned
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::corpus::{ByteTokenizer, CorpusRow, VerifiedCorpus};
	use tributary_primitives::{attribution::RowRef, content_hash};

	fn index_of(rows: &[&str]) -> SuffixIndex {
		let rows = rows
			.iter()
			.enumerate()
			.map(|(i, text)| CorpusRow {
				row: RowRef { datanet: 7, row: i as u64 },
				claimed_hash: content_hash(text.as_bytes()),
				bytes: text.as_bytes().to_vec(),
			})
			.collect();
		SuffixIndex::build(&VerifiedCorpus::verify(rows).unwrap(), &ByteTokenizer).unwrap()
	}

	fn tokens(text: &str) -> Vec<u32> {
		text.bytes().map(u32::from).collect()
	}

	#[test]
	fn longest_match_lengths_agree_with_brute_force() {
		let index = index_of(&["abracadabra", "cadence"]);
		let output = tokens("xabradence!");
		let matches = longest_matches(&index, &output);
		for (end, m) in matches.iter().enumerate() {
			let brute = (0..=end)
				.map(|start| &output[start..=end])
				.find(|suffix| index.count(suffix) > 0)
				.map_or(0, |suffix| suffix.len());
			assert_eq!(m.length, brute, "position {end}");
			let expected_count =
				if brute == 0 { 0 } else { index.count(&output[end + 1 - brute..=end]) };
			assert_eq!(m.count(), expected_count, "position {end}");
		}
	}

	#[test]
	fn shared_span_is_split_and_discounted() {
		// "common" appears once in each of two rows: each row gets half of the span's positions,
		// times rarity 1/2.
		let index = index_of(&["a common thing", "the common way"]);
		let output = tokens("common");
		let params = SpanParams { min_span_len: 6, max_span_occurrences: 10 };
		let scores = span_scores(&index, &output, &params, &CreditOwners::none()).unwrap();
		assert_eq!(scores.len(), 2);
		assert!(scores.iter().all(|s| s.parts_per_billion == 250_000_000), "{scores:?}");
	}

	#[test]
	fn zero_parameters_are_refused() {
		let index = index_of(&["abc"]);
		let bad = SpanParams { min_span_len: 0, max_span_occurrences: 1 };
		assert!(matches!(
			span_scores(&index, &[1], &bad, &CreditOwners::none()),
			Err(AttributionError::InvalidParameter(_))
		));
	}
}
