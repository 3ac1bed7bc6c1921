//! The contract between the chain's off-chain workers and the worker sidecar (`tributary-worker`):
//! every request and answer of the sidecar API they use, as serde types shared by both sides. The
//! pallets' off-chain workers (through `tributary-worker-client`) build and read these, the
//! sidecar's handlers take and answer them; neither reads JSON by string keys.
//!
//! - [`jobs`]: `POST /jobs/train`, `POST /jobs/eval` and the job record they answer with.
//! - [`adapters`]: `POST /v1/adapters`, serving an adapter (a chain model version) by model id.
//! - [`receipts`]: `GET /receipts/pending`, `POST /receipts/ack`.
//! - [`recompute`]: `POST /attribution/recompute`.
//! - [`rows`]: `GET /rows/reports`.
//! - [`error`]: the OpenAI-style error body of every refusal.
//! - [`wire`]: hashes and bytes as hex strings.
//!
//! `no_std` with `alloc`: the off-chain workers run in the runtime.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod adapters;
pub mod error;
pub mod jobs;
pub mod receipts;
pub mod recompute;
pub mod rows;
pub mod wire;

#[cfg(test)]
mod tests;

/// The paths of the routes in this contract.
pub mod paths {
	pub const TRAIN_JOB: &str = "/jobs/train";
	pub const EVAL_JOB: &str = "/jobs/eval";
	pub const ADAPTERS: &str = "/v1/adapters";
	pub const PENDING_RECEIPTS: &str = "/receipts/pending";
	pub const ACK_RECEIPTS: &str = "/receipts/ack";
	pub const RECOMPUTE: &str = "/attribution/recompute";
	pub const ROW_REPORTS: &str = "/rows/reports";
	pub const ROW_CHECK: &str = "/rows/check";
}
