//! LoRA/QLoRA fine-tuning and base-model pretraining on datanet rows.
//!
//! - [`data`]: row formats (plain, instruction, chat) and messy rows, deterministic train/eval
//!   split by row hash, tokenization with prompt masking, and packing (a stream or per row).
//! - [`optim`]: AdamW with warmup + cosine schedule and gradient-norm clipping.
//! - [`checkpoint`]: a run's state saved every N steps, so an interrupted job resumes exactly.
//! - [`progress`]: progress events (for the sidecar's stream and the CLI's bar and JSONL file).
//! - [`finetune`]: a fine-tune job end to end, and the eval of an adapter on a row set.
//! - [`pretrain`]: a BPE tokenizer and a tiny Llama base model from local text.

pub mod checkpoint;
pub mod data;
pub mod error;
pub mod finetune;
pub mod optim;
pub mod pretrain;
pub mod progress;

pub use error::TrainerError;
