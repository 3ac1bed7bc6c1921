//! The pallet's invariants, checked by `try_state` (try-runtime) and after every unit test.

use crate::*;
use alloc::format;
use frame_support::traits::{
	fungible::Inspect,
	tokens::{Fortitude, Preservation},
	Get,
};
use sp_runtime::{
	traits::{Saturating, Zero},
	TryRuntimeError,
};
use tributary_primitives::invariants::ensure_invariant;

impl<T: Config> Pallet<T> {
	/// Check the pallet's invariants; the error names the broken one and its key:
	/// - the split parameters in force are whole (the four shares sum to 100 %);
	/// - no `Claimable` entry is zero (claims remove the entry, accruals skip zero amounts);
	/// - every account with something claimable has a reward history, and no history is empty
	///   or holds a zero entry (unless `MaxHistory` is 0, which keeps no history);
	/// - the pot covers all claimable balances: what it can pay out while keeping its existential
	///   deposit is at least their sum (every accrual is part of a fee moved into the pot);
	/// - no slash tally is empty (a slash is counted, a fee paid from held funds takes something).
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let params = Params::<T>::get();
		ensure_invariant(params.validate(), || {
			format!("Params: the shares of {params:?} do not sum to 100 %")
		})?;

		let keeps_history = T::MaxHistory::get() > 0;
		let mut claimable_total = BalanceOf::<T>::zero();
		for (who, amount) in Claimable::<T>::iter() {
			ensure_invariant(!amount.is_zero(), || format!("Claimable: {who:?} has a zero entry"))?;
			ensure_invariant(!keeps_history || History::<T>::contains_key(&who), || {
				format!("Claimable: {who:?} has {amount:?} claimable but no reward history")
			})?;
			claimable_total = claimable_total.saturating_add(amount);
		}

		if keeps_history {
			for (who, history) in History::<T>::iter() {
				ensure_invariant(!history.is_empty(), || format!("History: {who:?} is empty"))?;
				let zero = history.iter().find(|entry| entry.amount.is_zero());
				ensure_invariant(zero.is_none(), || {
					format!(
						"History: {who:?} has a zero entry for record {:?}",
						zero.map(|e| e.record)
					)
				})?;
			}
		}

		let pot = T::PotAccount::get();
		let payable =
			T::Currency::reducible_balance(&pot, Preservation::Preserve, Fortitude::Polite);
		ensure_invariant(payable >= claimable_total, || {
			format!(
				"pot {pot:?}: can pay out {payable:?}, less than the {claimable_total:?} claimable \
				 in all"
			)
		})?;

		for (who, tally) in SlashTally::<T>::iter() {
			ensure_invariant(tally.count > 0 || !tally.total.is_zero(), || {
				format!("SlashTally: {who:?} has an empty tally")
			})?;
		}
		Ok(())
	}
}
