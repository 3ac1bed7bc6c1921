//! Llama-architecture decoder with LoRA/QLoRA layers, in tch.
//!
//! - [`device`]: the device and serving precision an operator chooses, and what the device is.
//! - [`config`]: the Hugging Face `config.json` of a Llama checkpoint, validated.
//! - [`model`]: the decoder itself (RMSNorm, rotary embeddings, grouped-query attention, SwiGLU).
//! - [`lora`]: linear layers with an optional low-rank adapter, merge and unmerge.
//! - [`quant`]: frozen weights stored as NF4 or int8 and dequantized in the forward pass.
//! - [`hf`]: reading and writing HF checkpoint directories and tokenizers.
//! - [`chat`]: a checkpoint's chat template, rendered as transformers renders it.
//! - [`peft`]: adapters in Hugging Face PEFT's format, and their content hash.
//! - [`merge`]: weighted adapters merged into one standalone adapter.
//! - [`kv_cache`]: the key/value cache of one sequence.
//! - [`generate`]: greedy and sampled decoding.
//! - [`paged`]: the paged key/value cache of batched decoding.
//! - [`rng`]: the seeded generator of initial weights and samples.

pub mod chat;
pub mod config;
pub mod device;
pub mod error;
pub mod generate;
pub mod hf;
pub mod kv_cache;
pub mod lora;
pub mod merge;
pub mod model;
pub mod paged;
pub mod peft;
pub mod quant;
pub mod rng;

pub use config::LlamaConfig;
pub use device::{DeviceChoice, DeviceError, DeviceInfo, ServingDtype};
pub use error::ModelError;
pub use lora::LoraSpec;
pub use model::Llama;
pub use tributary_primitives::training::{QuantFormat, TargetModule, TargetModules};
