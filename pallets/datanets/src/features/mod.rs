//! The pallet's logic, one module per feature. Calls in `lib.rs` only check the origin and
//! delegate here.

mod challenge;
mod contribute;
mod curation;
mod datanet;
mod publish;
mod queries;
#[cfg(any(feature = "try-runtime", test))]
mod try_state;

use crate::{Config, Datanet, DatanetInfoOf, Error, Pallet};
use frame_support::pallet_prelude::*;
use tributary_primitives::datanets::DatanetId;

impl<T: Config> Pallet<T> {
	/// The datanet, or `UnknownDatanet`.
	pub(crate) fn datanet(datanet: DatanetId) -> Result<DatanetInfoOf<T>, DispatchError> {
		Datanet::<T>::get(datanet).ok_or_else(|| Error::<T>::UnknownDatanet.into())
	}

	/// The datanet if `who` owns it.
	pub(crate) fn owned_datanet(
		who: &T::AccountId,
		datanet: DatanetId,
	) -> Result<DatanetInfoOf<T>, DispatchError> {
		let info = Self::datanet(datanet)?;
		ensure!(info.owner == *who, Error::<T>::NotOwner);
		Ok(info)
	}

	/// The datanet if `who` owns or curates it.
	pub(crate) fn curated_datanet(
		who: &T::AccountId,
		datanet: DatanetId,
	) -> Result<DatanetInfoOf<T>, DispatchError> {
		let info = Self::datanet(datanet)?;
		ensure!(Self::is_owner_or_curator(&info, who), Error::<T>::NotOwnerOrCurator);
		Ok(info)
	}

	pub(crate) fn is_owner_or_curator(info: &DatanetInfoOf<T>, who: &T::AccountId) -> bool {
		info.owner == *who || info.curators.contains(who)
	}
}
