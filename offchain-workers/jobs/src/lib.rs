//! Train and eval jobs for the chain's off-chain workers.
//!
//! Each job is a JSON file `<data_dir>/jobs/<id>.json`, rewritten durably at every state change
//! (a file that does not parse is quarantined at start-up), so a job survives crashes and is
//! never run twice while its record is kept (finished records expire after a TTL,
//! [`Jobs::expire_finished`]):
//! - a second `POST` with the same id returns the existing job (409 if its spec differs);
//! - on start, queued jobs are queued again; an eval that was running runs again (it writes
//!   nothing); a train job that was running is completed from its adapter if the trainer had
//!   already written it (the trainer renames the finished directory into place atomically), and
//!   otherwise marked failed — never retrained under the same id.
//!
//! Jobs run one at a time on their own thread, next to (not inside) the inference engine.
//!
//! Assembling a job's rows checks each named row's bytes against its declared `byte_len` and
//! books the rows that are wrong or that no store serves ([`row_reports`]), for the chain; rows
//! the chain hands over as they are contributed are checked for quality and near-duplicates
//! ([`row_checks`]) on a thread of their own.

pub mod book;
pub mod influence;
pub mod perplexity;
pub mod row_checks;
pub mod row_quality;
pub mod row_reports;
pub mod spec;

use crate::influence::InfluenceSetup;
use book::BookError;
use influence::InfluenceError;
use row_reports::{RowProblem, RowReport, RowReports};
use spec::{EvalJob, JobRow, JobSpec, NamedRow, SpecError, TrainJob};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, SystemTime};
use tributary_engine::registry::{AdapterFacts, Member, Registry, RegistryError};
use tributary_model::peft::{AdapterConfig, ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE};
use tributary_primitives::ContentHash;
use tributary_receipts::ReceiptBook;
use tributary_sidecar_api::wire::Hash32;
use tributary_store::{Lookup, PeerFetcher, Store, StoreError};
use tributary_trainer::checkpoint::Checkpointing;
use tributary_trainer::data::{DataOptions, DataReport};
use tributary_trainer::finetune::{
	base_quant, evaluate, fine_tune, EvalRequest, EvalRows, FineTuneJob,
};
use tributary_trainer::progress::ProgressEvent;
use tributary_trainer::TrainerError;

/// Optimizer steps between a train job's checkpoints: what a restart can cost it.
pub const TRAIN_CHECKPOINT_EVERY_STEPS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
	#[error("job id {0:?} must be 1-128 characters of A-Z, a-z, 0-9, '-' and '_'")]
	BadId(String),
	#[error("job {0} exists with a different request; job ids are single-use")]
	Conflict(String),
	#[error("no job {0}")]
	NotFound(String),
	#[error("rows must name at least one row")]
	NoRows,
	#[error("invalid job: {0}")]
	Invalid(#[from] SpecError),
	#[error("job file {path}: {source}")]
	File { path: PathBuf, source: std::io::Error },
	#[error(transparent)]
	Book(#[from] BookError),
}

/// Why a job that ran failed (kept in its record's `error`).
#[derive(Debug, thiserror::Error)]
pub enum JobFailure {
	#[error(transparent)]
	Spec(#[from] SpecError),
	#[error(transparent)]
	Trainer(#[from] TrainerError),
	#[error(transparent)]
	Store(#[from] StoreError),
	#[error(transparent)]
	Registry(#[from] RegistryError),
	#[error(transparent)]
	Book(#[from] BookError),
	#[error("{path}: {source}")]
	Io { path: PathBuf, source: std::io::Error },
	#[error("the adapter config {path} does not parse: {source}")]
	AdapterConfig { path: PathBuf, source: serde_json::Error },
	#[error(
		"row {row}: {source}; its absence is not established, so the job is not run without it"
	)]
	RowUnproven { row: Hash32, source: StoreError },
	#[error("{} of {total} rows are in no store, neither this worker's nor any peer's: {}", .missing.len(), .missing.join(", "))]
	RowsMissing { missing: Vec<String>, total: usize },
	#[error("adapter {adapter} was trained and registered as {model}, but its influence sketch failed: {source}")]
	Sketch { adapter: Hash32, model: String, source: Box<InfluenceError> },
	#[error("model {0} is an ensemble; eval takes a single-adapter model")]
	Ensemble(String),
}

impl JobFailure {
	fn io(path: &Path) -> impl FnOnce(std::io::Error) -> JobFailure {
		let path = path.to_path_buf();
		move |source| JobFailure::Io { path, source }
	}
}

pub use tributary_sidecar_api::jobs::{
	EvalMetrics, JobMetrics, JobRecord, JobStatus, Progress, RowOutcomes, TrainMetrics,
};

/// Where jobs find the base model and put their results.
pub struct JobContext {
	pub base_dir: PathBuf,
	pub base_model_id: String,
	pub store: Store,
	pub registry: Arc<Registry>,
	pub influence: InfluenceSetup,
	/// Where jobs fetch the rows and adapters this store lacks.
	pub peers: PeerFetcher,
	/// The server's runtime, for peer fetches from the jobs thread.
	pub runtime: tokio::runtime::Handle,
	/// What the worker knows of its chain: the influence projection a sketch is built for.
	pub receipts: Arc<ReceiptBook>,
	/// Where training and evaluation run (in f32 whatever the serving dtype, so losses are
	/// reproducible).
	pub device: tch::Device,
}

impl JobContext {
	/// The bytes of `hash` from the local store, else from a peer (verified, then kept).
	fn fetch(&self, hash: &ContentHash) -> Result<Vec<u8>, StoreError> {
		let (bytes, _) = self.runtime.block_on(self.peers.get_or_fetch(&self.store, hash))?;
		Ok(bytes)
	}
}

pub struct Jobs {
	dir: PathBuf,
	/// Rows whose bytes a job (or a row check) found at odds with the chain.
	row_reports: Arc<RowReports>,
	/// Quality and near-duplicate checks of contributed rows.
	pub row_checks: Arc<row_checks::RowChecks>,
	records: Mutex<HashMap<String, JobRecord>>,
	/// When each finished job finished.
	finished: Mutex<HashMap<String, SystemTime>>,
	queue: Mutex<mpsc::Sender<String>>,
	/// False once the runner thread has ended (it ends only when the queue closes).
	runner_alive: std::sync::atomic::AtomicBool,
}

fn is_finished(status: JobStatus) -> bool {
	matches!(status, JobStatus::Succeeded | JobStatus::Failed)
}

/// The trainer's account of a job's rows, on the wire.
fn row_outcomes(report: &DataReport) -> RowOutcomes {
	RowOutcomes {
		listed: report.listed,
		rows: report.rows,
		plain: report.plain,
		instruction: report.instruction,
		chat: report.chat,
		not_text: report.not_text,
		empty: report.empty,
		duplicates: report.duplicates,
		unrenderable: report.unrenderable,
		overlong: report.overlong,
		cut_off: report.cut_off,
	}
}

fn valid_id(id: &str) -> bool {
	!id.is_empty()
		&& id.len() <= 128
		&& id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Jobs {
	/// Loads the jobs on disk, settles the ones a restart interrupted, and starts the runner.
	pub fn open(data_dir: &Path, context: JobContext) -> Result<Arc<Jobs>, JobError> {
		let dir = data_dir.join("jobs");
		let file_error = |path: &Path| {
			let path = path.to_path_buf();
			move |source| JobError::File { path, source }
		};
		std::fs::create_dir_all(&dir).map_err(file_error(&dir))?;
		tributary_durable::remove_partials(&dir).map_err(file_error(&dir))?;
		let mut records = HashMap::new();
		let mut finished = HashMap::new();
		for entry in std::fs::read_dir(&dir).map_err(file_error(&dir))? {
			let path = entry.map_err(file_error(&dir))?.path();
			if path.extension().is_none_or(|e| e != "json") {
				continue;
			}
			let text = std::fs::read_to_string(&path).map_err(file_error(&path))?;
			let record: JobRecord = match serde_json::from_str(&text) {
				Ok(record) => record,
				Err(error) => {
					let why = format!("not a job record: {error}");
					tributary_durable::quarantine(&path, &why).map_err(file_error(&path))?;
					continue;
				},
			};
			let id = record.spec.id().to_string();
			if is_finished(record.status) {
				// The record was last written when the job finished.
				let modified = std::fs::metadata(&path).and_then(|m| m.modified());
				finished.insert(id.clone(), modified.map_err(file_error(&path))?);
			}
			records.insert(id, record);
		}
		let (sender, receiver) = mpsc::channel();
		let row_reports = Arc::new(RowReports::open(data_dir)?);
		let row_checks = row_checks::RowChecks::open(
			data_dir,
			tributary_dedup::Params::DEFAULT,
			row_checks::RowSource {
				store: context.store.clone(),
				peers: context.peers.clone(),
				runtime: context.runtime.clone(),
				base_dir: Some(context.base_dir.clone()),
			},
			row_reports.clone(),
		)?;
		let jobs = Arc::new(Jobs {
			dir,
			row_reports,
			row_checks,
			records: Mutex::new(records),
			finished: Mutex::new(finished),
			queue: Mutex::new(sender),
			runner_alive: std::sync::atomic::AtomicBool::new(true),
		});
		let mut requeue = Vec::new();
		let snapshot: Vec<JobRecord> =
			jobs.records.lock().expect("jobs lock").values().cloned().collect();
		for record in snapshot {
			let id = record.spec.id().to_string();
			match (record.status, &record.spec) {
				(JobStatus::Queued, _) | (JobStatus::Running, JobSpec::Eval(_)) => requeue.push(id),
				(JobStatus::Running, JobSpec::Train(spec)) => {
					match jobs.adopt_written_adapter(spec, &context) {
						Ok((hash, model)) => {
							jobs.update(&id, |r| {
								r.status = JobStatus::Succeeded;
								r.result_hash = Some(hash);
								r.model = Some(model);
							})?;
						},
						// Interrupted before its adapter was complete: it resumes from its last
						// checkpoint (or its start), under the same id, and ends with the adapter
						// an uninterrupted run writes.
						Err(_) => {
							jobs.update(&id, |r| {
								r.status = JobStatus::Queued;
								r.resumed += 1;
							})?;
							requeue.push(id);
						},
					};
				},
				_ => {},
			}
		}
		let runner = jobs.clone();
		std::thread::Builder::new()
			.name("jobs".into())
			.spawn(move || {
				for id in receiver {
					// A panic fails its job, not the runner: the next job runs.
					let run = std::panic::AssertUnwindSafe(|| runner.run(&id, &context));
					if let Err(payload) = std::panic::catch_unwind(run) {
						let message = tributary_engine::panic_message(&*payload);
						let _ = runner.update(&id, |r| {
							r.status = JobStatus::Failed;
							r.error = Some(format!("the job panicked: {message}"));
						});
					}
				}
				runner.runner_alive.store(false, std::sync::atomic::Ordering::SeqCst);
			})
			.expect("the jobs thread starts");
		for id in requeue {
			let _ = jobs.queue.lock().expect("queue lock").send(id);
		}
		Ok(jobs)
	}

	fn path_of(&self, id: &str) -> PathBuf {
		self.dir.join(format!("{id}.json"))
	}

	fn work_dir(&self, id: &str) -> PathBuf {
		self.dir.join(id)
	}

	fn persist(&self, record: &JobRecord) -> Result<(), JobError> {
		let path = self.path_of(record.spec.id());
		let text = serde_json::to_string_pretty(record).expect("records always serialize");
		tributary_durable::write(&path, text.as_bytes())
			.map_err(|source| JobError::File { path, source })
	}

	fn update(&self, id: &str, change: impl FnOnce(&mut JobRecord)) -> Result<JobRecord, JobError> {
		let mut records = self.records.lock().expect("jobs lock");
		let record = records.get_mut(id).ok_or_else(|| JobError::NotFound(id.to_string()))?;
		change(record);
		self.persist(record)?;
		if is_finished(record.status) {
			self.finished
				.lock()
				.expect("finished lock")
				.insert(id.to_string(), SystemTime::now());
		}
		Ok(record.clone())
	}

	/// Deletes the records (and work directories) of jobs that finished longer than `ttl` ago;
	/// returns how many. Their results stay: adapters are in the store and the registry, and the
	/// chain has the outcome. A job id submitted again afterwards is a new job.
	pub fn expire_finished(&self, ttl: Duration) -> Result<usize, JobError> {
		let mut records = self.records.lock().expect("jobs lock");
		let mut finished = self.finished.lock().expect("finished lock");
		let now = SystemTime::now();
		let expired: Vec<String> = finished
			.iter()
			.filter(|(_, at)| now.duration_since(**at).is_ok_and(|age| age > ttl))
			.map(|(id, _)| id.clone())
			.collect();
		for id in &expired {
			let path = self.path_of(id);
			tributary_durable::remove(&path)
				.map_err(|source| JobError::File { path: path.clone(), source })?;
			let work_dir = self.work_dir(id);
			match std::fs::remove_dir_all(&work_dir) {
				Ok(()) => {},
				Err(e) if e.kind() == std::io::ErrorKind::NotFound => {},
				Err(source) => return Err(JobError::File { path: work_dir, source }),
			}
			records.remove(id);
			finished.remove(id);
		}
		Ok(expired.len())
	}

	/// Whether the thread that runs jobs is alive.
	pub fn runner_alive(&self) -> bool {
		self.runner_alive.load(std::sync::atomic::Ordering::SeqCst)
	}

	/// How many jobs are queued or running, and how many finished records are kept.
	pub fn counts(&self) -> (usize, usize) {
		let records = self.records.lock().expect("jobs lock");
		let finished = records.values().filter(|r| is_finished(r.status)).count();
		(records.len() - finished, finished)
	}

	/// Accepts a job (or returns the existing one with the same id and spec). `true` when new.
	pub fn submit(&self, spec: JobSpec) -> Result<(JobRecord, bool), JobError> {
		let id = spec.id().to_string();
		if !valid_id(&id) {
			return Err(JobError::BadId(id));
		}
		if spec.row_hashes().is_empty() {
			return Err(JobError::NoRows);
		}
		match &spec {
			JobSpec::Train(train) => {
				spec::trainable(&train.settings)?;
				spec::corpus(train)?;
			},
			JobSpec::Eval(eval) => spec::check_eval(eval)?,
		}
		let mut records = self.records.lock().expect("jobs lock");
		if let Some(existing) = records.get(&id) {
			if existing.spec == spec {
				return Ok((existing.clone(), false));
			}
			return Err(JobError::Conflict(id));
		}
		let record = JobRecord {
			spec,
			status: JobStatus::Queued,
			progress: Progress::default(),
			result_hash: None,
			model: None,
			metrics: None,
			error: None,
			runs: 0,
			resumed: 0,
		};
		self.persist(&record)?;
		records.insert(id.clone(), record.clone());
		drop(records);
		let _ = self.queue.lock().expect("queue lock").send(id);
		Ok((record, true))
	}

	pub fn get(&self, id: &str) -> Option<JobRecord> {
		self.records.lock().expect("jobs lock").get(id).cloned()
	}

	/// The rows jobs found at odds with the chain (`GET /rows/reports`).
	pub fn row_reports(&self) -> Vec<RowReport> {
		self.row_reports.list()
	}

	fn run(&self, id: &str, context: &JobContext) {
		let Ok(record) = self.update(id, |r| {
			r.status = JobStatus::Running;
			// A resumed train job continues its one run.
			if r.resumed == 0 {
				r.runs += 1;
			}
		}) else {
			return;
		};
		let outcome = match &record.spec {
			JobSpec::Train(spec) => self.train(spec, context),
			JobSpec::Eval(spec) => self.eval(spec, context),
		};
		let _ = self.update(id, |r| match outcome {
			Ok(done) => {
				r.status = JobStatus::Succeeded;
				r.result_hash = done.hash;
				r.model = done.model;
				r.metrics = Some(done.metrics);
			},
			Err(error) => {
				r.status = JobStatus::Failed;
				r.error = Some(error.to_string());
			},
		});
	}

	/// The content hashes of a job's rows, once each is in the local store (contributors upload
	/// rows to any worker; the rest come from peers). A named row whose bytes are not its declared
	/// `byte_len` long is booked as such and still used: its bytes hash to its content hash, so
	/// they are the row, and the lie is about its deposit. A row no store serves is booked too,
	/// and fails the job: training without it would not be the job the chain assigned.
	fn assemble(
		&self,
		rows: &[JobRow],
		context: &JobContext,
	) -> Result<Vec<ContentHash>, JobFailure> {
		let mut hashes = Vec::with_capacity(rows.len());
		let mut missing = Vec::new();
		for row in rows {
			let hash = row.hash().0;
			hashes.push(hash);
			let named = match row {
				JobRow::Named(named) => Some(named),
				JobRow::Hash(_) => None,
			};
			match context.runtime.block_on(context.peers.lookup(&context.store, &hash)) {
				Lookup::Found(bytes) => {
					let Some(named) = named else { continue };
					self.row_reports.fetched(named.datanet, named.row)?;
					let observed = bytes.len() as u64;
					if let Some(declared) = named.byte_len.filter(|declared| *declared != observed)
					{
						self.report(named, RowProblem::ByteLenMismatch { declared, observed })?;
					}
				},
				Lookup::Missing => {
					missing.push(match named {
						Some(named) => {
							self.report(named, RowProblem::Unfetchable)?;
							format!("datanet {} row {} ({})", named.datanet, named.row, named.hash)
						},
						None => row.hash().to_string(),
					});
				},
				Lookup::Unknown(source) => {
					return Err(JobFailure::RowUnproven { row: row.hash(), source })
				},
			}
		}
		if !missing.is_empty() {
			return Err(JobFailure::RowsMissing { missing, total: rows.len() });
		}
		Ok(hashes)
	}

	fn report(&self, row: &NamedRow, problem: RowProblem) -> Result<(), BookError> {
		let report = RowReport { datanet: row.datanet, row: row.row, hash: row.hash, problem };
		self.row_reports.record(report)
	}

	fn train(&self, spec: &TrainJob, context: &JobContext) -> Result<Done, JobFailure> {
		let settings = spec::trainable(&spec.settings)?;
		let rows = self.assemble(&spec.rows, context)?;
		let job = FineTuneJob {
			base_dir: context.base_dir.clone(),
			base_model_name: context.base_model_id.clone(),
			rows,
			settings,
			output_dir: self.work_dir(&spec.id).join("adapter"),
			checkpoint: Some(Checkpointing {
				dir: self.work_dir(&spec.id).join("checkpoint"),
				every_steps: TRAIN_CHECKPOINT_EVERY_STEPS,
			}),
		};
		let work_dir = self.work_dir(&spec.id);
		std::fs::create_dir_all(&work_dir).map_err(JobFailure::io(&work_dir))?;
		let mut last_step_loss = None;
		let mut on_event = |event: &ProgressEvent| {
			let progress = match event {
				ProgressEvent::Started { total_steps, .. } => {
					Progress { step: 0, total_steps: *total_steps, loss: None }
				},
				ProgressEvent::Resumed { step } => {
					let mut records = self.records.lock().expect("jobs lock");
					if let Some(record) = records.get_mut(&spec.id) {
						record.progress.step = *step;
					}
					return;
				},
				ProgressEvent::Step { step, total_steps, loss, .. } => {
					last_step_loss = Some(*loss);
					Progress { step: *step, total_steps: *total_steps, loss: Some(*loss) }
				},
				_ => return,
			};
			let mut records = self.records.lock().expect("jobs lock");
			if let Some(record) = records.get_mut(&spec.id) {
				record.progress = progress;
			}
		};
		let outcome = fine_tune(&job, &context.store, context.device, &mut on_event)?;
		let (hash, model) = self.adopt_written_adapter(spec, context)?;
		debug_assert_eq!(hash.0, outcome.adapter_hash);
		let weights = outcome.adapter_dir.join(ADAPTER_WEIGHTS_FILE);
		let adapter_bytes = std::fs::metadata(&weights).map_err(JobFailure::io(&weights))?.len();
		let run = &outcome.metrics;
		let mut metrics = TrainMetrics {
			eval_loss_before: run.eval_loss_before,
			eval_loss_after: run.eval_loss_after,
			perplexity_after: run.perplexity_after,
			steps: run.steps,
			train_tokens_per_epoch: run.train_tokens_per_epoch,
			tokens_per_sec: run.tokens_per_sec,
			seconds: run.seconds,
			train_loss: last_step_loss,
			adapter_bytes,
			influence_sketch: None,
			data: Some(row_outcomes(&run.data)),
		};
		if let Some(corpus) = spec::corpus(spec)? {
			// Sketched now, while the job owns the CPU, so the first influence request is fast.
			let config = context
				.registry
				.adapter_config(hash)
				.ok_or(RegistryError::UnknownAdapter(hash))?;
			let methods = context.receipts.methods();
			let prepared = context
				.influence
				.prepare(
					&context.store,
					&outcome.adapter_hash,
					&config,
					&corpus,
					&methods.influence,
				)
				.map_err(|source| JobFailure::Sketch {
					adapter: hash,
					model: model.clone(),
					source: Box::new(source),
				})?;
			metrics.influence_sketch = Some(Hash32(prepared.sketch.id()));
		}
		Ok(Done { hash: Some(hash), model: Some(model), metrics: JobMetrics::Train(metrics) })
	}

	/// Puts a finished adapter directory into the store and registers it, with its corpus when
	/// the job named its rows; (hex hash, model id).
	fn adopt_written_adapter(
		&self,
		spec: &TrainJob,
		context: &JobContext,
	) -> Result<(Hash32, String), JobFailure> {
		let dir = self.work_dir(&spec.id).join("adapter");
		let (weights_path, config_path) =
			(dir.join(ADAPTER_WEIGHTS_FILE), dir.join(ADAPTER_CONFIG_FILE));
		let weights = std::fs::read(&weights_path).map_err(JobFailure::io(&weights_path))?;
		let config_text =
			std::fs::read_to_string(&config_path).map_err(JobFailure::io(&config_path))?;
		let config: AdapterConfig = serde_json::from_str(&config_text)
			.map_err(|source| JobFailure::AdapterConfig { path: config_path, source })?;
		let hash = Hash32(context.store.put(&weights, None)?);
		let model = spec.register_as.clone().unwrap_or_else(|| hash.to_string());
		let corpus = spec::corpus(spec)?.unwrap_or_default();
		context.registry.register(
			&model,
			vec![Member { adapter: hash, weight: 1.0 }],
			vec![AdapterFacts { hash, config, corpus }],
			None,
		)?;
		Ok((hash, model))
	}

	fn eval(&self, spec: &EvalJob, context: &JobContext) -> Result<Done, JobFailure> {
		// A verifier may hold none of the job's rows yet: they come from peers like adapters do.
		let rows = self.assemble(&spec.rows, context)?;
		let settings = spec.settings.as_ref().map(spec::trainable).transpose()?;
		let adapter = match (spec.adapter, spec.model.as_deref()) {
			(Some(hash), _) => {
				let settings = spec.settings.as_ref().ok_or(SpecError::AdapterWithoutSettings)?;
				Some((hash, spec::adapter_config(settings, &context.base_model_id)?))
			},
			(None, None) => None,
			(None, Some(model)) if model == context.base_model_id => None,
			(None, Some(model)) => match context.registry.resolve(model)?.as_slice() {
				[(hash, config, weight)] if *weight == 1.0 => Some((*hash, config.clone())),
				_ => return Err(JobFailure::Ensemble(model.to_string())),
			},
		};
		let adapter_dir = self.work_dir(&spec.id).join("adapter");
		let expected = match &adapter {
			Some((hash, config)) => {
				let weights = context.fetch(&hash.0)?;
				std::fs::create_dir_all(&adapter_dir).map_err(JobFailure::io(&adapter_dir))?;
				let weights_path = adapter_dir.join(ADAPTER_WEIGHTS_FILE);
				std::fs::write(&weights_path, weights).map_err(JobFailure::io(&weights_path))?;
				let config = serde_json::to_string_pretty(config).expect("configs serialize");
				let config_path = adapter_dir.join(ADAPTER_CONFIG_FILE);
				std::fs::write(&config_path, config).map_err(JobFailure::io(&config_path))?;
				Some(hash.0)
			},
			None => None,
		};
		let request = EvalRequest {
			base_dir: &context.base_dir,
			adapter_dir: expected.map(|_| adapter_dir.as_path()),
			expected_adapter_hash: expected,
			rows: match &settings {
				Some(settings) if spec.held_out => EvalRows::HeldOutOf {
					rows: &rows,
					eval_fraction_ppm: settings.eval_fraction_ppm,
				},
				_ => EvalRows::Exactly(&rows),
			},
			// Without settings no training method is known: the base is scored in fp32.
			base_quant: settings.as_ref().and_then(|settings| base_quant(settings.method)),
			sequence_length: spec::eval_sequence_length(spec),
			batch_size: spec::eval_batch_size(spec),
			// Without settings (a model scored on rows, no job's split) the defaults.
			data: settings.as_ref().map(DataOptions::from).unwrap_or_default(),
		};
		let report = evaluate(&request, &context.store, context.device)?;
		let metrics = EvalMetrics {
			adapter_hash: expected.map(Hash32),
			rows: report.rows,
			tokens: report.tokens,
			eval_loss: report.loss,
			perplexity: report.perplexity,
			base_loss: report.base_loss,
			data: Some(row_outcomes(&report.data)),
		};
		Ok(Done {
			hash: metrics.adapter_hash,
			model: spec.model.clone(),
			metrics: JobMetrics::Eval(metrics),
		})
	}
}

struct Done {
	hash: Option<Hash32>,
	model: Option<String>,
	metrics: JobMetrics,
}
