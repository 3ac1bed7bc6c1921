//! Fetching objects this worker lacks from peer workers' `GET /store/{hash}?local=true` (their
//! own copies; no fetching on our behalf). Peers are not trusted: their bytes are stored only if
//! they hash to the name asked for.

use crate::{Store, StoreError};
use tributary_primitives::hex;
use tributary_primitives::ContentHash;

/// Where an object stands after asking this worker's store and every peer.
#[derive(Debug)]
pub enum Lookup {
	/// Its bytes (verified against its hash).
	Found(Vec<u8>),
	/// The local store lacks it and every peer answered "not found": no store serves it.
	Missing,
	/// It was not found, but some peer could not be asked (unreachable, an error, or bytes that
	/// do not verify), so its absence is not established.
	Unknown(StoreError),
}

/// How long one fetch from one peer may take, connection to last byte.
pub const PEER_FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct PeerFetcher {
	peers: Vec<String>,
	client: reqwest::Client,
}

impl PeerFetcher {
	/// Peers at `http://` or `https://` URLs; certificates are checked against the system's roots.
	pub fn new(peers: Vec<String>) -> PeerFetcher {
		PeerFetcher::build(peers, &[]).expect("a client with the system's roots always builds")
	}

	/// Like [`PeerFetcher::new`], also trusting the CA certificates in `ca_pem` (PEM): a private
	/// CA, or a peer's self-signed certificate.
	pub fn trusting(peers: Vec<String>, ca_pem: &[u8]) -> Result<PeerFetcher, reqwest::Error> {
		PeerFetcher::build(peers, &reqwest::Certificate::from_pem_bundle(ca_pem)?)
	}

	fn build(
		peers: Vec<String>,
		roots: &[reqwest::Certificate],
	) -> Result<PeerFetcher, reqwest::Error> {
		// The whole fetch, body included: a peer that trickles bytes is given up on.
		let mut builder = reqwest::Client::builder().timeout(PEER_FETCH_TIMEOUT);
		for root in roots {
			builder = builder.add_root_certificate(root.clone());
		}
		Ok(PeerFetcher { peers, client: builder.build()? })
	}

	pub fn has_peers(&self) -> bool {
		!self.peers.is_empty()
	}

	/// The local bytes of `hash`, else the first peer's bytes that verify (then stored locally).
	/// Returns the bytes and whether they came from a peer.
	pub async fn get_or_fetch(
		&self,
		store: &Store,
		hash: &ContentHash,
	) -> Result<(Vec<u8>, bool), StoreError> {
		let local = read_local(store, hash).await;
		match local {
			Err(StoreError::NotFound(_)) if self.has_peers() => {
				self.fetch(store, hash).await.map(|bytes| (bytes, true))
			},
			other => other.map(|bytes| (bytes, false)),
		}
	}

	/// The first peer's bytes of `hash` that verify (then stored locally), without looking in the
	/// local store first.
	pub async fn fetch(&self, store: &Store, hash: &ContentHash) -> Result<Vec<u8>, StoreError> {
		let mut last_error = StoreError::NotFound(hex::encode(hash));
		for peer in &self.peers {
			match self.fetch_from(peer, store, hash).await {
				Ok(bytes) => return Ok(bytes),
				Err(e) => last_error = e,
			}
		}
		Err(match last_error {
			StoreError::Io { .. } => StoreError::NotFound(hex::encode(hash)),
			other => other,
		})
	}

	/// Like [`PeerFetcher::get_or_fetch`], but tells an object no store serves apart from one that
	/// some peer could not be asked for.
	pub async fn lookup(&self, store: &Store, hash: &ContentHash) -> Lookup {
		let local = read_local(store, hash).await;
		match local {
			Ok(bytes) => return Lookup::Found(bytes),
			Err(StoreError::NotFound(_)) => {},
			Err(other) => return Lookup::Unknown(other),
		}
		let mut unproven = None;
		for peer in &self.peers {
			match self.fetch_from(peer, store, hash).await {
				Ok(bytes) => return Lookup::Found(bytes),
				Err(StoreError::NotFound(_)) => {},
				Err(other) => unproven = Some(other),
			}
		}
		unproven.map_or(Lookup::Missing, Lookup::Unknown)
	}

	/// The peer's own copy of `hash`; `NotFound` only when the peer answers 404.
	async fn fetch_from(
		&self,
		peer: &str,
		store: &Store,
		hash: &ContentHash,
	) -> Result<Vec<u8>, StoreError> {
		// Only the peer's own copy: asking it to ask its peers could loop between mutual peers.
		let url = format!("{}/store/{}?local=true", peer.trim_end_matches('/'), hex::encode(hash));
		let unreachable = |e: reqwest::Error| StoreError::Io {
			path: url.clone().into(),
			source: std::io::Error::other(e),
		};
		let mut response = self.client.get(&url).send().await.map_err(unreachable)?;
		if response.status() == reqwest::StatusCode::NOT_FOUND {
			return Err(StoreError::NotFound(hex::encode(hash)));
		}
		if !response.status().is_success() {
			let status = response.status();
			return Err(StoreError::Io {
				path: url.clone().into(),
				source: std::io::Error::other(format!("answered {status}")),
			});
		}
		if let Some(length) = response.content_length() {
			if length > store.max_object_bytes() {
				return Err(StoreError::TooLarge { size: length, limit: store.max_object_bytes() });
			}
		}
		// Read as it comes, so a peer that sends no length (or a false one) is cut off at the
		// limit instead of filling memory.
		let mut bytes = Vec::new();
		while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
			let size = (bytes.len() + chunk.len()) as u64;
			if size > store.max_object_bytes() {
				return Err(StoreError::TooLarge { size, limit: store.max_object_bytes() });
			}
			bytes.extend_from_slice(&chunk);
		}
		let (store, hash) = (store.clone(), *hash);
		tokio::task::spawn_blocking(move || store.put(&bytes, Some(&hash)).map(|_| bytes))
			.await
			.expect("store writes do not panic")
	}
}

/// The local store's bytes of `hash`, read off the async executor.
async fn read_local(store: &Store, hash: &ContentHash) -> Result<Vec<u8>, StoreError> {
	let (store, hash) = (store.clone(), *hash);
	tokio::task::spawn_blocking(move || store.get(&hash))
		.await
		.expect("store reads do not panic")
}
