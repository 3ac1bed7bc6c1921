//! Train-step benchmark: prints ratios, never passes or fails.
//!
//! - LoRA train step (forward + backward + clip + AdamW) vs the same step in PyTorch + PEFT
//!   (bench/peft_reference.py, run with the project venv's python when it has peft installed);
//! - QLoRA frozen-weight bytes vs fp32 (NF4 and int8);
//! - training tokens/s for LoRA and QLoRA.
//!
//! Run: `cargo bench -p tributary-trainer --bench train_step [-- --device cuda:0]` (the device as
//! the trainer's `--device`, default auto; the reference runs on the same device; set
//! PEFT_PYTHON to choose python, PEFT_REFERENCE to find bench/peft_reference.py elsewhere).

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;
use tch::{Device, Kind, Tensor};
use tributary_model::{
	DeviceChoice, DeviceInfo, Llama, LlamaConfig, LoraSpec, QuantFormat, TargetModules,
};
use tributary_trainer::optim::AdamW;

const VOCAB: i64 = 2048;
const HIDDEN: i64 = 256;
const INTERMEDIATE: i64 = 688;
const LAYERS: i64 = 4;
const HEADS: i64 = 8;
const KV_HEADS: i64 = 4;
const RANK: i64 = 8;
const ALPHA: f64 = 16.0;
const DROPOUT: f64 = 0.05;
const BATCH: i64 = 8;
const SEQ: i64 = 128;
const WARMUP_STEPS: usize = 2;
const TIMED_STEPS: usize = 10;

fn config() -> LlamaConfig {
	let mut config = LlamaConfig::tiny(VOCAB, HIDDEN, LAYERS, HEADS, KV_HEADS);
	config.intermediate_size = INTERMEDIATE;
	config
}

/// Milliseconds per LoRA train step of `model`.
fn time_steps(model: &Llama) -> f64 {
	let mut optimizer = AdamW::new(model.lora_parameters(), 0.0).expect("optimizer");
	let batch = Tensor::randint(VOCAB, [BATCH, SEQ + 1], (Kind::Int64, model.device()));
	let (inputs, targets) = (batch.narrow(1, 0, SEQ), batch.narrow(1, 1, SEQ));
	let mut step = || {
		let logits = model.forward(&inputs, true).expect("forward");
		let loss = logits.view([-1, VOCAB]).cross_entropy_for_logits(&targets.reshape([-1]));
		optimizer.zero_grad().expect("zero_grad");
		loss.backward();
		optimizer.clip_grad_norm(1.0);
		optimizer.step(1e-3).expect("step");
	};
	for _ in 0..WARMUP_STEPS {
		step();
	}
	synchronize(model.device());
	let started = Instant::now();
	for _ in 0..TIMED_STEPS {
		step();
	}
	synchronize(model.device());
	started.elapsed().as_secs_f64() * 1e3 / TIMED_STEPS as f64
}

/// Waits for a GPU's queued kernels, so they count in the time measured.
fn synchronize(device: Device) {
	if let Device::Cuda(index) = device {
		tch::Cuda::synchronize(index as i64);
	}
}

fn lora_model(quant: Option<QuantFormat>, device: Device) -> Llama {
	let mut model = Llama::random(config(), 0, device).expect("model");
	if let Some(format) = quant {
		model.quantize(format);
	}
	let spec = LoraSpec { dropout: DROPOUT, ..LoraSpec::plain(RANK, ALPHA, TargetModules::ALL) };
	model.add_lora(&spec, 0).expect("lora");
	model
}

/// ms per step of the PyTorch + PEFT reference, or why it could not run.
fn peft_reference(device: Device) -> Result<f64, String> {
	let script = std::env::var_os("PEFT_REFERENCE").map(PathBuf::from).unwrap_or_else(|| {
		PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench/peft_reference.py")
	});
	let python = std::env::var_os("PEFT_PYTHON").map(PathBuf::from).unwrap_or_else(|| {
		PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python")
	});
	let device = match device {
		Device::Cuda(index) => format!("cuda:{index}"),
		_ => "cpu".into(),
	};
	let n = |v: i64| v.to_string();
	let output = Command::new(&python)
		.arg(script)
		.args(["--device", &device])
		.args(["--vocab", &n(VOCAB), "--hidden", &n(HIDDEN), "--intermediate", &n(INTERMEDIATE)])
		.args(["--layers", &n(LAYERS), "--heads", &n(HEADS), "--kv-heads", &n(KV_HEADS)])
		.args([
			"--rank",
			&n(RANK),
			"--alpha",
			&ALPHA.to_string(),
			"--dropout",
			&DROPOUT.to_string(),
		])
		.args(["--batch", &n(BATCH), "--seq", &n(SEQ), "--steps", &TIMED_STEPS.to_string()])
		.args(["--warmup", &WARMUP_STEPS.to_string()])
		.output()
		.map_err(|e| format!("cannot run {}: {e}", python.display()))?;
	if !output.status.success() {
		let stderr = String::from_utf8_lossy(&output.stderr);
		return Err(format!("reference failed: {}", stderr.lines().last().unwrap_or("no output")));
	}
	let report: serde_json::Value = serde_json::from_slice(&output.stdout)
		.map_err(|e| format!("unreadable reference output: {e}"))?;
	report["ms_per_step"]
		.as_f64()
		.ok_or_else(|| "reference printed no ms_per_step".into())
}

fn main() {
	let args: Vec<String> = std::env::args().collect();
	let choice: DeviceChoice = args
		.windows(2)
		.find(|w| w[0] == "--device")
		.map_or(Ok(DeviceChoice::Auto), |w| w[1].parse())
		.unwrap_or_else(|e| panic!("{e}"));
	let device = choice.resolve().unwrap_or_else(|e| panic!("{e}"));
	let tokens = (BATCH * SEQ) as f64;
	println!(
		"shape: vocab {VOCAB}, hidden {HIDDEN}, intermediate {INTERMEDIATE}, layers {LAYERS}, heads {HEADS}/{KV_HEADS} kv, \
		 LoRA r={RANK} alpha={ALPHA} dropout={DROPOUT} on all 7 projections, batch {BATCH} x seq {SEQ}, \
		 {} torch threads, device {}",
		tch::get_num_threads(),
		DeviceInfo::of(device)
	);
	let lora_ms = time_steps(&lora_model(None, device));
	println!(
		"LoRA train step (tch):        {lora_ms:8.1} ms   {:8.0} tokens/s",
		tokens / lora_ms * 1e3
	);
	match peft_reference(device) {
		Ok(peft_ms) => {
			println!(
				"LoRA train step (torch+PEFT): {peft_ms:8.1} ms   {:8.0} tokens/s",
				tokens / peft_ms * 1e3
			);
			println!("ratio tch / PEFT step time:   {:8.3}   (goal <= 0.9)", lora_ms / peft_ms);
		},
		Err(reason) => println!("PyTorch + PEFT reference skipped: {reason}"),
	}
	for format in [QuantFormat::Nf4, QuantFormat::Int8] {
		let model = lora_model(Some(format), device);
		let (stored, fp32) = model.projection_weight_bytes();
		let ms = time_steps(&model);
		println!(
			"QLoRA {format:?}: frozen projection bytes {stored} vs fp32 {fp32} = {:.3} (goal <= 0.3); \
			 train step {ms:.1} ms, {:.0} tokens/s, {:.2}x the LoRA step",
			stored as f64 / fp32 as f64,
			tokens / ms * 1e3,
			ms / lora_ms
		);
	}
}
