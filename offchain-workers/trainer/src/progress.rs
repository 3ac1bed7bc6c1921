//! Progress of a run as events: the sidecar streams them, the CLI draws a bar and appends each to
//! a metrics JSONL file.

use crate::data::DataReport;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ProgressEvent {
	/// The job's rows are read and packed: how many are used, and why the others are not.
	Data(DataReport),
	/// The run is set up: how many optimizer steps it will take and on how much data.
	Started {
		total_steps: usize,
		train_tokens: usize,
		eval_tokens: usize,
		trainable_parameters: usize,
	},
	/// The run continues from its checkpoint after `step` steps (the job was interrupted).
	Resumed { step: usize },
	/// One optimizer step done.
	Step {
		step: usize,
		total_steps: usize,
		loss: f64,
		lr: f64,
		grad_norm: f64,
		tokens_per_sec: f64,
	},
	/// Loss on the eval split; `step` 0 is before any training.
	Eval { step: usize, loss: f64, perplexity: f64 },
	/// Training stopped at `step`: the last `patience` evaluations did not beat `best_loss`, the
	/// eval loss after `best_step`, whose parameters the adapter keeps.
	EarlyStop { step: usize, best_step: usize, best_loss: f64 },
	/// Output written.
	Finished { output: String, hash: String, seconds: f64 },
}

/// Appends events to a JSONL file, one JSON object per line.
pub struct JsonlWriter {
	file: std::fs::File,
}

impl JsonlWriter {
	pub fn create(path: &Path) -> std::io::Result<JsonlWriter> {
		Ok(JsonlWriter { file: std::fs::File::create(path)? })
	}

	pub fn write(&mut self, event: &ProgressEvent) -> std::io::Result<()> {
		let line = serde_json::to_string(event).expect("events always serialize");
		writeln!(self.file, "{line}")
	}
}
