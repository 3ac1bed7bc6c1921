//! Weights for `pallet_attribution`, measured by `tributary-node benchmark pallet` (scripts/bench-weights.sh).
//!
//! Benchmark CLI 64.0.0, 2026-12-03; steps 10, repeat 3;
//! wasm execution `Compiled`; host `vm`, CPU `Intel(R) Xeon(R) Processor @ 2.80GHz`.
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
//!     pallet_attribution
//!     --extrinsic
//!     *
//!     --steps
//!     10
//!     --repeat
//!     3
//!     --template
//!     scripts/pallet-weights.hbs
//!     --output
//!     pallets/attribution/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight of each call of `pallet_attribution`.
pub trait WeightInfo {
	fn submit_receipts(n: u32, k: u32, ) -> Weight;
	fn dispute() -> Weight;
	fn submit_recomputation() -> Weight;
	fn resolve_dispute() -> Weight;
	fn draw_recomputers(w: u32, ) -> Weight;
	fn prove_top_mismatch(s: u32, ) -> Weight;
	fn set_params() -> Weight;
	fn finalize(k: u32, ) -> Weight;
}

/// Measured weights, with the runtime's database costs.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Models::Workers` (r:1 w:0)
	/// Proof: `Models::Workers` (`max_values`: None, `max_size`: Some(456), added: 2931, mode: `MaxEncodedLen`)
	/// Storage: `Aura::Authorities` (r:1 w:0)
	/// Proof: `Aura::Authorities` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:1 w:0)
	/// Proof: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:1 w:0)
	/// Storage: `Balances::Holds` (r:65 w:64)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::UsedNonces` (r:64 w:64)
	/// Proof: `Attribution::UsedNonces` (`max_values`: None, `max_size`: Some(72), added: 2547, mode: `MaxEncodedLen`)
	/// Storage: `Models::Model` (r:1 w:0)
	/// Proof: `Models::Model` (`max_values`: None, `max_size`: Some(136), added: 2611, mode: `MaxEncodedLen`)
	/// Storage: `Models::ModelVersions` (r:1 w:0)
	/// Proof: `Models::ModelVersions` (`max_values`: None, `max_size`: Some(829), added: 3304, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::Params` (r:1 w:0)
	/// Proof: `Attribution::Params` (`max_values`: Some(1), `max_size`: Some(49), added: 544, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Rows` (r:16 w:0)
	/// Proof: `Datanets::Rows` (`max_values`: None, `max_size`: Some(188), added: 2663, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:64 w:64)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::NextRecordId` (r:1 w:1)
	/// Proof: `Attribution::NextRecordId` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::DueRecords` (r:1 w:1)
	/// Proof: `Attribution::DueRecords` (`max_values`: None, `max_size`: Some(526), added: 3001, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::OpenRecordCount` (r:1 w:1)
	/// Proof: `Attribution::OpenRecordCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::NoncesByExpiry` (r:0 w:64)
	/// Proof: `Attribution::NoncesByExpiry` (`max_values`: None, `max_size`: Some(68), added: 2543, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::Records` (r:0 w:64)
	/// Proof: `Attribution::Records` (`max_values`: None, `max_size`: Some(591), added: 3066, mode: `MaxEncodedLen`)
	/// Component `n` ranges over `[1, 64]`.
	/// Component `k` ranges over `[0, 16]`.
	fn submit_receipts(n: u32, k: u32, ) -> Weight {
		// Minimum execution time: 5_431_842_000 picoseconds.
		Weight::from_parts(5_431_842_000, 6916)
			.saturating_add(Weight::from_parts(2_686_210_836, 0).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(1_823_790_968, 0).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(11_u64))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(k.into())))
			.saturating_add(T::DbWeight::get().writes(3_u64))
			.saturating_add(T::DbWeight::get().writes((5_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2663).saturating_mul(k.into()))
			.saturating_add(Weight::from_parts(0, 2650).saturating_mul(n.into()))
	}
	/// Storage: `Attribution::Records` (r:1 w:1)
	/// Proof: `Attribution::Records` (`max_values`: None, `max_size`: Some(591), added: 3066, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerList` (r:1 w:0)
	/// Proof: `Models::WorkerList` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Models::Workers` (r:29 w:0)
	/// Proof: `Models::Workers` (`max_values`: None, `max_size`: Some(456), added: 2931, mode: `MaxEncodedLen`)
	/// Storage: `Aura::Authorities` (r:1 w:0)
	/// Proof: `Aura::Authorities` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:29 w:0)
	/// Proof: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:29 w:0)
	/// Storage: `Balances::Holds` (r:30 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::Params` (r:1 w:0)
	/// Proof: `Attribution::Params` (`max_values`: Some(1), `max_size`: Some(49), added: 544, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::PendingDraws` (r:1 w:1)
	/// Proof: `Attribution::PendingDraws` (`max_values`: None, `max_size`: Some(141), added: 2616, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::Disputes` (r:0 w:1)
	/// Proof: `Attribution::Disputes` (`max_values`: None, `max_size`: Some(778), added: 3253, mode: `MaxEncodedLen`)
	fn dispute() -> Weight {
		// Minimum execution time: 6_343_257_000 picoseconds.
		Weight::from_parts(9_937_691_000, 85989)
			.saturating_add(T::DbWeight::get().reads(94_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `Attribution::Disputes` (r:1 w:1)
	/// Proof: `Attribution::Disputes` (`max_values`: None, `max_size`: Some(778), added: 3253, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::Records` (r:1 w:1)
	/// Proof: `Attribution::Records` (`max_values`: None, `max_size`: Some(591), added: 3066, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:8 w:8)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:3 w:3)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::SlashTally` (r:1 w:1)
	/// Proof: `Rewards::SlashTally` (`max_values`: None, `max_size`: Some(68), added: 2543, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::Params` (r:1 w:0)
	/// Proof: `Rewards::Params` (`max_values`: Some(1), `max_size`: Some(29), added: 524, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::OpenRecordCount` (r:1 w:1)
	/// Proof: `Attribution::OpenRecordCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	fn submit_recomputation() -> Weight {
		// Minimum execution time: 10_036_025_000 picoseconds.
		Weight::from_parts(11_953_948_000, 21814)
			.saturating_add(T::DbWeight::get().reads(16_u64))
			.saturating_add(T::DbWeight::get().writes(15_u64))
	}
	/// Storage: `Attribution::Disputes` (r:1 w:1)
	/// Proof: `Attribution::Disputes` (`max_values`: None, `max_size`: Some(778), added: 3253, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:8 w:8)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::Params` (r:1 w:0)
	/// Proof: `Rewards::Params` (`max_values`: Some(1), `max_size`: Some(29), added: 524, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:9 w:9)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::SlashTally` (r:7 w:7)
	/// Proof: `Rewards::SlashTally` (`max_values`: None, `max_size`: Some(68), added: 2543, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::Records` (r:1 w:1)
	/// Proof: `Attribution::Records` (`max_values`: None, `max_size`: Some(591), added: 3066, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::DueRecords` (r:1 w:1)
	/// Proof: `Attribution::DueRecords` (`max_values`: None, `max_size`: Some(526), added: 3001, mode: `MaxEncodedLen`)
	fn resolve_dispute() -> Weight {
		// Minimum execution time: 11_714_234_000 picoseconds.
		Weight::from_parts(13_519_008_000, 24417)
			.saturating_add(T::DbWeight::get().reads(28_u64))
			.saturating_add(T::DbWeight::get().writes(27_u64))
	}
	/// Storage: `Attribution::PendingDraws` (r:1 w:1)
	/// Proof: `Attribution::PendingDraws` (`max_values`: None, `max_size`: Some(141), added: 2616, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerList` (r:1 w:0)
	/// Proof: `Models::WorkerList` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::Disputes` (r:1 w:1)
	/// Proof: `Attribution::Disputes` (`max_values`: None, `max_size`: Some(778), added: 3253, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::Records` (r:1 w:0)
	/// Proof: `Attribution::Records` (`max_values`: None, `max_size`: Some(591), added: 3066, mode: `MaxEncodedLen`)
	/// Storage: `Models::Workers` (r:63 w:0)
	/// Proof: `Models::Workers` (`max_values`: None, `max_size`: Some(456), added: 2931, mode: `MaxEncodedLen`)
	/// Storage: `Aura::Authorities` (r:1 w:0)
	/// Proof: `Aura::Authorities` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:63 w:0)
	/// Proof: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:63 w:0)
	/// Storage: `Balances::Holds` (r:63 w:0)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::Params` (r:1 w:0)
	/// Proof: `Attribution::Params` (`max_values`: Some(1), `max_size`: Some(49), added: 544, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:4 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	/// Component `w` ranges over `[30, 64]`.
	fn draw_recomputers(w: u32, ) -> Weight {
		// Minimum execution time: 10_165_177_000 picoseconds.
		Weight::from_parts(4_055_746_542, 85989)
			.saturating_add(Weight::from_parts(253_796_757, 0).saturating_mul(w.into()))
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(w.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(Weight::from_parts(0, 2666).saturating_mul(w.into()))
	}
	/// Storage: `Attribution::Records` (r:1 w:1)
	/// Proof: `Attribution::Records` (`max_values`: None, `max_size`: Some(591), added: 3066, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::Disputes` (r:1 w:1)
	/// Proof: `Attribution::Disputes` (`max_values`: None, `max_size`: Some(778), added: 3253, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:4 w:4)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:3 w:3)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::Params` (r:1 w:0)
	/// Proof: `Rewards::Params` (`max_values`: Some(1), `max_size`: Some(29), added: 524, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::SlashTally` (r:1 w:1)
	/// Proof: `Rewards::SlashTally` (`max_values`: None, `max_size`: Some(68), added: 2543, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::OpenRecordCount` (r:1 w:1)
	/// Proof: `Attribution::OpenRecordCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Component `s` ranges over `[1, 1024]`.
	fn prove_top_mismatch(s: u32, ) -> Weight {
		// Minimum execution time: 3_460_132_000 picoseconds.
		Weight::from_parts(5_385_728_192, 11402)
			.saturating_add(Weight::from_parts(333_927, 0).saturating_mul(s.into()))
			.saturating_add(T::DbWeight::get().reads(12_u64))
			.saturating_add(T::DbWeight::get().writes(11_u64))
	}
	/// Storage: `Attribution::Params` (r:0 w:1)
	/// Proof: `Attribution::Params` (`max_values`: Some(1), `max_size`: Some(49), added: 544, mode: `MaxEncodedLen`)
	fn set_params() -> Weight {
		// Minimum execution time: 130_853_000 picoseconds.
		Weight::from_parts(221_941_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Attribution::Records` (r:1 w:1)
	/// Proof: `Attribution::Records` (`max_values`: None, `max_size`: Some(591), added: 3066, mode: `MaxEncodedLen`)
	/// Storage: `Models::Model` (r:1 w:0)
	/// Proof: `Models::Model` (`max_values`: None, `max_size`: Some(136), added: 2611, mode: `MaxEncodedLen`)
	/// Storage: `Models::ModelVersions` (r:1 w:0)
	/// Proof: `Models::ModelVersions` (`max_values`: None, `max_size`: Some(829), added: 3304, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Rows` (r:16 w:0)
	/// Proof: `Datanets::Rows` (`max_values`: None, `max_size`: Some(188), added: 2663, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:2 w:2)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::RowAttribution` (r:16 w:16)
	/// Proof: `Attribution::RowAttribution` (`max_values`: None, `max_size`: Some(36), added: 2511, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::ContributorAttribution` (r:16 w:16)
	/// Proof: `Attribution::ContributorAttribution` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::ModelInferences` (r:1 w:1)
	/// Proof: `Attribution::ModelInferences` (`max_values`: None, `max_size`: Some(32), added: 2507, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::Params` (r:1 w:0)
	/// Proof: `Rewards::Params` (`max_values`: Some(1), `max_size`: Some(29), added: 524, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Reputation` (r:16 w:0)
	/// Proof: `Datanets::Reputation` (`max_values`: None, `max_size`: Some(60), added: 2535, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::Claimable` (r:19 w:19)
	/// Proof: `Rewards::Claimable` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::History` (r:19 w:19)
	/// Proof: `Rewards::History` (`max_values`: None, `max_size`: Some(849), added: 3324, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::OpenRecordCount` (r:1 w:1)
	/// Proof: `Attribution::OpenRecordCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Component `k` ranges over `[0, 16]`.
	fn finalize(k: u32, ) -> Weight {
		// Minimum execution time: 2_003_516_000 picoseconds.
		Weight::from_parts(2_749_549_057, 10962)
			.saturating_add(Weight::from_parts(553_916_992, 0).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(15_u64))
			.saturating_add(T::DbWeight::get().reads((6_u64).saturating_mul(k.into())))
			.saturating_add(T::DbWeight::get().writes(12_u64))
			.saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 3324).saturating_mul(k.into()))
	}
}

/// The same measured weights with RocksDB costs, for tests and mocks.
impl WeightInfo for () {
	fn submit_receipts(n: u32, k: u32, ) -> Weight {
		Weight::from_parts(5_431_842_000, 6916)
			.saturating_add(Weight::from_parts(2_686_210_836, 0).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(1_823_790_968, 0).saturating_mul(k.into()))
			.saturating_add(RocksDbWeight::get().reads(11_u64))
			.saturating_add(RocksDbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(k.into())))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
			.saturating_add(RocksDbWeight::get().writes((5_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2663).saturating_mul(k.into()))
			.saturating_add(Weight::from_parts(0, 2650).saturating_mul(n.into()))
	}
	fn dispute() -> Weight {
		Weight::from_parts(9_937_691_000, 85989)
			.saturating_add(RocksDbWeight::get().reads(94_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	fn submit_recomputation() -> Weight {
		Weight::from_parts(11_953_948_000, 21814)
			.saturating_add(RocksDbWeight::get().reads(16_u64))
			.saturating_add(RocksDbWeight::get().writes(15_u64))
	}
	fn resolve_dispute() -> Weight {
		Weight::from_parts(13_519_008_000, 24417)
			.saturating_add(RocksDbWeight::get().reads(28_u64))
			.saturating_add(RocksDbWeight::get().writes(27_u64))
	}
	fn draw_recomputers(w: u32, ) -> Weight {
		Weight::from_parts(4_055_746_542, 85989)
			.saturating_add(Weight::from_parts(253_796_757, 0).saturating_mul(w.into()))
			.saturating_add(RocksDbWeight::get().reads(7_u64))
			.saturating_add(RocksDbWeight::get().reads((3_u64).saturating_mul(w.into())))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
			.saturating_add(Weight::from_parts(0, 2666).saturating_mul(w.into()))
	}
	fn prove_top_mismatch(s: u32, ) -> Weight {
		Weight::from_parts(5_385_728_192, 11402)
			.saturating_add(Weight::from_parts(333_927, 0).saturating_mul(s.into()))
			.saturating_add(RocksDbWeight::get().reads(12_u64))
			.saturating_add(RocksDbWeight::get().writes(11_u64))
	}
	fn set_params() -> Weight {
		Weight::from_parts(221_941_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn finalize(k: u32, ) -> Weight {
		Weight::from_parts(2_749_549_057, 10962)
			.saturating_add(Weight::from_parts(553_916_992, 0).saturating_mul(k.into()))
			.saturating_add(RocksDbWeight::get().reads(15_u64))
			.saturating_add(RocksDbWeight::get().reads((6_u64).saturating_mul(k.into())))
			.saturating_add(RocksDbWeight::get().writes(12_u64))
			.saturating_add(RocksDbWeight::get().writes((4_u64).saturating_mul(k.into())))
			.saturating_add(Weight::from_parts(0, 3324).saturating_mul(k.into()))
	}
}
