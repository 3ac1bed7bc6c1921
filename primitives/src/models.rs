//! Model registry types shared by `pallet-models` and the worker that trains and verifies
//! fine-tune jobs.

use crate::datanets::{DatanetId, VersionId};
use crate::training::TrainingSettings;
use crate::ContentHash;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

extern crate alloc;
use alloc::vec::Vec;

/// Identifier of a registered base model, assigned sequentially from 0.
pub type BaseModelId = u32;
/// Identifier of a (fine-tuned) model, assigned sequentially from 0.
pub type ModelId = u32;
/// Number of a model version, assigned sequentially from 1 per model.
pub type ModelVersionId = u32;
/// Identifier of a fine-tune job, assigned sequentially from 0.
pub type JobId = u64;

/// One part in a billion: the unit of losses (`train_loss_ppb`, `eval_loss_ppb`), so chain and
/// worker compare losses as integers (a loss of 1.25 is `1_250_000_000`).
pub const LOSS_PPB: u64 = crate::training::PPB;

/// Where a fine-tune job is.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum JobState {
	/// Waiting for its trainer and verifiers: a draw is scheduled at a later block, or there
	/// were not enough eligible workers for it.
	Open,
	/// The assigned trainer is training; it must submit a result before the deadline.
	Training,
	/// The trainer submitted a result; the verifiers must submit their eval losses before the
	/// deadline.
	Verifying,
	/// Verified; the model got a new version and the workers were paid.
	Completed,
	/// Gave up after the allowed attempts; the fee was refunded.
	Failed,
}

/// What a trainer reports.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct TrainingResult {
	/// blake2-256 of the adapter file in the worker store.
	pub adapter_hash: ContentHash,
	pub adapter_bytes: u64,
	/// Mean training loss of the last epoch, in parts per billion.
	pub train_loss_ppb: u64,
	/// Loss on the held-out split, in parts per billion.
	pub eval_loss_ppb: u64,
}

/// A datanet version a job trains on.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct DatanetVersionRef {
	pub datanet: DatanetId,
	pub version: VersionId,
}

/// A datanet version as recorded in a model's lineage: pinned by its merkle root.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct PinnedDatanetVersion {
	pub datanet: DatanetId,
	pub version: VersionId,
	pub merkle_root: ContentHash,
	pub row_count: u32,
}

/// A fine-tune job as the runtime API returns it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct JobView<AccountId, Balance, BlockNumber> {
	pub id: JobId,
	pub model: ModelId,
	pub owner: AccountId,
	pub base_model: BaseModelId,
	/// blake2-256 of the base model's weights.
	pub base_weights_hash: ContentHash,
	pub datanets: Vec<PinnedDatanetVersion>,
	pub settings: TrainingSettings,
	pub fee: Balance,
	pub state: JobState,
	/// Assignments made so far (1 after the first assignment).
	pub attempt: u32,
	pub trainer: Option<AccountId>,
	pub verifiers: Vec<AccountId>,
	/// Block by which the current phase must finish; while `Open` with a draw scheduled, the
	/// block that draws its workers.
	pub deadline: BlockNumber,
	pub result: Option<TrainingResult>,
	/// Eval losses of the adapter the verifiers reported so far.
	pub verifications: Vec<(AccountId, u64)>,
}

/// A model version and its full lineage: base model → datanet versions → settings → adapter.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct ModelVersionView<AccountId, BlockNumber> {
	pub model: ModelId,
	pub version: ModelVersionId,
	pub job: JobId,
	pub base_model: BaseModelId,
	pub base_weights_hash: ContentHash,
	pub datanets: Vec<PinnedDatanetVersion>,
	pub settings: TrainingSettings,
	pub result: TrainingResult,
	/// Median of the verifiers' eval losses, in parts per billion.
	pub verified_eval_loss_ppb: u64,
	pub trainer: AccountId,
	pub verifiers: Vec<AccountId>,
	pub created_at: BlockNumber,
}

/// Median of eval losses: the middle value, or the lower of the two middle values for an even
/// count (integer-only, so every node agrees). `None` for no values.
pub fn median_loss(losses_ppb: &[u64]) -> Option<u64> {
	if losses_ppb.is_empty() {
		return None;
	}
	let mut sorted = losses_ppb.to_vec();
	sorted.sort_unstable();
	Some(sorted[(sorted.len() - 1) / 2])
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn median_takes_the_lower_middle_for_even_counts() {
		assert_eq!(median_loss(&[]), None);
		assert_eq!(median_loss(&[3, 1, 2]), Some(2));
		assert_eq!(median_loss(&[4, 1, 3, 2]), Some(2));
	}
}
