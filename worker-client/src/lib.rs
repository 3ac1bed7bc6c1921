//! What the pallets' off-chain workers share: the client of the validator's local sidecar
//! (`tributary-worker`), retry bookkeeping kept in offchain storage, and the worker key's
//! signing crypto.
//!
//! The node writes the sidecar's URL (`--worker-url`) into persistent offchain storage under
//! [`tributary_primitives::WORKER_URL_STORAGE_KEY`]; a node without it runs no off-chain work.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod retry;
pub mod sidecar;
#[cfg(feature = "testing")]
pub mod testing;

pub use sidecar::{Reply, Sidecar, SidecarError};
/// The contract's types, for the pallets.
pub use tributary_sidecar_api as api;

/// Signs the off-chain workers' transactions with the validator's worker key (`trwk`, sr25519);
/// the account that signs is the key's own account.
pub struct WorkerSigner;

impl frame_system::offchain::AppCrypto<sp_runtime::MultiSigner, sp_runtime::MultiSignature>
	for WorkerSigner
{
	type RuntimeAppPublic = tributary_primitives::worker_crypto::Public;
	type GenericSignature = sp_core::sr25519::Signature;
	type GenericPublic = sp_core::sr25519::Public;
}
