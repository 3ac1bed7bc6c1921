//! Weights for `pallet_validators`, measured by `tributary-node benchmark pallet` (scripts/bench-weights.sh).
//!
//! Benchmark CLI 64.0.0, 2026-12-04; steps 10, repeat 3;
//! wasm execution `Compiled`; host `vm`, CPU `AMD EPYC`.
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
//!     pallet_validators
//!     --extrinsic
//!     *
//!     --steps
//!     10
//!     --repeat
//!     3
//!     --template
//!     scripts/pallet-weights.hbs
//!     --output
//!     pallets/validators/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight of each call of `pallet_validators`.
pub trait WeightInfo {
	fn add_validator() -> Weight;
	fn remove_validator() -> Weight;
}

/// Measured weights, with the runtime's database costs.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Validators::Validators` (r:1 w:1)
	/// Proof: `Validators::Validators` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: `Session::NextKeys` (r:1 w:0)
	/// Proof: `Session::NextKeys` (`max_values`: None, `max_size`: None, mode: `Measured`)
	/// Storage: `Session::CurrentIndex` (r:1 w:0)
	/// Proof: `Session::CurrentIndex` (`max_values`: Some(1), `max_size`: None, mode: `Measured`)
	/// Storage: `Validators::SetChanged` (r:0 w:1)
	/// Proof: `Validators::SetChanged` (`max_values`: Some(1), `max_size`: Some(1), added: 496, mode: `MaxEncodedLen`)
	fn add_validator() -> Weight {
		// Minimum execution time: 200_599_000 picoseconds.
		Weight::from_parts(222_422_000, 4957)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Validators::Validators` (r:1 w:1)
	/// Proof: `Validators::Validators` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: `Session::CurrentIndex` (r:1 w:0)
	/// Proof: `Session::CurrentIndex` (`max_values`: Some(1), `max_size`: None, mode: `Measured`)
	/// Storage: `Validators::SetChanged` (r:0 w:1)
	/// Proof: `Validators::SetChanged` (`max_values`: Some(1), `max_size`: Some(1), added: 496, mode: `MaxEncodedLen`)
	fn remove_validator() -> Weight {
		// Minimum execution time: 131_736_000 picoseconds.
		Weight::from_parts(141_822_000, 2754)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
}

/// The same measured weights with RocksDB costs, for tests and mocks.
impl WeightInfo for () {
	fn add_validator() -> Weight {
		Weight::from_parts(222_422_000, 4957)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn remove_validator() -> Weight {
		Weight::from_parts(141_822_000, 2754)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
}
