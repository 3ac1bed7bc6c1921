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
use serde::{Deserialize, Serialize};

use crate::{content_hash, ContentHash};

/// A score of 1 expressed in parts per billion (the same scale as `Perbill`).
pub const PARTS_PER_BILLION: u32 = 1_000_000_000;

/// One datanet row, named the way rewards are paid out.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Hash,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct RowRef {
	/// The datanet's id (`datanets::DatanetId`).
	pub datanet: u32,
	/// The row's id inside its datanet (`datanets::RowId`).
	pub row: u64,
}

/// A row's share of one answer, in parts per billion.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct RowScore {
	pub row: RowRef,
	pub parts_per_billion: u32,
}

/// Parameters of suffix-span attribution; part of the record so anyone can recompute it.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
pub struct SpanParams {
	/// Matches shorter than this many tokens credit nobody.
	pub min_span_len: u32,
	/// Matches occurring more often than this in the corpus are too common to credit anyone.
	pub max_span_occurrences: u32,
}

/// Parameters of BM25 retrieval for retrieval-augmented answers.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
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
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
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
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
pub struct InfluenceParams {
	pub scoring: InfluenceScoring,
	/// Projection size `k` per side of each adapted module.
	pub projection_dim: u32,
	/// Seed of the projection's sign matrices.
	pub projection_seed: u64,
}

impl InfluenceParams {
	/// The settings workers use unless asked otherwise: DataInf with damping 0.1, `k = 16`, seed 0.
	pub const DEFAULT: InfluenceParams = InfluenceParams {
		scoring: InfluenceScoring::DATAINF,
		projection_dim: 16,
		projection_seed: 0,
	};
	/// The largest projection a worker builds a sketch for: a sketch stores `k²` numbers per
	/// adapted module and training row, so `k` bounds what a record can make recomputers do.
	pub const MAX_PROJECTION_DIM: u32 = 128;

	/// Why no worker can compute influence with these settings, if none can.
	pub fn unworkable(&self) -> Option<&'static str> {
		if !(1..=Self::MAX_PROJECTION_DIM).contains(&self.projection_dim) {
			return Some("influence projection_dim must be between 1 and 128");
		}
		if self.scoring == (InfluenceScoring::DataInf { damping_milli: 0 }) {
			return Some(
				"influence DataInf damping_milli must be positive (a damping of zero is undefined)",
			);
		}
		None
	}
}

/// The attribution parameters the chain fixes, so that a worker cannot pick ones that favour
/// rows it controls: a record's method must use exactly these (RAG: these BM25 constants, at most
/// `max_retrieved` rows, and the signed prompt as its query).
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
pub struct MethodSettings {
	pub span: SpanParams,
	pub influence: InfluenceParams,
	pub rag: RagSettings,
}

/// The chain's BM25 constants and retrieval bound for RAG answers.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
pub struct RagSettings {
	pub max_retrieved: u32,
	pub k1_milli: u32,
	pub b_milli: u32,
}

impl MethodSettings {
	/// Most rows a RAG answer may retrieve.
	pub const MAX_RETRIEVED: u32 = 64;

	/// Why workers cannot produce records with these settings, if they cannot: the chain refuses
	/// such settings, since no record could then meet them.
	pub fn unworkable(&self) -> Option<&'static str> {
		if self.span.min_span_len == 0 || self.span.max_span_occurrences == 0 {
			return Some("span min_span_len and max_span_occurrences must be positive");
		}
		if let Some(reason) = self.influence.unworkable() {
			return Some(reason);
		}
		if !(1..=Self::MAX_RETRIEVED).contains(&self.rag.max_retrieved) || self.rag.b_milli > 1000 {
			return Some("rag max_retrieved must be between 1 and 64, and b_milli at most 1000");
		}
		None
	}

	/// What the workers use today: span matches of at least 4 tokens occurring at most 64 times,
	/// [`InfluenceParams::DEFAULT`], BM25 with k1 1.2 and b 0.75 over at most 16 rows.
	pub const DEFAULT: MethodSettings = MethodSettings {
		span: SpanParams { min_span_len: 4, max_span_occurrences: 64 },
		influence: InfluenceParams::DEFAULT,
		rag: RagSettings { max_retrieved: 16, k1_milli: 1200, b_milli: 750 },
	};
}

/// Why a record's method is not one the chain allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodDefect {
	/// Span or influence parameters other than the chain's.
	NotChainParams,
	/// A RAG query other than the signed prompt.
	RagQueryNotPrompt,
}

impl MethodSettings {
	/// Check a record's method against these settings, for an answer to the prompt hashed
	/// `prompt_hash`.
	pub fn check(
		&self,
		method: &AttributionMethod,
		prompt_hash: &ContentHash,
	) -> Result<(), MethodDefect> {
		match method {
			AttributionMethod::SuffixSpan(params) if *params == self.span => Ok(()),
			AttributionMethod::Influence(params) if *params == self.influence => Ok(()),
			AttributionMethod::Rag(params) => {
				if params.query != *prompt_hash {
					return Err(MethodDefect::RagQueryNotPrompt);
				}
				let rag = &self.rag;
				if params.k1_milli == rag.k1_milli
					&& params.b_milli == rag.b_milli
					&& (1..=rag.max_retrieved).contains(&params.retrieved)
				{
					Ok(())
				} else {
					Err(MethodDefect::NotChainParams)
				}
			},
			_ => Err(MethodDefect::NotChainParams),
		}
	}
}

/// How the scores of a record were computed.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
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

/// What a worker commits to besides the method and the top: everything that determines the
/// scores (the inputs and the full score list). The chain stores only its hash, so the claim's
/// `top` is bound to it through [`commitment_of`]; a challenger holding the body proves a forged
/// top on chain by revealing it (`Scores` is `Vec<RowScore>` for the worker and a bounded vector
/// in the pallet; both encode identically).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct RecordBody<Scores> {
	pub model: ContentHash,
	pub adapter: Option<ContentHash>,
	pub corpus: ContentHash,
	pub output: ContentHash,
	/// Every row with a non-zero score, sorted by row.
	pub scores: Scores,
	pub top_k: u32,
}

impl<Scores: AsRef<[RowScore]> + Encode> RecordBody<Scores> {
	/// blake2-256 of the body's SCALE encoding: what a claim names as its `body`.
	pub fn hash(&self) -> ContentHash {
		content_hash(&self.encode())
	}

	/// The top the body determines, and whether the body is canonical at all (scores sorted by
	/// row, non-zero, summing to at most one). A claim whose body is not canonical, or whose top
	/// differs from this one, is a lie the chain can see once the body is revealed.
	pub fn canonical_top(&self) -> Result<Vec<RowScore>, RecordDefect> {
		let scores = self.scores.as_ref();
		if scores.windows(2).any(|pair| pair[0].row >= pair[1].row) {
			return Err(RecordDefect::ScoresNotSorted);
		}
		if scores.iter().any(|score| score.parts_per_billion == 0) {
			return Err(RecordDefect::ZeroScore);
		}
		let total: u64 = scores.iter().map(|score| u64::from(score.parts_per_billion)).sum();
		if total > u64::from(PARTS_PER_BILLION) {
			return Err(RecordDefect::ScoresExceedOne);
		}
		Ok(AttributionRecord::top_of(scores, self.top_k))
	}
}

/// The commitment of a claim: `blake2_256(SCALE(method, body_hash, top))`. The chain computes it
/// from what it stores, so changing `top` (or the method) changes the commitment, and an honest
/// recomputation of the record then disagrees with the claim.
pub fn commitment_of(
	method: &AttributionMethod,
	body: &ContentHash,
	top: &[RowScore],
) -> ContentHash {
	content_hash(&(method, body, top).encode())
}

/// What a recomputer (or challenger) submits when the answer's text cannot be had from the
/// serving worker or anyone else within the recompute window: no record can equal it, so a
/// majority for it overturns the record (a worker must be able to show what it was paid for).
pub const TEXT_UNAVAILABLE: ContentHash = [0u8; 32];

impl AttributionRecord {
	/// Everything but the method and the top.
	pub fn body(&self) -> RecordBody<Vec<RowScore>> {
		RecordBody {
			model: self.model,
			adapter: self.adapter,
			corpus: self.corpus,
			output: self.output,
			scores: self.scores.clone(),
			top_k: self.top_k,
		}
	}

	/// The value validators compare: [`commitment_of`] the method, the body's hash and the top.
	pub fn commitment(&self) -> ContentHash {
		commitment_of(&self.method, &self.body().hash(), &self.top)
	}

	/// The `top_k` highest of `scores`, highest first, ties broken by row.
	pub fn top_of(scores: &[RowScore], top_k: u32) -> Vec<RowScore> {
		let mut ranked: Vec<RowScore> = scores.to_vec();
		ranked
			.sort_by(|a, b| b.parts_per_billion.cmp(&a.parts_per_billion).then(a.row.cmp(&b.row)));
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
/// and the hash of the record's body. The chain derives the commitment from the three
/// ([`commitment_of`]); the full record stays off-chain, and a dispute recomputes it and compares
/// commitments. `Scores` is `Vec<RowScore>` for the worker and a bounded vector in the pallet;
/// both encode identically.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct AttributionClaim<Scores> {
	pub method: AttributionMethod,
	/// The record's `top`: highest score first, ties broken by row.
	pub top: Scores,
	/// [`RecordBody::hash`] of the full record's body.
	pub body: ContentHash,
}

impl<Scores: AsRef<[RowScore]>> AttributionClaim<Scores> {
	/// The commitment the chain derives from this claim.
	pub fn commitment(&self) -> ContentHash {
		commitment_of(&self.method, &self.body, self.top.as_ref())
	}
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
		AttributionClaim { method: self.method, top: self.top.clone(), body: self.body().hash() }
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
		pair[0].parts_per_billion > pair[1].parts_per_billion
			|| (pair[0].parts_per_billion == pair[1].parts_per_billion && pair[0].row < pair[1].row)
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
			method: AttributionMethod::SuffixSpan(SpanParams {
				min_span_len: 8,
				max_span_occurrences: 64,
			}),
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
		assert_eq!(
			decoded.commitment(),
			commitment_of(&original.method, &original.body().hash(), &original.top)
		);
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
			AttributionMethod::Influence(InfluenceParams {
				scoring: InfluenceScoring::TracIn,
				..params
			}),
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
		assert_eq!(claim.commitment(), full.commitment());
		assert_eq!(check_top(&claim.top), Ok(()));
	}

	#[test]
	fn a_forged_top_changes_the_commitment_and_the_body_exposes_it() {
		let honest = record(vec![score(0, 1, 400_000_000), score(2, 7, 600_000_000)], 1);
		let mut forged = honest.claim();
		forged.top = vec![score(0, 1, 1_000_000_000)];
		assert_eq!(check_top(&forged.top), Ok(()), "the forged top is well-formed");
		assert_eq!(forged.body, honest.claim().body, "over the honest body");
		assert_ne!(forged.commitment(), honest.commitment(), "but commits to something else");
		assert_eq!(honest.body().canonical_top(), Ok(honest.top.clone()));
		assert_ne!(
			honest.body().canonical_top(),
			Ok(forged.top.clone()),
			"revealing the body shows the lie"
		);
		let mut unsorted = honest.body();
		unsorted.scores.reverse();
		assert_eq!(unsorted.canonical_top(), Err(RecordDefect::ScoresNotSorted));
	}

	#[test]
	fn methods_are_checked_against_the_chain_settings() {
		let settings = MethodSettings::DEFAULT;
		let prompt = content_hash(b"Q: What lowers fever? A:");
		assert_eq!(settings.check(&AttributionMethod::SuffixSpan(settings.span), &prompt), Ok(()));
		assert_eq!(
			settings.check(&AttributionMethod::Influence(settings.influence), &prompt),
			Ok(())
		);
		let loose = SpanParams { min_span_len: 1, ..settings.span };
		assert_eq!(
			settings.check(&AttributionMethod::SuffixSpan(loose), &prompt),
			Err(MethodDefect::NotChainParams)
		);
		let other_seed = InfluenceParams { projection_seed: 9, ..settings.influence };
		assert_eq!(
			settings.check(&AttributionMethod::Influence(other_seed), &prompt),
			Err(MethodDefect::NotChainParams)
		);
		let rag = RagParams { query: prompt, retrieved: 3, k1_milli: 1200, b_milli: 750 };
		assert_eq!(settings.check(&AttributionMethod::Rag(rag), &prompt), Ok(()));
		let chosen_query = RagParams { query: content_hash(b"rows I own"), ..rag };
		assert_eq!(
			settings.check(&AttributionMethod::Rag(chosen_query), &prompt),
			Err(MethodDefect::RagQueryNotPrompt)
		);
		let too_many = RagParams { retrieved: 17, ..rag };
		assert_eq!(
			settings.check(&AttributionMethod::Rag(too_many), &prompt),
			Err(MethodDefect::NotChainParams)
		);
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
