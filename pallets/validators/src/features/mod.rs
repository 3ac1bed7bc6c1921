//! The pallet's logic, one module per feature. Calls in `lib.rs` only check the origin and
//! delegate here.

mod membership;
mod sessions;
#[cfg(any(feature = "try-runtime", test))]
mod try_state;
