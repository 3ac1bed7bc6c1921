//! `POST /attribution/recompute`: what the chain's off-chain worker asks in a dispute. Given an
//! on-chain model version, a receipt's `output_hash` and the record's method, this worker fetches
//! the answer's text (from its store or a peer's), recomputes the attribution record exactly as a
//! completion computes it, and answers its commitment for the majority vote. A RAG record's query
//! is fetched the same way, by the hash the method names; an influence record whose projection is
//! not the one of this worker's sketches is refused (400 naming the setting).

use super::attribution::{attribute, hex_bytes, scores_json, target_with, unreproducible_influence};
use super::completions::resolve_model;
use super::error::{parse_json, ApiError};
use super::AppState;
use crate::registry::ChainModel;
use crate::store;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use codec::{DecodeAll, Encode};
use serde::Deserialize;
use serde_json::{json, Value};
use tributary_model::peft::hex;
use tributary_primitives::attribution::AttributionMethod;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecomputeRequest {
	/// The on-chain model version the receipt names.
	chain: ChainModel,
	/// Hex (optionally `0x`) blake2-256 of the answer's text bytes.
	output_hash: String,
	/// Hex (optionally `0x`) SCALE encoding of the record's `AttributionMethod`.
	method_scale: String,
}

/// Decodes hex digits (optionally `0x`-prefixed) and then the SCALE method, all bytes consumed.
fn decode_method(text: &str) -> Result<AttributionMethod, ApiError> {
	let digits = text.strip_prefix("0x").unwrap_or(text);
	let invalid = |reason: String| ApiError::invalid("method_scale", format!("method_scale {text:?}: {reason}"));
	if digits.len() % 2 != 0 || !digits.is_ascii() {
		return Err(invalid("not an even number of hex digits".into()));
	}
	let bytes = (0..digits.len() / 2)
		.map(|i| u8::from_str_radix(&digits[2 * i..2 * i + 2], 16))
		.collect::<Result<Vec<u8>, _>>()
		.map_err(|_| invalid("not hex".into()))?;
	AttributionMethod::decode_all(&mut &bytes[..])
		.map_err(|e| invalid(format!("not a SCALE-encoded tributary_primitives::attribution::AttributionMethod: {e}")))
}

fn not_served(chain: ChainModel) -> ApiError {
	ApiError {
		param: Some("chain"),
		..ApiError::new(
			StatusCode::NOT_FOUND,
			"invalid_request_error",
			format!("chain model {} version {} is not served by this worker", chain.model, chain.version),
		)
	}
	.code("model_not_found")
}

/// `POST /attribution/recompute`: `{"commitment", "record_scale", "top"}` of the recomputed record.
pub async fn recompute(State(state): State<AppState>, body: Bytes) -> Result<Json<Value>, ApiError> {
	let request: RecomputeRequest = parse_json(&body)?;
	let method = decode_method(&request.method_scale)?;
	if let AttributionMethod::Influence(params) = method {
		if let Some(reason) = unreproducible_influence(&params) {
			return Err(ApiError::invalid("method_scale", reason));
		}
	}
	let output_hash = store::parse(&request.output_hash)?;
	let model = state.registry.model_serving(request.chain).ok_or_else(|| not_served(request.chain))?;
	let adapters = resolve_model(&state, &model)?;
	let target = target_with(&state, method, &model, &adapters)?;
	let (bytes, _) = state.peers.get_or_fetch(&state.store, &output_hash).await?;
	let text = String::from_utf8(bytes).map_err(|_| {
		ApiError::invalid("output_hash", format!("object {} is not UTF-8 text, so it is no answer", hex(&output_hash)))
	})?;
	let record = attribute(&state, target, text).await?.record;
	Ok(Json(json!({
		"commitment": hex(&record.commitment()),
		"record_scale": hex_bytes(&record.encode()),
		"top": scores_json(&record.top),
	})))
}
