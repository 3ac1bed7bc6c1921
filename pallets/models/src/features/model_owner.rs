//! Calls of a model's owner: price, ownership, retirement.

use crate::*;
use frame_support::pallet_prelude::*;
use tributary_primitives::models::ModelId;

impl<T: Config> Pallet<T> {
	/// The model if `who` owns it and it is not retired.
	fn owned_active_model(
		who: &T::AccountId,
		model: ModelId,
	) -> Result<ModelInfo<T>, DispatchError> {
		let info = Model::<T>::get(model).ok_or(Error::<T>::UnknownModel)?;
		ensure!(info.owner == *who, Error::<T>::NotModelOwner);
		ensure!(!info.retired, Error::<T>::ModelRetired);
		Ok(info)
	}

	pub(crate) fn do_set_price(
		who: T::AccountId,
		model: ModelId,
		price_per_1k_tokens: Option<BalanceOf<T>>,
	) -> DispatchResult {
		let mut info = Self::owned_active_model(&who, model)?;
		info.price_per_1k_tokens = price_per_1k_tokens;
		Model::<T>::insert(model, info);
		Self::deposit_event(Event::PriceSet { model, price_per_1k_tokens });
		Ok(())
	}

	pub(crate) fn do_transfer_ownership(
		who: T::AccountId,
		model: ModelId,
		new_owner: T::AccountId,
	) -> DispatchResult {
		let mut info = Self::owned_active_model(&who, model)?;
		info.owner = new_owner.clone();
		Model::<T>::insert(model, info);
		Self::deposit_event(Event::OwnershipTransferred { model, from: who, to: new_owner });
		Ok(())
	}

	/// Retire a model: it keeps its versions but takes no new price and no new owner. A job
	/// already running still completes and adds its version.
	pub(crate) fn do_retire(who: T::AccountId, model: ModelId) -> DispatchResult {
		let mut info = Self::owned_active_model(&who, model)?;
		info.retired = true;
		Model::<T>::insert(model, info);
		Self::deposit_event(Event::ModelRetired { model });
		Ok(())
	}
}
