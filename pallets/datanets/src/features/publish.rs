//! Publishing the approved rows as an immutable version.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::Mutate, tokens::Preservation},
};
use sp_runtime::{traits::Saturating, SaturatedConversion};
use tributary_primitives::datanets::{merkle_root, DatanetId, RowStatus, VersionInfo};

impl<T: Config> Pallet<T> {
	/// Fee for publishing `total_bytes` of rows.
	pub fn publish_fee(total_bytes: u64) -> BalanceOf<T> {
		T::PublishFeePerByte::get()
			.saturating_mul(total_bytes.saturated_into())
			.saturating_add(T::PublishFeeBase::get())
	}

	/// Publish the approved rows as the next version; returns its row count.
	pub(crate) fn do_publish_version(
		who: T::AccountId,
		datanet: DatanetId,
	) -> Result<u32, DispatchError> {
		let mut info = Self::curated_datanet(&who, datanet)?;
		let mut rows = ApprovedRows::<T>::get(datanet);
		ensure!(!rows.is_empty(), Error::<T>::NothingToPublish);
		// Merkle leaves are in row order, whatever order the rows were approved in.
		rows.sort();

		let mut hashes = Vec::with_capacity(rows.len());
		let mut total_bytes: u64 = 0;
		for row in rows.iter() {
			let row_info = Rows::<T>::get(datanet, row).ok_or(Error::<T>::UnknownRow)?;
			hashes.push(row_info.content_hash);
			total_bytes = total_bytes.saturating_add(row_info.byte_len.into());
		}
		let fee = Self::publish_fee(total_bytes);
		T::Currency::transfer(&who, &T::TreasuryAccount::get(), fee, Preservation::Preserve)?;

		let version = info.version_count.saturating_add(1);
		info.version_count = version;
		for row in rows.iter() {
			Rows::<T>::mutate(datanet, row, |row_info| {
				if let Some(row_info) = row_info {
					row_info.status = RowStatus::Published(version);
				}
			});
		}
		let merkle_root = merkle_root(&hashes);
		let row_count = rows.len() as u32;
		Versions::<T>::insert(
			datanet,
			version,
			VersionInfo {
				merkle_root,
				row_count,
				total_bytes,
				publisher: who,
				fee,
				published_at: frame_system::Pallet::<T>::block_number(),
			},
		);
		VersionRows::<T>::insert(datanet, version, rows);
		ApprovedRows::<T>::remove(datanet);
		Datanet::<T>::insert(datanet, info);
		Self::deposit_event(Event::VersionPublished {
			datanet,
			version,
			merkle_root,
			row_count,
			total_bytes,
			fee,
		});
		Ok(row_count)
	}
}
