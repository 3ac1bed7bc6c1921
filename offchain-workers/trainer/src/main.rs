//! `tributary-trainer`: pretrain a tiny base model, import text rows, fine-tune LoRA/QLoRA
//! adapters, evaluate them, and sample from a model, with a live progress bar and a metrics JSONL.

use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use tributary_model::generate::{generate, Sampling};
use tributary_model::hf::eos_token;
use tributary_model::hf::{load_model, load_tokenizer};
use tributary_model::peft::PeftAdapter;
use tributary_model::{DeviceChoice, DeviceInfo};
use tributary_primitives::hex;
use tributary_primitives::training::{
	QuantFormat, TargetModule, TargetModules, TrainingMethod, TrainingSettings, PPB, PPM,
};
use tributary_store::{parse as parse_hash, DirStore};
use tributary_trainer::checkpoint::Checkpointing;
use tributary_trainer::data::{DataOptions, DataReport, Overflow, Packing};
use tributary_trainer::finetune::{
	base_quant, evaluate, fine_tune, EvalRequest, EvalRows, FineTuneJob,
};
use tributary_trainer::pretrain::{collect_paragraphs, pretrain, PretrainOptions};
use tributary_trainer::progress::{JsonlWriter, ProgressEvent};

#[derive(Parser)]
#[command(version, about = "Tributary ModelFactory trainer")]
struct Cli {
	/// Where to train: auto (the first GPU if any, else the CPU), cpu, cuda or cuda:N; a GPU
	/// asked for and not found is an error.
	#[arg(long, global = true, default_value_t = DeviceChoice::Auto)]
	device: DeviceChoice,
	#[command(subcommand)]
	command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Method {
	Lora,
	QloraNf4,
	QloraInt8,
}

impl From<Method> for TrainingMethod {
	fn from(method: Method) -> TrainingMethod {
		match method {
			Method::Lora => TrainingMethod::Lora,
			Method::QloraNf4 => TrainingMethod::QLora(QuantFormat::Nf4),
			Method::QloraInt8 => TrainingMethod::QLora(QuantFormat::Int8),
		}
	}
}

/// How rows become windows; `eval` must be given what `train` was to reproduce its eval loss.
#[derive(Args)]
struct DataArgs {
	/// auto (per row when any row is an instruction or chat row, else one stream), stream or
	/// per_row.
	#[arg(long, default_value = "auto", value_parser = packing_named)]
	packing: Packing,
	/// What a row longer than --seq-len becomes when packed per row: truncate or window.
	#[arg(long, default_value = "truncate", value_parser = overflow_named)]
	overflow: Overflow,
	/// Train on instruction and chat rows' prompts too, not only on their replies.
	#[arg(long)]
	train_on_prompts: bool,
}

impl From<DataArgs> for DataOptions {
	fn from(args: DataArgs) -> DataOptions {
		DataOptions {
			packing: args.packing,
			overflow: args.overflow,
			mask_prompts: !args.train_on_prompts,
		}
	}
}

fn packing_named(name: &str) -> Result<Packing, String> {
	Packing::from_name(name).ok_or_else(|| {
		let names: Vec<_> = Packing::ALL.iter().map(|packing| packing.name()).collect();
		format!("expected one of {}", names.join(", "))
	})
}

fn overflow_named(name: &str) -> Result<Overflow, String> {
	Overflow::from_name(name).ok_or_else(|| {
		let names: Vec<_> = Overflow::ALL.iter().map(|overflow| overflow.name()).collect();
		format!("expected one of {}", names.join(", "))
	})
}

/// One line on what became of the rows.
fn describe(report: &DataReport) -> String {
	format!(
		"{} of {} rows used ({} plain, {} instruction, {} chat); skipped {} not UTF-8, {} empty, {} duplicate, {} unrenderable, {} cut off; {} longer than the sequence",
		report.rows,
		report.listed,
		report.plain,
		report.instruction,
		report.chat,
		report.not_text,
		report.empty,
		report.duplicates,
		report.unrenderable,
		report.cut_off,
		report.overlong,
	)
}

#[derive(Subcommand)]
enum Command {
	/// Train a BPE tokenizer and a tiny Llama base model from local text; save an HF directory.
	Pretrain {
		#[arg(long)]
		out: PathBuf,
		/// Text files or directories (default: /usr/share/common-licenses).
		#[arg(long = "source")]
		sources: Vec<PathBuf>,
		#[arg(long, default_value_t = PretrainOptions::default().steps)]
		steps: usize,
		#[arg(long, default_value_t = PretrainOptions::default().vocab_size)]
		vocab_size: usize,
		#[arg(long, default_value_t = PretrainOptions::default().hidden_size)]
		hidden: i64,
		#[arg(long, default_value_t = PretrainOptions::default().layers)]
		layers: i64,
		#[arg(long, default_value_t = PretrainOptions::default().sequence_length)]
		seq_len: usize,
		#[arg(long, default_value_t = PretrainOptions::default().batch_size)]
		batch_size: usize,
		#[arg(long, default_value_t = PretrainOptions::default().learning_rate)]
		lr: f64,
		#[arg(long, default_value_t = 0)]
		seed: u64,
		#[arg(long)]
		metrics: Option<PathBuf>,
	},
	/// Put the paragraphs of text files into a content store; write their hashes, one per line.
	Import {
		#[arg(long)]
		store: PathBuf,
		/// File receiving the row hashes.
		#[arg(long)]
		rows: PathBuf,
		#[arg(long, default_value_t = 1 << 20)]
		max_bytes: usize,
		paths: Vec<PathBuf>,
	},
	/// Fine-tune a LoRA/QLoRA adapter on rows of a content store; writes a PEFT adapter directory.
	Train {
		#[arg(long)]
		base: PathBuf,
		/// Name recorded as base_model_name_or_path (default: the base directory).
		#[arg(long)]
		base_name: Option<String>,
		#[arg(long)]
		store: PathBuf,
		/// File of row hashes, one hex hash per line.
		#[arg(long)]
		rows: PathBuf,
		#[arg(long)]
		out: PathBuf,
		#[arg(long, value_enum, default_value_t = Method::Lora)]
		method: Method,
		#[arg(long, default_value_t = 8)]
		rank: u32,
		#[arg(long, default_value_t = 16)]
		alpha: u32,
		#[arg(long, default_value_t = 0.05)]
		dropout: f64,
		/// Comma-separated HF module names, e.g. q_proj,v_proj (default: all seven).
		#[arg(long)]
		targets: Option<String>,
		#[arg(long, default_value_t = 2e-3)]
		lr: f64,
		#[arg(long, default_value_t = 8)]
		batch_size: u32,
		#[arg(long, default_value_t = 128)]
		seq_len: u32,
		#[arg(long, default_value_t = 1)]
		epochs: u32,
		#[arg(long, default_value_t = 0)]
		max_steps: u32,
		#[arg(long, default_value_t = 0)]
		seed: u64,
		#[arg(long, default_value_t = 0.1)]
		eval_fraction: f64,
		/// Scale the update by alpha / √rank (rsLoRA) instead of alpha / rank.
		#[arg(long)]
		rslora: bool,
		/// Learn each output row's magnitude apart from its direction (DoRA).
		#[arg(long)]
		dora: bool,
		/// Evaluate on the held-out rows every this many steps (0: only before and after).
		#[arg(long, default_value_t = 0)]
		eval_every: u32,
		/// Stop after this many evaluations without a lower held-out loss, keeping the best
		/// adapter (0: never; needs --eval-every).
		#[arg(long, default_value_t = 0)]
		patience: u32,
		/// Save the run's state every this many steps in OUT.checkpoint, and resume from it when
		/// the same command runs again after an interruption (0: no checkpoints).
		#[arg(long, default_value_t = 0)]
		checkpoint_every: usize,
		#[command(flatten)]
		data: DataArgs,
		#[arg(long)]
		metrics: Option<PathBuf>,
	},
	/// Eval loss of the base model, or base + adapter, on a row set (or on its held-out split).
	Eval {
		#[arg(long)]
		base: PathBuf,
		#[arg(long)]
		adapter: Option<PathBuf>,
		/// Refuse the adapter unless its content hash is this.
		#[arg(long)]
		expect_hash: Option<String>,
		#[arg(long)]
		store: PathBuf,
		#[arg(long)]
		rows: PathBuf,
		/// Score only the rows a `train` run over --rows with --eval-fraction held out (a
		/// verifier recomputing a job's eval loss; use the job's --seq-len and --batch-size too).
		#[arg(long, requires = "eval_fraction")]
		held_out_of_job_rows: bool,
		/// The job's eval fraction, as given to `train`.
		#[arg(long, requires = "held_out_of_job_rows")]
		eval_fraction: Option<f64>,
		/// The job's --method: qlora-nf4 / qlora-int8 score over the base quantized as `train`
		/// trained over it, which a QLoRA adapter's reported eval loss was measured on.
		#[arg(long, value_enum, default_value_t = Method::Lora)]
		method: Method,
		#[arg(long, default_value_t = 128)]
		seq_len: usize,
		#[arg(long, default_value_t = 8)]
		batch_size: usize,
		#[command(flatten)]
		data: DataArgs,
	},
	/// Continue a prompt with the base model, or base + adapter.
	Generate {
		#[arg(long)]
		base: PathBuf,
		#[arg(long)]
		adapter: Option<PathBuf>,
		#[arg(long)]
		prompt: String,
		#[arg(long, default_value_t = 40)]
		max_new_tokens: usize,
		/// Sample at this temperature instead of greedy decoding.
		#[arg(long)]
		temperature: Option<f64>,
		#[arg(long, default_value_t = 0)]
		seed: u64,
	},
}

type CliResult = Result<(), Box<dyn std::error::Error>>;

/// A progress bar plus optional JSONL file, fed by the run's events.
struct Reporter {
	bar: ProgressBar,
	metrics: Option<JsonlWriter>,
}

impl Reporter {
	fn new(metrics: Option<&Path>) -> std::io::Result<Reporter> {
		let bar = ProgressBar::new(0);
		bar.set_style(
			ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} steps {msg}")
				.expect("template is valid")
				.progress_chars("=> "),
		);
		Ok(Reporter { bar, metrics: metrics.map(JsonlWriter::create).transpose()? })
	}

	fn on_event(&mut self, event: &ProgressEvent) {
		match event {
			ProgressEvent::Started {
				total_steps,
				train_tokens,
				eval_tokens,
				trainable_parameters,
			} => {
				self.bar.set_length(*total_steps as u64);
				self.bar.println(format!(
					"training {trainable_parameters} parameters on {train_tokens} tokens, eval on {eval_tokens}"
				));
			},
			ProgressEvent::Step { step, loss, lr, tokens_per_sec, .. } => {
				self.bar.set_position(*step as u64);
				self.bar
					.set_message(format!("loss {loss:.3} lr {lr:.2e} {tokens_per_sec:.0} tok/s"));
			},
			ProgressEvent::Eval { step, loss, perplexity } => {
				self.bar.println(format!(
					"step {step}: eval loss {loss:.4}, perplexity {perplexity:.2}"
				));
			},
			ProgressEvent::Resumed { step } => {
				self.bar.set_position(*step as u64);
				self.bar.println(format!("resumed from the checkpoint after step {step}"));
			},
			ProgressEvent::EarlyStop { step, best_step, best_loss } => {
				self.bar.println(format!(
					"stopped early at step {step}: no lower eval loss since step {best_step} \
					 ({best_loss:.4}), whose adapter is kept"
				));
			},
			ProgressEvent::Data(report) => self.bar.println(describe(report)),
			ProgressEvent::Finished { .. } => self.bar.finish(),
		}
		if let Some(metrics) = &mut self.metrics {
			if let Err(e) = metrics.write(event) {
				self.bar.println(format!("warning: cannot write metrics: {e}"));
			}
		}
	}
}

fn read_rows(path: &Path) -> Result<Vec<[u8; 32]>, Box<dyn std::error::Error>> {
	let text = std::fs::read_to_string(path)
		.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
	Ok(text
		.lines()
		.filter(|l| !l.trim().is_empty())
		.map(parse_hash)
		.collect::<Result<_, _>>()?)
}

/// A fraction as the chain stores it; `train` and `eval` convert alike so they split alike.
fn eval_fraction_ppm(fraction: f64) -> u32 {
	(fraction * PPM as f64).round() as u32
}

fn parse_targets(targets: Option<&str>) -> Result<TargetModules, String> {
	let Some(list) = targets else { return Ok(TargetModules::ALL) };
	list.split(',').try_fold(TargetModules::default(), |set, name| {
		TargetModule::from_hf_name(name.trim())
			.map(|m| set.with(m))
			.ok_or_else(|| format!("unknown target module {name:?}; use q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj"))
	})
}

fn run(cli: Cli) -> CliResult {
	let device = cli.device.resolve()?;
	eprintln!("tributary-trainer: running on {}", DeviceInfo::of(device));
	match cli.command {
		Command::Pretrain {
			out,
			sources,
			steps,
			vocab_size,
			hidden,
			layers,
			seq_len,
			batch_size,
			lr,
			seed,
			metrics,
		} => {
			let defaults = PretrainOptions::default();
			let options = PretrainOptions {
				sources: if sources.is_empty() { defaults.sources.clone() } else { sources },
				steps,
				vocab_size,
				hidden_size: hidden,
				layers,
				sequence_length: seq_len,
				batch_size,
				learning_rate: lr,
				seed,
				..defaults
			};
			let mut reporter = Reporter::new(metrics.as_deref())?;
			let outcome = pretrain(&options, &out, device, &mut |e| reporter.on_event(e))?;
			println!("{}", serde_json::to_string_pretty(&outcome)?);
		},
		Command::Import { store, rows, max_bytes, paths } => {
			let store = DirStore::new(store);
			let paragraphs = collect_paragraphs(&paths, max_bytes)?;
			let mut lines = String::new();
			for row in &paragraphs {
				lines.push_str(&hex::encode(&store.put(row.text.as_bytes())?));
				lines.push('\n');
			}
			std::fs::write(&rows, lines)
				.map_err(|e| format!("cannot write {}: {e}", rows.display()))?;
			println!("imported {} rows into {}", paragraphs.len(), store.root().display());
		},
		Command::Train {
			base,
			base_name,
			store,
			rows,
			out,
			method,
			rank,
			alpha,
			dropout,
			targets,
			lr,
			batch_size,
			seq_len,
			epochs,
			max_steps,
			seed,
			eval_fraction,
			rslora,
			dora,
			eval_every,
			patience,
			checkpoint_every,
			data,
			metrics,
		} => {
			let settings = TrainingSettings {
				method: method.into(),
				rank,
				alpha,
				dropout_ppm: (dropout * PPM as f64).round() as u32,
				target_modules: parse_targets(targets.as_deref())?,
				learning_rate_ppb: (lr * PPB as f64).round() as u64,
				batch_size,
				sequence_length: seq_len,
				epochs,
				max_steps,
				seed,
				eval_fraction_ppm: eval_fraction_ppm(eval_fraction),
				use_rslora: rslora,
				use_dora: dora,
				eval_every_steps: eval_every,
				early_stopping_patience: patience,
				packing: data.packing,
				overflow: data.overflow,
				train_on_prompts: data.train_on_prompts,
			};
			let job = FineTuneJob {
				base_model_name: base_name.unwrap_or_else(|| base.display().to_string()),
				base_dir: base,
				rows: read_rows(&rows)?,
				settings,
				checkpoint: (checkpoint_every > 0).then(|| Checkpointing {
					dir: out.with_extension("checkpoint"),
					every_steps: checkpoint_every,
				}),
				output_dir: out,
			};
			let mut reporter = Reporter::new(metrics.as_deref())?;
			let outcome =
				fine_tune(&job, &DirStore::new(store), device, &mut |e| reporter.on_event(e))?;
			let summary = serde_json::json!({
				"adapter_dir": outcome.adapter_dir,
				"adapter_hash": hex::encode(&outcome.adapter_hash),
				"metrics": outcome.metrics,
			});
			println!("{}", serde_json::to_string_pretty(&summary)?);
		},
		Command::Eval {
			base,
			adapter,
			expect_hash,
			store,
			rows,
			held_out_of_job_rows,
			eval_fraction,
			method,
			seq_len,
			batch_size,
			data,
		} => {
			let rows = read_rows(&rows)?;
			let request = EvalRequest {
				base_dir: &base,
				adapter_dir: adapter.as_deref(),
				expected_adapter_hash: expect_hash.as_deref().map(parse_hash).transpose()?,
				rows: match eval_fraction.filter(|_| held_out_of_job_rows) {
					Some(fraction) => EvalRows::HeldOutOf {
						rows: &rows,
						eval_fraction_ppm: eval_fraction_ppm(fraction),
					},
					None => EvalRows::Exactly(&rows),
				},
				base_quant: base_quant(method.into()),
				sequence_length: seq_len,
				batch_size,
				data: data.into(),
			};
			let report = evaluate(&request, &DirStore::new(store), device)?;
			println!("{}", serde_json::to_string_pretty(&report)?);
		},
		Command::Generate { base, adapter, prompt, max_new_tokens, temperature, seed } => {
			let tokenizer = load_tokenizer(&base)?;
			let mut model = load_model(&base, tch::Kind::Float, device)?;
			if let Some(dir) = adapter {
				PeftAdapter::load(&dir)?.apply_to(&mut model, &dir)?;
			}
			let ids = tokenizer
				.encode(prompt.as_str(), false)
				.map_err(|e| e.to_string())?
				.get_ids()
				.to_vec();
			let sampling = match temperature {
				Some(temperature) => Sampling::Temperature { temperature, top_k: Some(50), seed },
				None => Sampling::Greedy,
			};
			let stop: Vec<u32> = eos_token(&tokenizer).into_iter().collect();
			let new = generate(&model, &ids, max_new_tokens, &sampling, &stop)?;
			let text = tokenizer.decode(&new, true).map_err(|e| e.to_string())?;
			println!("{prompt}{text}");
		},
	}
	Ok(())
}

fn main() {
	if let Err(e) = run(Cli::parse()) {
		eprintln!("error: {e}");
		std::process::exit(1);
	}
}
