//! The pallet's invariants, checked by `try_state` (try-runtime) and after every unit test.

use crate::*;
use alloc::format;
use sp_runtime::TryRuntimeError;
use tributary_primitives::invariants::ensure_invariant;

impl<T: Config> Pallet<T> {
	/// Check the pallet's invariants; the error names the broken one:
	/// - the set is not empty (the last validator is never removed);
	/// - no validator is listed twice;
	/// - every validator has session keys (added only with keys; `session.purgeKeys` would break
	///   this, and the validator would then no longer author).
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let validators = Validators::<T>::get();
		ensure_invariant(!validators.is_empty(), || "Validators: the set is empty".into())?;
		for (i, who) in validators.iter().enumerate() {
			ensure_invariant(!validators[..i].contains(who), || {
				format!("Validators: {who:?} is listed twice")
			})?;
			ensure_invariant(pallet_session::Pallet::<T>::load_keys(who).is_some(), || {
				format!("Validators: {who:?} has no session keys")
			})?;
		}
		Ok(())
	}
}
