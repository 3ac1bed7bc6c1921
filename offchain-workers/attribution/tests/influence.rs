//! Gradient influence end to end: a tiny Llama with a LoRA adapter trained a few steps in the
//! test, sketches written beside the adapter, records from the sketch and from `recompute`.

use std::{
	collections::HashMap,
	fs,
	path::{Path, PathBuf},
};

use codec::{Decode, Encode};
use tch::{COptimizer, Device, Kind, Tensor};
use tributary_attribution::{
	build_sketch, influence::sketch_path, influence_record, open_or_build_sketch, recompute,
	AdaptedModel, Answer, AttributionError, ByteTokenizer, CorpusRow, CreditOwners,
	InfluenceRequest, InfluenceScoring, InfluenceSketch, MethodRequest, RecomputeRequest,
	SketchParams, SketchSource, VerifiedCorpus,
};
use tributary_model::{
	hf::save_model, peft::PeftAdapter, Llama, LlamaConfig, LoraSpec, TargetModules,
};
use tributary_primitives::{
	attribution::{
		AttributionMethod, AttributionRecord, InfluenceParams, RowRef, PARTS_PER_BILLION,
	},
	content_hash, ContentHash,
};

/// The row the adapter sees many times, and the answers that echo it.
const REPEATED: &str =
	"the lighthouse keeper logs every passing ship at dawn and rings the brass bell twice";
const REPEATED_ROW: RowRef = RowRef { datanet: 1, row: 0 };
/// How often the repeated row occurs in the training set.
const REPEATS: usize = 12;
const TRAIN_STEPS: usize = 25;

struct Lcg(u64);

impl Lcg {
	fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
		self.0 >> 33
	}
}

/// 24 rows of 12 words from a 120-word random lowercase vocabulary: same alphabet as the
/// repeated row, different content.
fn unrelated_texts() -> Vec<String> {
	let mut rng = Lcg(11);
	let vocabulary: Vec<String> = (0..120)
		.map(|_| {
			(0..3 + rng.next() % 5)
				.map(|_| (b'a' + (rng.next() % 26) as u8) as char)
				.collect()
		})
		.collect();
	(0..24)
		.map(|_| {
			(0..12)
				.map(|_| vocabulary[(rng.next() % 120) as usize].as_str())
				.collect::<Vec<_>>()
				.join(" ")
		})
		.collect()
}

fn corpus_rows() -> Vec<CorpusRow> {
	let row = |row: RowRef, text: &str| CorpusRow {
		row,
		claimed_hash: content_hash(text.as_bytes()),
		bytes: text.as_bytes().to_vec(),
	};
	std::iter::once(row(REPEATED_ROW, REPEATED))
		.chain(
			unrelated_texts()
				.iter()
				.enumerate()
				.map(|(i, text)| row(RowRef { datanet: 2, row: i as u64 }, text)),
		)
		.collect()
}

fn byte_tokens(text: &str) -> Vec<u32> {
	text.bytes().map(u32::from).collect()
}

/// Mean next-token loss of one byte sequence.
fn sequence_loss(model: &Llama, tokens: &[u32]) -> Tensor {
	let ids: Vec<i64> = tokens.iter().map(|&t| i64::from(t)).collect();
	let ids = Tensor::from_slice(&ids);
	let n = ids.size()[0] - 1;
	let logits = model.forward(&ids.narrow(0, 0, n).unsqueeze(0), false).unwrap();
	logits
		.squeeze_dim(0)
		.to_kind(Kind::Float)
		.cross_entropy_for_logits(&ids.narrow(0, 1, n))
}

/// A model directory with trained adapters beside it.
struct Fixture {
	_root: tempfile::TempDir,
	base_dir: PathBuf,
	/// The adapter after training.
	adapter_dir: PathBuf,
	/// The same adapter before training: another adapter of the same shape.
	untrained_dir: PathBuf,
	model_hash: ContentHash,
	adapter_hash: ContentHash,
}

/// A tiny byte-level Llama (vocab 256), LoRA rank 4 on every projection, trained with Adam for
/// a few full-batch steps on the repeated row (12 times) and the unrelated rows (once each).
fn fixture() -> Fixture {
	fixture_of(LlamaConfig::tiny(256, 32, 2, 4, 2))
}

/// [`fixture`] with another architecture of the same size.
fn fixture_of(mut config: LlamaConfig) -> Fixture {
	// Tests run in parallel on a small machine: one torch thread each avoids oversubscription.
	tch::set_num_threads(1);
	let root = tempfile::tempdir().unwrap();
	let base_dir = root.path().join("base");
	// A family that scales embeddings on the way in (Gemma, by √hidden) gets its LM head apart,
	// so that both the residual stream and the logits start at the size they have in Llama.
	let input_scale = config.embedding_scale();
	if input_scale.is_some() {
		config.tie_word_embeddings = false;
	}
	let random = Llama::random(config.clone(), 1, Device::Cpu).unwrap();
	// Unit-scale embeddings, as a trained model has: with the 0.02 of a fresh init the tied
	// embeddings cap every logit near zero and an adapter could not sharpen a prediction.
	let mut weights: HashMap<String, Tensor> = random.hf_weights().unwrap().into_iter().collect();
	let embeddings = weights.remove("model.embed_tokens.weight").unwrap() * 50.0;
	if let Some(scale) = input_scale {
		weights.insert("lm_head.weight".into(), embeddings.copy());
		weights.insert("model.embed_tokens.weight".into(), embeddings / scale);
	} else {
		weights.insert("model.embed_tokens.weight".into(), embeddings);
	}
	let mut model = Llama::from_weights(config, weights).unwrap();
	save_model(&model, &base_dir).unwrap();
	let model_hash = content_hash(&fs::read(base_dir.join("model.safetensors")).unwrap());

	let spec = LoraSpec::plain(4, 8.0, TargetModules::ALL);
	model.add_lora(&spec, 3).unwrap();
	let untrained_dir = root.path().join("untrained");
	PeftAdapter::from_model(&model, "tiny").unwrap().save(&untrained_dir).unwrap();

	let repeated = byte_tokens(REPEATED);
	let unrelated: Vec<Vec<u32>> = unrelated_texts().iter().map(|text| byte_tokens(text)).collect();
	let sequences = (REPEATS + unrelated.len()) as f64;
	let mut optimizer = COptimizer::adamw(1e-2, 0.9, 0.999, 0.0, 1e-8, false).unwrap();
	for parameter in model.lora_parameters() {
		optimizer.add_parameters(&parameter, 0).unwrap();
	}
	let loss_of_repeated =
		|model: &Llama| f64::try_from(sequence_loss(model, &byte_tokens(REPEATED))).unwrap();
	let before = loss_of_repeated(&model);
	for _ in 0..TRAIN_STEPS {
		optimizer.zero_grad().unwrap();
		// The mean loss over the training set, the repeated row counted REPEATS times.
		let unrelated_loss: Vec<Tensor> =
			unrelated.iter().map(|tokens| sequence_loss(&model, tokens)).collect();
		let total = sequence_loss(&model, &repeated) * REPEATS as f64
			+ Tensor::stack(&unrelated_loss, 0).sum(Kind::Float);
		(total / sequences).backward();
		optimizer.step().unwrap();
	}
	let after = loss_of_repeated(&model);
	assert!(after < before - 0.5, "training must fit the repeated row: loss {before} -> {after}");

	let adapter_dir = root.path().join("adapter");
	let adapter_hash = PeftAdapter::from_model(&model, "tiny").unwrap().save(&adapter_dir).unwrap();
	Fixture { _root: root, base_dir, adapter_dir, untrained_dir, model_hash, adapter_hash }
}

fn answer<'a>(fixture: &Fixture, output: &'a [u32]) -> Answer<'a> {
	Answer { model: fixture.model_hash, adapter: Some(fixture.adapter_hash), output }
}

fn sketch_of(model: &AdaptedModel) -> InfluenceSketch {
	let corpus = VerifiedCorpus::verify(corpus_rows()).unwrap();
	build_sketch(model, &corpus, &ByteTokenizer, SketchParams::default()).unwrap()
}

#[test]
fn repeated_matching_row_outranks_unrelated_rows() {
	let fixture = fixture();
	let model = AdaptedModel::load(&fixture.base_dir, &fixture.adapter_dir, Device::Cpu).unwrap();
	assert_eq!((model.model, model.adapter), (fixture.model_hash, fixture.adapter_hash));
	let sketch = sketch_of(&model);
	let output = byte_tokens(&REPEATED[..60]);
	for scoring in [InfluenceScoring::TracIn, InfluenceScoring::DATAINF] {
		let record = influence_record(
			&model,
			&sketch,
			&CreditOwners::none(),
			&answer(&fixture, &output),
			scoring,
			5,
		)
		.unwrap();
		record.check_canonical().unwrap();
		let params = InfluenceParams { scoring, projection_dim: 16, projection_seed: 0 };
		assert_eq!(
			record.method,
			AttributionMethod::Influence(params),
			"the record names its settings"
		);
		assert_eq!(record.adapter, Some(fixture.adapter_hash));
		assert_eq!(record.top[0].row, REPEATED_ROW, "{scoring:?}: {:?}", record.top);
		let total: u64 = record.scores.iter().map(|s| u64::from(s.parts_per_billion)).sum();
		assert!(total <= u64::from(PARTS_PER_BILLION), "{total}");
		let runner_up = record.top.get(1).map_or(0, |s| s.parts_per_billion);
		assert!(record.top[0].parts_per_billion > runner_up, "{scoring:?}: {:?}", record.top);
		// DataInf discounts the gradient direction all rows share (generic byte statistics),
		// which raw inner products are dominated by: its lead is clear, not just first place.
		if scoring == InfluenceScoring::DATAINF {
			assert!(record.top[0].parts_per_billion > 3 * runner_up / 2, "{:?}", record.top);
		}
	}
}

/// Each family the loader knows, with what sets it apart from plain Llama in the forward pass
/// that gradients flow through: Qwen2's q/k/v biases and a sliding layer, Mistral's window in
/// every layer and its own head size, Llama 3's attention and MLP biases, Gemma's activation and
/// norm and embedding scales.
#[test]
fn every_model_family_credits_the_repeated_row() {
	let tiny = || LlamaConfig::tiny(256, 32, 2, 4, 2);
	let named = |architecture: &str, model_type: &str| LlamaConfig {
		architectures: vec![architecture.into()],
		model_type: model_type.into(),
		..tiny()
	};
	let families = [
		LlamaConfig {
			sliding_window: Some(16),
			use_sliding_window: Some(true),
			max_window_layers: Some(1),
			..named("Qwen2ForCausalLM", "qwen2")
		},
		LlamaConfig {
			sliding_window: Some(24),
			head_dim: Some(16),
			..named("MistralForCausalLM", "mistral")
		},
		LlamaConfig { attention_bias: true, mlp_bias: true, ..tiny() },
		LlamaConfig {
			hidden_act: "gelu_pytorch_tanh".into(),
			..named("GemmaForCausalLM", "gemma")
		},
	];
	for config in families {
		let family = format!("{:?}", config.family().unwrap());
		let fixture = fixture_of(config);
		let model =
			AdaptedModel::load(&fixture.base_dir, &fixture.adapter_dir, Device::Cpu).unwrap();
		let record = influence_record(
			&model,
			&sketch_of(&model),
			&CreditOwners::none(),
			&answer(&fixture, &byte_tokens(&REPEATED[..60])),
			InfluenceScoring::DATAINF,
			5,
		)
		.unwrap();
		record.check_canonical().unwrap();
		assert_eq!(record.top[0].row, REPEATED_ROW, "{family}: {:?}", record.top);
		let runner_up = record.top.get(1).map_or(0, |s| s.parts_per_billion);
		assert!(record.top[0].parts_per_billion > 3 * runner_up / 2, "{family}: {:?}", record.top);
	}
}

#[test]
fn sketch_file_and_record_are_byte_identical_across_runs_and_recompute() {
	let fixture = fixture();
	let first = AdaptedModel::load(&fixture.base_dir, &fixture.adapter_dir, Device::Cpu).unwrap();
	let path = sketch_of(&first).write_beside(&fixture.adapter_dir).unwrap();
	let second = AdaptedModel::load(&fixture.base_dir, &fixture.adapter_dir, Device::Cpu).unwrap();
	let rebuilt = sketch_of(&second);
	assert_eq!(
		fs::read(&path).unwrap(),
		rebuilt.to_bytes(),
		"a second run writes the same sketch bytes"
	);
	assert_eq!(path, sketch_path(&fixture.adapter_dir, &rebuilt.id()));

	let stored =
		InfluenceSketch::open_by_id(&fixture.adapter_dir, rebuilt.id(), fixture.adapter_hash)
			.unwrap();
	let output = byte_tokens("the lighthouse keeper rings the brass bell at dawn");
	let from_file = influence_record(
		&first,
		&stored,
		&CreditOwners::none(),
		&answer(&fixture, &output),
		InfluenceScoring::TracIn,
		4,
	)
	.unwrap();
	let from_memory = influence_record(
		&second,
		&rebuilt,
		&CreditOwners::none(),
		&answer(&fixture, &output),
		InfluenceScoring::TracIn,
		4,
	)
	.unwrap();
	assert_eq!(from_file.encode(), from_memory.encode());

	let request = RecomputeRequest {
		model: fixture.model_hash,
		adapter: Some(fixture.adapter_hash),
		output,
		method: MethodRequest::Influence(InfluenceRequest {
			base_dir: fixture.base_dir.clone(),
			adapter_dir: fixture.adapter_dir.clone(),
			params: InfluenceParams {
				scoring: InfluenceScoring::TracIn,
				..InfluenceParams::DEFAULT
			},
		}),
		top_k: 4,
	};
	let recomputed = recompute(corpus_rows(), &ByteTokenizer, &request).unwrap();
	assert_eq!(recomputed.encode(), from_file.encode());
	assert_eq!(recomputed.commitment(), from_file.commitment());
	assert_eq!(AttributionRecord::decode(&mut &from_file.encode()[..]).unwrap(), from_file);

	// Every setting in the method changes the record, and recompute honours each one: the
	// record it returns names the settings it was asked for and round-trips through SCALE.
	let base = InfluenceParams { scoring: InfluenceScoring::TracIn, ..InfluenceParams::DEFAULT };
	let variants = [
		InfluenceParams { scoring: InfluenceScoring::DATAINF, ..base },
		InfluenceParams { scoring: InfluenceScoring::DataInf { damping_milli: 1000 }, ..base },
		InfluenceParams { projection_dim: 8, ..base },
		InfluenceParams { projection_seed: 1, ..base },
	];
	let mut commitments = vec![from_file.commitment()];
	for params in variants {
		let mut other = request.clone();
		let MethodRequest::Influence(influence) = &mut other.method else {
			unreachable!("built above")
		};
		influence.params = params;
		let record = recompute(corpus_rows(), &ByteTokenizer, &other).unwrap();
		assert_eq!(record.method, AttributionMethod::Influence(params));
		assert_eq!(AttributionRecord::decode(&mut &record.encode()[..]).unwrap(), record);
		assert!(
			!commitments.contains(&record.commitment()),
			"{params:?} gave a record another setting gave"
		);
		commitments.push(record.commitment());
	}
	// A record from a sketch with another projection names that projection.
	let corpus = VerifiedCorpus::verify(corpus_rows()).unwrap();
	let small =
		build_sketch(&first, &corpus, &ByteTokenizer, SketchParams { projection_dim: 8, seed: 1 })
			.unwrap();
	let record = influence_record(
		&first,
		&small,
		&CreditOwners::none(),
		&answer(&fixture, &request.output),
		InfluenceScoring::DATAINF,
		4,
	)
	.unwrap();
	let expected = InfluenceParams {
		scoring: InfluenceScoring::DATAINF,
		projection_dim: 8,
		projection_seed: 1,
	};
	assert_eq!(record.method, AttributionMethod::Influence(expected));
}

#[test]
fn sketch_beside_the_adapter_is_reused_and_damage_is_rebuilt() {
	let fixture = fixture();
	let model = AdaptedModel::load(&fixture.base_dir, &fixture.adapter_dir, Device::Cpu).unwrap();
	let corpus = VerifiedCorpus::verify(corpus_rows()).unwrap();
	let params = SketchParams::default();
	let open_or_build = || {
		open_or_build_sketch(&model, &fixture.adapter_dir, &corpus, &ByteTokenizer, params).unwrap()
	};

	let (built, source) = open_or_build();
	assert_eq!(source, SketchSource::Built);
	let path = sketch_path(&fixture.adapter_dir, &built.id());
	let bytes = fs::read(&path).unwrap();
	let (opened, source) = open_or_build();
	assert_eq!((source, opened.id()), (SketchSource::Opened, built.id()));

	// Other projection settings are other inputs: a second sketch beside the first.
	let other = SketchParams { projection_dim: 8, seed: 1 };
	let (small, source) =
		open_or_build_sketch(&model, &fixture.adapter_dir, &corpus, &ByteTokenizer, other).unwrap();
	assert_eq!(source, SketchSource::Built);
	assert_eq!(small.dimension() * 2, built.dimension());

	fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
	let (repaired, source) = open_or_build();
	assert_eq!((source, repaired.id()), (SketchSource::Built, built.id()));
	assert_eq!(fs::read(&path).unwrap(), bytes);
}

/// The sketch of the trained adapter, written beside it.
fn written_sketch(fixture: &Fixture) -> (PathBuf, Vec<u8>) {
	let model = AdaptedModel::load(&fixture.base_dir, &fixture.adapter_dir, Device::Cpu).unwrap();
	let path = sketch_of(&model).write_beside(&fixture.adapter_dir).unwrap();
	let bytes = fs::read(&path).unwrap();
	(path, bytes)
}

fn open_error(path: &Path, adapter: ContentHash) -> AttributionError {
	InfluenceSketch::open(path, adapter).expect_err("a bad sketch must not open")
}

#[test]
fn truncated_or_corrupt_sketch_is_refused() {
	let fixture = fixture();
	let (path, bytes) = written_sketch(&fixture);

	fs::write(&path, &bytes[..bytes.len() - 100]).unwrap();
	let err = open_error(&path, fixture.adapter_hash);
	assert!(matches!(err, AttributionError::TruncatedSketch { .. }), "{err}");
	assert!(err.to_string().contains("truncated"), "{err}");

	fs::write(&path, &bytes[..40]).unwrap();
	assert!(matches!(
		open_error(&path, fixture.adapter_hash),
		AttributionError::TruncatedSketch { .. }
	));

	let mut damaged = bytes.clone();
	let last = damaged.len() - 3;
	damaged[last] ^= 0x40;
	fs::write(&path, &damaged).unwrap();
	let err = open_error(&path, fixture.adapter_hash);
	assert!(matches!(err, AttributionError::CorruptSketch { .. }), "{err}");
	assert!(err.to_string().contains("checksum"), "{err}");

	let mut not_a_sketch = bytes;
	not_a_sketch[..8].copy_from_slice(b"TRBSUFIX");
	fs::write(&path, &not_a_sketch).unwrap();
	assert!(open_error(&path, fixture.adapter_hash).to_string().contains("bad magic"));
}

#[test]
fn sketch_of_another_adapter_is_refused() {
	let fixture = fixture();
	let (path, _) = written_sketch(&fixture);
	let other = AdaptedModel::load(&fixture.base_dir, &fixture.untrained_dir, Device::Cpu).unwrap();
	assert_ne!(other.adapter, fixture.adapter_hash);

	let err = open_error(&path, other.adapter);
	assert!(matches!(err, AttributionError::SketchAdapterMismatch { .. }), "{err}");
	assert!(err.to_string().contains("build a sketch for this adapter"), "{err}");

	// A sketch opened for its own adapter, used with a model carrying another adapter.
	let sketch = InfluenceSketch::open(&path, fixture.adapter_hash).unwrap();
	let output = byte_tokens(REPEATED);
	let err = influence_record(
		&other,
		&sketch,
		&CreditOwners::none(),
		&answer(&fixture, &output),
		InfluenceScoring::TracIn,
		3,
	)
	.unwrap_err();
	assert!(matches!(err, AttributionError::HashMismatch { what: "loaded adapter", .. }), "{err}");

	// A dispute naming the trained adapter, pointed at the other adapter's files.
	let request = RecomputeRequest {
		model: fixture.model_hash,
		adapter: Some(fixture.adapter_hash),
		output,
		method: MethodRequest::Influence(InfluenceRequest {
			base_dir: fixture.base_dir.clone(),
			adapter_dir: fixture.untrained_dir.clone(),
			params: InfluenceParams::DEFAULT,
		}),
		top_k: 3,
	};
	let err = recompute(corpus_rows(), &ByteTokenizer, &request).unwrap_err();
	assert!(matches!(err, AttributionError::HashMismatch { .. }), "{err}");
}

#[test]
fn bad_outputs_get_clear_errors() {
	let fixture = fixture();
	let model = AdaptedModel::load(&fixture.base_dir, &fixture.adapter_dir, Device::Cpu).unwrap();
	let sketch = sketch_of(&model);
	let one_token = [7u32];
	let err = influence_record(
		&model,
		&sketch,
		&CreditOwners::none(),
		&answer(&fixture, &one_token),
		InfluenceScoring::TracIn,
		3,
	);
	assert!(matches!(err, Err(AttributionError::OutputTooShort)), "{err:?}");
	let outside = [7u32, 300];
	let err = influence_record(
		&model,
		&sketch,
		&CreditOwners::none(),
		&answer(&fixture, &outside),
		InfluenceScoring::TracIn,
		3,
	);
	assert!(
		matches!(err, Err(AttributionError::TokenOutOfVocabulary { token: 300, vocab: 256 })),
		"{err:?}"
	);
	let no_adapter = Answer { model: fixture.model_hash, adapter: None, output: &outside };
	let err = influence_record(
		&model,
		&sketch,
		&CreditOwners::none(),
		&no_adapter,
		InfluenceScoring::TracIn,
		3,
	);
	assert!(matches!(err, Err(AttributionError::AdapterRequired)), "{err:?}");
}
