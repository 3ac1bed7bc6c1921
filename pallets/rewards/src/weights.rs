//! Weights for `pallet_rewards`, measured by `tributary-node benchmark pallet` (scripts/bench-weights.sh).
//!
//! Benchmark CLI 64.0.0, 2026-11-22; steps 10, repeat 3;
//! wasm execution `Compiled`; host `vm`, CPU `Intel(R) Xeon(R) Processor`.
//! Regenerate after any change to the pallet's calls or storage; never edit by hand.
//!
//! Command:
//!     /root/.cache/tributary-target/debug/tributary-node
//!     benchmark
//!     pallet
//!     --runtime
//!     /root/.cache/tributary-target/bench-runtime/tributary_runtime.wasm
//!     --genesis-builder
//!     runtime
//!     --genesis-builder-preset
//!     development
//!     --pallet
//!     pallet_rewards
//!     --extrinsic
//!     *
//!     --steps
//!     10
//!     --repeat
//!     3
//!     --template
//!     scripts/pallet-weights.hbs
//!     --output
//!     pallets/rewards/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight of each call of `pallet_rewards`.
pub trait WeightInfo {
	fn set_params() -> Weight;
	fn claim() -> Weight;
}

/// Measured weights, with the runtime's database costs.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Rewards::Params` (r:0 w:1)
	/// Proof: `Rewards::Params` (`max_values`: Some(1), `max_size`: Some(29), added: 524, mode: `MaxEncodedLen`)
	fn set_params() -> Weight {
		// Minimum execution time: 121_800_000 picoseconds.
		Weight::from_parts(157_795_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Rewards::Claimable` (r:1 w:1)
	/// Proof: `Rewards::Claimable` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:2 w:2)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	fn claim() -> Weight {
		// Minimum execution time: 992_672_000 picoseconds.
		Weight::from_parts(1_745_166_000, 6196)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
}

/// The same measured weights with RocksDB costs, for tests and mocks.
impl WeightInfo for () {
	fn set_params() -> Weight {
		Weight::from_parts(157_795_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn claim() -> Weight {
		Weight::from_parts(1_745_166_000, 6196)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
}
