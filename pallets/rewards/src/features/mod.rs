//! The pallet's logic, one module per feature. Calls in `lib.rs` only check the origin and
//! delegate here.

mod accrual;
mod claims;
mod params;
mod queries;
mod slashing;
pub mod split;
#[cfg(any(feature = "try-runtime", test))]
mod try_state;
