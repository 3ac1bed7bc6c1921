//! The optional `attribution` of a completion: which training rows of the model's adapter the
//! generated tokens draw on, as the canonical record validators recompute, plus its SCALE
//! encoding. Two methods from tributary-attribution: suffix-span matches (`true` or
//! `"suffix_span"`) and gradient influence (`"influence"`, DataInf over the adapter's sketch).

use super::error::ApiError;
use super::AppState;
use crate::influence::{verified_corpus, InfluenceError};
use crate::registry::CorpusRow as RegisteredRow;
use axum::http::StatusCode;
use codec::Encode;
use serde::Deserialize;
use serde_json::{json, Value};
use tributary_attribution::corpus::HfTokenizer;
use tributary_attribution::record::{span_record, Answer};
use tributary_attribution::store::open_or_build;
use tributary_attribution::{influence_record, InfluenceScoring};
use tributary_model::peft::hex;
use tributary_primitives::attribution::{AttributionRecord, RowScore, SpanParams};
use tributary_primitives::ContentHash;

/// Matches shorter than this many tokens, or more frequent than this in the corpus, credit nobody.
pub const SPAN_PARAMS: SpanParams = SpanParams { min_span_len: 4, max_span_occurrences: 64 };
/// Rows listed in `top`.
pub const TOP_K: u32 = 8;
/// DataInf damping 0.1: the better default for credit (see tributary-attribution's README).
pub const INFLUENCE_SCORING: InfluenceScoring = InfluenceScoring::DATAINF;

/// The request's `attribution` field: `false` (default), `true` / `"suffix_span"`, or `"influence"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "AttributionField")]
pub enum AttributionMethod {
	#[default]
	None,
	SuffixSpan,
	Influence,
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
				other => Err(format!("attribution {other:?} is not one of true, false, \"suffix_span\", \"influence\"")),
			},
		}
	}
}

/// What to attribute a completion against: one adapter and the rows it was trained on.
#[derive(Clone)]
pub struct AttributionTarget {
	pub method: AttributionMethod,
	pub adapter: ContentHash,
	pub corpus: Vec<RegisteredRow>,
}

/// The target for `method`, `None` when no attribution was asked for, or a 400 saying why
/// attribution is impossible for this model.
pub fn target_for(
	state: &AppState,
	method: AttributionMethod,
	model: &str,
	adapters: &[crate::engine::AdapterUse],
) -> Result<Option<AttributionTarget>, ApiError> {
	if method == AttributionMethod::None {
		return Ok(None);
	}
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
	Ok(Some(AttributionTarget { method, adapter: adapter.hash, corpus }))
}

/// An answer's canonical record and its JSON form for the response.
pub struct Attributed {
	pub record: AttributionRecord,
	pub body: Value,
}

/// Computes the record for `output` (generated token ids without the end-of-sequence token).
pub async fn attribute(state: &AppState, target: AttributionTarget, output: Vec<u32>) -> Result<Attributed, ApiError> {
	let state = state.clone();
	tokio::task::spawn_blocking(move || match target.method {
		AttributionMethod::Influence => influence(&state, &target, &output),
		_ => suffix_span(&state, &target, &output),
	})
	.await
	.expect("attribution does not panic")
}

fn failed(error: impl ToString) -> ApiError {
	ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "attribution_error", error.to_string())
}

fn from_influence(error: InfluenceError) -> ApiError {
	match error {
		InfluenceError::Store(error) => error.into(),
		other => failed(other),
	}
}

fn suffix_span(state: &AppState, target: &AttributionTarget, output: &[u32]) -> Result<Attributed, ApiError> {
	let corpus = verified_corpus(&state.store, &target.corpus).map_err(from_influence)?;
	let tokenizer = HfTokenizer::from_file(&state.attribution.tokenizer_file).map_err(failed)?;
	let (index, _) = open_or_build(&state.attribution.index_dir, &corpus, &tokenizer).map_err(failed)?;
	let answer = Answer { model: state.attribution.base_model_hash, adapter: Some(target.adapter), output };
	let record = span_record(&index, &answer, SPAN_PARAMS, TOP_K).map_err(failed)?;
	let mut body = record_json(&record, "suffix_span");
	body["min_span_len"] = SPAN_PARAMS.min_span_len.into();
	body["max_span_occurrences"] = SPAN_PARAMS.max_span_occurrences.into();
	Ok(Attributed { record, body })
}

fn influence(state: &AppState, target: &AttributionTarget, output: &[u32]) -> Result<Attributed, ApiError> {
	let config = state
		.registry
		.adapter_config(&hex(&target.adapter))
		.ok_or_else(|| failed(format!("adapter {} has no registered config", hex(&target.adapter))))?;
	let prepared =
		state.attribution.influence.prepare(&state.store, &target.adapter, &config, &target.corpus).map_err(from_influence)?;
	let answer = Answer { model: state.attribution.base_model_hash, adapter: Some(target.adapter), output };
	let record = influence_record(&prepared.model, &prepared.sketch, &answer, INFLUENCE_SCORING, TOP_K).map_err(failed)?;
	let mut body = record_json(&record, "influence");
	body["scoring"] = match INFLUENCE_SCORING {
		InfluenceScoring::TracIn => json!("trac_in"),
		InfluenceScoring::DataInf { damping_milli } => json!({ "data_inf": { "damping_milli": damping_milli } }),
	};
	body["sketch"] = hex(&prepared.sketch.id()).into();
	body["projection_dim"] = prepared.sketch.inputs().projection_dim.into();
	body["projection_seed"] = prepared.sketch.inputs().seed.into();
	Ok(Attributed { record, body })
}

fn scores_json(scores: &[RowScore]) -> Value {
	scores
		.iter()
		.map(|s| json!({ "datanet": s.row.datanet, "row": s.row.row, "parts_per_billion": s.parts_per_billion }))
		.collect()
}

fn record_json(record: &AttributionRecord, method: &str) -> Value {
	json!({
		"method": method,
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
