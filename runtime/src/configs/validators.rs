//! The validator set: `pallet-session` rotates sessions and hands each session's validators to
//! Aura and GRANDPA; `pallet-validators` is its session manager, changed by referenda on the
//! validator-admin track. A validator's session keys are Aura, GRANDPA and its worker key
//! (`trwk`), whose account is the one its off-chain workers and sidecar act as.

use frame_support::traits::{EitherOf, OneSessionHandler};
use frame_system::EnsureRoot;
use pallet_session::PeriodicSessions;
use sp_runtime::traits::{ConstU32, ConvertInto};

use super::parameters::dynamic_params::validators;
use crate::{
	governance::{tracks::Period, ValidatorAdmin},
	AccountId, Balances, Runtime, SessionKeys, Validators, WorkerKey, HOURS,
};

/// Root, or a referendum on the validator-admin track.
pub type EnsureValidatorAdmin = EitherOf<EnsureRoot<AccountId>, ValidatorAdmin>;

/// An hour per session on a production network; 10 blocks (30 s) on the development presets, so
/// a validator added by referendum authors within about a minute.
pub type SessionPeriod = Period<HOURS, 10>;
/// Sessions start at block 0.
pub type SessionOffset = ConstU32<0>;

impl pallet_session::Config for Runtime {
	type RuntimeEvent = crate::RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = PeriodicSessions<SessionPeriod, SessionOffset>;
	type NextSessionRotation = PeriodicSessions<SessionPeriod, SessionOffset>;
	type SessionManager = Validators;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	// No staking, so no offences to disable validators for: governance removes them.
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = validators::SessionKeyDeposit;
}

impl pallet_validators::Config for Runtime {
	type AdminOrigin = EnsureValidatorAdmin;
	/// As many as Aura and GRANDPA hold.
	type MaxValidators = ConstU32<32>;
	type WeightInfo = pallet_validators::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = GeneratedSessionKeys;
}

/// The worker key needs nothing from sessions: the worker's permissions follow its validator's
/// membership (`EnsureValidator`), looked up through the key's owner.
impl OneSessionHandler<AccountId> for WorkerKey {
	type Key = tributary_primitives::worker_crypto::Public;

	fn on_genesis_session<'a, I>(_validators: I)
	where
		I: Iterator<Item = (&'a AccountId, Self::Key)> + 'a,
	{
	}

	fn on_new_session<'a, I>(_changed: bool, _validators: I, _queued_validators: I)
	where
		I: Iterator<Item = (&'a AccountId, Self::Key)> + 'a,
	{
	}

	fn on_disabled(_validator_index: u32) {}
}

/// Fresh session keys from the benchmark's keystore, with their proof for `owner`.
#[cfg(feature = "runtime-benchmarks")]
pub struct GeneratedSessionKeys;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_validators::BenchmarkHelper<AccountId, SessionKeys> for GeneratedSessionKeys {
	fn session_keys(owner: &AccountId) -> (SessionKeys, alloc::vec::Vec<u8>) {
		let generated = SessionKeys::generate(&codec::Encode::encode(owner), None);
		(generated.keys, codec::Encode::encode(&generated.proof))
	}
}
