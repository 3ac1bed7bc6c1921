//! Configuration of the project's pallets: datanets and the model registry.

use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32, EnsureOrigin},
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::{traits::AccountIdConversion, Perbill};

use super::super::{
	AccountId, Balances, Datanets, Runtime, RuntimeHoldReason, RuntimeOrigin,
	HOURS, MILLI_UNIT, MINUTES, UNIT,
};

parameter_types! {
	pub const TreasuryPalletId: PalletId = PalletId(*b"trib/try");
	/// Receives publish fees and slashed deposits and bonds. Genesis endows it so that transfers
	/// of less than the existential deposit to it succeed.
	pub TreasuryAccount: AccountId = TreasuryPalletId::get().into_account_truncating();

	pub const SpamSlashRate: Perbill = Perbill::from_percent(50);
	pub const ChallengerRewardRate: Perbill = Perbill::from_percent(50);
	pub const TrainerShare: Perbill = Perbill::from_percent(70);
	pub const EvalTolerance: Perbill = Perbill::from_percent(5);
}

impl pallet_datanets::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type TreasuryAccount = TreasuryAccount;
	type DatanetDeposit = ConstU128<{ 10 * UNIT }>;
	type RowDepositBase = ConstU128<{ 10 * MILLI_UNIT }>;
	// 1 TRIB per MB of row content.
	type RowDepositPerByte = ConstU128<{ UNIT / 1_000_000 }>;
	type PublishFeeBase = ConstU128<{ 100 * MILLI_UNIT }>;
	type PublishFeePerByte = ConstU128<{ UNIT / 10_000_000 }>;
	type ChallengeBond = ConstU128<{ UNIT }>;
	type SpamSlashRate = SpamSlashRate;
	type ChallengerRewardRate = ChallengerRewardRate;
	type ChallengePeriod = ConstU32<{ 24 * HOURS }>;
	type MaxNameLen = ConstU32<64>;
	type MaxSummaryLen = ConstU32<256>;
	type MaxDescriptionLen = ConstU32<4096>;
	type MaxTagLen = ConstU32<32>;
	type MaxTags = ConstU32<16>;
	type MaxLicenseLen = ConstU32<64>;
	type MaxLabelLen = ConstU32<64>;
	type MaxCurators = ConstU32<16>;
	type MaxBatchSize = ConstU32<256>;
	type MaxRowsPerVersion = ConstU32<4096>;
	type WeightInfo = pallet_datanets::weights::SubstrateWeight<Runtime>;
}

/// Admits signed origins whose account is a current Aura authority: only validators run the
/// worker sidecar that trains and serves models. A validator's account is its sr25519 Aura key.
pub struct EnsureValidator;

impl EnsureValidator {
	fn is_validator(who: &AccountId) -> bool {
		pallet_aura::Authorities::<Runtime>::get()
			.iter()
			.any(|authority| AsRef::<[u8]>::as_ref(who) == AsRef::<[u8]>::as_ref(authority))
	}
}

impl EnsureOrigin<RuntimeOrigin> for EnsureValidator {
	type Success = AccountId;

	fn try_origin(origin: RuntimeOrigin) -> Result<AccountId, RuntimeOrigin> {
		match frame_system::ensure_signed(origin.clone()) {
			Ok(who) if Self::is_validator(&who) => Ok(who),
			_ => Err(origin),
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<RuntimeOrigin, ()> {
		let first = pallet_aura::Authorities::<Runtime>::get().first().cloned().ok_or(())?;
		let raw: [u8; 32] = AsRef::<[u8]>::as_ref(&first).try_into().map_err(|_| ())?;
		Ok(RuntimeOrigin::signed(AccountId::from(raw)))
	}
}

impl pallet_models::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Datanets = Datanets;
	type BaseModelOrigin = EnsureRoot<AccountId>;
	type WorkerOrigin = EnsureValidator;
	type TreasuryAccount = TreasuryAccount;
	type WorkerBond = ConstU128<{ 100 * UNIT }>;
	type MinJobFee = ConstU128<{ UNIT }>;
	type TrainerShare = TrainerShare;
	type EvalTolerance = EvalTolerance;
	type VerifiersPerJob = ConstU32<1>;
	type TrainingPeriod = ConstU32<{ 2 * HOURS }>;
	type VerificationPeriod = ConstU32<{ 30 * MINUTES }>;
	type MaxAttempts = ConstU32<3>;
	type MaxWorkers = ConstU32<64>;
	type MaxJobsPerWorker = ConstU32<8>;
	type MaxDatanetsPerJob = ConstU32<8>;
	type MaxNameLen = ConstU32<64>;
	type MaxArchitectureLen = ConstU32<32>;
	type MaxLicenseLen = ConstU32<64>;
	type MaxEndpointLen = ConstU32<256>;
	type MaxDeviceLen = ConstU32<128>;
	type WeightInfo = pallet_models::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = PublishedDatanetVersions;
}

/// Lets the model registry's benchmarks train on real datanet versions.
#[cfg(feature = "runtime-benchmarks")]
pub struct PublishedDatanetVersions;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_models::BenchmarkHelper for PublishedDatanetVersions {
	fn published_datanet_version(index: u32) -> tributary_primitives::models::DatanetVersionRef {
		let (datanet, version) = Datanets::benchmark_published_version(index);
		tributary_primitives::models::DatanetVersionRef { datanet, version }
	}
}
