//! The optional `attribution` of a completion: which training rows of the model's adapter the
//! returned text draws on, as the canonical record validators recompute, plus its SCALE
//! encoding. Three methods from tributary-attribution: suffix-span matches (`true` or
//! `"suffix_span"`), gradient influence (`"influence"`, DataInf over the adapter's sketch) and
//! RAG citations (`"rag"`, the rows BM25 retrieved into the prompt; see [`super::rag`]).
//!
//! A record is a function of (adapter, corpus, method, returned text) only: it is computed over
//! [`canonical_tokens`] of the text, never over the ids the engine generated (decoding and
//! re-encoding need not give those back), so anyone holding the text recomputes it.

use super::error::ApiError;
use super::responses::{AttributionView, MethodView, ScoringView};
use super::AppState;
use axum::http::StatusCode;
use serde::Deserialize;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tributary_attribution::bm25::{Bm25Index, Bm25Params};
use tributary_attribution::corpus::{HfTokenizer, Tokenizer};
use tributary_attribution::record::{rag_record, span_record};
use tributary_attribution::store::open_or_build;
use tributary_attribution::Answer;
use tributary_attribution::AttributionError;
use tributary_attribution::{influence_record, CreditOwners, InfluenceScoring};
use tributary_engine::registry::CorpusRow as RegisteredRow;
use tributary_jobs::influence::{verified_corpus, InfluenceError};
use tributary_primitives::attribution::{
	AttributionMethod as RecordMethod, AttributionRecord, InfluenceParams, RagParams, SpanParams,
};
use tributary_primitives::hex;
use tributary_primitives::ContentHash;
use tributary_sidecar_api::wire::Hash32;

/// Rows listed in `top`.
pub const TOP_K: u32 = 8;

/// The request's `attribution` field: `false` (default), `true` / `"suffix_span"`, `"influence"`
/// or `"rag"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "AttributionField")]
pub enum AttributionMethod {
	#[default]
	None,
	SuffixSpan,
	Influence,
	Rag,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AttributionField {
	Flag(bool),
	Named(String),
}

impl TryFrom<AttributionField> for AttributionMethod {
	type Error = String;

	fn try_from(field: AttributionField) -> Result<Self, String> {
		match field {
			AttributionField::Flag(false) => Ok(AttributionMethod::None),
			AttributionField::Flag(true) => Ok(AttributionMethod::SuffixSpan),
			AttributionField::Named(name) => match name.as_str() {
				"suffix_span" => Ok(AttributionMethod::SuffixSpan),
				"influence" => Ok(AttributionMethod::Influence),
				"rag" => Ok(AttributionMethod::Rag),
				other => Err(format!(
					"attribution {other:?} is not one of true, false, \"suffix_span\", \"influence\", \"rag\""
				)),
			},
		}
	}
}

/// What to attribute a text against: the method, one adapter and the rows it was trained on.
#[derive(Clone)]
pub struct AttributionTarget {
	pub method: RecordMethod,
	pub adapter: ContentHash,
	pub corpus: Vec<RegisteredRow>,
	/// A RAG answer's retrieval query, when this worker has it at hand; otherwise a RAG record
	/// fetches it from the store (or a peer) by the hash its method names.
	pub rag_query: Option<Vec<u8>>,
}

/// The target for a record method (a request's, or one the chain asks to recompute), or a 400
/// saying why attribution is impossible for this model.
pub fn target_with(
	state: &AppState,
	method: RecordMethod,
	model: &str,
	adapters: &[tributary_engine::AdapterUse],
) -> Result<AttributionTarget, ApiError> {
	let [adapter] = adapters else {
		return Err(ApiError::invalid(
			"attribution",
			format!(
				"attribution needs a model with exactly one adapter; {model} has {}",
				adapters.len()
			),
		));
	};
	let corpus = state.registry.corpus_of(Hash32(adapter.hash)).unwrap_or_default();
	if corpus.is_empty() {
		return Err(ApiError::invalid(
			"attribution",
			format!("model {model} has no registered training corpus"),
		));
	}
	Ok(AttributionTarget { method, adapter: adapter.hash, corpus, rag_query: None })
}

/// An answer's canonical record and its form in the response.
pub struct Attributed {
	pub record: AttributionRecord,
	pub body: AttributionView,
}

/// The token ids a record covers: the base tokenizer's encoding of exactly `text`'s bytes, no
/// special tokens, as the corpus rows are encoded. The one tokenization of outputs, so the
/// server and a recomputing validator agree.
pub fn canonical_tokens(tokenizer: &HfTokenizer, text: &str) -> Result<Vec<u32>, AttributionError> {
	tokenizer.encode(text.as_bytes())
}

/// Fetches the rows of `corpus` this worker lacks from its peers, so a record can be computed
/// (or recomputed) on a worker that did not train the adapter.
pub async fn fetch_missing_rows(
	state: &AppState,
	corpus: &[RegisteredRow],
) -> Result<(), ApiError> {
	for row in corpus {
		let hash = row.hash.0;
		if !state.store.contains(&hash) {
			state.peers.get_or_fetch(&state.store, &hash).await?;
		}
	}
	Ok(())
}

/// Computes the record of the returned `text` against `target`.
pub async fn attribute(
	state: &AppState,
	mut target: AttributionTarget,
	text: String,
) -> Result<Attributed, ApiError> {
	fetch_missing_rows(state, &target.corpus).await?;
	if let (RecordMethod::Rag(params), None) = (target.method, &target.rag_query) {
		// A dispute: the query is known by its hash only (the store checks the bytes against it).
		target.rag_query = Some(state.peers.get_or_fetch(&state.store, &params.query).await?.0);
	}
	let turn = state.attribution_queue.enter().await?;
	let state = state.clone();
	tokio::task::spawn_blocking(move || {
		let _turn = turn;
		let tokenizer =
			HfTokenizer::from_file(&state.attribution.tokenizer_file).map_err(failed)?;
		let output = canonical_tokens(&tokenizer, &text).map_err(failed)?;
		match target.method {
			RecordMethod::SuffixSpan(params) => {
				suffix_span(&state, &target, &tokenizer, params, &output)
			},
			RecordMethod::Influence(params) => influence(&state, &target, params, &output),
			RecordMethod::Rag(params) => rag(&state, &target, params, &output),
		}
	})
	.await
	.expect("attribution does not panic")
}

/// Attribution work (records, RAG retrieval, dispute recomputation) runs on at most `workers`
/// threads at once with at most `max_waiting` more queued; the rest is refused with a 429, like
/// generation, so a burst of expensive requests cannot pile up threads and memory.
pub struct AttributionQueue {
	/// Running or waiting.
	admitted: Arc<Semaphore>,
	running: Arc<Semaphore>,
}

/// A place among the running; dropping it frees the place.
pub struct Turn {
	_admitted: OwnedSemaphorePermit,
	_running: OwnedSemaphorePermit,
}

impl AttributionQueue {
	pub fn new(workers: usize, max_waiting: usize) -> AttributionQueue {
		AttributionQueue {
			admitted: Arc::new(Semaphore::new(workers + max_waiting)),
			running: Arc::new(Semaphore::new(workers)),
		}
	}

	/// Waits for a place among the running; a 429 at once when the queue is full.
	pub async fn enter(&self) -> Result<Turn, ApiError> {
		let admitted = self.admitted.clone().try_acquire_owned().map_err(|_| {
			ApiError::new(
				StatusCode::TOO_MANY_REQUESTS,
				"rate_limit_error",
				"this worker's attribution queue is full; retry shortly",
			)
			.code("attribution_queue_full")
		})?;
		let running = self.running.clone().acquire_owned().await.expect("never closed");
		Ok(Turn { _admitted: admitted, _running: running })
	}
}

pub fn failed(error: impl ToString) -> ApiError {
	ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "attribution_error", error.to_string())
}

pub fn from_influence(error: InfluenceError) -> ApiError {
	match error {
		InfluenceError::Store(error) => error.into(),
		other => failed(other),
	}
}

fn suffix_span(
	state: &AppState,
	target: &AttributionTarget,
	tokenizer: &HfTokenizer,
	params: SpanParams,
	output: &[u32],
) -> Result<Attributed, ApiError> {
	let corpus = verified_corpus(&state.store, &target.corpus).map_err(from_influence)?;
	let (index, _) =
		open_or_build(&state.attribution.index_dir, &corpus, tokenizer).map_err(failed)?;
	let answer =
		Answer { model: state.attribution.base_model_hash, adapter: Some(target.adapter), output };
	let owners = CreditOwners::of(&corpus);
	let record = span_record(&index, &owners, &answer, params, TOP_K).map_err(failed)?;
	let body = AttributionView::of(
		&record,
		"suffix_span",
		MethodView::SuffixSpan {
			min_span_len: params.min_span_len,
			max_span_occurrences: params.max_span_occurrences,
		},
	);
	Ok(Attributed { record, body })
}

fn influence(
	state: &AppState,
	target: &AttributionTarget,
	params: InfluenceParams,
	output: &[u32],
) -> Result<Attributed, ApiError> {
	if let Some(reason) = params.unworkable() {
		return Err(ApiError::invalid("attribution", reason));
	}
	let config = state.registry.adapter_config(Hash32(target.adapter)).ok_or_else(|| {
		failed(format!("adapter {} has no registered config", hex::encode(&target.adapter)))
	})?;
	let prepared = state
		.attribution
		.influence
		.prepare(&state.store, &target.adapter, &config, &target.corpus, &params)
		.map_err(from_influence)?;
	let answer =
		Answer { model: state.attribution.base_model_hash, adapter: Some(target.adapter), output };
	let record = influence_record(
		&prepared.model,
		&prepared.sketch,
		&prepared.owners,
		&answer,
		params.scoring,
		TOP_K,
	)
	.map_err(failed)?;
	let inputs = prepared.sketch.inputs();
	let sketch = Hash32(prepared.sketch.id());
	state.attribution.influence.keep(prepared.model);
	let scoring = match params.scoring {
		InfluenceScoring::TracIn => ScoringView::TracIn,
		InfluenceScoring::DataInf { damping_milli } => ScoringView::DataInf { damping_milli },
	};
	let params = MethodView::Influence {
		scoring,
		sketch,
		projection_dim: inputs.projection_dim,
		projection_seed: inputs.seed,
	};
	let body = AttributionView::of(&record, "influence", params);
	Ok(Attributed { record, body })
}

fn rag(
	state: &AppState,
	target: &AttributionTarget,
	params: RagParams,
	output: &[u32],
) -> Result<Attributed, ApiError> {
	let query = target.rag_query.as_deref().expect("attribute() supplies a RAG record's query");
	let corpus = verified_corpus(&state.store, &target.corpus).map_err(from_influence)?;
	let index = Bm25Index::build(&corpus);
	let answer =
		Answer { model: state.attribution.base_model_hash, adapter: Some(target.adapter), output };
	let bm25 = Bm25Params { k1_milli: params.k1_milli, b_milli: params.b_milli };
	let owners = CreditOwners::of(&corpus);
	let retrieved = params.retrieved;
	let record = rag_record(&index, &owners, &answer, query, retrieved, bm25, TOP_K)
		.map_err(|e| ApiError::invalid("rag", e.to_string()))?;
	let view = MethodView::Rag {
		query: Hash32(params.query),
		retrieved: params.retrieved,
		k1_milli: params.k1_milli,
		b_milli: params.b_milli,
	};
	let body = AttributionView::of(&record, "rag", view);
	Ok(Attributed { record, body })
}
