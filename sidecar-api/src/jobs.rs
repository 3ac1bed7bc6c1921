//! `POST /jobs/train` and `POST /jobs/eval`: what the chain's off-chain worker asks of the
//! sidecar, and the [`JobRecord`] both answer with. Posting is idempotent: the same id and body
//! answer the existing job, so the request is also the poll.

use crate::wire::Hash32;
use alloc::{
	string::{String, ToString},
	vec::Vec,
};
use core::fmt;
use serde::{Deserialize, Serialize};
use tributary_primitives::{
	attribution::RowRef,
	datanets::PublishedRow,
	training::{
		Overflow, Packing, SettingsError, TargetModule, TargetModules, TrainingMethod,
		TrainingSettings,
	},
};

/// [`TrainingSettings`] on the wire: the method by [`TrainingMethod::name`], the target modules
/// by their HF names; omitted fields take the chain's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobSettings {
	/// "lora", "qlora-nf4" or "qlora-int8".
	pub method: String,
	pub rank: u32,
	pub alpha: u32,
	pub dropout_ppm: u32,
	/// HF module names, e.g. ["q_proj", "v_proj"].
	pub target_modules: Vec<String>,
	pub learning_rate_ppb: u64,
	pub batch_size: u32,
	pub sequence_length: u32,
	pub epochs: u32,
	pub max_steps: u32,
	pub seed: u64,
	pub eval_fraction_ppm: u32,
	// The settings added after the first release are left out while off, so a request means
	// the same to sidecars that predate them.
	#[serde(skip_serializing_if = "is_off")]
	pub use_rslora: bool,
	#[serde(skip_serializing_if = "is_off")]
	pub use_dora: bool,
	#[serde(skip_serializing_if = "is_zero")]
	pub eval_every_steps: u32,
	#[serde(skip_serializing_if = "is_zero")]
	pub early_stopping_patience: u32,
	/// "auto", "stream" or "per_row" ([`Packing::name`]).
	#[serde(skip_serializing_if = "is_auto")]
	pub packing: String,
	/// "truncate" or "window" ([`Overflow::name`]).
	#[serde(skip_serializing_if = "is_truncate")]
	pub overflow: String,
	#[serde(skip_serializing_if = "is_off")]
	pub train_on_prompts: bool,
}

fn is_auto(packing: &str) -> bool {
	packing == Packing::Auto.name()
}

fn is_truncate(overflow: &str) -> bool {
	overflow == Overflow::Truncate.name()
}

fn is_off(flag: &bool) -> bool {
	!flag
}

fn is_zero(count: &u32) -> bool {
	*count == 0
}

/// Why [`JobSettings`] are no trainable [`TrainingSettings`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobSettingsError {
	UnknownMethod(String),
	UnknownTargetModule(String),
	UnknownPacking(String),
	UnknownOverflow(String),
	Refused(SettingsError),
}

impl fmt::Display for JobSettingsError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			JobSettingsError::UnknownMethod(name) => {
				write!(f, "method {name:?} is not one of ")?;
				for (i, method) in TrainingMethod::ALL.iter().enumerate() {
					let separator = if i == 0 { "" } else { ", " };
					write!(f, "{separator}{}", method.name())?;
				}
				Ok(())
			},
			JobSettingsError::UnknownTargetModule(name) => {
				write!(f, "unknown target module {name:?}")
			},
			JobSettingsError::UnknownPacking(name) => {
				let names: Vec<_> = Packing::ALL.iter().map(|packing| packing.name()).collect();
				write!(f, "packing {name:?} is not one of {}", names.join(", "))
			},
			JobSettingsError::UnknownOverflow(name) => {
				let names: Vec<_> = Overflow::ALL.iter().map(|overflow| overflow.name()).collect();
				write!(f, "overflow {name:?} is not one of {}", names.join(", "))
			},
			JobSettingsError::Refused(reason) => write!(f, "{reason}"),
		}
	}
}

impl core::error::Error for JobSettingsError {}

impl From<&TrainingSettings> for JobSettings {
	fn from(settings: &TrainingSettings) -> Self {
		JobSettings {
			method: settings.method.name().into(),
			rank: settings.rank,
			alpha: settings.alpha,
			dropout_ppm: settings.dropout_ppm,
			target_modules: settings
				.target_modules
				.iter()
				.map(|module| module.hf_name().to_string())
				.collect(),
			learning_rate_ppb: settings.learning_rate_ppb,
			batch_size: settings.batch_size,
			sequence_length: settings.sequence_length,
			epochs: settings.epochs,
			max_steps: settings.max_steps,
			seed: settings.seed,
			eval_fraction_ppm: settings.eval_fraction_ppm,
			use_rslora: settings.use_rslora,
			use_dora: settings.use_dora,
			eval_every_steps: settings.eval_every_steps,
			early_stopping_patience: settings.early_stopping_patience,
			packing: settings.packing.name().into(),
			overflow: settings.overflow.name().into(),
			train_on_prompts: settings.train_on_prompts,
		}
	}
}

impl Default for JobSettings {
	fn default() -> Self {
		JobSettings::from(&TrainingSettings::default())
	}
}

impl JobSettings {
	/// The chain's settings, checked by [`TrainingSettings::validate`] as the chain checks them.
	pub fn to_settings(&self) -> Result<TrainingSettings, JobSettingsError> {
		let method = TrainingMethod::from_name(&self.method)
			.ok_or_else(|| JobSettingsError::UnknownMethod(self.method.clone()))?;
		let mut target_modules = TargetModules::default();
		for name in &self.target_modules {
			let module = TargetModule::from_hf_name(name)
				.ok_or_else(|| JobSettingsError::UnknownTargetModule(name.clone()))?;
			target_modules = target_modules.with(module);
		}
		let settings = TrainingSettings {
			method,
			rank: self.rank,
			alpha: self.alpha,
			dropout_ppm: self.dropout_ppm,
			target_modules,
			learning_rate_ppb: self.learning_rate_ppb,
			batch_size: self.batch_size,
			sequence_length: self.sequence_length,
			epochs: self.epochs,
			max_steps: self.max_steps,
			seed: self.seed,
			eval_fraction_ppm: self.eval_fraction_ppm,
			use_rslora: self.use_rslora,
			use_dora: self.use_dora,
			eval_every_steps: self.eval_every_steps,
			early_stopping_patience: self.early_stopping_patience,
			packing: Packing::from_name(&self.packing)
				.ok_or_else(|| JobSettingsError::UnknownPacking(self.packing.clone()))?,
			overflow: Overflow::from_name(&self.overflow)
				.ok_or_else(|| JobSettingsError::UnknownOverflow(self.overflow.clone()))?,
			train_on_prompts: self.train_on_prompts,
		};
		settings.validate().map_err(JobSettingsError::Refused)?;
		Ok(settings)
	}
}

/// A row as the chain names it, with the length its contributor declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedRow {
	pub datanet: u32,
	pub row: u64,
	/// The content hash of the row's bytes.
	pub hash: Hash32,
	/// The row's `byte_len` on chain; the job reports the row when its bytes differ.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub byte_len: Option<u64>,
}

impl NamedRow {
	/// A published row under its chain name, with its declared length.
	pub fn published(name: RowRef, row: &PublishedRow) -> Self {
		NamedRow {
			datanet: name.datanet,
			row: name.row,
			hash: Hash32(row.content_hash),
			byte_len: Some(u64::from(row.byte_len)),
		}
	}
}

/// One row of a job: a [`NamedRow`], or the bare content hash of a row the chain does not name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
	untagged,
	expecting = "a row as {\"datanet\", \"row\", \"hash\", \"byte_len\"?} or a hex content hash"
)]
pub enum JobRow {
	Named(NamedRow),
	Hash(Hash32),
}

impl JobRow {
	pub fn hash(&self) -> Hash32 {
		match self {
			JobRow::Named(row) => row.hash,
			JobRow::Hash(hash) => *hash,
		}
	}
}

/// `POST /jobs/train`: fine-tune an adapter of the base model on `rows`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainJob {
	pub id: String,
	/// The datanet rows (in the local store or at a peer). Rows named by (datanet, row) become
	/// the adapter's registered corpus, which attribution records credit.
	pub rows: Vec<JobRow>,
	#[serde(default)]
	pub settings: JobSettings,
	/// Model id the adapter is registered under; its hex hash when absent.
	#[serde(default)]
	pub register_as: Option<String>,
}

/// `POST /jobs/eval`: the loss of an adapter (or the base model) on rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalJob {
	pub id: String,
	/// The rows, in the same forms as a train job's (only their hashes matter here).
	pub rows: Vec<JobRow>,
	/// A registered single-adapter model id, or the base model id, or absent for the base model.
	#[serde(default)]
	pub model: Option<String>,
	/// Adapter weights (local store, else peers) to evaluate instead of a registered model; its
	/// config is derived from `settings`, which are then required.
	#[serde(default)]
	pub adapter: Option<Hash32>,
	/// The fine-tune job's settings: base quantization, default sequence length and batch size,
	/// and the eval fraction of `held_out`.
	#[serde(default)]
	pub settings: Option<JobSettings>,
	/// Score only the rows a fine-tune job over `rows` with `settings` held out for its eval loss.
	#[serde(default)]
	pub held_out: bool,
	/// Defaults to the settings' sequence length, else 128.
	#[serde(default)]
	pub sequence_length: Option<usize>,
	/// Defaults to the settings' batch size, else 8.
	#[serde(default)]
	pub batch_size: Option<usize>,
}

/// A job as the sidecar keeps it: which kind, and its request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobSpec {
	Train(TrainJob),
	Eval(EvalJob),
}

impl JobSpec {
	pub fn id(&self) -> &str {
		match self {
			JobSpec::Train(spec) => &spec.id,
			JobSpec::Eval(spec) => &spec.id,
		}
	}

	/// The content hashes of the job's rows.
	pub fn row_hashes(&self) -> Vec<Hash32> {
		let rows = match self {
			JobSpec::Train(spec) => &spec.rows,
			JobSpec::Eval(spec) => &spec.rows,
		};
		rows.iter().map(JobRow::hash).collect()
	}
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
	Queued,
	Running,
	Succeeded,
	Failed,
}

/// How far a train job got.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
	pub step: usize,
	pub total_steps: usize,
	pub loss: Option<f64>,
}

/// What a finished train job measured. Losses are mean next-token cross-entropy in nats; an
/// undefined measurement (NaN) is written `null` (JSON has no NaN) and read back as NaN.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrainMetrics {
	/// The base model alone on the held-out rows.
	pub eval_loss_before: f64,
	/// The adapter on the held-out rows.
	pub eval_loss_after: f64,
	pub perplexity_after: f64,
	pub steps: usize,
	pub train_tokens_per_epoch: usize,
	pub tokens_per_sec: f64,
	pub seconds: f64,
	/// The loss of the last training step.
	pub train_loss: Option<f64>,
	/// Size of `adapter_model.safetensors`.
	pub adapter_bytes: u64,
	/// The influence sketch built for the adapter's corpus (when the job named its rows).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub influence_sketch: Option<Hash32>,
	/// What became of the job's rows (absent in records of sidecars that predate it).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub data: Option<RowOutcomes>,
}

/// What became of a job's rows: how many were used, in which format, and why the others were
/// not. `listed` = `rows` + `not_text` + `empty` + `duplicates` + `unrenderable`; `cut_off` of
/// the `rows` were then dropped when packed. Each outcome depends only on the rows' bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowOutcomes {
	/// Hashes listed, repeats included.
	pub listed: usize,
	/// Rows used, by format: `plain` + `instruction` + `chat`.
	pub rows: usize,
	pub plain: usize,
	pub instruction: usize,
	pub chat: usize,
	/// Skipped: bytes that are not UTF-8 text.
	pub not_text: usize,
	/// Skipped: blank, or an instruction or chat row without a reply.
	pub empty: usize,
	/// Skipped: the same example as a row with a smaller hash, or a hash listed again.
	pub duplicates: usize,
	/// Skipped: instruction or chat rows the model's chat template refuses.
	pub unrenderable: usize,
	/// Rows longer than the sequence, truncated or windowed as the job's `overflow` says.
	pub overlong: usize,
	/// Dropped when packed per row: none of the row's trained tokens fit in the sequence.
	pub cut_off: usize,
}

/// What a finished eval job measured (undefined measurements as in [`TrainMetrics`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvalMetrics {
	/// The adapter evaluated, when not the base model.
	pub adapter_hash: Option<Hash32>,
	pub rows: usize,
	pub tokens: usize,
	/// The adapter's (or the base's) loss on the rows.
	pub eval_loss: f64,
	pub perplexity: f64,
	/// The base model alone on the same rows (a train job's `eval_loss_before`).
	pub base_loss: f64,
	/// What became of the rows read (for a held-out split, all the job's rows).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub data: Option<RowOutcomes>,
}

/// The metrics of a finished job, of its kind: a train job's carry `adapter_bytes`, an eval's
/// `tokens`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged, try_from = "AnyMetrics")]
pub enum JobMetrics {
	Train(TrainMetrics),
	Eval(EvalMetrics),
}

/// Either kind's fields, read without buffering: serde's untagged enums buffer the input, and
/// serde_json's `arbitrary_precision` (enabled in the node's dependency graph) then hands floats
/// over as maps, so no variant would match. Undefined measurements (missing or `null`) are NaN.
#[derive(Deserialize)]
struct AnyMetrics {
	eval_loss_before: Option<f64>,
	eval_loss_after: Option<f64>,
	perplexity_after: Option<f64>,
	steps: Option<usize>,
	train_tokens_per_epoch: Option<usize>,
	tokens_per_sec: Option<f64>,
	seconds: Option<f64>,
	train_loss: Option<f64>,
	adapter_bytes: Option<u64>,
	influence_sketch: Option<Hash32>,
	adapter_hash: Option<Hash32>,
	rows: Option<usize>,
	tokens: Option<usize>,
	eval_loss: Option<f64>,
	perplexity: Option<f64>,
	base_loss: Option<f64>,
	data: Option<RowOutcomes>,
}

impl TryFrom<AnyMetrics> for JobMetrics {
	type Error = &'static str;

	fn try_from(any: AnyMetrics) -> Result<Self, Self::Error> {
		let measured = |value: Option<f64>| value.unwrap_or(f64::NAN);
		match (any.adapter_bytes, any.tokens) {
			(Some(adapter_bytes), None) => Ok(JobMetrics::Train(TrainMetrics {
				eval_loss_before: measured(any.eval_loss_before),
				eval_loss_after: measured(any.eval_loss_after),
				perplexity_after: measured(any.perplexity_after),
				steps: any.steps.ok_or("a train job's metrics lack steps")?,
				train_tokens_per_epoch: any
					.train_tokens_per_epoch
					.ok_or("a train job's metrics lack train_tokens_per_epoch")?,
				tokens_per_sec: measured(any.tokens_per_sec),
				seconds: measured(any.seconds),
				train_loss: any.train_loss,
				adapter_bytes,
				influence_sketch: any.influence_sketch,
				data: any.data,
			})),
			(None, Some(tokens)) => Ok(JobMetrics::Eval(EvalMetrics {
				adapter_hash: any.adapter_hash,
				rows: any.rows.ok_or("an eval job's metrics lack rows")?,
				tokens,
				eval_loss: measured(any.eval_loss),
				perplexity: measured(any.perplexity),
				base_loss: measured(any.base_loss),
				data: any.data,
			})),
			_ => {
				Err("job metrics carry either adapter_bytes (a train job's) or tokens (an eval's)")
			},
		}
	}
}

/// The answer to a job request, and what the sidecar keeps of each job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
	pub spec: JobSpec,
	pub status: JobStatus,
	pub progress: Progress,
	/// The trained adapter's weights (train jobs).
	pub result_hash: Option<Hash32>,
	/// Model id the adapter was registered under (train jobs).
	pub model: Option<String>,
	pub metrics: Option<JobMetrics>,
	pub error: Option<String>,
	/// How many times the job was started from the beginning; at most 1 for train jobs.
	pub runs: u32,
	/// How many times a restart interrupted a train job, which then resumed from its last
	/// checkpoint (absent while 0).
	#[serde(default, skip_serializing_if = "is_zero")]
	pub resumed: u32,
}

/// A loss in nats as the chain stores it, in parts per billion; `None` unless finite and
/// non-negative.
pub fn loss_ppb(loss: f64) -> Option<u64> {
	(loss.is_finite() && loss >= 0.0).then_some((loss * 1e9) as u64)
}
