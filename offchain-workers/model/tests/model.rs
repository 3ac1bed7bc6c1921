//! Real tensors through a tiny Llama built on the fly: loading, masking, caching, LoRA, PEFT files.

use std::collections::{BTreeMap, HashMap};
use tch::{Device, Kind, Tensor};
use tributary_model::generate::{generate, Sampling};
use tributary_model::hf::{self, load_model, save_model};
use tributary_model::kv_cache::KvCache;
use tributary_model::model::RowDeltas;
use tributary_model::paged::{BlockTable, PagedKvCache};
use tributary_model::peft::PeftAdapter;
use tributary_model::{
	Llama, LlamaConfig, LoraSpec, ModelError, QuantFormat, TargetModule, TargetModules,
};

const VOCAB: i64 = 97;

fn tiny_config(tied: bool) -> LlamaConfig {
	let mut config = LlamaConfig::tiny(VOCAB, 32, 2, 4, 2);
	config.tie_word_embeddings = tied;
	config
}

fn tiny_model(tied: bool, seed: u64) -> Llama {
	Llama::random(tiny_config(tied), seed, Device::Cpu).unwrap()
}

fn tokens(batch: i64, len: i64, seed: i64) -> Tensor {
	tch::manual_seed(seed);
	Tensor::randint(VOCAB, [batch, len], (Kind::Int64, Device::Cpu))
}

fn max_abs_diff(a: &Tensor, b: &Tensor) -> f64 {
	f64::try_from((a - b).abs().max()).unwrap()
}

fn bit_equal(a: &Tensor, b: &Tensor) -> bool {
	a.size() == b.size() && a.kind() == b.kind() && a.equal(b)
}

fn spec(targets: TargetModules) -> LoraSpec {
	LoraSpec::plain(4, 8.0, targets)
}

/// Gives every B a non-zero value so adapters actually change the output.
fn randomize_b(model: &Llama, seed: i64) {
	tch::manual_seed(seed);
	tch::no_grad(|| {
		for (_, b) in model.lora_weights().into_values() {
			let mut b = b;
			let _ = b.normal_(0.0, 0.1);
		}
	});
}

#[test]
fn hf_directory_round_trip_reads_identical_tensors() {
	for tied in [true, false] {
		let model = tiny_model(tied, 1);
		let dir = tempfile::tempdir().unwrap();
		save_model(&model, dir.path()).unwrap();
		let loaded = load_model(dir.path(), Kind::Float, Device::Cpu).unwrap();
		assert_eq!(loaded.config, model.config);
		let (original, restored) = (model.hf_weights().unwrap(), loaded.hf_weights().unwrap());
		assert_eq!(original.keys().collect::<Vec<_>>(), restored.keys().collect::<Vec<_>>());
		for (name, tensor) in &original {
			assert!(bit_equal(tensor, &restored[name]), "{name} differs after reload");
		}
		assert_eq!(original.contains_key("lm_head.weight"), !tied);
	}
}

#[test]
fn sharded_checkpoint_with_index_loads_like_a_single_file() {
	let model = tiny_model(false, 2);
	let dir = tempfile::tempdir().unwrap();
	save_model(&model, dir.path()).unwrap();
	let weights = model.hf_weights().unwrap();
	let (first, second): (Vec<_>, Vec<_>) =
		weights.into_iter().enumerate().partition(|(i, _)| i % 2 == 0);
	let mut weight_map = serde_json::Map::new();
	for (file, shard) in
		[("model-00001-of-00002.safetensors", first), ("model-00002-of-00002.safetensors", second)]
	{
		let tensors: BTreeMap<String, Tensor> = shard.into_iter().map(|(_, nt)| nt).collect();
		std::fs::write(dir.path().join(file), hf::safetensors_bytes(&tensors).unwrap()).unwrap();
		for name in tensors.keys() {
			weight_map.insert(name.clone(), file.into());
		}
	}
	std::fs::remove_file(dir.path().join(hf::WEIGHTS_FILE)).unwrap();
	let index = serde_json::json!({"metadata": {}, "weight_map": weight_map});
	std::fs::write(dir.path().join(hf::WEIGHTS_INDEX_FILE), index.to_string()).unwrap();
	let loaded = load_model(dir.path(), Kind::Float, Device::Cpu).unwrap();
	let ids = tokens(1, 6, 3);
	let (a, b) = (model.forward(&ids, false).unwrap(), loaded.forward(&ids, false).unwrap());
	assert!(bit_equal(&a, &b));
}

#[test]
fn bf16_checkpoint_loads_as_bf16() {
	let model = tiny_model(true, 4);
	let dir = tempfile::tempdir().unwrap();
	save_model(&model, dir.path()).unwrap();
	let loaded = load_model(dir.path(), Kind::BFloat16, Device::Cpu).unwrap();
	let ids = tokens(1, 5, 5);
	let (full, half) = (model.forward(&ids, false).unwrap(), loaded.forward(&ids, false).unwrap());
	assert_eq!(half.kind(), Kind::BFloat16);
	assert!(max_abs_diff(&full, &half.to_kind(Kind::Float)) < 0.05);
}

#[test]
fn forward_gives_logits_per_position() {
	let model = tiny_model(true, 6);
	let logits = model.forward(&tokens(3, 9, 7), false).unwrap();
	assert_eq!(logits.size(), [3, 9, VOCAB]);
	assert!(bool::try_from(logits.isfinite().all()).unwrap());
}

#[test]
fn later_tokens_do_not_change_earlier_logits() {
	let model = tiny_model(false, 8);
	let ids = tokens(1, 10, 9);
	let changed = ids.copy();
	let _ = changed.narrow(1, 6, 4).fill_(3);
	let (a, b) = (model.forward(&ids, false).unwrap(), model.forward(&changed, false).unwrap());
	assert!(max_abs_diff(&a.narrow(1, 0, 6), &b.narrow(1, 0, 6)) < 1e-6);
	assert!(
		max_abs_diff(&a.narrow(1, 6, 4), &b.narrow(1, 6, 4)) > 1e-4,
		"the changed positions must differ"
	);
}

#[test]
fn kv_cache_decoding_equals_full_sequence_forward() {
	let model = tiny_model(false, 10);
	let ids = tokens(2, 11, 11);
	let full = model.forward(&ids, false).unwrap();
	let mut cache = KvCache::new(&model.config);
	// A 5-token prompt, a 2-token chunk (masked inside the chunk), then one token at a time.
	let mut pieces = vec![model.forward_cached(&ids.narrow(1, 0, 5), &mut cache).unwrap()];
	pieces.push(model.forward_cached(&ids.narrow(1, 5, 2), &mut cache).unwrap());
	for pos in 7..11 {
		pieces.push(model.forward_cached(&ids.narrow(1, pos, 1), &mut cache).unwrap());
	}
	assert_eq!(cache.len(), 11);
	let cached = Tensor::cat(&pieces, 1);
	assert!(max_abs_diff(&full, &cached) < 1e-5, "diff {}", max_abs_diff(&full, &cached));
}

/// Rows without adapters.
struct NoDeltas;

impl RowDeltas for NoDeltas {
	fn delta(&self, _: usize, _: TargetModule, _: &Tensor, _: &Tensor) -> Option<Tensor> {
		None
	}
}

#[test]
fn paged_cache_batches_equal_each_row_alone() {
	let model = tiny_model(false, 13);
	let ids = tokens(2, 11, 14);
	let full = model.forward(&ids, false).unwrap();
	let mut pool = PagedKvCache::new(&model.config, 8, 4, Kind::Float, Device::Cpu);
	// Fragment the pool: row 1's blocks are not contiguous and not in order.
	let first = pool.allocate(12).unwrap();
	let spacer = pool.allocate(4).unwrap();
	pool.release(first);
	let mut rows: Vec<BlockTable> = vec![pool.allocate(12).unwrap(), pool.allocate(12).unwrap()];
	pool.release(spacer);
	assert_eq!(pool.free_blocks(), 2);
	assert!(pool.allocate(12).is_none(), "three blocks do not fit in the two left");
	let step = |pool: &mut PagedKvCache, rows: &mut Vec<BlockTable>, input: &Tensor| {
		let mut tables: Vec<&mut BlockTable> = rows.iter_mut().collect();
		model.forward_rows(input, pool, &mut tables, &NoDeltas).unwrap()
	};
	// Both rows: a 5-token prompt across two blocks, a 2-token chunk, then one token per step.
	let mut pieces = vec![step(&mut pool, &mut rows, &ids.narrow(1, 0, 5))];
	pieces.push(step(&mut pool, &mut rows, &ids.narrow(1, 5, 2)));
	for pos in 7..11 {
		pieces.push(step(&mut pool, &mut rows, &ids.narrow(1, pos, 1)));
	}
	let paged = Tensor::cat(&pieces, 1);
	assert!(max_abs_diff(&full, &paged) < 1e-5, "diff {}", max_abs_diff(&full, &paged));
	assert_eq!(rows[0].len(), 11);

	// Rows of different lengths in one decode step: row 0 at 11 positions, a fresh row at 3.
	let done = rows.pop().unwrap();
	pool.release(done);
	rows.push(pool.allocate(4).unwrap());
	let mut tables: Vec<&mut BlockTable> = rows.iter_mut().skip(1).collect();
	let _ = model
		.forward_rows(&ids.narrow(0, 1, 1).narrow(1, 0, 3), &mut pool, &mut tables, &NoDeltas)
		.unwrap();
	let next = Tensor::from_slice(&[7i64, 9]).unsqueeze(1);
	let batched = step(&mut pool, &mut rows, &next);
	let alone_0 = model
		.forward(&Tensor::cat(&[ids.narrow(0, 0, 1), next.narrow(0, 0, 1)], 1), false)
		.unwrap();
	let alone_1 = model
		.forward(
			&Tensor::cat(&[ids.narrow(0, 1, 1).narrow(1, 0, 3), next.narrow(0, 1, 1)], 1),
			false,
		)
		.unwrap();
	assert!(max_abs_diff(&batched.get(0), &alone_0.get(0).narrow(0, 11, 1)) < 1e-5);
	assert!(max_abs_diff(&batched.get(1), &alone_1.get(0).narrow(0, 3, 1)) < 1e-5);

	// A row whose blocks are full is refused, not written past its blocks.
	let mut tables: Vec<&mut BlockTable> = rows.iter_mut().skip(1).collect();
	let error = model
		.forward_rows(&ids.narrow(0, 0, 1).narrow(1, 0, 1), &mut pool, &mut tables, &NoDeltas)
		.unwrap_err();
	assert!(matches!(error, ModelError::KvBlocksFull { needed: 5, room: 4 }), "{error}");
}

#[test]
fn a_cached_prefix_continues_as_if_computed_again() {
	let model = tiny_model(false, 13);
	let ids = tokens(1, 11, 14);
	let full = model.forward(&ids, false).unwrap();
	let mut pool = PagedKvCache::new(&model.config, 8, 4, Kind::Float, Device::Cpu);
	let keys = [[1u8; 32], [2u8; 32]];
	// The first sequence computes 9 positions and registers its two full blocks.
	let mut first = pool.allocate(9).unwrap();
	let _ = model
		.forward_rows(&ids.narrow(1, 0, 9), &mut pool, &mut [&mut first], &NoDeltas)
		.unwrap();
	pool.register(&first, &keys);
	pool.release(first);
	assert_eq!((pool.free_blocks(), pool.cached_blocks()), (8, 2), "cached blocks stay, idle");
	// The second takes them and computes only what follows: the same logits.
	let mut second = pool.cached_prefix(&keys);
	assert_eq!(second.len(), 8);
	assert!(pool.grow(&mut second, 11));
	let rest = model
		.forward_rows(&ids.narrow(1, 8, 3), &mut pool, &mut [&mut second], &NoDeltas)
		.unwrap();
	let diff = max_abs_diff(&full.narrow(1, 8, 3), &rest);
	assert!(diff < 1e-5, "diff {diff}");
	// Needing every block evicts the idle cached ones, oldest first, once nobody holds them.
	pool.release(second);
	let all = pool.allocate(32).expect("idle cached blocks make room");
	assert_eq!(pool.cached_blocks(), 0);
	pool.release(all);
	assert!(pool.cached_prefix(&keys).is_empty());
}

#[test]
fn greedy_generation_follows_the_argmax_of_full_forwards() {
	let model = tiny_model(true, 12);
	let prompt = [5u32, 17, 42];
	let generated = generate(&model, &prompt, 6, &Sampling::Greedy, &[]).unwrap();
	let mut sequence: Vec<i64> = prompt.iter().map(|&t| t as i64).collect();
	for &token in &generated {
		let logits = model.forward(&Tensor::from_slice(&sequence).unsqueeze(0), false).unwrap();
		let expected = i64::try_from(logits.select(1, -1).argmax(-1, false).squeeze()).unwrap();
		assert_eq!(token as i64, expected);
		sequence.push(expected);
	}
	assert_eq!(generated.len(), 6);
	let stop = generated[2];
	let stopped = generate(&model, &prompt, 6, &Sampling::Greedy, &[stop]).unwrap();
	assert_eq!(stopped.last(), Some(&stop));
	assert!(stopped.len() <= 3);
	assert!(matches!(
		generate(&model, &[], 3, &Sampling::Greedy, &[]),
		Err(ModelError::EmptyPrompt)
	));
}

#[test]
fn sampled_generation_replays_with_the_same_seed() {
	let model = tiny_model(true, 13);
	let sampling = |seed| Sampling::Temperature { temperature: 1.5, top_k: Some(20), seed };
	let a = generate(&model, &[1, 2, 3], 12, &sampling(7), &[]).unwrap();
	let b = generate(&model, &[1, 2, 3], 12, &sampling(7), &[]).unwrap();
	let c = generate(&model, &[1, 2, 3], 12, &sampling(8), &[]).unwrap();
	assert_eq!(a, b);
	assert_ne!(a, c, "different seeds should give different samples from a near-uniform model");
}

/// Plain LoRA, rsLoRA and DoRA over `targets`.
fn variants(targets: TargetModules) -> [LoraSpec; 3] {
	[
		spec(targets),
		LoraSpec { rslora: true, ..spec(targets) },
		LoraSpec { dora: true, ..spec(targets) },
	]
}

#[test]
fn lora_with_zero_b_gives_exactly_the_base_output() {
	for spec in variants(TargetModules::ALL) {
		let mut model = tiny_model(false, 14);
		let ids = tokens(2, 8, 15);
		let base = model.forward(&ids, false).unwrap();
		model.add_lora(&spec, 16).unwrap();
		let adapted = model.forward(&ids, false).unwrap();
		assert!(bit_equal(&base, &adapted), "{spec:?}");
		randomize_b(&model, 17);
		assert!(max_abs_diff(&base, &model.forward(&ids, false).unwrap()) > 1e-4);
	}
}

#[test]
fn rslora_scales_by_the_square_root_of_the_rank() {
	let plain = spec(TargetModules::ALL);
	assert_eq!(plain.scale(), 2.0);
	assert_eq!(LoraSpec { rslora: true, ..plain }.scale(), 4.0);
}

#[test]
fn merged_adapter_equals_unmerged_and_unmerge_restores_the_base() {
	for spec in variants(TargetModules::QV.with(tributary_model::TargetModule::Down)) {
		let mut model = tiny_model(true, 18);
		let ids = tokens(2, 8, 19);
		let base = model.forward(&ids, false).unwrap();
		let before = model
			.hf_weights()
			.unwrap()
			.into_iter()
			.map(|(n, t)| (n, t.copy()))
			.collect::<HashMap<_, _>>();
		model.add_lora(&spec, 20).unwrap();
		randomize_b(&model, 21);
		let unmerged = model.forward(&ids, false).unwrap();
		model.merge_lora().unwrap();
		let merged = model.forward(&ids, false).unwrap();
		let diff = max_abs_diff(&unmerged, &merged);
		assert!(diff < 1e-4, "{spec:?}: diff {diff}");
		assert!(max_abs_diff(&unmerged, &base) > 1e-4);
		model.unmerge_lora().unwrap();
		for (name, tensor) in model.hf_weights().unwrap() {
			assert!(max_abs_diff(&tensor, &before[&name]) < 1e-6, "{spec:?}: {name} not restored");
		}
	}
}

#[test]
fn peft_save_load_round_trip_is_bit_exact() {
	let mut model = tiny_model(false, 22);
	model
		.add_lora(&LoraSpec { dropout: 0.1, ..LoraSpec::plain(3, 6.0, TargetModules::ALL) }, 23)
		.unwrap();
	randomize_b(&model, 24);
	let adapter = PeftAdapter::from_model(&model, "tiny-base").unwrap();
	let dir = tempfile::tempdir().unwrap();
	let hash = adapter.save(dir.path()).unwrap();
	// Every name follows PEFT: base_model.model.model.layers.{i}.{block}.{proj}.lora_{A,B}.weight.
	assert_eq!(adapter.tensors.len(), 2 * 7 * 2);
	let a = &adapter.tensors["base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight"];
	let b = &adapter.tensors["base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"];
	assert_eq!((a.size(), b.size()), (vec![3, 32], vec![32, 3]));

	let loaded = PeftAdapter::load(dir.path()).unwrap();
	assert_eq!(loaded.config, adapter.config);
	for (name, tensor) in &adapter.tensors {
		assert!(bit_equal(tensor, &loaded.tensors[name]), "{name} differs");
	}
	let bytes = std::fs::read(dir.path().join("adapter_model.safetensors")).unwrap();
	assert_eq!(tributary_primitives::content_hash(&bytes), hash);
	assert_eq!(loaded.content_hash().unwrap(), hash);

	let mut fresh = tiny_model(false, 22);
	loaded.apply_to(&mut fresh, dir.path()).unwrap();
	let ids = tokens(1, 7, 25);
	assert!(bit_equal(&model.forward(&ids, false).unwrap(), &fresh.forward(&ids, false).unwrap()));
	let config: serde_json::Value = serde_json::from_str(
		&std::fs::read_to_string(dir.path().join("adapter_config.json")).unwrap(),
	)
	.unwrap();
	assert_eq!(config["peft_type"], "LORA");
	assert_eq!(config["r"], 3);
	assert_eq!(config["target_modules"].as_array().unwrap().len(), 7);
}

#[test]
fn qlora_trains_only_the_adapter_over_quantized_weights() {
	for format in [QuantFormat::Nf4, QuantFormat::Int8] {
		let mut model = tiny_model(false, 26);
		let ids = tokens(2, 8, 27);
		let full = model.forward(&ids, false).unwrap();
		model.quantize(format);
		let (stored, fp32) = model.projection_weight_bytes();
		assert!((stored as f64) < 0.3 * fp32 as f64, "{format:?}: {stored} of {fp32} bytes");
		let quantized = model.forward(&ids, false).unwrap();
		assert!(
			max_abs_diff(&full, &quantized) < 0.05,
			"{format:?} drifted {}",
			max_abs_diff(&full, &quantized)
		);
		model.add_lora(&spec(TargetModules::ALL), 28).unwrap();
		assert!(bit_equal(&quantized, &model.forward(&ids, false).unwrap()));
		let logits = model.forward(&ids, true).unwrap();
		let loss = logits.view([-1, VOCAB]).cross_entropy_for_logits(&ids.view([-1]));
		loss.backward();
		for parameter in model.lora_parameters() {
			assert!(parameter.grad().defined());
		}
		assert!(matches!(model.merge_lora(), Err(ModelError::QuantizedWeight(_))));
	}
}

#[test]
fn missing_or_corrupt_weights_and_foreign_architectures_are_clear_errors() {
	let model = tiny_model(true, 29);
	let dir = tempfile::tempdir().unwrap();
	save_model(&model, dir.path()).unwrap();
	let weights = dir.path().join(hf::WEIGHTS_FILE);
	let good = std::fs::read(&weights).unwrap();

	std::fs::write(&weights, &good[..good.len() / 2]).unwrap();
	let err = load_model(dir.path(), Kind::Float, Device::Cpu).unwrap_err();
	assert!(matches!(err, ModelError::CorruptSafetensors { .. }), "{err}");

	std::fs::write(&weights, b"not a safetensors file at all").unwrap();
	assert!(matches!(
		load_model(dir.path(), Kind::Float, Device::Cpu),
		Err(ModelError::CorruptSafetensors { .. })
	));

	std::fs::remove_file(&weights).unwrap();
	let err = load_model(dir.path(), Kind::Float, Device::Cpu).unwrap_err();
	assert!(matches!(err, ModelError::MissingWeights { .. }), "{err}");
	assert!(err.to_string().contains("model.safetensors"));

	std::fs::write(&weights, &good).unwrap();
	let mut config: serde_json::Value =
		serde_json::from_str(&std::fs::read_to_string(dir.path().join(hf::CONFIG_FILE)).unwrap())
			.unwrap();
	config["architectures"] = serde_json::json!(["GPT2LMHeadModel"]);
	config["model_type"] = "gpt2".into();
	std::fs::write(dir.path().join(hf::CONFIG_FILE), config.to_string()).unwrap();
	let err = load_model(dir.path(), Kind::Float, Device::Cpu).unwrap_err();
	assert!(matches!(err, ModelError::UnsupportedArchitecture { .. }), "{err}");
	assert!(err.to_string().contains("GPT2LMHeadModel"));

	let mut untied = tiny_config(false);
	untied.num_key_value_heads = Some(3);
	assert!(matches!(untied.validate(), Err(ModelError::UnsupportedSetting { .. })));
	let missing_head: HashMap<String, Tensor> =
		tiny_model(true, 30).hf_weights().unwrap().into_iter().collect();
	let err = Llama::from_weights(tiny_config(false), missing_head).unwrap_err();
	assert!(
		matches!(err, ModelError::MissingTensor { ref name } if name == "lm_head.weight"),
		"{err}"
	);
}

#[test]
fn adapter_files_that_do_not_match_the_model_are_refused() {
	let mut model = tiny_model(false, 31);
	model.add_lora(&spec(TargetModules::QV), 32).unwrap();
	let dir = tempfile::tempdir().unwrap();
	PeftAdapter::from_model(&model, "tiny").unwrap().save(dir.path()).unwrap();
	let mut wider = Llama::random(LlamaConfig::tiny(VOCAB, 48, 2, 4, 2), 33, Device::Cpu).unwrap();
	let adapter = PeftAdapter::load(dir.path()).unwrap();
	assert!(matches!(
		adapter.apply_to(&mut wider, dir.path()),
		Err(ModelError::ShapeMismatch { .. })
	));
	std::fs::write(dir.path().join("adapter_model.safetensors"), b"garbage").unwrap();
	assert!(matches!(PeftAdapter::load(dir.path()), Err(ModelError::CorruptSafetensors { .. })));
}
