//! Disputes: a challenger's bond, k recomputers, majority decision.

use crate::*;
use codec::Encode;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::traits::{Saturating, Zero};
use tributary_primitives::{
	receipts::WorkerSet,
	rewards::{RecordId, SlashFees, SlashKind, Slashing},
	ContentHash,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_dispute(
		challenger: T::AccountId,
		record: RecordId,
		commitment: ContentHash,
	) -> DispatchResult {
		let mut info = Records::<T>::get(record).ok_or(Error::<T>::UnknownRecord)?;
		ensure!(info.status == RecordStatus::Pending, Error::<T>::RecordNotDisputable);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now <= info.challenge_ends, Error::<T>::ChallengeWindowClosed);
		ensure!(challenger != info.worker, Error::<T>::OwnRecord);
		ensure!(commitment != info.commitment, Error::<T>::SameCommitment);
		let recomputers = Self::select_recomputers(record, &info.worker, &challenger)?;
		let bond = T::ChallengeBond::get();
		T::Currency::hold(&HoldReason::ChallengeBond.into(), &challenger, bond)?;

		let deadline = now.saturating_add(T::RecomputePeriod::get());
		info.status = RecordStatus::Disputed;
		Records::<T>::insert(record, info);
		Disputes::<T>::insert(
			record,
			DisputeInfo {
				challenger: challenger.clone(),
				bond,
				commitment,
				recomputers: recomputers.clone(),
				recomputations: Default::default(),
				deadline,
			},
		);
		Self::deposit_event(Event::Disputed { record, challenger, commitment, recomputers, deadline });
		Ok(())
	}

	/// The `Recomputers` workers asked to recompute `record`: the workers other than the record's
	/// worker and the challenger, in registry order, indexed from
	/// `blake2_256(b"tributary/recompute" ++ record ++ parent_hash) mod n`, wrapping around.
	/// Like model-job assignment it is predictable once the parent block is known; it grants no
	/// payout, and a majority of independent workers is still needed to decide.
	pub fn select_recomputers(
		record: RecordId,
		worker: &T::AccountId,
		challenger: &T::AccountId,
	) -> Result<RecomputersOf<T>, DispatchError> {
		let eligible: alloc::vec::Vec<T::AccountId> = T::Workers::workers()
			.into_iter()
			.filter(|candidate| candidate != worker && candidate != challenger)
			.collect();
		let needed = T::Recomputers::get() as usize;
		ensure!(eligible.len() >= needed, Error::<T>::NotEnoughRecomputers);
		let seed = sp_io::hashing::blake2_256(
			&(b"tributary/recompute".as_slice(), record, frame_system::Pallet::<T>::parent_hash())
				.encode(),
		);
		let start = (u64::from_le_bytes(seed[..8].try_into().expect("32 bytes")) %
			eligible.len() as u64) as usize;
		let chosen: alloc::vec::Vec<T::AccountId> =
			(0..needed).map(|offset| eligible[(start + offset) % eligible.len()].clone()).collect();
		Ok(chosen.try_into().expect("exactly Recomputers entries"))
	}

	pub(crate) fn do_submit_recomputation(
		recomputer: T::AccountId,
		record: RecordId,
		commitment: ContentHash,
	) -> DispatchResult {
		let mut dispute = Disputes::<T>::get(record).ok_or(Error::<T>::NoDispute)?;
		ensure!(dispute.recomputers.contains(&recomputer), Error::<T>::NotRecomputer);
		ensure!(
			!dispute.recomputations.iter().any(|(who, _)| *who == recomputer),
			Error::<T>::AlreadyRecomputed
		);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now <= dispute.deadline, Error::<T>::RecomputeDeadlinePassed);
		dispute
			.recomputations
			.try_push((recomputer.clone(), commitment))
			.expect("one entry per assigned recomputer, checked above");
		Self::deposit_event(Event::RecomputationSubmitted { record, recomputer, commitment });

		let agreeing = dispute.recomputations.iter().filter(|(_, c)| *c == commitment).count();
		if agreeing > dispute.recomputers.len() / 2 {
			Self::decide(record, dispute, commitment)
		} else {
			Disputes::<T>::insert(record, dispute);
			Ok(())
		}
	}

	/// Slash `amount` of the loser's funds held for `reason`: first `RecomputerReward` to each
	/// recomputer that submitted the `majority` commitment (in submission order, while the amount
	/// lasts), then the rest through `Slashing` for `winner`. Returns (taken in all, paid to
	/// recomputers).
	fn slash_loser(
		reason: &T::RuntimeHoldReason,
		loser: &T::AccountId,
		amount: BalanceOf<T>,
		kind: SlashKind,
		winner: &T::AccountId,
		dispute: &DisputeInfo<T>,
		majority: ContentHash,
	) -> (BalanceOf<T>, BalanceOf<T>) {
		let mut recomputers_paid: BalanceOf<T> = Zero::zero();
		for (recomputer, _) in dispute.recomputations.iter().filter(|(_, c)| *c == majority) {
			let fee = T::RecomputerReward::get().min(amount.saturating_sub(recomputers_paid));
			if fee.is_zero() {
				break;
			}
			recomputers_paid.saturating_accrue(T::Slashing::pay_from_held(
				reason, loser, recomputer, fee, kind,
			));
		}
		let slashed = T::Slashing::slash_held(
			reason,
			loser,
			amount.saturating_sub(recomputers_paid),
			kind,
			Some(winner),
		);
		(slashed.saturating_add(recomputers_paid), recomputers_paid)
	}

	/// Apply a majority's commitment to a disputed record.
	fn decide(record: RecordId, dispute: DisputeInfo<T>, majority: ContentHash) -> DispatchResult {
		let mut info = Records::<T>::get(record).ok_or(Error::<T>::UnknownRecord)?;
		Disputes::<T>::remove(record);
		if majority == info.commitment {
			let (slashed, recomputers_paid) = Self::slash_loser(
				&HoldReason::ChallengeBond.into(),
				&dispute.challenger,
				dispute.bond,
				SlashKind::LosingChallenger,
				&info.worker,
				&dispute,
				majority,
			);
			info.status = RecordStatus::Upheld;
			Records::<T>::insert(record, info);
			Self::queue_for_finalization(record, Self::next_block());
			Self::deposit_event(Event::DisputeLostByChallenger {
				record,
				challenger: dispute.challenger,
				slashed,
				recomputers_paid,
			});
		} else {
			T::Currency::release(
				&HoldReason::ChallengeBond.into(),
				&dispute.challenger,
				dispute.bond,
				Precision::BestEffort,
			)?;
			let (worker_slashed, recomputers_paid) = Self::slash_loser(
				&T::WorkerBondReason::get(),
				&info.worker,
				T::WorkerSlash::get(),
				SlashKind::LyingWorker,
				&dispute.challenger,
				&dispute,
				majority,
			);
			let refunded = if info.fee.is_zero() {
				Zero::zero()
			} else {
				T::Currency::release(
					&HoldReason::InferenceFee.into(),
					&info.user,
					info.fee,
					Precision::BestEffort,
				)?
			};
			Self::record_closed(&info.worker);
			info.status = RecordStatus::Rejected;
			Records::<T>::insert(record, info);
			Self::deposit_event(Event::RecordOverturned {
				record,
				recomputed: majority,
				worker_slashed,
				recomputers_paid,
				refunded,
			});
		}
		Ok(())
	}

	fn next_block() -> frame_system::pallet_prelude::BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number().saturating_add(sp_runtime::traits::One::one())
	}

	pub(crate) fn do_resolve_dispute(record: RecordId) -> DispatchResult {
		let dispute = Disputes::<T>::get(record).ok_or(Error::<T>::NoDispute)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now > dispute.deadline, Error::<T>::RecomputeDeadlineNotPassed);
		let mut info = Records::<T>::get(record).ok_or(Error::<T>::UnknownRecord)?;
		T::Currency::release(
			&HoldReason::ChallengeBond.into(),
			&dispute.challenger,
			dispute.bond,
			Precision::BestEffort,
		)?;
		Disputes::<T>::remove(record);
		info.status = RecordStatus::Upheld;
		Records::<T>::insert(record, info);
		Self::queue_for_finalization(record, Self::next_block());
		for recomputer in dispute.recomputers {
			if !dispute.recomputations.iter().any(|(who, _)| *who == recomputer) {
				Self::deposit_event(Event::RecomputationMissed { record, recomputer });
			}
		}
		Self::deposit_event(Event::DisputeDismissed { record });
		Ok(())
	}
}
