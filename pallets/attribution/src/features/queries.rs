//! Read-only queries behind the runtime API.

use crate::*;
use alloc::vec::Vec;
use frame_system::pallet_prelude::BlockNumberFor;
use tributary_primitives::{
	datanets::{DatanetId, RowId},
	models::{ModelId, ModelVersionId},
	rewards::RecordId,
};

impl<T: Config> Pallet<T> {
	pub fn record_view(
		record: RecordId,
	) -> Option<RecordView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		let info = Records::<T>::get(record)?;
		Some(RecordView {
			id: record,
			user: info.user,
			worker: info.worker,
			model: info.model,
			version: info.version,
			fee: info.fee,
			method: info.method,
			top: info.top.into_inner(),
			body: info.body,
			commitment: info.commitment,
			submitted_at: info.submitted_at,
			challenge_ends: info.challenge_ends,
			status: info.status,
		})
	}

	/// Sum of a row's scores (parts per billion) over finalized records.
	pub fn row_attribution(datanet: DatanetId, row: RowId) -> u64 {
		RowAttribution::<T>::get(datanet, row)
	}

	/// Sum of a contributor's rows' scores (parts per billion) over finalized records.
	pub fn contributor_attribution(who: &T::AccountId) -> u64 {
		ContributorAttribution::<T>::get(who)
	}

	/// Finalized inferences of a model version.
	pub fn model_inferences(model: ModelId, version: ModelVersionId) -> u64 {
		ModelInferences::<T>::get(model, version)
	}

	/// Every open dispute, lowest record first.
	pub fn pending_disputes() -> Vec<DisputeView<T::AccountId, BlockNumberFor<T>>> {
		let mut disputes: Vec<_> = Disputes::<T>::iter()
			.map(|(record, info)| DisputeView {
				record,
				challenger: info.challenger,
				commitment: info.commitment,
				draw_at: info.draw_at,
				recomputers: info.recomputers.into_inner(),
				recomputations: info.recomputations.into_inner(),
				deadline: info.deadline,
			})
			.collect();
		disputes.sort_by_key(|dispute| dispute.record);
		disputes
	}

	/// Disputed records `worker` is assigned to recompute and has not submitted for yet.
	pub fn recompute_assignments(worker: &T::AccountId) -> Vec<RecordId> {
		Self::pending_disputes()
			.into_iter()
			.filter(|dispute| {
				dispute.recomputers.contains(worker)
					&& !dispute.recomputations.iter().any(|(who, _)| who == worker)
			})
			.map(|dispute| dispute.record)
			.collect()
	}
}
