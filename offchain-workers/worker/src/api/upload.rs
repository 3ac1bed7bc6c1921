//! `PUT /store` and `PUT /store/{hash}`: the body is streamed into a temporary file beside the
//! objects as it arrives (never held whole in memory), hashed on the way, and becomes the object
//! only when complete. At most `max_concurrent_uploads` bodies are received at once (more: 429);
//! a body past the object size limit is a 413 (at once when its `Content-Length` says so), one
//! past the store's quota or the disk a 507, and a client that stops sending is cut off.

use super::error::ApiError;
use super::responses::Stored;
use super::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use futures::StreamExt;
use std::time::Duration;
use tokio::sync::mpsc;
use tributary_primitives::ContentHash;
use tributary_sidecar_api::wire::Hash32;
use tributary_store::{self as store, StoreError};

/// Longest wait for the next piece of a body before the upload is abandoned.
pub const UPLOAD_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest a whole body may take.
pub const UPLOAD_DEADLINE: Duration = Duration::from_secs(600);

/// `PUT /store`: stores the body, answers its hash.
pub async fn put_object(
	State(state): State<AppState>,
	headers: HeaderMap,
	body: Body,
) -> Result<Json<Stored>, ApiError> {
	put(&state, &headers, body, None).await
}

/// `PUT /store/{hash}`: stores the body only if it hashes to `hash`.
pub async fn put_object_at(
	State(state): State<AppState>,
	Path(hash): Path<String>,
	headers: HeaderMap,
	body: Body,
) -> Result<Json<Stored>, ApiError> {
	let expected = store::parse(&hash)?;
	put(&state, &headers, body, Some(expected)).await
}

async fn put(
	state: &AppState,
	headers: &HeaderMap,
	body: Body,
	expected: Option<ContentHash>,
) -> Result<Json<Stored>, ApiError> {
	let limit = state.store.max_object_bytes();
	let declared = headers
		.get(header::CONTENT_LENGTH)
		.and_then(|value| value.to_str().ok())
		.and_then(|text| text.parse::<u64>().ok());
	if let Some(size) = declared.filter(|&size| size > limit) {
		return Err(StoreError::TooLarge { size, limit }.into());
	}
	let _slot = state.uploads.clone().try_acquire_owned().map_err(|_| {
		ApiError::new(
			StatusCode::TOO_MANY_REQUESTS,
			"rate_limit_error",
			"this worker is receiving as many uploads as it takes at once; retry shortly",
		)
		.code("too_many_uploads")
	})?;
	let received = tokio::time::timeout(UPLOAD_DEADLINE, receive(state, body, expected)).await;
	let hash = received.map_err(|_| too_slow("the upload took longer than its deadline"))??;
	// Good bytes under this name again: an earlier quarantine no longer applies.
	state.engine.release_quarantine(hash);
	Ok(Json(Stored { hash: Hash32(hash) }))
}

/// Feeds the body to a writer thread through a small channel (so a slow disk slows the client,
/// not memory); the writer keeps the object only when it is told the body ended.
async fn receive(
	state: &AppState,
	body: Body,
	expected: Option<ContentHash>,
) -> Result<ContentHash, ApiError> {
	// `None`: the body is complete. A channel closed without it means the upload was abandoned.
	let (pieces, mut arriving) = mpsc::channel::<Option<Bytes>>(8);
	let store = state.store.clone();
	let writer = tokio::task::spawn_blocking(move || -> Result<Option<ContentHash>, StoreError> {
		let mut upload = store.upload()?;
		while let Some(piece) = arriving.blocking_recv() {
			match piece {
				Some(bytes) => upload.write(&bytes)?,
				None => return upload.finish(expected.as_ref()).map(Some),
			}
		}
		Ok(None)
	});
	let fed = feed(body, &pieces).await;
	drop(pieces);
	let written = writer.await.expect("the upload writer does not panic");
	fed?;
	written?.ok_or_else(|| {
		ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "the upload was abandoned")
	})
}

/// Sends the body's pieces to the writer, then `None`; stops early when the writer refused the
/// bytes (its error is the answer) or the client stalls or breaks off.
async fn feed(body: Body, pieces: &mpsc::Sender<Option<Bytes>>) -> Result<(), ApiError> {
	let mut stream = body.into_data_stream();
	loop {
		let next = tokio::time::timeout(UPLOAD_IDLE_TIMEOUT, stream.next()).await;
		let piece = match next.map_err(|_| too_slow("no part of the body came for 30 s"))? {
			Some(Ok(bytes)) => Some(bytes),
			Some(Err(error)) => {
				return Err(ApiError::new(
					StatusCode::BAD_REQUEST,
					"invalid_request_error",
					format!("the body could not be read: {error}"),
				))
			},
			None => None,
		};
		let end = piece.is_none();
		if pieces.send(piece).await.is_err() || end {
			return Ok(());
		}
	}
}

fn too_slow(message: &str) -> ApiError {
	ApiError::new(StatusCode::REQUEST_TIMEOUT, "invalid_request_error", message)
		.code("upload_timeout")
}
