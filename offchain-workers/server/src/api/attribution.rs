//! The optional `attribution` of a completion: suffix-span attribution (tributary-attribution) of
//! the generated tokens against the training rows of the model's adapter, as the canonical record
//! validators recompute, plus its SCALE encoding.

use super::error::ApiError;
use super::AppState;
use crate::registry::CorpusRow as RegisteredRow;
use crate::store;
use axum::http::StatusCode;
use codec::Encode;
use serde_json::{json, Value};
use tributary_attribution::corpus::{CorpusRow, HfTokenizer, VerifiedCorpus};
use tributary_attribution::record::{span_record, Answer};
use tributary_attribution::store::open_or_build;
use tributary_model::peft::hex;
use tributary_primitives::attribution::{AttributionRecord, RowRef, RowScore, SpanParams};
use tributary_primitives::ContentHash;

/// Matches shorter than this many tokens, or more frequent than this in the corpus, credit nobody.
pub const SPAN_PARAMS: SpanParams = SpanParams { min_span_len: 4, max_span_occurrences: 64 };
/// Rows listed in `top`.
pub const TOP_K: u32 = 8;

/// The corpus of the single adapter behind a model, or a 400 saying why attribution is impossible.
pub fn corpus_for(state: &AppState, model: &str, adapters: &[crate::engine::AdapterUse]) -> Result<(ContentHash, Vec<RegisteredRow>), ApiError> {
	let [adapter] = adapters else {
		return Err(ApiError::invalid(
			"attribution",
			format!("attribution needs a model with exactly one adapter; {model} has {}", adapters.len()),
		));
	};
	let corpus = state.registry.corpus_of(&hex(&adapter.hash)).unwrap_or_default();
	if corpus.is_empty() {
		return Err(ApiError::invalid("attribution", format!("model {model} has no registered training corpus")));
	}
	Ok((adapter.hash, corpus))
}

/// Computes the record for `output` (generated token ids without the end-of-sequence token).
pub async fn attribute(state: &AppState, adapter: ContentHash, corpus: Vec<RegisteredRow>, output: Vec<u32>) -> Result<Value, ApiError> {
	let state = state.clone();
	tokio::task::spawn_blocking(move || -> Result<Value, ApiError> {
		let failed = |e: String| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "attribution_error", e);
		let mut rows = Vec::with_capacity(corpus.len());
		for entry in &corpus {
			let hash = store::parse(&entry.hash)?;
			let bytes = state.store.get(&hash)?;
			rows.push(CorpusRow { row: RowRef { datanet: entry.datanet, row: entry.row }, claimed_hash: hash, bytes });
		}
		let corpus = VerifiedCorpus::verify(rows).map_err(|e| failed(e.to_string()))?;
		let tokenizer = HfTokenizer::from_file(&state.attribution.tokenizer_file).map_err(|e| failed(e.to_string()))?;
		let (index, _) = open_or_build(&state.attribution.index_dir, &corpus, &tokenizer).map_err(|e| failed(e.to_string()))?;
		let answer = Answer { model: state.attribution.base_model_hash, adapter: Some(adapter), output: &output };
		let record = span_record(&index, &answer, SPAN_PARAMS, TOP_K).map_err(|e| failed(e.to_string()))?;
		Ok(record_json(&record))
	})
	.await
	.expect("attribution does not panic")
}

fn scores_json(scores: &[RowScore]) -> Value {
	scores
		.iter()
		.map(|s| json!({ "datanet": s.row.datanet, "row": s.row.row, "parts_per_billion": s.parts_per_billion }))
		.collect()
}

fn record_json(record: &AttributionRecord) -> Value {
	json!({
		"method": "suffix_span",
		"min_span_len": SPAN_PARAMS.min_span_len,
		"max_span_occurrences": SPAN_PARAMS.max_span_occurrences,
		"model": hex(&record.model),
		"adapter": record.adapter.as_ref().map(hex),
		"corpus": hex(&record.corpus),
		"output": hex(&record.output),
		"scores": scores_json(&record.scores),
		"top_k": record.top_k,
		"top": scores_json(&record.top),
		"record_scale": record.encode().iter().map(|b| format!("{b:02x}")).collect::<String>(),
	})
}
