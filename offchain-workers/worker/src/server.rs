//! Assembling a worker from its config: store, registry, model, engine, jobs, HTTP server.

use crate::api::attribution::AttributionQueue;
use crate::api::{router, AppState, AttributionSetup, Listener, RequestLimits};
use crate::config::Config;
use crate::tls::TlsListener;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tributary_engine::metrics::Metrics;
use tributary_engine::registry::{Registry, RegistryError};
use tributary_engine::{Engine, EngineParts, EngineSettings};
use tributary_jobs::influence::InfluenceSetup;
use tributary_jobs::{JobContext, JobError, Jobs};
use tributary_model::chat::ChatTemplate;
use tributary_model::hf::{
	load_model, load_tokenizer, TOKENIZER_FILE, WEIGHTS_FILE, WEIGHTS_INDEX_FILE,
};
use tributary_model::{DeviceError, DeviceInfo, ModelError, QuantFormat, ServingDtype};
use tributary_receipts::book::{ReceiptBook, ReceiptError};
use tributary_store::{PeerFetcher, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
	#[error("no base model configured")]
	NoBaseModel,
	#[error("cannot create data directory {0}: {1}")]
	DataDir(std::path::PathBuf, std::io::Error),
	#[error(transparent)]
	Store(#[from] StoreError),
	#[error(transparent)]
	Registry(#[from] RegistryError),
	#[error(transparent)]
	Jobs(#[from] JobError),
	#[error(transparent)]
	Receipts(#[from] ReceiptError),
	#[error(transparent)]
	Device(#[from] DeviceError),
	#[error("cannot load the base model: {0}")]
	Model(#[from] ModelError),
	#[error("cannot listen on {addr}: {source}")]
	Listen { addr: SocketAddr, source: std::io::Error },
	#[error(transparent)]
	Tls(#[from] crate::tls::TlsError),
	#[error("cannot use the peer CA certificates {path}: {reason}")]
	PeerCa { path: std::path::PathBuf, reason: String },
}

/// A worker serving its public API on `addr` and its operator API on `operator_addr`.
pub struct RunningWorker {
	pub addr: SocketAddr,
	/// Whether the public listener speaks HTTPS.
	pub https: bool,
	pub operator_addr: SocketAddr,
	pub engine: Engine,
	stop: watch::Sender<bool>,
	servers: Vec<tokio::task::JoinHandle<std::io::Result<()>>>,
	sweeper: tokio::task::JoinHandle<()>,
	engine_thread: std::thread::JoinHandle<()>,
}

impl RunningWorker {
	/// Stops accepting connections and requests, lets in-flight streams and queued requests finish,
	/// then returns.
	pub async fn shutdown(self) {
		let _ = self.stop.send(true);
		self.sweeper.abort();
		self.engine.shutdown();
		for server in self.servers {
			let _ = server.await;
		}
		let _ = tokio::task::spawn_blocking(move || self.engine_thread.join()).await;
	}
}

/// The longest wait between two expiry sweeps.
const SWEEP_PERIOD: Duration = Duration::from_secs(60);

/// Binds `addr`, answering with the address actually bound (port 0 picks a free one).
async fn bind(addr: SocketAddr) -> Result<(tokio::net::TcpListener, SocketAddr), WorkerError> {
	let listen_error = |source| WorkerError::Listen { addr, source };
	let listener = tokio::net::TcpListener::bind(addr).await.map_err(listen_error)?;
	let bound = listener.local_addr().map_err(listen_error)?;
	Ok((listener, bound))
}

/// blake2-256 of the base model's weights: `model.safetensors`, or the shard index of a sharded
/// checkpoint (which names every shard).
fn base_weights_hash(
	dir: &std::path::Path,
) -> Result<tributary_primitives::ContentHash, WorkerError> {
	let single = dir.join(WEIGHTS_FILE);
	let path = if single.is_file() { single } else { dir.join(WEIGHTS_INDEX_FILE) };
	let bytes =
		std::fs::read(&path).map_err(|e| WorkerError::Model(ModelError::Io { path, source: e }))?;
	Ok(tributary_primitives::content_hash(&bytes))
}

/// Starts a worker on the current tokio runtime.
pub async fn start(config: Config) -> Result<RunningWorker, WorkerError> {
	let base_dir = config.base_model.clone().ok_or(WorkerError::NoBaseModel)?;
	// Before anything is created on disk: a worker without its GPU leaves nothing behind.
	let device = config.device.resolve()?;
	std::fs::create_dir_all(&config.data_dir)
		.map_err(|e| WorkerError::DataDir(config.data_dir.clone(), e))?;
	let store = Store::open(&config.data_dir.join("store"), config.max_object_bytes)?
		.with_quota(config.store_quota_bytes);
	let registry = Arc::new(Registry::open(&config.data_dir)?);
	let peers = match &config.peer_ca {
		None => PeerFetcher::new(config.peers.clone()),
		Some(path) => {
			let peer_ca = |reason: String| WorkerError::PeerCa { path: path.clone(), reason };
			let pem = std::fs::read(path).map_err(|e| peer_ca(e.to_string()))?;
			PeerFetcher::trusting(config.peers.clone(), &pem).map_err(|e| peer_ca(e.to_string()))?
		},
	};
	// Read before anything is started, so a bad certificate stops the worker at once.
	let tls = match (&config.tls_cert, &config.tls_key) {
		(Some(cert), Some(key)) => Some(crate::tls::acceptor(cert, key)?),
		_ => None,
	};
	let metrics = Arc::new(Metrics::new());
	let dtype = config.dtype.unwrap_or(ServingDtype::default_for(device));
	let device_info = DeviceInfo::of(device);
	println!("tributary-worker: serving on {device_info} in {dtype}");
	metrics.set_device(&device_info, dtype);
	let (model, tokenizer, chat_template) = {
		let base_dir = base_dir.clone();
		let int8 = config.int8;
		tokio::task::spawn_blocking(move || -> Result<_, ModelError> {
			let mut model = load_model(&base_dir, dtype.kind(), device)?;
			if int8 {
				model.quantize(QuantFormat::Int8);
			}
			Ok((model, load_tokenizer(&base_dir)?, ChatTemplate::from_dir(&base_dir)?))
		})
		.await
		.expect("model loading does not panic")?
	};
	let (engine, engine_thread) = Engine::start(EngineParts {
		model,
		tokenizer,
		settings: EngineSettings {
			max_batch: config.max_batch,
			max_queue: config.max_queue,
			max_lora_rank: config.max_lora_rank,
			device_cache_bytes: config.device_cache_bytes,
			host_cache_bytes: config.host_cache_bytes,
			kv_cache_bytes: config.kv_cache_bytes,
			kv_block_size: config.kv_block_size,
			prefix_caching: config.prefix_caching,
			preemption: config.preemption,
		},
		store: store.clone(),
		peers: peers.clone(),
		runtime: tokio::runtime::Handle::current(),
		metrics: metrics.clone(),
	});
	let base_model_hash = {
		let base_dir = base_dir.clone();
		tokio::task::spawn_blocking(move || base_weights_hash(&base_dir))
			.await
			.expect("hashing does not panic")?
	};
	let influence = InfluenceSetup::new(
		config.data_dir.join("influence"),
		base_dir.clone(),
		base_dir.join(TOKENIZER_FILE),
	);
	let receipts = Arc::new(ReceiptBook::open(&config.data_dir)?);
	let jobs = Jobs::open(
		&config.data_dir,
		JobContext {
			base_dir: base_dir.clone(),
			base_model_id: config.base_model_id.clone(),
			store: store.clone(),
			registry: registry.clone(),
			influence: influence.clone(),
			peers: peers.clone(),
			runtime: tokio::runtime::Handle::current(),
			receipts: receipts.clone(),
			device,
		},
	)?;
	let state = AppState {
		engine: engine.clone(),
		registry,
		store,
		peers,
		jobs,
		metrics,
		receipts,
		worker_account: config.worker_account,
		base_model_id: config.base_model_id.clone(),
		chat_template,
		max_new_tokens: config.max_new_tokens,
		max_lora_rank: config.max_lora_rank,
		attribution: Arc::new(AttributionSetup {
			tokenizer_file: base_dir.join(TOKENIZER_FILE),
			index_dir: config.data_dir.join("attribution"),
			base_model_hash,
			influence,
		}),
		recomputations: Default::default(),
		uploads: Arc::new(tokio::sync::Semaphore::new(config.max_concurrent_uploads)),
		attribution_queue: Arc::new(AttributionQueue::new(
			config.attribution_workers,
			config.max_attribution_queue,
		)),
		device: device_info,
		dtype,
	};
	let (public, addr) = bind(config.listen).await?;
	let (operator, operator_addr) = bind(config.operator_listen).await?;
	let sweeper = tokio::spawn(sweep_expired(
		state.receipts.clone(),
		state.jobs.clone(),
		Duration::from_secs(config.unsigned_receipt_ttl_secs),
		Duration::from_secs(config.finished_job_ttl_secs),
	));
	let limits = RequestLimits {
		max_request_bytes: config.max_request_bytes,
		body_timeout: Duration::from_secs(config.body_timeout_secs),
	};
	let public_app = router(state.clone(), Listener::Public, limits);
	let operator_app = router(state, Listener::Operator, limits);
	let (stop, stopped) = watch::channel(false);
	let https = tls.is_some();
	let public_server = match tls {
		Some(acceptor) => {
			let listen_error = |source| WorkerError::Listen { addr, source };
			let listener = TlsListener::new(public, acceptor).map_err(listen_error)?;
			serve(listener, public_app, stopped.clone())
		},
		None => serve(public, public_app, stopped.clone()),
	};
	let servers = vec![public_server, serve(operator, operator_app, stopped)];
	Ok(RunningWorker { addr, https, operator_addr, engine, stop, servers, sweeper, engine_thread })
}

/// Serves `app` on `listener` until `stopped` turns true, then drains.
fn serve<L>(
	listener: L,
	app: axum::Router,
	mut stopped: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<std::io::Result<()>>
where
	L: axum::serve::Listener,
	L::Addr: std::fmt::Debug,
{
	tokio::spawn(async move {
		axum::serve(listener, app)
			.with_graceful_shutdown(async move {
				let _ = stopped.wait_for(|stop| *stop).await;
			})
			.await
	})
}

/// Deletes unsigned receipts and finished job records past their TTLs, checking a few times per
/// TTL (at most every minute).
async fn sweep_expired(
	receipts: Arc<ReceiptBook>,
	jobs: Arc<Jobs>,
	receipt_ttl: Duration,
	job_ttl: Duration,
) {
	let period = (receipt_ttl.min(job_ttl) / 4).clamp(Duration::from_millis(250), SWEEP_PERIOD);
	let mut ticks = tokio::time::interval(period);
	loop {
		ticks.tick().await;
		let (receipts, jobs) = (receipts.clone(), jobs.clone());
		let swept = tokio::task::spawn_blocking(move || {
			(receipts.expire_unsigned(receipt_ttl), jobs.expire_finished(job_ttl))
		})
		.await;
		match swept {
			Ok((Ok(_), Ok(_))) => {},
			Ok((receipts, jobs)) => {
				for error in
					[receipts.err().map(|e| e.to_string()), jobs.err().map(|e| e.to_string())]
						.into_iter()
						.flatten()
				{
					eprintln!("tributary-worker: warning: expiring old records failed: {error}");
				}
			},
			Err(error) => eprintln!("tributary-worker: warning: the expiry sweep failed: {error}"),
		}
	}
}
