//! Setting the split parameters.

use crate::*;
use frame_support::pallet_prelude::*;

impl<T: Config> Pallet<T> {
	pub(crate) fn do_set_params(params: RewardParams) -> DispatchResult {
		ensure!(params.validate(), Error::<T>::SplitNotWhole);
		Params::<T>::put(params);
		Self::deposit_event(Event::ParamsSet { params });
		Ok(())
	}
}
