//! The pallet's invariants, checked by `try_state` (try-runtime) and after every unit test.

use crate::*;
use alloc::{
	collections::{BTreeMap, BTreeSet},
	format,
};
use frame_support::traits::fungible::InspectHold;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, TryRuntimeError,
};
use tributary_primitives::invariants::{ensure_invariant, invariant_broken};
use tributary_primitives::{
	attribution::{check_top, commitment_of},
	models::{ModelId, ModelVersionId},
};

/// Add `amount` to `who`'s total in `totals`.
fn add_to<AccountId: Ord, Balance: Saturating + Zero + Copy>(
	totals: &mut BTreeMap<AccountId, Balance>,
	who: AccountId,
	amount: Balance,
) {
	let total = totals.entry(who).or_insert_with(Zero::zero);
	*total = total.saturating_add(amount);
}

impl<T: Config> Pallet<T> {
	/// Check the pallet's invariants; the error names the broken one and its key.
	///
	/// - **Parameters**: the ones in force pass [`Self::check_params`].
	/// - **Records**: every id is below `NextRecordId`; the top is canonical with non-zero scores
	///   summing to at most 100 %, the commitment is the one derived from method, body and top,
	///   and the challenge window ends no earlier than submission; a record has an open dispute
	///   exactly when it is `Disputed`.
	/// - **Open records**: `OpenRecordCount` of each worker is the number of its pending, disputed
	///   and upheld records, and no worker without such records has an entry.
	/// - **Disputes**: each is against an existing disputed record, by someone other than its
	///   worker, with another commitment; the drawn recomputers are distinct and neither the
	///   worker nor the challenger; recomputations come once each from drawn recomputers; a
	///   dispute not drawn yet is queued in `PendingDraws` at its `draw_at`.
	/// - **Queues**: `PendingDraws` and `DueRecords` name existing records; no `DueRecords` block
	///   is behind `FinalizeCursor` (`on_idle` would never reach it).
	/// - **Nonces**: `UsedNonces` and `NoncesByExpiry` hold the same (user, nonce) pairs, each
	///   once; each used nonce names a record of that user with that nonce; no expiry is behind
	///   `NoncePruneCursor`.
	/// - **Aggregates**: `ModelInferences` counts exactly the final records of each model version;
	///   the per-row and per-contributor attribution totals agree and do not exceed the scores
	///   of the final records.
	/// - **Holds**: each account holds exactly the fees of its records not yet final or rejected
	///   (`InferenceFee`) and the bonds of its open disputes (`ChallengeBond`).
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let params = Params::<T>::get();
		ensure_invariant(Self::check_params(&params).is_ok(), || {
			format!("Params: {params:?} do not pass check_params")
		})?;

		let next_record = NextRecordId::<T>::get();
		let mut open = BTreeMap::<T::AccountId, u32>::new();
		let mut fees = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		let mut inferences = BTreeMap::<(ModelId, ModelVersionId), u64>::new();
		let mut final_scores: u128 = 0;
		for (record, info) in Records::<T>::iter() {
			ensure_invariant(record < next_record, || {
				format!("Records {record}: id not below NextRecordId {next_record}")
			})?;
			ensure_invariant(check_top(&info.top).is_ok(), || {
				format!("Records {record}: top not canonical, with a zero score or above 100 %")
			})?;
			ensure_invariant(
				info.commitment == commitment_of(&info.method, &info.body, &info.top),
				|| format!("Records {record}: commitment is not derived from method, body and top"),
			)?;
			ensure_invariant(info.challenge_ends >= info.submitted_at, || {
				format!("Records {record}: challenge window ends before submission")
			})?;
			let disputed = info.status == RecordStatus::Disputed;
			ensure_invariant(Disputes::<T>::contains_key(record) == disputed, || {
				format!(
					"Records {record}: status {:?} but dispute open: {}",
					info.status, !disputed
				)
			})?;
			match info.status {
				RecordStatus::Pending | RecordStatus::Disputed | RecordStatus::Upheld => {
					let count = open.entry(info.worker).or_default();
					*count = count.saturating_add(1);
					add_to(&mut fees, info.user, info.fee);
				},
				RecordStatus::Final => {
					let count = inferences.entry((info.model, info.version)).or_default();
					*count = count.saturating_add(1);
					final_scores = info.top.iter().fold(final_scores, |total, score| {
						total.saturating_add(score.parts_per_billion.into())
					});
				},
				RecordStatus::Rejected => {},
			}
		}

		for (worker, count) in OpenRecordCount::<T>::iter() {
			let records = open.remove(&worker).unwrap_or(0);
			ensure_invariant(count == records && count > 0, || {
				format!("OpenRecordCount {worker:?}: {count}, but {records} open records")
			})?;
		}
		if let Some((worker, records)) = open.first_key_value() {
			return Err(DispatchError::Other(invariant_broken(format!(
				"OpenRecordCount {worker:?}: no entry, but {records} open records"
			))));
		}

		let mut bonds = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		for (record, dispute) in Disputes::<T>::iter() {
			let info = Records::<T>::get(record).ok_or_else(|| {
				DispatchError::Other(invariant_broken(format!("Disputes {record}: no such record")))
			})?;
			ensure_invariant(
				dispute.challenger != info.worker && dispute.commitment != info.commitment,
				|| format!("Disputes {record}: by the record's worker, or with its commitment"),
			)?;
			let recomputers: BTreeSet<&T::AccountId> = dispute.recomputers.iter().collect();
			ensure_invariant(
				recomputers.len() == dispute.recomputers.len()
					&& !recomputers.contains(&info.worker)
					&& !recomputers.contains(&dispute.challenger),
				|| format!("Disputes {record}: recomputers repeat or include worker or challenger"),
			)?;
			let submitted: BTreeSet<&T::AccountId> =
				dispute.recomputations.iter().map(|(who, _)| who).collect();
			ensure_invariant(
				submitted.len() == dispute.recomputations.len()
					&& submitted.is_subset(&recomputers),
				|| {
					format!(
						"Disputes {record}: a recomputation repeats or is not from a recomputer"
					)
				},
			)?;
			if dispute.recomputers.is_empty() {
				ensure_invariant(
					PendingDraws::<T>::get(dispute.draw_at).contains(&record),
					|| format!("Disputes {record}: not drawn, not queued at {:?}", dispute.draw_at),
				)?;
			}
			add_to(&mut bonds, dispute.challenger, dispute.bond);
		}

		for (block, records) in PendingDraws::<T>::iter() {
			let unknown = records.iter().find(|record| !Records::<T>::contains_key(**record));
			ensure_invariant(unknown.is_none(), || {
				format!("PendingDraws {block:?}: unknown record {unknown:?}")
			})?;
		}
		let finalize_cursor = FinalizeCursor::<T>::get();
		for (block, records) in DueRecords::<T>::iter() {
			ensure_invariant(block >= finalize_cursor, || {
				format!("DueRecords {block:?}: behind FinalizeCursor {finalize_cursor:?}")
			})?;
			let unknown = records.iter().find(|record| !Records::<T>::contains_key(**record));
			ensure_invariant(unknown.is_none(), || {
				format!("DueRecords {block:?}: unknown record {unknown:?}")
			})?;
		}

		let prune_cursor = NoncePruneCursor::<T>::get();
		let mut by_expiry = BTreeSet::<(T::AccountId, u64)>::new();
		for (expiry, (user, nonce)) in NoncesByExpiry::<T>::iter_keys() {
			ensure_invariant(expiry >= prune_cursor, || {
				format!("NoncesByExpiry ({expiry:?}, {user:?}, {nonce}): behind NoncePruneCursor")
			})?;
			ensure_invariant(UsedNonces::<T>::contains_key(&user, nonce), || {
				format!("NoncesByExpiry ({expiry:?}, {user:?}, {nonce}): not in UsedNonces")
			})?;
			ensure_invariant(by_expiry.insert((user.clone(), nonce)), || {
				format!("NoncesByExpiry: ({user:?}, {nonce}) under two expiry blocks")
			})?;
		}
		let mut used = 0usize;
		for (user, nonce, record) in UsedNonces::<T>::iter() {
			used += 1;
			ensure_invariant(
				Records::<T>::get(record)
					.is_some_and(|info| info.user == user && info.nonce == nonce),
				|| format!("UsedNonces ({user:?}, {nonce}): record {record} is not this receipt's"),
			)?;
		}
		ensure_invariant(used == by_expiry.len(), || {
			format!("UsedNonces: {used} entries but NoncesByExpiry indexes {}", by_expiry.len())
		})?;

		for (model, version, count) in ModelInferences::<T>::iter() {
			let records = inferences.remove(&(model, version)).unwrap_or(0);
			ensure_invariant(count == records, || {
				format!(
					"ModelInferences ({model}, {version}): {count}, but {records} final records"
				)
			})?;
		}
		if let Some(((model, version), records)) = inferences.first_key_value() {
			return Err(DispatchError::Other(invariant_broken(format!(
				"ModelInferences ({model}, {version}): none, but {records} final records"
			))));
		}
		let by_row =
			RowAttribution::<T>::iter_values().fold(0u128, |sum, v| sum.saturating_add(v.into()));
		let by_contributor = ContributorAttribution::<T>::iter_values()
			.fold(0u128, |sum, v| sum.saturating_add(v.into()));
		ensure_invariant(by_row == by_contributor && by_row <= final_scores, || {
			format!(
				"RowAttribution/ContributorAttribution: totals {by_row} and {by_contributor}, \
				 final records' scores {final_scores}"
			)
		})?;

		for (reason, name, totals) in [
			(HoldReason::InferenceFee, "InferenceFee", fees),
			(HoldReason::ChallengeBond, "ChallengeBond", bonds),
		] {
			let reason = reason.into();
			for (who, recorded) in totals {
				let held = T::Currency::balance_on_hold(&reason, &who);
				ensure_invariant(held == recorded, || {
					format!("{name} hold of {who:?}: {held:?} held, {recorded:?} recorded")
				})?;
			}
		}
		Ok(())
	}
}
