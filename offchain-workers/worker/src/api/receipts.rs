//! Inference receipts over HTTP: the `receipt` extension of completion requests, the user's
//! signature (`POST /v1/receipts`), and the submit queue the chain's off-chain worker drains
//! (`GET /receipts/pending?genesis=0x…`, naming its chain, and `POST /receipts/ack`).

use super::error::{decode_scale, parse_json, ApiError};
use super::responses::{ReceiptQueued, ReceiptView};
use super::AppState;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use codec::Encode;
use serde::Deserialize;
use tributary_engine::registry::ChainModel;
use tributary_engine::Finished;
use tributary_primitives::attribution::{AttributionRecord, MethodSettings};
use tributary_primitives::hex;
use tributary_primitives::{content_hash, ContentHash};
use tributary_receipts::account::Account;
use tributary_receipts::book::{Receipt, ReceiptError};
use tributary_sidecar_api::receipts::{
	Acknowledged, Acknowledgement, PendingQuery, PendingReceipt, PendingReceipts, PENDING_PAGE,
};
use tributary_sidecar_api::wire::HexBytes;

/// The `receipt` field of a completion request: what the user offers to pay for the answer.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptRequest {
	/// The paying account (0x-hex or SS58); its key signs the receipt.
	pub user: Account,
	pub nonce: u64,
	/// Decimal string of a `u128` balance.
	pub max_fee: String,
	/// Last block the receipt may be submitted in.
	pub expiry: u32,
}

/// A receipt request checked against the model and this worker, before generation.
#[derive(Clone, Debug)]
pub struct ReceiptOrder {
	chain: ChainModel,
	user: [u8; 32],
	nonce: u64,
	max_fee: u128,
	expiry: u32,
	worker: [u8; 32],
	prompt_hash: ContentHash,
	/// The chain the receipt is for.
	genesis: [u8; 32],
}

impl ReceiptOrder {
	/// The order of choice `index` of an answer with several: each is a receipt of its own, under
	/// the request's nonce plus `index`.
	pub fn for_choice(&self, index: u64) -> ReceiptOrder {
		ReceiptOrder { nonce: self.nonce.wrapping_add(index), ..self.clone() }
	}
}

/// Checks a receipt request for `model`: the model must serve an on-chain version and this
/// worker must know its chain account. `prompt` is the text whose bytes `prompt_hash` covers.
pub fn order_for(
	state: &AppState,
	model: &str,
	request: ReceiptRequest,
	prompt: &str,
) -> Result<ReceiptOrder, ApiError> {
	let chain = state.registry.chain_of(model).ok_or_else(|| {
		ApiError::invalid(
			"receipt",
			format!("model {model} serves no on-chain model version (it was registered without \"chain\"), so it cannot issue receipts"),
		)
	})?;
	let worker = state.worker_account.ok_or_else(|| {
		ApiError::new(
			StatusCode::SERVICE_UNAVAILABLE,
			"server_error",
			"this worker has no worker_account configured (--worker-account), so it cannot issue receipts",
		)
		.code("receipts_unavailable")
	})?;
	let genesis = state.receipts.genesis()?;
	let max_fee = request.max_fee.parse::<u128>().map_err(|_| {
		ApiError::invalid(
			"receipt",
			format!("max_fee {:?} is not a decimal integer below 2^128", request.max_fee),
		)
	})?;
	Ok(ReceiptOrder {
		chain,
		user: request.user.0,
		nonce: request.nonce,
		max_fee,
		expiry: request.expiry,
		worker: worker.0,
		prompt_hash: content_hash(prompt.as_bytes()),
		genesis,
	})
}

/// Builds the receipt of a finished answer, keeps it with the answer's attribution claim until
/// the user signs it, and returns the response's `receipt` object.
pub fn issue(
	state: &AppState,
	completion_id: &str,
	order: &ReceiptOrder,
	adapter: ContentHash,
	record: &AttributionRecord,
	text: &str,
	finished: &Finished,
) -> Result<ReceiptView, ApiError> {
	let count = |n: usize| {
		u32::try_from(n).map_err(|_| {
			ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "token count over u32")
		})
	};
	let receipt: Receipt = tributary_primitives::receipts::InferenceReceipt {
		model: order.chain.model,
		version: order.chain.version,
		adapter,
		prompt_hash: order.prompt_hash,
		output_hash: content_hash(text.as_bytes()),
		tokens_in: count(finished.prompt_tokens)?,
		tokens_out: count(finished.tokens.len())?,
		max_fee: order.max_fee,
		nonce: order.nonce,
		worker: order.worker,
		expiry: order.expiry,
	};
	let body = ReceiptView {
		id: completion_id.to_string(),
		model: receipt.model,
		version: receipt.version,
		adapter: HexBytes(receipt.adapter.to_vec()),
		prompt_hash: HexBytes(receipt.prompt_hash.to_vec()),
		output_hash: HexBytes(receipt.output_hash.to_vec()),
		tokens_in: receipt.tokens_in,
		tokens_out: receipt.tokens_out,
		max_fee: receipt.max_fee.to_string(),
		nonce: receipt.nonce,
		worker: HexBytes(receipt.worker.to_vec()),
		expiry: receipt.expiry,
		user: HexBytes(order.user.to_vec()),
		genesis: HexBytes(order.genesis.to_vec()),
		signing_payload: HexBytes(receipt.signing_payload(&order.genesis)),
	};
	state
		.receipts
		.insert(completion_id, order.genesis, receipt, order.user, record.claim())?;
	Ok(body)
}

impl From<ReceiptError> for ApiError {
	fn from(error: ReceiptError) -> ApiError {
		let message = error.to_string();
		match error {
			ReceiptError::Unknown(_) => {
				ApiError::new(StatusCode::NOT_FOUND, "invalid_request_error", message)
			},
			ReceiptError::BadSignature(_) => ApiError::invalid("signature", message),
			ReceiptError::AlreadySigned(_) => {
				ApiError::new(StatusCode::CONFLICT, "invalid_request_error", message)
			},
			ReceiptError::ChainUnknown => {
				ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "server_error", message)
					.code("chain_unknown")
			},
			ReceiptError::BadId(_) | ReceiptError::File { .. } => {
				ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", message)
			},
		}
	}
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Signature {
	id: String,
	/// 0x + 128 hex digits: the user's sr25519 signature over the receipt's signing payload.
	signature: String,
}

/// `POST /v1/receipts`: the user's signature of a receipt; a verified receipt joins the queue.
pub async fn sign(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
	let Signature { id, signature } = parse_json(&body)?;
	let bytes = signature
		.strip_prefix("0x")
		.ok_or_else(|| "must start with 0x".to_string())
		.and_then(|digits| hex::decode_array::<64>(digits).map_err(|e| e.to_string()))
		.map_err(|reason| ApiError::invalid("signature", format!("signature: {reason}")))?;
	state.receipts.sign(&id, bytes)?;
	Ok((StatusCode::ACCEPTED, Json(ReceiptQueued { id, status: "queued" })).into_response())
}

/// `GET /receipts/pending?genesis=0x…&methods=0x…`: the oldest signed receipts, SCALE-encoded as
/// `submit_receipts` takes them. The genesis hash and the method settings (the off-chain worker
/// always sends both) tell this worker which chain it issues receipts for and which attribution
/// parameters that chain accepts in records.
pub async fn pending(
	State(state): State<AppState>,
	query: Result<Query<PendingQuery>, QueryRejection>,
) -> Result<Json<PendingReceipts>, ApiError> {
	let Query(query) = query.map_err(|e| ApiError::invalid("query", e.body_text()))?;
	if let Some(genesis) = query.genesis {
		let hash: [u8; 32] = genesis.0.try_into().map_err(|bytes: Vec<u8>| {
			ApiError::invalid(
				"genesis",
				format!("genesis: a hash is 32 bytes, not {}", bytes.len()),
			)
		})?;
		state.receipts.set_genesis(hash)?;
	}
	if let Some(methods) = query.methods {
		let settings: MethodSettings = decode_scale(
			"methods",
			&methods.0,
			"tributary_primitives::attribution::MethodSettings",
		)?;
		if let Some(reason) = settings.unworkable() {
			return Err(ApiError::invalid("methods", format!("methods: {reason}")));
		}
		state.receipts.set_methods(settings)?;
	}
	let receipts = state
		.receipts
		.queued(query.after, PENDING_PAGE)
		.iter()
		.filter_map(|entry| {
			let signed = entry.chain_receipt()?;
			Some(PendingReceipt {
				id: entry.id.clone(),
				sequence: entry.signed.as_ref()?.sequence,
				user: HexBytes(entry.user.to_vec()),
				nonce: entry.receipt.nonce,
				scale: HexBytes(signed.encode()),
			})
		})
		.collect();
	Ok(Json(PendingReceipts { receipts }))
}

/// `POST /receipts/ack`: the chain took these receipts; drop them from the queue.
pub async fn acknowledge(
	State(state): State<AppState>,
	body: Bytes,
) -> Result<Json<Acknowledged>, ApiError> {
	let Acknowledgement { ids } = parse_json(&body)?;
	let removed = state.receipts.acknowledge(&ids)?;
	Ok(Json(Acknowledged { removed }))
}
