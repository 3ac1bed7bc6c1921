//! The pallet's logic, one module per feature. Calls in `lib.rs` only check the origin and
//! delegate here.

mod disputes;
mod finalize;
mod nonces;
mod open_records;
mod params;
mod queries;
mod receipts;
#[cfg(any(feature = "try-runtime", test))]
mod try_state;
