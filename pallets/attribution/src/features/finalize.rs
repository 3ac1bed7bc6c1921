//! Finalizing records: the fee goes to the rewards pot and the record to rewards, once.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	storage::with_storage_layer,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating, Zero};
use tributary_primitives::traits::{ModelsInspect, OnRecordFinalized, RowsInspect};
use tributary_primitives::{
	datanets::RowStatus,
	rewards::{ContributorShare, FinalizedRecord, RecordId},
};

impl<T: Config> Pallet<T> {
	/// Queue a record for automatic finalization in block `due`. A full queue leaves the record
	/// to a `finalize` call.
	pub(crate) fn queue_for_finalization(record: RecordId, due: BlockNumberFor<T>) {
		DueRecords::<T>::mutate(due, |queue| {
			let _ = queue.try_push(record);
		});
	}

	/// Finalize queued records of blocks up to `now`, oldest first, within `limit`. Records that
	/// cannot be finalized (disputed, overturned, finalized by hand) leave the queue; an upheld
	/// one is queued again when its dispute ends. Returns the weight used.
	pub(crate) fn finalize_due(now: BlockNumberFor<T>, limit: Weight) -> Weight {
		let db = T::DbWeight::get();
		let per_block = db.reads_writes(1, 1);
		let per_record = T::WeightInfo::finalize(T::MaxTopK::get());
		let mut used = db.reads_writes(1, 1);
		if used.any_gt(limit) {
			return Weight::zero();
		}
		let mut cursor = FinalizeCursor::<T>::get();
		while cursor <= now {
			if used.saturating_add(per_block).any_gt(limit) {
				break;
			}
			used.saturating_accrue(per_block);
			let mut queue = DueRecords::<T>::get(cursor);
			while let Some(record) = queue.first().copied() {
				if used.saturating_add(per_record).any_gt(limit) {
					DueRecords::<T>::insert(cursor, queue);
					FinalizeCursor::<T>::put(cursor);
					return used;
				}
				queue.remove(0);
				used.saturating_accrue(per_record);
				// Not finalizable (any more) is a normal outcome here; the layer undoes any partial
				// work of a failed attempt.
				let _ = with_storage_layer(|| Self::do_finalize(record));
			}
			DueRecords::<T>::remove(cursor);
			cursor = cursor.saturating_add(One::one());
		}
		FinalizeCursor::<T>::put(cursor);
		used
	}

	pub(crate) fn do_finalize(record: RecordId) -> DispatchResult {
		let mut info = Records::<T>::get(record).ok_or(Error::<T>::UnknownRecord)?;
		match info.status {
			RecordStatus::Upheld => {},
			RecordStatus::Pending => ensure!(
				frame_system::Pallet::<T>::block_number() > info.challenge_ends,
				Error::<T>::ChallengeWindowOpen
			),
			_ => return Err(Error::<T>::RecordNotFinalizable.into()),
		}
		let model_owner = T::Models::model_version(info.model, info.version)
			.ok_or(Error::<T>::UnknownModelVersion)?
			.owner;
		// A row slashed since submission earns nothing: its share stays unattributed.
		let shares: Vec<ContributorShare<T::AccountId>> = info
			.top
			.iter()
			.filter_map(|score| {
				let row = T::Rows::row(score.row.datanet, score.row.row)?;
				matches!(row.status, RowStatus::Published(_)).then(|| ContributorShare {
					row: score.row,
					contributor: row.contributor,
					parts_per_billion: score.parts_per_billion,
				})
			})
			.collect();
		if !info.fee.is_zero() {
			T::Currency::transfer_on_hold(
				&HoldReason::InferenceFee.into(),
				&info.user,
				&T::OnFinalized::fee_pot(),
				info.fee,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Polite,
			)?;
		}
		for share in &shares {
			RowAttribution::<T>::mutate(share.row.datanet, share.row.row, |total| {
				*total = total.saturating_add(share.parts_per_billion.into())
			});
			ContributorAttribution::<T>::mutate(&share.contributor, |total| {
				*total = total.saturating_add(share.parts_per_billion.into())
			});
		}
		ModelInferences::<T>::mutate(info.model, info.version, |count| {
			*count = count.saturating_add(1)
		});
		T::OnFinalized::on_record_finalized(&FinalizedRecord {
			record,
			fee: info.fee,
			model_owner,
			worker: info.worker.clone(),
			shares,
		});
		let fee = info.fee;
		Self::record_closed(&info.worker);
		info.status = RecordStatus::Final;
		Records::<T>::insert(record, info);
		Self::deposit_event(Event::RecordFinalized { record, fee });
		Ok(())
	}
}
