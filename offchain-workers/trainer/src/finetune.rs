//! A fine-tune job end to end: verified rows → examples → split → windows → LoRA/QLoRA training
//! → PEFT adapter directory and its hash; and the eval loss of an adapter on a row set.

use crate::checkpoint::{Checkpointing, LoopState};
use crate::data::{
	batch, load_rows, pack_examples, split_by_hash, DataOptions, DataReport, Loaded, SplitMix64,
	Window, IGNORE,
};
use crate::error::{Result, TrainerError};
use crate::optim::{AdamW, Schedule};
use crate::progress::ProgressEvent;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tch::{Device, Kind, Reduction, Tensor};
use tributary_model::hf::{load_model, load_tokenizer};
use tributary_model::peft::PeftAdapter;
use tributary_model::{Llama, LoraSpec};
use tributary_primitives::hex;
use tributary_primitives::training::{QuantFormat, TrainingMethod, TrainingSettings};
use tributary_primitives::ContentHash;
use tributary_store::ContentStore;

/// Global gradient-norm bound of every run.
pub const MAX_GRAD_NORM: f64 = 1.0;
/// AdamW weight decay of adapter training (PEFT/transformers' default is 0).
pub const LORA_WEIGHT_DECAY: f64 = 0.0;
/// Share of steps spent warming the learning rate up.
pub const WARMUP_FRACTION: f64 = 0.1;

pub struct FineTuneJob {
	/// HF checkpoint directory of the base model (config.json, model.safetensors, tokenizer.json).
	pub base_dir: PathBuf,
	/// Written as `base_model_name_or_path` in the adapter config.
	pub base_model_name: String,
	pub rows: Vec<ContentHash>,
	/// Its `packing`, `overflow` and `train_on_prompts` say how rows become windows; an eval
	/// reproducing this job's loss needs the same ([`DataOptions::from`] them).
	pub settings: TrainingSettings,
	/// Created by the run; must not exist yet (or be empty).
	pub output_dir: PathBuf,
	/// Where the run saves its state every few steps and resumes from when it was interrupted;
	/// removed once the adapter is written. `None`: an interrupted run starts over.
	pub checkpoint: Option<Checkpointing>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RunMetrics {
	pub eval_loss_before: f64,
	pub eval_loss_after: f64,
	pub perplexity_after: f64,
	pub steps: usize,
	/// Tokens the loss counts in one pass over the train windows.
	pub train_tokens_per_epoch: usize,
	/// Tokens (padding aside) run through the model per second of training.
	pub tokens_per_sec: f64,
	pub seconds: f64,
	/// Rows used and skipped, over both splits.
	pub data: DataReport,
}

#[derive(Clone, Debug)]
pub struct FineTuneOutcome {
	pub adapter_dir: PathBuf,
	pub adapter_hash: ContentHash,
	pub metrics: RunMetrics,
}

pub fn validate_settings(settings: &TrainingSettings) -> Result<()> {
	settings.validate().map_err(|e| TrainerError::InvalidSettings(e.to_string()))?;
	LoraSpec::from_settings(settings).validate()?;
	Ok(())
}

fn validate_eval_fraction(eval_fraction_ppm: u32) -> Result<()> {
	if eval_fraction_ppm == 0 || eval_fraction_ppm >= tributary_primitives::training::PPM {
		return Err(TrainerError::InvalidSettings(
			"eval fraction must be strictly between 0 and 1".into(),
		));
	}
	Ok(())
}

fn ensure_fresh_output(dir: &Path) -> Result<()> {
	if std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
		return Err(TrainerError::OutputExists(dir.to_path_buf()));
	}
	Ok(())
}

/// Mean next-token loss over the targets of `windows` the loss counts (labels not [`IGNORE`]),
/// and their number.
/// Next-token cross-entropy of `windows` as one padded batch, over their counted targets only
/// (masked prompts and padding weigh nothing), reduced by `reduction`.
fn batch_loss(
	model: &Llama,
	windows: &[&Window],
	train: bool,
	reduction: Reduction,
) -> Result<Tensor> {
	let (inputs, targets) = batch(windows, model.device());
	let logits = model.forward(&inputs, train)?;
	let vocab = logits.size()[2];
	Ok(logits.view([-1, vocab]).to_kind(Kind::Float).cross_entropy_loss(
		&targets.view([-1]),
		None::<Tensor>,
		reduction,
		IGNORE,
		0.0,
	))
}

pub fn eval_loss(model: &Llama, windows: &[Window], batch_size: usize) -> Result<(f64, usize)> {
	tch::no_grad(|| -> Result<(f64, usize)> {
		let (mut total, mut tokens) = (0.0, 0usize);
		for chunk in windows.chunks(batch_size.max(1)) {
			let refs: Vec<&Window> = chunk.iter().collect();
			total += f64::try_from(batch_loss(model, &refs, false, Reduction::Sum)?)?;
			tokens += chunk.iter().map(Window::targets).sum::<usize>();
		}
		Ok((total / tokens.max(1) as f64, tokens))
	})
}

/// What a training loop needs besides the model.
pub(crate) struct LoopPlan<'a> {
	pub parameters: Vec<Tensor>,
	pub weight_decay: f64,
	pub train: &'a [Window],
	pub eval: &'a [Window],
	pub batch_size: usize,
	pub epochs: usize,
	pub max_steps: usize,
	pub peak_lr: f64,
	pub seed: u64,
	/// Evaluate every this many steps (and always at the end).
	pub eval_every: usize,
	/// Stop once this many evaluations in a row have not lowered the eval loss, keeping the
	/// parameters of the best one (the start included); 0: train every planned step.
	pub patience: usize,
	/// Save the run's state every so many steps, and resume from it if it was saved before.
	pub checkpoint: Option<&'a Checkpointing>,
}

pub(crate) struct LoopResult {
	pub eval_loss_before: f64,
	pub eval_loss_after: f64,
	pub steps: usize,
	pub tokens_per_sec: f64,
}

/// torch's generator (dropout masks) is global to the process: runs hold this lock so a run's
/// draws are its own and the same seed replays the same adapter.
static TORCH_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Total optimizer steps of a plan.
pub(crate) fn planned_steps(
	windows: usize,
	batch_size: usize,
	epochs: usize,
	max_steps: usize,
) -> usize {
	let per_epoch = windows.div_ceil(batch_size);
	let by_epochs = if epochs == 0 { usize::MAX } else { per_epoch * epochs };
	if max_steps == 0 {
		by_epochs
	} else {
		by_epochs.min(max_steps)
	}
}

/// Seeded AdamW training with warmup + cosine, clipping and eval events. Batches are drawn from
/// the train windows in an order shuffled per epoch by a generator seeded with `seed`.
pub(crate) fn run_training(
	model: &Llama,
	plan: LoopPlan,
	on_event: &mut dyn FnMut(&ProgressEvent),
) -> Result<LoopResult> {
	let _rng_guard = TORCH_RNG.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
	let total_steps = planned_steps(plan.train.len(), plan.batch_size, plan.epochs, plan.max_steps);
	let schedule = Schedule {
		peak: plan.peak_lr,
		warmup: (total_steps as f64 * WARMUP_FRACTION) as usize,
		total: total_steps,
		floor: 0.1,
	};
	let trainable_parameters = plan.parameters.iter().map(|p| p.numel()).sum();
	let targets = |w: &[Window]| w.iter().map(Window::targets).sum::<usize>();
	on_event(&ProgressEvent::Started {
		total_steps,
		train_tokens: targets(plan.train),
		eval_tokens: targets(plan.eval),
		trainable_parameters,
	});
	let parameters: Vec<Tensor> = plan.parameters.iter().map(Tensor::shallow_clone).collect();
	let mut optimizer = AdamW::new(plan.parameters, plan.weight_decay)?;
	let eval = |step: usize, on_event: &mut dyn FnMut(&ProgressEvent)| -> Result<f64> {
		let (loss, _) = eval_loss(model, plan.eval, plan.batch_size)?;
		on_event(&ProgressEvent::Eval { step, loss, perplexity: loss.exp() });
		Ok(loss)
	};
	let saved = match plan.checkpoint {
		Some(checkpoint) => checkpoint.load(total_steps, parameters.len(), model.device())?,
		None => None,
	};
	let (mut state, mut best) = match saved {
		Some(saved) => {
			tch::no_grad(|| {
				for (parameter, value) in parameters.iter().zip(&saved.parameters) {
					parameter.shallow_clone().copy_(value);
				}
			});
			optimizer.restore(saved.state.optimizer_steps, saved.moments);
			let best = saved.state.best.map(|(step, loss)| Best { step, loss, values: saved.best });
			on_event(&ProgressEvent::Resumed { step: saved.state.step });
			(saved.state, best)
		},
		None => {
			let before = eval(0, &mut *on_event)?;
			let best = (plan.patience > 0).then(|| Best::of(&parameters, 0, before));
			let state = LoopState {
				step: 0,
				total_steps,
				rng: plan.seed,
				order: Vec::new(),
				optimizer_steps: 0,
				trained_tokens: 0,
				train_seconds: 0.0,
				eval_loss_before: before,
				eval_loss_after: before,
				best: None,
				tensors: String::new(),
			};
			(state, best)
		},
	};
	let mut steps = total_steps;
	for step in state.step..total_steps {
		// Dropout draws are a function of the seed and the step, so a resumed run draws the
		// same masks as an uninterrupted one.
		tch::manual_seed(SplitMix64(plan.seed ^ step as u64).next_u64() as i64);
		if state.order.is_empty() {
			state.order = (0..plan.train.len()).collect();
			let mut rng = SplitMix64(state.rng);
			rng.shuffle(&mut state.order);
			state.rng = rng.0;
			state.order.reverse();
		}
		let take = plan.batch_size.min(state.order.len());
		let drawn = state.order.split_off(state.order.len() - take);
		let picked: Vec<&Window> = drawn.iter().map(|&i| &plan.train[i]).collect();
		let started = Instant::now();
		let loss = batch_loss(model, &picked, true, Reduction::Mean)?;
		optimizer.zero_grad()?;
		loss.backward();
		let grad_norm = optimizer.clip_grad_norm(MAX_GRAD_NORM);
		let lr = schedule.lr(step);
		optimizer.step(lr)?;
		let loss = f64::try_from(&loss)?;
		state.train_seconds += started.elapsed().as_secs_f64();
		state.trained_tokens += picked.iter().map(|w| w.len() - 1).sum::<usize>();
		on_event(&ProgressEvent::Step {
			step: step + 1,
			total_steps,
			loss,
			lr,
			grad_norm,
			tokens_per_sec: state.trained_tokens as f64 / state.train_seconds.max(1e-9),
		});
		if (step + 1) % plan.eval_every.max(1) == 0 || step + 1 == total_steps {
			state.eval_loss_after = eval(step + 1, &mut *on_event)?;
			if let Some(best) = best.as_mut() {
				if state.eval_loss_after < best.loss {
					*best = Best::of(&parameters, step + 1, state.eval_loss_after);
				} else if (step + 1 - best.step) / plan.eval_every.max(1) >= plan.patience
					|| step + 1 == total_steps
				{
					// Stopped by patience or by the plan's end: the best evaluated parameters
					// are the run's result.
					best.restore(&parameters);
					state.eval_loss_after = best.loss;
					if step + 1 < total_steps {
						steps = step + 1;
						on_event(&ProgressEvent::EarlyStop {
							step: step + 1,
							best_step: best.step,
							best_loss: best.loss,
						});
						break;
					}
				}
			}
		}
		if let Some(checkpoint) = plan.checkpoint {
			if (step + 1) % checkpoint.every_steps.max(1) == 0 && step + 1 < total_steps {
				state.step = step + 1;
				let (optimizer_steps, moments) = optimizer.state();
				state.optimizer_steps = optimizer_steps;
				state.best = best.as_ref().map(|best| (best.step, best.loss));
				let best_values = best.as_ref().map_or(&[][..], |best| &best.values[..]);
				checkpoint.save(state.clone(), &parameters, moments, best_values)?;
			}
		}
	}
	Ok(LoopResult {
		eval_loss_before: state.eval_loss_before,
		eval_loss_after: state.eval_loss_after,
		steps,
		tokens_per_sec: state.trained_tokens as f64 / state.train_seconds.max(1e-9),
	})
}

/// The parameters at the lowest eval loss so far, for early stopping.
struct Best {
	step: usize,
	loss: f64,
	values: Vec<Tensor>,
}

impl Best {
	fn of(parameters: &[Tensor], step: usize, loss: f64) -> Best {
		let values = tch::no_grad(|| parameters.iter().map(|p| p.detach().copy()).collect());
		Best { step, loss, values }
	}

	fn restore(&self, parameters: &[Tensor]) {
		tch::no_grad(|| {
			for (parameter, value) in parameters.iter().zip(&self.values) {
				parameter.shallow_clone().copy_(value);
			}
		});
	}
}

/// The storage format a job's method trains over: QLoRA's quantized base, or fp32 for LoRA.
pub fn base_quant(method: TrainingMethod) -> Option<QuantFormat> {
	match method {
		TrainingMethod::Lora => None,
		TrainingMethod::QLora(format) => Some(format),
	}
}

/// The base model in fp32, its decoder projections then stored in `quant` if given. Training and
/// evaluation both load through here, so an eval with the job's format sees the same weights.
fn load_base(dir: &Path, quant: Option<QuantFormat>, device: Device) -> Result<Llama> {
	let mut model = load_model(dir, Kind::Float, device)?;
	if let Some(format) = quant {
		model.quantize(format);
	}
	Ok(model)
}

/// Runs a fine-tune job. Everything is checked (settings, every row's hash, the base model) and
/// the adapter trained before anything is written; the adapter directory appears only complete.
pub fn fine_tune(
	job: &FineTuneJob,
	store: &dyn ContentStore,
	device: Device,
	on_event: &mut dyn FnMut(&ProgressEvent),
) -> Result<FineTuneOutcome> {
	let started = Instant::now();
	let settings = &job.settings;
	validate_settings(settings)?;
	ensure_fresh_output(&job.output_dir)?;
	let Loaded { examples, mut report } = load_rows(store, &job.rows, &job.base_dir)?;
	let split = split_by_hash(examples, settings.eval_fraction())?;
	let tokenizer = load_tokenizer(&job.base_dir)?;
	let seq = settings.sequence_length as usize;
	let data = DataOptions::from(settings);
	let train = pack_examples(&tokenizer, &split.train, &data, seq, "train")?;
	let eval = pack_examples(&tokenizer, &split.eval, &data, seq, "eval")?;
	report.packed(&train);
	report.packed(&eval);
	on_event(&ProgressEvent::Data(report));
	let (train, eval) = (train.windows, eval.windows);

	let mut model = load_base(&job.base_dir, base_quant(settings.method), device)?;
	model.add_lora(&LoraSpec::from_settings(settings), settings.seed)?;
	let plan = LoopPlan {
		parameters: model.lora_parameters(),
		weight_decay: LORA_WEIGHT_DECAY,
		train: &train,
		eval: &eval,
		batch_size: settings.batch_size as usize,
		epochs: settings.epochs as usize,
		max_steps: settings.max_steps as usize,
		peak_lr: settings.learning_rate(),
		seed: settings.seed,
		eval_every: match settings.eval_every_steps {
			0 => usize::MAX,
			every => every as usize,
		},
		patience: settings.early_stopping_patience as usize,
		checkpoint: job.checkpoint.as_ref(),
	};
	let result = run_training(&model, plan, on_event)?;

	let adapter = PeftAdapter::from_model(&model, &job.base_model_name)?;
	let partial = job.output_dir.with_extension("partial");
	let _ = std::fs::remove_dir_all(&partial);
	let adapter_hash = adapter.save(&partial)?;
	if job.output_dir.exists() {
		std::fs::remove_dir(&job.output_dir).map_err(TrainerError::io(&job.output_dir))?;
	}
	std::fs::rename(&partial, &job.output_dir).map_err(TrainerError::io(&job.output_dir))?;
	if let Some(checkpoint) = &job.checkpoint {
		checkpoint.clear()?;
	}
	let seconds = started.elapsed().as_secs_f64();
	on_event(&ProgressEvent::Finished {
		output: job.output_dir.display().to_string(),
		hash: hex::encode(&adapter_hash),
		seconds,
	});
	Ok(FineTuneOutcome {
		adapter_dir: job.output_dir.clone(),
		adapter_hash,
		metrics: RunMetrics {
			eval_loss_before: result.eval_loss_before,
			eval_loss_after: result.eval_loss_after,
			perplexity_after: result.eval_loss_after.exp(),
			steps: result.steps,
			train_tokens_per_epoch: train.iter().map(Window::targets).sum(),
			tokens_per_sec: result.tokens_per_sec,
			seconds,
			data: report,
		},
	})
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EvalReport {
	/// Hex content hash of the adapter evaluated, if any.
	pub adapter_hash: Option<String>,
	/// Rows scored.
	pub rows: usize,
	/// Tokens the loss counted.
	pub tokens: usize,
	/// Mean loss of the evaluated model (the base with the adapter, if any) on the rows.
	pub loss: f64,
	pub perplexity: f64,
	/// Mean loss of the base model alone on the same rows and windows (`loss` when no adapter
	/// was given): verifiers report it so the chain can check the adapter beat the base.
	pub base_loss: f64,
	/// What became of the rows read (for a held-out split, all the job's rows) and of the rows
	/// scored when packed.
	pub data: DataReport,
}

/// Which rows an evaluation scores. Either way every row is read through the store (hash
/// checked) and skipped or kept as [`load_rows`] decides, and the rows scored are packed in hash
/// order as a job's eval split is.
#[derive(Clone, Copy, Debug)]
pub enum EvalRows<'a> {
	/// Every listed row.
	Exactly(&'a [ContentHash]),
	/// The held-out split a fine-tune job over `rows` with this `eval_fraction_ppm` (the job's
	/// on-chain setting) trained against, whatever order the rows are listed in: what a verifier
	/// scores to recompute the eval loss a trainer reported.
	HeldOutOf { rows: &'a [ContentHash], eval_fraction_ppm: u32 },
}

impl EvalRows<'_> {
	/// The rows to score, and the report of all rows read; `template_dir` is the base's.
	fn load(&self, store: &dyn ContentStore, template_dir: &Path) -> Result<Loaded> {
		match *self {
			EvalRows::Exactly(rows) => load_rows(store, rows, template_dir),
			EvalRows::HeldOutOf { rows, eval_fraction_ppm } => {
				validate_eval_fraction(eval_fraction_ppm)?;
				// The fraction fine_tune splits with, converted from ppm the same way.
				let settings =
					TrainingSettings { eval_fraction_ppm, ..TrainingSettings::default() };
				let Loaded { examples, report } = load_rows(store, rows, template_dir)?;
				let eval = split_by_hash(examples, settings.eval_fraction())?.eval;
				Ok(Loaded { examples: eval, report })
			},
		}
	}
}

/// What to evaluate: the base model, or the base plus an adapter, on `rows`.
pub struct EvalRequest<'a> {
	pub base_dir: &'a Path,
	pub adapter_dir: Option<&'a Path>,
	/// When given, the adapter's canonical bytes must hash to it.
	pub expected_adapter_hash: Option<ContentHash>,
	pub rows: EvalRows<'a>,
	/// The storage format of the base's decoder projections, as the job trained over them
	/// (`base_quant(settings.method)`): a QLoRA adapter's reported eval loss was measured over
	/// the quantized base, and the fp32 base scores it differently by the quantization error.
	pub base_quant: Option<QuantFormat>,
	/// To reproduce a job's reported eval loss, use the job's sequence length and batch size.
	pub sequence_length: usize,
	pub batch_size: usize,
	/// The job's, `DataOptions::from(&settings)`.
	pub data: DataOptions,
}

/// The eval loss of a model on a row set (verifiers recompute a reported metric with this).
pub fn evaluate(
	request: &EvalRequest,
	store: &dyn ContentStore,
	device: Device,
) -> Result<EvalReport> {
	let Loaded { examples, mut report } = request.rows.load(store, request.base_dir)?;
	let tokenizer = load_tokenizer(request.base_dir)?;
	let packed =
		pack_examples(&tokenizer, &examples, &request.data, request.sequence_length, "eval")?;
	report.packed(&packed);
	let windows = packed.windows;
	let mut model = load_base(request.base_dir, request.base_quant, device)?;
	let mut adapter_hash = None;
	let mut base_loss = None;
	if let Some(dir) = request.adapter_dir {
		let adapter = PeftAdapter::load(dir)?;
		let hash = adapter.content_hash()?;
		if let Some(expected) = request.expected_adapter_hash {
			if expected != hash {
				return Err(TrainerError::AdapterHashMismatch {
					expected: hex::encode(&expected),
					actual: hex::encode(&hash),
				});
			}
		}
		// The same windows through the base alone, before the adapter is applied.
		base_loss = Some(eval_loss(&model, &windows, request.batch_size)?.0);
		adapter.apply_to(&mut model, dir)?;
		adapter_hash = Some(hex::encode(&hash));
	}
	let (loss, tokens) = eval_loss(&model, &windows, request.batch_size)?;
	Ok(EvalReport {
		adapter_hash,
		rows: examples.len(),
		tokens,
		loss,
		perplexity: loss.exp(),
		base_loss: base_loss.unwrap_or(loss),
		data: report,
	})
}
