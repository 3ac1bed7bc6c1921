//! Errors in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}` with a matching
//! HTTP status, so OpenAI clients raise their usual exceptions.

use crate::engine::EngineError;
use crate::registry::RegistryError;
use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Clone, Debug)]
pub struct ApiError {
	pub status: StatusCode,
	pub message: String,
	pub kind: &'static str,
	pub param: Option<&'static str>,
	pub code: Option<&'static str>,
}

impl ApiError {
	pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> ApiError {
		ApiError { status, message: message.into(), kind, param: None, code: None }
	}

	pub fn invalid(param: &'static str, message: impl Into<String>) -> ApiError {
		ApiError {
			param: Some(param),
			..ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
		}
	}

	pub fn code(mut self, code: &'static str) -> ApiError {
		self.code = Some(code);
		self
	}

	pub fn model_not_found(model: &str) -> ApiError {
		ApiError {
			param: Some("model"),
			..ApiError::new(
				StatusCode::NOT_FOUND,
				"invalid_request_error",
				format!("The model `{model}` does not exist on this worker"),
			)
		}
		.code("model_not_found")
	}

	pub fn body(&self) -> serde_json::Value {
		serde_json::json!({
			"error": { "message": self.message, "type": self.kind, "param": self.param, "code": self.code }
		})
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
			StoreError::Io { .. } => StatusCode::INTERNAL_SERVER_ERROR,
		};
		ApiError::new(status, "store_error", message)
	}
}

/// Parses a JSON body, answering malformed JSON with a 400 in OpenAI's shape.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
	serde_json::from_slice(body).map_err(|e| {
		ApiError::new(
			StatusCode::BAD_REQUEST,
			"invalid_request_error",
			format!("invalid JSON body: {e}"),
		)
	})
}

/// Parses a request field holding a SCALE-encoded `T` in hex (`0x` optional), every byte
/// consumed; `type_name` names `T` in the error.
pub fn parse_scale_hex<T: codec::DecodeAll>(
	param: &'static str,
	text: &str,
	type_name: &str,
) -> Result<T, ApiError> {
	let invalid = |reason: String| ApiError::invalid(param, format!("{param} {text:?}: {reason}"));
	let bytes = tributary_primitives::hex::decode(text).map_err(|e| invalid(e.to_string()))?;
	T::decode_all(&mut &bytes[..])
		.map_err(|e| invalid(format!("not a SCALE-encoded {type_name}: {e}")))
}
