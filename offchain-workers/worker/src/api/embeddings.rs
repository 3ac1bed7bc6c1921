//! `/v1/embeddings`: each input's final hidden states of the base model (with the adapters of a
//! registered id, when one is named) pooled into one unit-length vector, computed by the engine
//! like a prompt that generates nothing, so embeddings share the decode batch.

use super::completions::resolve_model;
use super::error::{parse_json, ApiError};
use super::openai::{Prompt, PromptInput};
use super::responses::{EmbeddingList, EmbeddingObject, EmbeddingUsage, EmbeddingValue};
use super::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde::Deserialize;
use tokio::sync::mpsc::unbounded_channel;
use tributary_engine::{Event, GenerationRequest, Pooling, SamplingParams};

/// Inputs one request may embed (OpenAI's limit).
const MAX_INPUTS: usize = 2048;

#[derive(Deserialize)]
struct EmbeddingRequest {
	model: String,
	input: PromptInput,
	#[serde(default)]
	encoding_format: EncodingFormat,
	/// Accepted when it is the model's own width; embeddings are not shortened.
	#[serde(default)]
	dimensions: Option<usize>,
	/// Extension: `"mean"` (default) or `"last"`.
	#[serde(default)]
	pooling: PoolingField,
}

#[derive(Clone, Copy, Default, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
enum EncodingFormat {
	#[default]
	Float,
	/// The little-endian f32 values, base64: what OpenAI's clients ask for by default.
	Base64,
}

#[derive(Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PoolingField {
	#[default]
	Mean,
	Last,
}

pub async fn embeddings(
	State(state): State<AppState>,
	body: Bytes,
) -> Result<Json<EmbeddingList>, ApiError> {
	let request: EmbeddingRequest = parse_json(&body)?;
	let info = &state.engine.info;
	let width = info.config.hidden_size as usize;
	if request.dimensions.is_some_and(|d| d != width) {
		let message =
			format!("this model's embeddings have {width} dimensions and are not shortened");
		return Err(ApiError::invalid("dimensions", message));
	}
	let adapters = resolve_model(&state, &request.model)?;
	let inputs = request.input.into_prompts();
	if inputs.is_empty() || inputs.len() > MAX_INPUTS {
		let message = format!("input must hold 1 to {MAX_INPUTS} texts or token lists");
		return Err(ApiError::invalid("input", message));
	}
	let (vocab, context) = (info.config.vocab_size as u32, info.config.max_position_embeddings);
	let mut prompts = Vec::with_capacity(inputs.len());
	for (index, input) in inputs.into_iter().enumerate() {
		let tokens = match input {
			Prompt::Text(text) => info
				.tokenizer
				.encode(text.as_str(), false)
				.map_err(|e| {
					ApiError::invalid("input", format!("cannot tokenize input {index}: {e}"))
				})?
				.get_ids()
				.to_vec(),
			Prompt::Tokens(tokens) => tokens,
		};
		if tokens.is_empty() {
			return Err(ApiError::invalid("input", format!("input {index} is empty")));
		}
		if let Some(bad) = tokens.iter().find(|&&id| id >= vocab) {
			let message =
				format!("input {index}: token id {bad} is not in the vocabulary of {vocab}");
			return Err(ApiError::invalid("input", message));
		}
		if tokens.len() as i64 > context {
			let message = format!(
				"input {index} has {} tokens; this model's maximum context length is {context}",
				tokens.len()
			);
			return Err(ApiError::invalid("input", message).code("context_length_exceeded"));
		}
		prompts.push(tokens);
	}
	let pooling = match request.pooling {
		PoolingField::Mean => Pooling::Mean,
		PoolingField::Last => Pooling::Last,
	};
	let mut receivers = Vec::with_capacity(prompts.len());
	for prompt in &prompts {
		let (events, receiver) = unbounded_channel();
		state.engine.submit(GenerationRequest {
			prompt: prompt.clone(),
			adapters: adapters.clone(),
			sampling: SamplingParams::greedy(),
			max_tokens: 0,
			stop: Vec::new(),
			logprobs: None,
			prompt_logprobs: None,
			embed: Some(pooling),
			constraint: None,
			events,
		})?;
		receivers.push(receiver);
	}
	let mut data = Vec::with_capacity(receivers.len());
	for (index, mut receiver) in receivers.into_iter().enumerate() {
		let mut embedding = None;
		loop {
			match receiver.recv().await {
				Some(Event::Embedding(values)) => embedding = Some(values),
				Some(Event::Done(_)) => break,
				Some(Event::Failed(error)) => return Err(error.into()),
				Some(_) => {},
				None => {
					return Err(ApiError::new(
						StatusCode::INTERNAL_SERVER_ERROR,
						"server_error",
						"the engine dropped the request",
					))
				},
			}
		}
		let values = embedding.ok_or_else(|| {
			ApiError::new(
				StatusCode::INTERNAL_SERVER_ERROR,
				"server_error",
				"no embedding came back",
			)
		})?;
		let embedding = match request.encoding_format {
			EncodingFormat::Float => EmbeddingValue::Floats(values),
			EncodingFormat::Base64 => {
				let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
				EmbeddingValue::Base64(BASE64.encode(bytes))
			},
		};
		data.push(EmbeddingObject { object: "embedding", index, embedding });
	}
	let prompt_tokens = prompts.iter().map(Vec::len).sum();
	let usage = EmbeddingUsage { prompt_tokens, total_tokens: prompt_tokens };
	Ok(Json(EmbeddingList { object: "list", data, model: request.model, usage }))
}
