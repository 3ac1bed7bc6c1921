//! Paying out accrued rewards from the pot.

use crate::*;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::Mutate, tokens::Preservation},
};
use sp_runtime::traits::Zero;

impl<T: Config> Pallet<T> {
	pub(crate) fn do_claim(beneficiary: T::AccountId) -> DispatchResult {
		let amount = Claimable::<T>::get(&beneficiary);
		ensure!(!amount.is_zero(), Error::<T>::NothingToClaim);
		// The pot keeps its existential deposit; accruals never count it.
		T::Currency::transfer(&T::PotAccount::get(), &beneficiary, amount, Preservation::Preserve)?;
		Claimable::<T>::remove(&beneficiary);
		Self::deposit_event(Event::Claimed { beneficiary, amount });
		Ok(())
	}
}
