//! Read-only queries behind the runtime API.

use crate::*;
use alloc::vec::Vec;

impl<T: Config> Pallet<T> {
	/// Accrued and not yet claimed.
	pub fn claimable(who: &T::AccountId) -> BalanceOf<T> {
		Claimable::<T>::get(who)
	}

	/// The account's latest rewards, oldest first.
	pub fn reward_history(who: &T::AccountId) -> Vec<RewardEntry<BalanceOf<T>>> {
		History::<T>::get(who).into_inner()
	}

	pub fn params() -> RewardParams {
		Params::<T>::get()
	}

	pub fn slash_record(who: &T::AccountId) -> SlashRecord<BalanceOf<T>> {
		SlashTally::<T>::get(who)
	}
}
