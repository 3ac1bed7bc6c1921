//! Checkpoints of a fine-tune run, so a job interrupted by a restart resumes at its last
//! checkpoint and ends with the adapter an uninterrupted run writes: the adapter's parameters,
//! AdamW's moments, the batch order still to draw, the early-stopping best, and the counters.
//! (Dropout draws are reseeded per step from the job's seed, so they need no saving.)
//!
//! On disk: `step-{N}.safetensors` holds the tensors of step N and `checkpoint.json` names the
//! newest, written last and atomically, so a crash while saving leaves the previous checkpoint
//! whole; older tensor files are removed once the new one is named.

use crate::error::{Result, TrainerError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use tch::{Device, Kind, Tensor};
use tributary_model::hf::{read_safetensors, safetensors_bytes, write_atomically};

const STATE_FILE: &str = "checkpoint.json";

/// Where and how often a run saves its state.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpointing {
	pub dir: PathBuf,
	/// Optimizer steps between checkpoints (at least 1).
	pub every_steps: usize,
}

/// The scalars of a checkpoint; the tensors are in the file it names. (serde_json's
/// `float_roundtrip` reads the losses back bit for bit.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoopState {
	/// Optimizer steps done.
	pub step: usize,
	/// The run's planned steps: a checkpoint of another plan is not resumed.
	pub total_steps: usize,
	/// The batch-order generator's state and the indices of this epoch not drawn yet.
	pub rng: u64,
	pub order: Vec<usize>,
	pub optimizer_steps: i64,
	pub trained_tokens: usize,
	pub train_seconds: f64,
	pub eval_loss_before: f64,
	pub eval_loss_after: f64,
	/// Early stopping's best so far: (step, eval loss).
	pub best: Option<(usize, f64)>,
	/// The file of the tensors, set by [`Checkpointing::save`].
	#[serde(default)]
	pub tensors: String,
}

/// A saved run: its scalars and its tensors, parameter i's value, moments and best value.
pub struct Saved {
	pub state: LoopState,
	pub parameters: Vec<Tensor>,
	pub moments: Vec<(Tensor, Tensor)>,
	pub best: Vec<Tensor>,
}

impl Checkpointing {
	/// Saves `state` with the tensors, then drops the previous checkpoint's tensors.
	pub fn save(
		&self,
		mut state: LoopState,
		parameters: &[Tensor],
		moments: &[(Tensor, Tensor)],
		best: &[Tensor],
	) -> Result<()> {
		std::fs::create_dir_all(&self.dir).map_err(TrainerError::io(&self.dir))?;
		let mut tensors = BTreeMap::new();
		for (i, (parameter, (mean, square))) in parameters.iter().zip(moments).enumerate() {
			tensors.insert(format!("parameter.{i}"), parameter.shallow_clone());
			tensors.insert(format!("mean.{i}"), mean.shallow_clone());
			tensors.insert(format!("square.{i}"), square.shallow_clone());
		}
		for (i, value) in best.iter().enumerate() {
			tensors.insert(format!("best.{i}"), value.shallow_clone());
		}
		let name = format!("step-{}.safetensors", state.step);
		write_atomically(&self.dir.join(&name), &safetensors_bytes(&tensors)?)?;
		state.tensors = name;
		let text = serde_json::to_string_pretty(&state).expect("a loop state serializes");
		write_atomically(&self.dir.join(STATE_FILE), text.as_bytes())?;
		self.remove_other_tensors(&state.tensors)
	}

	/// The newest checkpoint of a run of `total_steps` over `parameters` parameters, if one was
	/// saved; one of another plan, or unreadable, is an error naming the directory, so a job
	/// never silently trains from a state that is not its own.
	pub fn load(
		&self,
		total_steps: usize,
		parameters: usize,
		device: Device,
	) -> Result<Option<Saved>> {
		let path = self.dir.join(STATE_FILE);
		let text = match std::fs::read_to_string(&path) {
			Ok(text) => text,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
			Err(source) => return Err(TrainerError::Io { path, source }),
		};
		let invalid =
			|reason: String| TrainerError::InvalidCheckpoint { dir: self.dir.clone(), reason };
		let state: LoopState = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
		if state.total_steps != total_steps {
			return Err(invalid(format!(
				"it is of a run of {} steps, this one plans {total_steps}",
				state.total_steps
			)));
		}
		let mut tensors = read_safetensors(&self.dir.join(&state.tensors), Kind::Float, device)?;
		let mut take = |name: String| {
			tensors.remove(&name).ok_or_else(|| invalid(format!("{name} is missing")))
		};
		let mut saved = Saved {
			state: state.clone(),
			parameters: Vec::new(),
			moments: Vec::new(),
			best: Vec::new(),
		};
		for i in 0..parameters {
			saved.parameters.push(take(format!("parameter.{i}"))?);
			saved.moments.push((take(format!("mean.{i}"))?, take(format!("square.{i}"))?));
			if state.best.is_some() {
				saved.best.push(take(format!("best.{i}"))?);
			}
		}
		Ok(Some(saved))
	}

	/// Removes the checkpoint once its run has written its adapter.
	pub fn clear(&self) -> Result<()> {
		match std::fs::remove_dir_all(&self.dir) {
			Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
				Err(TrainerError::io(&self.dir)(e))
			},
			_ => Ok(()),
		}
	}

	fn remove_other_tensors(&self, keep: &str) -> Result<()> {
		let entries = std::fs::read_dir(&self.dir).map_err(TrainerError::io(&self.dir))?;
		for entry in entries.flatten() {
			let name = entry.file_name();
			let name = name.to_string_lossy();
			if name.starts_with("step-") && name.ends_with(".safetensors") && name != keep {
				let path = entry.path();
				std::fs::remove_file(&path).map_err(TrainerError::io(&path))?;
			}
		}
		Ok(())
	}
}
