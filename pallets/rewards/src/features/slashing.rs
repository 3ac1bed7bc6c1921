//! The one place held funds are slashed.

use crate::*;
use frame_support::traits::{
	fungible::{InspectHold, MutateHold},
	tokens::{Fortitude, Precision, Restriction},
	Get,
};
use sp_runtime::traits::{Saturating, Zero};
use tributary_primitives::rewards::SlashKind;
use tributary_primitives::traits::{SlashFees, Slashing};

impl<T: Config> Slashing<T::AccountId, BalanceOf<T>, T::RuntimeHoldReason> for Pallet<T> {
	fn slash_held(
		reason: &T::RuntimeHoldReason,
		offender: &T::AccountId,
		amount: BalanceOf<T>,
		kind: SlashKind,
		beneficiary: Option<&T::AccountId>,
	) -> BalanceOf<T> {
		let amount = amount.min(T::Currency::balance_on_hold(reason, offender));
		if amount.is_zero() {
			return Zero::zero();
		}
		let move_held = |destination: &T::AccountId, value: BalanceOf<T>| {
			if value.is_zero() {
				return Ok(Zero::zero());
			}
			T::Currency::transfer_on_hold(
				reason,
				offender,
				destination,
				value,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)
		};
		let share = Params::<T>::get().slash_beneficiary_share;
		// A beneficiary that cannot receive (e.g. below the existential deposit) forfeits its part
		// to the treasury.
		let to_beneficiary = beneficiary
			.and_then(|who| move_held(who, share.mul_floor(amount)).ok())
			.unwrap_or_else(Zero::zero);
		let to_treasury =
			move_held(&T::TreasuryAccount::get(), amount.saturating_sub(to_beneficiary))
				.unwrap_or_else(|_| Zero::zero());
		let taken = to_beneficiary.saturating_add(to_treasury);
		SlashTally::<T>::mutate(offender, |tally| {
			tally.count = tally.count.saturating_add(1);
			tally.total = tally.total.saturating_add(taken);
		});
		Self::deposit_event(Event::Slashed {
			offender: offender.clone(),
			kind,
			amount: taken,
			beneficiary: beneficiary.cloned(),
			to_beneficiary,
		});
		taken
	}
}

impl<T: Config> SlashFees<T::AccountId, BalanceOf<T>, T::RuntimeHoldReason> for Pallet<T> {
	fn pay_from_held(
		reason: &T::RuntimeHoldReason,
		offender: &T::AccountId,
		payee: &T::AccountId,
		amount: BalanceOf<T>,
		kind: SlashKind,
	) -> BalanceOf<T> {
		let amount = amount.min(T::Currency::balance_on_hold(reason, offender));
		if amount.is_zero() {
			return Zero::zero();
		}
		// A payee that cannot receive (e.g. below the existential deposit) gets nothing; the amount
		// stays held and is slashed with the rest.
		let paid = T::Currency::transfer_on_hold(
			reason,
			offender,
			payee,
			amount,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)
		.unwrap_or_else(|_| Zero::zero());
		if paid.is_zero() {
			return paid;
		}
		SlashTally::<T>::mutate(offender, |tally| tally.total = tally.total.saturating_add(paid));
		Self::deposit_event(Event::SlashFeePaid {
			offender: offender.clone(),
			kind,
			payee: payee.clone(),
			amount: paid,
		});
		paid
	}
}
