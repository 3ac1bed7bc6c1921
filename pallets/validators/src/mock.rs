//! A test runtime: System, Balances, Session (period 5 blocks, one test key per validator, a
//! handler that records the authorities it is given) and Validators as its session manager.

use crate as pallet_validators;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks},
};
use frame_system::EnsureRoot;
use pallet_session::{PeriodicSessions, SessionHandler};
use sp_runtime::{
	testing::UintAuthorityId,
	traits::{ConvertInto, OpaqueKeys},
	BuildStorage, KeyTypeId, RuntimeAppPublic,
};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Session: pallet_session,
		Validators: pallet_validators,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const SESSION_PERIOD: u64 = 5;
pub const GENESIS_VALIDATORS: [AccountId; 2] = [1, 2];
pub const MAX_VALIDATORS: u32 = 4;

parameter_types! {
	/// The authorities the session handler was last given, as Aura would hold them.
	pub static Authorities: Vec<AccountId> = vec![];
}

/// Stands in for Aura and GRANDPA: records the authorities of each new session.
pub struct RecordingHandler;

impl SessionHandler<AccountId> for RecordingHandler {
	const KEY_TYPE_IDS: &'static [KeyTypeId] = &[UintAuthorityId::ID];

	fn on_genesis_session<K: OpaqueKeys>(validators: &[(AccountId, K)]) {
		Authorities::set(validators.iter().map(|(who, _)| *who).collect());
	}

	fn on_new_session<K: OpaqueKeys>(
		_changed: bool,
		validators: &[(AccountId, K)],
		_queued: &[(AccountId, K)],
	) {
		Authorities::set(validators.iter().map(|(who, _)| *who).collect());
	}

	fn on_disabled(_validator_index: u32) {}
}

impl pallet_session::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = PeriodicSessions<ConstU64<SESSION_PERIOD>, ConstU64<0>>;
	type NextSessionRotation = PeriodicSessions<ConstU64<SESSION_PERIOD>, ConstU64<0>>;
	type SessionManager = Validators;
	type SessionHandler = RecordingHandler;
	type Keys = UintAuthorityId;
	type DisablingStrategy = ();
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = ConstU64<10>;
}

impl pallet_validators::Config for Test {
	type AdminOrigin = EnsureRoot<AccountId>;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestKeys;
}

/// A test key per account: its number.
#[cfg(feature = "runtime-benchmarks")]
pub struct TestKeys;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId, UintAuthorityId> for TestKeys {
	fn session_keys(owner: &AccountId) -> (UintAuthorityId, Vec<u8>) {
		(UintAuthorityId(*owner), vec![])
	}
}

/// Genesis validators 1 and 2 with their keys; accounts 1..=9 funded.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=9).map(|who| (who, 1_000)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_session::GenesisConfig::<Test> {
		keys: GENESIS_VALIDATORS.iter().map(|&who| (who, who, UintAuthorityId(who))).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_validators::GenesisConfig::<Test>::default()
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Run `test` on the genesis state, then check the pallet's invariants.
pub fn test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Validators::do_try_state().expect("invariants hold");
	});
}

/// Advance to the first block of session `session`, running Session's hooks as a block would.
pub fn run_to_session(session: u32) {
	while pallet_session::CurrentIndex::<Test>::get() < session {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Session::on_initialize(next);
	}
}
