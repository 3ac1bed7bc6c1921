//! The body of every refusal, OpenAI-style: `{"error": {"message", "type", "param", "code"}}`.

use alloc::string::String;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
	pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
	/// What went wrong and what to do about it.
	pub message: String,
	/// The OpenAI error type, e.g. `invalid_request_error`.
	#[serde(rename = "type")]
	pub kind: String,
	/// The request field at fault.
	pub param: Option<String>,
	/// A machine-readable code, e.g. `model_not_found`.
	pub code: Option<String>,
}
