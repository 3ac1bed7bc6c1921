//! Challenging approved rows, resolving challenges, and releasing deposits after the challenge
//! period.

use crate::*;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::traits::{Saturating, Zero};
use tributary_primitives::{
	datanets::{ChallengeKind, DatanetId, RowId, RowStatus},
	rewards::{SlashKind, Slashing},
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_challenge_row(
		who: T::AccountId,
		datanet: DatanetId,
		row: RowId,
		kind: ChallengeKind,
	) -> DispatchResult {
		Self::datanet(datanet)?;
		let info = Rows::<T>::get(datanet, row).ok_or(Error::<T>::UnknownRow)?;
		ensure!(
			matches!(info.status, RowStatus::Approved | RowStatus::Published(_)) &&
				!info.deposit.is_zero(),
			Error::<T>::RowNotChallengeable
		);
		ensure!(!Challenges::<T>::contains_key(datanet, row), Error::<T>::ChallengeAlreadyOpen);
		let bond = T::ChallengeBond::get();
		T::Currency::hold(&HoldReason::ChallengeBond.into(), &who, bond)?;
		Challenges::<T>::insert(datanet, row, ChallengeInfo { challenger: who.clone(), kind, bond });
		Self::deposit_event(Event::RowChallenged { datanet, row, challenger: who, kind, bond });
		Ok(())
	}

	pub(crate) fn do_resolve_challenge(
		who: T::AccountId,
		datanet: DatanetId,
		row: RowId,
		uphold: bool,
	) -> DispatchResult {
		Self::curated_datanet(&who, datanet)?;
		let challenge = Challenges::<T>::get(datanet, row).ok_or(Error::<T>::NoOpenChallenge)?;
		let mut info = Rows::<T>::get(datanet, row).ok_or(Error::<T>::UnknownRow)?;
		let bond_reason = HoldReason::ChallengeBond.into();
		if uphold {
			let deposit_reason = HoldReason::RowDeposit.into();
			let slashed = T::Slashing::slash_held(
				&deposit_reason,
				&info.contributor,
				info.deposit,
				SlashKind::SpamRow,
				Some(&challenge.challenger),
			);
			// The row is slashed either way; what the slash could not take is not kept held.
			let unslashed = info.deposit.saturating_sub(slashed);
			if !unslashed.is_zero() {
				T::Currency::release(&deposit_reason, &info.contributor, unslashed, Precision::BestEffort)?;
			}
			T::Currency::release(&bond_reason, &challenge.challenger, challenge.bond, Precision::Exact)?;
			if info.status == RowStatus::Approved {
				ApprovedRows::<T>::mutate(datanet, |rows| rows.retain(|r| *r != row));
			}
			info.status = RowStatus::Slashed;
			info.deposit = Zero::zero();
			Reputation::<T>::mutate(&info.contributor, |r| r.slashed.saturating_inc());
			Rows::<T>::insert(datanet, row, info);
			Self::deposit_event(Event::ChallengeUpheld {
				datanet,
				row,
				challenger: challenge.challenger,
				slashed,
			});
		} else {
			let bond_slashed = T::Slashing::slash_held(
				&bond_reason,
				&challenge.challenger,
				challenge.bond,
				SlashKind::LosingChallenger,
				Some(&info.contributor),
			);
			let unslashed = challenge.bond.saturating_sub(bond_slashed);
			if !unslashed.is_zero() {
				T::Currency::release(&bond_reason, &challenge.challenger, unslashed, Precision::BestEffort)?;
			}
			Self::deposit_event(Event::ChallengeRejected {
				datanet,
				row,
				challenger: challenge.challenger,
				bond_slashed,
			});
		}
		Challenges::<T>::remove(datanet, row);
		Ok(())
	}

	pub(crate) fn do_release_deposit(
		who: T::AccountId,
		datanet: DatanetId,
		row: RowId,
	) -> DispatchResult {
		Self::datanet(datanet)?;
		let mut info = Rows::<T>::get(datanet, row).ok_or(Error::<T>::UnknownRow)?;
		ensure!(info.contributor == who, Error::<T>::NotContributor);
		let RowStatus::Published(version) = info.status else {
			return Err(Error::<T>::DepositNotReleasable.into());
		};
		ensure!(!info.deposit.is_zero(), Error::<T>::DepositNotReleasable);
		ensure!(!Challenges::<T>::contains_key(datanet, row), Error::<T>::ChallengeOpen);
		let published_at = Versions::<T>::get(datanet, version)
			.map(|v| v.published_at)
			.ok_or(Error::<T>::DepositNotReleasable)?;
		ensure!(
			frame_system::Pallet::<T>::block_number() >=
				published_at.saturating_add(T::ChallengePeriod::get()),
			Error::<T>::ChallengePeriodNotOver
		);
		T::Currency::release(&HoldReason::RowDeposit.into(), &who, info.deposit, Precision::Exact)?;
		let amount = info.deposit;
		info.deposit = Zero::zero();
		Rows::<T>::insert(datanet, row, info);
		Self::deposit_event(Event::DepositReleased { datanet, row, contributor: who, amount });
		Ok(())
	}
}
