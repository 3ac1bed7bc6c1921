//! Retries with exponential backoff, recorded in persistent offchain storage.
//!
//! Off-chain workers of consecutive blocks may run at the same time, and a submitted
//! transaction may be dropped or land on a fork. An action (post a job to the sidecar, submit
//! a result) therefore takes a "try" first: the try is granted atomically (a compare-and-set
//! on offchain storage) only when the previous try is old enough, so no two runs submit the same
//! thing at once, and a try that came to nothing is repeated later, waiting twice as long each
//! time.

use sp_runtime::offchain::storage::{MutateStorageError, StorageValueRef};

/// Backoff of one kind of action, in blocks.
#[derive(Clone, Copy)]
pub struct Backoff {
	pub first_wait: u64,
	pub max_wait: u64,
}

impl Backoff {
	fn wait_after(&self, tries: u32) -> u64 {
		let doublings = tries.saturating_sub(1).min(32);
		self.first_wait.saturating_mul(1u64 << doublings).min(self.max_wait)
	}

	/// Take a try of the action stored under `key` at block `now`: true when it was never tried
	/// or its last try is at least the backoff old (the try is recorded), false otherwise.
	pub fn try_now(&self, key: &[u8], now: u64) -> bool {
		let granted = StorageValueRef::persistent(key).mutate(
			|last: Result<Option<(u64, u32)>, _>| match last {
				Ok(Some((at, tries))) if self.waits(at, tries, now) => Err(()),
				Ok(Some((_, tries))) => Ok((now, tries.saturating_add(1))),
				_ => Ok((now, 1)),
			},
		);
		match granted {
			Ok(_) => true,
			Err(MutateStorageError::ValueFunctionFailed(()))
			| Err(MutateStorageError::ConcurrentModification(_)) => false,
		}
	}

	/// Is the action stored under `key` waiting out its backoff at block `now` (a try now would
	/// be refused)? Takes no try.
	pub fn waiting(&self, key: &[u8], now: u64) -> bool {
		StorageValueRef::persistent(key)
			.get::<(u64, u32)>()
			.ok()
			.flatten()
			.is_some_and(|(at, tries)| self.waits(at, tries, now))
	}

	fn waits(&self, last_try: u64, tries: u32, now: u64) -> bool {
		now < last_try.saturating_add(self.wait_after(tries))
	}

	/// How many tries the action stored under `key` has had.
	pub fn tries(key: &[u8]) -> u32 {
		StorageValueRef::persistent(key)
			.get::<(u64, u32)>()
			.ok()
			.flatten()
			.map_or(0, |(_, tries)| tries)
	}
}
