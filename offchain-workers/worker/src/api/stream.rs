//! A completion as OpenAI stream chunks (SSE), then `[DONE]`: the events of every choice, merged
//! as they come, each chunk naming its choice's `index`. A choice's last chunk carries its finish
//! reason and, when asked for, its attribution record and receipt; with
//! `stream_options.include_usage` a last chunk without choices carries the request's usage. An
//! answer that may call tools is read whole when it ends and sent as one delta (its content
//! and its calls), as it cannot be told from text before then.

use super::completions::{Attribution, Flavor, Request, Run};
use super::error::ApiError;
use super::logprobs::{self, TextColumns};
use super::responses::{
	ChunkChoice, Completion, Delta, Extensions, TextChoice, TextLogprobs, ToolCallView, Usage,
};
use super::AppState;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, BoxStream, StreamExt};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use tributary_engine::{Event, TokenLogprob};

/// Where one choice's stream stands.
struct ChoiceStream {
	/// Its prompt, among the request's.
	prompt: usize,
	index: u32,
	/// The generated text so far (what attribution covers).
	text: String,
	/// Log-probabilities of tokens whose text has not been sent yet.
	pending: Vec<TokenLogprob>,
	/// Characters of the choice's text sent so far (a completion's `text_offset`).
	offset: usize,
	attribution: Option<Arc<Attribution>>,
}

/// The whole stream's state.
struct Chunks {
	state: AppState,
	request: Request,
	id: String,
	created: u64,
	choices: Vec<ChoiceStream>,
	events: BoxStream<'static, (usize, Event)>,
	pending: VecDeque<String>,
	/// Choices still generating.
	running: usize,
	usage: Usage,
	ended: bool,
}

pub fn sse_response(state: AppState, id: String, request: Request, runs: Vec<Run>) -> Response {
	let many = runs.len() > 1;
	let created = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_secs())
		.unwrap_or_default();
	let mut choices = Vec::with_capacity(runs.len());
	let mut streams = Vec::with_capacity(runs.len());
	for (choice, run) in runs.into_iter().enumerate() {
		let prompt = &request.prompts[run.prompt];
		let attribution = prompt
			.attribution
			.clone()
			.map(|target| Attribution::for_choice(&state, prompt, target, &id, choice, many));
		choices.push(ChoiceStream {
			prompt: run.prompt,
			index: choice as u32,
			text: String::new(),
			pending: Vec::new(),
			offset: 0,
			attribution,
		});
		let rest = stream::unfold(run.events, |mut events| async move {
			events.recv().await.map(|event| (event, events))
		});
		let events = stream::once(async move { run.first }).chain(rest);
		streams.push(events.map(move |event| (choice, event)).boxed());
	}
	let prompt_tokens = request.prompts.iter().map(|p| p.tokens.len()).sum();
	let mut chunks = Chunks {
		running: choices.len(),
		state,
		request,
		id,
		created,
		choices,
		events: stream::select_all(streams).boxed(),
		pending: VecDeque::new(),
		usage: Usage::new(prompt_tokens, 0),
		ended: false,
	};
	if chunks.request.flavor == Flavor::Chat {
		for choice in 0..chunks.choices.len() {
			let delta =
				Delta { role: Some("assistant"), content: Some(String::new()), tool_calls: None };
			let data = chunks.chunk(choice, delta, None, None, Extensions::default());
			chunks.pending.push_back(data);
		}
	}
	let sse = stream::unfold(chunks, |mut chunks| async move {
		let data = chunks.next_data().await?;
		Some((Ok::<_, Infallible>(SseEvent::default().data(data)), chunks))
	});
	Sse::new(sse).keep_alive(KeepAlive::default()).into_response()
}

impl Chunks {
	/// The next SSE data line; `None` after `[DONE]` or an error.
	async fn next_data(&mut self) -> Option<String> {
		loop {
			if let Some(data) = self.pending.pop_front() {
				return Some(data);
			}
			if self.ended {
				return None;
			}
			match self.events.next().await {
				Some((choice, event)) => self.on_event(choice, event).await,
				None => self.ended = true,
			}
		}
	}

	async fn on_event(&mut self, choice: usize, event: Event) {
		let eos = &self.state.engine.info.eos_tokens;
		match event {
			Event::Prompt(scored) => {
				// Only an echoed completion asks for the prompt: its text comes first.
				let prompt = &self.request.prompts[self.choices[choice].prompt];
				let (text, first) = (prompt.text.clone(), prompt.tokens[0]);
				let logprobs = self.request.logprobs.map(|_| {
					let mut columns = TextLogprobs::default();
					let mut writer = TextColumns::new(&self.state.engine.info.tokenizer, 0);
					writer.unscored(&mut columns, first);
					scored.iter().for_each(|token| writer.scored(&mut columns, token));
					self.choices[choice].offset = writer.offset();
					columns
				});
				let data = self.text_chunk(choice, text, logprobs, None, Extensions::default());
				self.pending.push_back(data);
			},
			Event::Token(scored) if !eos.contains(&scored.token) => {
				self.choices[choice].pending.push(scored);
			},
			// Completions ask for no embedding.
			Event::Token(_) | Event::Embedding(_) => {},
			Event::Text(piece) => {
				self.choices[choice].text.push_str(&piece);
				if self.request.tools.is_none() {
					let data = self.piece(choice, piece, None, Extensions::default());
					self.pending.push_back(data);
				}
			},
			Event::Done(finished) => {
				let mut reason = finished.reason.as_openai();
				if let Some(tools) = &self.request.tools {
					let read = tools.read(&self.choices[choice].text);
					let calls: Vec<_> = (read.calls.into_iter().enumerate())
						.map(|(i, call)| ToolCallView { index: Some(i as u32), ..call })
						.collect();
					if !calls.is_empty() {
						reason = "tool_calls";
					}
					let tokens = std::mem::take(&mut self.choices[choice].pending);
					let tokenizer = &self.state.engine.info.tokenizer;
					let logprobs =
						self.request.logprobs.map(|_| logprobs::chat(tokenizer, &tokens));
					let tool_calls = (!calls.is_empty()).then_some(calls);
					let delta = Delta { role: None, content: read.content, tool_calls };
					let data = self.chunk(choice, delta, logprobs, None, Extensions::default());
					self.pending.push_back(data);
				}
				let extensions = match self.choices[choice].attribution.clone() {
					Some(attribution) => {
						let text = self.choices[choice].text.clone();
						attribution.finish(&text, &finished).await
					},
					None => Ok(Extensions::default()),
				};
				match extensions {
					Ok(extensions) => {
						let data = self.piece(choice, String::new(), Some(reason), extensions);
						self.pending.push_back(data);
					},
					Err(error) => return self.fail(error),
				}
				self.usage = Usage::new(
					self.usage.prompt_tokens,
					self.usage.completion_tokens + finished.tokens.len(),
				);
				self.running -= 1;
				if self.running == 0 {
					if self.request.include_usage {
						let usage = Some(self.usage.clone());
						let data = match self.request.flavor {
							Flavor::Text => self.envelope(
								Vec::<TextChoice>::new(),
								usage,
								Extensions::default(),
							),
							Flavor::Chat => self.envelope(
								Vec::<ChunkChoice>::new(),
								usage,
								Extensions::default(),
							),
						};
						self.pending.push_back(data);
					}
					self.pending.push_back("[DONE]".to_string());
					self.ended = true;
				}
			},
			Event::Failed(error) => self.fail(error.into()),
		}
	}

	fn fail(&mut self, error: ApiError) {
		self.pending.push_back(error.body_json());
		self.ended = true;
	}

	/// A piece of choice `choice`'s generated text with the log-probabilities of its tokens.
	fn piece(
		&mut self,
		choice: usize,
		text: String,
		finish: Option<&'static str>,
		extensions: Extensions,
	) -> String {
		let tokens = std::mem::take(&mut self.choices[choice].pending);
		let tokenizer = self.state.engine.info.tokenizer.clone();
		match self.request.flavor {
			Flavor::Text => {
				let logprobs = self.request.logprobs.map(|_| {
					let mut columns = TextLogprobs::default();
					let mut writer = TextColumns::new(&tokenizer, self.choices[choice].offset);
					tokens.iter().for_each(|token| writer.scored(&mut columns, token));
					self.choices[choice].offset = writer.offset();
					columns
				});
				self.text_chunk(choice, text, logprobs, finish, extensions)
			},
			Flavor::Chat => {
				let content = (finish.is_none()).then_some(text);
				let delta = Delta { role: None, content, tool_calls: None };
				let logprobs = self.request.logprobs.map(|_| logprobs::chat(&tokenizer, &tokens));
				self.chunk(choice, delta, logprobs, finish, extensions)
			},
		}
	}

	fn text_chunk(
		&self,
		choice: usize,
		text: String,
		logprobs: Option<TextLogprobs>,
		finish: Option<&'static str>,
		extensions: Extensions,
	) -> String {
		let (own, envelope) = self.placed(extensions);
		let index = self.choices[choice].index;
		let choice = TextChoice { text, index, logprobs, finish_reason: finish, extensions: own };
		self.envelope(vec![choice], None, envelope)
	}

	fn chunk(
		&self,
		choice: usize,
		delta: Delta,
		logprobs: Option<super::responses::ChatLogprobs>,
		finish: Option<&'static str>,
		extensions: Extensions,
	) -> String {
		let (own, envelope) = self.placed(extensions);
		let index = self.choices[choice].index;
		let choice = ChunkChoice { index, delta, logprobs, finish_reason: finish, extensions: own };
		self.envelope(vec![choice], None, envelope)
	}

	/// A choice's extensions go into the choice when the request has several, else the envelope.
	fn placed(&self, extensions: Extensions) -> (Extensions, Extensions) {
		match self.choices.len() > 1 {
			true => (extensions, Extensions::default()),
			false => (Extensions::default(), extensions),
		}
	}

	fn envelope<Choice: serde::Serialize>(
		&self,
		choices: Vec<Choice>,
		usage: Option<Usage>,
		extensions: Extensions,
	) -> String {
		let object = match self.request.flavor {
			Flavor::Text => "text_completion",
			Flavor::Chat => "chat.completion.chunk",
		};
		serde_json::to_string(&Completion {
			id: self.id.clone(),
			object,
			created: self.created,
			model: self.request.model.clone(),
			choices,
			usage,
			extensions,
		})
		.expect("chunks serialize")
	}
}
