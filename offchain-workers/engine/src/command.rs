//! What the engine thread is told: by the API's handle (requests, prefetches, releases, shutdown)
//! and by the loader thread (an adapter is ready).

use crate::adapters::LoadedAdapter;
use crate::request::{AdapterUse, EngineError, GenerationRequest};
use std::time::Duration;
use tributary_primitives::ContentHash;

pub(crate) enum Command {
	Submit(GenerationRequest),
	Loaded { hash: ContentHash, result: Result<Loaded, EngineError> },
	Prefetch(AdapterUse),
	Release(ContentHash),
	Shutdown,
}

/// An adapter the loader read, verified and parsed.
pub(crate) struct Loaded {
	pub adapter: LoadedAdapter,
	pub from_peer: bool,
	pub took: Duration,
}
