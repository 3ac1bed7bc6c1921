//! Job requests as JSON: what the chain's off-chain worker posts.

use crate::registry::CorpusRow;
use serde::{Deserialize, Serialize};
use tributary_model::peft::AdapterConfig;
use tributary_model::{LoraSpec, TargetModule, TargetModules};
use tributary_primitives::training::{TrainingMethod, TrainingSettings};

/// `TrainingSettings` in JSON; omitted fields take the chain's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SettingsJson {
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
}

impl Default for SettingsJson {
	fn default() -> Self {
		let d = TrainingSettings::default();
		SettingsJson {
			method: d.method.name().into(),
			rank: d.rank,
			alpha: d.alpha,
			dropout_ppm: d.dropout_ppm,
			target_modules: d.target_modules.iter().map(|m| m.hf_name().to_string()).collect(),
			learning_rate_ppb: d.learning_rate_ppb,
			batch_size: d.batch_size,
			sequence_length: d.sequence_length,
			epochs: d.epochs,
			max_steps: d.max_steps,
			seed: d.seed,
			eval_fraction_ppm: d.eval_fraction_ppm,
		}
	}
}

impl SettingsJson {
	pub fn to_settings(&self) -> Result<TrainingSettings, String> {
		let method = TrainingMethod::from_name(&self.method).ok_or_else(|| {
			let names: Vec<&str> = TrainingMethod::ALL.iter().map(|method| method.name()).collect();
			format!("method {:?} is not one of {}", self.method, names.join(", "))
		})?;
		let mut target_modules = TargetModules::default();
		for name in &self.target_modules {
			let module = TargetModule::from_hf_name(name)
				.ok_or_else(|| format!("unknown target module {name:?}"))?;
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
		};
		tributary_trainer::finetune::validate_settings(&settings).map_err(|e| e.to_string())?;
		Ok(settings)
	}

	/// The `adapter_config.json` a fine-tune job with these settings writes (the trainer's
	/// `PeftAdapter::from_model` over `LoraSpec::from_settings`), so an adapter known only by its
	/// weights hash and the chain's settings can be loaded exactly as it was trained.
	pub fn adapter_config(&self, base_model_id: &str) -> Result<AdapterConfig, String> {
		Ok(AdapterConfig::new(&LoraSpec::from_settings(&self.to_settings()?), base_model_id))
	}
}

/// A row as the chain names it, with the length its contributor declared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedRow {
	pub datanet: u32,
	pub row: u64,
	/// Hex content hash of the row's bytes.
	pub hash: String,
	/// The row's `byte_len` on chain; the job reports the row when its bytes differ.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub byte_len: Option<u64>,
}

impl NamedRow {
	pub fn corpus_row(&self) -> CorpusRow {
		CorpusRow { datanet: self.datanet, row: self.row, hash: self.hash.clone() }
	}
}

/// One row of a job: `{"datanet", "row", "hash", "byte_len"?}` (the chain's name of the row, its
/// hex content hash and declared length), or the bare hex hash of a row the chain does not name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
	untagged,
	expecting = "a row as {\"datanet\", \"row\", \"hash\", \"byte_len\"?} or a hex content hash"
)]
pub enum TrainRow {
	Named(NamedRow),
	Hash(String),
}

impl TrainRow {
	pub fn hash(&self) -> &str {
		match self {
			TrainRow::Named(row) => &row.hash,
			TrainRow::Hash(hash) => hash,
		}
	}
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainSpec {
	pub id: String,
	/// The datanet rows (in the local store). Rows named by (datanet, row) become the adapter's
	/// registered corpus, which attribution records credit.
	pub rows: Vec<TrainRow>,
	#[serde(default)]
	pub settings: SettingsJson,
	/// Model id the adapter is registered under; its hex hash when absent.
	#[serde(default)]
	pub register_as: Option<String>,
}

impl TrainSpec {
	/// The adapter's corpus as the chain names it: `Some` when every row is named, `None` when
	/// no row is; mixing both is refused, since attribution needs every training row.
	pub fn corpus(&self) -> Result<Option<Vec<CorpusRow>>, String> {
		let named: Vec<CorpusRow> = self
			.rows
			.iter()
			.filter_map(|row| match row {
				TrainRow::Named(row) => Some(row.corpus_row()),
				TrainRow::Hash(_) => None,
			})
			.collect();
		match named.len() {
			0 => Ok(None),
			n if n == self.rows.len() => Ok(Some(named)),
			n => Err(format!(
				"{n} of {} rows carry (datanet, row) and the rest only a hash: name every row or none",
				self.rows.len()
			)),
		}
	}
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalSpec {
	pub id: String,
	/// The rows, in the same forms as a train job's (only their hashes matter here).
	pub rows: Vec<TrainRow>,
	/// A registered single-adapter model id, or the base model id, or absent for the base model.
	#[serde(default)]
	pub model: Option<String>,
	/// Hex hash of adapter weights (local store, else peers) to evaluate instead of a registered
	/// model; its config is derived from `settings`, which are then required.
	#[serde(default)]
	pub adapter: Option<String>,
	/// The fine-tune job's settings: base quantization, default sequence length and batch size,
	/// and the eval fraction of `held_out`.
	#[serde(default)]
	pub settings: Option<SettingsJson>,
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

const DEFAULT_EVAL_LENGTH: usize = 128;
const DEFAULT_EVAL_BATCH: usize = 8;

impl EvalSpec {
	/// Refuses combinations that cannot say what to evaluate.
	pub fn check(&self) -> Result<(), String> {
		if self.adapter.is_some() && self.model.is_some() {
			return Err("give either model or adapter, not both".into());
		}
		if self.adapter.is_some() && self.settings.is_none() {
			return Err(
				"adapter needs the settings it was trained with (its config is derived from them)"
					.into(),
			);
		}
		if self.held_out && self.settings.is_none() {
			return Err(
				"held_out needs settings (their eval_fraction_ppm picks the held-out rows)".into(),
			);
		}
		if let Some(settings) = &self.settings {
			settings.to_settings()?;
		}
		if let Some(adapter) = &self.adapter {
			crate::store::parse(adapter).map_err(|e| e.to_string())?;
		}
		Ok(())
	}

	pub fn sequence_length(&self) -> usize {
		self.sequence_length
			.or(self.settings.as_ref().map(|s| s.sequence_length as usize))
			.unwrap_or(DEFAULT_EVAL_LENGTH)
	}

	pub fn batch_size(&self) -> usize {
		self.batch_size
			.or(self.settings.as_ref().map(|s| s.batch_size as usize))
			.unwrap_or(DEFAULT_EVAL_BATCH)
	}
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobSpec {
	Train(TrainSpec),
	Eval(EvalSpec),
}

impl JobSpec {
	pub fn id(&self) -> &str {
		match self {
			JobSpec::Train(spec) => &spec.id,
			JobSpec::Eval(spec) => &spec.id,
		}
	}

	/// Hex content hashes of the job's rows.
	pub fn row_hashes(&self) -> Vec<&str> {
		match self {
			JobSpec::Train(spec) => spec.rows.iter().map(TrainRow::hash).collect(),
			JobSpec::Eval(spec) => spec.rows.iter().map(TrainRow::hash).collect(),
		}
	}
}
