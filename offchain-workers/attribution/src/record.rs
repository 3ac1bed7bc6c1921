//! Canonical attribution records for each method, and `recompute`, the entry point validators
//! use to check a reported record from the raw corpus.

use tributary_primitives::{
	attribution::{
		AttributionMethod, AttributionRecord, RagParams, RowScore, SpanParams, PARTS_PER_BILLION,
	},
	content_hash, ContentHash,
};

use crate::{
	bm25::{Bm25Index, Bm25Params},
	corpus::{CorpusRow, Tokenizer, VerifiedCorpus},
	credit::CreditOwners,
	error::AttributionError,
	index::SuffixIndex,
	influence::{recompute_influence, InfluenceRequest},
	span::span_scores,
};

use crate::answer::{assemble, Answer};

/// Suffix-span attribution of an answer against an index of the model's training corpus, whose
/// near-duplicate rows are credited to their `owners`.
pub fn span_record(
	index: &SuffixIndex,
	owners: &CreditOwners,
	answer: &Answer,
	params: SpanParams,
	top_k: u32,
) -> Result<AttributionRecord, AttributionError> {
	let scores = span_scores(index, answer.output, &params, owners)?;
	Ok(assemble(AttributionMethod::SuffixSpan(params), index.corpus_id(), answer, scores, top_k))
}

/// Retrieve up to `retrieved` rows for `query` and attribute the answer to them, each in
/// proportion to its BM25 score (quantized to millionths so the split is integer arithmetic);
/// a retrieved near-duplicate's share goes to its owner.
pub fn rag_record(
	bm25: &Bm25Index,
	owners: &CreditOwners,
	answer: &Answer,
	query: &[u8],
	retrieved: u32,
	bm25_params: Bm25Params,
	top_k: u32,
) -> Result<AttributionRecord, AttributionError> {
	if retrieved == 0 {
		return Err(AttributionError::InvalidParameter(
			"a RAG answer must retrieve at least one row",
		));
	}
	let hits = bm25.search(query, bm25_params, retrieved as usize);
	let quantized: Vec<(tributary_primitives::attribution::RowRef, u128)> = hits
		.iter()
		.map(|hit| (hit.row, (hit.score * 1e6) as u128))
		.filter(|&(_, q)| q > 0)
		.collect();
	let total: u128 = quantized.iter().map(|&(_, q)| q).sum();
	let scores: Vec<RowScore> = quantized
		.into_iter()
		.map(|(row, q)| RowScore {
			row,
			parts_per_billion: (q * u128::from(PARTS_PER_BILLION) / total) as u32,
		})
		.filter(|score| score.parts_per_billion > 0)
		.collect();
	let scores = owners.merge(scores);
	let method = AttributionMethod::Rag(RagParams {
		query: content_hash(query),
		retrieved,
		k1_milli: bm25_params.k1_milli,
		b_milli: bm25_params.b_milli,
	});
	Ok(assemble(method, bm25.corpus_id(), answer, scores, top_k))
}

/// How a record to recompute was produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MethodRequest {
	SuffixSpan(SpanParams),
	Rag {
		query: Vec<u8>,
		retrieved: u32,
		bm25: Bm25Params,
	},
	/// Gradient influence of the rows on the output, from the given model files.
	Influence(InfluenceRequest),
}

/// Everything a receipt says about an answer, beyond the corpus itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecomputeRequest {
	pub model: ContentHash,
	pub adapter: Option<ContentHash>,
	pub output: Vec<u32>,
	pub method: MethodRequest,
	pub top_k: u32,
}

/// Recompute an attribution record from scratch: verify every row against its hash, rebuild
/// the index (or, for influence, the gradient sketch) in memory, and attribute. Honest parties
/// get byte-identical records.
pub fn recompute(
	rows: Vec<CorpusRow>,
	tokenizer: &dyn Tokenizer,
	request: &RecomputeRequest,
) -> Result<AttributionRecord, AttributionError> {
	let corpus = VerifiedCorpus::verify(rows)?;
	let owners = CreditOwners::of(&corpus);
	let answer = Answer { model: request.model, adapter: request.adapter, output: &request.output };
	match &request.method {
		MethodRequest::SuffixSpan(params) => {
			let index = SuffixIndex::build(&corpus, tokenizer)?;
			span_record(&index, &owners, &answer, *params, request.top_k)
		},
		MethodRequest::Rag { query, retrieved, bm25 } => {
			let index = Bm25Index::build(&corpus);
			rag_record(&index, &owners, &answer, query, *retrieved, *bm25, request.top_k)
		},
		MethodRequest::Influence(influence) => {
			recompute_influence(&corpus, &owners, tokenizer, influence, &answer, request.top_k)
		},
	}
}

/// Result of checking a reported commitment against a recomputation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
	/// The recomputed record has the reported commitment.
	Matches,
	/// It does not: the report is wrong, and this is the record it should have carried.
	Differs { recomputed: Box<AttributionRecord> },
}

/// What a validator runs on a disputed receipt: recompute, then compare commitments.
pub fn check_reported(
	rows: Vec<CorpusRow>,
	tokenizer: &dyn Tokenizer,
	request: &RecomputeRequest,
	reported_commitment: ContentHash,
) -> Result<Verdict, AttributionError> {
	let recomputed = recompute(rows, tokenizer, request)?;
	if recomputed.commitment() == reported_commitment {
		Ok(Verdict::Matches)
	} else {
		Ok(Verdict::Differs { recomputed: Box::new(recomputed) })
	}
}
