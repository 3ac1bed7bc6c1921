//! Handlers of everything but completions.

use super::error::{parse_json, ApiError};
use super::responses::{ModelList, ModelObject};
use super::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use tch::{Device, Kind};
use tributary_engine::registry::{AdapterFacts, Member, ModelEntry};
use tributary_jobs::spec::{self, EvalJob, JobSpec, TrainJob};
use tributary_jobs::JobError;
use tributary_model::hf::parse_safetensors;
use tributary_model::merge::merge;
use tributary_model::peft::{AdapterConfig, PeftAdapter};
use tributary_sidecar_api::adapters::{AdapterRegistration, ServedModel};
use tributary_sidecar_api::wire::Hash32;
use tributary_store as store;

pub async fn metrics(State(state): State<AppState>) -> Response {
	([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}

pub async fn not_found() -> ApiError {
	ApiError::new(StatusCode::NOT_FOUND, "invalid_request_error", "no such route")
		.code("unknown_url")
}

/// A registered model as OpenAI lists it, plus the chain version it serves, if any.
fn registered_model_object(id: &str, entry: &ModelEntry) -> ModelObject {
	ModelObject { chain: entry.chain, ..ModelObject::new(id, entry.created) }
}

pub async fn list_models(State(state): State<AppState>) -> Json<ModelList> {
	let mut data = vec![ModelObject::new(&state.base_model_id, 0)];
	data.extend(
		state
			.registry
			.models()
			.into_iter()
			.map(|(id, entry)| registered_model_object(&id, &entry)),
	);
	Json(ModelList { object: "list", data })
}

pub async fn get_model(
	State(state): State<AppState>,
	Path(id): Path<String>,
) -> Result<Json<ModelObject>, ApiError> {
	if id == state.base_model_id {
		return Ok(Json(ModelObject::new(&id, 0)));
	}
	let (_, entry) = state
		.registry
		.models()
		.into_iter()
		.find(|(model, _)| *model == id)
		.ok_or_else(|| ApiError::model_not_found(&id))?;
	let object = registered_model_object(&id, &entry);
	Ok(Json(ModelObject { adapters: Some(entry.members), ..object }))
}

#[derive(Deserialize)]
pub struct ObjectQuery {
	/// Serve only this worker's copy: what peer fetches ask, so workers that are each other's
	/// peers never pass a request for an object nobody has back and forth.
	#[serde(default)]
	local: bool,
}

/// `GET /store/{hash}`: the verified bytes, from the local store or else from a peer (unless
/// `?local=true`).
pub async fn get_object(
	State(state): State<AppState>,
	Path(hash): Path<String>,
	Query(query): Query<ObjectQuery>,
) -> Result<Response, ApiError> {
	let hash = store::parse(&hash)?;
	let bytes = if query.local {
		let store = state.store.clone();
		tokio::task::spawn_blocking(move || store.get(&hash))
			.await
			.expect("store reads do not panic")?
	} else {
		state.peers.get_or_fetch(&state.store, &hash).await?.0
	};
	Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

/// `POST /v1/adapters`: serve a stored adapter as a model id; the adapter is prefetched. The same
/// body again is a no-op (201 again), so the chain's off-chain worker may retry.
pub async fn register_adapter(
	State(state): State<AppState>,
	body: Bytes,
) -> Result<Response, ApiError> {
	let registration: AdapterRegistration<AdapterConfig> = parse_json(&body)?;
	let config = match (registration.adapter_config, &registration.settings) {
		(Some(config), None) => config,
		(None, Some(settings)) => spec::adapter_config(settings, &state.base_model_id)
			.map_err(|e| ApiError::invalid("settings", e.to_string()))?,
		_ => {
			return Err(ApiError::invalid(
				"adapter_config",
				"give exactly one of adapter_config (the adapter's PEFT config) and settings (its fine-tune job's settings)",
			))
		},
	};
	let hash = registration.adapter_hash;
	state.peers.get_or_fetch(&state.store, &hash.0).await?;
	let entry = state.registry.register(
		&registration.id,
		vec![Member { adapter: hash, weight: 1.0 }],
		vec![AdapterFacts { hash, config: config.clone(), corpus: registration.corpus }],
		registration.chain,
	)?;
	state.engine.prefetch(hash.0, config);
	Ok(served(registration.id, entry))
}

/// The `201` answer of a registration: what `id` now serves.
fn served(id: String, entry: ModelEntry) -> Response {
	let answer = ServedModel { id, adapters: entry.members, chain: entry.chain };
	(StatusCode::CREATED, Json(answer)).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnsembleMember {
	model: String,
	weight: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnsembleRegistration {
	id: String,
	members: Vec<EnsembleMember>,
}

/// `POST /v1/ensembles`: a model id whose answer adds the weighted deltas of registered models.
pub async fn register_ensemble(
	State(state): State<AppState>,
	body: Bytes,
) -> Result<Response, ApiError> {
	let registration: EnsembleRegistration = parse_json(&body)?;
	let mut members = Vec::new();
	for member in &registration.members {
		for (adapter, _, weight) in state.registry.resolve(&member.model)? {
			members.push(Member { adapter, weight: weight * member.weight });
		}
	}
	let entry = state.registry.register(&registration.id, members, Vec::new(), None)?;
	Ok(served(registration.id, entry))
}

/// `POST /v1/merges`: a new model version whose single adapter is the weighted sum of the members'
/// deltas (same body as an ensemble); the merged adapter is stored and registered.
pub async fn register_merge(
	State(state): State<AppState>,
	body: Bytes,
) -> Result<Response, ApiError> {
	let registration: EnsembleRegistration = parse_json(&body)?;
	let mut fetched = Vec::new();
	for member in &registration.members {
		for (hash, config, weight) in state.registry.resolve(&member.model)? {
			let (bytes, _) = state.peers.get_or_fetch(&state.store, &hash.0).await?;
			fetched.push((hash, config, weight * member.weight, bytes));
		}
	}
	// Parsing, merging (a matmul per module and member) and hashing the result are CPU work:
	// off the async executor, so other requests are served meanwhile.
	let (store, base_model_id, max_rank) =
		(state.store.clone(), state.base_model_id.clone(), state.max_lora_rank);
	let (hash, merged_config) = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
		let mut members = Vec::new();
		for (hash, config, weight, bytes) in fetched {
			let tensors = parse_safetensors(
				&bytes,
				std::path::Path::new(&hash.to_string()),
				Kind::Float,
				Device::Cpu,
			)
			.map_err(|e| {
				ApiError::new(StatusCode::CONFLICT, "adapter_error", format!("adapter {hash}: {e}"))
			})?;
			members.push((PeftAdapter { config, tensors: tensors.into_iter().collect() }, weight));
		}
		let merged = merge(&members, &base_model_id)
			.map_err(|e| ApiError::invalid("members", e.to_string()))?;
		if merged.config.r > max_rank {
			return Err(ApiError::invalid(
				"members",
				format!(
					"the merged rank {} exceeds this worker's max_lora_rank {max_rank}",
					merged.config.r
				),
			));
		}
		let bytes = merged.canonical_bytes().map_err(|e| {
			ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", e.to_string())
		})?;
		Ok((store.put(&bytes, None)?, merged.config))
	})
	.await
	.expect("merging does not panic")?;
	let entry = state.registry.register(
		&registration.id,
		vec![Member { adapter: Hash32(hash), weight: 1.0 }],
		vec![AdapterFacts {
			hash: Hash32(hash),
			config: merged_config.clone(),
			corpus: Vec::new(),
		}],
		None,
	)?;
	state.engine.prefetch(hash, merged_config);
	Ok(served(registration.id, entry))
}

fn job_error(error: JobError) -> ApiError {
	let message = error.to_string();
	match error {
		JobError::BadId(_) | JobError::NoRows | JobError::Invalid(_) => {
			ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
		},
		JobError::Conflict(_) => {
			ApiError::new(StatusCode::CONFLICT, "invalid_request_error", message)
		},
		JobError::NotFound(_) => {
			ApiError::new(StatusCode::NOT_FOUND, "invalid_request_error", message)
		},
		JobError::File { .. } | JobError::Book(_) => {
			ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", message)
		},
	}
}

async fn submit(state: AppState, spec: JobSpec) -> Result<Response, ApiError> {
	let jobs = state.jobs.clone();
	let (record, created) = tokio::task::spawn_blocking(move || jobs.submit(spec))
		.await
		.expect("job submission does not panic")
		.map_err(job_error)?;
	let status = if created { StatusCode::ACCEPTED } else { StatusCode::OK };
	Ok((status, Json(record)).into_response())
}

pub async fn submit_train(
	State(state): State<AppState>,
	body: Bytes,
) -> Result<Response, ApiError> {
	let spec: TrainJob = parse_json(&body)?;
	submit(state, JobSpec::Train(spec)).await
}

pub async fn submit_eval(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
	let spec: EvalJob = parse_json(&body)?;
	submit(state, JobSpec::Eval(spec)).await
}

pub async fn get_job(
	State(state): State<AppState>,
	Path(id): Path<String>,
) -> Result<Response, ApiError> {
	let record = state.jobs.get(&id).ok_or_else(|| job_error(JobError::NotFound(id)))?;
	Ok(Json(record).into_response())
}
