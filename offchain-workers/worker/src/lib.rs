//! The Tributary worker sidecar's HTTP front end (OpenLoRA): the OpenAI-compatible API over the
//! inference engine, the content store shared with peer workers, and the job, receipt, recompute
//! and row-report API of the chain's off-chain workers (the contract in `tributary-sidecar-api`).
//! The work behind it lives in its own crates: `tributary-engine` (batched inference over many
//! adapters), `tributary-store` (verified content-addressed objects and peer fetch),
//! `tributary-jobs` (train and eval jobs) and `tributary-receipts` (inference receipts).
//!
//! - [`api`]: HTTP routing, validation, OpenAI JSON and SSE, OpenAI-style errors.
//! - [`config`]: the command line and config file.
//! - [`server`]: opening the data directory, starting the engine, jobs and listeners.
//! - [`tls`]: HTTPS for the public listener.

pub mod api;
pub mod config;
pub mod server;
pub mod tls;
