//! The HTTP API: OpenAI-compatible inference under `/v1`, the content store under `/store`, the
//! job API under `/jobs`, contributed rows' checks and the rows found wrong under `/rows`, dispute
//! recomputation under `/attribution`, plus `/health` and `/metrics`.
//!
//! Two listeners serve it. The **public** one answers what anyone may ask: the OpenAI routes, a
//! user's receipt signature, objects for peers (`GET /store/{hash}`), a row's check for curators,
//! `/health`. The **operator** one (loopback by default; the validator's own node reaches it
//! through `--worker-url`) answers those and everything that changes what the worker serves,
//! stores or submits: adapters, ensembles, merges, `PUT /store`, jobs, row checks and reports,
//! receipts pending and acknowledged, recomputation, `/metrics`. An operator route asked of the
//! public listener is a 404, never served.

pub mod attribution;
pub mod completions;
mod embeddings;
pub mod error;
pub mod health;
mod logprobs;
pub mod openai;
pub mod rag;
pub mod receipts;
pub mod recompute;
pub mod responses;
mod routes;
mod rows;
mod stream;
mod tools;
mod upload;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use tributary_engine::metrics::Metrics;
use tributary_engine::registry::Registry;
use tributary_engine::Engine;
use tributary_jobs::Jobs;
use tributary_receipts::account::Account;
use tributary_receipts::book::ReceiptBook;
use tributary_store::{PeerFetcher, Store};

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
	pub engine: Engine,
	pub registry: Arc<Registry>,
	pub store: Store,
	pub peers: PeerFetcher,
	pub jobs: Arc<Jobs>,
	pub metrics: Arc<Metrics>,
	pub receipts: Arc<ReceiptBook>,
	/// This validator's chain account, the `worker` of receipts; none: no receipts.
	pub worker_account: Option<Account>,
	pub base_model_id: String,
	/// How chat messages become the base model's prompt: its own template, else the plain one.
	pub chat_template: tributary_model::chat::ChatTemplate,
	pub max_new_tokens: usize,
	pub max_lora_rank: i64,
	pub attribution: Arc<AttributionSetup>,
	/// Dispute recomputations running in the background or finished.
	pub recomputations: Arc<recompute::Recomputations>,
	/// Slots of `PUT /store` bodies received at once.
	pub uploads: Arc<tokio::sync::Semaphore>,
	/// Where attributions and recomputations wait for a worker.
	pub attribution_queue: Arc<attribution::AttributionQueue>,
	/// The device models are served on, and the served precision.
	pub device: tributary_model::DeviceInfo,
	pub dtype: tributary_model::ServingDtype,
}

/// What attribution records need besides the adapter's rows.
pub struct AttributionSetup {
	/// The base model's `tokenizer.json` (rows are tokenized as the trainer did).
	pub tokenizer_file: std::path::PathBuf,
	/// Where suffix-array indexes are kept, named by their inputs' hash.
	pub index_dir: std::path::PathBuf,
	/// blake2-256 of the base model's weights file (`model` field of records).
	pub base_model_hash: tributary_primitives::ContentHash,
	/// Adapter directories and their influence sketches.
	pub influence: tributary_jobs::influence::InfluenceSetup,
}

/// Which listener a router is for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Listener {
	Public,
	Operator,
}

/// What anyone may ask.
fn public_routes() -> Router<AppState> {
	Router::new()
		.route("/health", get(health::health))
		.route("/v1/models", get(routes::list_models))
		.route("/v1/models/{*id}", get(routes::get_model))
		.route("/v1/completions", post(completions::completions))
		.route("/v1/chat/completions", post(completions::chat_completions))
		.route("/v1/embeddings", post(embeddings::embeddings))
		.route("/v1/receipts", post(receipts::sign))
		.route("/rows/{datanet}/{row}", get(rows::row_check))
}

/// What only the validator's node and operator may ask.
fn operator_routes() -> Router<AppState> {
	Router::new()
		.route("/metrics", get(routes::metrics))
		.route("/v1/adapters", post(routes::register_adapter))
		.route("/v1/ensembles", post(routes::register_ensemble))
		.route("/v1/merges", post(routes::register_merge))
		.route("/receipts/pending", get(receipts::pending))
		.route("/receipts/ack", post(receipts::acknowledge))
		.route("/attribution/recompute", post(recompute::recompute))
		.route("/jobs/train", post(routes::submit_train))
		.route("/jobs/eval", post(routes::submit_eval))
		.route("/jobs/{id}", get(routes::get_job))
		.route("/rows/reports", get(rows::row_reports))
		.route("/rows/check", post(rows::check_rows))
}

/// The content store: reads for everyone, writes for the operator.
fn store_routes(listener: Listener) -> Router<AppState> {
	let routes = match listener {
		// A write there is as absent as any operator route: 404, not 405.
		Listener::Public => Router::new()
			.route("/store/{hash}", get(routes::get_object).fallback(routes::not_found)),
		// Bodies streamed to disk, their size checked there (`upload`).
		Listener::Operator => Router::new()
			.route("/store", axum::routing::put(upload::put_object))
			.route("/store/{hash}", get(routes::get_object).put(upload::put_object_at)),
	};
	routes.layer(DefaultBodyLimit::disable())
}

/// How requests are bounded: body sizes and how long a body may take to arrive.
#[derive(Clone, Copy)]
pub struct RequestLimits {
	/// Largest JSON body.
	pub max_request_bytes: usize,
	/// Longest a JSON body may take to arrive whole.
	pub body_timeout: std::time::Duration,
}

/// The routes `listener` serves; anything else is a 404.
pub fn router(state: AppState, listener: Listener, limits: RequestLimits) -> Router {
	let metrics = state.metrics.clone();
	let routes = match listener {
		Listener::Public => public_routes(),
		Listener::Operator => public_routes().merge(operator_routes()),
	};
	routes
		.layer(middleware::from_fn(move |request: Request, next: Next| {
			whole_body_in_time(limits, request, next)
		}))
		.layer(DefaultBodyLimit::max(limits.max_request_bytes))
		.merge(store_routes(listener))
		.fallback(routes::not_found)
		.layer(middleware::from_fn(move |request: Request, next: Next| {
			let metrics = metrics.clone();
			async move { count_response(metrics, request, next).await }
		}))
		.with_state(state)
}

/// Reads a JSON route's body whole before its handler runs: a body over the limit is a 413, one
/// that does not arrive within the timeout (a client sending a byte a second) a 408, so slow
/// clients hold no handler and no queue place.
async fn whole_body_in_time(limits: RequestLimits, request: Request, next: Next) -> Response {
	let (parts, body) = request.into_parts();
	let read = axum::body::to_bytes(body, limits.max_request_bytes);
	let bytes = match tokio::time::timeout(limits.body_timeout, read).await {
		Ok(Ok(bytes)) => bytes,
		Ok(Err(error)) => {
			let too_large =
				error.into_inner().downcast::<http_body_util::LengthLimitError>().is_ok();
			let error = match too_large {
				true => error::ApiError::new(
					StatusCode::PAYLOAD_TOO_LARGE,
					"invalid_request_error",
					format!("the body is over {} bytes", limits.max_request_bytes),
				),
				false => error::ApiError::new(
					StatusCode::BAD_REQUEST,
					"invalid_request_error",
					"the body could not be read",
				),
			};
			return error.into_response();
		},
		Err(_) => {
			let message =
				format!("the body did not arrive within {} s", limits.body_timeout.as_secs_f64());
			return error::ApiError::new(
				StatusCode::REQUEST_TIMEOUT,
				"invalid_request_error",
				message,
			)
			.code("body_timeout")
			.into_response();
		},
	};
	next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await
}

async fn count_response(metrics: Arc<Metrics>, request: Request, next: Next) -> Response {
	let path = request.uri().path();
	let route = [
		"/v1/chat/completions",
		"/v1/completions",
		"/v1/models",
		"/v1/",
		"/store",
		"/jobs",
		"/rows",
		"/receipts",
		"/attribution",
		"/health",
		"/metrics",
	]
	.into_iter()
	.find(|prefix| path.starts_with(prefix))
	.unwrap_or("other");
	let response = next.run(request).await;
	metrics.requests.with_label_values(&[route, response.status().as_str()]).inc();
	response
}
