//! The Tributary worker sidecar (OpenLoRA): one base model serving many LoRA adapters with
//! heterogeneous continuous batching behind an OpenAI-compatible API, a content-addressed store
//! shared with peer workers, and the train/eval job API of the chain's off-chain workers.
//!
//! - [`api`]: HTTP routing, validation, OpenAI JSON and SSE, OpenAI-style errors.
//! - [`engine`]: scheduler thread, batched decode with per-row adapter deltas, adapter tiers.
//! - [`registry`]: model id → adapter hash(es), persisted.
//! - [`jobs`]: train/eval jobs persisted on disk, idempotent by id.
//! - [`merge`]: weighted adapters merged into one standalone adapter.
//! - [`receipts`]: inference receipts awaiting the user's signature, then the chain.
//! - [`account`], [`metrics`], [`config`], [`server`].

pub mod account;
pub mod api;
pub mod config;
pub mod engine;
pub mod influence;
pub mod jobs;
pub mod merge;
pub mod metrics;
pub mod receipts;
pub mod registry;
pub mod server;
