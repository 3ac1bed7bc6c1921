//! # Rewards pallet
//!
//! - **Split parameters** ([`RewardParams`]): shares of each fee for the model owner, the data
//!   contributors, the serving worker and the treasury (validated to sum to exactly 100 %), where
//!   the contributors' unattributed remainder goes, the penalty threshold and reduction, and the
//!   beneficiary share of slashes. Set by `ParamsOrigin` (in the runtime: root or the parameters
//!   track).
//! - **On finalization** (pallet-attribution hands a record over through
//!   [`tributary_primitives::traits::OnRecordFinalized`], after moving its fee into the pot):
//!   the fee is split by [`split_fee`] — owner, worker and treasury shares, the contributors'
//!   pool pro rata to the record's scores, the unattributed part of the pool to the owner or the
//!   treasury, and all rounding dust to the treasury — and **accrued**: O(K) storage writes, no
//!   transfers. Conservation: `paid + dust == fee` for every record, so the pot always holds at
//!   least the sum of what is claimable.
//! - **Claims.** `claim(beneficiary)` pays an account everything accrued to it, from the pot.
//!   Anyone may trigger it (the funds only ever go to the beneficiary), so the treasury's accruals
//!   can be swept too.
//! - **Slashing** ([`tributary_primitives::traits::Slashing`]): the one place other pallets slash
//!   held funds (spam rows, bad trainers, lying workers, losing challengers). The slashed amount
//!   goes `slash_beneficiary_share` to the party proven right, the rest to the treasury; every
//!   slash is counted against the offender. Ahead of a slash, fixed fees may be paid whole out of
//!   the offender's held funds to those whose work proved the offence (dispute recomputers,
//!   [`tributary_primitives::traits::SlashFees`]).
//! - **Reputation.** A contributor's penalty score is `slashed ÷ (approved + rejected)` rows from
//!   the datanets counters ([`tributary_primitives::traits::ContributorReputationInspect`]).
//!   Above `penalty_threshold`, the contributor's rewards are cut by `penalty_reduction`; the cut
//!   goes to the treasury (nothing is lost).
//!
//! Balances are never created: all payouts come from fees moved into the pot or from slashed
//! holds. Every call validates before it writes; a failed call leaves storage as it was.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod features;
pub mod runtime_api;
#[cfg(feature = "testing")]
pub mod testing;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use features::split::{split_fee, Split};
pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate, MutateHold},
	};
	use frame_system::pallet_prelude::*;
	use tributary_primitives::rewards::{RecordId, SlashKind};
	use tributary_primitives::traits::ContributorReputationInspect;

	/// The layout of the pallet's storage. Version 0 is the layout the pallet launched with: no
	/// migration has run yet, and a chain whose storage predates this attribute reads as version 0
	/// too, so try-runtime's post-upgrade check (on-chain version equals in-code version) holds
	/// without a migration. A change to a stored type bumps it, together with its migration.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native currency. Slashes move funds other pallets hold, so the hold reason is the
		/// runtime's.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		type RuntimeHoldReason: Parameter + MaxEncodedLen;

		/// Contributor curation counters (pallet-datanets).
		type Reputation: ContributorReputationInspect<Self::AccountId>;

		/// Who may set the split parameters (in the runtime: root or the parameters track).
		type ParamsOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Holds finalized fees until they are claimed. It must exist (hold at least the
		/// existential deposit, which is never paid out).
		type PotAccount: Get<Self::AccountId>;
		/// Receives the treasury share, dust, penalties and slashes. It must exist.
		type TreasuryAccount: Get<Self::AccountId>;

		/// Parameters in force until `set_params` is first called.
		type DefaultParams: Get<RewardParams>;

		/// Entries kept in each account's reward history (oldest dropped first).
		#[pallet::constant]
		type MaxHistory: Get<u32>;

		type WeightInfo: WeightInfo;
	}

	/// The split parameters in force.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, RewardParams, ValueQuery, T::DefaultParams>;

	/// Accrued and not yet claimed, per account.
	#[pallet::storage]
	pub type Claimable<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>, ValueQuery>;

	/// The latest rewards of each account, oldest first.
	#[pallet::storage]
	pub type History<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, HistoryOf<T>, ValueQuery>;

	/// Slashes suffered, per account.
	#[pallet::storage]
	pub type SlashTally<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, SlashRecord<BalanceOf<T>>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The split parameters changed.
		ParamsSet { params: RewardParams },
		/// A finalized record's fee was split and accrued. `paid + dust == fee`.
		RecordRewarded {
			record: RecordId,
			fee: BalanceOf<T>,
			model_owner: BalanceOf<T>,
			contributors: BalanceOf<T>,
			worker: BalanceOf<T>,
			treasury: BalanceOf<T>,
			unattributed: BalanceOf<T>,
			penalties: BalanceOf<T>,
			dust: BalanceOf<T>,
		},
		/// `amount` was paid from the pot to `beneficiary`.
		Claimed { beneficiary: T::AccountId, amount: BalanceOf<T> },
		/// `amount` of `offender`'s held funds was slashed for `kind`: `to_beneficiary` of it to
		/// `beneficiary`, if any, the rest to the treasury.
		Slashed {
			offender: T::AccountId,
			kind: SlashKind,
			amount: BalanceOf<T>,
			beneficiary: Option<T::AccountId>,
			to_beneficiary: BalanceOf<T>,
		},
		/// Paid out of `offender`'s held funds to `payee`, whose work proved the offence, ahead
		/// of the slash (counted in the offender's slashed total).
		SlashFeePaid {
			offender: T::AccountId,
			kind: SlashKind,
			payee: T::AccountId,
			amount: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The owner, contributors, worker and treasury shares must sum to exactly 100 %.
		SplitNotWhole,
		/// The account has nothing to claim.
		NothingToClaim,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// The pallet's invariants ([`Pallet::do_try_state`]), after each block and upgrade.
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}

		fn integrity_test() {
			assert!(T::DefaultParams::get().validate(), "the default split must sum to 100 %");
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Set the split parameters: the fee shares of the model owner, the contributors, the
		/// worker and the treasury, where the contributors' unattributed remainder goes, the
		/// penalty threshold and reduction, and the beneficiary share of slashes. They apply to the
		/// records finalized and the slashes made from now on.
		///
		/// Origin: `ParamsOrigin` (root in the runtime).
		///
		/// Emits `ParamsSet`.
		///
		/// Errors: `SplitNotWhole` if the model owner, contributors, worker and treasury shares do
		/// not sum to exactly 100 %.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: RewardParams) -> DispatchResult {
			T::ParamsOrigin::ensure_origin(origin)?;
			Self::do_set_params(params)
		}

		/// Pay `beneficiary` everything accrued to it, from the pot. The funds only ever go to the
		/// beneficiary, so anyone may trigger it (the treasury's accruals can be swept this way
		/// too).
		///
		/// Origin: signed by any account.
		///
		/// Emits `Claimed`.
		///
		/// Errors: `NothingToClaim` if nothing is accrued to `beneficiary`; or the currency's error
		/// if the pot cannot pay the amount and keep its existential deposit.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::claim())]
		pub fn claim(origin: OriginFor<T>, beneficiary: T::AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_claim(beneficiary)
		}
	}
}
