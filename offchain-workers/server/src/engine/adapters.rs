//! The adapter tiers of the engine:
//!
//! - **device**: [`SlotStacks`], every served adapter's A and B copied into fixed slots of one
//!   stacked tensor per projection (rank padded with zeros, alpha/r folded into B), so a batch
//!   gathers each row's adapter by slot index; slot 0 stays zero and stands for "no adapter";
//! - **host**: [`HostCache`], parsed adapters in host memory, LRU within a byte budget (shared
//!   by reference count on the engine thread: tensors are not `Sync`);
//! - **disk**: the content store (and its peers), read by the loader thread.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;
use tch::{Device, Kind, Tensor};
use tributary_model::hf::parse_safetensors;
use tributary_model::model::{module_path, RowDeltas};
use tributary_model::peft::{hex, AdapterConfig, PeftAdapter};
use tributary_model::{LlamaConfig, TargetModule};
use tributary_primitives::ContentHash;

/// (in, out) features of each projection, in [`TargetModule::ALL`] order.
fn projection_dims(config: &LlamaConfig) -> [(i64, i64); 7] {
	let hidden = config.hidden_size;
	let q = config.num_attention_heads * config.head_dim();
	let kv = config.kv_heads() * config.head_dim();
	let inter = config.intermediate_size;
	[(hidden, q), (hidden, kv), (hidden, kv), (q, hidden), (hidden, inter), (hidden, inter), (inter, hidden)]
}

fn module_index(module: TargetModule) -> usize {
	TargetModule::ALL.iter().position(|m| *m == module).expect("every module is in ALL")
}

/// An adapter parsed and checked against the base model, in host memory.
#[derive(Debug)]
pub struct LoadedAdapter {
	pub rank: i64,
	/// (layer, module, A [r, in], B·alpha/r [out, r]).
	pub modules: Vec<(usize, TargetModule, Tensor, Tensor)>,
	pub bytes: u64,
}

impl LoadedAdapter {
	/// Parses PEFT weights whose bytes were already verified against `hash`.
	pub fn parse(
		hash: &ContentHash,
		bytes: &[u8],
		config: &AdapterConfig,
		base: &LlamaConfig,
		max_rank: i64,
	) -> Result<LoadedAdapter, String> {
		let name = hex(hash);
		let source = Path::new(&name);
		let tensors = parse_safetensors(bytes, source, Kind::Float, Device::Cpu).map_err(|e| e.to_string())?;
		let adapter = PeftAdapter { config: config.clone(), tensors: tensors.into_iter().collect() };
		let (spec, pairs) = adapter.modules(source).map_err(|e| e.to_string())?;
		if spec.rank > max_rank {
			return Err(format!("rank {} exceeds this worker's max_lora_rank {max_rank}", spec.rank));
		}
		let paths: HashMap<String, (usize, TargetModule)> = (0..base.num_hidden_layers as usize)
			.flat_map(|layer| TargetModule::ALL.into_iter().map(move |m| (module_path(layer, m), (layer, m))))
			.collect();
		let dims = projection_dims(base);
		let mut modules = Vec::with_capacity(pairs.len());
		for (path, (a, b)) in pairs {
			let &(layer, module) = paths.get(&path).ok_or_else(|| format!("the base model has no module {path}"))?;
			let (in_f, out_f) = dims[module_index(module)];
			if a.size() != [spec.rank, in_f] || b.size() != [out_f, spec.rank] {
				return Err(format!(
					"{path}: A {:?} and B {:?} do not fit the base model (expected [{}, {in_f}] and [{out_f}, {}])",
					a.size(),
					b.size(),
					spec.rank,
					spec.rank
				));
			}
			// In place: `b` is this parse's own copy of the bytes.
			let mut b = b;
			let _ = b.g_mul_scalar_(spec.scale());
			modules.push((layer, module, a, b));
		}
		Ok(LoadedAdapter { rank: spec.rank, modules, bytes: bytes.len() as u64 })
	}
}

#[derive(Debug)]
struct Slot {
	hash: ContentHash,
	last_used: u64,
	/// Sequences currently decoding with this slot; a slot in use is never evicted.
	users: usize,
}

/// The device tier: stacked adapter weights, gathered per row.
pub struct SlotStacks {
	rank: i64,
	layers: usize,
	/// Per (layer, module): A [slots, rank, in].
	a: Vec<Tensor>,
	/// Per (layer, module): B [slots, out, rank], already scaled by alpha/r.
	b: Vec<Tensor>,
	/// Whether any resident adapter adapts (layer, module); untouched projections skip the gather.
	adapted: Vec<usize>,
	slots: Vec<Option<Slot>>,
	/// (layer, module) pairs each slot adapts, to keep `adapted` counts right on eviction.
	slot_modules: Vec<Vec<usize>>,
	by_hash: HashMap<ContentHash, usize>,
	tick: u64,
}

impl SlotStacks {
	/// Bytes one slot takes across all projections.
	pub fn slot_bytes(base: &LlamaConfig, rank: i64) -> u64 {
		let per_layer: i64 = projection_dims(base).iter().map(|(i, o)| rank * (i + o)).sum();
		(per_layer * base.num_hidden_layers * 4) as u64
	}

	/// Room for as many adapters as `budget_bytes` holds (at least one), plus the zero slot.
	pub fn new(base: &LlamaConfig, rank: i64, budget_bytes: u64, device: Device) -> SlotStacks {
		let adapters = (budget_bytes / Self::slot_bytes(base, rank)).max(1) as i64;
		let slots = adapters + 1;
		let layers = base.num_hidden_layers as usize;
		let dims = projection_dims(base);
		let (mut a, mut b) = (Vec::new(), Vec::new());
		for _ in 0..layers {
			for (in_f, out_f) in dims {
				a.push(Tensor::zeros([slots, rank, in_f], (Kind::Float, device)));
				b.push(Tensor::zeros([slots, out_f, rank], (Kind::Float, device)));
			}
		}
		let mut slot_list: Vec<Option<Slot>> = (0..slots).map(|_| None).collect();
		slot_list[0] = Some(Slot { hash: [0; 32], last_used: u64::MAX, users: usize::MAX / 2 });
		SlotStacks {
			rank,
			layers,
			a,
			b,
			adapted: vec![0; layers * 7],
			slots: slot_list,
			slot_modules: vec![Vec::new(); slots as usize],
			by_hash: HashMap::new(),
			tick: 0,
		}
	}

	pub fn capacity(&self) -> usize {
		self.slots.len() - 1
	}

	/// The slot holding `hash`, if resident.
	pub fn slot_of(&self, hash: &ContentHash) -> Option<usize> {
		self.by_hash.get(hash).copied()
	}

	/// Marks a slot as used by one more sequence.
	pub fn acquire(&mut self, slot: usize) {
		if slot == 0 {
			return;
		}
		self.tick += 1;
		let entry = self.slots[slot].as_mut().expect("acquired slots are occupied");
		entry.users += 1;
		entry.last_used = self.tick;
	}

	pub fn release(&mut self, slot: usize) {
		if slot != 0 {
			let entry = self.slots[slot].as_mut().expect("released slots are occupied");
			entry.users -= 1;
		}
	}

	/// Copies `adapter` into a free slot, evicting the least recently used idle one. `None` when
	/// every slot is in use by a decoding sequence.
	pub fn install(&mut self, hash: ContentHash, adapter: &LoadedAdapter) -> Option<usize> {
		if let Some(slot) = self.slot_of(&hash) {
			return Some(slot);
		}
		let free = self.slots.iter().position(Option::is_none);
		let slot = match free {
			Some(slot) => slot,
			None => {
				let (slot, _) = self
					.slots
					.iter()
					.enumerate()
					.skip(1)
					.filter_map(|(i, s)| s.as_ref().filter(|s| s.users == 0).map(|s| (i, s.last_used)))
					.min_by_key(|(_, last_used)| *last_used)?;
				self.evict(slot);
				slot
			},
		};
		tch::no_grad(|| {
			// Every module has the adapter's rank (checked by the parse); `copy_` moves host
			// tensors to the stack's device itself.
			let r = adapter.rank;
			for (layer, module, a, b) in &adapter.modules {
				let index = layer * 7 + module_index(*module);
				self.a[index].get(slot as i64).narrow(0, 0, r).copy_(a);
				self.b[index].get(slot as i64).narrow(1, 0, r).copy_(b);
				self.adapted[index] += 1;
				self.slot_modules[slot].push(index);
			}
		});
		self.slots[slot] = Some(Slot { hash, last_used: self.tick, users: 0 });
		self.by_hash.insert(hash, slot);
		Some(slot)
	}

	fn evict(&mut self, slot: usize) {
		if let Some(old) = self.slots[slot].take() {
			self.by_hash.remove(&old.hash);
		}
		tch::no_grad(|| {
			for index in std::mem::take(&mut self.slot_modules[slot]) {
				let _ = self.a[index].get(slot as i64).zero_();
				let _ = self.b[index].get(slot as i64).zero_();
				self.adapted[index] -= 1;
			}
		});
	}

	/// Drops a resident adapter (e.g. found corrupt after all); only when no sequence uses it.
	pub fn remove(&mut self, hash: &ContentHash) {
		if let Some(slot) = self.slot_of(hash) {
			if self.slots[slot].as_ref().is_some_and(|s| s.users == 0) {
				self.evict(slot);
			}
		}
	}

	pub fn rank(&self) -> i64 {
		self.rank
	}

	pub fn layers(&self) -> usize {
		self.layers
	}
}

/// The per-row deltas of one batch: for each adapter position k of the rows' adapter lists, the
/// slot index and weight of every row (slot 0, weight 0 where a row has fewer adapters).
pub struct BatchDeltas<'a> {
	stacks: &'a SlotStacks,
	/// (slots [rows] i64, weights [rows, 1, 1] f32)
	components: Vec<(Tensor, Tensor)>,
}

impl<'a> BatchDeltas<'a> {
	pub fn new(stacks: &'a SlotStacks, rows: &[Vec<(usize, f64)>], device: Device) -> BatchDeltas<'a> {
		let width = rows.iter().map(Vec::len).max().unwrap_or(0);
		let components = (0..width)
			.map(|k| {
				let (slots, weights): (Vec<i64>, Vec<f32>) = rows
					.iter()
					.map(|row| row.get(k).map_or((0, 0.0), |&(slot, weight)| (slot as i64, weight as f32)))
					.unzip();
				let n = rows.len() as i64;
				(
					Tensor::from_slice(&slots).to_device(device),
					Tensor::from_slice(&weights).view([n, 1, 1]).to_device(device),
				)
			})
			.collect();
		BatchDeltas { stacks, components }
	}
}

impl RowDeltas for BatchDeltas<'_> {
	fn delta(&self, layer: usize, module: TargetModule, x: &Tensor) -> Option<Tensor> {
		let index = layer * 7 + module_index(module);
		if self.components.is_empty() || self.stacks.adapted[index] == 0 {
			return None;
		}
		let x = x.to_kind(Kind::Float);
		let mut total: Option<Tensor> = None;
		for (slots, weights) in &self.components {
			// [rows, t, in] · [rows, in, r] → [rows, t, r] · [rows, r, out] → [rows, t, out]
			let a = self.stacks.a[index].index_select(0, slots);
			let b = self.stacks.b[index].index_select(0, slots);
			let delta = x.bmm(&a.transpose(1, 2)).bmm(&b.transpose(1, 2)) * weights;
			total = Some(match total {
				Some(sum) => sum + delta,
				None => delta,
			});
		}
		total
	}
}

/// The host tier: parsed adapters, least recently used evicted beyond the byte budget.
pub struct HostCache {
	budget: u64,
	used: u64,
	entries: HashMap<ContentHash, (Rc<LoadedAdapter>, u64)>,
	tick: u64,
}

impl HostCache {
	pub fn new(budget: u64) -> HostCache {
		HostCache { budget, used: 0, entries: HashMap::new(), tick: 0 }
	}

	pub fn get(&mut self, hash: &ContentHash) -> Option<Rc<LoadedAdapter>> {
		self.tick += 1;
		let tick = self.tick;
		self.entries.get_mut(hash).map(|(adapter, last_used)| {
			*last_used = tick;
			adapter.clone()
		})
	}

	/// Keeps `adapter` if it fits the budget at all, evicting older entries as needed.
	pub fn insert(&mut self, hash: ContentHash, adapter: Rc<LoadedAdapter>) {
		if adapter.bytes > self.budget || self.entries.contains_key(&hash) {
			return;
		}
		while self.used + adapter.bytes > self.budget {
			let oldest = *self.entries.iter().min_by_key(|(_, (_, t))| *t).map(|(h, _)| h).expect("used > 0");
			let (evicted, _) = self.entries.remove(&oldest).expect("present");
			self.used -= evicted.bytes;
		}
		self.tick += 1;
		self.used += adapter.bytes;
		self.entries.insert(hash, (adapter, self.tick));
	}

	pub fn remove(&mut self, hash: &ContentHash) {
		if let Some((adapter, _)) = self.entries.remove(hash) {
			self.used -= adapter.bytes;
		}
	}

	pub fn used_bytes(&self) -> u64 {
		self.used
	}
}
