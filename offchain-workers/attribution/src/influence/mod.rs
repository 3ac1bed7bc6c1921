//! Gradient influence of training rows on an answer, for small models with a LoRA adapter
//! (TracIn / DataInf on projected LoRA gradients, LoGra-style projection). This module is the
//! only part of the crate that runs tch.
//!
//! Lifecycle:
//!
//! 1. After training, [`build_sketch`] computes every row's projected loss gradient at the final
//!    adapter and [`InfluenceSketch::write_beside`] stores it in the adapter's directory under its
//!    content hash ([`sketch`] documents the file format); [`open_or_build_sketch`] does both
//!    unless a valid sketch for the same inputs is already there.
//! 2. For each answer, [`influence_record`] projects the gradient of the output's loss the same
//!    way, scores every row ([`score`]) and returns the canonical record (method
//!    `Influence(InfluenceParams)`, naming the scoring and the sketch's projection).
//! 3. In a dispute, [`recompute`](crate::recompute) with [`MethodRequest::Influence`](crate::MethodRequest)
//!    rebuilds the sketch in memory from the verified rows and recomputes the record, on the CPU.
//!
//! The output's loss is its own next-token loss (no prompt), so the record depends only on
//! (model, adapter, corpus, output), as the chain's records state. Sums outside torch run in f64
//! in a fixed order; torch's forward and backward are deterministic for one libtorch build on
//! one CPU architecture, which is the scope of byte-identical records.

mod gradient;
pub mod projection;
pub mod score;
pub mod sketch;

use std::path::{Path, PathBuf};

use tch::{Device, Kind};
use tributary_model::{hf, peft::PeftAdapter, Llama};
use tributary_primitives::{
	attribution::{AttributionMethod, AttributionRecord, InfluenceParams},
	content_hash, ContentHash,
};

pub use score::InfluenceScoring;
pub use sketch::{sketch_path, InfluenceSketch, SketchInputs};

use crate::{
	answer::{assemble, Answer},
	corpus::{Tokenizer, VerifiedCorpus},
	credit::CreditOwners,
	error::AttributionError,
};
use projection::Projector;

/// A base model with one LoRA adapter installed, and the hashes naming both.
#[derive(Debug)]
pub struct AdaptedModel {
	pub llama: Llama,
	/// blake2-256 of the base model's `model.safetensors`.
	pub model: ContentHash,
	/// blake2-256 of the adapter's canonical `adapter_model.safetensors`.
	pub adapter: ContentHash,
}

impl AdaptedModel {
	/// Load a Hugging Face base model directory (single `model.safetensors`) and a PEFT adapter
	/// directory, in fp32 on `device`, hashing both.
	pub fn load(
		base_dir: &Path,
		adapter_dir: &Path,
		device: Device,
	) -> Result<Self, AttributionError> {
		let weights = base_dir.join(hf::WEIGHTS_FILE);
		let bytes = std::fs::read(&weights)
			.map_err(|source| AttributionError::Io { path: weights, source })?;
		let model = content_hash(&bytes);
		drop(bytes);
		let mut llama = hf::load_model(base_dir, Kind::Float, device)
			.map_err(|e| AttributionError::Model(e.to_string()))?;
		let peft =
			PeftAdapter::load(adapter_dir).map_err(|e| AttributionError::Model(e.to_string()))?;
		let adapter = peft.content_hash().map_err(|e| AttributionError::Model(e.to_string()))?;
		peft.apply_to(&mut llama, adapter_dir)
			.map_err(|e| AttributionError::Model(e.to_string()))?;
		Ok(Self { llama, model, adapter })
	}
}

/// How row gradients are projected; part of a sketch's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SketchParams {
	/// Projection size `k` per side of each adapted module (a module contributes `2·r·k` numbers).
	pub projection_dim: u32,
	/// Seed of the projection's sign matrices.
	pub seed: u64,
}

impl SketchParams {
	/// The projection named by a record's influence parameters.
	pub fn of(params: &InfluenceParams) -> Self {
		Self { projection_dim: params.projection_dim, seed: params.projection_seed }
	}
}

impl Default for SketchParams {
	/// The projection of [`InfluenceParams::DEFAULT`]: `k = 16`, seed 0.
	fn default() -> Self {
		Self::of(&InfluenceParams::DEFAULT)
	}
}

/// Project the loss gradient of every corpus row (tokenized with `tokenizer`, the model's own)
/// at the model's adapter. Rows of fewer than two tokens get a zero vector.
pub fn build_sketch(
	model: &AdaptedModel,
	corpus: &VerifiedCorpus,
	tokenizer: &dyn Tokenizer,
	params: SketchParams,
) -> Result<InfluenceSketch, AttributionError> {
	if params.projection_dim == 0 {
		return Err(AttributionError::InvalidParameter("projection_dim must be at least 1"));
	}
	let (modules, rank) = gradient::module_shapes(&model.llama)?;
	let projector = Projector::new(&modules, rank, params.projection_dim, params.seed);
	let mut vectors = Vec::with_capacity(corpus.rows().len() * projector.output_len());
	for row in corpus.rows() {
		let tokens = tokenizer.encode(&row.bytes)?;
		match gradient::projected_gradient(&model.llama, &tokens, &projector)? {
			Some(vector) => vectors.extend(vector),
			None => vectors.resize(vectors.len() + projector.output_len(), 0.0),
		}
	}
	let inputs = SketchInputs {
		model: model.model,
		adapter: model.adapter,
		corpus: corpus.id(),
		tokenizer: tokenizer.id(),
		seed: params.seed,
		projection_dim: params.projection_dim,
		rank,
	};
	let rows = corpus.rows().iter().map(|row| row.row).collect();
	Ok(InfluenceSketch::new(inputs, modules, rows, vectors))
}

/// How [`open_or_build_sketch`] obtained a sketch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SketchSource {
	/// A valid sketch for these inputs was already beside the adapter.
	Opened,
	/// None was (or only damaged or foreign files were): it was built and written.
	Built,
}

/// The sketch of `corpus` for `model`'s adapter with `params`: opened from `adapter_dir` when a
/// valid one for exactly these inputs is there, else built and written there. Damaged files
/// are passed over; a rebuilt sketch replaces a damaged file of the same name.
pub fn open_or_build_sketch(
	model: &AdaptedModel,
	adapter_dir: &Path,
	corpus: &VerifiedCorpus,
	tokenizer: &dyn Tokenizer,
	params: SketchParams,
) -> Result<(InfluenceSketch, SketchSource), AttributionError> {
	let io = |source| AttributionError::Io { path: adapter_dir.to_path_buf(), source };
	let wanted = |inputs: &SketchInputs| {
		(inputs.model, inputs.corpus, inputs.tokenizer, inputs.seed, inputs.projection_dim)
			== (model.model, corpus.id(), tokenizer.id(), params.seed, params.projection_dim)
	};
	let mut candidates: Vec<PathBuf> = std::fs::read_dir(adapter_dir)
		.map_err(io)?
		.map(|entry| entry.map(|entry| entry.path()))
		.collect::<Result<_, _>>()
		.map_err(io)?;
	candidates.retain(|path| path.extension().is_some_and(|ext| ext == sketch::EXTENSION));
	candidates.sort();
	for path in candidates {
		if let Ok(sketch) = InfluenceSketch::open(&path, model.adapter) {
			if wanted(sketch.inputs()) && path == sketch_path(adapter_dir, &sketch.id()) {
				return Ok((sketch, SketchSource::Opened));
			}
		}
	}
	let sketch = build_sketch(model, corpus, tokenizer, params)?;
	sketch.write_beside(adapter_dir)?;
	Ok((sketch, SketchSource::Built))
}

/// Attribute an answer of `model` to the rows of `sketch` by gradient influence. The answer
/// must name the sketch's base model and adapter, and `model` must carry that adapter. The
/// record's method names every setting the scores depend on: `scoring` and the sketch's
/// projection (dimension and seed).
pub fn influence_record(
	model: &AdaptedModel,
	sketch: &InfluenceSketch,
	owners: &CreditOwners,
	answer: &Answer,
	scoring: InfluenceScoring,
	top_k: u32,
) -> Result<AttributionRecord, AttributionError> {
	let inputs = sketch.inputs();
	let adapter = answer.adapter.ok_or(AttributionError::AdapterRequired)?;
	check_hash("answer's adapter", inputs.adapter, adapter)?;
	check_hash("loaded adapter", inputs.adapter, model.adapter)?;
	check_hash("answer's base model", inputs.model, answer.model)?;
	check_hash("loaded base model", inputs.model, model.model)?;
	let (modules, rank) = gradient::module_shapes(&model.llama)?;
	if modules != sketch.modules() || rank != inputs.rank {
		return Err(AttributionError::SketchModelMismatch);
	}
	let projector = Projector::new(&modules, rank, inputs.projection_dim, inputs.seed);
	let query = gradient::projected_gradient(&model.llama, answer.output, &projector)?
		.ok_or(AttributionError::OutputTooShort)?;
	let raw = score::raw_scores(sketch, &query, scoring)?;
	let scores = owners.merge(score::split_positive(sketch, &raw));
	let params = InfluenceParams {
		scoring,
		projection_dim: inputs.projection_dim,
		projection_seed: inputs.seed,
	};
	Ok(assemble(AttributionMethod::Influence(params), inputs.corpus, answer, scores, top_k))
}

fn check_hash(
	what: &'static str,
	expected: ContentHash,
	found: ContentHash,
) -> Result<(), AttributionError> {
	if expected == found {
		Ok(())
	} else {
		Err(AttributionError::HashMismatch { what, expected, found })
	}
}

/// Where a validator finds the model of an influence record, and the record's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InfluenceRequest {
	/// Hugging Face directory of the base model (hashed and checked against the request).
	pub base_dir: PathBuf,
	/// PEFT adapter directory (hashed and checked against the request).
	pub adapter_dir: PathBuf,
	/// The record's projection and scoring, as its method names them.
	pub params: InfluenceParams,
}

/// Recompute an influence record from scratch on the CPU: load and check the model and
/// adapter, rebuild the sketch from the verified corpus, attribute.
pub(crate) fn recompute_influence(
	corpus: &VerifiedCorpus,
	owners: &CreditOwners,
	tokenizer: &dyn Tokenizer,
	request: &InfluenceRequest,
	answer: &Answer,
	top_k: u32,
) -> Result<AttributionRecord, AttributionError> {
	let adapter = answer.adapter.ok_or(AttributionError::AdapterRequired)?;
	let model = AdaptedModel::load(&request.base_dir, &request.adapter_dir, Device::Cpu)?;
	check_hash("adapter in the adapter directory", adapter, model.adapter)?;
	check_hash("base model in the model directory", answer.model, model.model)?;
	let sketch = build_sketch(&model, corpus, tokenizer, SketchParams::of(&request.params))?;
	influence_record(&model, &sketch, owners, answer, request.params.scoring, top_k)
}
