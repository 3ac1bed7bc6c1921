//! The hand-over from attribution to rewards, and the one place other pallets slash through.

extern crate alloc;

use crate::attribution::RowRef;
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Identifier of an attribution record, assigned sequentially from 0.
pub type RecordId = u64;

/// A row's contributor and its score, as rewards pays it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ContributorShare<AccountId> {
	pub row: RowRef,
	pub contributor: AccountId,
	pub parts_per_billion: u32,
}

/// A record whose challenge window closed without a successful dispute: its fee is paid out.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct FinalizedRecord<AccountId, Balance> {
	pub record: RecordId,
	pub fee: Balance,
	pub model_owner: AccountId,
	pub worker: AccountId,
	/// The record's top scores with their rows' contributors (sum ≤ one).
	pub shares: Vec<ContributorShare<AccountId>>,
}

/// Receives finalized records (pallet-rewards in the runtime).
pub trait OnRecordFinalized<AccountId, Balance> {
	/// Where the finalizing pallet moves a record's fee before calling
	/// [`OnRecordFinalized::on_record_finalized`]; payouts are claimed from it.
	fn fee_pot() -> AccountId;
	/// Split `record.fee`, which is already in [`OnRecordFinalized::fee_pot`]. Infallible and
	/// O(number of shares).
	fn on_record_finalized(record: &FinalizedRecord<AccountId, Balance>);
}

/// Why funds are slashed; recorded against the offender.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum SlashKind {
	/// A datanet row found spam, duplicate or adversarial.
	SpamRow,
	/// A trainer whose result the verifiers rejected.
	BadTrainer,
	/// A worker whose attribution a dispute found wrong.
	LyingWorker,
	/// A challenger whose dispute failed.
	LosingChallenger,
	/// A recomputer or verifier whose answer disagreed with the majority that decided.
	WrongVerdict,
	/// A worker assigned a duty (training, verifying, recomputing) that submitted nothing by its
	/// deadline.
	MissedDuty,
}

/// The one place pallets slash held funds (pallet-rewards in the runtime). The destination split
/// is a rewards parameter: a share to the beneficiary (the party proven right), the rest to the
/// treasury.
pub trait Slashing<AccountId, Balance, HoldReason> {
	/// Take up to `amount` of `offender`'s funds held for `reason`. Returns what was taken.
	fn slash_held(
		reason: &HoldReason,
		offender: &AccountId,
		amount: Balance,
		kind: SlashKind,
		beneficiary: Option<&AccountId>,
	) -> Balance;
}

/// Pays, out of an offender's held funds, those whose work proved the offence (the recomputers
/// of a dispute), before the rest is slashed through [`Slashing`] (pallet-rewards in the
/// runtime). What is paid counts as slashed from the offender.
pub trait SlashFees<AccountId, Balance, HoldReason> {
	/// Move up to `amount` of `offender`'s funds held for `reason` to `payee`, whole. Returns what
	/// was moved.
	fn pay_from_held(
		reason: &HoldReason,
		offender: &AccountId,
		payee: &AccountId,
		amount: Balance,
		kind: SlashKind,
	) -> Balance;
}
