//! Registering base models.

use crate::*;
use frame_support::pallet_prelude::*;

impl<T: Config> Pallet<T> {
	pub(crate) fn do_register_base_model(info: BaseModelInfo<T>) -> DispatchResult {
		ensure!(!info.name.is_empty(), Error::<T>::EmptyName);
		ensure!(
			!BaseModelByWeights::<T>::contains_key(info.weights_hash),
			Error::<T>::BaseModelExists
		);
		let base_model = NextBaseModelId::<T>::get();
		NextBaseModelId::<T>::put(base_model.saturating_add(1));
		BaseModelByWeights::<T>::insert(info.weights_hash, base_model);
		let weights_hash = info.weights_hash;
		BaseModels::<T>::insert(base_model, info);
		Self::deposit_event(Event::BaseModelRegistered { base_model, weights_hash });
		Ok(())
	}
}
