//! Weights for `pallet_models`.
//!
//! PLACEHOLDER NUMBERS: these are hand estimates of ref time, proof size and database accesses, in
//! the shape `frame-benchmarking-cli`'s default template produces, so the pallet builds and is
//! weighted by `WeightInfo` everywhere. They must be replaced by the output of
//!
//! ```text
//! tributary-node benchmark pallet --pallet pallet_models --extrinsic '*' \
//!     --steps 50 --repeat 20 --output pallets/models/src/weights.rs
//! ```
//!
//! run against the runtime with `--features runtime-benchmarks` (see `benchmarking.rs`).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_models`.
pub trait WeightInfo {
	fn register_base_model() -> Weight;
	fn register_worker() -> Weight;
	fn unregister_worker() -> Weight;
	fn create_model(d: u32) -> Weight;
	fn submit_training_result() -> Weight;
	fn submit_verification_accepted() -> Weight;
	fn submit_verification_rejected() -> Weight;
	fn poke_job() -> Weight;
	fn set_price() -> Weight;
	fn transfer_ownership() -> Weight;
	fn retire() -> Weight;
}

/// Weights for `pallet_models` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_base_model() -> Weight {
		Weight::from_parts(30_000_000, 2_000)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn register_worker() -> Weight {
		Weight::from_parts(60_000_000, 12_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn unregister_worker() -> Weight {
		Weight::from_parts(55_000_000, 12_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn create_model(d: u32) -> Weight {
		Weight::from_parts(90_000_000, 14_000)
			.saturating_add(Weight::from_parts(6_000_000, 0).saturating_mul(d.into()))
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(d.into())))
			.saturating_add(T::DbWeight::get().writes(6_u64))
			.saturating_add(Weight::from_parts(0, 2_500).saturating_mul(d.into()))
	}
	fn submit_training_result() -> Weight {
		Weight::from_parts(35_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn submit_verification_accepted() -> Weight {
		Weight::from_parts(200_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(12_u64))
			.saturating_add(T::DbWeight::get().writes(14_u64))
	}
	fn submit_verification_rejected() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(9_u64))
	}
	fn poke_job() -> Weight {
		Weight::from_parts(90_000_000, 14_000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	fn set_price() -> Weight {
		Weight::from_parts(20_000_000, 3_500)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn transfer_ownership() -> Weight {
		Weight::from_parts(20_000_000, 3_500)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn retire() -> Weight {
		Weight::from_parts(20_000_000, 3_500)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn register_base_model() -> Weight {
		Weight::from_parts(30_000_000, 2_000)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn register_worker() -> Weight {
		Weight::from_parts(60_000_000, 12_000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn unregister_worker() -> Weight {
		Weight::from_parts(55_000_000, 12_000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn create_model(d: u32) -> Weight {
		Weight::from_parts(90_000_000, 14_000)
			.saturating_add(Weight::from_parts(6_000_000, 0).saturating_mul(d.into()))
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(d.into())))
			.saturating_add(RocksDbWeight::get().writes(6_u64))
			.saturating_add(Weight::from_parts(0, 2_500).saturating_mul(d.into()))
	}
	fn submit_training_result() -> Weight {
		Weight::from_parts(35_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn submit_verification_accepted() -> Weight {
		Weight::from_parts(200_000_000, 20_000)
			.saturating_add(RocksDbWeight::get().reads(12_u64))
			.saturating_add(RocksDbWeight::get().writes(14_u64))
	}
	fn submit_verification_rejected() -> Weight {
		Weight::from_parts(150_000_000, 20_000)
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().writes(9_u64))
	}
	fn poke_job() -> Weight {
		Weight::from_parts(90_000_000, 14_000)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(6_u64))
	}
	fn set_price() -> Weight {
		Weight::from_parts(20_000_000, 3_500)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn transfer_ownership() -> Weight {
		Weight::from_parts(20_000_000, 3_500)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn retire() -> Weight {
		Weight::from_parts(20_000_000, 3_500)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
}
