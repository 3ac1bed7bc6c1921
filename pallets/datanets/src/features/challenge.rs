//! Challenging approved rows (anyone) and reporting them (active workers), deciding challenges
//! (`ChallengeOrigin`), expiring undecided ones, and releasing deposits after the challenge
//! period.

use crate::*;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::traits::{Saturating, Zero};
use tributary_primitives::traits::{SlashFees, Slashing, WorkerSet};
use tributary_primitives::{
	datanets::{ChallengeKind, DatanetId, RowId, RowStatus},
	rewards::SlashKind,
};

impl<T: Config> Pallet<T> {
	/// Bond held from whoever challenges a row with deposit `deposit`:
	/// `max(ChallengeBondRate × deposit, MinChallengeBond)`.
	pub fn challenge_bond(deposit: BalanceOf<T>) -> BalanceOf<T> {
		(T::ChallengeBondRate::get() * deposit).max(T::MinChallengeBond::get())
	}

	/// Paid to the challenger, out of the row's deposit `deposit`, when its challenge is upheld:
	/// `ChallengeRewardRate × deposit`, less than the deposit.
	pub fn challenge_reward(deposit: BalanceOf<T>) -> BalanceOf<T> {
		T::ChallengeRewardRate::get().mul_floor(deposit)
	}

	pub(crate) fn do_challenge_row(
		who: T::AccountId,
		datanet: DatanetId,
		row: RowId,
		kind: ChallengeKind,
	) -> DispatchResult {
		ensure!(!kind.is_worker_report(), Error::<T>::ReservedForWorkers);
		Self::open_challenge(who, datanet, row, kind)
	}

	pub(crate) fn do_report_row(
		who: T::AccountId,
		datanet: DatanetId,
		row: RowId,
		kind: ChallengeKind,
	) -> DispatchResult {
		ensure!(T::Workers::is_active(&who), Error::<T>::NotActiveWorker);
		ensure!(kind.is_worker_report(), Error::<T>::NotAWorkerReport);
		Self::open_challenge(who, datanet, row, kind)
	}

	/// Open a challenge of `kind` against an approved or published row whose deposit is still
	/// held, holding the bond from `who`, when what `kind` claims passes [`Self::check_claim`].
	fn open_challenge(
		who: T::AccountId,
		datanet: DatanetId,
		row: RowId,
		kind: ChallengeKind,
	) -> DispatchResult {
		Self::datanet(datanet)?;
		let info = Rows::<T>::get(datanet, row).ok_or(Error::<T>::UnknownRow)?;
		Self::check_claim(datanet, row, &info, kind)?;
		ensure!(!Challenges::<T>::contains_key(datanet, row), Error::<T>::ChallengeAlreadyOpen);
		let bond = Self::challenge_bond(info.deposit);
		T::Currency::hold(&HoldReason::ChallengeBond.into(), &who, bond)?;
		let deadline = frame_system::Pallet::<T>::block_number()
			.saturating_add(T::ChallengeDecisionPeriod::get());
		Challenges::<T>::insert(
			datanet,
			row,
			ChallengeInfo { challenger: who.clone(), kind, bond, deadline },
		);
		Self::deposit_event(Event::RowChallenged { datanet, row, challenger: who, kind, bond });
		Ok(())
	}

	/// Whether a challenge of `kind` may be opened against the row `info` (its open challenge
	/// aside): the row is approved or published with its deposit held, and what `kind` claims is
	/// consistent with the chain.
	pub(crate) fn check_claim(
		datanet: DatanetId,
		row: RowId,
		info: &RowInfoOf<T>,
		kind: ChallengeKind,
	) -> DispatchResult {
		match kind {
			ChallengeKind::ByteLenMismatch { observed } => {
				ensure!(observed != info.byte_len, Error::<T>::DeclaredLengthMatches);
			},
			ChallengeKind::NearDuplicate { original_datanet, original, similarity_ppm } => {
				ensure!(
					(T::NearDuplicateThreshold::get()..=1_000_000).contains(&similarity_ppm),
					Error::<T>::SimilarityOutOfRange
				);
				let came_first = |earlier: &RowInfoOf<T>| {
					(earlier.contributed_at, original_datanet, original)
						< (info.contributed_at, datanet, row)
				};
				ensure!(
					Rows::<T>::get(original_datanet, original).is_some_and(|earlier| {
						came_first(&earlier)
							&& earlier.content_hash != info.content_hash
							&& matches!(
								earlier.status,
								RowStatus::Approved | RowStatus::Published(_)
							)
					}),
					Error::<T>::InvalidOriginal
				);
			},
			_ => {},
		}
		ensure!(
			matches!(info.status, RowStatus::Approved | RowStatus::Published(_))
				&& !info.deposit.is_zero(),
			Error::<T>::RowNotChallengeable
		);
		Ok(())
	}

	pub(crate) fn do_resolve_challenge(
		datanet: DatanetId,
		row: RowId,
		uphold: bool,
	) -> DispatchResult {
		let challenge = Challenges::<T>::get(datanet, row).ok_or(Error::<T>::NoOpenChallenge)?;
		ensure!(
			frame_system::Pallet::<T>::block_number() < challenge.deadline,
			Error::<T>::DecisionPeriodOver
		);
		let mut info = Rows::<T>::get(datanet, row).ok_or(Error::<T>::UnknownRow)?;
		let bond_reason = HoldReason::ChallengeBond.into();
		if uphold {
			let deposit_reason = HoldReason::RowDeposit.into();
			// The challenger's reward comes out of the deposit; the rest goes to the treasury
			// (no beneficiary), so a contributor challenging its own row gets back less than it
			// loses whatever pallet-rewards' beneficiary share is.
			let reward = T::Slashing::pay_from_held(
				&deposit_reason,
				&info.contributor,
				&challenge.challenger,
				Self::challenge_reward(info.deposit),
				SlashKind::SpamRow,
			);
			let slashed = T::Slashing::slash_held(
				&deposit_reason,
				&info.contributor,
				info.deposit.saturating_sub(reward),
				SlashKind::SpamRow,
				None,
			);
			// The row is slashed either way; what the slash could not take is not kept held.
			let unslashed = info.deposit.saturating_sub(reward).saturating_sub(slashed);
			if !unslashed.is_zero() {
				T::Currency::release(
					&deposit_reason,
					&info.contributor,
					unslashed,
					Precision::BestEffort,
				)?;
			}
			T::Currency::release(
				&bond_reason,
				&challenge.challenger,
				challenge.bond,
				Precision::Exact,
			)?;
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
				reward,
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
				T::Currency::release(
					&bond_reason,
					&challenge.challenger,
					unslashed,
					Precision::BestEffort,
				)?;
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

	pub(crate) fn do_expire_challenge(datanet: DatanetId, row: RowId) -> DispatchResult {
		let challenge = Challenges::<T>::get(datanet, row).ok_or(Error::<T>::NoOpenChallenge)?;
		ensure!(
			frame_system::Pallet::<T>::block_number() >= challenge.deadline,
			Error::<T>::DecisionPeriodNotOver
		);
		T::Currency::release(
			&HoldReason::ChallengeBond.into(),
			&challenge.challenger,
			challenge.bond,
			Precision::Exact,
		)?;
		Challenges::<T>::remove(datanet, row);
		Self::deposit_event(Event::ChallengeExpired {
			datanet,
			row,
			challenger: challenge.challenger,
			bond: challenge.bond,
		});
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
			frame_system::Pallet::<T>::block_number()
				>= published_at.saturating_add(T::ChallengePeriod::get()),
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
