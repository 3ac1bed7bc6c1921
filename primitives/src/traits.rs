//! The traits through which the pallets use each other (wired in the runtime's configs, the FRAME
//! way), in one place: what each pallet offers, whatever it is implemented by.

extern crate alloc;
use alloc::vec::Vec;

use crate::{
	datanets::{ContributorReputation, DatanetId, PublishedRow, RowId, VersionId, VersionSummary},
	models::{ModelId, ModelVersionId},
	receipts::{ModelVersionFacts, RowFacts},
	rewards::{FinalizedRecord, SlashKind},
};

/// Read access to published datanet versions, for pallets that reference training data.
pub trait DatanetsInspect {
	/// The version, if the datanet and the version exist.
	fn version(datanet: DatanetId, version: VersionId) -> Option<VersionSummary>;

	/// Every row of a published version in row order; empty for an unknown version. For
	/// off-chain workers (a version holds at most a bounded number of rows).
	fn published_rows(datanet: DatanetId, version: VersionId) -> Vec<PublishedRow>;
}

/// Read access to contributor reputation, for the rewards pallet.
pub trait ContributorReputationInspect<AccountId> {
	fn reputation(who: &AccountId) -> ContributorReputation;
}

/// Read access to model versions (pallet-models in the runtime).
pub trait ModelsInspect<AccountId, Balance> {
	fn model_version(
		model: ModelId,
		version: ModelVersionId,
	) -> Option<ModelVersionFacts<AccountId, Balance>>;
}

/// Read access to datanet rows (pallet-datanets in the runtime).
pub trait RowsInspect<AccountId> {
	fn row(datanet: DatanetId, row: RowId) -> Option<RowFacts<AccountId>>;
}

/// The bonded workers that serve answers and recompute disputed attributions (pallet-models'
/// worker set in the runtime).
pub trait WorkerSet<AccountId> {
	/// Registered, whatever its standing: such a worker still answers for its records.
	fn is_worker(who: &AccountId) -> bool;
	/// Registered and in good standing: its held bond is at least the required bond (a worker
	/// slashed below it is suspended until it tops up) and it is still a validator. Only active
	/// workers submit receipts and are drawn for duties.
	fn is_active(who: &AccountId) -> bool;
	/// Every registered worker, in a stable order (registration order).
	fn workers() -> Vec<AccountId>;
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

/// Whether an account has attribution records that are not settled yet (pending in their
/// challenge window, disputed, or upheld and awaiting finalization). Implemented by
/// pallet-attribution; pallet-models keeps such a worker's bond held.
pub trait OpenRecords<AccountId> {
	fn has_open_records(who: &AccountId) -> bool;
}
