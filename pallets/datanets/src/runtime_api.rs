//! Runtime API the node's RPC and the worker use to read datanets. The runtime implements it by
//! calling the pallet's query functions (`datanet_view`, `versions`, `version_rows`,
//! `row_by_content_hash`).

use alloc::vec::Vec;
use codec::Codec;
use tributary_primitives::{
	datanets::{DatanetId, DatanetView, RowId, VersionId, VersionInfo},
	ContentHash,
};

sp_api::decl_runtime_apis! {
	pub trait DatanetsApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// A datanet with its metadata and counters.
		fn datanet(datanet: DatanetId) -> Option<DatanetView<AccountId, Balance>>;
		/// All published versions of a datanet, oldest first.
		fn versions(datanet: DatanetId) -> Vec<(VersionId, VersionInfo<AccountId, Balance, BlockNumber>)>;
		/// Up to `limit` (row id, content hash) pairs of a version from position `start`, in row
		/// order.
		fn version_rows(datanet: DatanetId, version: VersionId, start: u32, limit: u32) -> Vec<(RowId, ContentHash)>;
		/// The row holding a content hash, if any.
		fn row_by_content_hash(content_hash: ContentHash) -> Option<(DatanetId, RowId)>;
	}
}
