//! Weights for `pallet_models`, measured by `tributary-node benchmark pallet` (scripts/bench-weights.sh).
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
//!     pallet_models
//!     --extrinsic
//!     *
//!     --steps
//!     10
//!     --repeat
//!     3
//!     --template
//!     scripts/pallet-weights.hbs
//!     --output
//!     pallets/models/src/weights.rs

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight of each call of `pallet_models`.
pub trait WeightInfo {
	fn register_base_model() -> Weight;
	fn register_worker() -> Weight;
	fn unregister_worker() -> Weight;
	fn create_model(d: u32, ) -> Weight;
	fn submit_training_result() -> Weight;
	fn submit_verification_accepted() -> Weight;
	fn submit_verification_rejected() -> Weight;
	fn poke_job() -> Weight;
	fn set_price() -> Weight;
	fn transfer_ownership() -> Weight;
	fn retire() -> Weight;
	fn top_up_bond() -> Weight;
	fn remove_departed_worker() -> Weight;
	fn set_verifiers_per_job() -> Weight;
	fn draw_jobs(n: u32, ) -> Weight;
}

/// Measured weights, with the runtime's database costs.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Models::BaseModelByWeights` (r:1 w:1)
	/// Proof: `Models::BaseModelByWeights` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Models::NextBaseModelId` (r:1 w:1)
	/// Proof: `Models::NextBaseModelId` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	/// Storage: `Models::BaseModels` (r:0 w:1)
	/// Proof: `Models::BaseModels` (`max_values`: None, `max_size`: Some(281), added: 2756, mode: `MaxEncodedLen`)
	fn register_base_model() -> Weight {
		// Minimum execution time: 278_744_000 picoseconds.
		Weight::from_parts(453_300_000, 3517)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `Aura::Authorities` (r:1 w:0)
	/// Proof: `Aura::Authorities` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: `Models::Workers` (r:1 w:1)
	/// Proof: `Models::Workers` (`max_values`: None, `max_size`: Some(456), added: 2931, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerList` (r:1 w:1)
	/// Proof: `Models::WorkerList` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	fn register_worker() -> Weight {
		// Minimum execution time: 1_216_675_000 picoseconds.
		Weight::from_parts(2_179_046_000, 3921)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// Storage: `Models::Workers` (r:1 w:1)
	/// Proof: `Models::Workers` (`max_values`: None, `max_size`: Some(456), added: 2931, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerJobs` (r:1 w:0)
	/// Proof: `Models::WorkerJobs` (`max_values`: None, `max_size`: Some(113), added: 2588, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::OpenRecordCount` (r:1 w:0)
	/// Proof: `Attribution::OpenRecordCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerList` (r:1 w:1)
	/// Proof: `Models::WorkerList` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	fn unregister_worker() -> Weight {
		// Minimum execution time: 1_132_501_000 picoseconds.
		Weight::from_parts(1_336_536_000, 3921)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// Storage: `Models::BaseModels` (r:1 w:0)
	/// Proof: `Models::BaseModels` (`max_values`: None, `max_size`: Some(281), added: 2756, mode: `MaxEncodedLen`)
	/// Storage: `Datanets::Versions` (r:8 w:0)
	/// Proof: `Datanets::Versions` (`max_values`: None, `max_size`: Some(120), added: 2595, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Models::NextModelId` (r:1 w:1)
	/// Proof: `Models::NextModelId` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	/// Storage: `Models::NextJobId` (r:1 w:1)
	/// Proof: `Models::NextJobId` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Models::DrawQueueBounds` (r:1 w:1)
	/// Proof: `Models::DrawQueueBounds` (`max_values`: Some(1), `max_size`: Some(16), added: 511, mode: `MaxEncodedLen`)
	/// Storage: `Models::Jobs` (r:0 w:1)
	/// Proof: `Models::Jobs` (`max_values`: None, `max_size`: Some(1254), added: 3729, mode: `MaxEncodedLen`)
	/// Storage: `Models::DrawQueue` (r:0 w:1)
	/// Proof: `Models::DrawQueue` (`max_values`: None, `max_size`: Some(24), added: 2499, mode: `MaxEncodedLen`)
	/// Storage: `Models::Model` (r:0 w:1)
	/// Proof: `Models::Model` (`max_values`: None, `max_size`: Some(136), added: 2611, mode: `MaxEncodedLen`)
	/// Component `d` ranges over `[1, 8]`.
	fn create_model(d: u32, ) -> Weight {
		// Minimum execution time: 1_410_378_000 picoseconds.
		Weight::from_parts(1_494_833_432, 3746)
			.saturating_add(Weight::from_parts(67_698_943, 0).saturating_mul(d.into()))
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(d.into())))
			.saturating_add(T::DbWeight::get().writes(8_u64))
			.saturating_add(Weight::from_parts(0, 2595).saturating_mul(d.into()))
	}
	/// Storage: `Models::Jobs` (r:1 w:1)
	/// Proof: `Models::Jobs` (`max_values`: None, `max_size`: Some(1254), added: 3729, mode: `MaxEncodedLen`)
	/// Storage: `Models::Workers` (r:1 w:0)
	/// Proof: `Models::Workers` (`max_values`: None, `max_size`: Some(456), added: 2931, mode: `MaxEncodedLen`)
	/// Storage: `Aura::Authorities` (r:1 w:0)
	/// Proof: `Aura::Authorities` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:1 w:0)
	/// Proof: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:1 w:0)
	/// Storage: `Balances::Holds` (r:1 w:0)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	fn submit_training_result() -> Weight {
		// Minimum execution time: 689_369_000 picoseconds.
		Weight::from_parts(786_030_000, 6476)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Models::Jobs` (r:1 w:1)
	/// Proof: `Models::Jobs` (`max_values`: None, `max_size`: Some(1254), added: 3729, mode: `MaxEncodedLen`)
	/// Storage: `Models::Workers` (r:4 w:0)
	/// Proof: `Models::Workers` (`max_values`: None, `max_size`: Some(456), added: 2931, mode: `MaxEncodedLen`)
	/// Storage: `Aura::Authorities` (r:1 w:0)
	/// Proof: `Aura::Authorities` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:1 w:0)
	/// Proof: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:1 w:0)
	/// Storage: `Balances::Holds` (r:5 w:4)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::Params` (r:1 w:0)
	/// Proof: `Rewards::Params` (`max_values`: Some(1), `max_size`: Some(29), added: 524, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:11 w:11)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::SlashTally` (r:3 w:3)
	/// Proof: `Rewards::SlashTally` (`max_values`: None, `max_size`: Some(68), added: 2543, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerJobs` (r:9 w:9)
	/// Proof: `Models::WorkerJobs` (`max_values`: None, `max_size`: Some(113), added: 2588, mode: `MaxEncodedLen`)
	/// Storage: `Models::Model` (r:1 w:1)
	/// Proof: `Models::Model` (`max_values`: None, `max_size`: Some(136), added: 2611, mode: `MaxEncodedLen`)
	/// Storage: `Models::ModelVersions` (r:0 w:1)
	/// Proof: `Models::ModelVersions` (`max_values`: None, `max_size`: Some(829), added: 3304, mode: `MaxEncodedLen`)
	fn submit_verification_accepted() -> Weight {
		// Minimum execution time: 8_977_783_000 picoseconds.
		Weight::from_parts(10_672_186_000, 29623)
			.saturating_add(T::DbWeight::get().reads(37_u64))
			.saturating_add(T::DbWeight::get().writes(30_u64))
	}
	/// Storage: `Models::Jobs` (r:1 w:1)
	/// Proof: `Models::Jobs` (`max_values`: None, `max_size`: Some(1254), added: 3729, mode: `MaxEncodedLen`)
	/// Storage: `Models::Workers` (r:4 w:1)
	/// Proof: `Models::Workers` (`max_values`: None, `max_size`: Some(456), added: 2931, mode: `MaxEncodedLen`)
	/// Storage: `Aura::Authorities` (r:1 w:0)
	/// Proof: `Aura::Authorities` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:1 w:0)
	/// Proof: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:1 w:0)
	/// Storage: `Balances::Holds` (r:5 w:4)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::Params` (r:1 w:0)
	/// Proof: `Rewards::Params` (`max_values`: Some(1), `max_size`: Some(29), added: 524, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:5 w:5)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::SlashTally` (r:4 w:4)
	/// Proof: `Rewards::SlashTally` (`max_values`: None, `max_size`: Some(68), added: 2543, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerJobs` (r:9 w:9)
	/// Proof: `Models::WorkerJobs` (`max_values`: None, `max_size`: Some(113), added: 2588, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerList` (r:1 w:1)
	/// Proof: `Models::WorkerList` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Models::DrawQueueBounds` (r:1 w:1)
	/// Proof: `Models::DrawQueueBounds` (`max_values`: Some(1), `max_size`: Some(16), added: 511, mode: `MaxEncodedLen`)
	/// Storage: `Models::DrawQueue` (r:0 w:1)
	/// Proof: `Models::DrawQueue` (`max_values`: None, `max_size`: Some(24), added: 2499, mode: `MaxEncodedLen`)
	fn submit_verification_rejected() -> Weight {
		// Minimum execution time: 5_576_592_000 picoseconds.
		Weight::from_parts(6_588_436_000, 24282)
			.saturating_add(T::DbWeight::get().reads(33_u64))
			.saturating_add(T::DbWeight::get().writes(27_u64))
	}
	/// Storage: `Models::Jobs` (r:1 w:1)
	/// Proof: `Models::Jobs` (`max_values`: None, `max_size`: Some(1254), added: 3729, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:8 w:8)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::Params` (r:1 w:0)
	/// Proof: `Rewards::Params` (`max_values`: Some(1), `max_size`: Some(29), added: 524, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:11 w:11)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::SlashTally` (r:7 w:7)
	/// Proof: `Rewards::SlashTally` (`max_values`: None, `max_size`: Some(68), added: 2543, mode: `MaxEncodedLen`)
	/// Storage: `Models::Workers` (r:7 w:0)
	/// Proof: `Models::Workers` (`max_values`: None, `max_size`: Some(456), added: 2931, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerJobs` (r:9 w:9)
	/// Proof: `Models::WorkerJobs` (`max_values`: None, `max_size`: Some(113), added: 2588, mode: `MaxEncodedLen`)
	/// Storage: `Models::Model` (r:1 w:1)
	/// Proof: `Models::Model` (`max_values`: None, `max_size`: Some(136), added: 2611, mode: `MaxEncodedLen`)
	/// Storage: `Models::ModelVersions` (r:0 w:1)
	/// Proof: `Models::ModelVersions` (`max_values`: None, `max_size`: Some(829), added: 3304, mode: `MaxEncodedLen`)
	fn poke_job() -> Weight {
		// Minimum execution time: 9_744_242_000 picoseconds.
		Weight::from_parts(10_068_785_000, 29623)
			.saturating_add(T::DbWeight::get().reads(45_u64))
			.saturating_add(T::DbWeight::get().writes(38_u64))
	}
	/// Storage: `Models::Model` (r:1 w:1)
	/// Proof: `Models::Model` (`max_values`: None, `max_size`: Some(136), added: 2611, mode: `MaxEncodedLen`)
	fn set_price() -> Weight {
		// Minimum execution time: 322_556_000 picoseconds.
		Weight::from_parts(414_534_000, 3601)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Models::Model` (r:1 w:1)
	/// Proof: `Models::Model` (`max_values`: None, `max_size`: Some(136), added: 2611, mode: `MaxEncodedLen`)
	fn transfer_ownership() -> Weight {
		// Minimum execution time: 318_951_000 picoseconds.
		Weight::from_parts(363_127_000, 3601)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Models::Model` (r:1 w:1)
	/// Proof: `Models::Model` (`max_values`: None, `max_size`: Some(136), added: 2611, mode: `MaxEncodedLen`)
	fn retire() -> Weight {
		// Minimum execution time: 331_398_000 picoseconds.
		Weight::from_parts(409_371_000, 3601)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Models::Workers` (r:1 w:1)
	/// Proof: `Models::Workers` (`max_values`: None, `max_size`: Some(456), added: 2931, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	fn top_up_bond() -> Weight {
		// Minimum execution time: 974_245_000 picoseconds.
		Weight::from_parts(1_218_146_000, 3921)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `Models::Workers` (r:1 w:1)
	/// Proof: `Models::Workers` (`max_values`: None, `max_size`: Some(456), added: 2931, mode: `MaxEncodedLen`)
	/// Storage: `Aura::Authorities` (r:1 w:0)
	/// Proof: `Aura::Authorities` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:1 w:0)
	/// Proof: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:1 w:0)
	/// Storage: `Models::WorkerJobs` (r:1 w:0)
	/// Proof: `Models::WorkerJobs` (`max_values`: None, `max_size`: Some(113), added: 2588, mode: `MaxEncodedLen`)
	/// Storage: `Attribution::OpenRecordCount` (r:1 w:0)
	/// Proof: `Attribution::OpenRecordCount` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerList` (r:1 w:1)
	/// Proof: `Models::WorkerList` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	fn remove_departed_worker() -> Weight {
		// Minimum execution time: 1_303_987_000 picoseconds.
		Weight::from_parts(1_429_636_000, 7365)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// Storage: `Models::VerifiersPerJob` (r:0 w:1)
	/// Proof: `Models::VerifiersPerJob` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	fn set_verifiers_per_job() -> Weight {
		// Minimum execution time: 119_732_000 picoseconds.
		Weight::from_parts(139_939_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Models::DrawQueueBounds` (r:1 w:1)
	/// Proof: `Models::DrawQueueBounds` (`max_values`: Some(1), `max_size`: Some(16), added: 511, mode: `MaxEncodedLen`)
	/// Storage: `Models::DrawQueue` (r:8 w:8)
	/// Proof: `Models::DrawQueue` (`max_values`: None, `max_size`: Some(24), added: 2499, mode: `MaxEncodedLen`)
	/// Storage: `Models::Jobs` (r:8 w:8)
	/// Proof: `Models::Jobs` (`max_values`: None, `max_size`: Some(1254), added: 3729, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerList` (r:1 w:0)
	/// Proof: `Models::WorkerList` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Models::Workers` (r:64 w:0)
	/// Proof: `Models::Workers` (`max_values`: None, `max_size`: Some(456), added: 2931, mode: `MaxEncodedLen`)
	/// Storage: `Aura::Authorities` (r:1 w:0)
	/// Proof: `Aura::Authorities` (`max_values`: Some(1), `max_size`: Some(1025), added: 1520, mode: `MaxEncodedLen`)
	/// Storage: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:64 w:0)
	/// Proof: UNKNOWN KEY `0x7472696275746172792f62656e63682f64657061727465642d76616c69646174` (r:64 w:0)
	/// Storage: `Balances::Holds` (r:64 w:0)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerJobs` (r:64 w:44)
	/// Proof: `Models::WorkerJobs` (`max_values`: None, `max_size`: Some(113), added: 2588, mode: `MaxEncodedLen`)
	/// Storage: `Models::VerifiersPerJob` (r:1 w:0)
	/// Proof: `Models::VerifiersPerJob` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:2 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	/// Component `n` ranges over `[0, 8]`.
	fn draw_jobs(n: u32, ) -> Weight {
		// Minimum execution time: 91_064_000 picoseconds.
		Weight::from_parts(7_796_410_654, 188574)
			.saturating_add(Weight::from_parts(2_319_302_396, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(163_u64))
			.saturating_add(T::DbWeight::get().reads((19_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(6_u64))
			.saturating_add(T::DbWeight::get().writes((8_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 3729).saturating_mul(n.into()))
	}
}

/// The same measured weights with RocksDB costs, for tests and mocks.
impl WeightInfo for () {
	fn register_base_model() -> Weight {
		Weight::from_parts(453_300_000, 3517)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn register_worker() -> Weight {
		Weight::from_parts(2_179_046_000, 3921)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn unregister_worker() -> Weight {
		Weight::from_parts(1_336_536_000, 3921)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn create_model(d: u32, ) -> Weight {
		Weight::from_parts(1_494_833_432, 3746)
			.saturating_add(Weight::from_parts(67_698_943, 0).saturating_mul(d.into()))
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(d.into())))
			.saturating_add(RocksDbWeight::get().writes(8_u64))
			.saturating_add(Weight::from_parts(0, 2595).saturating_mul(d.into()))
	}
	fn submit_training_result() -> Weight {
		Weight::from_parts(786_030_000, 6476)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn submit_verification_accepted() -> Weight {
		Weight::from_parts(10_672_186_000, 29623)
			.saturating_add(RocksDbWeight::get().reads(37_u64))
			.saturating_add(RocksDbWeight::get().writes(30_u64))
	}
	fn submit_verification_rejected() -> Weight {
		Weight::from_parts(6_588_436_000, 24282)
			.saturating_add(RocksDbWeight::get().reads(33_u64))
			.saturating_add(RocksDbWeight::get().writes(27_u64))
	}
	fn poke_job() -> Weight {
		Weight::from_parts(10_068_785_000, 29623)
			.saturating_add(RocksDbWeight::get().reads(45_u64))
			.saturating_add(RocksDbWeight::get().writes(38_u64))
	}
	fn set_price() -> Weight {
		Weight::from_parts(414_534_000, 3601)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn transfer_ownership() -> Weight {
		Weight::from_parts(363_127_000, 3601)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn retire() -> Weight {
		Weight::from_parts(409_371_000, 3601)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn top_up_bond() -> Weight {
		Weight::from_parts(1_218_146_000, 3921)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn remove_departed_worker() -> Weight {
		Weight::from_parts(1_429_636_000, 7365)
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn set_verifiers_per_job() -> Weight {
		Weight::from_parts(139_939_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn draw_jobs(n: u32, ) -> Weight {
		Weight::from_parts(7_796_410_654, 188574)
			.saturating_add(Weight::from_parts(2_319_302_396, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(163_u64))
			.saturating_add(RocksDbWeight::get().reads((19_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes(6_u64))
			.saturating_add(RocksDbWeight::get().writes((8_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 3729).saturating_mul(n.into()))
	}
}
