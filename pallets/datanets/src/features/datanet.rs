//! Creating a datanet and the owner's management calls.

use crate::*;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::traits::Zero;
use tributary_primitives::datanets::{DatanetId, Visibility};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_create_datanet(
		owner: T::AccountId,
		name: NameOf<T>,
		summary: SummaryOf<T>,
		description: DescriptionOf<T>,
		tags: TagsOf<T>,
		license: LicenseOf<T>,
		visibility: Visibility,
	) -> DispatchResult {
		ensure!(!name.is_empty(), Error::<T>::EmptyName);
		ensure!(!DatanetIdByName::<T>::contains_key(&owner, &name), Error::<T>::NameTaken);
		let deposit = T::DatanetDeposit::get();
		T::Currency::hold(&HoldReason::DatanetDeposit.into(), &owner, deposit)?;

		let datanet = NextDatanetId::<T>::get();
		NextDatanetId::<T>::put(datanet.saturating_add(1));
		DatanetIdByName::<T>::insert(&owner, &name, datanet);
		Datanet::<T>::insert(
			datanet,
			DatanetInfo {
				owner: owner.clone(),
				name: name.clone(),
				summary,
				description,
				tags,
				license,
				visibility,
				curators: BoundedVec::new(),
				deposit,
				next_row_id: 0,
				version_count: 0,
			},
		);
		Self::deposit_event(Event::DatanetCreated { datanet, owner, name });
		Ok(())
	}

	pub(crate) fn do_update_metadata(
		who: T::AccountId,
		datanet: DatanetId,
		summary: SummaryOf<T>,
		description: DescriptionOf<T>,
		tags: TagsOf<T>,
	) -> DispatchResult {
		let mut info = Self::owned_datanet(&who, datanet)?;
		info.summary = summary;
		info.description = description;
		info.tags = tags;
		Datanet::<T>::insert(datanet, info);
		Self::deposit_event(Event::MetadataUpdated { datanet });
		Ok(())
	}

	pub(crate) fn do_add_curator(
		who: T::AccountId,
		datanet: DatanetId,
		curator: T::AccountId,
	) -> DispatchResult {
		let mut info = Self::owned_datanet(&who, datanet)?;
		ensure!(!Self::is_owner_or_curator(&info, &curator), Error::<T>::AlreadyCurator);
		info.curators
			.try_push(curator.clone())
			.map_err(|_| Error::<T>::TooManyCurators)?;
		Datanet::<T>::insert(datanet, info);
		Self::deposit_event(Event::CuratorAdded { datanet, curator });
		Ok(())
	}

	pub(crate) fn do_remove_curator(
		who: T::AccountId,
		datanet: DatanetId,
		curator: T::AccountId,
	) -> DispatchResult {
		let mut info = Self::owned_datanet(&who, datanet)?;
		let position =
			info.curators.iter().position(|c| *c == curator).ok_or(Error::<T>::NotCurator)?;
		info.curators.remove(position);
		Datanet::<T>::insert(datanet, info);
		Self::deposit_event(Event::CuratorRemoved { datanet, curator });
		Ok(())
	}

	pub(crate) fn do_set_visibility(
		who: T::AccountId,
		datanet: DatanetId,
		visibility: Visibility,
	) -> DispatchResult {
		let mut info = Self::owned_datanet(&who, datanet)?;
		info.visibility = visibility;
		Datanet::<T>::insert(datanet, info);
		Self::deposit_event(Event::VisibilitySet { datanet, visibility });
		Ok(())
	}

	pub(crate) fn do_set_contributor_allowed(
		who: T::AccountId,
		datanet: DatanetId,
		contributor: T::AccountId,
		allowed: bool,
	) -> DispatchResult {
		Self::curated_datanet(&who, datanet)?;
		if allowed {
			AllowList::<T>::insert(datanet, &contributor, ());
		} else {
			AllowList::<T>::remove(datanet, &contributor);
		}
		Self::deposit_event(Event::ContributorAllowed { datanet, who: contributor, allowed });
		Ok(())
	}

	pub(crate) fn do_transfer_ownership(
		who: T::AccountId,
		datanet: DatanetId,
		new_owner: T::AccountId,
	) -> DispatchResult {
		let mut info = Self::owned_datanet(&who, datanet)?;
		ensure!(!DatanetIdByName::<T>::contains_key(&new_owner, &info.name), Error::<T>::NameTaken);
		let reason = HoldReason::DatanetDeposit.into();
		let deposit = T::DatanetDeposit::get();
		T::Currency::hold(&reason, &new_owner, deposit)?;
		if !info.deposit.is_zero() {
			T::Currency::release(&reason, &who, info.deposit, Precision::Exact)?;
		}
		DatanetIdByName::<T>::remove(&who, &info.name);
		DatanetIdByName::<T>::insert(&new_owner, &info.name, datanet);
		// A curator who becomes the owner is no longer listed as a curator.
		info.curators.retain(|c| *c != new_owner);
		info.owner = new_owner.clone();
		info.deposit = deposit;
		Datanet::<T>::insert(datanet, info);
		Self::deposit_event(Event::OwnershipTransferred { datanet, from: who, to: new_owner });
		Ok(())
	}
}
