//! Disputes: a challenger's bond, recomputers drawn from later randomness, majority decision,
//! and proofs of a forged top.

use crate::*;
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision, Randomness},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating, Zero};
use tributary_primitives::traits::{SlashFees, Slashing, WorkerSet};
use tributary_primitives::{
	attribution::{RecordBody, RowScore},
	draw::draw_distinct,
	rewards::{RecordId, SlashKind},
	ContentHash,
};

/// Blocks after `draw_at` tried in turn when its draw list is full.
const DRAW_SLOTS_TRIED: u32 = 16;

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
		ensure!(
			T::Workers::workers().iter().any(|candidate| Self::may_recompute(
				candidate,
				&info.worker,
				&challenger
			)),
			Error::<T>::NotEnoughRecomputers
		);
		let draw_at =
			Self::reserve_draw(record, now.saturating_add(Params::<T>::get().draw_delay))?;
		let bond = T::ChallengeBond::get();
		T::Currency::hold(&HoldReason::ChallengeBond.into(), &challenger, bond)?;

		info.status = RecordStatus::Disputed;
		Records::<T>::insert(record, info);
		Disputes::<T>::insert(
			record,
			DisputeInfo {
				challenger: challenger.clone(),
				bond,
				commitment,
				draw_at,
				recomputers: Default::default(),
				recomputations: Default::default(),
				deadline: draw_at,
			},
		);
		Self::deposit_event(Event::Disputed { record, challenger, commitment, draw_at });
		Ok(())
	}

	/// Queue `record`'s draw in the first block from `earliest` whose draw list has room.
	fn reserve_draw(
		record: RecordId,
		earliest: BlockNumberFor<T>,
	) -> Result<BlockNumberFor<T>, DispatchError> {
		let mut block = earliest;
		for _ in 0..DRAW_SLOTS_TRIED {
			if PendingDraws::<T>::mutate(block, |list| list.try_push(record)).is_ok() {
				return Ok(block);
			}
			block = block.saturating_add(One::one());
		}
		Err(Error::<T>::TooManyDisputes.into())
	}

	/// Active workers that may recompute a record of `worker` disputed by `challenger`, in
	/// registry order.
	pub fn eligible_recomputers(
		worker: &T::AccountId,
		challenger: &T::AccountId,
	) -> Vec<T::AccountId> {
		T::Workers::workers()
			.into_iter()
			.filter(|candidate| Self::may_recompute(candidate, worker, challenger))
			.collect()
	}

	/// An active worker that is neither the record's worker nor the challenger.
	fn may_recompute(
		candidate: &T::AccountId,
		worker: &T::AccountId,
		challenger: &T::AccountId,
	) -> bool {
		candidate != worker && candidate != challenger && T::Workers::is_active(candidate)
	}

	/// `on_initialize`: draw the recomputers of the disputes queued for block `now`.
	pub(crate) fn draw_due(now: BlockNumberFor<T>) -> Weight {
		let due = PendingDraws::<T>::take(now);
		let mut weight = T::DbWeight::get().reads_writes(1, 1);
		if due.is_empty() {
			return weight;
		}
		let per_draw = T::WeightInfo::draw_recomputers(T::Workers::workers().len() as u32);
		for record in due {
			weight.saturating_accrue(per_draw);
			// A dispute ended early (a proven top mismatch) has nothing left to draw.
			if let Some(dispute) = Disputes::<T>::get(record) {
				let _ =
					frame_support::storage::with_storage_layer(|| Self::draw(record, dispute, now));
			}
		}
		weight
	}

	/// Draw the recomputers of one dispute from `T::Randomness` (which mixes the hashes of blocks
	/// after the dispute) and start its recompute period. With no active worker left to draw, the
	/// dispute is dismissed.
	fn draw(
		record: RecordId,
		mut dispute: DisputeInfo<T>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		let info = Records::<T>::get(record).ok_or(Error::<T>::UnknownRecord)?;
		let eligible = Self::eligible_recomputers(&info.worker, &dispute.challenger);
		if eligible.is_empty() {
			return Self::dismiss(record, dispute);
		}
		let params = Params::<T>::get();
		let (random, _) = T::Randomness::random(&(b"tributary/recompute", record).encode());
		let mut seed = [0u8; 32];
		seed.copy_from_slice(&random.as_ref()[..32]);
		let chosen: Vec<T::AccountId> =
			draw_distinct(&seed, eligible.len(), params.recomputers as usize)
				.into_iter()
				.map(|index| eligible[index].clone())
				.collect();
		dispute.recomputers = BoundedVec::truncate_from(chosen);
		dispute.deadline = now.saturating_add(params.recompute_period);
		Self::deposit_event(Event::RecomputersDrawn {
			record,
			recomputers: dispute.recomputers.clone(),
			deadline: dispute.deadline,
		});
		Disputes::<T>::insert(record, dispute);
		Ok(())
	}

	pub(crate) fn do_submit_recomputation(
		recomputer: T::AccountId,
		record: RecordId,
		commitment: ContentHash,
	) -> DispatchResult {
		let mut dispute = Disputes::<T>::get(record).ok_or(Error::<T>::NoDispute)?;
		ensure!(!dispute.recomputers.is_empty(), Error::<T>::NotDrawnYet);
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
			.expect("one entry per drawn recomputer, checked above");
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
	/// lasts), then the rest through `Slashing` for `winner` (the treasury's alone without one).
	/// Returns (taken in all, paid to recomputers).
	fn slash_loser(
		reason: &T::RuntimeHoldReason,
		loser: &T::AccountId,
		amount: BalanceOf<T>,
		kind: SlashKind,
		winner: Option<&T::AccountId>,
		dispute: Option<&DisputeInfo<T>>,
		majority: ContentHash,
	) -> (BalanceOf<T>, BalanceOf<T>) {
		let mut recomputers_paid: BalanceOf<T> = Zero::zero();
		let majority_recomputers = dispute
			.into_iter()
			.flat_map(|dispute| dispute.recomputations.iter())
			.filter(|(_, c)| *c == majority);
		for (recomputer, _) in majority_recomputers {
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
			winner,
		);
		(slashed.saturating_add(recomputers_paid), recomputers_paid)
	}

	/// Slash `RecomputerSlash` from each drawn recomputer that submitted something other than the
	/// majority's commitment.
	fn slash_outvoted(record: RecordId, dispute: &DisputeInfo<T>, majority: ContentHash) {
		for (recomputer, _) in dispute.recomputations.iter().filter(|(_, c)| *c != majority) {
			let slashed = T::Slashing::slash_held(
				&T::WorkerBondReason::get(),
				recomputer,
				T::RecomputerSlash::get(),
				SlashKind::WrongVerdict,
				None,
			);
			Self::deposit_event(Event::RecomputerOutvoted {
				record,
				recomputer: recomputer.clone(),
				slashed,
			});
		}
	}

	/// Apply a majority's commitment to a disputed record.
	fn decide(record: RecordId, dispute: DisputeInfo<T>, majority: ContentHash) -> DispatchResult {
		let mut info = Records::<T>::get(record).ok_or(Error::<T>::UnknownRecord)?;
		Disputes::<T>::remove(record);
		Self::slash_outvoted(record, &dispute, majority);
		if majority == info.commitment {
			let (slashed, recomputers_paid) = Self::slash_loser(
				&HoldReason::ChallengeBond.into(),
				&dispute.challenger,
				dispute.bond,
				SlashKind::LosingChallenger,
				Some(&info.worker),
				Some(&dispute),
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
			Ok(())
		} else {
			// The record is wrong. The challenger earns the slash only if the majority found what
			// it claimed; otherwise it just gets its bond back.
			let challenger_rewarded = majority == dispute.commitment;
			Self::overturn(
				record,
				info,
				majority,
				challenger_rewarded.then_some(&dispute.challenger),
				Some(&dispute),
			)
		}
	}

	/// Reject a record found wrong: release the open dispute's bond, slash the worker (paying the
	/// majority's recomputers first and `beneficiary` its share), refund the fee.
	fn overturn(
		record: RecordId,
		mut info: RecordInfo<T>,
		recomputed: ContentHash,
		beneficiary: Option<&T::AccountId>,
		dispute: Option<&DisputeInfo<T>>,
	) -> DispatchResult {
		if let Some(dispute) = dispute {
			T::Currency::release(
				&HoldReason::ChallengeBond.into(),
				&dispute.challenger,
				dispute.bond,
				Precision::BestEffort,
			)?;
		}
		let (worker_slashed, recomputers_paid) = Self::slash_loser(
			&T::WorkerBondReason::get(),
			&info.worker,
			T::WorkerSlash::get(),
			SlashKind::LyingWorker,
			beneficiary,
			dispute,
			recomputed,
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
			recomputed,
			worker_slashed,
			recomputers_paid,
			refunded,
			challenger_rewarded: beneficiary.is_some(),
		});
		Ok(())
	}

	fn next_block() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number().saturating_add(One::one())
	}

	pub(crate) fn do_resolve_dispute(record: RecordId) -> DispatchResult {
		let dispute = Disputes::<T>::get(record).ok_or(Error::<T>::NoDispute)?;
		ensure!(!dispute.recomputers.is_empty(), Error::<T>::NotDrawnYet);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now > dispute.deadline, Error::<T>::RecomputeDeadlineNotPassed);
		for recomputer in dispute.recomputers.iter() {
			if !dispute.recomputations.iter().any(|(who, _)| who == recomputer) {
				let slashed = T::Slashing::slash_held(
					&T::WorkerBondReason::get(),
					recomputer,
					T::RecomputerSlash::get(),
					SlashKind::MissedDuty,
					None,
				);
				Self::deposit_event(Event::RecomputationMissed {
					record,
					recomputer: recomputer.clone(),
					slashed,
				});
			}
		}
		Self::dismiss(record, dispute)
	}

	/// End a dispute without a decision: the record stands, the bond is returned.
	fn dismiss(record: RecordId, dispute: DisputeInfo<T>) -> DispatchResult {
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
		Self::deposit_event(Event::DisputeDismissed { record });
		Ok(())
	}

	pub(crate) fn do_prove_top_mismatch(
		prover: T::AccountId,
		record: RecordId,
		body: RecordBody<BoundedVec<RowScore, T::MaxScores>>,
	) -> DispatchResult {
		let info = Records::<T>::get(record).ok_or(Error::<T>::UnknownRecord)?;
		ensure!(
			matches!(info.status, RecordStatus::Pending | RecordStatus::Disputed),
			Error::<T>::RecordNotDisputable
		);
		ensure!(prover != info.worker, Error::<T>::OwnRecord);
		ensure!(body.hash() == info.body, Error::<T>::WrongBody);
		// A body that is not canonical is as much a lie as a top it does not give.
		let honest_top = body.canonical_top().ok();
		ensure!(honest_top.as_deref() != Some(&info.top[..]), Error::<T>::TopMatches);
		let recomputed = match &honest_top {
			Some(top) => {
				tributary_primitives::attribution::commitment_of(&info.method, &info.body, top)
			},
			// A non-canonical body has no honest record to name.
			None => ContentHash::default(),
		};
		let dispute = Disputes::<T>::take(record);
		Self::overturn(record, info, recomputed, Some(&prover), dispute.as_ref())
	}
}
