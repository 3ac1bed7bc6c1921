//! Counting each worker's records that a dispute may still slash it over.

use crate::*;
use tributary_primitives::traits::OpenRecords;

impl<T: Config> Pallet<T> {
	/// A record of `worker` was accepted.
	pub(crate) fn record_opened(worker: &T::AccountId) {
		OpenRecordCount::<T>::mutate(worker, |count| *count = count.saturating_add(1));
	}

	/// A record of `worker` became final or was rejected.
	pub(crate) fn record_closed(worker: &T::AccountId) {
		OpenRecordCount::<T>::mutate_exists(worker, |count| {
			let left = count.unwrap_or(0).saturating_sub(1);
			*count = (left > 0).then_some(left);
		});
	}
}

impl<T: Config> OpenRecords<T::AccountId> for Pallet<T> {
	fn has_open_records(who: &T::AccountId) -> bool {
		OpenRecordCount::<T>::contains_key(who)
	}
}
