//! A paged key/value cache for many sequences decoded together (the vLLM idea): one pool of
//! fixed-size blocks per layer, each sequence owning a list of blocks. Writing a step's keys and
//! reading every row's history are one indexed copy per layer for the whole batch, and memory is
//! bounded by the pool whatever the mix of sequence lengths.

use crate::config::LlamaConfig;
use tch::{Device, Kind, Tensor};

/// The blocks of one sequence and how many positions they hold.
#[derive(Debug, Default)]
pub struct BlockTable {
	blocks: Vec<i64>,
	len: i64,
}

impl BlockTable {
	/// Positions already in the cache.
	pub fn len(&self) -> i64 {
		self.len
	}

	pub fn is_empty(&self) -> bool {
		self.len == 0
	}

	pub(crate) fn advance(&mut self, positions: i64) {
		self.len += positions;
	}

	/// Pool slot of position `position` of this sequence.
	fn slot(&self, position: i64, block_size: i64) -> i64 {
		self.blocks[(position / block_size) as usize] * block_size + position % block_size
	}
}

/// The block pool of every layer.
#[derive(Debug)]
pub struct PagedKvCache {
	block_size: i64,
	/// Per layer: keys and values, each [blocks · block_size, kv_heads, head_dim]; position p of a
	/// sequence lives at slot `blocks[p / block_size] · block_size + p % block_size`.
	layers: Vec<(Tensor, Tensor)>,
	free: Vec<i64>,
	blocks: i64,
}

impl PagedKvCache {
	/// Bytes one block takes over all layers (keys and values) for `kind`.
	pub fn block_bytes(config: &LlamaConfig, block_size: i64, kind: Kind) -> u64 {
		let per_position = 2 * config.num_hidden_layers * config.kv_heads() * config.head_dim();
		(per_position * block_size) as u64 * kind.elt_size_in_bytes() as u64
	}

	/// As many blocks of `block_size` positions as `budget_bytes` holds (at least one), for a
	/// model with `config` whose activations are `kind` on `device`.
	pub fn with_budget(
		config: &LlamaConfig,
		budget_bytes: u64,
		block_size: i64,
		kind: Kind,
		device: Device,
	) -> PagedKvCache {
		let blocks = (budget_bytes / Self::block_bytes(config, block_size, kind)).max(1) as i64;
		Self::new(config, blocks, block_size, kind, device)
	}

	pub fn new(
		config: &LlamaConfig,
		blocks: i64,
		block_size: i64,
		kind: Kind,
		device: Device,
	) -> PagedKvCache {
		let shape = [blocks * block_size, config.kv_heads(), config.head_dim()];
		// Uninitialised, so the pool's memory is committed as sequences fill it: a step only reads
		// slots written before it (padding repeats a row's first slot, written by its first step).
		let layers = (0..config.num_hidden_layers)
			.map(|_| (Tensor::empty(shape, (kind, device)), Tensor::empty(shape, (kind, device))))
			.collect();
		// Popped from the end: low block ids are handed out first.
		PagedKvCache { block_size, layers, free: (0..blocks).rev().collect(), blocks }
	}

	pub fn block_size(&self) -> i64 {
		self.block_size
	}

	/// Blocks in the pool.
	pub fn capacity(&self) -> usize {
		self.blocks as usize
	}

	pub fn free_blocks(&self) -> usize {
		self.free.len()
	}

	/// Blocks that hold `positions` positions.
	pub fn blocks_for(&self, positions: i64) -> usize {
		((positions + self.block_size - 1) / self.block_size) as usize
	}

	/// An empty sequence with room for `positions` positions, or `None` when too few blocks are free.
	/// Reserving up front means a running sequence never finds the pool exhausted.
	pub fn allocate(&mut self, positions: i64) -> Option<BlockTable> {
		let needed = self.blocks_for(positions);
		if needed > self.free.len() {
			return None;
		}
		let blocks = self.free.split_off(self.free.len() - needed);
		Some(BlockTable { blocks, len: 0 })
	}

	/// Returns a finished sequence's blocks to the pool.
	pub fn release(&mut self, table: BlockTable) {
		self.free.extend(table.blocks);
	}

	/// Positions `table` can hold in total.
	pub fn room(&self, table: &BlockTable) -> i64 {
		table.blocks.len() as i64 * self.block_size
	}

	/// Pool slots where `t` new positions of each row go, row-major: [rows · t].
	pub(crate) fn write_slots(&self, tables: &[&mut BlockTable], t: i64) -> Vec<i64> {
		tables
			.iter()
			.flat_map(|table| (table.len..table.len + t).map(|p| table.slot(p, self.block_size)))
			.collect()
	}

	/// Pool slots of every row's positions including `t` just written, padded to the longest row:
	/// (width, slots [rows · width] row-major). Padding repeats a row's first slot; it is masked out.
	pub(crate) fn read_slots(&self, tables: &[&mut BlockTable], t: i64) -> (i64, Vec<i64>) {
		let width = tables.iter().map(|table| table.len + t).max().unwrap_or(0);
		let slots = tables
			.iter()
			.flat_map(|table| {
				let filled = table.len + t;
				let first = table.slot(0, self.block_size);
				(0..width)
					.map(move |p| if p < filled { table.slot(p, self.block_size) } else { first })
			})
			.collect();
		(width, slots)
	}

	pub(crate) fn layer(&mut self, layer: usize) -> &mut (Tensor, Tensor) {
		&mut self.layers[layer]
	}
}
