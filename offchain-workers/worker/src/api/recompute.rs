//! `POST /attribution/recompute`: what the chain's off-chain worker asks in a dispute. Given an
//! on-chain model version, a receipt's `output_hash` and the record's method, this worker fetches
//! the answer's text (from its store or a peer's), recomputes the attribution record exactly as a
//! completion computes it, and answers its commitment for the majority vote. A RAG record's query
//! is fetched the same way, by the hash the method names; an influence record whose projection is
//! not the one of this worker's sketches is refused (400 naming the setting).
//!
//! **Asynchronous, like a job.** Influence on a CPU takes longer than any one HTTP request of the
//! off-chain worker may, so the first request starts the recomputation in the background and the
//! same request again (every block) reads its state: `202 {"state": "running"}` until it ends,
//! then `200 {"state": "done", "commitment", "record_scale", "top"}` — or the error it ended with,
//! e.g. `404` with code `output_unavailable` when no store (this worker's or a peer's) has the
//! answer's text. Each request waits up to [`WAIT`] for the result first, so short
//! recomputations answer at once. Finished results are kept for [`KEPT`] requests.

use super::attribution::{attribute, target_with};
use super::completions::resolve_model;
use super::error::{decode_scale, parse_json, ApiError};
use super::responses::scored_rows;
use super::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use codec::Encode;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;
use tributary_engine::registry::ChainModel;
use tributary_primitives::attribution::AttributionMethod;
use tributary_primitives::hex;
use tributary_primitives::ContentHash;
use tributary_sidecar_api::recompute::{RecomputeRequest, RecomputeState, OUTPUT_UNAVAILABLE};
use tributary_sidecar_api::wire::{Hash32, HexBytes};
use tributary_store as store;

/// How long a request waits for its recomputation before answering `202`.
pub const WAIT: Duration = Duration::from_secs(2);
/// Finished recomputations kept for the requests that ask again.
pub const KEPT: usize = 256;

type Outcome = Option<Result<RecomputeState, ApiError>>;

/// Recomputations running or finished, by the digest of what they recompute.
#[derive(Default)]
pub struct Recomputations {
	slots: Mutex<Slots>,
}

#[derive(Default)]
struct Slots {
	by_digest: HashMap<ContentHash, watch::Receiver<Outcome>>,
	/// Digests in the order they were started, to forget the oldest finished ones.
	order: VecDeque<ContentHash>,
}

impl Recomputations {
	/// The recomputation of `digest`: the running or finished one, or a new one that `start`
	/// begins in the background.
	fn join(
		&self,
		digest: ContentHash,
		start: impl FnOnce(watch::Sender<Outcome>),
	) -> watch::Receiver<Outcome> {
		let mut slots = self.slots.lock().expect("recomputations lock");
		if let Some(existing) = slots.by_digest.get(&digest) {
			return existing.clone();
		}
		while slots.order.len() >= KEPT {
			let Some(position) =
				slots.order.iter().position(|d| slots.by_digest[d].borrow().is_some())
			else {
				break;
			};
			let oldest = slots.order.remove(position).expect("position is in range");
			slots.by_digest.remove(&oldest);
		}
		let (sender, receiver) = watch::channel(None);
		slots.by_digest.insert(digest, receiver.clone());
		slots.order.push_back(digest);
		start(sender);
		receiver
	}
}

fn not_served(chain: ChainModel) -> ApiError {
	ApiError {
		param: Some("chain".into()),
		..ApiError::new(
			StatusCode::NOT_FOUND,
			"invalid_request_error",
			format!(
				"chain model {} version {} is not served by this worker",
				chain.model, chain.version
			),
		)
	}
	.code("model_not_found")
}

/// `POST /attribution/recompute`: starts or joins the recomputation of the request, then answers
/// its state (see the module docs). Bad requests are refused at once.
pub async fn recompute(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
	let request: RecomputeRequest = parse_json(&body)?;
	let method: AttributionMethod = decode_scale(
		"method_scale",
		&request.method_scale.0,
		"tributary_primitives::attribution::AttributionMethod",
	)?;
	if let AttributionMethod::Influence(params) = method {
		if let Some(reason) = params.unworkable() {
			return Err(ApiError::invalid("method_scale", reason));
		}
	}
	let output_hash = request.output_hash.0;
	let digest = tributary_primitives::content_hash(
		&(request.chain.model, request.chain.version, output_hash, method).encode(),
	);
	let mut outcome = state.recomputations.join(digest, |sender| {
		let state = state.clone();
		tokio::spawn(async move {
			let result = recompute_record(&state, request.chain, output_hash, method).await;
			sender.send_replace(Some(result));
		});
	});
	let finished = tokio::time::timeout(WAIT, outcome.wait_for(Option::is_some)).await.is_ok();
	let result = outcome.borrow().clone();
	match (finished, result) {
		(true, Some(Ok(done))) => Ok(Json(done).into_response()),
		(true, Some(Err(error))) => Err(error),
		_ => Ok((StatusCode::ACCEPTED, Json(RecomputeState::Running)).into_response()),
	}
}

/// Fetch the answer's text and recompute its record.
async fn recompute_record(
	state: &AppState,
	chain: ChainModel,
	output_hash: ContentHash,
	method: AttributionMethod,
) -> Result<RecomputeState, ApiError> {
	let model = state.registry.model_serving(chain).ok_or_else(|| not_served(chain))?;
	let adapters = resolve_model(state, &model)?;
	let target = target_with(state, method, &model, &adapters)?;
	let (bytes, _) = state.peers.get_or_fetch(&state.store, &output_hash).await.map_err(|error| match error {
		store::StoreError::NotFound(_) => ApiError::new(
			StatusCode::NOT_FOUND,
			"invalid_request_error",
			format!(
				"the answer's text {} is in no store this worker can reach (its own or its peers'): the serving worker withholds it or it was lost",
				hex::encode(&output_hash)
			),
		)
		.code(OUTPUT_UNAVAILABLE),
		other => other.into(),
	})?;
	let text = String::from_utf8(bytes).map_err(|_| {
		ApiError::invalid(
			"output_hash",
			format!("object {} is not UTF-8 text, so it is no answer", hex::encode(&output_hash)),
		)
	})?;
	let record = attribute(state, target, text).await?.record;
	Ok(RecomputeState::Done {
		commitment: Hash32(record.commitment()),
		record_scale: HexBytes(record.encode()),
		top: scored_rows(&record.top),
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	fn done() -> RecomputeState {
		RecomputeState::Done {
			commitment: Hash32([1; 32]),
			record_scale: HexBytes(vec![]),
			top: vec![],
		}
	}

	#[tokio::test]
	async fn a_recomputation_runs_once_and_later_requests_read_its_outcome() {
		let recomputations = Recomputations::default();
		let mut starts = 0;
		let (sender, mut first) = {
			let mut kept = None;
			let receiver = recomputations.join([1; 32], |sender| {
				starts += 1;
				kept = Some(sender);
			});
			(kept.unwrap(), receiver)
		};
		let mut second = recomputations.join([1; 32], |_| starts += 1);
		assert_eq!(starts, 1, "the same request joins the running recomputation");
		assert!(second.borrow().is_none(), "still running");
		sender.send_replace(Some(Ok(done())));
		assert!(second.wait_for(Option::is_some).await.is_ok());
		assert!(first.wait_for(Option::is_some).await.is_ok());
		let third = recomputations.join([1; 32], |_| starts += 1);
		assert_eq!(third.borrow().clone().unwrap().unwrap(), done());
		assert_eq!(starts, 1);
	}

	#[test]
	fn only_finished_recomputations_are_forgotten_beyond_the_bound() {
		let recomputations = Recomputations::default();
		let mut senders = Vec::new();
		for i in 0..KEPT {
			let digest = tributary_primitives::content_hash(&(i as u32).to_le_bytes());
			recomputations.join(digest, |sender| senders.push(sender));
		}
		// All running: nothing can be forgotten, the next one is still kept.
		recomputations.join([0xee; 32], |sender| senders.push(sender));
		assert_eq!(recomputations.slots.lock().unwrap().by_digest.len(), KEPT + 1);
		senders[0].send_replace(Some(Ok(done())));
		recomputations.join([0xef; 32], |sender| senders.push(sender));
		let slots = recomputations.slots.lock().unwrap();
		assert_eq!(slots.by_digest.len(), KEPT + 1, "the finished oldest made room");
		assert!(!slots
			.by_digest
			.contains_key(&tributary_primitives::content_hash(&0u32.to_le_bytes())));
	}
}
