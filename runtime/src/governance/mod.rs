//! Tributary's on-chain governance beyond the upstream pallets: the origins of its referendum
//! tracks, the tracks themselves, and how fast they run.
//!
//! Token holders vote with `pallet-conviction-voting` on `pallet-referenda` referenda; each track
//! dispatches with its own origin, and each admin call of the runtime names the origin it needs
//! (see `configs::governance` and `configs::parameters`).

pub mod origins;
pub mod tracks;

pub use origins::pallet_governance;
pub use origins::{Catalogue, ParameterAdmin, Treasurer, ValidatorAdmin, WhitelistedCaller};

#[cfg(test)]
mod tests;
