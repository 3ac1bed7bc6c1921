//! A paged key/value cache for many sequences decoded together (the vLLM idea): one pool of
//! fixed-size blocks per layer, each sequence holding a list of blocks. Writing a step's keys and
//! reading every row's history are one indexed copy per layer for the whole batch, and memory is
//! bounded by the pool whatever the mix of sequence lengths.
//!
//! Prefix caching: a full block can be registered under a [`BlockKey`] naming everything its
//! keys and values depend on (the adapters and every token up to the block's end); later
//! sequences starting with the same tokens take the block instead of recomputing it. Shared
//! blocks are full and a sequence only writes past its cached prefix, into blocks of its own, so
//! a shared block is never written (copy-on-write that never has to copy). Blocks no sequence
//! holds stay cached until their room is needed, least recently used first.

use crate::config::LlamaConfig;
use std::collections::{BTreeMap, HashMap};
use tch::{Device, Kind, Tensor};

/// What a full block's keys and values depend on: the adapters that computed them and the tokens
/// from the sequence's start to the block's end (a chained hash, so equal keys mean equal
/// prefixes).
pub type BlockKey = [u8; 32];

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
	/// Blocks holding nothing.
	free: Vec<i64>,
	blocks: i64,
	/// Sequences holding each block.
	holders: Vec<u32>,
	/// Registered blocks by key, and each registered block's key.
	cached: HashMap<BlockKey, i64>,
	key_of: HashMap<i64, BlockKey>,
	/// Registered blocks no sequence holds, by when they were last released: evicted oldest first
	/// when free blocks run out.
	idle: BTreeMap<u64, i64>,
	idle_since: HashMap<i64, u64>,
	clock: u64,
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
		PagedKvCache {
			block_size,
			layers,
			// Popped from the end: low block ids are handed out first.
			free: (0..blocks).rev().collect(),
			blocks,
			holders: vec![0; blocks as usize],
			cached: HashMap::new(),
			key_of: HashMap::new(),
			idle: BTreeMap::new(),
			idle_since: HashMap::new(),
			clock: 0,
		}
	}

	pub fn block_size(&self) -> i64 {
		self.block_size
	}

	/// Blocks in the pool.
	pub fn capacity(&self) -> usize {
		self.blocks as usize
	}

	/// Blocks a sequence can take now: the free ones and the cached ones nobody holds.
	pub fn free_blocks(&self) -> usize {
		self.free.len() + self.idle.len()
	}

	/// Registered blocks (held or idle).
	pub fn cached_blocks(&self) -> usize {
		self.cached.len()
	}

	/// Blocks that hold `positions` positions.
	pub fn blocks_for(&self, positions: i64) -> usize {
		((positions + self.block_size - 1) / self.block_size) as usize
	}

	/// An empty sequence with room for `positions` positions, or `None` when too few blocks are free.
	/// Reserving up front means a running sequence never finds the pool exhausted.
	pub fn allocate(&mut self, positions: i64) -> Option<BlockTable> {
		let mut table = BlockTable::default();
		self.grow(&mut table, positions).then_some(table)
	}

	/// A sequence holding the cached blocks of the longest run of `keys` (the keys of its first
	/// full blocks, in order), its length their positions; empty when the first is not cached.
	pub fn cached_prefix(&mut self, keys: &[BlockKey]) -> BlockTable {
		let mut table = BlockTable::default();
		for key in keys {
			let Some(&block) = self.cached.get(key) else { break };
			self.hold(block);
			table.blocks.push(block);
			table.len += self.block_size;
		}
		table
	}

	/// Gives `table` room for `positions` positions in all, taking free blocks first and then the
	/// least recently used idle cached ones; all or nothing: `false` (and `table` unchanged) when
	/// too few are left.
	pub fn grow(&mut self, table: &mut BlockTable, positions: i64) -> bool {
		let needed = self.blocks_for(positions).saturating_sub(table.blocks.len());
		if needed > self.free_blocks() {
			return false;
		}
		for _ in 0..needed {
			let block = match self.free.pop() {
				Some(block) => block,
				None => self.evict_oldest_idle(),
			};
			self.holders[block as usize] = 1;
			table.blocks.push(block);
		}
		true
	}

	/// Registers the first `keys.len()` blocks of `table`, which must be full, so later sequences
	/// can take them. A key already registered (by another sequence that computed the same
	/// prefix) keeps its block.
	pub fn register(&mut self, table: &BlockTable, keys: &[BlockKey]) {
		debug_assert!(keys.len() as i64 * self.block_size <= table.len, "only full blocks");
		for (key, &block) in keys.iter().zip(&table.blocks) {
			if self.cached.contains_key(key) || self.key_of.contains_key(&block) {
				continue;
			}
			self.cached.insert(*key, block);
			self.key_of.insert(block, *key);
		}
	}

	/// Lets go of a sequence's blocks: those nobody else holds become free, or idle when they are
	/// registered (most recently used last).
	pub fn release(&mut self, table: BlockTable) {
		// Released last to first, so a sequence's later blocks are evicted before its earlier
		// ones, which more sequences share.
		for block in table.blocks.into_iter().rev() {
			let holders = &mut self.holders[block as usize];
			*holders -= 1;
			if *holders > 0 {
				continue;
			}
			if self.key_of.contains_key(&block) {
				self.clock += 1;
				self.idle.insert(self.clock, block);
				self.idle_since.insert(block, self.clock);
			} else {
				self.free.push(block);
			}
		}
	}

	fn hold(&mut self, block: i64) {
		if let Some(since) = self.idle_since.remove(&block) {
			self.idle.remove(&since);
		}
		self.holders[block as usize] += 1;
	}

	/// Forgets the least recently used idle cached block and returns it, empty.
	fn evict_oldest_idle(&mut self) -> i64 {
		let (_, block) = self.idle.pop_first().expect("the caller counted an idle block");
		self.idle_since.remove(&block);
		let key = self.key_of.remove(&block).expect("idle blocks are registered");
		self.cached.remove(&key);
		block
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

#[cfg(test)]
mod tests {
	use super::*;

	fn pool(blocks: i64) -> PagedKvCache {
		let config = LlamaConfig::tiny(16, 8, 1, 2, 2);
		PagedKvCache::new(&config, blocks, 4, Kind::Float, Device::Cpu)
	}

	#[test]
	fn shared_blocks_are_held_until_their_last_sequence_lets_go() {
		let mut pool = pool(4);
		let keys = [[7u8; 32], [8u8; 32]];
		let mut first = pool.allocate(8).unwrap();
		first.advance(8);
		pool.register(&first, &keys);
		let mut second = pool.cached_prefix(&keys);
		assert_eq!(second.blocks, first.blocks);
		assert!(pool.grow(&mut second, 9));
		assert_eq!(pool.free_blocks(), 1);
		pool.release(first);
		assert_eq!(pool.free_blocks(), 1, "the second still holds the shared blocks");
		pool.release(second);
		assert_eq!((pool.free_blocks(), pool.cached_blocks()), (4, 2));
		// A prefix match stops at the first key not cached.
		assert_eq!(pool.cached_prefix(&[[7u8; 32], [9u8; 32], [8u8; 32]]).len(), 4);
	}

	#[test]
	fn growth_is_all_or_nothing_and_evicts_the_least_recently_used_idle_block() {
		let mut pool = pool(3);
		for key in [[1u8; 32], [2u8; 32]] {
			let mut table = pool.allocate(4).unwrap();
			table.advance(4);
			pool.register(&table, &[key]);
			pool.release(table);
		}
		let mut table = pool.allocate(4).unwrap();
		assert!(!pool.grow(&mut table, 16), "4 blocks do not fit in 3");
		assert_eq!(table.blocks.len(), 1);
		assert!(pool.grow(&mut table, 8));
		assert!(pool.cached_prefix(&[[1u8; 32]]).is_empty(), "the older idle block went first");
		let kept = pool.cached_prefix(&[[2u8; 32]]);
		assert_eq!(kept.len(), 4);
		pool.release(kept);
		pool.release(table);
	}
}
