//! Weights for `pallet_rewards`.
//!
//! PLACEHOLDER NUMBERS: hand estimates of ref time, proof size and database accesses, in the shape
//! `frame-benchmarking-cli`'s default template produces, so the pallet builds and is weighted by
//! `WeightInfo` everywhere. They must be replaced by the output of
//!
//! ```text
//! tributary-node benchmark pallet --pallet pallet_rewards --extrinsic '*' \
//!     --steps 50 --repeat 20 --output pallets/rewards/src/weights.rs
//! ```
//!
//! run against the runtime with `--features runtime-benchmarks` (see `benchmarking.rs`).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_rewards`.
pub trait WeightInfo {
	fn set_params() -> Weight;
	fn claim() -> Weight;
}

/// Weights for `pallet_rewards` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_params() -> Weight {
		Weight::from_parts(10_000_000, 1_500)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn claim() -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn set_params() -> Weight {
		Weight::from_parts(10_000_000, 1_500)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn claim() -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
}
