//! The inference engine: one resident base model on its own thread, continuous batching over
//! sequences that may each use different adapters (heterogeneous batches), adapters loaded just
//! in time through a tiered cache by a loader thread so a cold adapter never stalls warm ones.
//! No HTTP here: the sidecar's API (`tributary-worker`) submits [`GenerationRequest`]s and reads
//! their [`Event`]s.
//!
//! - [`request`]: what a caller submits ([`GenerationRequest`]) and gets back ([`Event`]).
//! - [`constraint`]: constrained decoding of `response_format` (JSON, JSON Schema) with llguidance.
//! - [`info`]: the served model ([`ModelInfo`]) and the engine's limits ([`EngineSettings`]).
//! - `logits` (private): penalties, biases and log-probabilities of a row's logits.
//! - `scheduler`, `loader`, `command` (private): the decode loop with batching and the paged KV
//!   cache, the adapter loader thread, and the messages between them.
//! - [`adapters`]: adapter tiers (device stacks, host cache) and per-row deltas.
//! - [`registry`]: which adapter(s) a served model id stands for, persisted.
//! - [`metrics`]: the worker's Prometheus metrics.

pub mod adapters;
mod command;
pub mod constraint;
pub mod info;
mod loader;
mod logits;
pub mod metrics;
pub mod registry;
pub mod request;
mod scheduler;
pub mod text;

use command::Command;
pub use info::{EngineSettings, ModelInfo};
pub use request::{
	AdapterUse, EngineError, Event, FinishReason, Finished, GenerationRequest, Pooling,
	SamplingParams, TokenLogprob,
};

use crate::metrics::Metrics;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use tokenizers::Tokenizer;
use tributary_model::peft::AdapterConfig;
use tributary_model::Llama;
use tributary_primitives::ContentHash;
use tributary_store::{PeerFetcher, Store};

/// A handle to the engine thread; cheap to clone.
#[derive(Clone)]
pub struct Engine {
	commands: mpsc::Sender<Command>,
	waiting: Arc<AtomicUsize>,
	max_queue: usize,
	state: Arc<Mutex<EngineState>>,
	pub info: Arc<ModelInfo>,
}

/// Whether the engine thread is serving.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineState {
	Running,
	/// Stopped after [`Engine::shutdown`].
	Stopped,
	/// The decode loop panicked (the message); every request it held failed with it.
	Panicked(String),
}

/// The text of a panic's payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
	match (payload.downcast_ref::<&str>(), payload.downcast_ref::<String>()) {
		(Some(text), _) => text.to_string(),
		(_, Some(text)) => text.clone(),
		_ => "a panic without a message".into(),
	}
}

/// Everything the engine thread owns.
pub struct EngineParts {
	pub model: Llama,
	pub tokenizer: Tokenizer,
	pub settings: EngineSettings,
	pub store: Store,
	pub peers: PeerFetcher,
	pub runtime: tokio::runtime::Handle,
	pub metrics: Arc<Metrics>,
}

impl Engine {
	/// Starts the engine and loader threads. The returned join handle ends after [`Engine::shutdown`]
	/// once every queued and running sequence has finished.
	pub fn start(parts: EngineParts) -> (Engine, std::thread::JoinHandle<()>) {
		let mut eos_tokens = parts.model.config.eos_token_ids();
		if let Some(eos) = tributary_model::hf::eos_token(&parts.tokenizer) {
			if !eos_tokens.contains(&eos) {
				eos_tokens.push(eos);
			}
		}
		let info = Arc::new(ModelInfo {
			config: parts.model.config.clone(),
			tokenizer: Arc::new(parts.tokenizer),
			eos_tokens,
			grammars: std::sync::OnceLock::new(),
		});
		let (commands, receiver) = mpsc::channel();
		let waiting = Arc::new(AtomicUsize::new(0));
		let loader = loader::spawn(
			parts.store,
			parts.peers,
			parts.runtime,
			commands.clone(),
			info.config.clone(),
			parts.settings.max_lora_rank,
		);
		let state = Arc::new(Mutex::new(EngineState::Running));
		let engine = Engine {
			commands,
			waiting: waiting.clone(),
			max_queue: parts.settings.max_queue,
			state: state.clone(),
			info: info.clone(),
		};
		let (model, settings, metrics) = (parts.model, parts.settings, parts.metrics);
		// Built on its own thread: the scheduler shares parsed adapters by `Rc`.
		let handle = std::thread::Builder::new()
			.name("engine".into())
			.spawn(move || {
				// A panic ends the loop (its requests' event channels close, so each fails) and is
				// recorded for `/health` and the worker's supervisor, which restarts the process.
				let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
					scheduler::Scheduler::new(
						model, info, settings, receiver, loader, waiting, metrics,
					)
					.run()
				}));
				*state.lock().unwrap_or_else(|e| e.into_inner()) = match outcome {
					Ok(()) => EngineState::Stopped,
					Err(payload) => EngineState::Panicked(panic_message(&*payload)),
				};
			})
			.expect("the engine thread starts");
		(engine, handle)
	}

	/// Queues a request; its events arrive on `request.events`. Refused at once when the queue is full.
	pub fn submit(&self, request: GenerationRequest) -> Result<(), EngineError> {
		let waiting = self.waiting.fetch_add(1, Ordering::SeqCst);
		if waiting >= self.max_queue {
			self.waiting.fetch_sub(1, Ordering::SeqCst);
			return Err(EngineError::QueueFull(waiting));
		}
		self.commands.send(Command::Submit(request)).map_err(|_| {
			self.waiting.fetch_sub(1, Ordering::SeqCst);
			EngineError::ShuttingDown
		})
	}

	/// Loads an adapter into the host tier ahead of its first request.
	pub fn prefetch(&self, hash: ContentHash, config: AdapterConfig) {
		let _ = self.commands.send(Command::Prefetch(AdapterUse { hash, config, weight: 1.0 }));
	}

	/// Lifts the quarantine of an adapter whose correct bytes were stored again.
	pub fn release_quarantine(&self, hash: ContentHash) {
		let _ = self.commands.send(Command::Release(hash));
	}

	/// Stops taking requests; running and queued ones finish.
	pub fn shutdown(&self) {
		let _ = self.commands.send(Command::Shutdown);
	}

	pub fn queued(&self) -> usize {
		self.waiting.load(Ordering::SeqCst)
	}

	/// Whether the engine thread is serving, stopped, or died.
	pub fn state(&self) -> EngineState {
		self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
	}
}
