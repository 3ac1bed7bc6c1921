//! Types stored by the pallet and taken by its calls.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::fungible::Inspect, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use tributary_primitives::{
	datanets::{ChallengeKind, RowStatus, VersionId, Visibility},
	ContentHash,
};

pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
pub type NameOf<T> = BoundedVec<u8, <T as Config>::MaxNameLen>;
pub type SummaryOf<T> = BoundedVec<u8, <T as Config>::MaxSummaryLen>;
pub type DescriptionOf<T> = BoundedVec<u8, <T as Config>::MaxDescriptionLen>;
pub type TagsOf<T> = BoundedVec<BoundedVec<u8, <T as Config>::MaxTagLen>, <T as Config>::MaxTags>;
pub type LicenseOf<T> = BoundedVec<u8, <T as Config>::MaxLicenseLen>;
pub type LabelOf<T> = BoundedVec<u8, <T as Config>::MaxLabelLen>;
pub type CuratorsOf<T> =
	BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxCurators>;
pub type RowInputOf<T> = RowInput<LabelOf<T>>;
pub type RowIdsOf<T> =
	BoundedVec<tributary_primitives::datanets::RowId, <T as Config>::MaxBatchSize>;
pub type RowInputsOf<T> = BoundedVec<RowInputOf<T>, <T as Config>::MaxBatchSize>;
pub type VersionRowsOf<T> =
	BoundedVec<tributary_primitives::datanets::RowId, <T as Config>::MaxRowsPerVersion>;
pub type DatanetInfoOf<T> = DatanetInfo<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	NameOf<T>,
	SummaryOf<T>,
	DescriptionOf<T>,
	TagsOf<T>,
	LicenseOf<T>,
	CuratorsOf<T>,
>;
pub type RowInfoOf<T> =
	RowInfo<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>, LabelOf<T>>;
pub type ChallengeInfoOf<T> =
	ChallengeInfo<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
pub type VersionInfoOf<T> = tributary_primitives::datanets::VersionInfo<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BlockNumberFor<T>,
>;

/// A datanet. The name is immutable; the owner can change everything else through calls.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct DatanetInfo<AccountId, Balance, Name, Summary, Description, Tags, License, Curators> {
	pub owner: AccountId,
	/// Unique among the owner's datanets.
	pub name: Name,
	pub summary: Summary,
	/// Markdown.
	pub description: Description,
	pub tags: Tags,
	pub license: License,
	pub visibility: Visibility,
	pub curators: Curators,
	/// Held from the owner while they own the datanet.
	pub deposit: Balance,
	/// Id the next contributed row gets.
	pub next_row_id: u64,
	/// Versions published so far (`1..=version_count`).
	pub version_count: VersionId,
}

/// One row to contribute: the row bytes stay in the worker's content store.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct RowInput<Label> {
	/// blake2-256 of the row bytes.
	pub content_hash: ContentHash,
	/// Length of the row bytes; at least 1.
	pub byte_len: u32,
	pub label: Option<Label>,
}

/// A contributed row.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct RowInfo<AccountId, Balance, BlockNumber, Label> {
	pub contributor: AccountId,
	pub content_hash: ContentHash,
	pub byte_len: u32,
	pub label: Option<Label>,
	/// Still held from the contributor; zero once released or slashed.
	pub deposit: Balance,
	pub status: RowStatus,
	pub contributed_at: BlockNumber,
}

/// An open challenge against a row.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct ChallengeInfo<AccountId, Balance, BlockNumber> {
	/// The account that challenged (or the worker that reported).
	pub challenger: AccountId,
	pub kind: ChallengeKind,
	/// Held from the challenger until the challenge is decided or expires.
	pub bond: Balance,
	/// The first block at which the challenge can no longer be decided and anyone may expire it
	/// (its opening block plus `ChallengeDecisionPeriod`).
	pub deadline: BlockNumber,
}
