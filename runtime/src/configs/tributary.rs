//! Configuration of the project's pallets: datanets, the model registry, attribution and rewards.

use frame_support::{
	parameter_types,
	traits::{ConstU32, Contains, EitherOf, EnsureOrigin},
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::{traits::AccountIdConversion, Perbill};

use super::parameters::dynamic_params::{attribution, datanets, models};
use crate::{
	governance::{Catalogue, ParameterAdmin},
	AccountId, Attribution, Balances, BlockNumber, Datanets, Models, Rewards, Runtime,
	RuntimeHoldReason, RuntimeOrigin, Signature, MINUTES,
};
use tributary_primitives::WORKER_KEY_TYPE;

/// Root, or a referendum on the parameters track.
pub type EnsureParameterAdmin = EitherOf<EnsureRoot<AccountId>, ParameterAdmin>;
/// Root, or a referendum on the catalogue track.
pub type EnsureCatalogue = EitherOf<EnsureRoot<AccountId>, Catalogue>;

parameter_types! {
	pub const TreasuryPalletId: PalletId = PalletId(*b"trib/try");
	/// Receives publish fees and slashed deposits and bonds. Genesis endows it so that transfers
	/// of less than the existential deposit to it succeed.
	pub TreasuryAccount: AccountId = TreasuryPalletId::get().into_account_truncating();

	pub const RewardsPalletId: PalletId = PalletId(*b"trib/rwd");
	/// Holds finalized inference fees until their beneficiaries claim them. Genesis endows it
	/// with the existential deposit, which is never paid out.
	pub RewardsPot: AccountId = RewardsPalletId::get().into_account_truncating();
}

impl pallet_datanets::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type TreasuryAccount = TreasuryAccount;
	type Slashing = Rewards;
	// Moderation is the catalogue track's; never the datanet's owner or curators.
	type ChallengeOrigin = EnsureCatalogue;
	type Workers = Models;
	// The economics are runtime parameters (`configs::parameters`).
	type DatanetDeposit = datanets::DatanetDeposit;
	type RowDepositBase = datanets::RowDepositBase;
	type RowDepositPerByte = datanets::RowDepositPerByte;
	type PublishFeeBase = datanets::PublishFeeBase;
	type PublishFeePerByte = datanets::PublishFeePerByte;
	type ChallengeBondRate = datanets::ChallengeBondRate;
	type MinChallengeBond = datanets::MinChallengeBond;
	type ChallengeRewardRate = datanets::ChallengeRewardRate;
	type ChallengeDecisionPeriod = datanets::ChallengeDecisionPeriod;
	type SpamSlashRate = datanets::SpamSlashRate;
	type ChallengePeriod = datanets::ChallengePeriod;
	type NearDuplicateThreshold = datanets::NearDuplicateThreshold;
	type MaxNameLen = ConstU32<64>;
	type MaxSummaryLen = ConstU32<256>;
	type MaxDescriptionLen = ConstU32<4096>;
	type MaxTagLen = ConstU32<32>;
	type MaxTags = ConstU32<16>;
	type MaxLicenseLen = ConstU32<64>;
	type MaxLabelLen = ConstU32<64>;
	type MaxCurators = ConstU32<16>;
	type MaxBatchSize = ConstU32<256>;
	type MaxRowsPerVersion = ConstU32<1024>;
	type WeightInfo = pallet_datanets::weights::SubstrateWeight<Runtime>;
	type WorkerSigner = tributary_worker_client::WorkerSigner;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = DatanetsBenchmarks;
}

/// Active workers for the datanets pallet's `report_row` benchmark, registered through the
/// model registry.
#[cfg(feature = "runtime-benchmarks")]
pub struct DatanetsBenchmarks;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_datanets::BenchmarkHelper<AccountId> for DatanetsBenchmarks {
	fn active_worker() -> AccountId {
		Models::benchmark_workers(1).pop().expect("one worker was registered")
	}
}

/// Admits signed origins whose account is the worker key (`trwk`) of a validator of the current
/// session: only validators run the worker sidecar that trains and serves models. On the dev
/// networks a validator's worker key is its own account's key.
pub struct EnsureValidator;

impl EnsureValidator {
	fn is_validator(who: &AccountId) -> bool {
		pallet_session::Pallet::<Runtime>::key_owner(WORKER_KEY_TYPE, who.as_ref()).is_some_and(
			|validator| pallet_session::Validators::<Runtime>::get().contains(&validator),
		)
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
		let first = pallet_session::Validators::<Runtime>::get().first().cloned().ok_or(())?;
		let keys = pallet_session::Pallet::<Runtime>::load_keys(&first).ok_or(())?;
		let raw: [u8; 32] = AsRef::<[u8]>::as_ref(&keys.worker).try_into().map_err(|_| ())?;
		Ok(RuntimeOrigin::signed(AccountId::from(raw)))
	}
}

/// The worker accounts of the current session's validators: the validator set workers must
/// belong to.
///
/// With `runtime-benchmarks`, every account counts as a validator (after the set is read, so the
/// weight includes that read) unless a benchmark took it out: benchmarks register more workers
/// than the chain has validators.
pub struct ValidatorWorkers;

impl Contains<AccountId> for ValidatorWorkers {
	fn contains(who: &AccountId) -> bool {
		let validator = EnsureValidator::is_validator(who);
		#[cfg(feature = "runtime-benchmarks")]
		let validator = validator || !frame_support::storage::unhashed::exists(&departed_key(who));
		validator
	}
}

/// Where a benchmark marks an account as no longer a validator.
#[cfg(feature = "runtime-benchmarks")]
fn departed_key(who: &AccountId) -> alloc::vec::Vec<u8> {
	codec::Encode::encode(&(b"tributary/bench/departed-validator", who))
}

impl pallet_models::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Datanets = Datanets;
	type BaseModelOrigin = EnsureCatalogue;
	type WorkerOrigin = EnsureValidator;
	type ParamsOrigin = EnsureParameterAdmin;
	type Randomness = super::RecentBlockHashes;
	type ValidatorSet = ValidatorWorkers;
	type Slashing = Rewards;
	type OpenRecords = Attribution;
	type WorkerBond = models::WorkerBond;
	type MinJobFee = models::MinJobFee;
	type TrainerShare = models::TrainerShare;
	type EvalTolerance = models::EvalTolerance;
	// `VerifiersPerJob` itself is on chain (genesis presets, then `set_verifiers_per_job`).
	type MaxVerifiers = ConstU32<8>;
	type MinImprovement = models::MinImprovement;
	type VerifierSlash = models::VerifierSlash;
	type TrainerTimeoutSlash = models::TrainerTimeoutSlash;
	type LazyTrainerSlash = models::LazyTrainerSlash;
	type AssignmentDelay = ConstU32<2>;
	type MaxDrawsPerBlock = ConstU32<8>;
	type TrainingPeriod = models::TrainingPeriod;
	type VerificationPeriod = models::VerificationPeriod;
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
	type WorkerSigner = tributary_worker_client::WorkerSigner;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = PublishedDatanetVersions;
}

/// Lets the model registry's benchmarks train on real datanet versions.
#[cfg(feature = "runtime-benchmarks")]
pub struct PublishedDatanetVersions;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_models::BenchmarkHelper<AccountId> for PublishedDatanetVersions {
	fn published_datanet_version(index: u32) -> tributary_primitives::models::DatanetVersionRef {
		let (datanet, version) = Datanets::benchmark_published_version(index, 1);
		tributary_primitives::models::DatanetVersionRef { datanet, version }
	}

	fn leave_validator_set(who: &AccountId) {
		frame_support::storage::unhashed::put(&departed_key(who), &true);
	}
}

parameter_types! {
	pub WorkerBondReason: RuntimeHoldReason =
		RuntimeHoldReason::Models(pallet_models::HoldReason::WorkerBond);
	pub const DefaultRewardParams: pallet_rewards::RewardParams = pallet_rewards::RewardParams {
		model_owner: Perbill::from_percent(30),
		contributors: Perbill::from_percent(40),
		worker: Perbill::from_percent(20),
		treasury: Perbill::from_percent(10),
		unattributed_to: pallet_rewards::UnattributedTo::Treasury,
		penalty_threshold: Perbill::from_percent(20),
		penalty_reduction: Perbill::from_percent(50),
		slash_beneficiary_share: Perbill::from_percent(50),
	};
}

parameter_types! {
	/// Attribution parameters of a chain whose genesis sets none (each preset sets its own).
	pub DefaultAttributionParams: pallet_attribution::AttributionParams<BlockNumber> =
		attribution_params(4);
}

/// Attribution parameters for a network of `validators` validators: 3 recomputers from 4
/// validators on (so no single recomputer decides), else as many as can be drawn besides the
/// record's worker; the draw two blocks after the dispute; ten minutes to recompute (influence on
/// a CPU sidecar takes minutes); the workers' current method settings.
pub fn attribution_params(validators: u32) -> pallet_attribution::AttributionParams<BlockNumber> {
	pallet_attribution::AttributionParams {
		recomputers: if validators >= 4 { 3 } else { validators.saturating_sub(1).max(1) },
		draw_delay: 2,
		recompute_period: 10 * MINUTES,
		methods: tributary_primitives::attribution::MethodSettings::DEFAULT,
	}
}

impl pallet_attribution::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ReceiptSignature = Signature;
	type Models = Models;
	type Rows = Datanets;
	type Workers = Models;
	type WorkerBondReason = WorkerBondReason;
	type Slashing = Rewards;
	type OnFinalized = Rewards;
	type ParamsOrigin = EnsureParameterAdmin;
	type DefaultParams = DefaultAttributionParams;
	type Randomness = super::RecentBlockHashes;
	type ChallengeBond = attribution::ChallengeBond;
	type WorkerSlash = attribution::WorkerSlash;
	type RecomputerReward = attribution::RecomputerReward;
	type RecomputerSlash = attribution::RecomputerSlash;
	type ChallengeWindow = attribution::ChallengeWindow;
	type MaxRecomputers = ConstU32<7>;
	type MaxDrawsPerBlock = ConstU32<16>;
	type MaxScores = ConstU32<1024>;
	type MaxBatchSize = ConstU32<64>;
	type MaxTopK = ConstU32<16>;
	type MaxDuePerBlock = ConstU32<64>;
	type WeightInfo = pallet_attribution::weights::SubstrateWeight<Runtime>;
	type WorkerSigner = tributary_worker_client::WorkerSigner;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = AttributionBenchmarks;
}

impl pallet_rewards::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Reputation = Datanets;
	type ParamsOrigin = EnsureParameterAdmin;
	type PotAccount = RewardsPot;
	type TreasuryAccount = TreasuryAccount;
	type DefaultParams = DefaultRewardParams;
	type MaxHistory = ConstU32<32>;
	type WeightInfo = pallet_rewards::weights::SubstrateWeight<Runtime>;
}

/// Receipts, model versions and workers for the attribution pallet's benchmarks, made through
/// the real pallets.
#[cfg(feature = "runtime-benchmarks")]
pub struct AttributionBenchmarks;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_attribution::BenchmarkHelper<AccountId, Signature> for AttributionBenchmarks {
	fn sign(user: u32, payload: &[u8]) -> (AccountId, Signature) {
		const KEY_TYPE: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"bnch");
		let seed = alloc::format!("//benchmark-user-{user}").into_bytes();
		let public = sp_io::crypto::sr25519_generate(KEY_TYPE, Some(seed));
		let signature = sp_io::crypto::sr25519_sign(KEY_TYPE, &public, payload)
			.expect("the key was just generated");
		(AccountId::from(public), Signature::Sr25519(signature))
	}

	fn model_version_with_rows(
		rows: u32,
	) -> (
		tributary_primitives::models::ModelId,
		tributary_primitives::models::ModelVersionId,
		tributary_primitives::ContentHash,
		alloc::vec::Vec<tributary_primitives::attribution::RowRef>,
	) {
		use frame_support::traits::Get;
		use tributary_primitives::{attribution::RowRef, models::DatanetVersionRef};
		// A batch benchmark asks once per receipt: every receipt uses the one model version,
		// trained on a datanet version with the most rows a record can score.
		const MODEL: tributary_primitives::models::ModelId = 0;
		let most_rows = <Runtime as pallet_attribution::Config>::MaxTopK::get();
		let (datanet, version) = (0, 1);
		let adapter = match pallet_models::ModelVersions::<Runtime>::get(MODEL, 1) {
			Some(existing) => existing.result.adapter_hash,
			None => {
				let published = Datanets::benchmark_published_version(0, most_rows);
				assert_eq!(published, (datanet, version), "the benchmark's first datanet");
				let lineage = alloc::vec![DatanetVersionRef { datanet, version }]
					.try_into()
					.expect("one datanet version");
				Models::benchmark_model_version(lineage).2
			},
		};
		let rows = (0..u64::from(rows.min(most_rows))).map(|row| RowRef { datanet, row }).collect();
		(MODEL, 1, adapter, rows)
	}

	fn workers(count: u32) -> alloc::vec::Vec<AccountId> {
		let registered = pallet_models::WorkerList::<Runtime>::get().len() as u32;
		Models::benchmark_workers(count.saturating_sub(registered));
		pallet_models::WorkerList::<Runtime>::get().into_inner()
	}
}
