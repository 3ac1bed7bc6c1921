//! Weights for `pallet_datanets`, measured by `tributary-node benchmark pallet` (scripts/bench-weights.sh).
//!
//! Benchmark CLI 64.0.0, 2026-12-03; steps 10, repeat 3;
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
//!     pallet_datanets
//!     --extrinsic
//!     *
//!     --steps
//!     10
//!     --repeat
//!     3
//!     --template
//!     scripts/pallet-weights.hbs
//!     --output
//!     pallets/datanets/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight of each call of `pallet_datanets`.
pub trait WeightInfo {
	fn create_datanet() -> Weight;
	fn update_metadata() -> Weight;
	fn add_curator() -> Weight;
	fn remove_curator() -> Weight;
	fn set_visibility() -> Weight;
	fn set_contributor_allowed() -> Weight;
	fn transfer_ownership() -> Weight;
	fn contribute() -> Weight;
	fn contribute_batch(n: u32, ) -> Weight;
	fn approve(n: u32, ) -> Weight;
	fn reject(n: u32, ) -> Weight;
	fn withdraw() -> Weight;
	fn publish_version(n: u32, ) -> Weight;
	fn challenge_row() -> Weight;
	fn report_row() -> Weight;
	fn resolve_challenge_upheld() -> Weight;
	fn resolve_challenge_rejected() -> Weight;
	fn expire_challenge() -> Weight;
	fn release_deposit() -> Weight;
}

/// Measured weights, with the runtime's database costs.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Datanets::DatanetIdByName` (r:1 w:1)
	/// Proof: `Datanets::DatanetIdByName` (`max_values`: None, `max_size`: Some(134), added: 2609, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::NextDatanetId` (r:1 w:1)
	/// Proof: `Datanets::NextDatanetId` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Datanet` (r:0 w:1)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	fn create_datanet() -> Weight {
		// Minimum execution time: 682_155_000 picoseconds.
		Weight::from_parts(1_111_239_000, 3640)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `Datanets::Datanet` (r:1 w:1)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	fn update_metadata() -> Weight {
		// Minimum execution time: 278_450_000 picoseconds.
		Weight::from_parts(507_990_000, 9068)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Datanets::Datanet` (r:1 w:1)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	fn add_curator() -> Weight {
		// Minimum execution time: 244_649_000 picoseconds.
		Weight::from_parts(423_527_000, 9068)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Datanets::Datanet` (r:1 w:1)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	fn remove_curator() -> Weight {
		// Minimum execution time: 251_167_000 picoseconds.
		Weight::from_parts(424_598_000, 9068)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Datanets::Datanet` (r:1 w:1)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	fn set_visibility() -> Weight {
		// Minimum execution time: 248_418_000 picoseconds.
		Weight::from_parts(427_412_000, 9068)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Datanets::Datanet` (r:1 w:0)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::AllowList` (r:0 w:1)
	/// Proof: `Datanets::AllowList` (`max_values`: None, `max_size`: Some(60), added: 2535, mode: `MaxEncodedLen`)
	fn set_contributor_allowed() -> Weight {
		// Minimum execution time: 255_456_000 picoseconds.
		Weight::from_parts(423_020_000, 9068)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Datanets::Datanet` (r:1 w:1)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::DatanetIdByName` (r:1 w:2)
	/// Proof: `Datanets::DatanetIdByName` (`max_values`: None, `max_size`: Some(134), added: 2609, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:2 w:2)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:2 w:2)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	fn transfer_ownership() -> Weight {
		// Minimum execution time: 1_157_031_000 picoseconds.
		Weight::from_parts(2_016_788_000, 9068)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
	}
	/// Storage: `Datanets::Datanet` (r:1 w:1)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::AllowList` (r:1 w:0)
	/// Proof: `Datanets::AllowList` (`max_values`: None, `max_size`: Some(60), added: 2535, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::RowByHash` (r:1 w:1)
	/// Proof: `Datanets::RowByHash` (`max_values`: None, `max_size`: Some(60), added: 2535, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Rows` (r:0 w:1)
	/// Proof: `Datanets::Rows` (`max_values`: None, `max_size`: Some(188), added: 2663, mode: `MaxEncodedLen`)
	fn contribute() -> Weight {
		// Minimum execution time: 832_319_000 picoseconds.
		Weight::from_parts(1_412_599_000, 9068)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `Datanets::Datanet` (r:1 w:1)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::AllowList` (r:1 w:0)
	/// Proof: `Datanets::AllowList` (`max_values`: None, `max_size`: Some(60), added: 2535, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::RowByHash` (r:256 w:256)
	/// Proof: `Datanets::RowByHash` (`max_values`: None, `max_size`: Some(60), added: 2535, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Rows` (r:0 w:256)
	/// Proof: `Datanets::Rows` (`max_values`: None, `max_size`: Some(188), added: 2663, mode: `MaxEncodedLen`)
	/// Component `n` ranges over `[1, 256]`.
	fn contribute_batch(n: u32, ) -> Weight {
		// Minimum execution time: 876_876_000 picoseconds.
		Weight::from_parts(1_143_312_431, 9068)
			.saturating_add(Weight::from_parts(132_390_531, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(3_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2535).saturating_mul(n.into()))
	}
	/// Storage: `Datanets::Datanet` (r:1 w:0)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Rows` (r:256 w:256)
	/// Proof: `Datanets::Rows` (`max_values`: None, `max_size`: Some(188), added: 2663, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::ApprovedRows` (r:1 w:1)
	/// Proof: `Datanets::ApprovedRows` (`max_values`: None, `max_size`: Some(8206), added: 10681, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Reputation` (r:256 w:256)
	/// Proof: `Datanets::Reputation` (`max_values`: None, `max_size`: Some(60), added: 2535, mode: `MaxEncodedLen`)
	/// Component `n` ranges over `[1, 256]`.
	fn approve(n: u32, ) -> Weight {
		// Minimum execution time: 552_570_000 picoseconds.
		Weight::from_parts(1_260_720_519, 11671)
			.saturating_add(Weight::from_parts(189_718_081, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2663).saturating_mul(n.into()))
	}
	/// Storage: `Datanets::Datanet` (r:1 w:0)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Rows` (r:256 w:256)
	/// Proof: `Datanets::Rows` (`max_values`: None, `max_size`: Some(188), added: 2663, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:256 w:256)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::Params` (r:1 w:0)
	/// Proof: `Rewards::Params` (`max_values`: Some(1), `max_size`: Some(29), added: 524, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:257 w:257)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::SlashTally` (r:256 w:256)
	/// Proof: `Rewards::SlashTally` (`max_values`: None, `max_size`: Some(68), added: 2543, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Reputation` (r:256 w:256)
	/// Proof: `Datanets::Reputation` (`max_values`: None, `max_size`: Some(60), added: 2535, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::RowByHash` (r:0 w:256)
	/// Proof: `Datanets::RowByHash` (`max_values`: None, `max_size`: Some(60), added: 2535, mode: `MaxEncodedLen`)
	/// Component `n` ranges over `[1, 256]`.
	fn reject(n: u32, ) -> Weight {
		// Minimum execution time: 1_373_746_000 picoseconds.
		Weight::from_parts(1_373_746_000, 9068)
			.saturating_add(Weight::from_parts(1_504_158_389, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().reads((5_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((6_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2663).saturating_mul(n.into()))
	}
	/// Storage: `Datanets::Datanet` (r:1 w:0)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Rows` (r:1 w:1)
	/// Proof: `Datanets::Rows` (`max_values`: None, `max_size`: Some(188), added: 2663, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::RowByHash` (r:0 w:1)
	/// Proof: `Datanets::RowByHash` (`max_values`: None, `max_size`: Some(60), added: 2535, mode: `MaxEncodedLen`)
	fn withdraw() -> Weight {
		// Minimum execution time: 686_413_000 picoseconds.
		Weight::from_parts(1_182_605_000, 9068)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// Storage: `Datanets::Datanet` (r:1 w:1)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::ApprovedRows` (r:1 w:1)
	/// Proof: `Datanets::ApprovedRows` (`max_values`: None, `max_size`: Some(8206), added: 10681, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Rows` (r:1024 w:1024)
	/// Proof: `Datanets::Rows` (`max_values`: None, `max_size`: Some(188), added: 2663, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:2 w:2)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::VersionRows` (r:0 w:1)
	/// Proof: `Datanets::VersionRows` (`max_values`: None, `max_size`: Some(8218), added: 10693, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Versions` (r:0 w:1)
	/// Proof: `Datanets::Versions` (`max_values`: None, `max_size`: Some(120), added: 2595, mode: `MaxEncodedLen`)
	/// Component `n` ranges over `[1, 1024]`.
	fn publish_version(n: u32, ) -> Weight {
		// Minimum execution time: 1_422_789_000 picoseconds.
		Weight::from_parts(1_422_789_000, 11671)
			.saturating_add(Weight::from_parts(142_667_985, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(6_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2663).saturating_mul(n.into()))
	}
	/// Storage: `Datanets::Datanet` (r:1 w:0)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Rows` (r:1 w:0)
	/// Proof: `Datanets::Rows` (`max_values`: None, `max_size`: Some(188), added: 2663, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Challenges` (r:1 w:1)
	/// Proof: `Datanets::Challenges` (`max_values`: None, `max_size`: Some(97), added: 2572, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	fn challenge_row() -> Weight {
		// Minimum execution time: 767_105_000 picoseconds.
		Weight::from_parts(1_314_378_000, 9068)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `Models::Workers` (r:1 w:0)
	/// Proof: `Models::Workers` (`max_values`: None, `max_size`: Some(456), added: 2931, mode: `MaxEncodedLen`)
	/// Storage: `Aura::Authorities` (r:1 w:0)
	/// Proof: `Aura::Authorities` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:1 w:0)
	/// Proof: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:1 w:0)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Datanet` (r:1 w:0)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Rows` (r:2 w:0)
	/// Proof: `Datanets::Rows` (`max_values`: None, `max_size`: Some(188), added: 2663, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Challenges` (r:1 w:1)
	/// Proof: `Datanets::Challenges` (`max_values`: None, `max_size`: Some(97), added: 2572, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	fn report_row() -> Weight {
		// Minimum execution time: 983_775_000 picoseconds.
		Weight::from_parts(1_599_794_000, 10228)
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `Datanets::Challenges` (r:1 w:1)
	/// Proof: `Datanets::Challenges` (`max_values`: None, `max_size`: Some(97), added: 2572, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Rows` (r:1 w:1)
	/// Proof: `Datanets::Rows` (`max_values`: None, `max_size`: Some(188), added: 2663, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:2 w:2)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:3 w:3)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::SlashTally` (r:1 w:1)
	/// Proof: `Rewards::SlashTally` (`max_values`: None, `max_size`: Some(68), added: 2543, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::Params` (r:1 w:0)
	/// Proof: `Rewards::Params` (`max_values`: Some(1), `max_size`: Some(29), added: 524, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::ApprovedRows` (r:1 w:1)
	/// Proof: `Datanets::ApprovedRows` (`max_values`: None, `max_size`: Some(8206), added: 10681, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Reputation` (r:1 w:1)
	/// Proof: `Datanets::Reputation` (`max_values`: None, `max_size`: Some(60), added: 2535, mode: `MaxEncodedLen`)
	fn resolve_challenge_upheld() -> Weight {
		// Minimum execution time: 1_916_521_000 picoseconds.
		Weight::from_parts(3_053_174_000, 11671)
			.saturating_add(T::DbWeight::get().reads(11_u64))
			.saturating_add(T::DbWeight::get().writes(10_u64))
	}
	/// Storage: `Datanets::Challenges` (r:1 w:1)
	/// Proof: `Datanets::Challenges` (`max_values`: None, `max_size`: Some(97), added: 2572, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Rows` (r:1 w:0)
	/// Proof: `Datanets::Rows` (`max_values`: None, `max_size`: Some(188), added: 2663, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::Params` (r:1 w:0)
	/// Proof: `Rewards::Params` (`max_values`: Some(1), `max_size`: Some(29), added: 524, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:3 w:3)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::SlashTally` (r:1 w:1)
	/// Proof: `Rewards::SlashTally` (`max_values`: None, `max_size`: Some(68), added: 2543, mode: `MaxEncodedLen`)
	fn resolve_challenge_rejected() -> Weight {
		// Minimum execution time: 1_230_000_000 picoseconds.
		Weight::from_parts(2_079_477_000, 8799)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	/// Storage: `Datanets::Challenges` (r:1 w:1)
	/// Proof: `Datanets::Challenges` (`max_values`: None, `max_size`: Some(97), added: 2572, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	fn expire_challenge() -> Weight {
		// Minimum execution time: 574_378_000 picoseconds.
		Weight::from_parts(676_501_000, 3640)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `Datanets::Datanet` (r:1 w:0)
	/// Proof: `Datanets::Datanet` (`max_values`: None, `max_size`: Some(5603), added: 8078, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Rows` (r:1 w:1)
	/// Proof: `Datanets::Rows` (`max_values`: None, `max_size`: Some(188), added: 2663, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Challenges` (r:1 w:0)
	/// Proof: `Datanets::Challenges` (`max_values`: None, `max_size`: Some(97), added: 2572, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Versions` (r:1 w:0)
	/// Proof: `Datanets::Versions` (`max_values`: None, `max_size`: Some(120), added: 2595, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	fn release_deposit() -> Weight {
		// Minimum execution time: 736_233_000 picoseconds.
		Weight::from_parts(909_421_000, 9068)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
}

/// The same measured weights with RocksDB costs, for tests and mocks.
impl WeightInfo for () {
	fn create_datanet() -> Weight {
		Weight::from_parts(1_111_239_000, 3640)
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	fn update_metadata() -> Weight {
		Weight::from_parts(507_990_000, 9068)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn add_curator() -> Weight {
		Weight::from_parts(423_527_000, 9068)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn remove_curator() -> Weight {
		Weight::from_parts(424_598_000, 9068)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn set_visibility() -> Weight {
		Weight::from_parts(427_412_000, 9068)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn set_contributor_allowed() -> Weight {
		Weight::from_parts(423_020_000, 9068)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn transfer_ownership() -> Weight {
		Weight::from_parts(2_016_788_000, 9068)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(7_u64))
	}
	fn contribute() -> Weight {
		Weight::from_parts(1_412_599_000, 9068)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	fn contribute_batch(n: u32, ) -> Weight {
		Weight::from_parts(1_143_312_431, 9068)
			.saturating_add(Weight::from_parts(132_390_531, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
			.saturating_add(RocksDbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2535).saturating_mul(n.into()))
	}
	fn approve(n: u32, ) -> Weight {
		Weight::from_parts(1_260_720_519, 11671)
			.saturating_add(Weight::from_parts(189_718_081, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().reads((2_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
			.saturating_add(RocksDbWeight::get().writes((2_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2663).saturating_mul(n.into()))
	}
	fn reject(n: u32, ) -> Weight {
		Weight::from_parts(1_373_746_000, 9068)
			.saturating_add(Weight::from_parts(1_504_158_389, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().reads((5_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
			.saturating_add(RocksDbWeight::get().writes((6_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2663).saturating_mul(n.into()))
	}
	fn withdraw() -> Weight {
		Weight::from_parts(1_182_605_000, 9068)
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn publish_version(n: u32, ) -> Weight {
		Weight::from_parts(1_422_789_000, 11671)
			.saturating_add(Weight::from_parts(142_667_985, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes(6_u64))
			.saturating_add(RocksDbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2663).saturating_mul(n.into()))
	}
	fn challenge_row() -> Weight {
		Weight::from_parts(1_314_378_000, 9068)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn report_row() -> Weight {
		Weight::from_parts(1_599_794_000, 10228)
			.saturating_add(RocksDbWeight::get().reads(9_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn resolve_challenge_upheld() -> Weight {
		Weight::from_parts(3_053_174_000, 11671)
			.saturating_add(RocksDbWeight::get().reads(11_u64))
			.saturating_add(RocksDbWeight::get().writes(10_u64))
	}
	fn resolve_challenge_rejected() -> Weight {
		Weight::from_parts(2_079_477_000, 8799)
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().writes(6_u64))
	}
	fn expire_challenge() -> Weight {
		Weight::from_parts(676_501_000, 3640)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn release_deposit() -> Weight {
		Weight::from_parts(909_421_000, 9068)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
}
