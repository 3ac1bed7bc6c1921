//! The pallet's logic, one module per feature. Calls in `lib.rs` only check the origin and
//! delegate here.

mod assignment;
mod base_models;
mod jobs;
mod model_owner;
mod params;
mod queries;
#[cfg(any(feature = "try-runtime", test))]
mod try_state;
mod verdict;
mod workers;
