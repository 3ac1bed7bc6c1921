//! A test runtime: System, Balances and Models, with in-memory stand-ins for published datanet
//! versions, slashing (recording each call), workers' open attribution records and the current
//! validator set, a worker origin that admits a fixed validator set, and randomness taken from
//! the parent hash (so a test picks a draw by setting it).

use crate as pallet_models;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, EnsureOrigin},
};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, Perbill};
use std::{
	cell::RefCell,
	collections::{BTreeMap, BTreeSet},
};
use tributary_primitives::datanets::{DatanetId, PublishedRow, RowId, VersionId, VersionSummary};
use tributary_primitives::traits::{DatanetsInspect, OpenRecords};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Models: pallet_models,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

tributary_worker_client::impl_uint_signing!(Test);

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
}

pub const BUILDER: AccountId = 1;
pub const OTHER: AccountId = 2;
/// Has no funds.
pub const PAUPER: AccountId = 3;
pub const TREASURY: AccountId = 99;
/// Accounts `WorkerOrigin` admits; the last one has no funds.
pub const VALIDATORS: [AccountId; 8] = [10, 11, 12, 13, 14, 15, 16, 17];
pub const UNFUNDED_VALIDATOR: AccountId = 17;
pub const INITIAL_BALANCE: Balance = 1_000_000;
pub const TREASURY_BALANCE: Balance = 1_000;

pub const WORKER_BOND: Balance = 5_000;
pub const MIN_JOB_FEE: Balance = 100;
/// `VerifiersPerJob` at genesis.
pub const VERIFIERS: u32 = 3;
pub const MAX_VERIFIERS: u32 = 5;
pub const VERIFIER_SLASH: Balance = 1_000;
pub const TRAINER_TIMEOUT_SLASH: Balance = 2_000;
pub const LAZY_TRAINER_SLASH: Balance = 2_500;
pub const ASSIGNMENT_DELAY: u64 = 2;
pub const MAX_DRAWS_PER_BLOCK: u32 = 2;
pub const TRAINING_PERIOD: u64 = 10;
pub const VERIFICATION_PERIOD: u64 = 5;
pub const MAX_ATTEMPTS: u32 = 2;
pub const MAX_WORKERS: u32 = 6;
pub const MAX_JOBS_PER_WORKER: u32 = 2;
pub const MAX_DATANETS: u32 = 3;
pub const MAX_NAME_LEN: u32 = 16;
pub const MAX_ARCH_LEN: u32 = 8;
pub const MAX_LICENSE_LEN: u32 = 16;
pub const MAX_ENDPOINT_LEN: u32 = 32;
pub const MAX_DEVICE_LEN: u32 = 16;

parameter_types! {
	pub const Treasury: AccountId = TREASURY;
	pub const TrainerShare: Perbill = Perbill::from_percent(50);
	pub const EvalTolerance: Perbill = Perbill::from_percent(10);
	pub const MinImprovement: Perbill = Perbill::from_percent(10);
}

thread_local! {
	static DATANET_VERSIONS: RefCell<BTreeMap<(DatanetId, VersionId), VersionSummary>> =
		const { RefCell::new(BTreeMap::new()) };
	static WITH_OPEN_RECORDS: RefCell<BTreeSet<AccountId>> = const { RefCell::new(BTreeSet::new()) };
	static DEPARTED_VALIDATORS: RefCell<BTreeSet<AccountId>> = const { RefCell::new(BTreeSet::new()) };
}

/// Stand-in for the runtime's Aura authorities: every account is a validator until the test
/// takes it out with [`leave_validator_set`] (benchmarks register arbitrary accounts).
pub struct CurrentValidators;

impl frame_support::traits::Contains<AccountId> for CurrentValidators {
	fn contains(who: &AccountId) -> bool {
		!DEPARTED_VALIDATORS.with(|departed| departed.borrow().contains(who))
	}
}

/// Take `who` out of the validator set.
pub fn leave_validator_set(who: AccountId) {
	DEPARTED_VALIDATORS.with(|departed| departed.borrow_mut().insert(who));
}

/// The randomness draws use: `blake2_256(subject ++ parent_hash)`.
pub type Randomness = pallet_rewards::testing::ParentHashRandomness<Test>;

/// Stand-in for pallet-rewards' slashing: records each call, then moves the held amount whole to
/// the beneficiary, or to the treasury when there is none.
pub type SlashToBeneficiary = pallet_rewards::testing::SlashToBeneficiary<Balances, Treasury>;
pub type SlashCall = pallet_rewards::testing::SlashCall<AccountId, Balance, RuntimeHoldReason>;

/// The slashes made so far in this test.
pub fn slashes() -> Vec<SlashCall> {
	pallet_rewards::testing::slashes()
}

/// Stand-in for pallet-attribution: the accounts a test marked with [`set_open_records`].
pub struct AttributionRecords;

impl OpenRecords<AccountId> for AttributionRecords {
	fn has_open_records(who: &AccountId) -> bool {
		WITH_OPEN_RECORDS.with(|accounts| accounts.borrow().contains(who))
	}
}

/// Mark whether `who` has attribution records still open to dispute.
pub fn set_open_records(who: AccountId, open: bool) {
	WITH_OPEN_RECORDS.with(|accounts| {
		let mut accounts = accounts.borrow_mut();
		if open {
			accounts.insert(who);
		} else {
			accounts.remove(&who);
		}
	});
}

/// Stand-in for pallet-datanets: versions the test published with [`publish_datanet_version`].
pub struct PublishedVersions;

impl DatanetsInspect for PublishedVersions {
	fn version(datanet: DatanetId, version: VersionId) -> Option<VersionSummary> {
		DATANET_VERSIONS.with(|versions| versions.borrow().get(&(datanet, version)).copied())
	}

	/// Rows `0..row_count`, each hashed from its (datanet, version, row), `row + 1` bytes long.
	fn published_rows(datanet: DatanetId, version: VersionId) -> Vec<PublishedRow> {
		let row_count = Self::version(datanet, version).map_or(0, |summary| summary.row_count);
		(0..row_count as RowId)
			.map(|row| PublishedRow {
				row,
				content_hash: tributary_primitives::content_hash(&codec::Encode::encode(&(
					datanet, version, row,
				))),
				byte_len: row as u32 + 1,
			})
			.collect()
	}
}

/// Make a datanet version visible to the pallet; its merkle root is derived from the ids.
pub fn publish_datanet_version(
	datanet: DatanetId,
	version: VersionId,
	row_count: u32,
) -> VersionSummary {
	let summary = VersionSummary {
		merkle_root: tributary_primitives::content_hash(&codec::Encode::encode(&(
			datanet, version,
		))),
		row_count,
		total_bytes: row_count as u64 * 100,
	};
	DATANET_VERSIONS.with(|versions| versions.borrow_mut().insert((datanet, version), summary));
	summary
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_models::BenchmarkHelper<AccountId> for PublishedVersions {
	fn published_datanet_version(index: u32) -> tributary_primitives::models::DatanetVersionRef {
		publish_datanet_version(index, 1, 10);
		tributary_primitives::models::DatanetVersionRef { datanet: index, version: 1 }
	}

	fn leave_validator_set(who: &AccountId) {
		leave_validator_set(*who);
	}
}

/// Admits signed origins of [`VALIDATORS`], as the runtime's validator-set check would.
pub struct EnsureValidator;

impl EnsureOrigin<RuntimeOrigin> for EnsureValidator {
	type Success = AccountId;

	fn try_origin(origin: RuntimeOrigin) -> Result<AccountId, RuntimeOrigin> {
		let raw: Result<frame_system::RawOrigin<AccountId>, RuntimeOrigin> = origin.clone().into();
		match raw {
			Ok(frame_system::RawOrigin::Signed(who)) if VALIDATORS.contains(&who) => Ok(who),
			_ => Err(origin),
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<RuntimeOrigin, ()> {
		Ok(RuntimeOrigin::signed(VALIDATORS[0]))
	}
}

impl pallet_models::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Datanets = PublishedVersions;
	type BaseModelOrigin = EnsureRoot<AccountId>;
	type WorkerOrigin = EnsureValidator;
	type ParamsOrigin = EnsureRoot<AccountId>;
	type Randomness = Randomness;
	type ValidatorSet = CurrentValidators;
	type Slashing = SlashToBeneficiary;
	type OpenRecords = AttributionRecords;
	type WorkerBond = ConstU64<WORKER_BOND>;
	type MinJobFee = ConstU64<MIN_JOB_FEE>;
	type TrainerShare = TrainerShare;
	type EvalTolerance = EvalTolerance;
	type MaxVerifiers = ConstU32<MAX_VERIFIERS>;
	type MinImprovement = MinImprovement;
	type VerifierSlash = ConstU64<VERIFIER_SLASH>;
	type TrainerTimeoutSlash = ConstU64<TRAINER_TIMEOUT_SLASH>;
	type LazyTrainerSlash = ConstU64<LAZY_TRAINER_SLASH>;
	type AssignmentDelay = ConstU64<ASSIGNMENT_DELAY>;
	type MaxDrawsPerBlock = ConstU32<MAX_DRAWS_PER_BLOCK>;
	type TrainingPeriod = ConstU64<TRAINING_PERIOD>;
	type VerificationPeriod = ConstU64<VERIFICATION_PERIOD>;
	type MaxAttempts = ConstU32<MAX_ATTEMPTS>;
	type MaxWorkers = ConstU32<MAX_WORKERS>;
	type MaxJobsPerWorker = ConstU32<MAX_JOBS_PER_WORKER>;
	type MaxDatanetsPerJob = ConstU32<MAX_DATANETS>;
	type MaxNameLen = ConstU32<MAX_NAME_LEN>;
	type MaxArchitectureLen = ConstU32<MAX_ARCH_LEN>;
	type MaxLicenseLen = ConstU32<MAX_LICENSE_LEN>;
	type MaxEndpointLen = ConstU32<MAX_ENDPOINT_LEN>;
	type MaxDeviceLen = ConstU32<MAX_DEVICE_LEN>;
	type WeightInfo = ();
	type WorkerSigner = tributary_worker_client::testing::UintWorkerSigner;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = PublishedVersions;
}

/// Genesis with funded accounts (all but `PAUPER` and `UNFUNDED_VALIDATOR`), a funded treasury,
/// `VERIFIERS` verifiers per job, and datanet versions (0, 1) and (1, 1) published; at block 1
/// so events are recorded.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let funded = [BUILDER, OTHER]
		.into_iter()
		.chain(VALIDATORS.into_iter().filter(|v| *v != UNFUNDED_VALIDATOR))
		.map(|who| (who, INITIAL_BALANCE))
		.chain([(TREASURY, TREASURY_BALANCE)]);
	pallet_balances::GenesisConfig::<Test> { balances: funded.collect(), ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_models::GenesisConfig::<Test> { verifiers_per_job: VERIFIERS, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		DATANET_VERSIONS.with(|versions| versions.borrow_mut().clear());
		pallet_rewards::testing::clear_slashes();
		WITH_OPEN_RECORDS.with(|accounts| accounts.borrow_mut().clear());
		DEPARTED_VALIDATORS.with(|departed| departed.borrow_mut().clear());
		publish_datanet_version(0, 1, 10);
		publish_datanet_version(1, 1, 20);
	});
	ext
}

/// Run the blocks after the current one up to `block`, each with a parent hash derived from its
/// number and the pallet's `on_initialize` (which makes the due draws).
pub fn run_to_block(block: u64) {
	use frame_support::traits::Hooks;
	while System::block_number() < block {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		System::set_parent_hash(sp_runtime::testing::H256(sp_io::hashing::blake2_256(
			&codec::Encode::encode(&(b"parent", next)),
		)));
		Models::on_initialize(next);
		check_invariants();
	}
}

/// Run `test` in fresh externalities ([`new_test_ext`]), then check the pallet's invariants.
pub fn build_and_execute<R>(test: impl FnOnce() -> R) -> R {
	new_test_ext().execute_with(|| {
		let result = test();
		check_invariants();
		result
	})
}

/// The pallet's `try_state` checks: panics naming the broken invariant.
pub fn check_invariants() {
	if let Err(error) = Models::do_try_state() {
		panic!("models invariant broken: {error:?}");
	}
}

/// End the current block and move to `block` (no hooks run): the pallet's invariants are checked
/// at the end of every block the tests leave.
pub fn go_to_block(block: u64) {
	check_invariants();
	System::set_block_number(block);
}
