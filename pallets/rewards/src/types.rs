//! Types stored by the pallet and taken by its calls.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::fungible::Inspect, BoundedVec};
use scale_info::TypeInfo;
use sp_runtime::Perbill;
use tributary_primitives::rewards::RecordId;

pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
pub type HistoryOf<T> = BoundedVec<RewardEntry<BalanceOf<T>>, <T as Config>::MaxHistory>;

/// Where the contributors' pool goes when the scores sum to less than 100 %.
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
pub enum UnattributedTo {
	Treasury,
	ModelOwner,
}

/// The split parameters.
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
pub struct RewardParams {
	pub model_owner: Perbill,
	pub contributors: Perbill,
	pub worker: Perbill,
	pub treasury: Perbill,
	pub unattributed_to: UnattributedTo,
	/// A contributor whose penalty score (slashed ÷ decided rows) is above this is penalized.
	pub penalty_threshold: Perbill,
	/// How much of a penalized contributor's reward goes to the treasury instead.
	pub penalty_reduction: Perbill,
	/// Share of a slash paid to the party proven right; the rest goes to the treasury.
	pub slash_beneficiary_share: Perbill,
}

impl RewardParams {
	/// The four shares sum to exactly 100 %.
	pub fn validate(&self) -> bool {
		[self.model_owner, self.contributors, self.worker, self.treasury]
			.iter()
			.map(|share| u64::from(share.deconstruct()))
			.sum::<u64>()
			== u64::from(Perbill::one().deconstruct())
	}
}

/// Which role an account was paid for.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub enum RewardRole {
	ModelOwner,
	Contributor,
	Worker,
	Treasury,
}

/// One accrual to an account.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct RewardEntry<Balance> {
	pub record: RecordId,
	pub role: RewardRole,
	pub amount: Balance,
}

/// Slashes suffered by one account.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct SlashRecord<Balance> {
	pub count: u32,
	pub total: Balance,
}
