//! A base model made on this machine: a byte-level BPE tokenizer and a tiny Llama-architecture
//! decoder trained from local text, saved as an HF checkpoint directory (config.json,
//! model.safetensors, tokenizer.json) that the loader reads like any downloaded checkpoint.

use crate::data::{pack, split_by_hash, tokenize, Row, Window};
use crate::error::{Result, TrainerError};
use crate::finetune::{run_training, LoopPlan};
use crate::progress::ProgressEvent;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tch::Device;
use tokenizers::models::bpe::{BpeTrainerBuilder, BPE};
use tokenizers::models::TrainerWrapper;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::{AddedToken, Tokenizer};
use tributary_model::hf::EOS_CANDIDATES;
use tributary_model::hf::{save_model, TOKENIZER_FILE, WEIGHTS_FILE};
use tributary_model::{Llama, LlamaConfig};
use tributary_primitives::{content_hash, ContentHash};

/// The end-of-text token of project-made tokenizers.
pub const END_OF_TEXT: &str = EOS_CANDIDATES[0];

#[derive(Clone, Debug)]
pub struct PretrainOptions {
	/// Files or directories (walked recursively) of plain text.
	pub sources: Vec<PathBuf>,
	/// Stop reading text after this many bytes.
	pub max_corpus_bytes: usize,
	pub vocab_size: usize,
	pub hidden_size: i64,
	pub layers: i64,
	pub heads: i64,
	pub kv_heads: i64,
	pub sequence_length: usize,
	pub batch_size: usize,
	pub steps: usize,
	pub learning_rate: f64,
	pub seed: u64,
	pub eval_fraction: f64,
}

impl Default for PretrainOptions {
	/// Sized to pretrain on a 2-core CPU in a few minutes.
	fn default() -> Self {
		PretrainOptions {
			sources: vec![PathBuf::from("/usr/share/common-licenses")],
			max_corpus_bytes: 4 << 20,
			vocab_size: 2048,
			hidden_size: 128,
			layers: 4,
			heads: 4,
			kv_heads: 2,
			sequence_length: 128,
			batch_size: 8,
			steps: 240,
			learning_rate: 3e-3,
			seed: 0,
			eval_fraction: 0.05,
		}
	}
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct PretrainOutcome {
	pub output_dir: PathBuf,
	/// Hex blake2-256 of model.safetensors: the base model's identity for the registry.
	pub weights_hash: String,
	pub parameters: usize,
	pub corpus_bytes: usize,
	pub eval_loss_before: f64,
	pub eval_loss_after: f64,
	pub tokens_per_sec: f64,
	pub seconds: f64,
}

fn walk(path: &Path, files: &mut Vec<PathBuf>) {
	if path.is_dir() {
		let Ok(entries) = std::fs::read_dir(path) else { return };
		let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
		children.sort();
		for child in children {
			walk(&child, files);
		}
	} else if path.is_file() {
		files.push(path.to_path_buf());
	}
}

/// Paragraphs (blank-line separated) of the UTF-8 text files under `sources`, each once, in a
/// fixed order. Binary and non-UTF-8 files are skipped; symlinked duplicates are read once.
pub fn collect_paragraphs(sources: &[PathBuf], max_bytes: usize) -> Result<Vec<Row>> {
	let mut files = Vec::new();
	for source in sources {
		walk(source, &mut files);
	}
	let mut seen_files = BTreeSet::new();
	let mut seen_paragraphs: BTreeSet<ContentHash> = BTreeSet::new();
	let (mut rows, mut bytes) = (Vec::new(), 0usize);
	for file in files {
		let canonical = file.canonicalize().unwrap_or(file.clone());
		if !seen_files.insert(canonical) {
			continue;
		}
		let Ok(text) = std::fs::read_to_string(&file) else { continue };
		if text.contains('\0') {
			continue;
		}
		for paragraph in text.split("\n\n").map(str::trim).filter(|p| p.len() >= 20) {
			let hash = content_hash(paragraph.as_bytes());
			if seen_paragraphs.insert(hash) {
				bytes += paragraph.len();
				rows.push(Row { hash, text: paragraph.to_string() });
			}
			if bytes >= max_bytes {
				return Ok(rows);
			}
		}
	}
	if rows.is_empty() {
		return Err(TrainerError::NoText(sources.to_vec()));
	}
	Ok(rows)
}

/// Trains a byte-level BPE tokenizer (GPT-2 style) with [`END_OF_TEXT`] as its special token.
pub fn train_tokenizer(texts: &[&str], vocab_size: usize) -> Result<Tokenizer> {
	let tokenizer_error = |e: tokenizers::Error| TrainerError::Tokenizer(e.to_string());
	let mut trainer: TrainerWrapper = BpeTrainerBuilder::new()
		.show_progress(false)
		.vocab_size(vocab_size)
		.min_frequency(2)
		.initial_alphabet(ByteLevel::alphabet().into_iter().collect())
		.special_tokens(vec![AddedToken::from(END_OF_TEXT, true)])
		.build()
		.into();
	let mut tokenizer = Tokenizer::new(BPE::default());
	tokenizer.with_pre_tokenizer(Some(ByteLevel::new(false, true, true)));
	tokenizer.with_decoder(Some(ByteLevel::default()));
	tokenizer.train(&mut trainer, texts.iter()).map_err(tokenizer_error)?;
	Ok(tokenizer)
}

/// Writes a checkpoint directory of a model with random weights and a tokenizer trained on
/// `texts` (`config.vocab_size` becomes the tokenizer's): for benchmarks and fuzzing, where what
/// the model says does not matter. Returns the config written.
pub fn write_random_base(
	dir: &Path,
	texts: &[&str],
	vocab_size: usize,
	mut config: LlamaConfig,
	seed: u64,
) -> Result<LlamaConfig> {
	let tokenizer = train_tokenizer(texts, vocab_size)?;
	config.vocab_size = tokenizer.get_vocab_size(true) as i64;
	save_model(&Llama::random(config.clone(), seed, Device::Cpu)?, dir)?;
	tokenizer
		.save(dir.join(TOKENIZER_FILE), false)
		.map_err(|e| TrainerError::Tokenizer(e.to_string()))?;
	Ok(config)
}

/// Trains tokenizer and model and writes the checkpoint directory (only once complete).
pub fn pretrain(
	options: &PretrainOptions,
	output_dir: &Path,
	device: Device,
	on_event: &mut dyn FnMut(&ProgressEvent),
) -> Result<PretrainOutcome> {
	let started = Instant::now();
	if std::fs::read_dir(output_dir).is_ok_and(|mut entries| entries.next().is_some()) {
		return Err(TrainerError::OutputExists(output_dir.to_path_buf()));
	}
	if options.steps == 0 || options.batch_size == 0 || options.sequence_length < 2 {
		return Err(TrainerError::InvalidSettings(
			"steps and batch size must be positive, sequence length at least 2".into(),
		));
	}
	let rows = collect_paragraphs(&options.sources, options.max_corpus_bytes)?;
	let corpus_bytes = rows.iter().map(|r| r.text.len()).sum();
	let split = split_by_hash(rows, options.eval_fraction)?;
	let train_texts: Vec<&str> = split.train.iter().map(|r| r.text.as_str()).collect();
	let tokenizer = train_tokenizer(&train_texts, options.vocab_size)?;
	let train = pack(
		&Window::trained(tokenize(&tokenizer, train_texts.iter().copied())?),
		options.sequence_length,
		"train",
	)?;
	let eval = pack(
		&Window::trained(tokenize(&tokenizer, split.eval.iter().map(|r| r.text.as_str()))?),
		options.sequence_length,
		"eval",
	)?;

	let vocab = tokenizer.get_vocab_size(true) as i64;
	let mut config = LlamaConfig::tiny(
		vocab,
		options.hidden_size,
		options.layers,
		options.heads,
		options.kv_heads,
	);
	config.max_position_embeddings = (options.sequence_length as i64 * 8).max(1024);
	let eos = tokenizer.token_to_id(END_OF_TEXT);
	config.bos_token_id = eos;
	config.eos_token_id = eos.map(|id| id.into());
	let mut model = Llama::random(config, options.seed, device)?;
	let parameters = model.base_parameters_for_training()?;
	let parameter_count = parameters.iter().map(|p| p.numel()).sum();
	let plan = LoopPlan {
		parameters,
		weight_decay: 0.01,
		train: &train,
		eval: &eval,
		batch_size: options.batch_size,
		epochs: 0,
		max_steps: options.steps,
		peak_lr: options.learning_rate,
		seed: options.seed,
		eval_every: (options.steps / 5).max(1),
		patience: 0,
		checkpoint: None,
	};
	let result = run_training(&model, plan, on_event)?;

	let partial = output_dir.with_extension("partial");
	let _ = std::fs::remove_dir_all(&partial);
	save_model(&model, &partial)?;
	tokenizer
		.save(partial.join(TOKENIZER_FILE), true)
		.map_err(|e| TrainerError::Tokenizer(e.to_string()))?;
	if output_dir.exists() {
		std::fs::remove_dir(output_dir).map_err(TrainerError::io(output_dir))?;
	}
	std::fs::rename(&partial, output_dir).map_err(TrainerError::io(output_dir))?;
	let weights =
		std::fs::read(output_dir.join(WEIGHTS_FILE)).map_err(TrainerError::io(output_dir))?;
	let weights_hash = tributary_primitives::hex::encode(&content_hash(&weights));
	let seconds = started.elapsed().as_secs_f64();
	on_event(&ProgressEvent::Finished {
		output: output_dir.display().to_string(),
		hash: weights_hash.clone(),
		seconds,
	});
	Ok(PretrainOutcome {
		output_dir: output_dir.to_path_buf(),
		weights_hash,
		parameters: parameter_count,
		corpus_bytes,
		eval_loss_before: result.eval_loss_before,
		eval_loss_after: result.eval_loss_after,
		tokens_per_sec: result.tokens_per_sec,
		seconds,
	})
}
