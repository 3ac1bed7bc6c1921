//! The loader thread: reads a cold adapter from the store (or a peer), verifies and parses it,
//! and hands it to the scheduler, which never waits on disk or network itself.

use super::adapters::LoadedAdapter;
use super::{AdapterUse, Command, EngineError};
use crate::store::{PeerFetcher, Store, StoreError};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tributary_model::peft::hex;
use tributary_model::LlamaConfig;

pub(crate) struct Loaded {
	pub adapter: LoadedAdapter,
	pub from_peer: bool,
	pub took: Duration,
}

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
				let result = load(&store, &peers, &runtime, &job, &base, max_rank);
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
	let hash = hex(&job.hash);
	let (bytes, from_peer) = runtime.block_on(peers.get_or_fetch(store, &job.hash)).map_err(|e| match e {
		StoreError::NotFound(_) => EngineError::AdapterMissing(hash.clone()),
		StoreError::Corrupt { .. } | StoreError::WrongHash { .. } | StoreError::TooLarge { .. } => {
			EngineError::Quarantined { hash: hash.clone(), reason: e.to_string() }
		},
		other => EngineError::InvalidAdapter { hash: hash.clone(), reason: other.to_string() },
	})?;
	let adapter = LoadedAdapter::parse(&job.hash, &bytes, &job.config, base, max_rank)
		.map_err(|reason| EngineError::Quarantined { hash: hash.clone(), reason })?;
	Ok(Loaded { adapter, from_peer, took: started.elapsed() })
}
