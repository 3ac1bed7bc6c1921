//! What the sidecar adds to the contract's job requests (`tributary_sidecar_api::jobs`): the
//! trainer's own check of settings, the adapter config they imply, a train job's corpus and an
//! eval job's defaults.

use tributary_engine::registry::CorpusRow;
use tributary_model::peft::AdapterConfig;
use tributary_model::LoraSpec;
use tributary_primitives::training::TrainingSettings;
pub use tributary_sidecar_api::jobs::{
	EvalJob, JobRow, JobSettings, JobSettingsError, JobSpec, NamedRow, TrainJob,
};
use tributary_trainer::TrainerError;

/// Why a job request cannot be run as asked.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
	#[error(transparent)]
	Settings(#[from] JobSettingsError),
	#[error("the trainer refuses these settings: {0}")]
	Trainer(#[from] TrainerError),
	#[error("{named} of {total} rows carry (datanet, row) and the rest only a hash: name every row or none")]
	MixedRows { named: usize, total: usize },
	#[error("give either model or adapter, not both")]
	ModelAndAdapter,
	#[error("adapter needs the settings it was trained with (its config is derived from them)")]
	AdapterWithoutSettings,
	#[error("held_out needs settings (their eval_fraction_ppm picks the held-out rows)")]
	HeldOutWithoutSettings,
}

/// The settings as the trainer runs them: the chain's check ([`JobSettings::to_settings`]) and
/// the trainer's own (its LoRA spec).
pub fn trainable(settings: &JobSettings) -> Result<TrainingSettings, SpecError> {
	let settings = settings.to_settings()?;
	tributary_trainer::finetune::validate_settings(&settings)?;
	Ok(settings)
}

/// The `adapter_config.json` a fine-tune job with these settings writes (the trainer's
/// `PeftAdapter::from_model` over `LoraSpec::from_settings`), so an adapter known only by its
/// weights hash and the chain's settings can be loaded exactly as it was trained.
pub fn adapter_config(
	settings: &JobSettings,
	base_model_id: &str,
) -> Result<AdapterConfig, SpecError> {
	Ok(AdapterConfig::new(&LoraSpec::from_settings(&trainable(settings)?), base_model_id))
}

/// A train job's corpus as the chain names it: `Some` when every row is named, `None` when no
/// row is; mixing both is refused, since attribution needs every training row.
pub fn corpus(job: &TrainJob) -> Result<Option<Vec<CorpusRow>>, SpecError> {
	let named: Vec<CorpusRow> = job
		.rows
		.iter()
		.filter_map(|row| match row {
			JobRow::Named(row) => {
				Some(CorpusRow { datanet: row.datanet, row: row.row, hash: row.hash })
			},
			JobRow::Hash(_) => None,
		})
		.collect();
	match named.len() {
		0 => Ok(None),
		n if n == job.rows.len() => Ok(Some(named)),
		named => Err(SpecError::MixedRows { named, total: job.rows.len() }),
	}
}

const DEFAULT_EVAL_LENGTH: usize = 128;
const DEFAULT_EVAL_BATCH: usize = 8;

/// Refuses eval requests that cannot say what to evaluate.
pub fn check_eval(job: &EvalJob) -> Result<(), SpecError> {
	if job.adapter.is_some() && job.model.is_some() {
		return Err(SpecError::ModelAndAdapter);
	}
	if job.adapter.is_some() && job.settings.is_none() {
		return Err(SpecError::AdapterWithoutSettings);
	}
	if job.held_out && job.settings.is_none() {
		return Err(SpecError::HeldOutWithoutSettings);
	}
	if let Some(settings) = &job.settings {
		trainable(settings)?;
	}
	Ok(())
}

/// An eval job's window length: as asked, else the settings', else 128.
pub fn eval_sequence_length(job: &EvalJob) -> usize {
	job.sequence_length
		.or(job.settings.as_ref().map(|s| s.sequence_length as usize))
		.unwrap_or(DEFAULT_EVAL_LENGTH)
}

/// An eval job's batch size: as asked, else the settings', else 8.
pub fn eval_batch_size(job: &EvalJob) -> usize {
	job.batch_size
		.or(job.settings.as_ref().map(|s| s.batch_size as usize))
		.unwrap_or(DEFAULT_EVAL_BATCH)
}
