//! Weights for `pallet_attribution`.
//!
//! PLACEHOLDER NUMBERS: hand estimates of ref time, proof size and database accesses, in the shape
//! `frame-benchmarking-cli`'s default template produces, so the pallet builds and is weighted by
//! `WeightInfo` everywhere. They must be replaced by the output of
//!
//! ```text
//! tributary-node benchmark pallet --pallet pallet_attribution --extrinsic '*' \
//!     --steps 50 --repeat 20 --output pallets/attribution/src/weights.rs
//! ```
//!
//! run against the runtime with `--features runtime-benchmarks` (see `benchmarking.rs`).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_attribution`.
pub trait WeightInfo {
	fn submit_receipts(n: u32, k: u32) -> Weight;
	fn dispute() -> Weight;
	fn submit_recomputation() -> Weight;
	fn resolve_dispute() -> Weight;
	fn finalize(k: u32) -> Weight;
}

/// Weights for `pallet_attribution` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn submit_receipts(n: u32, k: u32) -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(Weight::from_parts(120_000_000, 8_000).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(8_000_000, 3_000).saturating_mul((n as u64).saturating_mul(k.into())))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((5_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul((n as u64).saturating_mul(k.into()))))
			.saturating_add(T::DbWeight::get().writes((6_u64).saturating_mul(n.into())))
	}
	fn dispute() -> Weight {
		Weight::from_parts(70_000_000, 12_000)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn submit_recomputation() -> Weight {
		Weight::from_parts(120_000_000, 14_000)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(8_u64))
	}
	fn resolve_dispute() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn finalize(k: u32) -> Weight {
		Weight::from_parts(80_000_000, 10_000)
			.saturating_add(Weight::from_parts(10_000_000, 3_000).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(k.into())))
			.saturating_add(T::DbWeight::get().writes(6_u64))
			.saturating_add(T::DbWeight::get().writes((3_u64).saturating_mul(k.into())))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn submit_receipts(n: u32, k: u32) -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(Weight::from_parts(120_000_000, 8_000).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(8_000_000, 3_000).saturating_mul((n as u64).saturating_mul(k.into())))
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().reads((5_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul((n as u64).saturating_mul(k.into()))))
			.saturating_add(RocksDbWeight::get().writes((6_u64).saturating_mul(n.into())))
	}
	fn dispute() -> Weight {
		Weight::from_parts(70_000_000, 12_000)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn submit_recomputation() -> Weight {
		Weight::from_parts(120_000_000, 14_000)
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().writes(8_u64))
	}
	fn resolve_dispute() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn finalize(k: u32) -> Weight {
		Weight::from_parts(80_000_000, 10_000)
			.saturating_add(Weight::from_parts(10_000_000, 3_000).saturating_mul(k.into()))
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().reads((3_u64).saturating_mul(k.into())))
			.saturating_add(RocksDbWeight::get().writes(6_u64))
			.saturating_add(RocksDbWeight::get().writes((3_u64).saturating_mul(k.into())))
	}
}
