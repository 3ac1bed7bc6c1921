//! Gradient-influence attribution (tributary-attribution's `influence`) for adapters with a
//! registered corpus. Each such adapter gets `<data_dir>/influence/<adapter hex>/`, holding its
//! PEFT files and, beside them, the influence sketch of its corpus (one projected loss gradient
//! per row). Train jobs build the sketch as they finish; any other adapter gets its sketch at the
//! first completion asking for influence.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tch::Device;
use tributary_attribution::corpus::{CorpusRow, HfTokenizer, VerifiedCorpus};
use tributary_attribution::{
	open_or_build_sketch, AdaptedModel, AttributionError, CreditOwners, InfluenceSketch,
	SketchParams,
};
use tributary_engine::registry::CorpusRow as RegisteredRow;
use tributary_model::peft::{AdapterConfig, ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE};
use tributary_primitives::attribution::{InfluenceParams, RowRef};
use tributary_primitives::hex;
use tributary_primitives::ContentHash;
use tributary_store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum InfluenceError {
	#[error(transparent)]
	Store(#[from] StoreError),
	#[error("writing the adapter's files to {path}: {source}")]
	Io { path: PathBuf, source: std::io::Error },
	#[error(transparent)]
	Attribution(#[from] AttributionError),
}

/// The rows' bytes from the store, checked against their hashes, under the chain's names.
pub fn verified_corpus(
	store: &Store,
	corpus: &[RegisteredRow],
) -> Result<VerifiedCorpus, InfluenceError> {
	let mut rows = Vec::with_capacity(corpus.len());
	for entry in corpus {
		let hash = entry.hash.0;
		let bytes = store.get(&hash)?;
		rows.push(CorpusRow {
			row: RowRef { datanet: entry.datanet, row: entry.row },
			claimed_hash: hash,
			bytes,
		});
	}
	Ok(VerifiedCorpus::verify(rows)?)
}

/// Where influence sketches live and what they are computed against.
#[derive(Clone, Debug)]
pub struct InfluenceSetup {
	/// `<data_dir>/influence`.
	pub dir: PathBuf,
	/// The base model's Hugging Face directory.
	pub base_dir: PathBuf,
	/// The base model's `tokenizer.json`.
	pub tokenizer_file: PathBuf,
	/// The adapted model last used, kept for the next request of the same adapter (loading
	/// reads and hashes the whole base model).
	loaded: Arc<Mutex<Option<AdaptedModel>>>,
}

/// An adapter installed on the base model, with the influence sketch of its corpus.
pub struct Prepared {
	pub model: AdaptedModel,
	pub sketch: InfluenceSketch,
	/// Who is credited for the corpus's near-duplicate rows.
	pub owners: CreditOwners,
}

impl InfluenceSetup {
	pub fn new(dir: PathBuf, base_dir: PathBuf, tokenizer_file: PathBuf) -> InfluenceSetup {
		InfluenceSetup { dir, base_dir, tokenizer_file, loaded: Default::default() }
	}

	/// Keeps `model` for the next [`InfluenceSetup::prepare`] of its adapter.
	pub fn keep(&self, model: AdaptedModel) {
		*self.loaded.lock().unwrap_or_else(|e| e.into_inner()) = Some(model);
	}

	/// The adapter's PEFT directory, written from the store on first use. The files are not
	/// trusted later: loading hashes the weights, and records check that hash against the sketch's.
	fn adapter_dir(
		&self,
		store: &Store,
		adapter: &ContentHash,
		config: &AdapterConfig,
	) -> Result<PathBuf, InfluenceError> {
		let dir = self.dir.join(hex::encode(adapter));
		let weights = dir.join(ADAPTER_WEIGHTS_FILE);
		if weights.exists() {
			return Ok(dir);
		}
		let io = |path: &Path| {
			let path = path.to_path_buf();
			move |source| InfluenceError::Io { path, source }
		};
		std::fs::create_dir_all(&dir).map_err(io(&dir))?;
		let config_text = serde_json::to_string_pretty(config).expect("configs serialize");
		std::fs::write(dir.join(ADAPTER_CONFIG_FILE), config_text).map_err(io(&dir))?;
		// Weights last and by rename: their presence means the directory is complete.
		let partial = weights.with_extension("partial");
		std::fs::write(&partial, store.get(adapter)?).map_err(io(&partial))?;
		std::fs::rename(&partial, &weights).map_err(io(&weights))?;
		Ok(dir)
	}

	/// Loads base + adapter on the CPU (as validators recompute) and opens the corpus's sketch
	/// with the projection of `params` beside the adapter, building and writing it when it is
	/// missing or damaged (one per projection a record has named).
	pub fn prepare(
		&self,
		store: &Store,
		adapter: &ContentHash,
		config: &AdapterConfig,
		corpus: &[RegisteredRow],
		params: &InfluenceParams,
	) -> Result<Prepared, InfluenceError> {
		let dir = self.adapter_dir(store, adapter, config)?;
		let kept = self.loaded.lock().unwrap_or_else(|e| e.into_inner()).take();
		let model = match kept.filter(|model| model.adapter == *adapter) {
			Some(model) => model,
			None => AdaptedModel::load(&self.base_dir, &dir, Device::Cpu)?,
		};
		let corpus = verified_corpus(store, corpus)?;
		let tokenizer = HfTokenizer::from_file(&self.tokenizer_file)?;
		let (sketch, _) =
			open_or_build_sketch(&model, &dir, &corpus, &tokenizer, SketchParams::of(params))?;
		Ok(Prepared { model, sketch, owners: CreditOwners::of(&corpus) })
	}
}
