//! # Validators pallet
//!
//! Who validates Tributary: the accounts whose session keys (Aura, GRANDPA and the worker key
//! `trwk`) author blocks, finalize them and run the worker sidecars. The pallet is
//! `pallet-session`'s session manager; governance changes the set.
//!
//! - **Add or remove** ([`Pallet::add_validator`], [`Pallet::remove_validator`]): only
//!   `AdminOrigin` (in the runtime: the validator-admin referendum track, or root). An account is
//!   added only once it has set its session keys (`session.setKeys`), so it can author from its
//!   first session; the last validator is never removed, so the chain can always author.
//! - **Sessions.** A change made during session `s` is handed to `pallet-session` when session
//!   `s + 1` starts, which queues it for session `s + 2`: from then on Aura and GRANDPA (the
//!   session handlers) use the new set. Events name that session (`effective_session`).
//! - **Genesis.** The first validators are those of `pallet-session`'s genesis `keys`; this
//!   pallet copies them in its own genesis build, so a chain spec names them once. It must
//!   therefore come after `Session` in the runtime.
//!
//! What leaving means for the validator's worker is pallet-models' business: a worker whose
//! validator left may no longer act, and anyone can remove it (`models.removeDepartedWorker`).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod features;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::StaticLookup;

	/// The layout of the pallet's storage, version 0 since launch; a change to a stored type
	/// bumps it, together with its migration.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// `pallet-session` identifies validators by their accounts.
	#[pallet::config]
	pub trait Config:
		frame_system::Config<RuntimeEvent: From<Event<Self>>>
		+ pallet_session::Config<ValidatorId = <Self as frame_system::Config>::AccountId>
	{
		/// Who may add and remove validators.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The most validators: at most the authorities Aura and GRANDPA can hold.
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		type WeightInfo: WeightInfo;
		/// Session keys with their proof, for the accounts benchmarks add.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<
			<Self as frame_system::Config>::AccountId,
			<Self as pallet_session::Config>::Keys,
		>;
	}

	pub type ValidatorsOf<T> =
		BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxValidators>;

	/// The validator set as governance last left it: the authorities from the session after next
	/// (see the module docs), in the order they were added.
	#[pallet::storage]
	pub type Validators<T: Config> = StorageValue<_, ValidatorsOf<T>, ValueQuery>;

	/// Whether `Validators` changed since it was last handed to `pallet-session`.
	#[pallet::storage]
	pub type SetChanged<T: Config> = StorageValue<_, bool, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pallet::<T>::copy_genesis_validators();
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` was added; it authors from session `effective_session`.
		ValidatorAdded { who: T::AccountId, effective_session: SessionIndex },
		/// `who` was removed; it stops authoring from session `effective_session`.
		ValidatorRemoved { who: T::AccountId, effective_session: SessionIndex },
		/// The set changed by the calls above was handed to `pallet-session`, which queues it for
		/// session `session`.
		ValidatorSetQueued { session: SessionIndex, validators: ValidatorsOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is a validator already.
		AlreadyValidator,
		/// The account is not a validator.
		NotValidator,
		/// The account has no session keys: it must call `session.setKeys` with the keys its
		/// node made (`author_rotateKeys`) before it can be added.
		NoSessionKeys,
		/// The set holds `MaxValidators` already.
		TooManyValidators,
		/// The last validator cannot be removed: nobody would author blocks.
		LastValidator,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// The pallet's invariants ([`Pallet::do_try_state`]), after each block and upgrade.
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Add `who` to the validator set, from the session after next.
		///
		/// Origin: `AdminOrigin` (in the runtime: root or the validator-admin track).
		///
		/// Emits `ValidatorAdded`.
		///
		/// Errors: `AlreadyValidator` if `who` validates already; `NoSessionKeys` if `who` has not
		/// set its session keys; `TooManyValidators` if the set is full.
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::add_validator())]
		pub fn add_validator(origin: OriginFor<T>, who: AccountIdLookupOf<T>) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_add_validator(T::Lookup::lookup(who)?)
		}

		/// Remove `who` from the validator set, from the session after next.
		///
		/// Origin: `AdminOrigin` (in the runtime: root or the validator-admin track).
		///
		/// Emits `ValidatorRemoved`.
		///
		/// Errors: `NotValidator` if `who` does not validate; `LastValidator` if it is the only
		/// validator.
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::remove_validator())]
		pub fn remove_validator(origin: OriginFor<T>, who: AccountIdLookupOf<T>) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_remove_validator(T::Lookup::lookup(who)?)
		}
	}
}

/// Session keys and the proof that `owner` holds them (`session.setKeys`' arguments), which
/// benchmarks need to add an account.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, Keys> {
	fn session_keys(owner: &AccountId) -> (Keys, alloc::vec::Vec<u8>);
}

/// A session's index, as `pallet-session` counts them.
pub type SessionIndex = u32;

type AccountIdLookupOf<T> =
	<<T as frame_system::Config>::Lookup as sp_runtime::traits::StaticLookup>::Source;

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(new_index: SessionIndex) -> Option<alloc::vec::Vec<T::AccountId>> {
		Self::do_new_session(new_index)
	}

	/// The first validators are the session genesis keys' (see [`Pallet::copy_genesis_validators`]).
	fn new_session_genesis(_new_index: SessionIndex) -> Option<alloc::vec::Vec<T::AccountId>> {
		None
	}

	fn end_session(_end_index: SessionIndex) {}

	fn start_session(_start_index: SessionIndex) {}
}
