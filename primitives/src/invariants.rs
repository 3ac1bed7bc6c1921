//! Helpers of the pallets' `try_state` checks.

extern crate alloc;

use alloc::{boxed::Box, string::String};

/// `Ok` if `holds`, else the message `what()` writes, as a `'static` string (what
/// `DispatchError::Other`, and so `TryRuntimeError`, takes: `?` converts it). The message is
/// leaked: harmless where this runs (try-runtime and tests), as the first broken invariant ends
/// the check.
pub fn ensure_invariant(holds: bool, what: impl FnOnce() -> String) -> Result<(), &'static str> {
	if holds {
		Ok(())
	} else {
		Err(invariant_broken(what()))
	}
}

/// `message` as the `'static` string a broken invariant's error carries (leaked, as above).
pub fn invariant_broken(message: String) -> &'static str {
	Box::leak(message.into_boxed_str())
}
