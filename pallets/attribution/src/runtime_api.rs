//! Runtime API the node's RPC and the worker use to read attribution: records, aggregates and
//! open disputes (with the recompute assignments the off-chain worker acts on). The runtime
//! implements it by calling the pallet's query functions.

use crate::{DisputeView, RecordView};
use alloc::vec::Vec;
use codec::Codec;
use tributary_primitives::{
	datanets::{DatanetId, RowId},
	models::{ModelId, ModelVersionId},
	rewards::RecordId,
};

sp_api::decl_runtime_apis! {
	pub trait AttributionApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		fn record(record: RecordId) -> Option<RecordView<AccountId, Balance, BlockNumber>>;
		/// Sum of a row's scores (parts per billion) over finalized records.
		fn row_attribution(datanet: DatanetId, row: RowId) -> u64;
		/// Sum of a contributor's rows' scores (parts per billion) over finalized records.
		fn contributor_attribution(who: AccountId) -> u64;
		/// Finalized inferences of a model version.
		fn model_inferences(model: ModelId, version: ModelVersionId) -> u64;
		/// Every open dispute, lowest record first.
		fn pending_disputes() -> Vec<DisputeView<AccountId, BlockNumber>>;
		/// Disputed records a worker must still recompute.
		fn recompute_assignments(worker: AccountId) -> Vec<RecordId>;
	}
}
