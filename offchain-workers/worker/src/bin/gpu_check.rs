//! `tributary-gpu-check`: the device path computed against the CPU on the same machine.
//!
//! The same seeded model, adapters and batches run on the CPU in f32 and on the device:
//! 1. a forward pass (f32; bf16 for comparison),
//! 2. a LoRA train step: forward, backward, gradient clipping and AdamW (f32, no dropout),
//! 3. a batched greedy decode of rows over 8 different adapters, an ensemble and the bare base
//!    (f32; bf16 for comparison).
//!
//! Each line gives the largest |difference| from the CPU and the tolerance it must stay within;
//! any check out of tolerance makes the exit status 1. Results are also written as JSON.
//! Run on a CPU-only machine with `--device cpu`, it is a smoke test of the build (every
//! difference is then 0).
//!
//! Usage: `tributary-gpu-check [--device cuda:0] [--json results.json]`

use serde_json::{json, Value};
use std::collections::BTreeMap;
use tch::{Device, Kind, Tensor};
use tributary_engine::adapters::{BatchDeltas, LoadedAdapter, SlotStacks};
use tributary_model::model::module_path;
use tributary_model::paged::{BlockTable, PagedKvCache};
use tributary_model::peft::{AdapterConfig, PeftAdapter};
use tributary_model::rng::SplitMix64;
use tributary_model::{
	DeviceChoice, DeviceInfo, Llama, LlamaConfig, LoraSpec, TargetModule, TargetModules,
};
use tributary_primitives::content_hash;
use tributary_trainer::optim::AdamW;

const VOCAB: i64 = 2048;
const RANK: i64 = 8;
const ADAPTERS: usize = 8;
const PROMPT: i64 = 12;
const DECODE_STEPS: usize = 16;
/// f32 on two devices differs only in summation order: far below this.
const F32_TOLERANCE: f64 = 1e-3;
/// bf16 keeps 8 bits of mantissa: its logits stay within this share of the f32 logits' range.
const BF16_RANGE_SHARE: f64 = 0.02;

fn config() -> LlamaConfig {
	let mut config = LlamaConfig::tiny(VOCAB, 256, 4, 8, 4);
	config.intermediate_size = 688;
	config
}

fn max_abs_diff(a: &Tensor, b: &Tensor) -> f64 {
	let a = a.to_device(Device::Cpu).to_kind(Kind::Float);
	let b = b.to_device(Device::Cpu).to_kind(Kind::Float);
	f64::try_from((a - b).abs().max()).unwrap()
}

fn range(t: &Tensor) -> f64 {
	f64::try_from(t.max() - t.min()).unwrap()
}

/// Seeded token ids, the same on every device.
fn tokens(rows: i64, len: i64, seed: u64) -> Tensor {
	let mut rng = SplitMix64(seed);
	let ids: Vec<i64> = (0..rows * len).map(|_| (rng.next_f64() * VOCAB as f64) as i64).collect();
	Tensor::from_slice(&ids).view([rows, len])
}

struct Report {
	checks: Vec<Value>,
	failed: bool,
}

impl Report {
	fn check(&mut self, name: &str, diff: f64, tolerance: f64) {
		let pass = diff <= tolerance;
		self.failed |= !pass;
		println!(
			"| {name} | {diff:.3e} | {tolerance:.3e} | {} |",
			if pass { "pass" } else { "FAIL" }
		);
		self.checks.push(
			json!({ "check": name, "max_abs_diff": diff, "tolerance": tolerance, "pass": pass }),
		);
	}
}

fn forward_check(report: &mut Report, cpu: &Llama, device: Device) {
	let input = tokens(4, 64, 1);
	let reference = tch::no_grad(|| cpu.forward(&input, false)).unwrap();
	for kind in [Kind::Float, Kind::BFloat16] {
		let model = cpu.converted(kind, device).unwrap();
		let logits = tch::no_grad(|| model.forward(&input.to_device(device), false)).unwrap();
		let (name, tolerance) = match kind {
			Kind::Float => ("forward pass, f32", F32_TOLERANCE),
			_ => ("forward pass, bf16 (vs CPU f32)", BF16_RANGE_SHARE * range(&reference)),
		};
		report.check(name, max_abs_diff(&logits, &reference), tolerance);
	}
}

/// One LoRA step on `model`: the loss before it and the adapter's factors after it.
fn train_step(model: &Llama, input: &Tensor) -> (f64, Vec<Tensor>) {
	let device = model.device();
	let input = input.to_device(device);
	let (inputs, targets) = (input.narrow(1, 0, 64), input.narrow(1, 1, 64));
	let mut optimizer = AdamW::new(model.lora_parameters(), 0.01).unwrap();
	let logits = model.forward(&inputs, true).unwrap();
	let loss = logits.view([-1, VOCAB]).cross_entropy_for_logits(&targets.reshape([-1]));
	optimizer.zero_grad().unwrap();
	loss.backward();
	optimizer.clip_grad_norm(1.0);
	optimizer.step(1e-2).unwrap();
	let factors = model.lora_weights().into_values().flat_map(|(a, b)| [a, b]).collect();
	(f64::try_from(&loss).unwrap(), factors)
}

fn train_step_check(report: &mut Report, cpu: &Llama, device: Device) {
	let spec = LoraSpec::plain(RANK, 16.0, TargetModules::ALL);
	let input = tokens(4, 65, 2);
	let mut on_cpu = cpu.converted(Kind::Float, Device::Cpu).unwrap();
	let mut on_device = cpu.converted(Kind::Float, device).unwrap();
	on_cpu.add_lora(&spec, 7).unwrap();
	on_device.add_lora(&spec, 7).unwrap();
	let (cpu_loss, cpu_factors) = train_step(&on_cpu, &input);
	let (device_loss, device_factors) = train_step(&on_device, &input);
	report.check("LoRA train step, loss", (cpu_loss - device_loss).abs(), F32_TOLERANCE);
	let factors = cpu_factors
		.iter()
		.zip(&device_factors)
		.map(|(a, b)| max_abs_diff(a, b))
		.fold(0.0, f64::max);
	report.check("LoRA train step, updated A and B", factors, F32_TOLERANCE);
}

/// A random adapter over every projection (seeded, made on the CPU).
fn random_adapter(config: &LlamaConfig, seed: u64) -> PeftAdapter {
	let mut rng = SplitMix64(seed);
	let mut tensors = BTreeMap::new();
	let model_dims = Llama::weight_shapes(config);
	for layer in 0..config.num_hidden_layers as usize {
		for module in TargetModule::ALL {
			let path = module_path(layer, module);
			let shape =
				&model_dims.iter().find(|(name, _)| *name == format!("{path}.weight")).unwrap().1;
			let (out_f, in_f) = (shape[0], shape[1]);
			tensors.insert(
				format!("base_model.model.{path}.lora_A.weight"),
				rng.normal(&[RANK, in_f], 0.05, Device::Cpu),
			);
			tensors.insert(
				format!("base_model.model.{path}.lora_B.weight"),
				rng.normal(&[out_f, RANK], 0.05, Device::Cpu),
			);
		}
	}
	let spec = LoraSpec::plain(RANK, 16.0, TargetModules::ALL);
	PeftAdapter { config: AdapterConfig::new(&spec, "gpu-check-base"), tensors }
}

/// Greedy decode of a mixed batch: every adapter alone, an ensemble of two, and the bare base.
/// The first step's logits [rows, vocab] (on the CPU) and every row's tokens.
fn batched_decode(
	model: &Llama,
	adapters: &[(LoadedAdapter, [u8; 32])],
) -> (Tensor, Vec<Vec<i64>>) {
	let (kind, device) = (model.activation_kind(), model.device());
	let budget = SlotStacks::slot_bytes(&model.config, RANK, kind) * adapters.len() as u64;
	let mut stacks = SlotStacks::new(&model.config, RANK, budget, kind, device);
	let slots: Vec<usize> = adapters
		.iter()
		.map(|(adapter, hash)| stacks.install(*hash, adapter, model).unwrap())
		.collect();
	let mut rows: Vec<Vec<(usize, f64)>> = slots.iter().map(|&slot| vec![(slot, 1.0)]).collect();
	rows.push(vec![(slots[0], 0.5), (slots[1], 0.5)]);
	rows.push(vec![]);
	let n = rows.len();
	let positions = PROMPT + DECODE_STEPS as i64;
	let blocks = n as i64 * ((positions + 15) / 16);
	let mut pool = PagedKvCache::new(&model.config, blocks, 16, kind, device);
	let mut tables: Vec<BlockTable> = (0..n).map(|_| pool.allocate(positions).unwrap()).collect();
	let mut input = tokens(n as i64, PROMPT, 3).to_device(device);
	let mut first = None;
	let mut generated = vec![Vec::new(); n];
	tch::no_grad(|| {
		for _ in 0..DECODE_STEPS {
			let deltas = BatchDeltas::new(&stacks, &rows, device);
			let mut refs: Vec<&mut BlockTable> = tables.iter_mut().collect();
			let logits = model.forward_rows(&input, &mut pool, &mut refs, &deltas).unwrap();
			let last = logits.select(1, -1).to_device(Device::Cpu).to_kind(Kind::Float);
			let next: Vec<i64> = Vec::try_from(last.argmax(-1, false)).unwrap();
			for (row, token) in generated.iter_mut().zip(&next) {
				row.push(*token);
			}
			first.get_or_insert(last);
			input = Tensor::from_slice(&next).unsqueeze(1).to_device(device);
		}
	});
	(first.unwrap(), generated)
}

fn decode_check(report: &mut Report, cpu: &Llama, device: Device) {
	let adapters: Vec<(LoadedAdapter, [u8; 32])> = (0..ADAPTERS as u64)
		.map(|seed| {
			let adapter = random_adapter(&cpu.config, 100 + seed);
			let bytes = adapter.canonical_bytes().unwrap();
			let hash = content_hash(&bytes);
			(LoadedAdapter::parse(&hash, &bytes, &adapter.config, &cpu.config, RANK).unwrap(), hash)
		})
		.collect();
	let (reference, cpu_tokens) = batched_decode(cpu, &adapters);
	for kind in [Kind::Float, Kind::BFloat16] {
		let model = cpu.converted(kind, device).unwrap();
		let (logits, device_tokens) = batched_decode(&model, &adapters);
		let agree = cpu_tokens
			.iter()
			.zip(&device_tokens)
			.flat_map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x == y) as usize))
			.sum::<usize>();
		let total = cpu_tokens.len() * DECODE_STEPS;
		println!(
			"| (batched decode, {}: greedy tokens equal to the CPU's: {agree} of {total}) | | | |",
			if kind == Kind::Float { "f32" } else { "bf16" }
		);
		if kind == Kind::Float {
			report.check(
				"batched decode over 8 adapters, f32, first-step logits",
				max_abs_diff(&logits, &reference),
				F32_TOLERANCE,
			);
			// f32 greedy decoding must not drift: any differing token is a failure.
			report.check(
				"batched decode, f32, tokens differing from the CPU's",
				(total - agree) as f64,
				0.0,
			);
		} else {
			report.check(
				"batched decode over 8 adapters, bf16 (vs CPU f32), first-step logits",
				max_abs_diff(&logits, &reference),
				BF16_RANGE_SHARE * range(&reference),
			);
		}
	}
}

fn main() -> std::process::ExitCode {
	let args: Vec<String> = std::env::args().collect();
	let value_of = |flag: &str| args.windows(2).find(|w| w[0] == flag).map(|w| w[1].clone());
	let choice: DeviceChoice = match value_of("--device").unwrap_or_else(|| "cuda".into()).parse() {
		Ok(choice) => choice,
		Err(e) => {
			eprintln!("tributary-gpu-check: {e}");
			return std::process::ExitCode::from(2);
		},
	};
	let device = match choice.resolve() {
		Ok(device) => device,
		Err(e) => {
			eprintln!("tributary-gpu-check: {e}");
			return std::process::ExitCode::from(2);
		},
	};
	let info = DeviceInfo::of(device);
	println!("# tributary-gpu-check");
	println!("device: {info}");
	println!(
		"libtorch built against: {}",
		tributary_model::device::LIBTORCH_LIB.unwrap_or("unknown")
	);
	println!(
		"libtorch loaded from: {}",
		tributary_model::device::loaded_libtorch().unwrap_or_else(|| "unknown".into())
	);
	println!("CUDA library loaded: {}", tributary_model::device::cuda_library_loaded());
	let cpu = Llama::random(config(), 11, Device::Cpu).unwrap();
	println!("\n| check (device vs CPU, same seeds) | max abs diff | tolerance | |");
	println!("|---|---:|---:|---|");
	let mut report = Report { checks: Vec::new(), failed: false };
	forward_check(&mut report, &cpu, device);
	train_step_check(&mut report, &cpu, device);
	decode_check(&mut report, &cpu, device);
	if let Some(path) = value_of("--json") {
		let results = json!({ "device": info, "checks": report.checks, "pass": !report.failed });
		if let Err(e) = std::fs::write(&path, serde_json::to_vec_pretty(&results).unwrap()) {
			eprintln!("tributary-gpu-check: cannot write {path}: {e}");
			return std::process::ExitCode::FAILURE;
		}
	}
	if report.failed {
		println!("\nFAILED: a device result is out of tolerance");
		std::process::ExitCode::FAILURE
	} else {
		println!("\nall checks within tolerance");
		std::process::ExitCode::SUCCESS
	}
}
