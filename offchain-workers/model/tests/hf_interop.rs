//! Interop with Hugging Face: a tiny random checkpoint of every supported family (Llama 3.x RoPE
//! scaling, SmolLM, Llama with biases, Qwen2 with its sliding layer, Mistral, Gemma) written by
//! `transformers` gives the same logits here, whole-sequence, cached and paged, and the same greedy
//! tokens; adapters trained here (LoRA, rsLoRA, DoRA) give the same logits in PEFT. The Hugging Face side is
//! `tests/hf_reference.py`, run with the project venv's python (scripts/setup.sh installs
//! transformers and peft into it).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use tch::{Device, Kind, Tensor};
use tributary_model::generate::{generate, Sampling};
use tributary_model::hf::load_model;
use tributary_model::model::RowDeltas;
use tributary_model::paged::{BlockTable, PagedKvCache};
use tributary_model::peft::PeftAdapter;
use tributary_model::{Llama, LoraSpec, TargetModule, TargetModules};

const FAMILIES: [&str; 6] = ["llama3", "smollm", "llama-bias", "qwen2", "mistral", "gemma"];
/// The bound on |logits here − logits in transformers|.
const TOLERANCE: f64 = 1e-4;
/// Tokens of the greedy reference's prompt (hf_reference.py's PROMPT).
const PROMPT: i64 = 8;

fn python() -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python")
}

/// Runs hf_reference.py; a missing venv or package is a failure naming the fix.
fn reference(command: &str, root: &Path) {
	let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hf_reference.py");
	let output = Command::new(python())
		.arg(&script)
		.arg(command)
		.arg(root)
		.output()
		.unwrap_or_else(|e| panic!("cannot run {}: {e}; run scripts/setup.sh", python().display()));
	assert!(
		output.status.success(),
		"hf_reference.py {command} failed (scripts/setup.sh installs transformers and peft):\n{}",
		String::from_utf8_lossy(&output.stderr)
	);
}

fn read(path: &Path) -> HashMap<String, Tensor> {
	Tensor::read_safetensors(path)
		.unwrap_or_else(|e| panic!("{}: {e}", path.display()))
		.into_iter()
		.collect()
}

fn max_abs_diff(a: &Tensor, b: &Tensor) -> f64 {
	assert_eq!(a.size(), b.size());
	f64::try_from((a - b).abs().max()).unwrap()
}

struct NoDeltas;

impl RowDeltas for NoDeltas {
	fn delta(&self, _: usize, _: TargetModule, _: &Tensor, _: &Tensor) -> Option<Tensor> {
		None
	}
}

/// The serving engine's path: both rows prefilled to their half, then one token per step.
fn paged_logits(model: &Llama, input_ids: &Tensor) -> Tensor {
	let (rows, len) = (input_ids.size()[0], input_ids.size()[1]);
	let mut pool = PagedKvCache::new(&model.config, 16, 4, Kind::Float, Device::Cpu);
	let mut tables: Vec<BlockTable> = (0..rows).map(|_| pool.allocate(len).unwrap()).collect();
	let mut pieces = Vec::new();
	let mut position = 0;
	for width in std::iter::once(len / 2).chain(std::iter::repeat_n(1, (len - len / 2) as usize)) {
		let mut borrowed: Vec<&mut BlockTable> = tables.iter_mut().collect();
		let chunk = input_ids.narrow(1, position, width);
		pieces.push(model.forward_rows(&chunk, &mut pool, &mut borrowed, &NoDeltas).unwrap());
		position += width;
	}
	Tensor::cat(&pieces, 1)
}

/// The adapter variants PEFT users train, by the directory name each is saved under.
fn variants() -> [(&'static str, LoraSpec); 3] {
	let plain = LoraSpec::plain(4, 8.0, TargetModules::ALL);
	[
		("adapter", plain.clone()),
		("adapter-rslora", LoraSpec { rslora: true, ..plain.clone() }),
		("adapter-dora", LoraSpec { dora: true, ..plain }),
	]
}

/// A few SGD steps of next-token loss on the reference inputs, so every adapter tensor moves.
fn train_adapter(model: &mut Llama, spec: &LoraSpec, input_ids: &Tensor, seed: u64) {
	model.add_lora(spec, seed).unwrap();
	let len = input_ids.size()[1];
	let (inputs, next) = (input_ids.narrow(1, 0, len - 1), input_ids.narrow(1, 1, len - 1));
	for _ in 0..4 {
		let logits = model.forward(&inputs, true).unwrap();
		let loss = logits
			.view([-1, logits.size()[2]])
			.cross_entropy_for_logits(&next.reshape([-1]));
		loss.backward();
		tch::no_grad(|| {
			for mut parameter in model.lora_parameters() {
				let step = parameter.grad() * 0.5;
				let _ = parameter.f_sub_(&step).unwrap();
				let _ = parameter.grad().zero_();
			}
		});
	}
}

#[test]
fn every_family_matches_transformers_and_its_adapters_match_peft() {
	let root = tempfile::tempdir().unwrap();
	reference("checkpoints", root.path());
	// Every family is checked before failing, so one run shows all that differ.
	let mut failures = Vec::new();
	let mut check = |ok: bool, failure: String| {
		if !ok {
			failures.push(failure);
		}
	};
	let mut ours_with_adapter = BTreeMap::new();
	for (seed, family) in FAMILIES.iter().enumerate() {
		let dir = root.path().join(family);
		let expected = read(&dir.join("reference.safetensors"));
		let mut model = load_model(&dir, Kind::Float, Device::Cpu)
			.unwrap_or_else(|e| panic!("{family} does not load: {e}"));
		let input_ids = &expected["input_ids"];
		let reference_logits = &expected["logits"];

		let logits = tch::no_grad(|| model.forward(input_ids, false)).unwrap();
		let whole = max_abs_diff(&logits, reference_logits);
		let paged =
			max_abs_diff(&tch::no_grad(|| paged_logits(&model, input_ids)), reference_logits);
		println!("{family}: max |Δ logits| whole {whole:.2e}, paged {paged:.2e}");
		check(whole <= TOLERANCE, format!("{family}: logits differ from transformers by {whole}"));
		check(paged <= TOLERANCE, format!("{family}: paged logits differ by {paged}"));

		let greedy = Vec::<i64>::try_from(expected["greedy"].view([-1])).unwrap();
		let prompt: Vec<u32> = greedy[..PROMPT as usize].iter().map(|&t| t as u32).collect();
		let generated =
			generate(&model, &prompt, greedy.len() - prompt.len(), &Sampling::Greedy, &[]).unwrap();
		let generated: Vec<i64> = generated.into_iter().map(i64::from).collect();
		let hf_tokens = &greedy[PROMPT as usize..];
		check(generated == hf_tokens, format!("{family}: greedy {generated:?} ≠ {hf_tokens:?}"));

		for (name, spec) in variants() {
			train_adapter(&mut model, &spec, input_ids, seed as u64);
			let adapted = tch::no_grad(|| model.forward(input_ids, false)).unwrap();
			let moved = max_abs_diff(&adapted, reference_logits);
			check(moved > 1e-2, format!("{family}/{name}: the adapter barely moved ({moved})"));
			let adapter_dir = dir.join(name);
			PeftAdapter::from_model(&model, family).unwrap().save(&adapter_dir).unwrap();
			// Loaded back here too: DoRA's magnitudes must come back with A and B.
			let mut reloaded = load_model(&dir, Kind::Float, Device::Cpu).unwrap();
			PeftAdapter::load(&adapter_dir)
				.unwrap()
				.apply_to(&mut reloaded, &adapter_dir)
				.unwrap();
			let again = tch::no_grad(|| reloaded.forward(input_ids, false)).unwrap();
			check(again.equal(&adapted), format!("{family}/{name}: reloaded adapter differs"));
			ours_with_adapter.insert((*family, name), adapted);
		}
	}

	reference("peft", root.path());
	for ((family, name), ours) in &ours_with_adapter {
		let peft = read(&root.path().join(family).join(format!("peft-{name}.safetensors")));
		let diff = max_abs_diff(ours, &peft["logits"]);
		println!("{family}/{name}: max |Δ logits| in PEFT {diff:.2e}");
		check(diff <= TOLERANCE, format!("{family}/{name}: PEFT's logits differ by {diff}"));
	}
	assert!(failures.is_empty(), "{}", failures.join("\n"));
}
