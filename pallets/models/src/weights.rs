//! Weights for `pallet_models`, measured by `tributary-node benchmark pallet` (scripts/bench-weights.sh).
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
		// Minimum execution time: 304_225_000 picoseconds.
		Weight::from_parts(478_416_000, 3517)
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
		// Minimum execution time: 1_177_421_000 picoseconds.
		Weight::from_parts(1_907_618_000, 3921)
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
		// Minimum execution time: 1_219_340_000 picoseconds.
		Weight::from_parts(1_446_726_000, 3921)
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
	/// Storage: `Models::WorkerList` (r:1 w:0)
	/// Proof: `Models::WorkerList` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerJobs` (r:64 w:2)
	/// Proof: `Models::WorkerJobs` (`max_values`: None, `max_size`: Some(113), added: 2588, mode: `MaxEncodedLen`)
	/// Storage: `System::ParentHash` (r:1 w:0)
	/// Proof: `System::ParentHash` (`max_values`: Some(1), `max_size`: Some(32), added: 527, mode: `MaxEncodedLen`)
	/// Storage: `Models::Jobs` (r:0 w:1)
	/// Proof: `Models::Jobs` (`max_values`: None, `max_size`: Some(681), added: 3156, mode: `MaxEncodedLen`)
	/// Storage: `Models::Model` (r:0 w:1)
	/// Proof: `Models::Model` (`max_values`: None, `max_size`: Some(136), added: 2611, mode: `MaxEncodedLen`)
	/// Component `d` ranges over `[1, 8]`.
	fn create_model(d: u32, ) -> Weight {
		// Minimum execution time: 3_571_485_000 picoseconds.
		Weight::from_parts(4_329_784_286, 166622)
			.saturating_add(Weight::from_parts(89_347_868, 0).saturating_mul(d.into()))
			.saturating_add(T::DbWeight::get().reads(71_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(d.into())))
			.saturating_add(T::DbWeight::get().writes(8_u64))
			.saturating_add(Weight::from_parts(0, 2595).saturating_mul(d.into()))
	}
	/// Storage: `Models::Jobs` (r:1 w:1)
	/// Proof: `Models::Jobs` (`max_values`: None, `max_size`: Some(681), added: 3156, mode: `MaxEncodedLen`)
	fn submit_training_result() -> Weight {
		// Minimum execution time: 401_927_000 picoseconds.
		Weight::from_parts(453_317_000, 4146)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Models::Jobs` (r:1 w:1)
	/// Proof: `Models::Jobs` (`max_values`: None, `max_size`: Some(681), added: 3156, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:3 w:3)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Models::Model` (r:1 w:1)
	/// Proof: `Models::Model` (`max_values`: None, `max_size`: Some(136), added: 2611, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerJobs` (r:2 w:2)
	/// Proof: `Models::WorkerJobs` (`max_values`: None, `max_size`: Some(113), added: 2588, mode: `MaxEncodedLen`)
	/// Storage: `Models::ModelVersions` (r:0 w:1)
	/// Proof: `Models::ModelVersions` (`max_values`: None, `max_size`: Some(605), added: 3080, mode: `MaxEncodedLen`)
	fn submit_verification_accepted() -> Weight {
		// Minimum execution time: 2_259_439_000 picoseconds.
		Weight::from_parts(2_591_703_000, 8799)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(9_u64))
	}
	/// Storage: `Models::Jobs` (r:1 w:1)
	/// Proof: `Models::Jobs` (`max_values`: None, `max_size`: Some(681), added: 3156, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::Params` (r:1 w:0)
	/// Proof: `Rewards::Params` (`max_values`: Some(1), `max_size`: Some(29), added: 524, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:2 w:2)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Rewards::SlashTally` (r:1 w:1)
	/// Proof: `Rewards::SlashTally` (`max_values`: None, `max_size`: Some(68), added: 2543, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerList` (r:1 w:1)
	/// Proof: `Models::WorkerList` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerJobs` (r:64 w:3)
	/// Proof: `Models::WorkerJobs` (`max_values`: None, `max_size`: Some(113), added: 2588, mode: `MaxEncodedLen`)
	/// Storage: `System::ParentHash` (r:1 w:0)
	/// Proof: `System::ParentHash` (`max_values`: Some(1), `max_size`: Some(32), added: 527, mode: `MaxEncodedLen`)
	/// Storage: `Models::Workers` (r:0 w:1)
	/// Proof: `Models::Workers` (`max_values`: None, `max_size`: Some(456), added: 2931, mode: `MaxEncodedLen`)
	fn submit_verification_rejected() -> Weight {
		// Minimum execution time: 3_986_096_000 picoseconds.
		Weight::from_parts(4_817_583_000, 166622)
			.saturating_add(T::DbWeight::get().reads(72_u64))
			.saturating_add(T::DbWeight::get().writes(10_u64))
	}
	/// Storage: `Models::Jobs` (r:1 w:1)
	/// Proof: `Models::Jobs` (`max_values`: None, `max_size`: Some(681), added: 3156, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerJobs` (r:64 w:4)
	/// Proof: `Models::WorkerJobs` (`max_values`: None, `max_size`: Some(113), added: 2588, mode: `MaxEncodedLen`)
	/// Storage: `Models::WorkerList` (r:1 w:0)
	/// Proof: `Models::WorkerList` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `System::ParentHash` (r:1 w:0)
	/// Proof: `System::ParentHash` (`max_values`: Some(1), `max_size`: Some(32), added: 527, mode: `MaxEncodedLen`)
	fn poke_job() -> Weight {
		// Minimum execution time: 2_845_792_000 picoseconds.
		Weight::from_parts(3_086_367_000, 166622)
			.saturating_add(T::DbWeight::get().reads(67_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `Models::Model` (r:1 w:1)
	/// Proof: `Models::Model` (`max_values`: None, `max_size`: Some(136), added: 2611, mode: `MaxEncodedLen`)
	fn set_price() -> Weight {
		// Minimum execution time: 359_487_000 picoseconds.
		Weight::from_parts(420_834_000, 3601)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Models::Model` (r:1 w:1)
	/// Proof: `Models::Model` (`max_values`: None, `max_size`: Some(136), added: 2611, mode: `MaxEncodedLen`)
	fn transfer_ownership() -> Weight {
		// Minimum execution time: 357_638_000 picoseconds.
		Weight::from_parts(414_874_000, 3601)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Models::Model` (r:1 w:1)
	/// Proof: `Models::Model` (`max_values`: None, `max_size`: Some(136), added: 2611, mode: `MaxEncodedLen`)
	fn retire() -> Weight {
		// Minimum execution time: 355_039_000 picoseconds.
		Weight::from_parts(408_315_000, 3601)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	// Hand-written, conservative estimates until scripts/bench-weights.sh measures them: the
	// same costs as `register_worker` (top_up_bond), `unregister_worker` plus the validator-set
	// read (remove_departed_worker), `set_price` (set_verifiers_per_job), and per draw the
	// selection `poke_job` used to make over a full worker set (draw_jobs).
	/// Storage: `Models::Workers` (r:1 w:1), `Balances::Holds` (r:1 w:1), `System::Account` (r:1 w:1)
	fn top_up_bond() -> Weight {
		Weight::from_parts(1_907_618_000, 3921)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `Aura::Authorities` (r:1 w:0), then as `unregister_worker`.
	fn remove_departed_worker() -> Weight {
		Weight::from_parts(1_700_000_000, 3921)
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// Storage: `Models::VerifiersPerJob` (r:0 w:1)
	fn set_verifiers_per_job() -> Weight {
		Weight::from_parts(420_834_000, 1489)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Models::DrawQueueBounds` (r:1 w:1), `Models::DrawQueue` (r:1 w:1 per draw),
	/// `Models::Jobs` (r:1 w:1 per draw), `Models::WorkerList` (r:1), `Models::WorkerJobs`
	/// (r:64 w:9 per draw), `Balances::Holds` (r:64 per draw), `Aura::Authorities` (r:1),
	/// `System::BlockHash` (r:16 per draw).
	/// Component `n` ranges over `[0, MaxDrawsPerBlock]`.
	fn draw_jobs(n: u32, ) -> Weight {
		Weight::from_parts(500_000_000, 4146)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(Weight::from_parts(4_000_000_000, 166622).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads((148_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes((11_u64).saturating_mul(n.into())))
	}
}

/// The same measured weights with RocksDB costs, for tests and mocks.
impl WeightInfo for () {
	fn register_base_model() -> Weight {
		Weight::from_parts(478_416_000, 3517)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn register_worker() -> Weight {
		Weight::from_parts(1_907_618_000, 3921)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn unregister_worker() -> Weight {
		Weight::from_parts(1_446_726_000, 3921)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn create_model(d: u32, ) -> Weight {
		Weight::from_parts(4_329_784_286, 166622)
			.saturating_add(Weight::from_parts(89_347_868, 0).saturating_mul(d.into()))
			.saturating_add(RocksDbWeight::get().reads(71_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(d.into())))
			.saturating_add(RocksDbWeight::get().writes(8_u64))
			.saturating_add(Weight::from_parts(0, 2595).saturating_mul(d.into()))
	}
	fn submit_training_result() -> Weight {
		Weight::from_parts(453_317_000, 4146)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn submit_verification_accepted() -> Weight {
		Weight::from_parts(2_591_703_000, 8799)
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().writes(9_u64))
	}
	fn submit_verification_rejected() -> Weight {
		Weight::from_parts(4_817_583_000, 166622)
			.saturating_add(RocksDbWeight::get().reads(72_u64))
			.saturating_add(RocksDbWeight::get().writes(10_u64))
	}
	fn poke_job() -> Weight {
		Weight::from_parts(3_086_367_000, 166622)
			.saturating_add(RocksDbWeight::get().reads(67_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	fn set_price() -> Weight {
		Weight::from_parts(420_834_000, 3601)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn transfer_ownership() -> Weight {
		Weight::from_parts(414_874_000, 3601)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn retire() -> Weight {
		Weight::from_parts(408_315_000, 3601)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	// Hand-written, conservative estimates until scripts/bench-weights.sh measures them: the
	// same costs as `register_worker` (top_up_bond), `unregister_worker` plus the validator-set
	// read (remove_departed_worker), `set_price` (set_verifiers_per_job), and per draw the
	// selection `poke_job` used to make over a full worker set (draw_jobs).
	/// Storage: `Models::Workers` (r:1 w:1), `Balances::Holds` (r:1 w:1), `System::Account` (r:1 w:1)
	fn top_up_bond() -> Weight {
		Weight::from_parts(1_907_618_000, 3921)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	/// Storage: `Aura::Authorities` (r:1 w:0), then as `unregister_worker`.
	fn remove_departed_worker() -> Weight {
		Weight::from_parts(1_700_000_000, 3921)
			.saturating_add(RocksDbWeight::get().reads(7_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	/// Storage: `Models::VerifiersPerJob` (r:0 w:1)
	fn set_verifiers_per_job() -> Weight {
		Weight::from_parts(420_834_000, 1489)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	/// Storage: `Models::DrawQueueBounds` (r:1 w:1), `Models::DrawQueue` (r:1 w:1 per draw),
	/// `Models::Jobs` (r:1 w:1 per draw), `Models::WorkerList` (r:1), `Models::WorkerJobs`
	/// (r:64 w:9 per draw), `Balances::Holds` (r:64 per draw), `Aura::Authorities` (r:1),
	/// `System::BlockHash` (r:16 per draw).
	/// Component `n` ranges over `[0, MaxDrawsPerBlock]`.
	fn draw_jobs(n: u32, ) -> Weight {
		Weight::from_parts(500_000_000, 4146)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
			.saturating_add(Weight::from_parts(4_000_000_000, 166622).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads((148_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes((11_u64).saturating_mul(n.into())))
	}
}
