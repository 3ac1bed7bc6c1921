//! The adapter tiers of the engine:
//!
//! - **device**: [`SlotStacks`], every served adapter's A and B copied into fixed slots of one
//!   stacked tensor per projection (rank padded with zeros), so a batch gathers each row's adapter
//!   by slot index; an adapter's alpha/r scales its rows' weights; slot 0 stays zero and stands
//!   for "no adapter"; a DoRA adapter's per-row factors f = m / ‖W + s·BA‖, computed against the
//!   base weights when it is installed, sit in a stack of the same layout, so its rows add
//!   (f − 1) ⊙ x Wᵀ + f ⊙ s · x Aᵀ Bᵀ to the shared base output;
//! - **host**: [`HostCache`], parsed adapters in host memory, LRU within a byte budget (shared
//!   by reference count on the engine thread: tensors are not `Sync`);
//! - **disk**: the content store (and its peers), read by the loader thread.

use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;
use std::collections::HashMap;
use std::rc::Rc;
use tch::{Device, Kind, Tensor};
use tributary_model::lora::row_norms;
use tributary_model::model::{module_path, RowDeltas};
use tributary_model::peft::{lora_tensor_name, AdapterConfig, LoraPart};
use tributary_model::{Llama, LlamaConfig, TargetModule};
use tributary_primitives::hex;
use tributary_primitives::ContentHash;

/// (in, out) features of each projection, in [`TargetModule::ALL`] order.
fn projection_dims(config: &LlamaConfig) -> [(i64, i64); 7] {
	let hidden = config.hidden_size;
	let q = config.num_attention_heads * config.head_dim();
	let kv = config.kv_heads() * config.head_dim();
	let inter = config.intermediate_size;
	[
		(hidden, q),
		(hidden, kv),
		(hidden, kv),
		(q, hidden),
		(hidden, inter),
		(hidden, inter),
		(inter, hidden),
	]
}

fn module_index(module: TargetModule) -> usize {
	TargetModule::ALL
		.iter()
		.position(|m| *m == module)
		.expect("every module is in ALL")
}

/// An adapter parsed and checked against the base model, in host memory.
#[derive(Debug)]
pub struct LoadedAdapter {
	pub rank: i64,
	/// alpha / r: the factor of B·A in the update.
	pub scale: f64,
	/// Per adapted module type: A [layers, r, in] and B [layers, out, r], zero in the layers the
	/// adapter leaves alone, so installing it is two copies per module type.
	pub modules: Vec<(TargetModule, Tensor, Tensor)>,
	/// DoRA's magnitudes [out] by (module type, layer); empty for LoRA and rsLoRA.
	pub magnitudes: Vec<(TargetModule, usize, Tensor)>,
	pub bytes: u64,
}

impl LoadedAdapter {
	/// Parses PEFT weights (as the loader does, possibly while their hash is still being checked):
	/// every tensor's bytes go straight into its module type's stacked buffers, checked against
	/// the base model's projections, with no tensor made per layer.
	pub fn parse(
		hash: &ContentHash,
		bytes: &[u8],
		config: &AdapterConfig,
		base: &LlamaConfig,
		max_rank: i64,
	) -> Result<LoadedAdapter, String> {
		let spec = config.spec()?;
		let r = spec.rank;
		if r > max_rank {
			return Err(format!("rank {r} exceeds this worker's max_lora_rank {max_rank}"));
		}
		let file = SafeTensors::deserialize(bytes).map_err(|e| {
			format!("adapter {} is not a valid safetensors file: {e}", hex::encode(hash))
		})?;
		let layers = base.num_hidden_layers as usize;
		let paths: HashMap<String, (usize, TargetModule)> = (0..layers)
			.flat_map(|layer| {
				TargetModule::ALL.into_iter().map(move |m| (module_path(layer, m), (layer, m)))
			})
			.collect();
		let dims = projection_dims(base);
		let mut found: [Option<ModuleWeights>; 7] = Default::default();
		let mut magnitudes = Vec::new();
		for (name, view) in file.tensors() {
			let (path, part) = lora_tensor_name(&name)?;
			let &(layer, module) =
				paths.get(&path).ok_or_else(|| format!("the base model has no module {path}"))?;
			let (in_f, out_f) = dims[module_index(module)];
			let (expected, is_b) = match part {
				LoraPart::A => ([r, in_f], false),
				LoraPart::B => ([out_f, r], true),
				LoraPart::Magnitude if spec.dora => {
					if view.shape() != [out_f as usize] {
						return Err(format!("{name} has shape {:?}, not [{out_f}]", view.shape()));
					}
					let mut magnitude = Tensor::empty([out_f], (Kind::Float, Device::Cpu));
					read_f32(&name, &view, values_mut(&mut magnitude))?;
					magnitudes.push((module, layer, magnitude));
					continue;
				},
				LoraPart::Magnitude => {
					return Err(format!("{name} is DoRA's, but use_dora is false"))
				},
			};
			if view.shape().iter().map(|&d| d as i64).ne(expected) {
				return Err(format!(
					"{name} has shape {:?}; rank {r} and the base model need {expected:?}",
					view.shape()
				));
			}
			let weights = found[module_index(module)]
				.get_or_insert_with(|| ModuleWeights::new(layers, r, in_f, out_f));
			let (values, present) = if is_b {
				(&mut weights.b, &mut weights.b_layers)
			} else {
				(&mut weights.a, &mut weights.a_layers)
			};
			let size = (expected[0] * expected[1]) as usize;
			read_f32(&name, &view, &mut values_mut(values)[layer * size..(layer + 1) * size])?;
			present[layer] = true;
		}
		let mut modules = Vec::new();
		for (module, weights) in TargetModule::ALL.into_iter().zip(found) {
			let Some(weights) = weights else { continue };
			if let Some(layer) = (0..layers).find(|&l| weights.a_layers[l] != weights.b_layers[l]) {
				return Err(format!(
					"{} lacks its lora_A or lora_B tensor",
					module_path(layer, module)
				));
			}
			for layer in (0..layers).filter(|&l| !weights.a_layers[l]) {
				let _ = weights.a.get(layer as i64).zero_();
				let _ = weights.b.get(layer as i64).zero_();
			}
			if let Some(layer) = (0..layers).find(|&layer| {
				spec.dora
					&& weights.a_layers[layer]
					&& !magnitudes.iter().any(|(m, l, _)| *m == module && *l == layer)
			}) {
				return Err(format!(
					"{} lacks its DoRA lora_magnitude_vector",
					module_path(layer, module)
				));
			}
			modules.push((module, weights.a, weights.b));
		}
		Ok(LoadedAdapter {
			rank: r,
			scale: spec.scale(),
			modules,
			magnitudes,
			bytes: bytes.len() as u64,
		})
	}
}

/// One module type's factors over all layers while parsing; layers the adapter leaves alone are
/// zeroed at the end.
struct ModuleWeights {
	/// [layers, r, in]
	a: Tensor,
	/// [layers, out, r]
	b: Tensor,
	a_layers: Vec<bool>,
	b_layers: Vec<bool>,
}

impl ModuleWeights {
	fn new(layers: usize, r: i64, in_f: i64, out_f: i64) -> ModuleWeights {
		let n = layers as i64;
		let options = (Kind::Float, Device::Cpu);
		// Uninitialised: every layer is either filled by the parse or zeroed by `finish`.
		ModuleWeights {
			a: Tensor::empty([n, r, in_f], options),
			b: Tensor::empty([n, out_f, r], options),
			a_layers: vec![false; layers],
			b_layers: vec![false; layers],
		}
	}
}

/// The values of a contiguous CPU float tensor, to fill it without a staging copy.
fn values_mut(tensor: &mut Tensor) -> &mut [f32] {
	assert!(
		tensor.kind() == Kind::Float && tensor.device() == Device::Cpu && tensor.is_contiguous()
	);
	let len = tensor.numel();
	if len == 0 {
		// An empty tensor may have no storage at all (a null data pointer).
		return &mut [];
	}
	// SAFETY: the tensor is a contiguous CPU f32 buffer of `len` elements that this function's
	// caller owns exclusively (made by `ModuleWeights::new`, never shared before parsing ends);
	// the slice borrows the tensor mutably, so it cannot outlive or alias it.
	unsafe { std::slice::from_raw_parts_mut(tensor.data_ptr() as *mut f32, len) }
}

/// Little-endian F32 (copied as is), BF16 or F16 (widened by torch) tensor data into `out`.
fn read_f32(name: &str, view: &TensorView, out: &mut [f32]) -> Result<(), String> {
	let data = view.data();
	let kind = match view.dtype() {
		Dtype::F32 => {
			for (value, bytes) in out.iter_mut().zip(data.chunks_exact(4)) {
				*value = f32::from_le_bytes(bytes.try_into().expect("chunks of 4 bytes"));
			}
			return Ok(());
		},
		Dtype::BF16 => Kind::BFloat16,
		Dtype::F16 => Kind::Half,
		other => {
			return Err(format!(
				"tensor {name} has unsupported dtype {other:?}; supported: F32, BF16, F16"
			))
		},
	};
	let wide = Tensor::f_from_data_size(data, &[out.len() as i64], kind)
		.and_then(|t| t.f_to_kind(Kind::Float));
	wide.and_then(|t| t.f_copy_data(out, out.len()))
		.map_err(|e| format!("tensor {name}: {e}"))
}

#[derive(Debug)]
struct Slot {
	hash: ContentHash,
	/// The adapter's alpha / r.
	scale: f64,
	/// Whether the adapter is DoRA's: its rows also rescale the base output.
	dora: bool,
	last_used: u64,
	/// Sequences currently decoding with this slot; a slot in use is never evicted.
	users: usize,
}

/// The device tier: stacked adapter weights, gathered per row.
pub struct SlotStacks {
	rank: i64,
	/// Per module type: A [layers, slots, rank, in].
	a: Vec<Tensor>,
	/// Per module type: B [layers, slots, out, rank].
	b: Vec<Tensor>,
	/// Per module type: DoRA's f [layers, slots, out], 1 in every slot of a LoRA adapter; made
	/// when the first DoRA adapter is installed.
	factors: Option<Vec<Tensor>>,
	/// How many resident adapters adapt each module type; untouched projections skip the gather.
	adapted: [usize; 7],
	slots: Vec<Option<Slot>>,
	/// Per slot, the module types and rank its weights were last written with: its adapter's, or
	/// after eviction the previous adapter's, which stay until the slot is reused (an idle slot is
	/// never gathered), so eviction costs nothing and installing clears only what it must.
	written: Vec<(Vec<usize>, i64)>,
	by_hash: HashMap<ContentHash, usize>,
	tick: u64,
}

impl SlotStacks {
	/// Bytes one slot takes across all projections, in elements of `kind`.
	pub fn slot_bytes(base: &LlamaConfig, rank: i64, kind: Kind) -> u64 {
		let per_layer: i64 = projection_dims(base).iter().map(|(i, o)| rank * (i + o)).sum();
		(per_layer * base.num_hidden_layers * kind.elt_size_in_bytes() as i64) as u64
	}

	/// Room for as many adapters as `budget_bytes` holds (at least one), plus the zero slot, stored
	/// in `kind`: the served model's activation kind, so a delta needs no conversion to be added.
	pub fn new(
		base: &LlamaConfig,
		rank: i64,
		budget_bytes: u64,
		kind: Kind,
		device: Device,
	) -> SlotStacks {
		let adapters = (budget_bytes / Self::slot_bytes(base, rank, kind)).max(1) as i64;
		let slots = adapters + 1;
		let layers = base.num_hidden_layers;
		let (mut a, mut b) = (Vec::new(), Vec::new());
		for (in_f, out_f) in projection_dims(base) {
			a.push(Tensor::zeros([layers, slots, rank, in_f], (kind, device)));
			b.push(Tensor::zeros([layers, slots, out_f, rank], (kind, device)));
		}
		let mut slot_list: Vec<Option<Slot>> = (0..slots).map(|_| None).collect();
		slot_list[0] = Some(Slot {
			hash: [0; 32],
			scale: 0.0,
			dora: false,
			last_used: u64::MAX,
			users: usize::MAX / 2,
		});
		SlotStacks {
			rank,
			a,
			b,
			factors: None,
			adapted: [0; 7],
			slots: slot_list,
			written: vec![(Vec::new(), 0); slots as usize],
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

	/// Copies `adapter` into a free slot, evicting the least recently used idle one (a DoRA
	/// adapter's factors are computed against `base`'s weights). `None` when every slot is in use
	/// by a decoding sequence.
	pub fn install(
		&mut self,
		hash: ContentHash,
		adapter: &LoadedAdapter,
		base: &Llama,
	) -> Option<usize> {
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
					.filter_map(|(i, s)| {
						s.as_ref().filter(|s| s.users == 0).map(|s| (i, s.last_used))
					})
					.min_by_key(|(_, last_used)| *last_used)?;
				self.evict(slot);
				slot
			},
		};
		let (old_modules, old_rank) = std::mem::take(&mut self.written[slot]);
		let modules: Vec<usize> =
			adapter.modules.iter().map(|(module, _, _)| module_index(*module)).collect();
		let r = adapter.rank;
		tch::no_grad(|| {
			let slot = slot as i64;
			for index in old_modules.iter().filter(|index| !modules.contains(index)) {
				let _ = self.a[*index].select(1, slot).narrow(1, 0, old_rank).zero_();
				let _ = self.b[*index].select(1, slot).narrow(2, 0, old_rank).zero_();
			}
			// Every module has the adapter's rank (checked by the parse); `copy_` moves the f32
			// host tensors to the stack's device and kind itself.
			for ((_, a, b), &index) in adapter.modules.iter().zip(&modules) {
				let (a_slot, b_slot) =
					(self.a[index].select(1, slot), self.b[index].select(1, slot));
				a_slot.narrow(1, 0, r).copy_(a);
				b_slot.narrow(2, 0, r).copy_(b);
				if old_modules.contains(&index) && old_rank > r {
					let _ = a_slot.narrow(1, r, old_rank - r).zero_();
					let _ = b_slot.narrow(2, r, old_rank - r).zero_();
				}
				self.adapted[index] += 1;
			}
		});
		self.written[slot] = (modules, r);
		self.install_factors(slot, adapter, base);
		let dora = !adapter.magnitudes.is_empty();
		self.slots[slot] =
			Some(Slot { hash, scale: adapter.scale, dora, last_used: self.tick, users: 0 });
		self.by_hash.insert(hash, slot);
		Some(slot)
	}

	/// Writes DoRA's f = m / ‖W + s·BA‖ of `adapter` into `slot` (1 where it has no magnitude),
	/// making the factor stacks on the first DoRA adapter.
	fn install_factors(&mut self, slot: usize, adapter: &LoadedAdapter, base: &Llama) {
		if adapter.magnitudes.is_empty() && self.factors.is_none() {
			return;
		}
		let (layers, slots) = (base.config.num_hidden_layers, self.slots.len() as i64);
		let (kind, device) = (self.kind(), self.a[0].device());
		let factors = self.factors.get_or_insert_with(|| {
			projection_dims(&base.config)
				.iter()
				.map(|(_, out_f)| Tensor::ones([layers, slots, *out_f], (kind, device)))
				.collect()
		});
		tch::no_grad(|| {
			for stack in factors.iter() {
				let _ = stack.select(1, slot as i64).fill_(1.0);
			}
			for (module, layer, magnitude) in &adapter.magnitudes {
				let adapted = adapter.modules.iter().find(|(m, _, _)| m == module);
				let (Some((_, a, b)), Some(weight)) =
					(adapted, base.projection_weight(*layer, *module))
				else {
					continue;
				};
				let layer_index = *layer as i64;
				let weight = weight.to_kind(Kind::Float);
				let update = b.get(layer_index).matmul(&a.get(layer_index)) * adapter.scale;
				let factor = magnitude / row_norms(&(weight.to_device(Device::Cpu) + update));
				factors[module_index(*module)]
					.get(layer_index)
					.select(0, slot as i64)
					.copy_(&factor);
			}
		});
	}

	fn evict(&mut self, slot: usize) {
		if let Some(old) = self.slots[slot].take() {
			self.by_hash.remove(&old.hash);
			for &index in &self.written[slot].0 {
				self.adapted[index] -= 1;
			}
		}
	}

	/// Drops a resident adapter (e.g. found corrupt after all); only when no sequence uses it.
	pub fn remove(&mut self, hash: &ContentHash) {
		if let Some(slot) = self.slot_of(hash) {
			if self.slots[slot].as_ref().is_some_and(|s| s.users == 0) {
				self.evict(slot);
			}
		}
	}

	/// alpha / r of the adapter in `slot` (0 for the empty slot 0).
	fn scale(&self, slot: usize) -> f64 {
		self.slots[slot].as_ref().map_or(0.0, |s| s.scale)
	}

	fn is_dora(&self, slot: usize) -> bool {
		self.slots[slot].as_ref().is_some_and(|s| s.dora)
	}

	pub fn rank(&self) -> i64 {
		self.rank
	}

	/// The kind the factors are stored and deltas computed in.
	pub fn kind(&self) -> Kind {
		self.a[0].kind()
	}
}

/// The per-row deltas of one batch: for each adapter position k of the rows' adapter lists, the
/// slot index and weight of every row (slot 0, weight 0 where a row has fewer adapters).
pub struct BatchDeltas<'a> {
	stacks: &'a SlotStacks,
	components: Vec<Component>,
	/// Whether any row uses a DoRA adapter, so the base output is rescaled too.
	dora: bool,
}

/// One adapter position k of every row of a batch.
struct Component {
	/// [rows] i64
	slots: Tensor,
	/// [rows, 1, 1] in the stacks' kind: the row's weight for this adapter times its alpha/r.
	scaled: Tensor,
	/// [rows, 1, 1]: the row's weight alone, which DoRA's rescaled base output takes.
	weights: Tensor,
}

impl<'a> BatchDeltas<'a> {
	pub fn new(
		stacks: &'a SlotStacks,
		rows: &[Vec<(usize, f64)>],
		device: Device,
	) -> BatchDeltas<'a> {
		let width = rows.iter().map(Vec::len).max().unwrap_or(0);
		let n = rows.len() as i64;
		let column = |values: Vec<f32>| {
			Tensor::from_slice(&values)
				.view([n, 1, 1])
				.to_device(device)
				.to_kind(stacks.kind())
		};
		let components = (0..width)
			.map(|k| {
				let picked: Vec<(usize, f64)> =
					rows.iter().map(|row| row.get(k).copied().unwrap_or((0, 0.0))).collect();
				let slots: Vec<i64> = picked.iter().map(|&(slot, _)| slot as i64).collect();
				Component {
					slots: Tensor::from_slice(&slots).to_device(device),
					scaled: column(
						picked.iter().map(|&(s, w)| (w * stacks.scale(s)) as f32).collect(),
					),
					weights: column(picked.iter().map(|&(_, w)| w as f32).collect()),
				}
			})
			.collect();
		let dora = rows.iter().flatten().any(|&(slot, _)| stacks.is_dora(slot));
		BatchDeltas { stacks, components, dora }
	}
}

impl RowDeltas for BatchDeltas<'_> {
	fn delta(
		&self,
		layer: usize,
		module: TargetModule,
		x: &Tensor,
		base: &Tensor,
	) -> Option<Tensor> {
		let index = module_index(module);
		if self.components.is_empty() || self.stacks.adapted[index] == 0 {
			return None;
		}
		let (a_stack, b_stack) =
			(self.stacks.a[index].get(layer as i64), self.stacks.b[index].get(layer as i64));
		let x = x.to_kind(a_stack.kind());
		let factors = self.stacks.factors.as_ref().filter(|_| self.dora);
		let mut total: Option<Tensor> = None;
		for component in &self.components {
			// [rows, t, in] · [rows, in, r] → [rows, t, r] · [rows, r, out] → [rows, t, out]
			let a = a_stack.index_select(0, &component.slots);
			let b = b_stack.index_select(0, &component.slots);
			let update = x.bmm(&a.transpose(1, 2)).bmm(&b.transpose(1, 2)) * &component.scaled;
			let delta = match factors {
				// [rows, 1, out]: f of each row's adapter, 1 for LoRA adapters and empty slots.
				Some(factors) => {
					let f = factors[index].get(layer as i64).index_select(0, &component.slots);
					let f = f.unsqueeze(1);
					(&f - 1.0) * base.to_kind(f.kind()) * &component.weights + f * update
				},
				None => update,
			};
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
			let oldest = *self
				.entries
				.iter()
				.min_by_key(|(_, (_, t))| *t)
				.map(|(h, _)| h)
				.expect("used > 0");
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
}
