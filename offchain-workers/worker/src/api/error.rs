//! Errors in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}` with a matching
//! HTTP status, so OpenAI clients raise their usual exceptions.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::borrow::Cow;
use tributary_engine::registry::RegistryError;
use tributary_engine::EngineError;
use tributary_sidecar_api::error::{ErrorBody, ErrorDetail};
use tributary_store::StoreError;

#[derive(Clone, Debug)]
pub struct ApiError {
	pub status: StatusCode,
	pub message: String,
	pub kind: &'static str,
	pub param: Option<Cow<'static, str>>,
	pub code: Option<&'static str>,
}

impl ApiError {
	pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> ApiError {
		ApiError { status, message: message.into(), kind, param: None, code: None }
	}

	pub fn invalid(param: impl Into<Cow<'static, str>>, message: impl Into<String>) -> ApiError {
		ApiError {
			param: Some(param.into()),
			..ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
		}
	}

	pub fn code(mut self, code: &'static str) -> ApiError {
		self.code = Some(code);
		self
	}

	pub fn model_not_found(model: &str) -> ApiError {
		ApiError {
			param: Some("model".into()),
			..ApiError::new(
				StatusCode::NOT_FOUND,
				"invalid_request_error",
				format!("The model `{model}` does not exist on this worker"),
			)
		}
		.code("model_not_found")
	}

	/// The body as JSON text (what an SSE error event carries).
	pub fn body_json(&self) -> String {
		serde_json::to_string(&self.body()).expect("error bodies serialize")
	}

	pub fn body(&self) -> ErrorBody {
		ErrorBody {
			error: ErrorDetail {
				message: self.message.clone(),
				kind: self.kind.into(),
				param: self.param.clone().map(Into::into),
				code: self.code.map(Into::into),
			},
		}
	}
}

impl IntoResponse for ApiError {
	fn into_response(self) -> Response {
		(self.status, Json(self.body())).into_response()
	}
}

impl From<EngineError> for ApiError {
	fn from(error: EngineError) -> ApiError {
		let message = error.to_string();
		match error {
			EngineError::QueueFull(_) => {
				ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limit_error", message)
					.code("queue_full")
			},
			EngineError::Quarantined { .. } => {
				ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "adapter_error", message)
					.code("adapter_quarantined")
			},
			EngineError::AdapterMissing(_) => {
				ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "adapter_error", message)
					.code("adapter_missing")
			},
			EngineError::InvalidAdapter { .. } => {
				ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "adapter_error", message)
					.code("adapter_invalid")
			},
			EngineError::KvCacheTooSmall { .. } => {
				ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
					.code("context_length_exceeded")
			},
			EngineError::Model(_) => {
				ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", message)
			},
			EngineError::Grammar(_) => {
				ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", message)
					.code("constrained_decoding_failed")
			},
			EngineError::ShuttingDown => {
				ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "server_error", message)
					.code("shutting_down")
			},
		}
	}
}

impl From<RegistryError> for ApiError {
	fn from(error: RegistryError) -> ApiError {
		let message = error.to_string();
		match error {
			RegistryError::UnknownModel(model) => ApiError::model_not_found(&model),
			RegistryError::UnknownAdapter(_) => {
				ApiError::new(StatusCode::NOT_FOUND, "invalid_request_error", message)
			},
			RegistryError::Conflict(_)
			| RegistryError::AdapterConflict { .. }
			| RegistryError::ChainMismatch { .. }
			| RegistryError::ChainTaken { .. } => {
				ApiError::new(StatusCode::CONFLICT, "invalid_request_error", message)
			},
			RegistryError::Invalid(_) => {
				ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
			},
			RegistryError::File { .. } => {
				ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", message)
			},
		}
	}
}

impl From<StoreError> for ApiError {
	fn from(error: StoreError) -> ApiError {
		let message = error.to_string();
		let status = match error {
			StoreError::NotFound(_) => StatusCode::NOT_FOUND,
			StoreError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
			StoreError::WrongHash { .. } | StoreError::BadHash(_) => StatusCode::BAD_REQUEST,
			StoreError::Corrupt { .. } => StatusCode::CONFLICT,
			StoreError::Full { .. } => StatusCode::INSUFFICIENT_STORAGE,
			StoreError::Io { ref source, .. }
				if source.kind() == std::io::ErrorKind::StorageFull =>
			{
				StatusCode::INSUFFICIENT_STORAGE
			},
			StoreError::Io { .. } => StatusCode::INTERNAL_SERVER_ERROR,
		};
		ApiError::new(status, "store_error", message)
	}
}

/// Parses a JSON body, answering malformed JSON with a 400 in OpenAI's shape that names the
/// field at fault (`param`, as a path such as `rows[2].hash`).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
	let mut json = serde_json::Deserializer::from_slice(body);
	serde_path_to_error::deserialize(&mut json).map_err(|e| {
		let path = e.path().to_string();
		let message = format!("invalid JSON body: {}", e.inner());
		match path.as_str() {
			"." => ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message),
			_ => ApiError::invalid(path, message),
		}
	})
}

/// Decodes a request field holding a SCALE-encoded `T`, every byte consumed; `type_name` names
/// `T` in the error.
pub fn decode_scale<T: codec::DecodeAll>(
	param: &'static str,
	bytes: &[u8],
	type_name: &str,
) -> Result<T, ApiError> {
	T::decode_all(&mut &bytes[..]).map_err(|e| {
		ApiError::invalid(param, format!("{param}: not a SCALE-encoded {type_name}: {e}"))
	})
}
