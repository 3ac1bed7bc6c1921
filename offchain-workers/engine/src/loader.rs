//! The loader thread: reads a cold adapter from the store (or a peer), verifies and parses it,
//! and hands it to the scheduler, which never waits on disk or network itself.

use crate::adapters::LoadedAdapter;
use crate::command::{Command, Loaded};
use crate::request::{AdapterUse, EngineError};
use std::sync::mpsc;
use std::time::Instant;
use tributary_model::LlamaConfig;
use tributary_primitives::hex;
use tributary_store::{PeerFetcher, Store, StoreError};

pub(crate) fn spawn(
	store: Store,
	peers: PeerFetcher,
	runtime: tokio::runtime::Handle,
	results: mpsc::Sender<Command>,
	base: LlamaConfig,
	max_rank: i64,
) -> mpsc::Sender<AdapterUse> {
	let (jobs, receiver) = mpsc::channel::<AdapterUse>();
	std::thread::Builder::new()
		.name("adapter-loader".into())
		.spawn(move || {
			for job in receiver {
				// A panic while reading or parsing one adapter fails that adapter's requests (it is
				// quarantined like any adapter that does not parse), not the loader: later
				// adapters still load.
				let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
					load(&store, &peers, &runtime, &job, &base, max_rank)
				}))
				.unwrap_or_else(|payload| {
					Err(EngineError::Quarantined {
						hash: hex::encode(&job.hash),
						reason: format!("parsing it panicked: {}", crate::panic_message(&*payload)),
					})
				});
				if results.send(Command::Loaded { hash: job.hash, result }).is_err() {
					return;
				}
			}
		})
		.expect("the loader thread starts");
	jobs
}

fn load(
	store: &Store,
	peers: &PeerFetcher,
	runtime: &tokio::runtime::Handle,
	job: &AdapterUse,
	base: &LlamaConfig,
	max_rank: i64,
) -> Result<Loaded, EngineError> {
	let started = Instant::now();
	let hash = hex::encode(&job.hash);
	let parse = |bytes: &[u8]| LoadedAdapter::parse(&job.hash, bytes, &job.config, base, max_rank);
	let (parsed, from_peer) = match store.get_decoded(&job.hash, parse) {
		Err(StoreError::NotFound(_)) if peers.has_peers() => {
			let bytes = runtime
				.block_on(peers.fetch(store, &job.hash))
				.map_err(|e| store_error(&hash, e))?;
			(parse(&bytes), true)
		},
		local => (local.map_err(|e| store_error(&hash, e))?, false),
	};
	let adapter =
		parsed.map_err(|reason| EngineError::Quarantined { hash: hash.clone(), reason })?;
	Ok(Loaded { adapter, from_peer, took: started.elapsed() })
}

fn store_error(hash: &str, e: StoreError) -> EngineError {
	match e {
		StoreError::NotFound(_) => EngineError::AdapterMissing(hash.to_string()),
		StoreError::Corrupt { .. } | StoreError::WrongHash { .. } | StoreError::TooLarge { .. } => {
			EngineError::Quarantined { hash: hash.to_string(), reason: e.to_string() }
		},
		other => EngineError::InvalidAdapter { hash: hash.to_string(), reason: other.to_string() },
	}
}
