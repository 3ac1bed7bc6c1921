//! Read-only queries behind the runtime API and the cross-pallet traits.

use crate::*;
use alloc::vec::Vec;
use tributary_primitives::traits::{ContributorReputationInspect, DatanetsInspect, RowsInspect};
use tributary_primitives::{
	datanets::{
		ContributorReputation, DatanetId, DatanetView, PublishedRow, RowId, VersionId,
		VersionSummary,
	},
	receipts::RowFacts,
	ContentHash,
};

impl<T: Config> Pallet<T> {
	/// A datanet with its metadata and counters.
	pub fn datanet_view(datanet: DatanetId) -> Option<DatanetView<T::AccountId, BalanceOf<T>>> {
		let info = Datanet::<T>::get(datanet)?;
		Some(DatanetView {
			owner: info.owner,
			name: info.name.into_inner(),
			summary: info.summary.into_inner(),
			description: info.description.into_inner(),
			tags: info.tags.into_iter().map(|tag| tag.into_inner()).collect(),
			license: info.license.into_inner(),
			visibility: info.visibility,
			curators: info.curators.into_inner(),
			creation_deposit: info.deposit,
			rows_contributed: info.next_row_id,
			version_count: info.version_count,
			approved_unpublished: ApprovedRows::<T>::decode_len(datanet).unwrap_or(0) as u32,
		})
	}

	/// All published versions of a datanet, oldest first.
	pub fn versions(datanet: DatanetId) -> Vec<(VersionId, VersionInfoOf<T>)> {
		let count = Datanet::<T>::get(datanet).map_or(0, |info| info.version_count);
		(1..=count)
			.filter_map(|version| Versions::<T>::get(datanet, version).map(|info| (version, info)))
			.collect()
	}

	/// Up to `limit` rows of a version starting at position `start` (0-based, in row order), as
	/// (row id, content hash). Empty past the end or for an unknown version.
	pub fn version_rows(
		datanet: DatanetId,
		version: VersionId,
		start: u32,
		limit: u32,
	) -> Vec<(RowId, ContentHash)> {
		let Some(rows) = VersionRows::<T>::get(datanet, version) else { return Vec::new() };
		rows.iter()
			.skip(start as usize)
			.take(limit as usize)
			.filter_map(|row| Rows::<T>::get(datanet, row).map(|info| (*row, info.content_hash)))
			.collect()
	}

	/// The row holding this content hash, if any (names the row a `DuplicateRow` refers to).
	pub fn row_by_content_hash(content_hash: ContentHash) -> Option<(DatanetId, RowId)> {
		RowByHash::<T>::get(content_hash)
	}
}

impl<T: Config> DatanetsInspect for Pallet<T> {
	fn version(datanet: DatanetId, version: VersionId) -> Option<VersionSummary> {
		Versions::<T>::get(datanet, version).map(|info| VersionSummary {
			merkle_root: info.merkle_root,
			row_count: info.row_count,
			total_bytes: info.total_bytes,
		})
	}

	fn published_rows(datanet: DatanetId, version: VersionId) -> Vec<PublishedRow> {
		let Some(rows) = VersionRows::<T>::get(datanet, version) else { return Vec::new() };
		rows.iter()
			.filter_map(|row| {
				Rows::<T>::get(datanet, row).map(|info| PublishedRow {
					row: *row,
					content_hash: info.content_hash,
					byte_len: info.byte_len,
				})
			})
			.collect()
	}
}

impl<T: Config> ContributorReputationInspect<T::AccountId> for Pallet<T> {
	fn reputation(who: &T::AccountId) -> ContributorReputation {
		Reputation::<T>::get(who)
	}
}

impl<T: Config> RowsInspect<T::AccountId> for Pallet<T> {
	fn row(datanet: DatanetId, row: RowId) -> Option<RowFacts<T::AccountId>> {
		Rows::<T>::get(datanet, row)
			.map(|info| RowFacts { contributor: info.contributor, status: info.status })
	}
}
