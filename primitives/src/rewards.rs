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
