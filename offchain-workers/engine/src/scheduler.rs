//! Continuous batching on the engine thread: between decode steps, finished sequences leave and
//! waiting ones whose adapters are resident and whose key/value blocks are free join (prompts of
//! equal length prefilled together, then decoded with the batch).
//!
//! Key/value blocks: a prompt starts from the cached blocks of its longest cached prefix (same
//! adapters, same tokens; see `tributary_model::paged`) and computes only the rest. With
//! preemption a sequence takes blocks as it grows; when none is left the newest sequence is
//! preempted: its blocks are freed and it waits, ahead of new requests, to be recomputed (prompt
//! and generated tokens in one prefill) and continue where it stopped. Without preemption a
//! request reserves prompt + max_tokens when it joins.

use crate::adapters::{BatchDeltas, HostCache, LoadedAdapter, SlotStacks};
use crate::command::{Command, Loaded};
use crate::info::{EngineSettings, ModelInfo};
use crate::logits;
use crate::metrics::Metrics;
use crate::request::{AdapterUse, EngineError, Event, FinishReason, Finished, GenerationRequest};
use crate::text::{TextStep, TextTracker};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Instant;
use tch::{Device, Kind, Tensor};
use tributary_model::generate::sample_logits;
use tributary_model::paged::{BlockKey, BlockTable, PagedKvCache};
use tributary_model::rng::SplitMix64;
use tributary_model::Llama;
use tributary_primitives::{content_hash, hex, ContentHash};

struct Sequence {
	request: GenerationRequest,
	/// (slot, weight) of each adapter.
	slots: Vec<(usize, f64)>,
	/// Its blocks of the key/value pool (none while preempted).
	cache: BlockTable,
	/// The keys of the prompt's full blocks (what the prefix cache knows them by).
	prompt_keys: Vec<BlockKey>,
	/// Admission order: the newest is preempted first and resumed last.
	admitted: u64,
	generated: Vec<u32>,
	/// Occurrences of each generated token, for the penalties.
	counts: HashMap<u32, u32>,
	rng: SplitMix64,
	text: TextTracker,
}

/// Whether a waiting request can join the batch now.
enum Readiness {
	Ready(Vec<(usize, f64)>),
	Wait,
	Fail(EngineError),
}

pub(crate) struct Scheduler {
	model: Llama,
	info: Arc<ModelInfo>,
	settings: EngineSettings,
	device: Device,
	stacks: SlotStacks,
	kv: PagedKvCache,
	host: HostCache,
	/// Parsed adapters that just arrived from the loader, kept until the next admission pass even
	/// when the host budget could not hold them.
	arrived: HashMap<ContentHash, Rc<LoadedAdapter>>,
	quarantine: HashMap<ContentHash, String>,
	loading: HashSet<ContentHash>,
	waiting: VecDeque<GenerationRequest>,
	active: Vec<Sequence>,
	/// Preempted sequences, oldest admission first: they rejoin before any waiting request.
	preempted: VecDeque<Sequence>,
	admissions: u64,
	commands: mpsc::Receiver<Command>,
	loader: mpsc::Sender<AdapterUse>,
	waiting_count: Arc<AtomicUsize>,
	metrics: Arc<Metrics>,
	draining: bool,
}

impl Scheduler {
	pub(crate) fn new(
		model: Llama,
		info: Arc<ModelInfo>,
		settings: EngineSettings,
		commands: mpsc::Receiver<Command>,
		loader: mpsc::Sender<AdapterUse>,
		waiting_count: Arc<AtomicUsize>,
		metrics: Arc<Metrics>,
	) -> Scheduler {
		let device = model.device();
		let stacks = SlotStacks::new(
			&model.config,
			settings.max_lora_rank,
			settings.device_cache_bytes,
			model.activation_kind(),
			device,
		);
		let host = HostCache::new(settings.host_cache_bytes);
		let kv = PagedKvCache::with_budget(
			&model.config,
			settings.kv_cache_bytes,
			settings.kv_block_size,
			model.activation_kind(),
			model.device(),
		);
		metrics.kv_blocks_total.set(kv.capacity() as i64);
		Scheduler {
			model,
			info,
			settings,
			device,
			stacks,
			kv,
			host,
			arrived: HashMap::new(),
			quarantine: HashMap::new(),
			loading: HashSet::new(),
			waiting: VecDeque::new(),
			active: Vec::new(),
			preempted: VecDeque::new(),
			admissions: 0,
			commands,
			loader,
			waiting_count,
			metrics,
			draining: false,
		}
	}

	pub(crate) fn run(mut self) {
		tch::no_grad(|| loop {
			while let Ok(command) = self.commands.try_recv() {
				self.handle(command);
			}
			self.admit();
			self.metrics.queue_depth.set(self.waiting.len() as i64);
			self.metrics.active_sequences.set(self.active.len() as i64);
			if self.active.is_empty() {
				// Nothing can run until a command arrives (a request, a finished load).
				if self.draining
					&& self.waiting.is_empty()
					&& self.preempted.is_empty()
					&& self.loading.is_empty()
				{
					return;
				}
				match self.commands.recv() {
					Ok(command) => self.handle(command),
					Err(_) => return,
				}
				continue;
			}
			self.decode_step();
		})
	}

	fn handle(&mut self, command: Command) {
		match command {
			Command::Submit(request) => {
				if self.draining {
					self.fail_waiting_request(request, EngineError::ShuttingDown);
					return;
				}
				for adapter in &request.adapters {
					self.locate(adapter);
				}
				self.waiting.push_back(request);
			},
			Command::Prefetch(adapter) => self.locate(&adapter),
			Command::Loaded { hash, result } => self.loaded(hash, result),
			Command::Release(hash) => {
				if self.quarantine.remove(&hash).is_some() {
					self.metrics.quarantined_adapters.set(self.quarantine.len() as i64);
				}
			},
			Command::Shutdown => self.draining = true,
		}
	}

	/// Counts the tier an adapter is found in and starts a load when no memory tier has it.
	fn locate(&mut self, adapter: &AdapterUse) {
		let hash = adapter.hash;
		if self.quarantine.contains_key(&hash) {
			return;
		}
		let tiers = &self.metrics;
		if self.stacks.slot_of(&hash).is_some() {
			tiers.cache_hits.with_label_values(&["device"]).inc();
			return;
		}
		tiers.cache_misses.with_label_values(&["device"]).inc();
		if self.host.get(&hash).is_some() {
			tiers.cache_hits.with_label_values(&["host"]).inc();
			return;
		}
		tiers.cache_misses.with_label_values(&["host"]).inc();
		if self.loading.insert(hash) {
			let _ = self.loader.send(adapter.clone());
		}
	}

	fn loaded(&mut self, hash: ContentHash, result: Result<Loaded, EngineError>) {
		self.loading.remove(&hash);
		match result {
			Ok(Loaded { adapter, from_peer, took }) => {
				let tier = if from_peer { "peer" } else { "disk" };
				self.metrics.cache_hits.with_label_values(&[tier]).inc();
				self.metrics.adapter_load_seconds.observe(took.as_secs_f64());
				let adapter = Rc::new(adapter);
				self.host.insert(hash, adapter.clone());
				self.arrived.insert(hash, adapter);
			},
			Err(error) => {
				if let EngineError::Quarantined { reason, .. } = &error {
					self.quarantine.insert(hash, reason.clone());
					self.metrics.quarantined_adapters.set(self.quarantine.len() as i64);
					self.host.remove(&hash);
					self.stacks.remove(&hash);
				}
				let (failed, kept): (Vec<_>, Vec<_>) =
					self.waiting.drain(..).partition(|r| r.adapters.iter().any(|a| a.hash == hash));
				self.waiting = kept.into();
				for request in failed {
					self.fail_waiting_request(request, error.clone());
				}
			},
		}
	}

	fn fail_waiting_request(&self, request: GenerationRequest, error: EngineError) {
		self.waiting_count.fetch_sub(1, Ordering::SeqCst);
		let _ = request.events.send(Event::Failed(error));
	}

	/// Moves every waiting request whose adapters can be made resident into the batch, in arrival
	/// order but skipping (not blocking on) requests whose adapters are still loading. Key/value
	/// blocks go strictly in arrival order: once a request must wait for blocks, no later one
	/// takes them, so long requests are not starved by short ones.
	fn admit(&mut self) {
		let mut admitted = Vec::new();
		// Preempted sequences first, in admission order; none overtakes another.
		while let Some(sequence) = self.preempted.pop_front() {
			if sequence.request.events.is_closed() {
				let mut sequence = sequence;
				self.release(&mut sequence);
				continue;
			}
			if self.active.len() + admitted.len() >= self.settings.max_batch {
				self.preempted.push_front(sequence);
				break;
			}
			// Room for what it had computed and its next token.
			let positions = (sequence.request.prompt.len() + sequence.generated.len()) as i64;
			match self.reserve(&sequence.prompt_keys, sequence.request.prompt.len(), positions) {
				Some(cache) => admitted.push(Sequence { cache, ..sequence }),
				None => {
					self.preempted.push_front(sequence);
					break;
				},
			}
		}
		let mut index = 0;
		while self.preempted.is_empty()
			&& index < self.waiting.len()
			&& self.active.len() + admitted.len() < self.settings.max_batch
		{
			let slots = match self.readiness(index) {
				Readiness::Wait => {
					index += 1;
					continue;
				},
				Readiness::Fail(error) => {
					let request = self.waiting.remove(index).expect("index is in range");
					self.fail_waiting_request(request, error);
					continue;
				},
				Readiness::Ready(slots) => slots,
			};
			let request = &self.waiting[index];
			let keys = prompt_keys(request, self.kv.block_size());
			let needed = self.positions_needed(request);
			// With preemption a sequence takes blocks as it grows: the prompt and one token now.
			let positions = match self.settings.preemption {
				true => needed.min(request.prompt.len() as i64 + 1),
				false => needed,
			};
			// A prompt whose every position's logits are asked for cannot skip any.
			let reusable = request.prompt_logprobs.is_none() && request.embed.is_none();
			let prompt_len = if reusable { request.prompt.len() } else { 0 };
			let Some(cache) = self.reserve(&keys, prompt_len, positions) else {
				break;
			};
			let request = self.waiting.remove(index).expect("index is in range");
			self.waiting_count.fetch_sub(1, Ordering::SeqCst);
			for &(slot, _) in &slots {
				self.stacks.acquire(slot);
			}
			admitted.push(self.new_sequence(request, slots, cache, keys));
		}
		self.arrived.clear();
		self.metrics
			.kv_blocks_used
			.set((self.kv.capacity() - self.kv.free_blocks()) as i64);
		self.prefill(admitted);
	}

	/// Blocks for `positions` positions, starting from the cached blocks of the longest cached
	/// prefix of a prompt of `prompt_len` tokens with `keys`: whole blocks before its last token,
	/// which is always computed for its logits. `None` when the pool cannot hold them now.
	fn reserve(
		&mut self,
		keys: &[BlockKey],
		prompt_len: usize,
		positions: i64,
	) -> Option<BlockTable> {
		let reusable = match self.settings.prefix_caching {
			true => (prompt_len.saturating_sub(1) / self.kv.block_size() as usize).min(keys.len()),
			false => 0,
		};
		let mut cache = self.kv.cached_prefix(&keys[..reusable]);
		if self.kv.grow(&mut cache, positions) {
			return Some(cache);
		}
		self.kv.release(cache);
		None
	}

	/// Positions a request can fill: its prompt and every token it may generate, within the context.
	fn positions_needed(&self, request: &GenerationRequest) -> i64 {
		((request.prompt.len() + request.max_tokens) as i64)
			.min(self.model.config.max_position_embeddings)
	}

	fn readiness(&mut self, index: usize) -> Readiness {
		let adapters = self.waiting[index].adapters.clone();
		if adapters.len() > self.stacks.capacity() {
			return Readiness::Fail(EngineError::InvalidAdapter {
				hash: hex::encode(&adapters[0].hash),
				reason: format!(
					"{} adapters in one request exceed the {} slots of the device cache",
					adapters.len(),
					self.stacks.capacity()
				),
			});
		}
		let needed = self.positions_needed(&self.waiting[index]);
		if self.kv.blocks_for(needed) > self.kv.capacity() {
			return Readiness::Fail(EngineError::KvCacheTooSmall {
				positions: needed,
				capacity: self.kv.capacity() as i64 * self.kv.block_size(),
			});
		}
		let mut slots = Vec::with_capacity(adapters.len());
		for adapter in &adapters {
			if let Some(reason) = self.quarantine.get(&adapter.hash) {
				return Readiness::Fail(EngineError::Quarantined {
					hash: hex::encode(&adapter.hash),
					reason: reason.clone(),
				});
			}
			let slot = match self.stacks.slot_of(&adapter.hash) {
				Some(slot) => slot,
				None => {
					let parsed = self
						.arrived
						.get(&adapter.hash)
						.cloned()
						.or_else(|| self.host.get(&adapter.hash));
					match parsed {
						Some(parsed) => {
							match self.stacks.install(adapter.hash, &parsed, &self.model) {
								Some(slot) => slot,
								None => return Readiness::Wait,
							}
						},
						None => {
							// Evicted from host memory since it was located: load it again.
							if !self.loading.contains(&adapter.hash) {
								self.locate(adapter);
							}
							return Readiness::Wait;
						},
					}
				},
			};
			slots.push((slot, adapter.weight));
		}
		// Installing a later adapter of an ensemble may have evicted an earlier one.
		if adapters
			.iter()
			.zip(&slots)
			.any(|(a, (slot, _))| self.stacks.slot_of(&a.hash) != Some(*slot))
		{
			return Readiness::Wait;
		}
		Readiness::Ready(slots)
	}

	fn new_sequence(
		&mut self,
		request: GenerationRequest,
		slots: Vec<(usize, f64)>,
		cache: BlockTable,
		prompt_keys: Vec<BlockKey>,
	) -> Sequence {
		let seed = request.sampling.seed;
		let text = TextTracker::new(self.info.tokenizer.clone(), request.stop.clone());
		self.admissions += 1;
		Sequence {
			request,
			slots,
			cache,
			prompt_keys,
			admitted: self.admissions,
			generated: Vec::new(),
			counts: HashMap::new(),
			rng: SplitMix64(seed),
			text,
		}
	}

	/// Computes the positions of newly admitted sequences not in their cached prefix (those with
	/// as many in one forward pass), reports the prompt's log-probabilities to those that asked,
	/// and adds each (unless its first token, or `max_tokens` 0, already finished it) to the
	/// batch. A resumed sequence recomputes its prompt and generated tokens and decodes on.
	fn prefill(&mut self, sequences: Vec<Sequence>) {
		let mut by_length: BTreeMap<usize, Vec<(Vec<i64>, Sequence)>> = BTreeMap::new();
		for sequence in sequences {
			let cached = sequence.cache.len() as usize;
			self.metrics.prefix_cached_tokens.inc_by(cached as u64);
			// The last generated token is the next decode step's input.
			let computed = sequence.generated.len().saturating_sub(1);
			let missing: Vec<i64> = (sequence.request.prompt.iter())
				.chain(&sequence.generated[..computed])
				.skip(cached)
				.map(|&t| t as i64)
				.collect();
			by_length.entry(missing.len()).or_default().push((missing, sequence));
		}
		for (length, rows) in by_length {
			let (ids, mut group): (Vec<Vec<i64>>, Vec<Sequence>) = rows.into_iter().unzip();
			let ids = ids.concat();
			let input = Tensor::from_slice(&ids)
				.view([group.len() as i64, length as i64])
				.to_device(self.device);
			let row_slots: Vec<Vec<(usize, f64)>> = group.iter().map(|s| s.slots.clone()).collect();
			let deltas = BatchDeltas::new(&self.stacks, &row_slots, self.device);
			let mut tables: Vec<&mut BlockTable> = group.iter_mut().map(|s| &mut s.cache).collect();
			let hidden = match self.model.hidden_rows(&input, &mut self.kv, &mut tables, &deltas) {
				Ok(hidden) => hidden,
				Err(e) => {
					for sequence in group {
						self.finish_failed(sequence, EngineError::Model(e.to_string()));
					}
					continue;
				},
			};
			// Only the last position's logits choose a token; the vocabulary projection of the
			// others is computed for the rows that score their prompt.
			let on_cpu = |t: Tensor| t.to_kind(Kind::Float).to_device(Device::Cpu);
			let logits = on_cpu(self.model.logits(&hidden.select(1, -1)));
			for (row, sequence) in group.into_iter().enumerate() {
				if self.settings.prefix_caching {
					self.kv.register(&sequence.cache, &sequence.prompt_keys);
				}
				if !sequence.generated.is_empty() {
					self.active.push(sequence);
					continue;
				}
				let request = &sequence.request;
				if let Some(top) = request.prompt_logprobs {
					let rows = on_cpu(self.model.logits(&hidden.get(row as i64)));
					let scored = logits::prompt_logprobs(&rows, &request.prompt, top);
					let _ = request.events.send(Event::Prompt(scored));
				}
				if let Some(pooling) = request.embed {
					let embedding = logits::pooled(&on_cpu(hidden.get(row as i64)), pooling);
					let _ = request.events.send(Event::Embedding(embedding));
				}
				if sequence.request.max_tokens == 0 {
					self.finish(sequence, FinishReason::Length);
					continue;
				}
				let next = self.next_token(sequence, &logits.get(row as i64));
				self.active.extend(next);
			}
		}
	}

	/// With preemption, gives every sequence room for its next position, preempting the newest
	/// sequences while the pool has no block left.
	fn make_room(&mut self) {
		let mut index = 0;
		while index < self.active.len() {
			let next = self.active[index].cache.len() + 1;
			if self.kv.grow(&mut self.active[index].cache, next) {
				index += 1;
				continue;
			}
			let newest = (0..self.active.len())
				.max_by_key(|&i| self.active[i].admitted)
				.expect("the batch is not empty");
			let mut sequence = self.active.remove(newest);
			self.kv.release(std::mem::take(&mut sequence.cache));
			self.metrics.preemptions.inc();
			let at = self.preempted.partition_point(|s| s.admitted < sequence.admitted);
			self.preempted.insert(at, sequence);
			// Sequences before the preempted one already have room.
			if newest < index {
				index -= 1;
			}
		}
	}

	/// One token for every sequence in the batch.
	fn decode_step(&mut self) {
		if self.settings.preemption {
			self.make_room();
			if self.active.is_empty() {
				return;
			}
		}
		let started = Instant::now();
		let rows = self.active.len();
		let last: Vec<i64> = self
			.active
			.iter()
			.map(|s| *s.generated.last().expect("prefill made a token") as i64)
			.collect();
		let input = Tensor::from_slice(&last).view([rows as i64, 1]).to_device(self.device);
		let row_slots: Vec<Vec<(usize, f64)>> =
			self.active.iter().map(|s| s.slots.clone()).collect();
		let deltas = BatchDeltas::new(&self.stacks, &row_slots, self.device);
		let mut tables: Vec<&mut BlockTable> =
			self.active.iter_mut().map(|s| &mut s.cache).collect();
		let logits = match self.model.hidden_rows(&input, &mut self.kv, &mut tables, &deltas) {
			Ok(hidden) => self
				.model
				.logits(&hidden.select(1, 0))
				.to_kind(Kind::Float)
				.to_device(Device::Cpu),
			Err(e) => {
				for sequence in std::mem::take(&mut self.active) {
					self.finish_failed(sequence, EngineError::Model(e.to_string()));
				}
				return;
			},
		};
		let mut still_active = Vec::with_capacity(rows);
		for (row, mut sequence) in std::mem::take(&mut self.active).into_iter().enumerate() {
			if sequence.request.events.is_closed() {
				// The client went away: free its place without finishing the text.
				self.release(&mut sequence);
				continue;
			}
			still_active.extend(self.next_token(sequence, &logits.get(row as i64)));
		}
		self.active = still_active;
		self.metrics.batch_size.observe(rows as f64);
		self.metrics.tokens_generated.inc_by(rows as u64);
		self.metrics
			.decode_tokens_per_second
			.set(rows as f64 / started.elapsed().as_secs_f64().max(1e-9));
	}

	/// Chooses the sequence's next token from its `logits` and records it: the sequence back when
	/// it goes on, `None` when that token (or a failed choice) finished it.
	fn next_token(&mut self, mut sequence: Sequence, logits: &Tensor) -> Option<Sequence> {
		let token = match choose(logits, &mut sequence) {
			Ok(token) => token,
			Err(error) => {
				self.finish_failed(sequence, error);
				return None;
			},
		};
		match self.advance(&mut sequence, token) {
			Some(reason) => {
				self.finish(sequence, reason);
				None
			},
			None => Some(sequence),
		}
	}

	/// Records `token` and streams the text it completes; returns why the sequence ends, if it does.
	fn advance(&self, sequence: &mut Sequence, token: u32) -> Option<FinishReason> {
		sequence.generated.push(token);
		*sequence.counts.entry(token).or_default() += 1;
		let send = |sequence: &Sequence, piece: String| {
			if !piece.is_empty() {
				let _ = sequence.request.events.send(Event::Text(piece));
			}
		};
		if self.info.eos_tokens.contains(&token) {
			let rest = sequence.text.finish();
			send(sequence, rest);
			return Some(FinishReason::Stop);
		}
		match sequence.text.push(token) {
			TextStep::Stopped(piece) => {
				send(sequence, piece);
				return Some(FinishReason::Stop);
			},
			TextStep::Piece(piece) => send(sequence, piece),
		}
		let context_full = sequence.cache.len() + 1 > self.model.config.max_position_embeddings;
		if sequence.generated.len() >= sequence.request.max_tokens || context_full {
			let rest = sequence.text.finish();
			send(sequence, rest);
			return Some(FinishReason::Length);
		}
		None
	}

	/// Gives back the sequence's adapter slots and key/value blocks.
	fn release(&mut self, sequence: &mut Sequence) {
		for &(slot, _) in &sequence.slots {
			self.stacks.release(slot);
		}
		self.kv.release(std::mem::take(&mut sequence.cache));
		self.metrics
			.kv_blocks_used
			.set((self.kv.capacity() - self.kv.free_blocks()) as i64);
	}

	fn finish(&mut self, mut sequence: Sequence, reason: FinishReason) {
		self.release(&mut sequence);
		let finished = Finished {
			reason,
			prompt_tokens: sequence.request.prompt.len(),
			tokens: sequence.generated,
		};
		let _ = sequence.request.events.send(Event::Done(finished));
	}

	fn finish_failed(&mut self, mut sequence: Sequence, error: EngineError) {
		self.release(&mut sequence);
		let _ = sequence.request.events.send(Event::Failed(error));
	}
}

/// The keys of the full blocks of `request`'s prompt: a chain of blake2-256 hashes over the
/// adapters (their hashes and weights: every position's keys and values depend on them) and the
/// tokens, block by block, so equal keys mean the same adapters and the same tokens up to there.
fn prompt_keys(request: &GenerationRequest, block_size: i64) -> Vec<BlockKey> {
	let mut adapters = Vec::new();
	for adapter in &request.adapters {
		adapters.extend_from_slice(&adapter.hash);
		adapters.extend_from_slice(&adapter.weight.to_le_bytes());
	}
	let mut key = content_hash(&adapters);
	request
		.prompt
		.chunks_exact(block_size as usize)
		.map(|block| {
			let mut bytes = key.to_vec();
			bytes.extend(block.iter().flat_map(|token| token.to_le_bytes()));
			key = content_hash(&bytes);
			key
		})
		.collect()
}

/// The next token of one row (greedy at temperature 0, else a seeded draw, after penalties,
/// biases and the response format's mask); its log-probability goes to the caller first when
/// asked for.
fn choose(logits: &Tensor, sequence: &mut Sequence) -> Result<u32, EngineError> {
	let mask = match &mut sequence.request.constraint {
		Some(constraint) => Some(constraint.allowed()?),
		None => None,
	};
	let sampling = &sequence.request.sampling;
	let adjusted;
	let scores = if sampling.adjusts_logits() || mask.is_some() {
		adjusted = logits::adjusted(logits, sampling, &sequence.counts, mask.as_ref());
		&adjusted
	} else {
		logits
	};
	let token = if sampling.temperature <= 0.0 {
		i64::try_from(scores.argmax(-1, false)).expect("argmax is a scalar") as u32
	} else {
		let (temperature, top_k, top_p) = (sampling.temperature, sampling.top_k, sampling.top_p);
		sample_logits(scores, temperature, top_k, top_p, &mut sequence.rng)
	};
	if let Some(top) = sequence.request.logprobs {
		let _ = sequence
			.request
			.events
			.send(Event::Token(logits::token_logprob(logits, token, top)));
	}
	if let Some(constraint) = &mut sequence.request.constraint {
		constraint.consume(token)?;
	}
	Ok(token)
}
