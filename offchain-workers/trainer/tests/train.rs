//! Fine-tuning, evaluation and pretraining end to end on tiny models and temp directories.

use std::collections::HashMap;
use std::path::Path;
use tch::{Device, Tensor};
use tributary_model::hf::{load_model, load_tokenizer, save_model, TOKENIZER_FILE};
use tributary_model::{Llama, LlamaConfig};
use tributary_primitives::training::{
	QuantFormat, TargetModules, TrainingMethod, TrainingSettings,
};
use tributary_primitives::ContentHash;
use tributary_store::DirStore;
use tributary_trainer::checkpoint::Checkpointing;
use tributary_trainer::data::{load_rows, pack_examples, DataOptions, Overflow, Window, IGNORE};
use tributary_trainer::finetune::{
	base_quant, eval_loss, evaluate, fine_tune, EvalRequest, EvalRows, FineTuneJob,
};
use tributary_trainer::pretrain::{pretrain, train_tokenizer, PretrainOptions};
use tributary_trainer::progress::ProgressEvent;
use tributary_trainer::TrainerError;

/// Rows of a small, regular domain language: a fine-tune should learn it quickly.
fn corpus() -> Vec<String> {
	let rivers = ["Rhine", "Danube", "Loire", "Elbe", "Tagus", "Po"];
	let verbs = ["carries", "floods", "feeds", "drains"];
	let places = ["the valley", "the old town", "the northern plain", "the delta"];
	(0..48)
		.map(|i| {
			format!(
				"Report {i}: the {} {} {} in spring. Water level is {} metres and rising slowly.",
				rivers[i % rivers.len()],
				verbs[i % verbs.len()],
				places[i % places.len()],
				i % 7 + 2
			)
		})
		.collect()
}

/// A tiny base model directory: BPE tokenizer trained on the corpus, random Llama weights.
/// Embeddings get unit scale, as a trained model's have: with the 0.02 of a fresh init, the
/// frozen tied embeddings cap every logit near ±0.6 and no adapter could sharpen a prediction.
fn make_base(dir: &Path) {
	let texts = corpus();
	let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
	let tokenizer = train_tokenizer(&refs, 320).unwrap();
	let vocab = tokenizer.get_vocab_size(true) as i64;
	let config = LlamaConfig::tiny(vocab, 32, 2, 4, 2);
	let random = Llama::random(config.clone(), 1, Device::Cpu).unwrap();
	let mut weights: HashMap<String, Tensor> = random.hf_weights().unwrap().into_iter().collect();
	let embeddings = weights.remove("model.embed_tokens.weight").unwrap() * 50.0;
	weights.insert("model.embed_tokens.weight".into(), embeddings);
	let model = Llama::from_weights(config, weights).unwrap();
	save_model(&model, dir).unwrap();
	tokenizer.save(dir.join(TOKENIZER_FILE), false).unwrap();
}

fn store_rows(dir: &Path) -> (DirStore, Vec<ContentHash>) {
	let store = DirStore::new(dir);
	let hashes = corpus().iter().map(|row| store.put(row.as_bytes()).unwrap()).collect();
	(store, hashes)
}

/// Optimizer steps of the main fine-tune test.
const STEPS: u32 = 60;

fn settings(method: TrainingMethod, seed: u64) -> TrainingSettings {
	TrainingSettings {
		method,
		rank: 8,
		alpha: 16,
		dropout_ppm: 50_000,
		target_modules: TargetModules::ALL,
		learning_rate_ppb: 10_000_000,
		batch_size: 4,
		sequence_length: 32,
		epochs: 100,
		max_steps: STEPS,
		seed,
		eval_fraction_ppm: 150_000,
		..TrainingSettings::default()
	}
}

struct Fixture {
	_root: tempfile::TempDir,
	base: std::path::PathBuf,
	store: DirStore,
	rows: Vec<ContentHash>,
	out: std::path::PathBuf,
}

fn fixture() -> Fixture {
	let root = tempfile::tempdir().unwrap();
	let base = root.path().join("base");
	make_base(&base);
	let (store, rows) = store_rows(&root.path().join("store"));
	let out = root.path().join("out");
	Fixture { base, store, rows, out, _root: root }
}

fn job(f: &Fixture, settings: TrainingSettings, out: &Path) -> FineTuneJob {
	FineTuneJob {
		base_dir: f.base.clone(),
		base_model_name: "tiny-river-base".into(),
		rows: f.rows.clone(),
		settings,
		output_dir: out.to_path_buf(),
		checkpoint: None,
	}
}

fn eval_request<'a>(
	f: &'a Fixture,
	adapter: Option<&'a Path>,
	expected: Option<ContentHash>,
) -> EvalRequest<'a> {
	EvalRequest {
		base_dir: &f.base,
		adapter_dir: adapter,
		expected_adapter_hash: expected,
		rows: EvalRows::Exactly(&f.rows),
		base_quant: None,
		sequence_length: 32,
		batch_size: 4,
		data: DataOptions::default(),
	}
}

#[test]
fn fine_tuning_lowers_eval_loss_and_the_same_seed_gives_the_same_adapter() {
	let f = fixture();
	let mut events = Vec::new();
	let first = fine_tune(
		&job(&f, settings(TrainingMethod::Lora, 7), &f.out),
		&f.store,
		Device::Cpu,
		&mut |e| events.push(e.clone()),
	)
	.unwrap();
	let m = &first.metrics;
	assert!(
		m.eval_loss_after < m.eval_loss_before - 0.5,
		"eval loss {} → {} is not a clear drop",
		m.eval_loss_before,
		m.eval_loss_after
	);
	assert_eq!(m.steps, STEPS as usize);
	assert!(m.tokens_per_sec > 0.0);
	assert_eq!(events.first(), Some(&ProgressEvent::Data(m.data)));
	assert_eq!((m.data.listed, m.data.rows, m.data.plain), (48, 48, 48));
	assert!(
		matches!(events.get(1), Some(ProgressEvent::Started { total_steps, .. }) if *total_steps == STEPS as usize)
	);
	assert_eq!(
		events.iter().filter(|e| matches!(e, ProgressEvent::Step { .. })).count(),
		STEPS as usize
	);
	assert!(matches!(events.last(), Some(ProgressEvent::Finished { .. })));
	assert!(f.out.join("adapter_config.json").is_file());

	let again = f.out.with_file_name("again");
	let second = fine_tune(
		&job(&f, settings(TrainingMethod::Lora, 7), &again),
		&f.store,
		Device::Cpu,
		&mut |_| {},
	)
	.unwrap();
	assert_eq!(
		first.adapter_hash, second.adapter_hash,
		"same seed, same machine, different adapter"
	);
	let other = f.out.with_file_name("other-seed");
	let third = fine_tune(
		&job(&f, settings(TrainingMethod::Lora, 8), &other),
		&f.store,
		Device::Cpu,
		&mut |_| {},
	)
	.unwrap();
	assert_ne!(first.adapter_hash, third.adapter_hash);

	// The eval command scores the adapter on a row set, refusing an adapter with another hash.
	let base_report = evaluate(&eval_request(&f, None, None), &f.store, Device::Cpu).unwrap();
	let tuned = eval_request(&f, Some(&f.out), Some(first.adapter_hash));
	let tuned_report = evaluate(&tuned, &f.store, Device::Cpu).unwrap();
	assert!(tuned_report.loss < base_report.loss - 0.5);
	// An eval with an adapter also scores the base alone on the same rows; without one, the
	// base loss is the loss.
	assert_eq!(base_report.base_loss, base_report.loss);
	assert!(
		(tuned_report.base_loss - base_report.loss).abs() < 1e-9,
		"{tuned_report:?} vs {base_report:?}"
	);
	let wrong =
		evaluate(&eval_request(&f, Some(&f.out), Some(third.adapter_hash)), &f.store, Device::Cpu);
	assert!(wrong.unwrap_err().to_string().contains("not the expected"));
}

#[test]
fn a_verifier_given_the_job_rows_and_eval_fraction_reproduces_the_reported_eval_loss() {
	let f = fixture();
	let mut s = settings(TrainingMethod::Lora, 11);
	s.max_steps = 12;
	let outcome = fine_tune(&job(&f, s, &f.out), &f.store, Device::Cpu, &mut |_| {}).unwrap();
	let reported = outcome.metrics.eval_loss_after;

	// The verifier's copy of the job's rows, listed in another order.
	let mut listed = f.rows.clone();
	listed.reverse();
	listed.rotate_left(17);
	assert_ne!(listed, f.rows);
	let request = |rows: EvalRows<'_>| {
		let request = EvalRequest {
			rows,
			sequence_length: s.sequence_length as usize,
			batch_size: s.batch_size as usize,
			..eval_request(&f, Some(&f.out), Some(outcome.adapter_hash))
		};
		evaluate(&request, &f.store, Device::Cpu)
	};
	let held_out =
		request(EvalRows::HeldOutOf { rows: &listed, eval_fraction_ppm: s.eval_fraction_ppm })
			.unwrap();
	assert!(
		(held_out.loss - reported).abs() < 1e-6,
		"verifier {} vs trainer {reported}",
		held_out.loss
	);
	// The base model's loss on the same held-out rows is the trainer's loss before training.
	let before = outcome.metrics.eval_loss_before;
	assert!(
		(held_out.base_loss - before).abs() < 1e-6,
		"verifier base {} vs trainer {before}",
		held_out.base_loss
	);
	assert!(held_out.base_loss > held_out.loss, "{held_out:?}");

	// The held-out rows are the round(48 · 0.15) = 7 smallest hashes; named explicitly they score the same.
	let mut by_hash = f.rows.clone();
	by_hash.sort();
	let mut smallest: Vec<ContentHash> = by_hash[..7].to_vec();
	smallest.reverse();
	let exactly = request(EvalRows::Exactly(&smallest)).unwrap();
	assert_eq!((held_out.rows, exactly.rows), (7, 7));
	assert_eq!(exactly.tokens, held_out.tokens);
	assert!(
		(exactly.loss - reported).abs() < 1e-6,
		"explicit rows {} vs trainer {reported}",
		exactly.loss
	);

	// Scoring all rows is a different number: the held-out split is what makes it comparable.
	let all = request(EvalRows::Exactly(&listed)).unwrap();
	assert!((all.loss - reported).abs() > 1e-3, "all rows {} vs held out {reported}", all.loss);
	let no_fraction =
		request(EvalRows::HeldOutOf { rows: &listed, eval_fraction_ppm: 0 }).unwrap_err();
	assert!(matches!(no_fraction, TrainerError::InvalidSettings(_)), "{no_fraction}");
}

#[test]
fn a_verifier_reproduces_a_qlora_eval_loss_only_over_the_base_quantized_as_the_job_trained() {
	let f = fixture();
	let mut s = settings(TrainingMethod::QLora(QuantFormat::Nf4), 13);
	s.max_steps = 12;
	let outcome = fine_tune(&job(&f, s, &f.out), &f.store, Device::Cpu, &mut |_| {}).unwrap();
	let reported = outcome.metrics.eval_loss_after;
	assert_eq!(base_quant(s.method), Some(QuantFormat::Nf4));

	let mut listed = f.rows.clone();
	listed.reverse();
	let over = |base_quant: Option<QuantFormat>| {
		let request = EvalRequest {
			rows: EvalRows::HeldOutOf { rows: &listed, eval_fraction_ppm: s.eval_fraction_ppm },
			base_quant,
			sequence_length: s.sequence_length as usize,
			batch_size: s.batch_size as usize,
			..eval_request(&f, Some(&f.out), Some(outcome.adapter_hash))
		};
		evaluate(&request, &f.store, Device::Cpu).unwrap().loss
	};
	let nf4 = over(base_quant(s.method));
	assert!((nf4 - reported).abs() < 1e-6, "verifier over nf4 {nf4} vs trainer {reported}");
	let fp32 = over(None);
	assert!((fp32 - reported).abs() > 1e-6, "verifier over fp32 {fp32} matches trainer {reported}");
}

#[test]
fn qlora_fine_tuning_over_nf4_and_int8_bases_lowers_eval_loss() {
	let f = fixture();
	for (i, format) in [QuantFormat::Nf4, QuantFormat::Int8].into_iter().enumerate() {
		let mut s = settings(TrainingMethod::QLora(format), 3);
		s.max_steps = 25;
		let out = f.out.with_file_name(format!("qlora-{i}"));
		let outcome = fine_tune(&job(&f, s, &out), &f.store, Device::Cpu, &mut |_| {}).unwrap();
		assert!(
			outcome.metrics.eval_loss_after < outcome.metrics.eval_loss_before - 0.3,
			"{format:?}: {:?}",
			outcome.metrics
		);
	}
}

#[test]
fn bad_input_is_a_clear_error_and_nothing_is_written() {
	let f = fixture();
	let s = settings(TrainingMethod::Lora, 1);

	// A row whose stored bytes were altered.
	let tampered = f.rows[5];
	std::fs::write(f.store.path_of(&tampered), b"edited after hashing").unwrap();
	let err = fine_tune(&job(&f, s, &f.out), &f.store, Device::Cpu, &mut |_| {}).unwrap_err();
	assert!(matches!(err, TrainerError::Store(_)), "{err}");
	assert!(err.to_string().contains("is corrupt"), "{err}");
	assert!(!f.out.exists());
	std::fs::write(f.store.path_of(&tampered), corpus()[5].as_bytes()).unwrap();

	// A corrupt base checkpoint.
	let weights = f.base.join("model.safetensors");
	let good = std::fs::read(&weights).unwrap();
	std::fs::write(&weights, &good[..100]).unwrap();
	let err = fine_tune(&job(&f, s, &f.out), &f.store, Device::Cpu, &mut |_| {}).unwrap_err();
	assert!(err.to_string().contains("not a valid safetensors file"), "{err}");
	assert!(!f.out.exists());

	// A missing one.
	std::fs::remove_file(&weights).unwrap();
	let err = fine_tune(&job(&f, s, &f.out), &f.store, Device::Cpu, &mut |_| {}).unwrap_err();
	assert!(err.to_string().contains("no weights"), "{err}");
	assert!(!f.out.exists());
	std::fs::write(&weights, &good).unwrap();

	// An architecture the model cannot run.
	let config_path = f.base.join("config.json");
	let config = std::fs::read_to_string(&config_path).unwrap();
	std::fs::write(&config_path, config.replace("LlamaForCausalLM", "MambaForCausalLM")).unwrap();
	let err = fine_tune(&job(&f, s, &f.out), &f.store, Device::Cpu, &mut |_| {}).unwrap_err();
	assert!(err.to_string().contains("unsupported architecture"), "{err}");
	assert!(!f.out.exists());
	std::fs::write(&config_path, config).unwrap();

	// Settings the chain should never have accepted.
	let mut zero_batch = s;
	zero_batch.batch_size = 0;
	let err =
		fine_tune(&job(&f, zero_batch, &f.out), &f.store, Device::Cpu, &mut |_| {}).unwrap_err();
	assert!(matches!(err, TrainerError::InvalidSettings(_)), "{err}");
	assert!(!f.out.exists());

	// And the fixture is whole again: the same job now succeeds.
	let mut quick = s;
	quick.max_steps = 2;
	fine_tune(&job(&f, quick, &f.out), &f.store, Device::Cpu, &mut |_| {}).unwrap();
	assert!(f.out.join("adapter_model.safetensors").is_file());
}

#[test]
fn pretraining_writes_an_hf_directory_the_loader_reads() {
	let root = tempfile::tempdir().unwrap();
	let texts = root.path().join("texts");
	std::fs::create_dir_all(&texts).unwrap();
	for (i, chunk) in corpus().chunks(8).enumerate() {
		std::fs::write(texts.join(format!("doc{i}.txt")), chunk.join("\n\n")).unwrap();
	}
	std::fs::write(texts.join("binary.bin"), [0u8, 159, 146, 150, 0, 1]).unwrap();
	let options = PretrainOptions {
		sources: vec![texts],
		vocab_size: 300,
		hidden_size: 32,
		layers: 2,
		heads: 4,
		kv_heads: 2,
		sequence_length: 32,
		batch_size: 4,
		steps: 30,
		learning_rate: 1e-2,
		eval_fraction: 0.15,
		..PretrainOptions::default()
	};
	let out = root.path().join("base");
	let outcome = pretrain(&options, &out, Device::Cpu, &mut |_| {}).unwrap();
	assert!(outcome.eval_loss_after < outcome.eval_loss_before - 0.5, "{outcome:?}");
	let model = load_model(&out, tch::Kind::Float, Device::Cpu).unwrap();
	let tokenizer = load_tokenizer(&out).unwrap();
	assert_eq!(model.config.vocab_size, tokenizer.get_vocab_size(true) as i64);
	let text = "the Rhine carries the valley";
	let ids = tokenizer.encode(text, false).unwrap().get_ids().to_vec();
	assert_eq!(tokenizer.decode(&ids, false).unwrap(), text);
	let bytes = std::fs::read(out.join("model.safetensors")).unwrap();
	assert_eq!(
		tributary_primitives::hex::encode(&tributary_primitives::content_hash(&bytes)),
		outcome.weights_hash
	);
	let again = pretrain(&options, &out, Device::Cpu, &mut |_| {});
	assert!(matches!(again, Err(TrainerError::OutputExists(_))));
}

/// The chain and the trainer judge settings by the same `TrainingSettings::validate`: every
/// boundary value the chain accepts trains (one step each, on the tiny model), and every value it
/// refuses the trainer refuses before writing anything.
#[test]
fn every_setting_the_chain_accepts_trains_and_every_one_it_refuses_is_refused() {
	use tributary_primitives::training::{MAX_LORA_RANK, PPM};
	let f = fixture();
	let quick = TrainingSettings { max_steps: 1, ..settings(TrainingMethod::Lora, 5) };
	let accepted = [
		TrainingSettings { rank: 1, alpha: 1, ..quick },
		TrainingSettings { rank: MAX_LORA_RANK, ..quick },
		TrainingSettings { dropout_ppm: PPM - 1, ..quick },
		TrainingSettings { dropout_ppm: 0, target_modules: TargetModules::QV, ..quick },
		TrainingSettings { learning_rate_ppb: 1, batch_size: 1, ..quick },
		TrainingSettings { sequence_length: 2, ..quick },
		TrainingSettings { epochs: 1, max_steps: 0, batch_size: 64, ..quick },
		TrainingSettings { eval_fraction_ppm: 1, ..quick },
		TrainingSettings { eval_fraction_ppm: PPM - 1, ..quick },
		TrainingSettings { method: TrainingMethod::QLora(QuantFormat::Nf4), ..quick },
	];
	for (i, s) in accepted.into_iter().enumerate() {
		assert_eq!(s.validate(), Ok(()), "{s:?}");
		let out = f.out.join(format!("accepted-{i}"));
		let outcome = fine_tune(&job(&f, s, &out), &f.store, Device::Cpu, &mut |_| {});
		assert!(
			outcome.is_ok(),
			"the chain accepts {s:?} but training failed: {}",
			outcome.unwrap_err()
		);
	}
	let refused = [
		TrainingSettings { rank: 0, ..quick },
		TrainingSettings { rank: MAX_LORA_RANK + 1, ..quick },
		TrainingSettings { alpha: 0, ..quick },
		TrainingSettings { dropout_ppm: PPM, ..quick },
		TrainingSettings { target_modules: TargetModules(0), ..quick },
		TrainingSettings { target_modules: TargetModules(1 << 7 | 1), ..quick },
		TrainingSettings { learning_rate_ppb: 0, ..quick },
		TrainingSettings { batch_size: 0, ..quick },
		TrainingSettings { sequence_length: 1, ..quick },
		TrainingSettings { epochs: 0, max_steps: 5, ..quick },
		TrainingSettings { eval_fraction_ppm: 0, ..quick },
		TrainingSettings { eval_fraction_ppm: PPM, ..quick },
	];
	for (i, s) in refused.into_iter().enumerate() {
		let chain = s.validate().expect_err("the chain refuses it");
		let out = f.out.join(format!("refused-{i}"));
		let err = fine_tune(&job(&f, s, &out), &f.store, Device::Cpu, &mut |_| {}).unwrap_err();
		assert!(matches!(err, TrainerError::InvalidSettings(_)), "{s:?}: {err}");
		assert!(err.to_string().contains(&chain.to_string()), "the chain's reason, {chain}: {err}");
		assert!(!out.exists());
	}
}

/// Alpaca rows over the corpus: a long prompt (an instruction and a report) and a short reply
/// copying two facts from it, so a reply must be read off its prompt.
fn instruction_rows() -> Vec<String> {
	let rivers = ["Rhine", "Danube", "Loire", "Elbe", "Tagus", "Po"];
	corpus()
		.iter()
		.enumerate()
		.map(|(i, report)| {
			serde_json::json!({
				"instruction": "Which river is this report about, and how high is its water?",
				"input": report,
				"output": format!("The {}, at {} metres.", rivers[i % rivers.len()], i % 7 + 2),
			})
			.to_string()
		})
		.collect()
}

fn put(f: &Fixture, rows: &[String]) -> Vec<ContentHash> {
	rows.iter().map(|row| f.store.put(row.as_bytes()).unwrap()).collect()
}

/// Mean loss of `model` on the labelled targets of each window run alone, from the logits.
fn loss_from_logits(model: &Llama, windows: &[Window]) -> (f64, usize) {
	let (mut total, mut count) = (0.0, 0);
	for window in windows {
		let inputs = Tensor::from_slice(&window.ids).view([1, -1]);
		let logits = tch::no_grad(|| model.forward(&inputs, false).unwrap());
		let vocab = logits.size()[2] as usize;
		let log_probs: Vec<f32> =
			logits.log_softmax(-1, tch::Kind::Float).view([-1]).try_into().unwrap();
		for (position, &label) in window.labels.iter().enumerate().skip(1) {
			if label != IGNORE {
				total -= log_probs[(position - 1) * vocab + label as usize] as f64;
				count += 1;
			}
		}
	}
	(total / count as f64, count)
}

#[test]
fn instruction_rows_are_trained_and_scored_on_their_replies_only() {
	let f = fixture();
	let rows = instruction_rows();
	let hashes = put(&f, &rows);
	let loaded = load_rows(&f.store, &hashes, &f.base).unwrap();
	assert_eq!((loaded.report.rows, loaded.report.instruction), (rows.len(), rows.len()));
	let tokenizer = load_tokenizer(&f.base).unwrap();
	let eos = tributary_model::hf::eos_token(&tokenizer).unwrap() as i64;
	let options = DataOptions::default();
	let packed = pack_examples(&tokenizer, &loaded.examples, &options, 128, "train").unwrap();
	assert_eq!((packed.windows.len(), packed.overlong, packed.cut_off), (rows.len(), 0, 0));
	for (example, window) in loaded.examples.iter().zip(&packed.windows) {
		// The plain template's pieces: the prompt, masked; the reply, trained; then the end token.
		let [prompt, reply] = &example.pieces[..] else { panic!("{example:?}") };
		assert!(!prompt.trained && prompt.text.ends_with("<|assistant|>\n"), "{prompt:?}");
		assert!(reply.trained && reply.text.starts_with("The "), "{reply:?}");
		let prompt_ids = tokenizer.encode(prompt.text.as_str(), false).unwrap().get_ids().len();
		let mut reply_ids: Vec<i64> = tokenizer
			.encode(reply.text.as_str(), false)
			.unwrap()
			.get_ids()
			.iter()
			.map(|&id| id as i64)
			.collect();
		reply_ids.push(eos);
		assert!(window.labels[..prompt_ids].iter().all(|&label| label == IGNORE));
		assert_eq!(window.labels[prompt_ids..], reply_ids[..]);
		assert_eq!(window.ids[prompt_ids..], reply_ids[..]);
		assert_eq!(window.targets(), reply_ids.len());
	}

	// eval_loss over padded batches is the loss over the reply tokens, each row run alone.
	let model = load_model(&f.base, tch::Kind::Float, Device::Cpu).unwrap();
	let (loss, tokens) = eval_loss(&model, &packed.windows, 4).unwrap();
	let (expected, expected_tokens) = loss_from_logits(&model, &packed.windows);
	assert_eq!(tokens, expected_tokens);
	assert!((loss - expected).abs() < 1e-5, "eval_loss {loss} vs from logits {expected}");
	// Unmasked, the prompts count too, and the loss is another number.
	let unmasked = DataOptions { mask_prompts: false, ..options };
	let all = pack_examples(&tokenizer, &loaded.examples, &unmasked, 128, "train").unwrap();
	let (all_loss, all_tokens) = eval_loss(&model, &all.windows, 4).unwrap();
	assert!(all_tokens > 3 * tokens, "{all_tokens} vs {tokens}");
	assert!((all_loss - loss).abs() > 1e-2, "{all_loss} vs {loss}");

	// A fine-tune on them lowers the reply loss, and a verifier reproduces it from the rows.
	let mut s = settings(TrainingMethod::Lora, 21);
	s.sequence_length = 128;
	s.max_steps = 30;
	let mut events = Vec::new();
	let job = FineTuneJob { rows: hashes.clone(), ..job(&f, s, &f.out) };
	let outcome = fine_tune(&job, &f.store, Device::Cpu, &mut |e| events.push(e.clone())).unwrap();
	let m = &outcome.metrics;
	assert!(m.eval_loss_after < m.eval_loss_before - 0.5, "{m:?}");
	assert_eq!(m.data, loaded.report);
	assert!(events.contains(&ProgressEvent::Data(loaded.report)));
	assert!(matches!(
		events.iter().find(|e| matches!(e, ProgressEvent::Started { .. })),
		Some(ProgressEvent::Started { train_tokens, .. }) if *train_tokens == m.train_tokens_per_epoch
	));
	let mut listed = hashes.clone();
	listed.reverse();
	let request = EvalRequest {
		rows: EvalRows::HeldOutOf { rows: &listed, eval_fraction_ppm: s.eval_fraction_ppm },
		sequence_length: 128,
		..eval_request(&f, Some(&f.out), Some(outcome.adapter_hash))
	};
	let report = evaluate(&request, &f.store, Device::Cpu).unwrap();
	assert!((report.loss - m.eval_loss_after).abs() < 1e-6, "{report:?} vs {m:?}");
	assert!((report.base_loss - m.eval_loss_before).abs() < 1e-6, "{report:?} vs {m:?}");
	assert_eq!(report.rows, 7);
}

/// The quality figure of prompt masking: two adapters trained alike on the same instruction
/// rows, one with prompts masked and one without, scored on the held-out rows' replies.
#[test]
fn prompt_masking_gives_a_lower_held_out_reply_loss() {
	let f = fixture();
	let hashes = put(&f, &instruction_rows());
	let mut s = settings(TrainingMethod::Lora, 23);
	s.sequence_length = 128;
	s.max_steps = 40;
	let held_out = |adapter: &Path, hash: ContentHash| {
		let request = EvalRequest {
			rows: EvalRows::HeldOutOf { rows: &hashes, eval_fraction_ppm: s.eval_fraction_ppm },
			sequence_length: 128,
			..eval_request(&f, Some(adapter), Some(hash))
		};
		evaluate(&request, &f.store, Device::Cpu).unwrap()
	};
	let mut losses = Vec::new();
	for train_on_prompts in [false, true] {
		let out = f.out.with_file_name(format!("prompts-trained-{train_on_prompts}"));
		let job = FineTuneJob {
			rows: hashes.clone(),
			..job(&f, TrainingSettings { train_on_prompts, ..s }, &out)
		};
		let outcome = fine_tune(&job, &f.store, Device::Cpu, &mut |_| {}).unwrap();
		// Scored with the default options: the replies only, whatever the adapter trained on.
		losses.push(held_out(&out, outcome.adapter_hash));
	}
	let (masked, unmasked) = (&losses[0], &losses[1]);
	println!(
		"held-out reply loss: base {:.4}, masked prompts {:.4}, unmasked {:.4} ({} tokens)",
		masked.base_loss, masked.loss, unmasked.loss, masked.tokens
	);
	assert!(masked.loss < unmasked.loss, "{masked:?} vs {unmasked:?}");
}

#[test]
fn small_and_messy_datanets_train_or_fail_clearly() {
	let f = fixture();
	let s = TrainingSettings { max_steps: 3, ..settings(TrainingMethod::Lora, 31) };
	let run = |rows: &[ContentHash], name: &str| {
		let job = FineTuneJob { rows: rows.to_vec(), ..job(&f, s, &f.out.with_file_name(name)) };
		fine_tune(&job, &f.store, Device::Cpu, &mut |_| {})
	};

	// One usable row, alone or among rows that do not count, cannot be held out and trained on.
	let corpus = corpus();
	let one = put(&f, &corpus[..1]);
	// Rows that never count: blank, a conversation without messages, bytes that are not UTF-8.
	let mut junk = put(&f, &["   \n".into(), r#"{"messages": []}"#.into()]);
	junk.push(f.store.put(&[0xc3, 0x28, b'a']).unwrap());
	// The same text as a row already there, up to its line ending.
	let crlf = |text: &str| f.store.put(format!("{text}\r\n").as_bytes()).unwrap();
	for rows in [one.clone(), [&one[..], &junk[..], &[crlf(&corpus[0])]].concat()] {
		let err = run(&rows, "one").unwrap_err();
		assert!(matches!(err, TrainerError::NotEnoughRows { needed: 2, got: 1 }), "{err}");
		assert!(err.to_string().contains("add rows"), "{err}");
	}
	// But an eval of exactly that row scores it.
	let request = EvalRequest { rows: EvalRows::Exactly(&one), ..eval_request(&f, None, None) };
	assert_eq!(evaluate(&request, &f.store, Device::Cpu).unwrap().rows, 1);

	// Ten rows train: one held out, nine trained on.
	let ten = put(&f, &corpus[..10]);
	let outcome = run(&ten, "ten").unwrap();
	assert_eq!((outcome.metrics.data.rows, outcome.metrics.steps), (10, 3));

	// A datanet of every format and every kind of bad row trains on the good rows, per row, and
	// a verifier skips the same rows and reproduces the eval loss.
	// Plain rows (two of them four reports long), alpaca rows (prompts of over 100 tokens),
	// short OpenAI and ShareGPT conversations.
	let mut mixed: Vec<String> = corpus[10..18].to_vec();
	mixed.extend([corpus[18..22].join(" "), corpus[22..26].join(" ")]);
	mixed.extend(instruction_rows()[20..30].iter().cloned());
	mixed.extend((30..35).map(|i| {
		serde_json::json!({"messages": [
			{"role": "system", "content": "Be brief."},
			{"role": "user", "content": format!("Report {i}?")},
			{"role": "assistant", "content": "Read."},
			{"role": "user", "content": "Rising?"},
			{"role": "assistant", "content": "Slowly."},
		]})
		.to_string()
	}));
	mixed.extend((35..40).map(|i| {
		serde_json::json!({"conversations": [
			{"from": "human", "value": format!("Report {i}?")},
			{"from": "gpt", "value": "A spring report."},
		]})
		.to_string()
	}));
	let mut rows = put(&f, &mixed);
	rows.extend(&junk);
	rows.push(crlf(&corpus[10]));
	rows.push(rows[0]);
	let mut events = Vec::new();
	let mixed_job = FineTuneJob {
		rows: rows.clone(),
		..job(&f, TrainingSettings { sequence_length: 64, ..s }, &f.out.with_file_name("mixed"))
	};
	let outcome =
		fine_tune(&mixed_job, &f.store, Device::Cpu, &mut |e| events.push(e.clone())).unwrap();
	let data = outcome.metrics.data;
	assert_eq!(
		(data.listed, data.rows, data.plain, data.instruction, data.chat),
		(35, 30, 10, 10, 10)
	);
	// The blank row and the conversation without messages; the row with a CRLF ending and the
	// repeated hash; the bytes that are not UTF-8.
	assert_eq!((data.empty, data.duplicates, data.not_text, data.unrenderable), (2, 2, 1, 0));
	// In 65-token windows: the long plain rows (over 130 tokens) and the OpenAI rows (about 80,
	// their first reply within the first 55) are truncated; the alpaca rows' prompts (about 100)
	// fill the window and the rows are cut off.
	assert_eq!((data.overlong, data.cut_off), (17, 10), "{data:?}");
	assert!(events.contains(&ProgressEvent::Data(data)));
	let request = EvalRequest {
		rows: EvalRows::HeldOutOf { rows: &rows, eval_fraction_ppm: s.eval_fraction_ppm },
		sequence_length: 64,
		..eval_request(&f, Some(&outcome.adapter_dir), Some(outcome.adapter_hash))
	};
	let report = evaluate(&request, &f.store, Device::Cpu).unwrap();
	assert!((report.loss - outcome.metrics.eval_loss_after).abs() < 1e-6, "{report:?}");
	assert_eq!(report.data.listed, 35);

	// Windowing instead keeps the long rows' replies, in windows without their prompts' start.
	let windowed_job = FineTuneJob {
		settings: TrainingSettings { overflow: Overflow::Window, ..mixed_job.settings },
		output_dir: f.out.with_file_name("window"),
		..mixed_job
	};
	let data = fine_tune(&windowed_job, &f.store, Device::Cpu, &mut |_| {})
		.unwrap()
		.metrics
		.data;
	assert_eq!((data.overlong, data.cut_off), (17, 0), "{data:?}");
}

#[test]
fn early_stopping_keeps_the_best_evaluated_adapter_and_stops_when_patience_runs_out() {
	let f = fixture();
	// A learning rate this high overshoots after a few steps, so the eval loss stops falling.
	let eager = TrainingSettings {
		learning_rate_ppb: 3_000_000_000,
		eval_every_steps: 2,
		early_stopping_patience: 2,
		..settings(TrainingMethod::Lora, 11)
	};
	let mut events = Vec::new();
	let outcome =
		fine_tune(&job(&f, eager, &f.out), &f.store, Device::Cpu, &mut |e| events.push(e.clone()))
			.unwrap();
	let evals: Vec<(usize, f64)> = events
		.iter()
		.filter_map(|e| match e {
			ProgressEvent::Eval { step, loss, .. } => Some((*step, *loss)),
			_ => None,
		})
		.collect();
	let Some(ProgressEvent::EarlyStop { step, best_step, best_loss }) =
		events.iter().find(|e| matches!(e, ProgressEvent::EarlyStop { .. })).cloned()
	else {
		panic!("no early stop in {evals:?}")
	};
	let m = &outcome.metrics;
	assert!(step < STEPS as usize, "stopped at {step} of {STEPS}");
	assert_eq!(m.steps, step);
	assert_eq!(step - best_step, 2 * 2, "two evaluations every two steps without a lower loss");
	let lowest = evals.iter().map(|(_, loss)| *loss).fold(f64::INFINITY, f64::min);
	assert_eq!((best_loss, m.eval_loss_after), (lowest, lowest));
	assert!(evals.iter().all(|(s, _)| s % 2 == 0 && *s <= step), "{evals:?}");

	// The adapter written is the best one: scoring it gives the best eval loss again.
	let held_out = EvalRequest {
		rows: EvalRows::HeldOutOf { rows: &f.rows, eval_fraction_ppm: 150_000 },
		..eval_request(&f, Some(&f.out), Some(outcome.adapter_hash))
	};
	let report = evaluate(&held_out, &f.store, Device::Cpu).unwrap();
	assert!((report.loss - best_loss).abs() < 1e-6, "{} vs {best_loss}", report.loss);

	// Without patience the same run trains every step and keeps the last adapter.
	let patient = TrainingSettings { early_stopping_patience: 0, ..eager };
	let full = fine_tune(
		&job(&f, patient, &f.out.with_file_name("full")),
		&f.store,
		Device::Cpu,
		&mut |_| {},
	)
	.unwrap();
	assert_eq!(full.metrics.steps, STEPS as usize);
}

#[test]
fn an_interrupted_run_resumes_from_its_checkpoint_to_the_adapter_of_an_uninterrupted_one() {
	let f = fixture();
	// Dropout, periodic evaluation and early-stopping state all cross the interruption.
	let s = TrainingSettings {
		eval_every_steps: 10,
		early_stopping_patience: 5,
		..settings(TrainingMethod::Lora, 13)
	};
	let whole = fine_tune(&job(&f, s, &f.out), &f.store, Device::Cpu, &mut |_| {}).unwrap();

	let out = f.out.with_file_name("interrupted");
	let checkpoint = Checkpointing { dir: out.with_extension("checkpoint"), every_steps: 7 };
	let interrupted = FineTuneJob { checkpoint: Some(checkpoint.clone()), ..job(&f, s, &out) };
	// A crash at step 25: the process dies inside training (here: the progress callback panics).
	let crash = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
		fine_tune(&interrupted, &f.store, Device::Cpu, &mut |e| {
			if matches!(e, ProgressEvent::Step { step: 25, .. }) {
				panic!("killed");
			}
		})
	}));
	assert!(crash.is_err());
	assert!(!out.exists(), "no adapter from an interrupted run");
	let saved: Vec<String> = std::fs::read_dir(&checkpoint.dir)
		.unwrap()
		.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
		.collect();
	assert!(saved.contains(&"step-21.safetensors".to_string()), "{saved:?}");
	assert_eq!(saved.len(), 2, "only the newest checkpoint is kept: {saved:?}");

	let mut events = Vec::new();
	let resumed =
		fine_tune(&interrupted, &f.store, Device::Cpu, &mut |e| events.push(e.clone())).unwrap();
	assert!(events.contains(&ProgressEvent::Resumed { step: 21 }), "{events:?}");
	let steps = events.iter().filter(|e| matches!(e, ProgressEvent::Step { .. })).count();
	assert_eq!(steps, STEPS as usize - 21, "only the steps after the checkpoint run again");
	assert_eq!(resumed.adapter_hash, whole.adapter_hash, "resumed and whole runs differ");
	assert_eq!(resumed.metrics.eval_loss_before, whole.metrics.eval_loss_before);
	assert!(!checkpoint.dir.exists(), "the checkpoint is removed with the adapter written");

	// A checkpoint of another plan is refused, not resumed.
	let other = FineTuneJob {
		settings: TrainingSettings { max_steps: STEPS + 5, ..s },
		output_dir: f.out.with_file_name("other-plan"),
		..interrupted
	};
	checkpoint
		.save(
			tributary_trainer::checkpoint::LoopState {
				step: 7,
				total_steps: STEPS as usize,
				rng: 1,
				order: vec![],
				optimizer_steps: 7,
				trained_tokens: 0,
				train_seconds: 0.0,
				eval_loss_before: 0.0,
				eval_loss_after: 0.0,
				best: None,
				tensors: String::new(),
			},
			&[],
			&[],
			&[],
		)
		.unwrap();
	let error = fine_tune(&other, &f.store, Device::Cpu, &mut |_| {}).unwrap_err();
	assert!(error.to_string().contains("cannot be resumed"), "{error}");
}
