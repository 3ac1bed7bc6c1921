//! What a worker still answers for: records of its that a dispute may yet slash it over.

/// Whether an account has attribution records that are not settled yet (pending in their
/// challenge window, disputed, or upheld and awaiting finalization). Implemented by
/// pallet-attribution; pallet-models keeps such a worker's bond held.
pub trait OpenRecords<AccountId> {
	fn has_open_records(who: &AccountId) -> bool;
}
