//! `/v1/completions` and `/v1/chat/completions`: a request is checked, its prompts prepared (RAG
//! retrieval, attribution target, receipt order), and every choice (`n` per prompt, `best_of`
//! generated) submitted to the engine at once. The answer is plain JSON or SSE chunks
//! (`stream: true`, in [`super::stream`]); both consume the same engine events, so a streamed
//! text is the non-streamed text cut into pieces.

use super::attribution::{attribute, target_with, AttributionMethod, AttributionTarget};
use super::error::{parse_json, ApiError};
use super::logprobs::{self, TextColumns};
use super::openai::{
	chat_messages, response_format, tool_request, unsupported_field, ChatFields, CompletionFields,
	Endpoint, GenerationFields, Prompt, ResponseFormat, ToolChoice, ToolRequest,
};
use super::rag::{self, Citation};
use super::receipts::{issue, order_for, ReceiptOrder};
use super::responses::{
	AssistantMessage, ChatChoice, CitationView, Completion, Extensions, TextChoice, TextLogprobs,
	Usage,
};
use super::stream::sse_response;
use super::tools::{call_schema, ToolUse};
use super::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use tributary_engine::constraint::{Constraint, GrammarError, Grammars, JsonLayout};
use tributary_engine::{
	AdapterUse, Event, Finished, GenerationRequest, SamplingParams, TokenLogprob,
};
use tributary_model::chat::Message;
use tributary_primitives::attribution::{AttributionMethod as RecordMethod, MethodSettings};

/// OpenAI's limit on stop sequences.
const MAX_STOP_SEQUENCES: usize = 4;
/// Choices one request may generate (prompts × `best_of`): each takes a place in the batch.
const MAX_CHOICES: usize = 32;
/// OpenAI's limits on reported alternatives per token.
const MAX_COMPLETION_LOGPROBS: usize = 5;
const MAX_TOP_LOGPROBS: usize = 20;

#[derive(Clone, Copy, PartialEq)]
pub enum Flavor {
	Text,
	Chat,
}

/// What every choice of a request shares.
pub struct Request {
	pub model: String,
	pub flavor: Flavor,
	adapters: Vec<AdapterUse>,
	sampling: SamplingParams,
	stop: Vec<String>,
	pub stream: bool,
	pub include_usage: bool,
	/// Choices returned per prompt.
	pub n: usize,
	/// Choices generated per prompt, the best `n` returned.
	best_of: usize,
	/// Alternatives reported per token, when log-probabilities were asked for.
	pub logprobs: Option<usize>,
	/// A completion's `echo`: its text starts with the prompt.
	pub echo: bool,
	/// The grammar every choice's text follows, with what compiles it per choice.
	format: Option<(ResponseFormat, Arc<Grammars>)>,
	/// How a chat's answers call its tools.
	pub tools: Option<ToolUse>,
	pub prompts: Vec<PreparedPrompt>,
}

/// One prompt, ready for the engine.
pub struct PreparedPrompt {
	pub tokens: Vec<u32>,
	/// The prompt's text (what `echo` repeats).
	pub text: String,
	max_tokens: usize,
	/// The adapter and its training rows, when the request asked for attribution.
	pub attribution: Option<AttributionTarget>,
	/// The rows retrieved into the prompt of a RAG request.
	citations: Option<Vec<Citation>>,
	/// The receipt to issue with each answer, when the request asked for one.
	receipt: Option<ReceiptOrder>,
}

fn unix_now() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_secs())
		.unwrap_or_default()
}

/// Unique across restarts too (nanosecond clock plus a counter): receipts are kept by this id.
pub fn response_id(prefix: &str) -> String {
	static NEXT: AtomicU64 = AtomicU64::new(1);
	let nanos = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_nanos())
		.unwrap_or_default();
	format!("{prefix}-{nanos:x}{:06x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// What a request asks to attribute: a record method, or RAG retrieval of this many rows.
enum Asked {
	Record(RecordMethod),
	Rag(u32),
}

/// Reads `attribution` and `rag` together: `rag` implies `"attribution": "rag"`, and a receipt
/// implies suffix spans unless another method was asked. Records use the chain's `methods`.
fn asked_method(
	attribution: AttributionMethod,
	rag: Option<rag::RagRequest>,
	receipt: bool,
	methods: &MethodSettings,
) -> Result<Option<Asked>, ApiError> {
	let asked = match (attribution, rag) {
		(AttributionMethod::None | AttributionMethod::Rag, Some(request)) => {
			Asked::Rag(rag::check_retrieve(request.retrieve, &methods.rag)?)
		},
		(AttributionMethod::Rag, None) => {
			Asked::Rag(rag::DEFAULT_RETRIEVE.min(methods.rag.max_retrieved))
		},
		(_, Some(_)) => {
			let message = "rag retrieval is attributed by its citations; drop \"attribution\" or set it to \"rag\"";
			return Err(ApiError::invalid("rag", message));
		},
		(AttributionMethod::SuffixSpan, None) => {
			Asked::Record(RecordMethod::SuffixSpan(methods.span))
		},
		(AttributionMethod::Influence, None) => {
			Asked::Record(RecordMethod::Influence(methods.influence))
		},
		(AttributionMethod::None, None) if receipt => {
			Asked::Record(RecordMethod::SuffixSpan(methods.span))
		},
		(AttributionMethod::None, None) => return Ok(None),
	};
	Ok(Some(asked))
}

/// What a request asks the model to continue.
enum Conversation {
	/// `/v1/completions`: a prompt text.
	Text(String),
	/// `/v1/completions`: prompt token ids, and their text.
	Tokens { tokens: Vec<u32>, text: String },
	/// `/v1/chat/completions`: the messages, the tools listed with them, the start of the answer
	/// (a forced call's opening), and their prompt under the model's chat template.
	Chat {
		messages: Vec<Message>,
		tools: Option<Vec<serde_json::Value>>,
		opening: String,
		prompt: String,
	},
}

impl Conversation {
	fn completion(state: &AppState, prompt: Prompt) -> Result<Conversation, ApiError> {
		match prompt {
			Prompt::Text(text) => Ok(Conversation::Text(text)),
			Prompt::Tokens(tokens) => {
				let vocab = state.engine.info.config.vocab_size as u32;
				if let Some(bad) = tokens.iter().find(|&&id| id >= vocab) {
					let message = format!("token id {bad} is not in the vocabulary of {vocab}");
					return Err(ApiError::invalid("prompt", message));
				}
				let text = state.engine.info.tokenizer.decode(&tokens, false).map_err(|e| {
					ApiError::invalid("prompt", format!("cannot decode the prompt's tokens: {e}"))
				})?;
				Ok(Conversation::Tokens { tokens, text })
			},
		}
	}

	/// `messages` under the chat template, listing `tools` when given, followed by `opening` (the
	/// start of the answer, when a call is forced).
	fn chat(
		state: &AppState,
		messages: Vec<Message>,
		tools: Option<&[serde_json::Value]>,
		opening: &str,
	) -> Result<Conversation, ApiError> {
		let prompt = render(state, &messages, tools)? + opening;
		let (tools, opening) = (tools.map(<[_]>::to_vec), opening.to_string());
		Ok(Conversation::Chat { messages, tools, opening, prompt })
	}

	/// The prompt as the user sent it (a chat's templated conversation).
	fn prompt(&self) -> &str {
		match self {
			Conversation::Text(prompt) | Conversation::Chat { prompt, .. } => prompt,
			Conversation::Tokens { text, .. } => text,
		}
	}

	/// The prompt with the retrieved rows as its sources.
	fn grounded(&self, state: &AppState, citations: &[Citation]) -> Result<String, ApiError> {
		match self {
			Conversation::Text(prompt) => Ok(rag::ground_completion(citations, prompt)),
			Conversation::Tokens { .. } => {
				Err(ApiError::invalid("rag", "rag retrieval needs a text prompt, not token ids"))
			},
			Conversation::Chat { messages, tools, opening, .. } => {
				Ok(render(state, &rag::ground_chat(citations, messages), tools.as_deref())?
					+ opening)
			},
		}
	}
}

/// `messages` (and `tools`) under the base model's chat template, ready for the assistant's reply.
fn render(
	state: &AppState,
	messages: &[Message],
	tools: Option<&[serde_json::Value]>,
) -> Result<String, ApiError> {
	state.chat_template.render_with_tools(messages, tools, true).map_err(|e| {
		ApiError::invalid("messages", format!("the model's chat template refuses them: {e}"))
	})
}

/// The fields only one endpoint has, read into what every choice shares, and the
/// `response_format` both have.
struct EndpointFields {
	flavor: Flavor,
	best_of: Option<usize>,
	logprobs: Option<usize>,
	echo: bool,
	format: Option<ResponseFormat>,
	tools: Option<ToolUse>,
}

/// A chat's conversation with its tools: listed for the model when its template takes them, and
/// how answers call them. A forced call (`required`, or a named function) starts the answer with
/// the syntax's opening and decodes the call under its JSON Schema, in place of
/// `response_format`.
fn with_tools(
	state: &AppState,
	messages: Vec<Message>,
	request: Option<ToolRequest>,
	format: Option<ResponseFormat>,
) -> Result<(Conversation, Option<ToolUse>, Option<ResponseFormat>), ApiError> {
	let syntax = state.chat_template.tool_calls();
	let (request, syntax) = match (request, syntax) {
		(None, _) => return Ok((Conversation::chat(state, messages, None, "")?, None, format)),
		(Some(request), None) if request.choice == ToolChoice::None => {
			return Ok((Conversation::chat(state, messages, None, "")?, None, format))
		},
		(Some(_), None) => {
			let message = "the served model's chat template does not list tools in a syntax this worker reads (Hermes <tool_call> blocks), so its answers cannot call them; send no tools or tool_choice \"none\"";
			return Err(ApiError::invalid("tools", message));
		},
		(Some(request), Some(syntax)) => (request, syntax),
	};
	let tools = Some(request.tools.as_slice());
	let called = match &request.choice {
		ToolChoice::None => {
			return Ok((Conversation::chat(state, messages, tools, "")?, None, format));
		},
		ToolChoice::Auto => None,
		ToolChoice::Required => Some(request.functions.clone()),
		ToolChoice::Named(name) => {
			Some(request.functions.iter().filter(|(known, _)| known == name).cloned().collect())
		},
	};
	let names = request.functions.iter().map(|(name, _)| name.clone()).collect();
	let Some(called) = called else {
		let conversation = Conversation::chat(state, messages, tools, "")?;
		return Ok((conversation, Some(ToolUse { syntax, forced: false, names }), format));
	};
	if format.is_some() {
		let message =
			"a forced tool call is decoded under its function's parameters; drop response_format";
		return Err(ApiError::invalid("response_format", message));
	}
	let opening = format!("{}\n", syntax.open());
	let conversation = Conversation::chat(state, messages, tools, &opening)?;
	let format = ResponseFormat::ToolCall(call_schema(&called));
	Ok((conversation, Some(ToolUse { syntax, forced: true, names }), Some(format)))
}

/// A fresh grammar state for one choice.
fn constraint(format: &ResponseFormat, grammars: &Grammars) -> Result<Constraint, GrammarError> {
	match format {
		ResponseFormat::JsonObject => grammars.json_object(),
		ResponseFormat::JsonSchema(schema) => grammars.json_schema(schema),
		ResponseFormat::ToolCall(schema) => {
			grammars.json_schema_laid_out(schema, JsonLayout::Compact)
		},
	}
}

/// The served tokenizer's grammars for `format`, which is compiled once here so a schema
/// llguidance refuses is a 400 before anything runs.
fn checked_format(
	state: &AppState,
	format: Option<ResponseFormat>,
) -> Result<Option<(ResponseFormat, Arc<Grammars>)>, ApiError> {
	let Some(format) = format else { return Ok(None) };
	let grammars = state.engine.info.grammars().map_err(|e| {
		ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "server_error", e.to_string())
			.code("response_format_unavailable")
	})?;
	constraint(&format, &grammars)
		.map_err(|e| ApiError::invalid("response_format", e.to_string()))?;
	Ok(Some((format, grammars)))
}

fn in_range(field: &'static str, value: Option<f64>, low: f64, high: f64) -> Result<f64, ApiError> {
	match value {
		Some(v) if !(low..=high).contains(&v) => {
			Err(ApiError::invalid(field, format!("{field} must be in [{low}, {high}], got {v}")))
		},
		Some(v) => Ok(v),
		None => Ok(0.0),
	}
}

/// `logit_bias` as (token, bias): keys are token ids of the vocabulary, biases in [-100, 100].
fn logit_bias(
	state: &AppState,
	bias: Option<std::collections::HashMap<String, f64>>,
) -> Result<Vec<(u32, f32)>, ApiError> {
	let vocab = state.engine.info.config.vocab_size as u32;
	let mut biases: Vec<(u32, f32)> = bias
		.unwrap_or_default()
		.into_iter()
		.map(|(key, value)| {
			let token = key.parse::<u32>().ok().filter(|&id| id < vocab).ok_or_else(|| {
				ApiError::invalid(
					"logit_bias",
					format!("logit_bias key {key:?} is not a token id below {vocab}"),
				)
			})?;
			if !(-100.0..=100.0).contains(&value) {
				let message =
					format!("logit_bias of token {token} must be in [-100, 100], got {value}");
				return Err(ApiError::invalid("logit_bias", message));
			}
			Ok((token, value as f32))
		})
		.collect::<Result<_, _>>()?;
	biases.sort_by_key(|&(token, _)| token);
	Ok(biases)
}

/// Checks the settings every choice shares and prepares each prompt.
async fn prepare(
	state: &AppState,
	mut fields: GenerationFields,
	endpoint: EndpointFields,
	conversations: Vec<Conversation>,
) -> Result<Request, ApiError> {
	let flavor = endpoint.flavor;
	if conversations.is_empty() {
		return Err(ApiError::invalid("prompt", "prompt must not be an empty list"));
	}
	let n = fields.n.unwrap_or(1);
	let best_of = endpoint.best_of.unwrap_or(n);
	if n == 0 {
		return Err(ApiError::invalid("n", "n must be at least 1"));
	}
	if best_of < n {
		return Err(ApiError::invalid(
			"best_of",
			format!("best_of ({best_of}) must be at least n ({n})"),
		));
	}
	if best_of > n && fields.stream {
		return Err(ApiError::invalid("best_of", "best_of > n cannot be streamed"));
	}
	if conversations.len() * best_of > MAX_CHOICES {
		let message = format!(
			"{} prompts × {best_of} choices exceed this worker's limit of {MAX_CHOICES} per request",
			conversations.len()
		);
		return Err(ApiError::invalid(if best_of > n { "best_of" } else { "n" }, message));
	}
	if fields.stream_options.is_some() && !fields.stream {
		return Err(ApiError::invalid("stream_options", "stream_options needs stream: true"));
	}
	let temperature = fields.temperature.unwrap_or(1.0);
	if !(0.0..=2.0).contains(&temperature) {
		return Err(ApiError::invalid(
			"temperature",
			format!("temperature must be in [0, 2], got {temperature}"),
		));
	}
	let top_p = fields.top_p.unwrap_or(1.0);
	if !(top_p > 0.0 && top_p <= 1.0) {
		return Err(ApiError::invalid("top_p", format!("top_p must be in (0, 1], got {top_p}")));
	}
	if fields.top_k.is_some_and(|k| k < 1) {
		return Err(ApiError::invalid("top_k", "top_k must be at least 1"));
	}
	let presence_penalty = in_range("presence_penalty", fields.presence_penalty, -2.0, 2.0)?;
	let frequency_penalty = in_range("frequency_penalty", fields.frequency_penalty, -2.0, 2.0)?;
	let stop = fields.stop.take().map(|s| s.into_vec()).unwrap_or_default();
	if stop.len() > MAX_STOP_SEQUENCES {
		return Err(ApiError::invalid(
			"stop",
			format!("at most {MAX_STOP_SEQUENCES} stop sequences"),
		));
	}
	let seed = fields.seed.unwrap_or_else(|| {
		std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.map(|d| d.as_nanos() as u64)
			.unwrap_or(0)
	});
	let sampling = SamplingParams {
		temperature,
		top_p,
		top_k: fields.top_k,
		seed,
		presence_penalty: presence_penalty as f32,
		frequency_penalty: frequency_penalty as f32,
		logit_bias: logit_bias(state, fields.logit_bias.take())?,
	};
	let adapters = resolve_model(state, &fields.model)?;
	let format = checked_format(state, endpoint.format)?;
	let requested = fields.max_completion_tokens.or(fields.max_tokens);
	let attributed = fields.attribution != AttributionMethod::None || fields.rag.is_some();
	if requested == Some(0) && (attributed || fields.receipt.is_some()) {
		let message = "max_tokens 0 generates nothing to attribute or receipt";
		return Err(ApiError::invalid("max_tokens", message));
	}
	if endpoint.echo && fields.rag.is_some() {
		let message = "echo repeats the prompt as sent, which rag grounds in retrieved rows";
		return Err(ApiError::invalid("echo", message));
	}
	let mut prompts = Vec::with_capacity(conversations.len());
	for conversation in &conversations {
		let prompt =
			prepare_prompt(state, &fields, conversation, &adapters, requested, flavor).await?;
		prompts.push(prompt);
	}
	Ok(Request {
		model: fields.model,
		flavor,
		adapters,
		sampling,
		stop,
		stream: fields.stream,
		include_usage: fields.stream_options.is_some_and(|options| options.include_usage),
		n,
		best_of,
		logprobs: endpoint.logprobs,
		echo: endpoint.echo,
		format,
		tools: endpoint.tools,
		prompts,
	})
}

/// RAG retrieves for the prompt itself (a chat's templated conversation), the text a receipt's
/// `prompt_hash` covers: the chain refuses a RAG record whose query is anything else, so a worker
/// cannot pick a query that retrieves rows it favours.
async fn prepare_prompt(
	state: &AppState,
	fields: &GenerationFields,
	conversation: &Conversation,
	adapters: &[AdapterUse],
	requested: Option<usize>,
	flavor: Flavor,
) -> Result<PreparedPrompt, ApiError> {
	let prompt = conversation.prompt();
	let methods = state.receipts.methods();
	let asked = asked_method(fields.attribution, fields.rag, fields.receipt.is_some(), &methods)?;
	// The receipt names the prompt as the user sent it, not the grounded one.
	let receipt = fields
		.receipt
		.clone()
		.map(|request| order_for(state, &fields.model, request, prompt))
		.transpose()?;
	let (attribution, citations, grounded) = match asked {
		None => (None, None, None),
		Some(Asked::Record(method)) => {
			(Some(target_with(state, method, &fields.model, adapters)?), None, None)
		},
		Some(Asked::Rag(retrieve)) => {
			let query = prompt;
			let mut target = target_with(
				state,
				rag::method_for(query, retrieve, &methods.rag),
				&fields.model,
				adapters,
			)?;
			target.rag_query = Some(query.as_bytes().to_vec());
			let citations =
				rag::retrieve(state, &target.corpus, query, retrieve, &methods.rag).await?;
			let grounded = conversation.grounded(state, &citations)?;
			(Some(target), Some(citations), Some(grounded))
		},
	};

	let info = &state.engine.info;
	let tokens = match (conversation, &grounded) {
		(Conversation::Tokens { tokens, .. }, None) => tokens.clone(),
		(_, grounded) => {
			let text = grounded.as_deref().unwrap_or(prompt);
			let encoding = info.tokenizer.encode(text, false).map_err(|e| {
				ApiError::invalid("prompt", format!("cannot tokenize the prompt: {e}"))
			})?;
			encoding.get_ids().to_vec()
		},
	};
	if tokens.is_empty() {
		return Err(ApiError::invalid("prompt", "the prompt is empty"));
	}
	let context = info.config.max_position_embeddings as usize;
	let room = context.saturating_sub(tokens.len());
	let max_tokens = match (requested, flavor) {
		(Some(n), _) => n,
		// OpenAI's defaults: 16 for completions, the rest of the context for chat.
		(None, Flavor::Text) => 16.min(room),
		(None, Flavor::Chat) => room.min(state.max_new_tokens),
	};
	if tokens.len() + max_tokens > context {
		return Err(ApiError::invalid(
			"messages",
			format!(
				"This model's maximum context length is {context} tokens. However, you requested {} tokens \
				 ({} in the prompt, {max_tokens} for the completion). Please reduce the prompt or max_tokens.",
				tokens.len() + max_tokens,
				tokens.len()
			),
		)
		.code("context_length_exceeded"));
	}
	if max_tokens > state.max_new_tokens {
		return Err(ApiError::invalid(
			"max_tokens",
			format!(
				"max_tokens {max_tokens} exceeds this worker's limit of {}",
				state.max_new_tokens
			),
		));
	}
	Ok(PreparedPrompt {
		tokens,
		text: prompt.to_string(),
		max_tokens,
		attribution,
		citations,
		receipt,
	})
}

/// The adapters behind a model id; none for the base model.
pub fn resolve_model(state: &AppState, model: &str) -> Result<Vec<AdapterUse>, ApiError> {
	if model == state.base_model_id {
		return Ok(Vec::new());
	}
	let resolved = state.registry.resolve(model)?;
	Ok(resolved
		.into_iter()
		.map(|(hash, config, weight)| AdapterUse { hash: hash.0, config, weight })
		.collect())
}

/// One generation of a request: which prompt it answers and its engine events.
pub struct Run {
	pub prompt: usize,
	pub first: Event,
	pub events: UnboundedReceiver<Event>,
}

/// Submits every generation of the request (`best_of` per prompt, seeds `seed`, `seed + 1`, …)
/// and waits for each one's first event, so failures before any text (full queue, corrupt
/// adapter) become proper HTTP errors even for streams.
async fn start(state: &AppState, request: &Request) -> Result<Vec<Run>, ApiError> {
	// Ranking `best_of` generations needs their log-probabilities.
	let logprobs = request.logprobs.or((request.best_of > request.n).then_some(0));
	let mut submitted = Vec::new();
	for (index, prompt) in request.prompts.iter().enumerate() {
		for j in 0..request.best_of {
			let (events, receiver) = unbounded_channel();
			let mut sampling = request.sampling.clone();
			sampling.seed = sampling.seed.wrapping_add(j as u64);
			let constraint = match &request.format {
				Some((format, grammars)) => {
					Some(constraint(format, grammars).map(Box::new).map_err(|e| {
						ApiError::new(
							StatusCode::INTERNAL_SERVER_ERROR,
							"server_error",
							e.to_string(),
						)
					})?)
				},
				None => None,
			};
			state.engine.submit(GenerationRequest {
				prompt: prompt.tokens.clone(),
				adapters: request.adapters.clone(),
				sampling,
				max_tokens: prompt.max_tokens,
				stop: request.stop.clone(),
				logprobs,
				prompt_logprobs: request.logprobs.filter(|_| request.echo),
				embed: None,
				constraint,
				events,
			})?;
			submitted.push((index, receiver));
		}
	}
	let mut runs = Vec::with_capacity(submitted.len());
	for (prompt, mut events) in submitted {
		match events.recv().await {
			Some(Event::Failed(error)) => return Err(error.into()),
			Some(first) => runs.push(Run { prompt, first, events }),
			None => {
				return Err(ApiError::new(
					StatusCode::INTERNAL_SERVER_ERROR,
					"server_error",
					"the engine dropped the request",
				))
			},
		}
	}
	Ok(runs)
}

pub async fn completions(State(state): State<AppState>, body: Bytes) -> Response {
	let result = async {
		let (format, _) = checked_body(&body, Endpoint::Completions)?;
		let fields: GenerationFields = parse_json(&body)?;
		let CompletionFields { prompt, best_of, logprobs, echo } = parse_json(&body)?;
		if logprobs.is_some_and(|k| k > MAX_COMPLETION_LOGPROBS) {
			let message = format!("logprobs must be at most {MAX_COMPLETION_LOGPROBS}");
			return Err(ApiError::invalid("logprobs", message));
		}
		let conversations = prompt
			.into_prompts()
			.into_iter()
			.map(|prompt| Conversation::completion(&state, prompt))
			.collect::<Result<_, _>>()?;
		let endpoint =
			EndpointFields { flavor: Flavor::Text, best_of, logprobs, echo, format, tools: None };
		let request = prepare(&state, fields, endpoint, conversations).await?;
		respond(&state, request).await
	}
	.await;
	result.unwrap_or_else(IntoResponse::into_response)
}

pub async fn chat_completions(State(state): State<AppState>, body: Bytes) -> Response {
	let result = async {
		let (format, tools) = checked_body(&body, Endpoint::Chat)?;
		let fields: GenerationFields = parse_json(&body)?;
		let ChatFields { messages, logprobs, top_logprobs } = parse_json(&body)?;
		let logprobs = match (logprobs, top_logprobs) {
			(false, Some(_)) => {
				return Err(ApiError::invalid("top_logprobs", "top_logprobs needs logprobs: true"))
			},
			(_, Some(k)) if k > MAX_TOP_LOGPROBS => {
				let message = format!("top_logprobs must be at most {MAX_TOP_LOGPROBS}");
				return Err(ApiError::invalid("top_logprobs", message));
			},
			(true, k) => Some(k.unwrap_or(0)),
			(false, None) => None,
		};
		let messages = chat_messages(&messages).map_err(|m| ApiError::invalid("messages", m))?;
		let (conversation, tools, format) = with_tools(&state, messages, tools, format)?;
		let endpoint = EndpointFields {
			flavor: Flavor::Chat,
			best_of: None,
			logprobs,
			echo: false,
			format,
			tools,
		};
		let request = prepare(&state, fields, endpoint, vec![conversation]).await?;
		respond(&state, request).await
	}
	.await;
	result.unwrap_or_else(IntoResponse::into_response)
}

/// The body's `response_format` and (chat) tools, after a 400 naming the first OpenAI field of
/// the body this worker does not support.
fn checked_body(
	body: &Bytes,
	endpoint: Endpoint,
) -> Result<(Option<ResponseFormat>, Option<ToolRequest>), ApiError> {
	// A body that is not a JSON object fails later, with the parse error naming where.
	let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
		return Ok((None, None));
	};
	if let Some((field, why)) = unsupported_field(&value, endpoint) {
		return Err(ApiError::invalid(field, why));
	}
	let format =
		response_format(&value).map_err(|why| ApiError::invalid("response_format", why))?;
	let tools = match endpoint {
		Endpoint::Chat => {
			tool_request(&value).map_err(|(field, why)| ApiError::invalid(field, why))?
		},
		Endpoint::Completions => None,
	};
	Ok((format, tools))
}

async fn respond(state: &AppState, request: Request) -> Result<Response, ApiError> {
	let runs = start(state, &request).await?;
	let id = response_id(if request.flavor == Flavor::Chat { "chatcmpl" } else { "cmpl" });
	if request.stream {
		return Ok(sse_response(state.clone(), id, request, runs));
	}
	let mut generations: Vec<Vec<Generation>> =
		request.prompts.iter().map(|_| Vec::new()).collect();
	let collected = futures::future::join_all(
		runs.into_iter()
			.map(|run| async move { (run.prompt, collect(state, run.first, run.events).await) }),
	)
	.await;
	for (prompt, generation) in collected {
		generations[prompt].push(generation?);
	}
	let many = request.prompts.len() * request.n > 1;
	let (mut text_choices, mut chat_choices) = (Vec::new(), Vec::new());
	let (mut extensions, mut completion_tokens) = (Extensions::default(), 0);
	for (p, (prompt, mut generated)) in request.prompts.iter().zip(generations).enumerate() {
		if request.best_of > request.n {
			// Stable: equally good generations keep the order of their seeds.
			generated.sort_by(|a, b| b.mean_logprob().total_cmp(&a.mean_logprob()));
			generated.truncate(request.n);
		}
		for (j, generation) in generated.into_iter().enumerate() {
			let index = p * request.n + j;
			let answer = match prompt.attribution.clone() {
				Some(target) => {
					let attribution =
						Attribution::for_choice(state, prompt, target, &id, index, many);
					attribution.finish(&generation.text, &generation.finished).await?
				},
				None => Extensions::default(),
			};
			let (own, envelope) = if many {
				(answer, Extensions::default())
			} else {
				(Extensions::default(), answer)
			};
			extensions = envelope;
			completion_tokens += generation.finished.tokens.len();
			let mut finish_reason = Some(generation.finished.reason.as_openai());
			let index = index as u32;
			match request.flavor {
				Flavor::Text => {
					let logprobs = request
						.logprobs
						.map(|_| generation.text_logprobs(state, prompt, request.echo));
					let text = match request.echo {
						true => format!("{}{}", prompt.text, generation.text),
						false => generation.text,
					};
					text_choices.push(TextChoice {
						text,
						index,
						logprobs,
						finish_reason,
						extensions: own,
					});
				},
				Flavor::Chat => {
					let logprobs = request
						.logprobs
						.map(|_| logprobs::chat(&state.engine.info.tokenizer, &generation.tokens));
					let message = match &request.tools {
						Some(tools) => {
							let read = tools.read(&generation.text);
							if !read.calls.is_empty() {
								finish_reason = Some("tool_calls");
							}
							let calls = (!read.calls.is_empty()).then_some(read.calls);
							AssistantMessage {
								role: "assistant",
								content: read.content,
								tool_calls: calls,
							}
						},
						None => AssistantMessage {
							role: "assistant",
							content: Some(generation.text),
							tool_calls: None,
						},
					};
					chat_choices.push(ChatChoice {
						index,
						message,
						logprobs,
						finish_reason,
						extensions: own,
					});
				},
			}
		}
	}
	let prompt_tokens = request.prompts.iter().map(|p| p.tokens.len()).sum();
	let usage = Some(Usage::new(prompt_tokens, completion_tokens));
	let (id, created, model) = (id, unix_now(), request.model);
	let response = match request.flavor {
		Flavor::Text => {
			let object = "text_completion";
			Json(Completion {
				id,
				object,
				created,
				model,
				choices: text_choices,
				usage,
				extensions,
			})
			.into_response()
		},
		Flavor::Chat => {
			let object = "chat.completion";
			Json(Completion {
				id,
				object,
				created,
				model,
				choices: chat_choices,
				usage,
				extensions,
			})
			.into_response()
		},
	};
	Ok(response)
}

/// A finished generation and what it reported.
struct Generation {
	text: String,
	finished: Finished,
	/// The prompt's tokens from the second on, when they were scored.
	prompt_logprobs: Vec<TokenLogprob>,
	/// The generated tokens that are part of the text (not an end-of-sequence token).
	tokens: Vec<TokenLogprob>,
}

impl Generation {
	/// How likely the model finds the text: what `best_of` ranks by.
	fn mean_logprob(&self) -> f64 {
		let sum: f64 = self.tokens.iter().map(|t| t.logprob as f64).sum();
		sum / self.tokens.len().max(1) as f64
	}

	/// A completion's `logprobs`: the echoed prompt's tokens first, when echoed.
	fn text_logprobs(&self, state: &AppState, prompt: &PreparedPrompt, echo: bool) -> TextLogprobs {
		let tokenizer = &state.engine.info.tokenizer;
		let mut columns = TextLogprobs::default();
		let mut writer = TextColumns::new(tokenizer, 0);
		if echo {
			writer.unscored(&mut columns, prompt.tokens[0]);
			for scored in &self.prompt_logprobs {
				writer.scored(&mut columns, scored);
			}
		}
		for scored in &self.tokens {
			writer.scored(&mut columns, scored);
		}
		columns
	}
}

async fn collect(
	state: &AppState,
	first: Event,
	mut receiver: UnboundedReceiver<Event>,
) -> Result<Generation, ApiError> {
	let eos = &state.engine.info.eos_tokens;
	let (mut text, mut prompt_logprobs, mut tokens) = (String::new(), Vec::new(), Vec::new());
	let mut event = Some(first);
	while let Some(current) = event {
		match current {
			Event::Prompt(scored) => prompt_logprobs = scored,
			Event::Token(scored) if !eos.contains(&scored.token) => tokens.push(scored),
			// Completions ask for no embedding.
			Event::Token(_) | Event::Embedding(_) => {},
			Event::Text(piece) => text.push_str(&piece),
			Event::Done(finished) => {
				return Ok(Generation { text, finished, prompt_logprobs, tokens })
			},
			Event::Failed(error) => return Err(error.into()),
		}
		event = receiver.recv().await;
	}
	Err(ApiError::new(
		StatusCode::INTERNAL_SERVER_ERROR,
		"server_error",
		"the engine ended the request without a result",
	))
}

/// What an answer's final step computes: its attribution record and, when asked for, its receipt.
pub struct Attribution {
	state: AppState,
	target: AttributionTarget,
	/// The id the receipt is kept under (the completion's, with the choice's index when several).
	receipt_id: String,
	receipt: Option<ReceiptOrder>,
	/// A RAG answer's `citations`.
	citations: Option<Vec<CitationView>>,
}

impl Attribution {
	/// Choice `index` of a completion: with several choices each receipt has its own id
	/// (`<id>-<index>`) and nonce (the request's + `index`), as each is paid on its own.
	pub fn for_choice(
		state: &AppState,
		prompt: &PreparedPrompt,
		target: AttributionTarget,
		id: &str,
		index: usize,
		many: bool,
	) -> Arc<Attribution> {
		Arc::new(Attribution {
			state: state.clone(),
			target,
			receipt_id: if many { format!("{id}-{index}") } else { id.to_string() },
			receipt: prompt.receipt.clone().map(|order| order.for_choice(index as u64)),
			citations: prompt.citations.as_deref().map(rag::citation_views),
		})
	}

	/// The answer's `attribution`, and `receipt` and `citations` when there are any, for the
	/// answer `text`.
	pub async fn finish(&self, text: &str, finished: &Finished) -> Result<Extensions, ApiError> {
		let state = &self.state;
		let attributed = attribute(state, self.target.clone(), text.to_string()).await?;
		let receipt = match &self.receipt {
			Some(order) => {
				keep_object(state, text.as_bytes()).await?;
				// A disputed RAG record is recomputed from its query, fetched by the hash it names.
				if let Some(query) = &self.target.rag_query {
					keep_object(state, query).await?;
				}
				let adapter = self.target.adapter;
				let id = &self.receipt_id;
				Some(issue(state, id, order, adapter, &attributed.record, text, finished)?)
			},
			None => None,
		};
		Ok(Extensions {
			attribution: Some(attributed.body),
			receipt,
			citations: self.citations.clone(),
		})
	}
}

/// Puts a receipted answer's text (under the receipt's `output_hash`) or a RAG answer's query
/// (under the hash its record names) into the content store, so validators recomputing its
/// attribution in a dispute can fetch it from this worker.
async fn keep_object(state: &AppState, bytes: &[u8]) -> Result<(), ApiError> {
	let (store, bytes) = (state.store.clone(), bytes.to_vec());
	tokio::task::spawn_blocking(move || store.put(&bytes, None))
		.await
		.expect("store writes do not panic")?;
	Ok(())
}
