//! Finalizing records: the fee goes to the rewards pot and the record to rewards, once.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use sp_runtime::traits::Zero;
use tributary_primitives::{
	datanets::RowStatus,
	receipts::{ModelsInspect, RowsInspect},
	rewards::{ContributorShare, FinalizedRecord, OnRecordFinalized, RecordId},
};

impl<T: Config> Pallet<T> {
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
		ModelInferences::<T>::mutate(info.model, info.version, |count| *count = count.saturating_add(1));
		T::OnFinalized::on_record_finalized(&FinalizedRecord {
			record,
			fee: info.fee,
			model_owner,
			worker: info.worker.clone(),
			shares,
		});
		let fee = info.fee;
		info.status = RecordStatus::Final;
		Records::<T>::insert(record, info);
		Self::deposit_event(Event::RecordFinalized { record, fee });
		Ok(())
	}
}
