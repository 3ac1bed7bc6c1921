//! The API's answers as types: OpenAI's completion, chat completion, stream chunk and model
//! objects, and what this worker adds to an answer (its attribution record, the receipt to sign,
//! a RAG answer's citations). The chain's own routes answer with `tributary-sidecar-api` types.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use tributary_engine::registry::{ChainModel, Member};
use tributary_primitives::attribution::{AttributionRecord, RowScore};
use tributary_primitives::models::{ModelId, ModelVersionId};
use tributary_sidecar_api::recompute::ScoredRow;
use tributary_sidecar_api::wire::{Hash32, HexBytes};

/// Token counts of an answer.
#[derive(Clone, Debug, Serialize)]
pub struct Usage {
	pub prompt_tokens: usize,
	pub completion_tokens: usize,
	pub total_tokens: usize,
}

impl Usage {
	pub fn new(prompt_tokens: usize, completion_tokens: usize) -> Usage {
		Usage { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens }
	}
}

/// OpenAI's envelope of a completion (`text_completion`), chat completion (`chat.completion`) or
/// stream chunk (`chat.completion.chunk`) around its `choices`, with this worker's extensions.
#[derive(Debug, Serialize)]
pub struct Completion<Choice> {
	pub id: String,
	pub object: &'static str,
	pub created: u64,
	pub model: String,
	pub choices: Vec<Choice>,
	/// `null` on stream chunks, except the last one (without choices) when the request's
	/// `stream_options` ask for usage.
	pub usage: Option<Usage>,
	#[serde(flatten)]
	pub extensions: Extensions,
}

/// What this worker adds to an answer (on a stream, to its last chunk): to the envelope when the
/// request has one choice, else to each choice.
#[derive(Debug, Default, Serialize)]
pub struct Extensions {
	#[serde(skip_serializing_if = "Option::is_none")]
	pub attribution: Option<AttributionView>,
	#[serde(skip_serializing_if = "Option::is_none")]
	pub receipt: Option<ReceiptView>,
	#[serde(skip_serializing_if = "Option::is_none")]
	pub citations: Option<Vec<CitationView>>,
}

/// A choice of `/v1/completions` (whole, or one streamed piece of `text`). `extensions` are the
/// choice's own when a request has several choices (else they are the envelope's).
#[derive(Debug, Serialize)]
pub struct TextChoice {
	pub text: String,
	pub index: u32,
	pub logprobs: Option<TextLogprobs>,
	pub finish_reason: Option<&'static str>,
	#[serde(flatten)]
	pub extensions: Extensions,
}

/// A choice of `/v1/chat/completions`.
#[derive(Debug, Serialize)]
pub struct ChatChoice {
	pub index: u32,
	pub message: AssistantMessage,
	pub logprobs: Option<ChatLogprobs>,
	pub finish_reason: Option<&'static str>,
	#[serde(flatten)]
	pub extensions: Extensions,
}

/// A completion's `logprobs`: one column entry per token of its `text`.
#[derive(Debug, Default, Serialize)]
pub struct TextLogprobs {
	pub tokens: Vec<String>,
	/// `null` for an echoed prompt's first token, which nothing predicts.
	pub token_logprobs: Vec<Option<f32>>,
	pub top_logprobs: Vec<Option<TopLogprobs>>,
	/// Where each token starts in the choice's text, in characters.
	pub text_offset: Vec<usize>,
}

/// Token → log-probability, likeliest first.
#[derive(Debug, Default)]
pub struct TopLogprobs(pub Vec<(String, f32)>);

impl Serialize for TopLogprobs {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		let mut map = serializer.serialize_map(Some(self.0.len()))?;
		for (token, logprob) in &self.0 {
			map.serialize_entry(token, logprob)?;
		}
		map.end()
	}
}

/// A chat choice's `logprobs`.
#[derive(Debug, Serialize)]
pub struct ChatLogprobs {
	pub content: Vec<ChatTokenLogprob>,
	pub refusal: Option<()>,
}

/// A chat token's log-probability and its likeliest alternatives.
#[derive(Debug, Serialize)]
pub struct ChatTokenLogprob {
	pub token: String,
	pub logprob: f32,
	/// The token's UTF-8 bytes (part of a character for some tokens).
	pub bytes: Vec<u8>,
	pub top_logprobs: Vec<ChatTopLogprob>,
}

#[derive(Debug, Serialize)]
pub struct ChatTopLogprob {
	pub token: String,
	pub logprob: f32,
	pub bytes: Vec<u8>,
}

/// A chat answer: its text, or (`null` content) the tools it calls.
#[derive(Debug, Serialize)]
pub struct AssistantMessage {
	pub role: &'static str,
	pub content: Option<String>,
	#[serde(skip_serializing_if = "Option::is_none")]
	pub tool_calls: Option<Vec<ToolCallView>>,
}

/// A call of a tool in an answer, as OpenAI writes it (the arguments as JSON text); in a stream
/// chunk with its `index` among the answer's calls.
#[derive(Clone, Debug, Serialize)]
pub struct ToolCallView {
	#[serde(skip_serializing_if = "Option::is_none")]
	pub index: Option<u32>,
	pub id: String,
	#[serde(rename = "type")]
	pub kind: &'static str,
	pub function: FunctionView,
}

#[derive(Clone, Debug, Serialize)]
pub struct FunctionView {
	pub name: String,
	pub arguments: String,
}

/// A choice of a `chat.completion.chunk`: the role on the first chunk, then content pieces.
#[derive(Debug, Serialize)]
pub struct ChunkChoice {
	pub index: u32,
	pub delta: Delta,
	pub logprobs: Option<ChatLogprobs>,
	pub finish_reason: Option<&'static str>,
	#[serde(flatten)]
	pub extensions: Extensions,
}

#[derive(Debug, Default, Serialize)]
pub struct Delta {
	#[serde(skip_serializing_if = "Option::is_none")]
	pub role: Option<&'static str>,
	#[serde(skip_serializing_if = "Option::is_none")]
	pub content: Option<String>,
	#[serde(skip_serializing_if = "Option::is_none")]
	pub tool_calls: Option<Vec<ToolCallView>>,
}

/// An answer's attribution record: what it commits to, its scores, the method's parameters and
/// the whole record SCALE-encoded (what a receipt's claim and a dispute are about).
#[derive(Debug, Serialize)]
pub struct AttributionView {
	pub method: &'static str,
	pub model: Hash32,
	pub adapter: Option<Hash32>,
	pub corpus: Hash32,
	pub output: Hash32,
	pub scores: Vec<ScoredRow>,
	pub top_k: u32,
	pub top: Vec<ScoredRow>,
	/// The SCALE encoding of the record, hex.
	pub record_scale: String,
	#[serde(flatten)]
	pub params: MethodView,
}

impl AttributionView {
	pub fn of(record: &AttributionRecord, method: &'static str, params: MethodView) -> Self {
		AttributionView {
			method,
			model: Hash32(record.model),
			adapter: record.adapter.map(Hash32),
			corpus: Hash32(record.corpus),
			output: Hash32(record.output),
			scores: scored_rows(&record.scores),
			top_k: record.top_k,
			top: scored_rows(&record.top),
			record_scale: tributary_primitives::hex::encode(&codec::Encode::encode(record)),
			params,
		}
	}
}

/// Rows and their shares of the credit, as the API writes them.
pub fn scored_rows(scores: &[RowScore]) -> Vec<ScoredRow> {
	scores
		.iter()
		.map(|score| ScoredRow {
			datanet: score.row.datanet,
			row: score.row.row,
			parts_per_billion: score.parts_per_billion,
		})
		.collect()
}

/// The parameters of the record's method, beside its other fields.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum MethodView {
	SuffixSpan { min_span_len: u32, max_span_occurrences: u32 },
	Influence { scoring: ScoringView, sketch: Hash32, projection_dim: u32, projection_seed: u64 },
	Rag { query: Hash32, retrieved: u32, k1_milli: u32, b_milli: u32 },
}

/// `"trac_in"` or `{"data_inf": {"damping_milli"}}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoringView {
	TracIn,
	DataInf { damping_milli: u32 },
}

/// The receipt a user signs for an answer, and what it is signed over.
#[derive(Debug, Serialize)]
pub struct ReceiptView {
	pub id: String,
	pub model: ModelId,
	pub version: ModelVersionId,
	pub adapter: HexBytes,
	pub prompt_hash: HexBytes,
	pub output_hash: HexBytes,
	pub tokens_in: u32,
	pub tokens_out: u32,
	/// A `u128` balance in decimal.
	pub max_fee: String,
	pub nonce: u64,
	pub worker: HexBytes,
	pub expiry: u32,
	pub user: HexBytes,
	pub genesis: HexBytes,
	pub signing_payload: HexBytes,
}

/// A retrieved row of a RAG answer.
#[derive(Clone, Debug, Serialize)]
pub struct CitationView {
	pub datanet: u32,
	pub row: u64,
	pub text: String,
}

/// `/v1/embeddings`: one embedding per input, in input order.
#[derive(Debug, Serialize)]
pub struct EmbeddingList {
	pub object: &'static str,
	pub data: Vec<EmbeddingObject>,
	pub model: String,
	pub usage: EmbeddingUsage,
}

#[derive(Debug, Serialize)]
pub struct EmbeddingObject {
	pub object: &'static str,
	pub index: usize,
	pub embedding: EmbeddingValue,
}

/// Floats, or (`encoding_format: "base64"`) their little-endian f32 bytes in base64.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum EmbeddingValue {
	Floats(Vec<f32>),
	Base64(String),
}

#[derive(Debug, Serialize)]
pub struct EmbeddingUsage {
	pub prompt_tokens: usize,
	pub total_tokens: usize,
}

/// An OpenAI model object; registered ids also name their adapters and chain version.
#[derive(Debug, Serialize)]
pub struct ModelObject {
	pub id: String,
	pub object: &'static str,
	pub created: u64,
	pub owned_by: &'static str,
	#[serde(skip_serializing_if = "Option::is_none")]
	pub chain: Option<ChainModel>,
	#[serde(skip_serializing_if = "Option::is_none")]
	pub adapters: Option<Vec<Member>>,
}

impl ModelObject {
	pub fn new(id: &str, created: u64) -> ModelObject {
		ModelObject {
			id: id.into(),
			object: "model",
			created,
			owned_by: "tributary",
			chain: None,
			adapters: None,
		}
	}
}

#[derive(Debug, Serialize)]
pub struct ModelList {
	pub object: &'static str,
	pub data: Vec<ModelObject>,
}

/// `GET /health`: `status` is `ok` when every part is, else `down` (and the answer a 503).
#[derive(Debug, Serialize)]
pub struct Health {
	pub status: &'static str,
	pub queued: usize,
	pub base_model: String,
	pub device: tributary_model::DeviceInfo,
	pub dtype: tributary_model::ServingDtype,
	pub parts: HealthParts,
}

/// Each part of the worker, `ok` or `down` with why.
#[derive(Debug, Serialize)]
pub struct HealthParts {
	pub engine: PartHealth,
	pub jobs: PartHealth,
	pub store: StoreHealth,
	pub disk: DiskHealth,
}

#[derive(Debug, Serialize)]
pub struct PartHealth {
	pub status: &'static str,
	#[serde(skip_serializing_if = "Option::is_none")]
	pub reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct StoreHealth {
	pub status: &'static str,
	pub used_bytes: u64,
	pub quota_bytes: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct DiskHealth {
	pub status: &'static str,
	pub free_bytes: u64,
}

/// `PUT /store`: the stored object's name.
#[derive(Debug, Serialize)]
pub struct Stored {
	pub hash: Hash32,
}

/// `POST /v1/receipts`: the signed receipt joined the submit queue.
#[derive(Debug, Serialize)]
pub struct ReceiptQueued {
	pub id: String,
	pub status: &'static str,
}
