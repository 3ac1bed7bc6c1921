//! Train-step benchmark: prints medians and ratios, never passes or fails.
//!
//! For each adapter variant (LoRA, rsLoRA, DoRA, QLoRA NF4, QLoRA int8) it times the train step
//! (forward + backward + clip + AdamW) in tch and in PyTorch + PEFT (`bench/peft_reference.py`,
//! one long-lived process of the project venv's python). The two sides take turns, a few steps
//! each, so that a change in the machine's load reaches both; medians of the per-step times are
//! compared. It also prints what rsLoRA and DoRA cost over LoRA on each side, QLoRA's frozen
//! bytes against fp32, and training tokens/s.
//!
//! Run: `cargo bench -p tributary-trainer --bench train_step --profile dev -- [--shape toy]
//! [--rounds 4] [--steps 2] [--device cuda:0]`. `--shape` is `smollm2` (SmolLM2-135M's layer
//! shapes with random weights, the default) or `toy` (a few seconds); `--device` as the trainer's
//! (default auto; the reference runs on the same device). PEFT_PYTHON chooses python,
//! PEFT_REFERENCE finds `bench/peft_reference.py` elsewhere; QLoRA's reference needs bitsandbytes
//! in that python.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;
use tch::{Device, Kind, Tensor};
use tributary_model::{
	DeviceChoice, DeviceInfo, Llama, LlamaConfig, LoraSpec, QuantFormat, TargetModules,
};
use tributary_trainer::optim::AdamW;

const RANK: i64 = 8;
const ALPHA: f64 = 16.0;
const DROPOUT: f64 = 0.05;
/// Untimed steps of each variant on each side before its rounds: the first step allocates.
const WARMUP_STEPS: usize = 1;
/// The goal for tch ÷ PEFT step time (issue 20), for LoRA and QLoRA.
const GOAL: f64 = 0.7;

/// The model and batch shape a run times.
struct Shape {
	name: &'static str,
	vocab: i64,
	hidden: i64,
	intermediate: i64,
	layers: i64,
	heads: i64,
	kv_heads: i64,
	rope_theta: f64,
	batch: i64,
	seq: i64,
}

/// SmolLM2-135M (LlamaForCausalLM, tied embeddings, head_dim 64), batch 4 × 128 tokens.
const SMOLLM2: Shape = Shape {
	name: "smollm2",
	vocab: 49_152,
	hidden: 576,
	intermediate: 1536,
	layers: 30,
	heads: 9,
	kv_heads: 3,
	rope_theta: 100_000.0,
	batch: 4,
	seq: 128,
};

/// A few-second run for checking the benchmark itself.
const TOY: Shape = Shape {
	name: "toy",
	vocab: 2048,
	hidden: 256,
	intermediate: 688,
	layers: 4,
	heads: 8,
	kv_heads: 4,
	rope_theta: 10_000.0,
	batch: 8,
	seq: 128,
};

impl Shape {
	fn config(&self) -> LlamaConfig {
		let mut config =
			LlamaConfig::tiny(self.vocab, self.hidden, self.layers, self.heads, self.kv_heads);
		config.intermediate_size = self.intermediate;
		config.rope_theta = self.rope_theta;
		config
	}

	fn tokens(&self) -> f64 {
		(self.batch * self.seq) as f64
	}

	/// The same shape as `peft_reference.py`'s arguments.
	fn reference_args(&self) -> Vec<String> {
		let config = self.config();
		[
			("--vocab", self.vocab.to_string()),
			("--hidden", self.hidden.to_string()),
			("--intermediate", self.intermediate.to_string()),
			("--layers", self.layers.to_string()),
			("--heads", self.heads.to_string()),
			("--kv-heads", self.kv_heads.to_string()),
			("--head-dim", config.head_dim().to_string()),
			("--rope-theta", config.rope_theta.to_string()),
			("--rms-eps", config.rms_norm_eps.to_string()),
			("--rank", RANK.to_string()),
			("--alpha", ALPHA.to_string()),
			("--dropout", DROPOUT.to_string()),
			("--batch", self.batch.to_string()),
			("--seq", self.seq.to_string()),
		]
		.into_iter()
		.flat_map(|(flag, value)| [flag.to_string(), value])
		.collect()
	}
}

#[derive(Clone, Copy, PartialEq)]
enum Variant {
	Lora,
	RsLora,
	Dora,
	QloraNf4,
	QloraInt8,
}

impl Variant {
	const ALL: [Variant; 5] =
		[Variant::Lora, Variant::RsLora, Variant::Dora, Variant::QloraNf4, Variant::QloraInt8];

	/// The name `peft_reference.py` knows the variant by.
	fn name(self) -> &'static str {
		match self {
			Variant::Lora => "lora",
			Variant::RsLora => "rslora",
			Variant::Dora => "dora",
			Variant::QloraNf4 => "qlora-nf4",
			Variant::QloraInt8 => "qlora-int8",
		}
	}

	fn spec(self) -> LoraSpec {
		LoraSpec {
			dropout: DROPOUT,
			rslora: self == Variant::RsLora,
			dora: self == Variant::Dora,
			..LoraSpec::plain(RANK, ALPHA, TargetModules::ALL)
		}
	}

	fn quant(self) -> Option<QuantFormat> {
		match self {
			Variant::QloraNf4 => Some(QuantFormat::Nf4),
			Variant::QloraInt8 => Some(QuantFormat::Int8),
			_ => None,
		}
	}

	/// Whether the ≤ 0.7 goal applies (LoRA and QLoRA; rsLoRA and DoRA only report a cost).
	fn has_goal(self) -> bool {
		!matches!(self, Variant::RsLora | Variant::Dora)
	}
}

/// One tch model with its optimizer and a fixed random batch.
struct TchTrainer {
	model: Llama,
	optimizer: AdamW,
	inputs: Tensor,
	targets: Tensor,
}

impl TchTrainer {
	/// The variant's adapter on `base`'s weights (shared, not copied: they stay frozen).
	fn new(base: &Llama, variant: Variant, shape: &Shape) -> TchTrainer {
		let mut model = base.converted(Kind::Float, base.device()).expect("model");
		if let Some(format) = variant.quant() {
			model.quantize(format);
		}
		model.add_lora(&variant.spec(), 0).expect("lora");
		let optimizer = AdamW::new(model.lora_parameters(), 0.0).expect("optimizer");
		let tokens = Tensor::randint(
			shape.vocab,
			[shape.batch, shape.seq + 1],
			(Kind::Int64, base.device()),
		);
		let (inputs, targets) = (tokens.narrow(1, 0, shape.seq), tokens.narrow(1, 1, shape.seq));
		TchTrainer { model, optimizer, inputs, targets }
	}

	fn step(&mut self) {
		let logits = self.model.forward(&self.inputs, true).expect("forward");
		let vocab = self.model.config.vocab_size;
		let loss = logits.view([-1, vocab]).cross_entropy_for_logits(&self.targets.reshape([-1]));
		self.optimizer.zero_grad().expect("zero_grad");
		loss.backward();
		self.optimizer.clip_grad_norm(1.0);
		self.optimizer.step(1e-3).expect("step");
	}

	/// Milliseconds of each of `n` steps.
	fn timed_steps(&mut self, n: usize) -> Vec<f64> {
		(0..n)
			.map(|_| {
				let started = Instant::now();
				self.step();
				synchronize(self.model.device());
				started.elapsed().as_secs_f64() * 1e3
			})
			.collect()
	}
}

/// Waits for a GPU's queued kernels, so they count in the time measured.
fn synchronize(device: Device) {
	if let Device::Cuda(index) = device {
		tch::Cuda::synchronize(index as i64);
	}
}

/// The running `peft_reference.py`: one line in ("VARIANT N"), one JSON line out.
struct Reference {
	child: Child,
	stdin: ChildStdin,
	stdout: BufReader<ChildStdout>,
	variants: Vec<String>,
	/// Why a variant has no reference, by name.
	missing: serde_json::Map<String, serde_json::Value>,
	threads: i64,
}

impl Reference {
	fn start(shape: &Shape, device: Device) -> Result<Reference, String> {
		let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
		let script = std::env::var_os("PEFT_REFERENCE")
			.map_or_else(|| manifest.join("bench/peft_reference.py"), PathBuf::from);
		let python = std::env::var_os("PEFT_PYTHON")
			.map_or_else(|| manifest.join("../../.venv/bin/python"), PathBuf::from);
		let device = match device {
			Device::Cuda(index) => format!("cuda:{index}"),
			_ => "cpu".into(),
		};
		let mut child = Command::new(&python)
			.arg(script)
			.args(["--device", &device])
			.args(shape.reference_args())
			.stdin(Stdio::piped())
			.stdout(Stdio::piped())
			.spawn()
			.map_err(|e| format!("cannot run {}: {e}", python.display()))?;
		let stdin = child.stdin.take().expect("piped stdin");
		let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
		let mut reference = Reference {
			child,
			stdin,
			stdout,
			variants: Vec::new(),
			missing: Default::default(),
			threads: 0,
		};
		let ready = reference.read_line()?;
		reference.variants = serde_json::from_value(ready["variants"].clone())
			.map_err(|e| format!("unreadable variant list: {e}"))?;
		reference.missing = ready["missing"].as_object().cloned().unwrap_or_default();
		reference.threads = ready["threads"].as_i64().unwrap_or(0);
		Ok(reference)
	}

	fn read_line(&mut self) -> Result<serde_json::Value, String> {
		let mut line = String::new();
		self.stdout
			.read_line(&mut line)
			.map_err(|e| format!("reading the reference: {e}"))?;
		if line.is_empty() {
			return Err("the reference exited (its error is above)".into());
		}
		serde_json::from_str(&line).map_err(|e| format!("unreadable reference output: {e}"))
	}

	/// Why `variant` has no reference, if it has none.
	fn lacks(&self, variant: Variant) -> Option<String> {
		if self.variants.iter().any(|v| v == variant.name()) {
			return None;
		}
		let reason = self.missing.get(variant.name()).and_then(|r| r.as_str());
		Some(reason.unwrap_or("not offered by the reference").to_string())
	}

	/// Milliseconds of each of `n` steps of `variant`.
	fn timed_steps(&mut self, variant: Variant, n: usize) -> Result<Vec<f64>, String> {
		writeln!(self.stdin, "{} {n}", variant.name())
			.and_then(|()| self.stdin.flush())
			.map_err(|e| format!("writing to the reference: {e}"))?;
		let report = self.read_line()?;
		serde_json::from_value(report["ms"].clone()).map_err(|e| format!("no step times: {e}"))
	}
}

impl Drop for Reference {
	fn drop(&mut self) {
		let _ = writeln!(self.stdin, "quit").and_then(|()| self.stdin.flush());
		let _ = self.child.wait();
	}
}

struct Options {
	shape: &'static Shape,
	device: Device,
	/// Turns each side takes per variant after the warmup.
	rounds: usize,
	/// Steps per turn.
	steps: usize,
}

impl Options {
	fn from_args() -> Options {
		let args: Vec<String> = std::env::args().collect();
		let shape = match flag(&args, "--shape").unwrap_or(SMOLLM2.name) {
			"smollm2" => &SMOLLM2,
			"toy" => &TOY,
			other => panic!("unknown --shape {other}: smollm2 or toy"),
		};
		let choice: DeviceChoice = flag(&args, "--device")
			.map_or(Ok(DeviceChoice::Auto), str::parse)
			.unwrap_or_else(|e| panic!("{e}"));
		let count = |name: &str, default: usize| {
			flag(&args, name).map_or(default, |v| v.parse().expect("a count"))
		};
		let (rounds, steps) = (count("--rounds", 4), count("--steps", 2));
		assert!(rounds > 0 && steps > 0, "--rounds and --steps must be positive");
		Options { shape, device: choice.resolve().unwrap_or_else(|e| panic!("{e}")), rounds, steps }
	}
}

/// One variant's step times on both sides, and its frozen projection bytes (stored, fp32).
struct Measured {
	variant: Variant,
	tch: Vec<f64>,
	peft: Result<Vec<f64>, String>,
	bytes: (usize, usize),
}

impl Measured {
	fn tch_ms(&self) -> f64 {
		median(&self.tch)
	}

	fn peft_ms(&self) -> Option<f64> {
		self.peft.as_ref().ok().map(|ms| median(ms))
	}
}

/// Times `variant` on both sides in alternating turns after one untimed warmup on each.
fn measure(
	base: &Llama,
	variant: Variant,
	reference: &mut Result<Reference, String>,
	options: &Options,
) -> Measured {
	let mut trainer = TchTrainer::new(base, variant, options.shape);
	let mut peft = match reference {
		Ok(r) => r.lacks(variant).map_or(Ok(r), Err),
		Err(reason) => Err(reason.clone()),
	};
	// One turn of the reference; its first failure stands for the rest of the variant.
	let mut peft_turn = |n: usize| -> Result<Vec<f64>, String> {
		let ms = peft.as_mut().map_err(|e| e.clone())?.timed_steps(variant, n);
		if let Err(reason) = &ms {
			peft = Err(reason.clone());
		}
		ms
	};
	trainer.timed_steps(WARMUP_STEPS);
	let mut peft_times = peft_turn(WARMUP_STEPS).map(|_| Vec::new());
	let mut tch = Vec::new();
	for round in 0..options.rounds {
		// Who goes first alternates, so a drift in the machine's speed reaches both sides alike.
		let order = if round.is_multiple_of(2) { [false, true] } else { [true, false] };
		for peft_side in order {
			if peft_side {
				let ms = peft_turn(options.steps);
				peft_times = peft_times.and_then(|mut all| {
					all.extend(ms?);
					Ok(all)
				});
			} else {
				tch.extend(trainer.timed_steps(options.steps));
			}
		}
	}
	Measured { variant, tch, peft: peft_times, bytes: trainer.model.projection_weight_bytes() }
}

fn list(ms: &[f64]) -> String {
	ms.iter().map(|v| format!("{v:.0}")).collect::<Vec<_>>().join(" ")
}

fn print_header() {
	println!(
		"{:<11} {:>9} {:>9} {:>8} {:>7} {:>8} {:>8}",
		"variant", "tch ms", "PEFT ms", "tch/PEFT", "goal", "tch t/s", "PEFT t/s"
	);
}

/// The variant's medians, ratio and tokens/s, then every step time of both sides.
fn print_row(m: &Measured, tokens: f64) {
	let tch_ms = m.tch_ms();
	let per_second = |ms: f64| format!("{:.0}", tokens / ms * 1e3);
	let goal = if m.variant.has_goal() { format!("<= {GOAL}") } else { "-".into() };
	let (peft_ms, ratio, peft_rate, peft_steps) = match (&m.peft, m.peft_ms()) {
		(Ok(steps), Some(ms)) => {
			(format!("{ms:.1}"), format!("{:.3}", tch_ms / ms), per_second(ms), list(steps))
		},
		_ => {
			let reason = m.peft.as_ref().err().map_or("no steps", String::as_str);
			("-".into(), "-".into(), "-".into(), format!("none: {reason}"))
		},
	};
	println!(
		"{:<11} {tch_ms:>9.1} {peft_ms:>9} {ratio:>8} {goal:>7} {:>8} {peft_rate:>8}",
		m.variant.name(),
		per_second(tch_ms)
	);
	println!("{:11} steps ms: tch {}; PEFT {peft_steps}", "", list(&m.tch));
}

/// rsLoRA's, DoRA's and QLoRA's median step time over LoRA's, on each side; QLoRA's bytes.
fn print_costs(measured: &[Measured]) {
	let lora = &measured[0];
	println!("\nstep time over LoRA's:   tch    PEFT");
	for m in &measured[1..] {
		let peft = match (m.peft_ms(), lora.peft_ms()) {
			(Some(ms), Some(lora_ms)) => format!("{:.2}x", ms / lora_ms),
			_ => "-".into(),
		};
		println!("{:<22} {:>5.2}x {peft:>6}", m.variant.name(), m.tch_ms() / lora.tch_ms());
	}
	for m in measured.iter().filter(|m| m.variant.quant().is_some()) {
		let (stored, fp32) = m.bytes;
		println!(
			"{}: frozen projection bytes {stored} vs fp32 {fp32} = {:.3} (goal <= 0.3)",
			m.variant.name(),
			stored as f64 / fp32 as f64
		);
	}
}

fn main() {
	let options = Options::from_args();
	let shape = options.shape;
	println!(
		"shape {}: vocab {}, hidden {}, intermediate {}, {} layers, {} heads / {} kv, \
		 LoRA r={RANK} alpha={ALPHA} dropout={DROPOUT} on all 7 projections, batch {} x {} tokens; \
		 {} rounds x {} steps per side after {WARMUP_STEPS} warmup; {} torch threads, device {}",
		shape.name,
		shape.vocab,
		shape.hidden,
		shape.intermediate,
		shape.layers,
		shape.heads,
		shape.kv_heads,
		shape.batch,
		shape.seq,
		options.rounds,
		options.steps,
		tch::get_num_threads(),
		DeviceInfo::of(options.device)
	);
	let mut reference = Reference::start(shape, options.device);
	match &reference {
		Ok(r) => println!("PyTorch + PEFT reference: {} threads", r.threads),
		Err(reason) => println!("PyTorch + PEFT reference skipped: {reason}"),
	}
	let base = Llama::random(shape.config(), 0, options.device).expect("model");
	print_header();
	let measured: Vec<Measured> = Variant::ALL
		.into_iter()
		.map(|variant| {
			let m = measure(&base, variant, &mut reference, &options);
			print_row(&m, shape.tokens());
			m
		})
		.collect();
	print_costs(&measured);
}

fn median(values: &[f64]) -> f64 {
	let mut sorted = values.to_vec();
	sorted.sort_by(f64::total_cmp);
	let mid = sorted.len() / 2;
	if sorted.len().is_multiple_of(2) {
		(sorted[mid - 1] + sorted[mid]) / 2.0
	} else {
		sorted[mid]
	}
}

/// `--name value` from the command line (cargo bench also passes `--bench`, which is ignored).
fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
	args.windows(2).find(|w| w[0] == name).map(|w| w[1].as_str())
}
