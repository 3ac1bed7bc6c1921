//! A test runtime: System, Balances and Rewards, with a hold reason of its own standing in for the
//! holds other pallets slash through rewards, and in-memory contributor reputation.

use crate as pallet_rewards;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, VariantCount},
};
use frame_system::EnsureRoot;
use scale_info::TypeInfo;
use sp_runtime::{BuildStorage, Perbill};
use std::{cell::RefCell, collections::BTreeMap};
use tributary_primitives::datanets::ContributorReputation;
use tributary_primitives::traits::ContributorReputationInspect;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Rewards: pallet_rewards,
	}
);

/// Why other pallets hold funds, as far as these tests need.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum TestHoldReason {
	Bond,
}

impl VariantCount for TestHoldReason {
	const VARIANT_COUNT: u32 = 1;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = TestHoldReason;
}

pub const OWNER: AccountId = 1;
pub const WORKER: AccountId = 2;
pub const OFFENDER: AccountId = 3;
pub const WINNER: AccountId = 4;
pub const TREASURY: AccountId = 98;
pub const POT: AccountId = 99;
pub const CONTRIBUTORS: [AccountId; 4] = [20, 21, 22, 23];
pub const INITIAL_BALANCE: Balance = 1_000_000;
/// The pot's existential deposit, never paid out.
pub const POT_FLOOR: Balance = 1;
pub const MAX_HISTORY: u32 = 3;

parameter_types! {
	pub const Pot: AccountId = POT;
	pub const Treasury: AccountId = TREASURY;
	pub DefaultParams: crate::RewardParams = default_params();
}

/// 10 % owner, 70 % contributors, 15 % worker, 5 % treasury; unattributed to the treasury;
/// penalized above 50 % slashed rows by half; slashes 40 % to the party proven right.
pub fn default_params() -> crate::RewardParams {
	crate::RewardParams {
		model_owner: Perbill::from_percent(10),
		contributors: Perbill::from_percent(70),
		worker: Perbill::from_percent(15),
		treasury: Perbill::from_percent(5),
		unattributed_to: crate::UnattributedTo::Treasury,
		penalty_threshold: Perbill::from_percent(50),
		penalty_reduction: Perbill::from_percent(50),
		slash_beneficiary_share: Perbill::from_percent(40),
	}
}

thread_local! {
	static REPUTATION: RefCell<BTreeMap<AccountId, ContributorReputation>> =
		const { RefCell::new(BTreeMap::new()) };
}

/// Stand-in for pallet-datanets' reputation counters.
pub struct Reputations;

impl ContributorReputationInspect<AccountId> for Reputations {
	fn reputation(who: &AccountId) -> ContributorReputation {
		REPUTATION.with(|reputation| reputation.borrow().get(who).copied().unwrap_or_default())
	}
}

pub fn set_reputation(who: AccountId, approved: u32, rejected: u32, slashed: u32) {
	REPUTATION.with(|reputation| {
		reputation
			.borrow_mut()
			.insert(who, ContributorReputation { approved, rejected, slashed })
	});
}

impl pallet_rewards::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = TestHoldReason;
	type Reputation = Reputations;
	type ParamsOrigin = EnsureRoot<AccountId>;
	type PotAccount = Pot;
	type TreasuryAccount = Treasury;
	type DefaultParams = DefaultParams;
	type MaxHistory = ConstU32<MAX_HISTORY>;
	type WeightInfo = ();
}

/// Genesis: owner, worker, offender, winner, treasury and contributors funded, the pot at its
/// floor; at block 1 so events are recorded.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let funded = [OWNER, WORKER, OFFENDER, WINNER, TREASURY]
		.into_iter()
		.chain(CONTRIBUTORS)
		.map(|who| (who, INITIAL_BALANCE))
		.chain([(POT, POT_FLOOR)]);
	pallet_balances::GenesisConfig::<Test> { balances: funded.collect(), ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		REPUTATION.with(|reputation| reputation.borrow_mut().clear());
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
	if let Err(error) = Rewards::do_try_state() {
		panic!("rewards invariant broken: {error:?}");
	}
}
