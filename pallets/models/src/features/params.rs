//! The pallet's on-chain parameters.

use crate::*;
use frame_support::pallet_prelude::*;

impl<T: Config> Pallet<T> {
	pub(crate) fn do_set_verifiers_per_job(verifiers: u32) -> DispatchResult {
		ensure!(
			(1..=T::MaxVerifiers::get()).contains(&verifiers),
			Error::<T>::InvalidVerifierCount
		);
		VerifiersPerJob::<T>::put(verifiers);
		Self::deposit_event(Event::VerifiersPerJobSet { verifiers });
		Ok(())
	}
}
