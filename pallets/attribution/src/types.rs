//! Types stored by the pallet and taken by its calls, and the views its runtime API returns.

use crate::Config;
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	traits::fungible::Inspect, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use tributary_primitives::{
	attribution::{AttributionMethod, MethodSettings, RowScore},
	models::{ModelId, ModelVersionId},
	receipts::SignedReceipt,
	rewards::RecordId,
	ContentHash,
};

pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
pub type TopOf<T> = BoundedVec<RowScore, <T as Config>::MaxTopK>;
pub type SignedReceiptOf<T> = SignedReceipt<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BlockNumberFor<T>,
	<T as Config>::ReceiptSignature,
	TopOf<T>,
>;
pub type ReceiptBatchOf<T> = BoundedVec<SignedReceiptOf<T>, <T as Config>::MaxBatchSize>;
pub type DueListOf<T> = BoundedVec<RecordId, <T as Config>::MaxDuePerBlock>;
pub type DrawListOf<T> = BoundedVec<RecordId, <T as Config>::MaxDrawsPerBlock>;
pub type RecomputersOf<T> =
	BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxRecomputers>;
pub type RecomputationsOf<T> = BoundedVec<
	(<T as frame_system::Config>::AccountId, ContentHash),
	<T as Config>::MaxRecomputers,
>;

/// The chain's dispute and method parameters ([`crate::Params`]); each genesis preset sets its
/// own, `set_params` changes them.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub struct AttributionParams<BlockNumber> {
	/// Recomputers drawn per dispute (`k`); more than half of them decide. At least 3 on a
	/// network of 4 or more validators, so that no single recomputer decides.
	pub recomputers: u32,
	/// Blocks between a dispute and the draw of its recomputers, at least 2, so the draw
	/// depends on a block hash nobody knew when the dispute was made.
	pub draw_delay: BlockNumber,
	/// Blocks the drawn recomputers have to submit (long enough for influence on CPU).
	pub recompute_period: BlockNumber,
	/// The attribution parameters records must use.
	pub methods: MethodSettings,
}

/// Where a record is in its life.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub enum RecordStatus {
	/// In its challenge window, or past it and waiting for `finalize`.
	Pending,
	/// Disputed; the recomputers are deciding.
	Disputed,
	/// A dispute was decided or dismissed in the record's favour: finalizable at once.
	Upheld,
	/// Handed to rewards; its fee was paid out.
	Final,
	/// Overturned by a dispute; its fee was refunded and it is never paid.
	Rejected,
}

/// An accepted receipt with its attribution claim.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct RecordInfo<T: Config> {
	pub user: T::AccountId,
	pub worker: T::AccountId,
	pub model: ModelId,
	pub version: ModelVersionId,
	pub adapter: ContentHash,
	pub prompt_hash: ContentHash,
	pub output_hash: ContentHash,
	pub tokens_in: u32,
	pub tokens_out: u32,
	pub nonce: u64,
	/// Held from `user` until the record is final (paid) or rejected (refunded).
	pub fee: BalanceOf<T>,
	pub method: AttributionMethod,
	pub top: TopOf<T>,
	/// Hash of the record's body, as the worker claimed it.
	pub body: ContentHash,
	/// `commitment_of(method, body, top)`, derived on chain.
	pub commitment: ContentHash,
	pub submitted_at: BlockNumberFor<T>,
	/// Last block in which the record can be disputed.
	pub challenge_ends: BlockNumberFor<T>,
	pub status: RecordStatus,
}

/// An open dispute.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct DisputeInfo<T: Config> {
	pub challenger: T::AccountId,
	/// Held from the challenger.
	pub bond: BalanceOf<T>,
	/// The challenger's recomputed commitment.
	pub commitment: ContentHash,
	/// The block whose `on_initialize` draws the recomputers.
	pub draw_at: BlockNumberFor<T>,
	/// Workers drawn to recompute, in draw order; empty until `draw_at`.
	pub recomputers: RecomputersOf<T>,
	/// Commitments the recomputers submitted so far.
	pub recomputations: RecomputationsOf<T>,
	/// Last block in which recomputers may submit (set at the draw).
	pub deadline: BlockNumberFor<T>,
}

/// A record as the runtime API returns it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct RecordView<AccountId, Balance, BlockNumber> {
	pub id: RecordId,
	pub user: AccountId,
	pub worker: AccountId,
	pub model: ModelId,
	pub version: ModelVersionId,
	pub fee: Balance,
	pub method: AttributionMethod,
	pub top: Vec<RowScore>,
	pub body: ContentHash,
	pub commitment: ContentHash,
	pub submitted_at: BlockNumber,
	pub challenge_ends: BlockNumber,
	pub status: RecordStatus,
}

/// An open dispute as the runtime API returns it: what an assigned worker must recompute.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct DisputeView<AccountId, BlockNumber> {
	pub record: RecordId,
	pub challenger: AccountId,
	pub commitment: ContentHash,
	pub draw_at: BlockNumber,
	pub recomputers: Vec<AccountId>,
	pub recomputations: Vec<(AccountId, ContentHash)>,
	pub deadline: BlockNumber,
}
