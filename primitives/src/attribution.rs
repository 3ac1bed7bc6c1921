//! Proof of Attribution records: which datanet rows shaped one answer, and by how much.
//!
//! The attribution engine (`offchain-workers/attribution`) produces an [`AttributionRecord`] for
//! every answer; validators recompute it from the same (model, adapter, corpus, output) and compare
//! [`AttributionRecord::commitment`]s. Everything here is plain integers and hashes so the SCALE
//! encoding, and therefore the commitment, is identical on every machine.

extern crate alloc;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::{content_hash, ContentHash};

/// A score of 1 expressed in parts per billion (the same scale as `Perbill`).
pub const PARTS_PER_BILLION: u32 = 1_000_000_000;

/// One datanet row, named the way rewards are paid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct RowRef {
	/// The datanet's id (`datanets::DatanetId`).
	pub datanet: u32,
	/// The row's id inside its datanet (`datanets::RowId`).
	pub row: u64,
}

/// A row's share of one answer, in parts per billion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct RowScore {
	pub row: RowRef,
	pub parts_per_billion: u32,
}

/// Parameters of suffix-span attribution; part of the record so anyone can recompute it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct SpanParams {
	/// Matches shorter than this many tokens credit nobody.
	pub min_span_len: u32,
	/// Matches occurring more often than this in the corpus are too common to credit anyone.
	pub max_span_occurrences: u32,
}

/// Parameters of BM25 retrieval for retrieval-augmented answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct RagParams {
	/// blake2-256 of the retrieval query's bytes.
	pub query: ContentHash,
	/// How many rows were retrieved (at most) and placed in the prompt.
	pub retrieved: u32,
	/// BM25 `k1` in thousandths (1200 = 1.2).
	pub k1_milli: u32,
	/// BM25 `b` in thousandths (750 = 0.75).
	pub b_milli: u32,
}

/// How influence scores compare a training row's projected gradient with the output's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum InfluenceScoring {
	/// Inner product of projected gradients (TracIn, one checkpoint).
	TracIn,
	/// DataInf's closed-form inverse-Fisher-weighted inner product; `damping_milli` is the damping
	/// factor in thousandths (100 = DataInf's 0.1).
	DataInf { damping_milli: u32 },
}

impl InfluenceScoring {
	/// DataInf with its authors' damping of 0.1.
	pub const DATAINF: InfluenceScoring = InfluenceScoring::DataInf { damping_milli: 100 };
}

/// Parameters of gradient influence that determine its scores, beyond (model, adapter, corpus,
/// output): how gradients are projected (LoGra-style ±1 sign matrices) and how they are scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct InfluenceParams {
	pub scoring: InfluenceScoring,
	/// Projection size `k` per side of each adapted module.
	pub projection_dim: u32,
	/// Seed of the projection's sign matrices.
	pub projection_seed: u64,
}

impl InfluenceParams {
	/// The settings workers use unless asked otherwise: DataInf with damping 0.1, `k = 16`, seed 0.
	pub const DEFAULT: InfluenceParams =
		InfluenceParams { scoring: InfluenceScoring::DATAINF, projection_dim: 16, projection_seed: 0 };
}

/// How the scores of a record were computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum AttributionMethod {
	/// Longest exact token spans shared by the output and the training rows (infini-gram style).
	SuffixSpan(SpanParams),
	/// Gradient influence of training rows on the output (TracIn / DataInf style).
	Influence(InfluenceParams),
	/// Rows retrieved by BM25 and cited in the prompt.
	Rag(RagParams),
}

/// The canonical attribution of one answer. Two honest parties computing it from the same
/// inputs get byte-identical encodings.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct AttributionRecord {
	pub method: AttributionMethod,
	/// Content hash of the base model.
	pub model: ContentHash,
	/// Content hash of the adapter, if the answer used one.
	pub adapter: Option<ContentHash>,
	/// Identifier of the training corpus: blake2-256 of the SCALE encoding of its
	/// `Vec<(RowRef, ContentHash)>`, sorted by row.
	pub corpus: ContentHash,
	/// blake2-256 of the SCALE encoding of the output's token ids (`Vec<u32>`).
	pub output: ContentHash,
	/// Every row with a non-zero score, sorted by row, strictly increasing. Rows not listed
	/// scored zero. The scores sum to at most [`PARTS_PER_BILLION`].
	pub scores: Vec<RowScore>,
	/// Maximum length of `top`.
	pub top_k: u32,
	/// The highest scores, highest first, ties broken by row; at most `top_k` entries.
	pub top: Vec<RowScore>,
}

/// Why a record is not canonical.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordDefect {
	/// `scores` is not sorted strictly by row (unsorted or a row listed twice).
	ScoresNotSorted,
	/// A listed score is zero; zero scores are omitted.
	ZeroScore,
	/// The scores add up to more than one.
	ScoresExceedOne,
	/// `top` is not the `top_k` highest scores in canonical order.
	TopMismatch,
}

impl AttributionRecord {
	/// The value validators compare: blake2-256 of the record's SCALE encoding.
	pub fn commitment(&self) -> ContentHash {
		content_hash(&self.encode())
	}

	/// The `top_k` highest of `scores`, highest first, ties broken by row.
	pub fn top_of(scores: &[RowScore], top_k: u32) -> Vec<RowScore> {
		let mut ranked: Vec<RowScore> = scores.to_vec();
		ranked.sort_by(|a, b| b.parts_per_billion.cmp(&a.parts_per_billion).then(a.row.cmp(&b.row)));
		ranked.truncate(top_k as usize);
		ranked
	}

	/// Check the invariants a pallet relies on before accepting a record.
	pub fn check_canonical(&self) -> Result<(), RecordDefect> {
		if self.scores.windows(2).any(|pair| pair[0].row >= pair[1].row) {
			return Err(RecordDefect::ScoresNotSorted);
		}
		if self.scores.iter().any(|score| score.parts_per_billion == 0) {
			return Err(RecordDefect::ZeroScore);
		}
		let total: u64 = self.scores.iter().map(|score| u64::from(score.parts_per_billion)).sum();
		if total > u64::from(PARTS_PER_BILLION) {
			return Err(RecordDefect::ScoresExceedOne);
		}
		if self.top != Self::top_of(&self.scores, self.top_k) {
			return Err(RecordDefect::TopMismatch);
		}
		Ok(())
	}
}

/// What a worker puts on-chain for one answer: the method, the top scores of the canonical record
/// and the record's commitment. The full record stays off-chain; a dispute recomputes it and
/// compares commitments. `Scores` is `Vec<RowScore>` for the worker and a bounded vector in the
/// pallet; both encode identically.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct AttributionClaim<Scores> {
	pub method: AttributionMethod,
	/// The record's `top`: highest score first, ties broken by row.
	pub top: Scores,
	/// [`AttributionRecord::commitment`] of the full record.
	pub commitment: ContentHash,
}

/// Why the top scores of a claim are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopDefect {
	/// A listed score is zero; zero scores are omitted.
	ZeroScore,
	/// The scores add up to more than one.
	ScoresExceedOne,
	/// Not in canonical order (highest first, ties by row) or a row is listed twice.
	NotCanonical,
}

impl AttributionRecord {
	/// The claim a worker submits for this record.
	pub fn claim(&self) -> AttributionClaim<Vec<RowScore>> {
		AttributionClaim { method: self.method, top: self.top.clone(), commitment: self.commitment() }
	}
}

/// Check the top scores of a claim: non-zero, summing to at most one, in canonical order, each row
/// once. This is what the chain can check without the full record.
pub fn check_top(top: &[RowScore]) -> Result<(), TopDefect> {
	if top.iter().any(|score| score.parts_per_billion == 0) {
		return Err(TopDefect::ZeroScore);
	}
	let total: u64 = top.iter().map(|score| u64::from(score.parts_per_billion)).sum();
	if total > u64::from(PARTS_PER_BILLION) {
		return Err(TopDefect::ScoresExceedOne);
	}
	let ordered = top.windows(2).all(|pair| {
		pair[0].parts_per_billion > pair[1].parts_per_billion ||
			(pair[0].parts_per_billion == pair[1].parts_per_billion && pair[0].row < pair[1].row)
	});
	let mut rows: Vec<RowRef> = top.iter().map(|score| score.row).collect();
	rows.sort_unstable();
	let unique = rows.windows(2).all(|pair| pair[0] != pair[1]);
	if !ordered || !unique {
		return Err(TopDefect::NotCanonical);
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	fn score(datanet: u32, row: u64, parts_per_billion: u32) -> RowScore {
		RowScore { row: RowRef { datanet, row }, parts_per_billion }
	}

	fn record(scores: Vec<RowScore>, top_k: u32) -> AttributionRecord {
		let top = AttributionRecord::top_of(&scores, top_k);
		AttributionRecord {
			method: AttributionMethod::SuffixSpan(SpanParams { min_span_len: 8, max_span_occurrences: 64 }),
			model: [1; 32],
			adapter: Some([2; 32]),
			corpus: [3; 32],
			output: [4; 32],
			scores,
			top_k,
			top,
		}
	}

	#[test]
	fn top_orders_by_score_then_row() {
		let scores = vec![score(0, 1, 5), score(0, 2, 9), score(1, 0, 5), score(1, 1, 1)];
		let top = AttributionRecord::top_of(&scores, 3);
		assert_eq!(top, vec![score(0, 2, 9), score(0, 1, 5), score(1, 0, 5)]);
	}

	#[test]
	fn canonical_record_round_trips_and_commits_to_its_bytes() {
		let original = record(vec![score(0, 1, 400_000_000), score(2, 7, 600_000_000)], 1);
		assert_eq!(original.check_canonical(), Ok(()));
		let decoded = AttributionRecord::decode(&mut &original.encode()[..]).unwrap();
		assert_eq!(decoded, original);
		assert_eq!(decoded.commitment(), content_hash(&original.encode()));
		let mut changed = original.clone();
		changed.scores[0].parts_per_billion -= 1;
		changed.top = AttributionRecord::top_of(&changed.scores, 1);
		assert_ne!(changed.commitment(), original.commitment());
	}

	#[test]
	fn influence_methods_with_other_settings_differ_and_round_trip() {
		let params = InfluenceParams::DEFAULT;
		let variants = [
			AttributionMethod::Influence(params),
			AttributionMethod::Influence(InfluenceParams { scoring: InfluenceScoring::TracIn, ..params }),
			AttributionMethod::Influence(InfluenceParams {
				scoring: InfluenceScoring::DataInf { damping_milli: 50 },
				..params
			}),
			AttributionMethod::Influence(InfluenceParams { projection_dim: 32, ..params }),
			AttributionMethod::Influence(InfluenceParams { projection_seed: 7, ..params }),
		];
		for (i, method) in variants.iter().enumerate() {
			let bytes = method.encode();
			assert!(bytes.len() <= AttributionMethod::max_encoded_len());
			assert_eq!(AttributionMethod::decode(&mut &bytes[..]).unwrap(), *method);
			for other in &variants[i + 1..] {
				assert_ne!(other.encode(), bytes, "{method:?} and {other:?} encode alike");
			}
		}
	}

	#[test]
	fn defects_are_named() {
		let unsorted = record(vec![score(2, 7, 1), score(0, 1, 1)], 2);
		assert_eq!(unsorted.check_canonical(), Err(RecordDefect::ScoresNotSorted));
		let zero = record(vec![score(0, 1, 0)], 2);
		assert_eq!(zero.check_canonical(), Err(RecordDefect::ZeroScore));
		let over = record(vec![score(0, 1, 600_000_000), score(0, 2, 600_000_000)], 2);
		assert_eq!(over.check_canonical(), Err(RecordDefect::ScoresExceedOne));
		let mut wrong_top = record(vec![score(0, 1, 1), score(0, 2, 2)], 2);
		wrong_top.top.reverse();
		assert_eq!(wrong_top.check_canonical(), Err(RecordDefect::TopMismatch));
	}

	#[test]
	fn claim_carries_the_top_and_the_commitment() {
		let full = record(vec![score(0, 1, 400_000_000), score(2, 7, 600_000_000)], 1);
		let claim = full.claim();
		assert_eq!(claim.top, vec![score(2, 7, 600_000_000)]);
		assert_eq!(claim.commitment, full.commitment());
		assert_eq!(check_top(&claim.top), Ok(()));
	}

	#[test]
	fn top_defects_are_named() {
		assert_eq!(check_top(&[]), Ok(()));
		assert_eq!(check_top(&[score(0, 1, 0)]), Err(TopDefect::ZeroScore));
		assert_eq!(
			check_top(&[score(0, 1, 600_000_000), score(0, 2, 400_000_001)]),
			Err(TopDefect::ScoresExceedOne)
		);
		assert_eq!(check_top(&[score(0, 1, 1), score(0, 2, 2)]), Err(TopDefect::NotCanonical));
		assert_eq!(check_top(&[score(0, 2, 2), score(0, 1, 2)]), Err(TopDefect::NotCanonical));
		assert_eq!(check_top(&[score(0, 1, 3), score(0, 1, 2)]), Err(TopDefect::NotCanonical));
		assert_eq!(check_top(&[score(0, 1, 2), score(0, 2, 2)]), Ok(()));
	}
}
