//! A test runtime: System, Balances and Datanets, with small bounds so tests reach them, a
//! recording stand-in for pallet-rewards' slashing, root as the challenge judge, a fixed worker
//! set, and worker keys for the off-chain worker (`UintAuthorityId`s whose account is their
//! number).

use crate as pallet_datanets;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, Perbill};
use tributary_primitives::traits::WorkerSet;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Datanets: pallet_datanets,
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

pub const OWNER: AccountId = 1;
pub const CURATOR: AccountId = 2;
pub const ALICE: AccountId = 3;
pub const BOB: AccountId = 4;
pub const CHALLENGER: AccountId = 5;
/// Has no funds.
pub const PAUPER: AccountId = 6;
/// An active worker (funded).
pub const WORKER: AccountId = 7;
/// A registered worker that is not active (suspended: bond below the required one); funded.
pub const SUSPENDED_WORKER: AccountId = 8;
pub const TREASURY: AccountId = 99;
pub const INITIAL_BALANCE: Balance = 1_000_000;
pub const TREASURY_BALANCE: Balance = 1_000;

pub const DATANET_DEPOSIT: Balance = 500;
pub const ROW_DEPOSIT_BASE: Balance = 10;
pub const ROW_DEPOSIT_PER_BYTE: Balance = 2;
pub const PUBLISH_FEE_BASE: Balance = 100;
pub const PUBLISH_FEE_PER_BYTE: Balance = 1;
/// `ChallengeBondRate`: the bond is the row's deposit ...
pub const CHALLENGE_BOND_PERCENT: u32 = 100;
/// ... floored at `MinChallengeBond` (which binds for rows under 5 bytes).
pub const MIN_CHALLENGE_BOND: Balance = 20;
/// `ChallengeRewardRate`: half the deposit goes to the challenger of an upheld challenge.
pub const CHALLENGE_REWARD_PERCENT: u32 = 50;
pub const CHALLENGE_DECISION_PERIOD: u64 = 5;
pub const CHALLENGE_PERIOD: u64 = 10;
/// `NearDuplicateThreshold`: 60 % of a row's word bigrams seen before.
pub const NEAR_DUPLICATE_THRESHOLD: u32 = 600_000;
pub const MAX_NAME_LEN: u32 = 16;
pub const MAX_SUMMARY_LEN: u32 = 32;
pub const MAX_DESCRIPTION_LEN: u32 = 256;
pub const MAX_TAG_LEN: u32 = 8;
pub const MAX_TAGS: u32 = 3;
pub const MAX_LICENSE_LEN: u32 = 16;
pub const MAX_LABEL_LEN: u32 = 8;
pub const MAX_CURATORS: u32 = 2;
pub const MAX_BATCH: u32 = 4;
pub const MAX_ROWS_PER_VERSION: u32 = 6;

parameter_types! {
	pub const Treasury: AccountId = TREASURY;
	pub const SpamSlashRate: Perbill = Perbill::from_percent(50);
	pub const ChallengeBondRate: Perbill = Perbill::from_percent(CHALLENGE_BOND_PERCENT);
	pub const ChallengeRewardRate: Perbill = Perbill::from_percent(CHALLENGE_REWARD_PERCENT);
}

/// Stand-in for pallet-models' worker set: `WORKER` is active, `SUSPENDED_WORKER` registered
/// but not active.
pub struct Workers;

impl WorkerSet<AccountId> for Workers {
	fn is_worker(who: &AccountId) -> bool {
		[WORKER, SUSPENDED_WORKER].contains(who)
	}
	fn is_active(who: &AccountId) -> bool {
		*who == WORKER
	}
	fn workers() -> Vec<AccountId> {
		vec![WORKER, SUSPENDED_WORKER]
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_datanets::BenchmarkHelper<AccountId> for Workers {
	fn active_worker() -> AccountId {
		WORKER
	}
}

/// Stand-in for pallet-rewards' slashing: records each call, then moves the held amount whole to
/// the beneficiary, or to the treasury when there is none.
pub type SlashToBeneficiary = pallet_rewards::testing::SlashToBeneficiary<Balances, Treasury>;
pub type SlashCall = pallet_rewards::testing::SlashCall<AccountId, Balance, RuntimeHoldReason>;

pub type SlashFeeCall =
	pallet_rewards::testing::SlashFeeCall<AccountId, Balance, RuntimeHoldReason>;

/// The slashes made so far in this test.
pub fn slashes() -> Vec<SlashCall> {
	pallet_rewards::testing::slashes()
}

/// The payments out of held funds (upheld challenges' rewards) made so far in this test.
pub fn slash_fees() -> Vec<SlashFeeCall> {
	pallet_rewards::testing::slash_fees()
}

impl pallet_datanets::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type TreasuryAccount = Treasury;
	type Slashing = SlashToBeneficiary;
	type ChallengeOrigin = EnsureRoot<AccountId>;
	type Workers = Workers;
	type DatanetDeposit = frame_support::traits::ConstU64<DATANET_DEPOSIT>;
	type RowDepositBase = frame_support::traits::ConstU64<ROW_DEPOSIT_BASE>;
	type RowDepositPerByte = frame_support::traits::ConstU64<ROW_DEPOSIT_PER_BYTE>;
	type PublishFeeBase = frame_support::traits::ConstU64<PUBLISH_FEE_BASE>;
	type PublishFeePerByte = frame_support::traits::ConstU64<PUBLISH_FEE_PER_BYTE>;
	type ChallengeBondRate = ChallengeBondRate;
	type MinChallengeBond = frame_support::traits::ConstU64<MIN_CHALLENGE_BOND>;
	type ChallengeRewardRate = ChallengeRewardRate;
	type ChallengeDecisionPeriod = frame_support::traits::ConstU64<CHALLENGE_DECISION_PERIOD>;
	type SpamSlashRate = SpamSlashRate;
	type ChallengePeriod = frame_support::traits::ConstU64<CHALLENGE_PERIOD>;
	type NearDuplicateThreshold = frame_support::traits::ConstU32<NEAR_DUPLICATE_THRESHOLD>;
	type MaxNameLen = ConstU32<MAX_NAME_LEN>;
	type MaxSummaryLen = ConstU32<MAX_SUMMARY_LEN>;
	type MaxDescriptionLen = ConstU32<MAX_DESCRIPTION_LEN>;
	type MaxTagLen = ConstU32<MAX_TAG_LEN>;
	type MaxTags = ConstU32<MAX_TAGS>;
	type MaxLicenseLen = ConstU32<MAX_LICENSE_LEN>;
	type MaxLabelLen = ConstU32<MAX_LABEL_LEN>;
	type MaxCurators = ConstU32<MAX_CURATORS>;
	type MaxBatchSize = ConstU32<MAX_BATCH>;
	type MaxRowsPerVersion = ConstU32<MAX_ROWS_PER_VERSION>;
	type WeightInfo = ();
	type WorkerSigner = tributary_worker_client::testing::UintWorkerSigner;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Workers;
}

/// Genesis with funded accounts (all but `PAUPER`) and a funded treasury, at block 1 so events
/// are recorded.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [OWNER, CURATOR, ALICE, BOB, CHALLENGER, WORKER, SUSPENDED_WORKER]
			.into_iter()
			.map(|who| (who, INITIAL_BALANCE))
			.chain([(TREASURY, TREASURY_BALANCE)])
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		pallet_rewards::testing::clear_slashes();
	});
	ext
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
	if let Err(error) = Datanets::do_try_state() {
		panic!("datanets invariant broken: {error:?}");
	}
}

/// End the current block and move to `block` (no hooks run): the pallet's invariants are checked
/// at the end of every block the tests leave.
pub fn go_to_block(block: u64) {
	check_invariants();
	System::set_block_number(block);
}
