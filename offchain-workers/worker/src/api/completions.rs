//! `/v1/completions` and `/v1/chat/completions`, plain JSON or SSE chunks (`stream: true`).
//! Both modes consume the same engine events, so a streamed text is the non-streamed text cut
//! into pieces.

use super::attribution::{attribute, target_with, AttributionMethod, AttributionTarget};
use super::error::{parse_json, ApiError};
use super::openai::{chat_messages, ChatMessages, CompletionPrompt, GenerationFields};
use super::rag::{self, Citation};
use super::receipts::{issue, order_for, ReceiptOrder};
use super::responses::{
	AssistantMessage, ChatChoice, ChunkChoice, CitationView, Completion, Delta, Extensions,
	TextChoice, Usage,
};
use super::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::stream::{self, Stream};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use tributary_engine::{AdapterUse, Event, Finished, GenerationRequest, SamplingParams};
use tributary_model::chat::Message;
use tributary_primitives::attribution::{AttributionMethod as RecordMethod, MethodSettings};

/// OpenAI's limit on stop sequences.
const MAX_STOP_SEQUENCES: usize = 4;

#[derive(Clone, Copy, PartialEq)]
enum Flavor {
	Text,
	Chat,
}

/// A validated request, ready for the engine.
struct Prepared {
	model: String,
	prompt: Vec<u32>,
	adapters: Vec<AdapterUse>,
	sampling: SamplingParams,
	max_tokens: usize,
	stop: Vec<String>,
	stream: bool,
	/// The adapter and its training rows, when the request asked for attribution.
	attribution: Option<AttributionTarget>,
	/// The rows retrieved into the prompt of a RAG request.
	citations: Option<Vec<Citation>>,
	/// The receipt to issue with the answer, when the request asked for one.
	receipt: Option<ReceiptOrder>,
}

fn unix_now() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_secs())
		.unwrap_or_default()
}

/// Unique across restarts too (nanosecond clock plus a counter): receipts are kept by this id.
fn response_id(prefix: &str) -> String {
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
	/// `/v1/completions`: the prompt itself.
	Text(String),
	/// `/v1/chat/completions`: the messages, and their prompt under the model's chat template.
	Chat { messages: Vec<Message>, prompt: String },
}

impl Conversation {
	fn chat(state: &AppState, messages: Vec<Message>) -> Result<Conversation, ApiError> {
		let prompt = render(state, &messages)?;
		Ok(Conversation::Chat { messages, prompt })
	}

	/// The prompt as the user sent it (a chat's templated conversation).
	fn prompt(&self) -> &str {
		match self {
			Conversation::Text(prompt) | Conversation::Chat { prompt, .. } => prompt,
		}
	}

	fn flavor(&self) -> Flavor {
		match self {
			Conversation::Text(_) => Flavor::Text,
			Conversation::Chat { .. } => Flavor::Chat,
		}
	}

	/// The prompt with the retrieved rows as its sources.
	fn grounded(&self, state: &AppState, citations: &[Citation]) -> Result<String, ApiError> {
		match self {
			Conversation::Text(prompt) => Ok(rag::ground_completion(citations, prompt)),
			Conversation::Chat { messages, .. } => {
				render(state, &rag::ground_chat(citations, messages))
			},
		}
	}
}

/// `messages` under the base model's chat template, ready for the assistant's reply.
fn render(state: &AppState, messages: &[Message]) -> Result<String, ApiError> {
	state.chat_template.render(messages, true).map_err(|e| {
		ApiError::invalid("messages", format!("the model's chat template refuses them: {e}"))
	})
}

/// RAG retrieves for the prompt itself (a chat's templated conversation), the text a receipt's
/// `prompt_hash` covers: the chain refuses a RAG record whose query is anything else, so a worker
/// cannot pick a query that retrieves rows it favours.
async fn prepare(
	state: &AppState,
	fields: GenerationFields,
	conversation: &Conversation,
) -> Result<Prepared, ApiError> {
	let (prompt, flavor) = (conversation.prompt(), conversation.flavor());
	if fields.n.is_some_and(|n| n != 1) {
		return Err(ApiError::invalid("n", "only n = 1 is supported"));
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
	let stop = fields.stop.map(|s| s.into_vec()).unwrap_or_default();
	if stop.len() > MAX_STOP_SEQUENCES {
		return Err(ApiError::invalid(
			"stop",
			format!("at most {MAX_STOP_SEQUENCES} stop sequences"),
		));
	}
	let adapters = resolve_model(state, &fields.model)?;
	let methods = state.receipts.methods();
	let asked = asked_method(fields.attribution, fields.rag, fields.receipt.is_some(), &methods)?;
	// The receipt names the prompt as the user sent it, not the grounded one.
	let receipt = fields
		.receipt
		.map(|request| order_for(state, &fields.model, request, prompt))
		.transpose()?;
	let (attribution, citations, prompt) = match asked {
		None => (None, None, prompt.to_string()),
		Some(Asked::Record(method)) => {
			(Some(target_with(state, method, &fields.model, &adapters)?), None, prompt.to_string())
		},
		Some(Asked::Rag(retrieve)) => {
			let query = prompt;
			let mut target = target_with(
				state,
				rag::method_for(query, retrieve, &methods.rag),
				&fields.model,
				&adapters,
			)?;
			target.rag_query = Some(query.as_bytes().to_vec());
			let citations =
				rag::retrieve(state, &target.corpus, query, retrieve, &methods.rag).await?;
			let grounded = conversation.grounded(state, &citations)?;
			(Some(target), Some(citations), grounded)
		},
	};

	let info = &state.engine.info;
	let encoding = info
		.tokenizer
		.encode(prompt.as_str(), false)
		.map_err(|e| ApiError::invalid("prompt", format!("cannot tokenize the prompt: {e}")))?;
	let tokens = encoding.get_ids().to_vec();
	if tokens.is_empty() {
		return Err(ApiError::invalid("prompt", "the prompt is empty"));
	}
	let context = info.config.max_position_embeddings as usize;
	let room = context.saturating_sub(tokens.len());
	let requested = fields.max_completion_tokens.or(fields.max_tokens);
	let max_tokens = match (requested, flavor) {
		(Some(n), _) => n,
		// OpenAI's defaults: 16 for completions, the rest of the context for chat.
		(None, Flavor::Text) => 16.min(room),
		(None, Flavor::Chat) => room.min(state.max_new_tokens),
	};
	if max_tokens == 0 || tokens.len() + max_tokens > context {
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
	let seed = fields.seed.unwrap_or_else(|| {
		std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.map(|d| d.as_nanos() as u64)
			.unwrap_or(0)
	});
	Ok(Prepared {
		model: fields.model,
		prompt: tokens,
		adapters,
		sampling: SamplingParams { temperature, top_p, top_k: fields.top_k, seed },
		max_tokens,
		stop,
		stream: fields.stream,
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

/// Submits the request and waits for its first event, so failures before any text (full queue,
/// corrupt adapter) become proper HTTP errors even for streams.
async fn start(
	state: &AppState,
	prepared: &Prepared,
) -> Result<(Event, UnboundedReceiver<Event>), ApiError> {
	let (events, mut receiver) = unbounded_channel();
	state.engine.submit(GenerationRequest {
		prompt: prepared.prompt.clone(),
		adapters: prepared.adapters.clone(),
		sampling: prepared.sampling.clone(),
		max_tokens: prepared.max_tokens,
		stop: prepared.stop.clone(),
		events,
	})?;
	match receiver.recv().await {
		Some(Event::Failed(error)) => Err(error.into()),
		Some(first) => Ok((first, receiver)),
		None => Err(ApiError::new(
			StatusCode::INTERNAL_SERVER_ERROR,
			"server_error",
			"the engine dropped the request",
		)),
	}
}

fn usage(finished: &Finished) -> Usage {
	Usage::new(finished.prompt_tokens, finished.tokens.len())
}

pub async fn completions(State(state): State<AppState>, body: Bytes) -> Response {
	let result = async {
		let fields: GenerationFields = parse_json(&body)?;
		let CompletionPrompt { prompt } = parse_json(&body)?;
		let prompts = prompt.into_vec();
		let [prompt] = prompts.as_slice() else {
			return Err(ApiError::invalid(
				"prompt",
				"exactly one prompt string per request is supported",
			));
		};
		let prepared = prepare(&state, fields, &Conversation::Text(prompt.clone())).await?;
		respond(&state, prepared, Flavor::Text).await
	}
	.await;
	result.unwrap_or_else(IntoResponse::into_response)
}

pub async fn chat_completions(State(state): State<AppState>, body: Bytes) -> Response {
	let result = async {
		let fields: GenerationFields = parse_json(&body)?;
		let ChatMessages { messages } = parse_json(&body)?;
		let messages = chat_messages(&messages).map_err(|m| ApiError::invalid("messages", m))?;
		let conversation = Conversation::chat(&state, messages)?;
		let prepared = prepare(&state, fields, &conversation).await?;
		respond(&state, prepared, Flavor::Chat).await
	}
	.await;
	result.unwrap_or_else(IntoResponse::into_response)
}

async fn respond(
	state: &AppState,
	prepared: Prepared,
	flavor: Flavor,
) -> Result<Response, ApiError> {
	let (first, receiver) = start(state, &prepared).await?;
	let id = response_id(if flavor == Flavor::Chat { "chatcmpl" } else { "cmpl" });
	let attribution = prepared.attribution.clone().map(|target| {
		let citations = prepared.citations.as_deref().map(rag::citation_views);
		Arc::new(Attribution {
			state: state.clone(),
			target,
			receipt: prepared.receipt.clone(),
			citations,
		})
	});
	if prepared.stream {
		let chunks = sse_chunks(id, prepared.model, flavor, first, receiver, attribution);
		return Ok(Sse::new(chunks).keep_alive(KeepAlive::default()).into_response());
	}
	let (text, finished) = collect(first, receiver).await?;
	let extensions = match attribution {
		Some(attribution) => attribution.finish(&id, &text, &finished).await?,
		None => Extensions::default(),
	};
	let (created, model, finish_reason) =
		(unix_now(), prepared.model, Some(finished.reason.as_openai()));
	let response = match flavor {
		Flavor::Text => Json(Completion {
			id,
			object: "text_completion",
			created,
			model,
			choices: vec![TextChoice { text, index: 0, logprobs: None, finish_reason }],
			usage: Some(usage(&finished)),
			extensions,
		})
		.into_response(),
		Flavor::Chat => Json(Completion {
			id,
			object: "chat.completion",
			created,
			model,
			choices: vec![ChatChoice {
				index: 0,
				message: AssistantMessage { role: "assistant", content: text },
				logprobs: None,
				finish_reason,
			}],
			usage: Some(usage(&finished)),
			extensions,
		})
		.into_response(),
	};
	Ok(response)
}

/// What an answer's final step computes: its attribution record and, when asked for, its receipt.
struct Attribution {
	state: AppState,
	target: AttributionTarget,
	receipt: Option<ReceiptOrder>,
	/// A RAG answer's `citations`.
	citations: Option<Vec<CitationView>>,
}

impl Attribution {
	/// The response's (or last chunk's) `attribution`, and `receipt` and `citations` when there
	/// are any, for the answer `text`.
	async fn finish(
		&self,
		id: &str,
		text: &str,
		finished: &Finished,
	) -> Result<Extensions, ApiError> {
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

async fn collect(
	first: Event,
	mut receiver: UnboundedReceiver<Event>,
) -> Result<(String, Finished), ApiError> {
	let mut text = String::new();
	let mut event = Some(first);
	while let Some(current) = event {
		match current {
			Event::Text(piece) => text.push_str(&piece),
			Event::Done(finished) => return Ok((text, finished)),
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

/// Engine events as OpenAI stream chunks, then `[DONE]`; the last chunk carries the attribution
/// record and the receipt when they were asked for.
fn sse_chunks(
	id: String,
	model: String,
	flavor: Flavor,
	first: Event,
	receiver: UnboundedReceiver<Event>,
	attribution: Option<Arc<Attribution>>,
) -> impl Stream<Item = Result<SseEvent, Infallible>> {
	let created = unix_now();
	let completion_id = id.clone();
	// One chunk as SSE data: a piece of text, the role (the first chat chunk), or the finish
	// reason with the usage and the answer's extensions (the last).
	let chunk = move |content: Option<&str>,
	                  role: bool,
	                  finish: Option<&'static str>,
	                  usage: Option<Usage>,
	                  extensions: Extensions|
	      -> String {
		let (id, model) = (id.clone(), model.clone());
		match flavor {
			Flavor::Text => serde_json::to_string(&Completion {
				id,
				object: "text_completion",
				created,
				model,
				choices: vec![TextChoice {
					text: content.unwrap_or("").into(),
					index: 0,
					logprobs: None,
					finish_reason: finish,
				}],
				usage,
				extensions,
			}),
			Flavor::Chat => serde_json::to_string(&Completion {
				id,
				object: "chat.completion.chunk",
				created,
				model,
				choices: vec![ChunkChoice {
					index: 0,
					delta: Delta {
						role: role.then_some("assistant"),
						content: content.map(Into::into),
					},
					logprobs: None,
					finish_reason: finish,
				}],
				usage,
				extensions,
			}),
		}
		.expect("chunks serialize")
	};
	let mut pending = VecDeque::new();
	if flavor == Flavor::Chat {
		pending.push_back(chunk(Some(""), true, None, None, Extensions::default()));
	}
	let state = (Some(first), receiver, pending, false, String::new());
	stream::unfold(state, move |(mut next, mut receiver, mut pending, mut ended, mut text)| {
		let chunk = chunk.clone();
		let attribution = attribution.clone();
		let completion_id = completion_id.clone();
		async move {
			loop {
				if let Some(data) = pending.pop_front() {
					return Some((
						Ok(SseEvent::default().data(data)),
						(next, receiver, pending, ended, text),
					));
				}
				if ended {
					return None;
				}
				let event = match next.take() {
					Some(event) => Some(event),
					None => receiver.recv().await,
				};
				match event {
					Some(Event::Text(piece)) => {
						pending.push_back(chunk(
							Some(&piece),
							false,
							None,
							None,
							Extensions::default(),
						));
						text.push_str(&piece);
					},
					Some(Event::Done(finished)) => {
						let reason = Some(finished.reason.as_openai());
						let extensions = match attribution.as_deref() {
							None => Ok(Extensions::default()),
							Some(attribution) => {
								attribution.finish(&completion_id, &text, &finished).await
							},
						};
						pending.push_back(match extensions {
							Ok(extensions) => {
								chunk(None, false, reason, Some(usage(&finished)), extensions)
							},
							Err(error) => error.body_json(),
						});
						pending.push_back("[DONE]".to_string());
						ended = true;
					},
					Some(Event::Failed(error)) => {
						pending.push_back(ApiError::from(error).body_json());
						ended = true;
					},
					None => ended = true,
				}
			}
		}
	})
}
