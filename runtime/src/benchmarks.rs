//! The pallets whose calls `tributary-node benchmark pallet` can measure.

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_utility, Utility]
	[pallet_sudo, Sudo]
	[pallet_datanets, Datanets]
	[pallet_models, Models]
	[pallet_attribution, Attribution]
	[pallet_rewards, Rewards]
	[pallet_validators, Validators]
);
