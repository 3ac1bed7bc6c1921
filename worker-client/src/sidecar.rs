//! JSON over HTTP to the local sidecar, with a deadline on every request so a sidecar that is
//! down or slow costs an off-chain worker run a few seconds and never anything more.

use alloc::{format, string::String, vec::Vec};
use serde::{de::DeserializeOwned, Serialize};
use sp_runtime::offchain::{http, storage::StorageValueRef, Duration, HttpError};
use tributary_primitives::WORKER_URL_STORAGE_KEY;
use tributary_sidecar_api::error::{ErrorBody, ErrorDetail};

/// How long one request may take, connection and body included.
const REQUEST_DEADLINE_MS: u64 = 5_000;
/// Most bytes of one answer read: the contract's largest answers (a page of pending receipts, a
/// recomputed record) are tens of kilobytes; a sidecar sending more is broken or not ours.
pub const MAX_RESPONSE_BYTES: usize = 4 << 20;

#[derive(Debug)]
pub enum SidecarError {
	/// No connection, or the request could not be sent.
	Unreachable,
	/// No complete answer before the deadline.
	Timeout,
	/// The sidecar answered, but not with JSON.
	NotJson { status: u16 },
	/// The answer's body is longer than [`MAX_RESPONSE_BYTES`].
	TooLarge,
}

/// One answer: HTTP status and JSON body.
pub struct Reply {
	pub status: u16,
	body: serde_json::Value,
}

impl Reply {
	/// A 2xx answer whose body is not an error body.
	pub fn is_success(&self) -> bool {
		(200..300).contains(&self.status) && self.error().is_none()
	}

	/// The body as the contract's answer `T`.
	pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
		T::deserialize(&self.body)
	}

	/// The sidecar's refusal, when the body is one.
	pub fn error(&self) -> Option<ErrorDetail> {
		self.json::<ErrorBody>().ok().map(|body| body.error)
	}

	/// The sidecar's error message, or the whole body.
	pub fn message(&self) -> String {
		match self.error() {
			Some(error) => error.message,
			None => format!("{}", self.body),
		}
	}
}

pub struct Sidecar {
	base: String,
}

/// `value` as JSON with every object's keys in sorted order, so a request's bytes depend only on
/// its content, whether or not serde_json keeps insertion order (its `preserve_order`, which
/// another crate of a build may turn on).
pub fn canonical_json(value: &impl Serialize) -> Vec<u8> {
	fn sorted(value: serde_json::Value) -> serde_json::Value {
		match value {
			serde_json::Value::Object(map) => {
				let mut entries: Vec<_> = map.into_iter().collect();
				entries.sort_by(|(a, _), (b, _)| a.cmp(b));
				entries.into_iter().map(|(key, value)| (key, sorted(value))).collect()
			},
			serde_json::Value::Array(items) => items.into_iter().map(sorted).collect(),
			other => other,
		}
	}
	let value = serde_json::to_value(value).expect("the contract's types serialize");
	serde_json::to_vec(&sorted(value)).expect("a JSON value always serializes")
}

impl Sidecar {
	/// The sidecar this node was started with (`--worker-url`), if any.
	pub fn configured() -> Option<Sidecar> {
		let url: Vec<u8> =
			StorageValueRef::persistent(WORKER_URL_STORAGE_KEY).get().ok().flatten()?;
		let base = String::from_utf8(url).ok()?;
		Some(Sidecar { base: base.trim_end_matches('/').into() })
	}

	pub fn url(&self) -> &str {
		&self.base
	}

	pub fn get(&self, path: &str) -> Result<Reply, SidecarError> {
		self.send(http::Request::get(&format!("{}{path}", self.base)))
	}

	/// POSTs `body` as [`canonical_json`].
	pub fn post(&self, path: &str, body: &impl Serialize) -> Result<Reply, SidecarError> {
		let bytes = canonical_json(body);
		let url = format!("{}{path}", self.base);
		self.send(
			http::Request::post(&url, alloc::vec![bytes])
				.add_header("Content-Type", "application/json"),
		)
	}

	fn send<B: Default + IntoIterator<Item = T>, T: AsRef<[u8]>>(
		&self,
		request: http::Request<'_, B>,
	) -> Result<Reply, SidecarError> {
		let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(REQUEST_DEADLINE_MS));
		let pending = request.deadline(deadline).send().map_err(|_| SidecarError::Unreachable)?;
		let response = match pending.try_wait(deadline) {
			Ok(Ok(response)) => response,
			Ok(Err(http::Error::DeadlineReached)) | Err(_) => return Err(SidecarError::Timeout),
			Ok(Err(_)) => return Err(SidecarError::Unreachable),
		};
		let status = response.code;
		// The deadline covers the body too: a sidecar that sends headers, then trickles, is cut
		// off like one that never answers.
		let mut body = response.body();
		body.deadline(deadline);
		let bytes: Vec<u8> = body.by_ref().take(MAX_RESPONSE_BYTES + 1).collect();
		match body.error() {
			Some(HttpError::DeadlineReached) => return Err(SidecarError::Timeout),
			Some(_) => return Err(SidecarError::Unreachable),
			None if bytes.len() > MAX_RESPONSE_BYTES => return Err(SidecarError::TooLarge),
			None => {},
		}
		let body = serde_json::from_slice(&bytes).map_err(|_| SidecarError::NotJson { status })?;
		Ok(Reply { status, body })
	}
}
